// Package explain owns the answer to "why does this unit stand where it does": the results of
// a period joined with each unit's place (its commune and district), filtered the way the office
// looks for a unit (by code, by name without diacritics, by commune or district), and, for one
// unit, each criterion with its figures, since when it has had its status (its history across
// the evaluated periods), and the files and rows behind each figure (batch, file name, sheet,
// row). The CLI (ntm results, ntm explain) and the console read the same answers from here.
package explain

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"ntm"
	"ntm/db"
	"ntm/evaluate"
	"ntm/fold"
	"ntm/msg"
)

// Row is one result with its unit's place.
type Row struct {
	evaluate.Result
	CommuneCode, CommuneName   string   // the unit's commune (a commune's own; "" above the commune level)
	DistrictCode, DistrictName string   // the unit's district (a district's own; "" for the province or without districts)
	ancestors                  []string // the codes above the unit, nearest first
}

// Filter selects rows. Zero fields select everything.
type Filter struct {
	Level     ntm.Level
	Unit      string // exactly this unit code
	Parent    string // the units under this code: its children and their descendants
	Commune   string // the commune and its villages
	District  string // the district and what lies in it
	Search    string // unit name (diacritics, case and tone placement ignored) or code
	Criterion string
	Status    ntm.Status
}

// Places joins results with their units' communes and districts (names read from the results
// of the same period, which hold every unit).
func Places(rs []evaluate.Result) []Row {
	names := map[string]string{}
	parent := map[string]string{}
	level := map[string]ntm.Level{}
	for _, r := range rs {
		names[r.UnitCode], parent[r.UnitCode], level[r.UnitCode] = r.UnitName, r.ParentCode, r.Level
	}
	out := make([]Row, len(rs))
	for i, r := range rs {
		row := Row{Result: r, DistrictCode: r.DistrictCode}
		switch r.Level {
		case ntm.LevelCommune:
			row.CommuneCode = r.UnitCode
		case ntm.LevelVillage:
			row.CommuneCode = r.ParentCode
		}
		if row.DistrictCode == "" && row.CommuneCode != "" && level[parent[row.CommuneCode]] == ntm.LevelDistrict {
			row.DistrictCode = parent[row.CommuneCode]
		}
		row.CommuneName, row.DistrictName = names[row.CommuneCode], names[row.DistrictCode]
		for a := r.ParentCode; a != "" && len(row.ancestors) < 8; a = parent[a] {
			row.ancestors = append(row.ancestors, a)
		}
		out[i] = row
	}
	return out
}

// Select keeps the rows the filter asks for, in their order.
func Select(rows []Row, f Filter) []Row {
	search := strings.TrimSpace(f.Search)
	foldedSearch := fold.ASCII(search)
	var out []Row
	for _, r := range rows {
		if !f.matchesPlace(r) {
			continue
		}
		if f.Criterion != "" && r.Criterion != f.Criterion {
			continue
		}
		if f.Status != "" && r.Status != f.Status {
			continue
		}
		if search != "" && !strings.Contains(r.UnitCode, search) && !strings.Contains(fold.ASCII(r.UnitName), foldedSearch) {
			continue
		}
		out = append(out, r)
	}
	return out
}

// matchesPlace applies the level, unit, parent, commune and district parts of the filter.
func (f Filter) matchesPlace(r Row) bool {
	switch {
	case f.Level != "" && r.Level != f.Level:
		return false
	case f.Unit != "" && r.UnitCode != f.Unit:
		return false
	case f.Commune != "" && r.CommuneCode != f.Commune:
		return false
	case f.District != "" && r.DistrictCode != f.District:
		return false
	}
	if f.Parent != "" && !slices.Contains(r.ancestors, f.Parent) {
		return false
	}
	return true
}

// Results reads the newest results of period p with their places and applies f. When p has no
// evaluation the error is an *ntm.Error (CodeNotFound) saying how to make one.
func Results(ctx context.Context, q db.Querier, p ntm.Period, f Filter) ([]Row, error) {
	if err := evaluated(ctx, q, p); err != nil {
		return nil, err
	}
	rs, err := evaluate.Results(ctx, q, p, "")
	if err != nil {
		return nil, err
	}
	rows := Select(Places(rs), f)
	if f.Unit != "" && len(rows) == 0 && !hasUnit(rs, f.Unit) {
		return nil, ntm.Errorf(ntm.CodeNotFound, "%s", msg.UnitNotFound(f.Unit, p.String()))
	}
	return rows, nil
}

func hasUnit(rs []evaluate.Result, code string) bool {
	for _, r := range rs {
		if r.UnitCode == code {
			return true
		}
	}
	return false
}

// evaluated checks that p has an evaluation.
func evaluated(ctx context.Context, q db.Querier, p ntm.Period) error {
	var n int
	if err := q.QueryRow(ctx, `SELECT count(*) FROM evaluation WHERE period = $1`, p.String()).Scan(&n); err != nil {
		return ntm.Wrap(ntm.CodeUnavailable, fmt.Errorf("find the evaluation of period %s: %w", p, err), "%s", msg.DatabaseDown)
	}
	if n == 0 {
		return ntm.Errorf(ntm.CodeNotFound, "%s", msg.PeriodNotEvaluated(p.String()))
	}
	return nil
}

// Periods lists the evaluated periods, newest first.
func Periods(ctx context.Context, q db.Querier) ([]ntm.Period, error) {
	rows, err := q.Query(ctx, `SELECT DISTINCT period FROM evaluation ORDER BY period DESC`)
	if err != nil {
		return nil, fmt.Errorf("list evaluated periods: %w", err)
	}
	ss, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("list evaluated periods: %w", err)
	}
	var out []ntm.Period
	for _, s := range ss {
		if p, err := ntm.ParsePeriod(s); err == nil {
			out = append(out, p)
		}
	}
	return out, nil
}

// ---- one unit ----

// Unit is the explanation of one unit in one period.
type Unit struct {
	Period                     ntm.Period
	Code, Name                 string
	Level                      ntm.Level
	ParentCode, ParentName     string
	CommuneCode, CommuneName   string
	DistrictCode, DistrictName string
	Criteria                   []Criterion
	Periods                    []ntm.Period // the evaluated periods in which the unit has results, oldest first
	Children                   []Row        // for a commune or district: its units' headline results (the first criterion of each)
}

// Criterion is one criterion of the unit: its result, its history, and its sources.
type Criterion struct {
	Row
	Since   ntm.Period // the earliest period of the unbroken run of evaluated periods, ending at Period, with this status
	History []Point    // one point per evaluated period, oldest first
	Sources []Source   // the files and rows its figures come from
}

// Point is the criterion's result in one period.
type Point struct {
	Period ntm.Period
	Status ntm.Status
	Value  *evaluate.Fraction
}

// Source is one file (and, where the result names it, one row) behind a figure.
type Source struct {
	BatchID    int64
	Dataset    string
	FileName   string
	SourceURI  string
	ReceivedAt time.Time
	Status     string // the batch's: loaded, revoked, rejected
	Sheet      string // "" when the result does not name a row
	Row        int    // 0 = the file as a whole
	AsOf       string // YYYY-MM-DD, the date the figure is as of
	Unit       string // the unit the row is about, when not the unit explained (a commune's facts behind a district)
}

// Explain explains unit code in period p. An unknown unit or an unevaluated period is an
// *ntm.Error (CodeNotFound).
func Explain(ctx context.Context, q db.Querier, code string, p ntm.Period) (*Unit, error) {
	code = strings.TrimSpace(code)
	all, err := Results(ctx, q, p, Filter{})
	if err != nil {
		return nil, err
	}
	u := &Unit{Period: p, Code: code}
	for _, r := range all {
		if r.UnitCode != code {
			continue
		}
		if u.Name == "" {
			u.Name, u.Level, u.ParentCode = r.UnitName, r.Level, r.ParentCode
			u.CommuneCode, u.CommuneName, u.DistrictCode, u.DistrictName = r.CommuneCode, r.CommuneName, r.DistrictCode, r.DistrictName
		}
		u.Criteria = append(u.Criteria, Criterion{Row: r})
	}
	if u.Name == "" {
		return nil, ntm.Errorf(ntm.CodeNotFound, "%s", msg.UnitNotFound(code, p.String()))
	}
	for _, r := range all {
		if r.UnitCode == u.ParentCode {
			u.ParentName = r.UnitName
			break
		}
	}
	if u.Level != ntm.LevelVillage {
		seen := map[string]bool{}
		for _, r := range all {
			if r.ParentCode == code && !seen[r.UnitCode] {
				seen[r.UnitCode] = true
				u.Children = append(u.Children, r)
			}
		}
	}
	if err := u.readHistory(ctx, q); err != nil {
		return nil, err
	}
	if err := u.readSources(ctx, q); err != nil {
		return nil, err
	}
	return u, nil
}

// historySQL reads a unit's results in the newest evaluation of every period up to $2.
const historySQL = `WITH latest AS (
	SELECT DISTINCT ON (period) id, period FROM evaluation WHERE period <= $2 ORDER BY period, id DESC)
SELECT l.period, r.criterion, r.status, r.value_num, r.value_den
FROM latest l JOIN result r ON r.evaluation_id = l.id AND r.unit_code = $1
ORDER BY l.period`

func (u *Unit) readHistory(ctx context.Context, q db.Querier) error {
	rows, err := q.Query(ctx, historySQL, u.Code, u.Period.String())
	if err != nil {
		return ntm.Wrap(ntm.CodeUnavailable, fmt.Errorf("read the history of unit %s: %w", u.Code, err), "%s", msg.DatabaseDown)
	}
	defer rows.Close()
	byCrit := map[string][]Point{}
	seen := map[ntm.Period]bool{}
	for rows.Next() {
		var period, crit, status string
		var vn, vd *int64
		if err := rows.Scan(&period, &crit, &status, &vn, &vd); err != nil {
			return fmt.Errorf("read the history of unit %s: %w", u.Code, err)
		}
		p, err := ntm.ParsePeriod(period)
		if err != nil {
			continue
		}
		pt := Point{Period: p, Status: ntm.Status(status)}
		if vn != nil && vd != nil && pt.Status != ntm.StatusNoData {
			pt.Value = &evaluate.Fraction{Num: *vn, Den: *vd}
		}
		byCrit[crit] = append(byCrit[crit], pt)
		if !seen[p] {
			seen[p] = true
			u.Periods = append(u.Periods, p)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read the history of unit %s: %w", u.Code, err)
	}
	for i := range u.Criteria {
		c := &u.Criteria[i]
		c.History = byCrit[c.Criterion]
		c.Since = u.Period
		for j := len(c.History) - 1; j >= 0 && c.History[j].Status == c.Status; j-- {
			c.Since = c.History[j].Period
		}
	}
	return nil
}

// sourceRefs reads the batch, sheet and row references a result's detail holds: at its top
// (snapshot facts of the unit itself) and in its "units" list (the communes behind a district's
// figure, each with its batch).
func sourceRefs(detail map[string]any, self string) []Source {
	var out []Source
	add := func(m map[string]any, unit string) {
		id, ok := number(m["batch_id"])
		if !ok || id <= 0 {
			return
		}
		s := Source{BatchID: int64(id)}
		s.Sheet, _ = m["sheet"].(string)
		if row, ok := number(m["row"]); ok {
			s.Row = int(row)
		}
		s.AsOf, _ = m["as_of"].(string)
		if unit != self {
			s.Unit = unit
		}
		out = append(out, s)
	}
	add(detail, self)
	if list, ok := detail["units"].([]any); ok {
		for _, x := range list {
			if m, ok := x.(map[string]any); ok {
				code, _ := m["code"].(string)
				add(m, code)
			}
		}
	}
	return out
}

func number(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case int64:
		return float64(x), true
	case int:
		return float64(x), true
	}
	return 0, false
}

// readSources fills each criterion's sources with their batches' file names and dates.
func (u *Unit) readSources(ctx context.Context, q db.Querier) error {
	ids := map[int64]bool{}
	for i := range u.Criteria {
		c := &u.Criteria[i]
		c.Sources = sourceRefs(c.Detail, u.Code)
		for _, s := range c.Sources {
			ids[s.BatchID] = true
		}
	}
	if len(ids) == 0 {
		return nil
	}
	list := make([]int64, 0, len(ids))
	for id := range ids {
		list = append(list, id)
	}
	sort.Slice(list, func(i, j int) bool { return list[i] < list[j] })
	rows, err := q.Query(ctx, `SELECT id, dataset, file_name, source_uri, received_at, status FROM batch WHERE id = ANY($1)`, list)
	if err != nil {
		return ntm.Wrap(ntm.CodeUnavailable, fmt.Errorf("read the batches behind unit %s: %w", u.Code, err), "%s", msg.DatabaseDown)
	}
	defer rows.Close()
	batches := map[int64]Source{}
	for rows.Next() {
		var s Source
		if err := rows.Scan(&s.BatchID, &s.Dataset, &s.FileName, &s.SourceURI, &s.ReceivedAt, &s.Status); err != nil {
			return fmt.Errorf("read the batches behind unit %s: %w", u.Code, err)
		}
		batches[s.BatchID] = s
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read the batches behind unit %s: %w", u.Code, err)
	}
	for i := range u.Criteria {
		for j := range u.Criteria[i].Sources {
			s := &u.Criteria[i].Sources[j]
			if b, ok := batches[s.BatchID]; ok {
				s.Dataset, s.FileName, s.SourceURI, s.ReceivedAt, s.Status = b.Dataset, b.FileName, b.SourceURI, b.ReceivedAt, b.Status
			}
			if s.FileName == "" {
				s.FileName = fileName(s.SourceURI)
			}
		}
	}
	return nil
}

// fileName is the last element of a path or URI.
func fileName(uri string) string {
	if i := strings.LastIndexAny(uri, `/\`); i >= 0 {
		return uri[i+1:]
	}
	return uri
}
