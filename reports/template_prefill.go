package reports

import (
	"context"
	"fmt"
	"sort"
	"strings"
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
	// stale: dated before the staleness limit, so no longer counted: the date is left empty
	// (the village must confirm the answers and write the day it checked).
	stale bool
	// notes are the cells' notes, by index in cells: why a date is empty (an answer of an
	// earlier period, a code that meant another village), which former villages disagreed.
	notes map[int]string
}

// note adds a note to cell i.
func (a *answer) note(i int, s string) {
	if a.notes == nil {
		a.notes = map[int]string{}
	}
	if a.notes[i] != "" {
		s = a.notes[i] + " " + s
	}
	a.notes[i] = s
}

// staleness is the limit the templates' period is evaluated with: answers dated before fresh
// no longer count (the criteria set's staleness limit of months).
type staleness struct {
	fresh  time.Time
	months int
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
//
// An answer dated before the staleness limit (lim) has its date left empty, with a note giving
// its date: returned untouched, the row does not load, so the commune confirms it rather than
// sending last year's answer again as if it were current.
func lastAnswers(ctx context.Context, q db.Querier, dataset ntm.Dataset, villages []string, day, end time.Time, lim staleness) (map[string]answer, error) {
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
		var a answer
		switch {
		case l == nil: // not in the history (no structure loaded): by code
			f, ok := byCode[c]
			if !ok {
				continue
			}
			a = answer{cells: append([]any{f.asOf.Format("02/01/2006")}, f.cells...), asOf: f.asOf}
		default:
			if f, ok := newest[l[0]]; ok {
				a = answer{cells: append([]any{f.asOf.Format("02/01/2006")}, f.cells...), asOf: f.asOf}
				break
			}
			var ok bool
			if a, ok = fromPredecessors(h, dataset, l, newest); !ok {
				continue
			}
			// Dated as they were, unless a row of this code at that date would be another village's.
			if v := h.VersionOf(c, a.asOf); v != nil && !contains(l, v) {
				a.cells[0] = nil
				a.note(0, fmt.Sprintf("Câu trả lời của %s, ngày %s. Mã thôn này trước đây là của thôn khác: ghi ngày kiểm tra vào ô này thì dòng mới được nạp.",
					versionNames(a.from), a.asOf.Format("02/01/2006")))
			}
		}
		if !lim.fresh.IsZero() && a.asOf.Before(lim.fresh) {
			a.stale = true
			a.cells[0] = nil
			delete(a.notes, 0) // this note says all that another date note would
			a.note(0, fmt.Sprintf("Trả lời kỳ trước, ngày %s: đã quá %d tháng nên không còn được tính. Kiểm tra lại với thôn, sửa nếu cần và ghi ngày kiểm tra vào ô này; để trống thì dòng không được nạp.",
				a.asOf.Format("02/01/2006"), lim.months))
		}
		out[c] = a
	}
	return out, nil
}

// versionNames names villages for a note: "Thôn Nà Pá (cũ, 06523-002), Thôn Bản Chắt (cũ, 06523-003)".
func versionNames(vs []*units.Version) string {
	names := make([]string, len(vs))
	for i, v := range vs {
		names[i] = fmt.Sprintf("%s (cũ, %s)", v.Name, v.Code)
	}
	return strings.Join(names, ", ")
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
	differ := map[int]bool{}
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
			case x != first.cells[i]:
				differ[i] = true
			}
		}
	}
	// The villages answered differently: left empty, to be asked again, and the note says who
	// answered what.
	for i := range first.cells {
		if !differ[i] {
			continue
		}
		a.cells[i+1] = nil
		parts := make([]string, len(found))
		for k, v := range found {
			parts[k] = fmt.Sprintf("%s (cũ, %s): %s", v.Name, v.Code, answerText(newest[v].cells[i]))
		}
		a.note(i+1, fmt.Sprintf("Các thôn cũ hợp thành thôn này trả lời khác nhau — %s: hỏi lại thôn rồi ghi câu trả lời.", strings.Join(parts, "; ")))
	}
	a.cells[0] = a.asOf.Format("02/01/2006")
	return a, true
}

// answerText is an answer as a note quotes it: "Có", "3", "để trống".
func answerText(x any) string {
	if x == nil {
		return "để trống"
	}
	return fmt.Sprint(x)
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
