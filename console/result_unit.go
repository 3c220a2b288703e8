package console

import (
	"net/http"
	"strings"

	"ntm"
	"ntm/explain"
	"ntm/msg"
)

type unitPage struct {
	Unit     *explain.Unit
	Periods  []string // the evaluated periods, newest first (to look at another)
	Criteria []unitCriterion
	Children []resultRow
}

type unitCriterion struct {
	explain.Criterion
	Value   string // value and threshold as the office reads them
	Since   string
	History []unitPoint
	Sources []unitSource
}

type unitPoint struct {
	Period, Status, StatusLabel, Value string
}

type unitSource struct {
	BatchID int64
	Text    string
}

// resultUnit shows one unit in one period: each criterion with its status, why, since when, its
// history across the evaluated periods, and the files and rows behind its figures (package
// explain, as ntm explain UNIT --period P prints it); for a commune or a district, its units.
func (c *Console) resultUnit(w http.ResponseWriter, r *http.Request) {
	code := strings.TrimSpace(r.PathValue("code"))
	periods, err := explain.Periods(r.Context(), c.d.Pool)
	if err != nil {
		c.pageError(w, r, ntm.Wrap(ntm.CodeUnavailable, err, "%s", msg.DatabaseDown))
		return
	}
	if len(periods) == 0 {
		c.pageError(w, r, ntm.Errorf(ntm.CodeNotFound, "%s", msg.NothingEvaluated))
		return
	}
	p := periods[0]
	if s := strings.TrimSpace(r.URL.Query().Get("period")); s != "" {
		if p, err = ntm.ParsePeriod(s); err != nil {
			c.pageError(w, r, ntm.Wrap(ntm.CodeInvalid, err, "%s", msg.PeriodBadForm(s)))
			return
		}
	}
	u, err := explain.Explain(r.Context(), c.d.Pool, code, p)
	if err != nil {
		c.pageError(w, r, err)
		return
	}
	page := unitPage{Unit: u}
	for _, x := range periods {
		page.Periods = append(page.Periods, x.String())
	}
	for _, cr := range u.Criteria {
		uc := unitCriterion{Criterion: cr, Value: cr.ValueText(), Since: cr.SinceText()}
		for _, pt := range cr.History {
			up := unitPoint{Period: pt.Period.String(), Status: string(pt.Status), StatusLabel: pt.Status.Label()}
			if pt.Value != nil {
				up.Value = strings.Replace(pt.Value.String(), ".", ",", 1)
			}
			uc.History = append(uc.History, up)
		}
		for _, s := range cr.Sources {
			uc.Sources = append(uc.Sources, unitSource{BatchID: s.BatchID, Text: s.Text(c.d.Location)})
		}
		page.Criteria = append(page.Criteria, uc)
	}
	for _, x := range u.Children {
		row := resultRow{UnitCode: x.UnitCode, UnitName: x.UnitName, Level: x.Level.Label(), Criterion: x.Criterion,
			CriterionName: x.CriterionName, Status: string(x.Status), StatusLabel: x.Status.Label(), Explanation: x.Explanation}
		page.Children = append(page.Children, row)
	}
	c.render(w, r, http.StatusOK, "unit", layoutData{Title: u.Name + " · kỳ " + p.String(), Nav: "results", Page: page})
}
