package console

import (
	"context"
	"fmt"
	"net/url"
	"strconv"

	"github.com/jackc/pgx/v5"

	"ntm"
	"ntm/evaluate"
)

// resultFilter is what the results page and API filter on.
type resultFilter struct {
	Period    string // YYYY-MM; "" = the newest evaluated period
	Level     string // "" = every level
	District  string // a district code: the district and what lies in it
	Criterion string
	Status    string // met, not_met, no_data
}

func parseResultFilter(q url.Values) resultFilter {
	f := resultFilter{Period: q.Get("period"), Level: q.Get("level"), District: q.Get("district"),
		Criterion: q.Get("criterion"), Status: q.Get("status")}
	if _, err := ntm.ParseLevel(f.Level); err != nil {
		f.Level = ""
	}
	switch ntm.Status(f.Status) {
	case ntm.StatusMet, ntm.StatusNotMet, ntm.StatusNoData:
	default:
		f.Status = ""
	}
	return f
}

// evaluatedPeriods lists the periods with an evaluation, newest first.
func (c *Console) evaluatedPeriods(ctx context.Context) ([]string, error) {
	rows, err := c.d.Pool.Query(ctx, `SELECT DISTINCT period FROM evaluation ORDER BY period DESC LIMIT 120`)
	if err != nil {
		return nil, fmt.Errorf("list evaluated periods: %w", err)
	}
	return pgx.CollectRows(rows, pgx.RowTo[string])
}

// resultSet is the filtered results of one period, with what the filters can choose from.
type resultSet struct {
	Period     string
	Periods    []string
	Rows       []evaluate.Result // filtered
	Districts  []unitOption
	Criteria   []unitOption // Value = key, Label = name
	Counts     map[ntm.Status]int
	NoResults  bool // nothing evaluated yet
	PeriodGone bool // the asked period has no evaluation
}

type unitOption struct{ Value, Label string }

// queryResults reads the newest results of a period through evaluate.Results and filters them.
func (c *Console) queryResults(ctx context.Context, f *resultFilter) (*resultSet, error) {
	periods, err := c.evaluatedPeriods(ctx)
	if err != nil {
		return nil, err
	}
	set := &resultSet{Periods: periods, Counts: map[ntm.Status]int{}}
	if len(periods) == 0 {
		set.NoResults = true
		return set, nil
	}
	if f.Period == "" {
		f.Period = periods[0]
	}
	p, err := ntm.ParsePeriod(f.Period)
	if err != nil {
		return nil, &filterError{fmt.Sprintf("Kỳ %q không đúng dạng năm-tháng (ví dụ 2024-12).", f.Period)}
	}
	set.Period = p.String()
	found := false
	for _, x := range periods {
		found = found || x == set.Period
	}
	if !found {
		set.PeriodGone = true
		return set, nil
	}
	districts, err := evaluate.Results(ctx, c.d.Pool, p, ntm.LevelDistrict)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for _, r := range districts {
		if !seen[r.UnitCode] {
			seen[r.UnitCode] = true
			set.Districts = append(set.Districts, unitOption{r.UnitCode, r.UnitName})
		}
	}
	all, err := evaluate.Results(ctx, c.d.Pool, p, ntm.Level(f.Level))
	if err != nil {
		return nil, err
	}
	seenCrit := map[string]bool{}
	for _, r := range all {
		if !seenCrit[r.Criterion] {
			seenCrit[r.Criterion] = true
			name := r.CriterionName
			if name == "" {
				name = r.Criterion
			}
			set.Criteria = append(set.Criteria, unitOption{r.Criterion, r.Criterion + " — " + name})
		}
		if f.District != "" && r.DistrictCode != f.District {
			continue
		}
		if f.Criterion != "" && r.Criterion != f.Criterion {
			continue
		}
		set.Counts[r.Status]++
		if f.Status != "" && string(r.Status) != f.Status {
			continue
		}
		set.Rows = append(set.Rows, r)
	}
	return set, nil
}

// filterError is a filter the office typed wrong.
type filterError struct{ msg string }

func (e *filterError) Error() string { return e.msg }

func atoiDefault(s string, def int) int {
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		return def
	}
	return n
}
