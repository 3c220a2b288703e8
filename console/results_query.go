package console

import (
	"context"
	"net/url"
	"strconv"
	"strings"

	"ntm"
	"ntm/explain"
	"ntm/msg"
)

// resultFilter is what the results page and API filter on.
type resultFilter struct {
	Period    string // YYYY-MM; "" = the newest evaluated period
	Level     string // "" = every level
	District  string // a district code: the district and what lies in it
	Commune   string // a commune code: the commune and its villages
	Search    string // a unit's name (diacritics ignored) or code
	Criterion string
	Status    string // met, not_met, no_data
}

func parseResultFilter(q url.Values) resultFilter {
	f := resultFilter{Period: strings.TrimSpace(q.Get("period")), Level: q.Get("level"), District: q.Get("district"),
		Commune: q.Get("commune"), Search: strings.TrimSpace(q.Get("q")), Criterion: q.Get("criterion"), Status: q.Get("status")}
	if _, err := ntm.ParseLevel(f.Level); err != nil {
		f.Level = ""
	}
	switch ntm.Status(f.Status) {
	case ntm.StatusMet, ntm.StatusNotMet, ntm.StatusNoData:
	default:
		f.Status = ""
	}
	if len(f.Search) > 100 {
		f.Search = f.Search[:100]
	}
	return f
}

// explainFilter is the filter in explain's terms.
func (f resultFilter) explainFilter() explain.Filter {
	return explain.Filter{Level: ntm.Level(f.Level), District: f.District, Commune: f.Commune, Search: f.Search,
		Criterion: f.Criterion, Status: ntm.Status(f.Status)}
}

// resultSet is the filtered results of one period, with what the filters can choose from.
type resultSet struct {
	Period     string
	Periods    []string
	Rows       []explain.Row // filtered
	Districts  []unitOption
	Communes   []unitOption // of the chosen district (every commune without one)
	Criteria   []unitOption // Value = key, Label = name
	Counts     map[ntm.Status]int
	NoResults  bool // nothing evaluated yet
	PeriodGone bool // the asked period has no evaluation
}

type unitOption struct{ Value, Label string }

// queryResults reads the newest results of a period through package explain (the same rows as
// ntm results) and filters them. A period typed wrong is an *ntm.Error (CodeInvalid).
func (c *Console) queryResults(ctx context.Context, f *resultFilter) (*resultSet, error) {
	periods, err := explain.Periods(ctx, c.d.Pool)
	if err != nil {
		return nil, ntm.Wrap(ntm.CodeUnavailable, err, "%s", msg.DatabaseDown)
	}
	set := &resultSet{Counts: map[ntm.Status]int{}}
	for _, p := range periods {
		set.Periods = append(set.Periods, p.String())
	}
	if len(periods) == 0 {
		set.NoResults = true
		return set, nil
	}
	if f.Period == "" {
		f.Period = set.Periods[0]
	}
	p, err := ntm.ParsePeriod(f.Period)
	if err != nil {
		return nil, ntm.Wrap(ntm.CodeInvalid, err, "%s", msg.PeriodBadForm(f.Period))
	}
	set.Period = p.String()
	found := false
	for _, x := range set.Periods {
		found = found || x == set.Period
	}
	if !found {
		set.PeriodGone = true
		return set, nil
	}
	all, err := explain.Results(ctx, c.d.Pool, p, explain.Filter{})
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for _, r := range all {
		key := string(r.Level) + r.UnitCode
		switch {
		case seen[key]:
		case r.Level == ntm.LevelDistrict:
			set.Districts = append(set.Districts, unitOption{r.UnitCode, r.UnitName})
		case r.Level == ntm.LevelCommune && (f.District == "" || r.DistrictCode == f.District):
			set.Communes = append(set.Communes, unitOption{r.UnitCode, r.UnitName})
		}
		seen[key] = true
		if !seen["c"+r.Criterion] && (f.Level == "" || string(r.Level) == f.Level) {
			seen["c"+r.Criterion] = true
			name := r.CriterionName
			if name == "" {
				name = r.Criterion
			}
			set.Criteria = append(set.Criteria, unitOption{r.Criterion, r.Criterion + " — " + name})
		}
	}
	ef := f.explainFilter()
	ef.Status = ""
	for _, r := range explain.Select(all, ef) {
		set.Counts[r.Status]++
		if f.Status == "" || string(r.Status) == f.Status {
			set.Rows = append(set.Rows, r)
		}
	}
	return set, nil
}

func atoiDefault(s string, def int) int {
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		return def
	}
	return n
}
