package console

import (
	"net/http"
	"net/url"
	"strconv"

	"ntm"
)

const resultsPerPage = 100

type resultsPage struct {
	Filter   resultFilter
	Set      *resultSet
	Levels   []unitOption
	Statuses []unitOption
	Rows     []resultRow
	Total    int
	Met      int
	NotMet   int
	NoData   int
	pager
	APIURL string
}

type resultRow struct {
	UnitCode, UnitName, Level, ParentCode string
	CommuneName, DistrictName             string // the unit's place ("" for the unit itself)
	Criterion, CriterionName              string
	Status, StatusLabel                   string
	Value, Threshold, Explanation         string
}

// results shows the newest results of a period by district, commune and village, filtered
// by level, district, commune, name or code, criterion and status, a page at a time; each
// unit links to its own page (resultUnit).
func (c *Console) results(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := parseResultFilter(q)
	if _, asked := q["level"]; !asked {
		// A first visit shows the communes: every level at once is long for a province.
		f.Level = string(ntm.LevelCommune)
	}
	set, err := c.queryResults(r.Context(), &f)
	if err != nil {
		c.pageError(w, r, err)
		return
	}
	page := resultsPage{Filter: f, Set: set, Total: len(set.Rows), Met: set.Counts[ntm.StatusMet],
		NotMet: set.Counts[ntm.StatusNotMet], NoData: set.Counts[ntm.StatusNoData]}
	page.Levels = []unitOption{{"", "Tất cả các cấp"}}
	for _, l := range ntm.Levels {
		page.Levels = append(page.Levels, unitOption{string(l), l.Label()})
	}
	page.Statuses = []unitOption{{"", "Mọi trạng thái"}}
	for _, s := range []ntm.Status{ntm.StatusMet, ntm.StatusNotMet, ntm.StatusNoData} {
		page.Statuses = append(page.Statuses, unitOption{string(s), s.Label()})
	}
	page.pager = newPager(len(set.Rows), resultsPerPage, atoiDefault(q.Get("page"), 1), func(p int) string {
		v := filterValues(f)
		v.Set("page", strconv.Itoa(p))
		return "/results?" + v.Encode()
	})
	for _, x := range set.Rows[page.From:page.To] {
		row := resultRow{UnitCode: x.UnitCode, UnitName: x.UnitName, Level: x.Level.Label(), ParentCode: x.ParentCode,
			CommuneName: placeName(x.CommuneCode, x.CommuneName, x.UnitCode), DistrictName: placeName(x.DistrictCode, x.DistrictName, x.UnitCode),
			Criterion: x.Criterion, CriterionName: x.CriterionName, Status: string(x.Status), StatusLabel: x.Status.Label(),
			Threshold: x.Threshold.String(), Explanation: x.Explanation}
		if v := x.PrintedValue(); v != nil {
			row.Value = v.String()
		}
		page.Rows = append(page.Rows, row)
	}
	page.APIURL = "/api/results?" + filterValues(f).Encode()
	c.render(w, r, http.StatusOK, "results", layoutData{Title: "Kết quả", Nav: "results", Page: page})
}

// placeName is a commune's or district's name for a unit's row, "" when the unit is that place.
func placeName(code, name, self string) string {
	if code == self {
		return ""
	}
	return name
}

func filterValues(f resultFilter) url.Values {
	v := url.Values{}
	for k, s := range map[string]string{"period": f.Period, "level": f.Level, "district": f.District, "commune": f.Commune,
		"q": f.Search, "criterion": f.Criterion, "status": f.Status} {
		if s != "" {
			v.Set(k, s)
		}
	}
	return v
}
