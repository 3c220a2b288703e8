package reports

import (
	"context"
	"fmt"
	"sort"
	"time"

	"ntm"
	"ntm/db"
	"ntm/units"
)

// Pre-filled templates (ntm template --prefill): each village's last loaded answers, the way
// evaluation picks them — among the facts of loaded batches dated on or before the period's end,
// the newest date, then the newest batch — for the village as the structure lists it: a fact
// belongs to the unit version of its code at its date (the reform gave old codes to other
// villages, whose answers must not be pre-filled), and a village without answers of its own
// takes those of the villages it was formed from (full links, nearest first).

const lastSurveySQL = `
SELECT f.village_code, f.as_of, f.team, f.team_decision, f.platform, f.platform_name, f.wifi, f.models, f.model_fields
FROM fact_village_survey f
JOIN batch b ON b.id = f.batch_id AND b.status = 'loaded'
WHERE f.as_of <= $2 AND f.village_code = ANY($1)
ORDER BY f.village_code, f.as_of DESC, b.received_at DESC, b.id DESC, f.row_no DESC`

const lastVpostcodeSQL = `
SELECT f.village_code, f.as_of, f.households_total, f.households_with, f.orgs_total, f.orgs_with
FROM fact_vpostcode f
JOIN batch b ON b.id = f.batch_id AND b.status = 'loaded'
WHERE f.as_of <= $2 AND f.village_code = ANY($1)
ORDER BY f.village_code, f.as_of DESC, b.received_at DESC, b.id DESC, f.row_no DESC`

// answer is a village's last answers as template cells from "Ngày số liệu" on, and where they
// come from when that is not the village itself.
type answer struct {
	cells []any
	from  []*units.Version // the villages before the change of structure whose answers these are
	asOf  time.Time
}

// fact is one loaded row's answers: the date, then the answers as the template writes them.
type fact struct {
	code  string
	asOf  time.Time
	cells []any // after the date
}

// lastAnswers returns, per village code in force on day, the template cells from "Ngày số liệu"
// on: the date as the text dd/mm/yyyy the template asks for, yes/no as "Có"/"Không", unknown
// answers as nil. A village standing on its predecessors' answers has them with the date left
// empty when a row of its code at that date would belong to another village (the code's earlier
// holder), so that loading the row untouched cannot give that village's facts new answers.
func lastAnswers(ctx context.Context, q db.Querier, dataset ntm.Dataset, villages []string, day, end time.Time) (map[string]answer, error) {
	h, err := units.Load(ctx, q, units.LoadOptions{})
	if err != nil {
		return nil, err
	}
	// The codes to read: the villages' and their full predecessors'.
	lineage := map[string][]*units.Version{} // village code → its version at day, then its full predecessors
	var codes []string
	seen := map[string]bool{}
	addCode := func(c string) {
		if !seen[c] {
			seen[c] = true
			codes = append(codes, c)
		}
	}
	for _, c := range villages {
		addCode(c)
		v := h.At(c, day)
		if v == nil {
			continue
		}
		l := []*units.Version{v}
		for _, a := range h.Predecessors(v) {
			if !a.Partial && a.Version.Level == ntm.LevelVillage {
				l = append(l, a.Version)
				addCode(a.Version.Code)
			}
		}
		lineage[c] = l
	}
	facts, err := readFacts(ctx, q, dataset, codes, end)
	if err != nil {
		return nil, err
	}
	// The newest fact of each version (facts come newest first per code).
	newest := map[*units.Version]fact{}
	byCode := map[string]fact{} // without a history: per code
	for _, f := range facts {
		if _, ok := byCode[f.code]; !ok {
			byCode[f.code] = f
		}
		if v := h.VersionOf(f.code, f.asOf); v != nil {
			if _, ok := newest[v]; !ok {
				newest[v] = f
			}
		}
	}
	out := map[string]answer{}
	for _, c := range villages {
		l := lineage[c]
		if l == nil { // not in the history (no structure loaded): by code
			if f, ok := byCode[c]; ok {
				out[c] = answer{cells: append([]any{f.asOf.Format("02/01/2006")}, f.cells...), asOf: f.asOf}
			}
			continue
		}
		if f, ok := newest[l[0]]; ok {
			out[c] = answer{cells: append([]any{f.asOf.Format("02/01/2006")}, f.cells...), asOf: f.asOf}
			continue
		}
		a, ok := fromPredecessors(h, dataset, l, newest)
		if !ok {
			continue
		}
		// Dated as they were, unless a row of this code at that date would be another village's.
		if v := h.VersionOf(c, a.asOf); v != nil && !contains(l, v) {
			a.cells[0] = nil
		}
		out[c] = a
	}
	return out, nil
}

// fromPredecessors is a village's answers taken from the villages it was formed from: the
// nearest predecessors that have answers; one village's as they are; several villages' digital
// addresses summed (dated by the oldest, as evaluation combines them); several villages' survey
// answers only where they all agree. ok is false when none has answers.
func fromPredecessors(h *units.History, dataset ntm.Dataset, l []*units.Version, newest map[*units.Version]fact) (answer, bool) {
	depth := map[*units.Version]int{}
	for _, a := range h.Predecessors(l[0]) {
		depth[a.Version] = a.Depth
	}
	var found []*units.Version
	best := 0
	for _, v := range l[1:] {
		if _, ok := newest[v]; !ok {
			continue
		}
		switch d := depth[v]; {
		case len(found) == 0 || d < best:
			found, best = []*units.Version{v}, d
		case d == best:
			found = append(found, v)
		}
	}
	if len(found) == 0 {
		return answer{}, false
	}
	sort.Slice(found, func(i, j int) bool { return found[i].Code < found[j].Code })
	first := newest[found[0]]
	a := answer{from: found, asOf: first.asOf, cells: append([]any{nil}, first.cells...)}
	for _, v := range found[1:] {
		f := newest[v]
		if f.asOf.Before(a.asOf) {
			a.asOf = f.asOf
		}
		for i, x := range f.cells {
			switch {
			case dataset == ntm.DatasetVpostcode:
				n, _ := a.cells[i+1].(int)
				m, _ := x.(int)
				a.cells[i+1] = n + m
			case a.cells[i+1] != x:
				a.cells[i+1] = nil // the villages answered differently: to be asked again
			}
		}
	}
	a.cells[0] = a.asOf.Format("02/01/2006")
	return a, true
}

func contains(vs []*units.Version, v *units.Version) bool {
	for _, x := range vs {
		if x == v {
			return true
		}
	}
	return false
}

// readFacts reads every loaded fact of the codes dated on or before end, newest first per code.
func readFacts(ctx context.Context, q db.Querier, dataset ntm.Dataset, codes []string, end time.Time) ([]fact, error) {
	yesNo := func(b *bool) any {
		if b == nil {
			return nil
		}
		if *b {
			return "Có"
		}
		return "Không"
	}
	text := func(s string) any {
		if s == "" {
			return nil
		}
		return s
	}
	var out []fact
	switch dataset {
	case ntm.DatasetVillageSurvey:
		rows, err := q.Query(ctx, lastSurveySQL, codes, end)
		if err != nil {
			return nil, fmt.Errorf("read the last survey answers: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var code, dec, group, fields string
			var asOf time.Time
			var team, platform, wifi *bool
			var models *int
			if err := rows.Scan(&code, &asOf, &team, &dec, &platform, &group, &wifi, &models, &fields); err != nil {
				return nil, fmt.Errorf("read the last survey answers: %w", err)
			}
			var m any
			if models != nil {
				m = *models
			}
			out = append(out, fact{code: code, asOf: asOf, cells: []any{yesNo(team), text(dec), yesNo(platform), text(group), yesNo(wifi), m, text(fields)}})
		}
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("read the last survey answers: %w", err)
		}
	case ntm.DatasetVpostcode:
		rows, err := q.Query(ctx, lastVpostcodeSQL, codes, end)
		if err != nil {
			return nil, fmt.Errorf("read the last digital-address figures: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var code string
			var asOf time.Time
			var ht, hw, ot, ow int
			if err := rows.Scan(&code, &asOf, &ht, &hw, &ot, &ow); err != nil {
				return nil, fmt.Errorf("read the last digital-address figures: %w", err)
			}
			out = append(out, fact{code: code, asOf: asOf, cells: []any{ht, hw, ot, ow}})
		}
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("read the last digital-address figures: %w", err)
		}
	}
	return out, nil
}
