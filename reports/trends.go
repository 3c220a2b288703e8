package reports

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"ntm"
	"ntm/db"
	"ntm/units"
	"ntm/vnfmt"
)

// previous is the evaluation a workbook compares with: the newest evaluation of the latest earlier
// period that was evaluated (normally the previous month). Only what the summary compares is kept.
type previous struct {
	EvalID   int64
	Period   string // YYYY-MM
	villages map[string]villageCounts
	results  map[string]map[string]*result // units above the villages: commune, district
	coverage *coverage
	// Changed is the first day of a change of structure after the previous period's end, up to
	// this period's end (zero: both periods are on the same structure). Then the previous
	// figures are mapped onto today's units through the successor links
	// (docs/structure-changes.md §7): owners holds, for every commune and district in force at
	// the previous period's end, the units in force at this period's end that carry its facts.
	Changed time.Time
	changes []time.Time // every day of a change in that span, oldest first
	owners  map[string][]units.Owner
	before  map[string][]string // unit code today → the previous period's units it carries (any part)
}

// conditionCounts counts the villages of one commune by status for one condition.
type conditionCounts struct{ Met, NotMet, NoData int }

func (c *conditionCounts) add(o conditionCounts) {
	c.Met += o.Met
	c.NotMet += o.NotMet
	c.NoData += o.NoData
}

// loadPrevious finds and reads the evaluation before the period; nil when there is none.
func loadPrevious(ctx context.Context, q db.Querier, period ntm.Period) (*previous, error) {
	p := &previous{villages: map[string]villageCounts{}, results: map[string]map[string]*result{}}
	err := q.QueryRow(ctx, `SELECT id, period FROM evaluation WHERE period < $1 ORDER BY period DESC, id DESC LIMIT 1`,
		period.String()).Scan(&p.EvalID, &p.Period)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("find the evaluation before %s: %w", period, err)
	}
	if err := p.mapStructure(ctx, q, period); err != nil {
		return nil, err
	}
	if p.villages, err = villageCountsOf(ctx, q, p.EvalID); err != nil {
		return nil, err
	}
	if p.coverage, err = coverageOf(ctx, q, p.EvalID); err != nil {
		return nil, err
	}
	rows, err := q.Query(ctx, `SELECT `+resultColumns+` FROM result
		WHERE evaluation_id = $1 AND level IN ('commune', 'district', 'province')`, p.EvalID)
	if err != nil {
		return nil, fmt.Errorf("read the results of evaluation %d: %w", p.EvalID, err)
	}
	defer rows.Close()
	var sc resultScanner
	for rows.Next() {
		r, err := sc.scan(rows)
		if err != nil {
			return nil, fmt.Errorf("read the results of evaluation %d: %w", p.EvalID, err)
		}
		m := p.results[r.UnitCode]
		if m == nil {
			m = map[string]*result{}
			p.results[r.UnitCode] = m
		}
		m[r.Criterion] = r
	}
	return p, rows.Err()
}

// villageCountsOf counts the SMART_VILLAGE results of an evaluation per commune.
func villageCountsOf(ctx context.Context, q db.Querier, evalID int64) (map[string]villageCounts, error) {
	out := map[string]villageCounts{}
	rows, err := q.Query(ctx, `
		SELECT COALESCE(parent_code, ''), count(*),
		       count(*) FILTER (WHERE status = 'met'),
		       count(*) FILTER (WHERE status = 'not_met'),
		       count(*) FILTER (WHERE status = 'no_data')
		FROM result
		WHERE evaluation_id = $1 AND level = 'village' AND criterion = $2
		GROUP BY 1`, evalID, keySmartVillage)
	if err != nil {
		return nil, fmt.Errorf("count the villages of evaluation %d: %w", evalID, err)
	}
	defer rows.Close()
	for rows.Next() {
		var code string
		var c villageCounts
		if err := rows.Scan(&code, &c.Villages, &c.Smart, &c.NotMet, &c.NoData); err != nil {
			return nil, fmt.Errorf("count the villages of evaluation %d: %w", evalID, err)
		}
		out[code] = c
	}
	return out, rows.Err()
}

// coverage counts, per commune and village condition, the villages by status: for the nation's
// communes, so kept small (a commune's conditions side by side, in the order first read).
type coverage struct {
	crits     map[string]int        // condition → its place in a commune's counts
	byCommune map[string][][3]int32 // commune code → met, not met, no data of each condition
}

// coverageOf counts, per commune and village condition, the villages by status.
func coverageOf(ctx context.Context, q db.Querier, evalID int64) (*coverage, error) {
	out := &coverage{crits: map[string]int{}, byCommune: map[string][][3]int32{}}
	rows, err := q.Query(ctx, `
		SELECT COALESCE(parent_code, ''), criterion,
		       count(*) FILTER (WHERE status = 'met'),
		       count(*) FILTER (WHERE status = 'not_met'),
		       count(*) FILTER (WHERE status = 'no_data')
		FROM result
		WHERE evaluation_id = $1 AND level = 'village'
		GROUP BY 1, 2`, evalID)
	if err != nil {
		return nil, fmt.Errorf("count the village conditions of evaluation %d: %w", evalID, err)
	}
	defer rows.Close()
	for rows.Next() {
		var commune, crit string
		var c [3]int32
		if err := rows.Scan(&commune, &crit, &c[0], &c[1], &c[2]); err != nil {
			return nil, fmt.Errorf("count the village conditions of evaluation %d: %w", evalID, err)
		}
		i, ok := out.crits[crit]
		if !ok {
			i = len(out.crits)
			out.crits[crit] = i
		}
		cs := out.byCommune[commune]
		for len(cs) <= i {
			cs = append(cs, [3]int32{})
		}
		cs[i] = c
		out.byCommune[commune] = cs
	}
	return out, rows.Err()
}

// coverageTotal sums a condition over communes.
func coverageTotal(cov *coverage, crit string, communes []*unit) conditionCounts {
	var t conditionCounts
	if cov == nil {
		return t
	}
	i, ok := cov.crits[crit]
	if !ok {
		return t
	}
	for _, c := range communes {
		if cs := cov.byCommune[c.Code]; i < len(cs) {
			t.add(conditionCounts{Met: int(cs[i][0]), NotMet: int(cs[i][1]), NoData: int(cs[i][2])})
		}
	}
	return t
}

// mapStructure finds whether the structure changed between the previous period's end and this
// period's end and, if so, which of today's units carry each previous commune and district.
func (p *previous) mapStructure(ctx context.Context, q db.Querier, period ntm.Period) error {
	pp, err := ntm.ParsePeriod(p.Period)
	if err != nil {
		return fmt.Errorf("the period of evaluation %d: %w", p.EvalID, err)
	}
	h, err := units.Load(ctx, q, units.LoadOptions{NoVillages: true})
	if err != nil {
		return err
	}
	for _, c := range h.Changes() {
		if c.After(pp.End()) && !c.After(period.End()) {
			p.changes = append(p.changes, c)
		}
	}
	if len(p.changes) > 0 {
		p.Changed = p.changes[0]
	}
	if p.Changed.IsZero() {
		return nil
	}
	p.owners, p.before = map[string][]units.Owner{}, map[string][]string{}
	for _, v := range h.InForce(pp.End(), "") {
		if v.Level != ntm.LevelCommune && v.Level != ntm.LevelDistrict {
			continue
		}
		os := h.Owners(v, period.End())
		p.owners[v.Code] = os
		for _, o := range os {
			p.before[o.Version.Code] = append(p.before[o.Version.Code], v.Code)
		}
	}
	return nil
}

// unitsBefore maps a set of today's units (a scope's communes, or one unit) onto the previous
// period's units of the same level: those whose facts today's units carry. ok is false when a
// previous unit was split between these units and others (its figures cannot be divided): the
// trend is then "không so sánh được". On an unchanged structure the units are their own.
func (p *previous) unitsBefore(now []*unit) (before []*unit, ok bool) {
	if p.Changed.IsZero() {
		return now, true
	}
	in := make(map[string]bool, len(now))
	for _, u := range now {
		in[u.Code] = true
	}
	seen := map[string]bool{}
	for _, u := range now {
		for _, code := range p.before[u.Code] {
			if seen[code] {
				continue
			}
			seen[code] = true
			for _, o := range p.owners[code] {
				if !in[o.Version.Code] {
					return nil, false // part of it is outside: it cannot be divided
				}
			}
			before = append(before, &unit{Code: code})
		}
	}
	sort.Slice(before, func(i, j int) bool { return before[i].Code < before[j].Code })
	return before, true
}

// resultBefore is the previous period's result of criterion key for today's unit u: its own on
// an unchanged structure; after a change, its predecessor's, or its predecessors' ratios summed
// from their counts (procedures: online/eligible; dossiers: full_online/received). ok is false
// when it cannot be mapped (a split predecessor, or a predecessor without the figure).
func (p *previous) resultBefore(u *unit, key string) (r *result, ok bool) {
	if p.Changed.IsZero() {
		return p.results[u.Code][key], true
	}
	before, ok := p.unitsBefore([]*unit{u})
	if !ok || len(before) == 0 {
		return nil, false
	}
	if len(before) == 1 {
		r := p.results[before[0].Code][key]
		return r, r != nil
	}
	numKey, denKey := "online", "eligible"
	if key == keyD95Dossiers {
		numKey, denKey = "full_online", "received"
	}
	sum := &result{Criterion: key}
	for _, b := range before {
		x := p.results[b.Code][key]
		if x == nil || !x.HasValue {
			return nil, false
		}
		num, okN := x.details()[numKey].(float64)
		den, okD := x.details()[denKey].(float64)
		if !okN || !okD {
			return nil, false
		}
		sum.Num += int64(num)
		sum.Den += int64(den)
	}
	sum.HasValue = sum.Den > 0
	return sum, sum.HasValue
}

// trendHeader is the heading of the trend columns: "Thay đổi so với kỳ 2024-12", and after a
// change of structure "… (theo đơn vị hiện nay; cơ cấu thay đổi từ 01/07/2025)".
func (d *data) trendHeader() string {
	if d.prev == nil {
		return "Thay đổi so với kỳ trước"
	}
	h := "Thay đổi so với kỳ " + d.prev.Period
	if !d.prev.Changed.IsZero() {
		h += " (theo đơn vị hiện nay; cơ cấu đơn vị thay đổi từ " + d.prev.changeDates() + ")"
	}
	return h
}

// structureNote explains a comparison across a change of structure ("" without one).
func (d *data) structureNote() string {
	if d.prev == nil || d.prev.Changed.IsZero() {
		return ""
	}
	return fmt.Sprintf("Cơ cấu đơn vị hành chính thay đổi từ %s: số liệu kỳ %s được tính lại theo các đơn vị hiện nay "+
		"(cộng số của các đơn vị trước sắp xếp); số không tính lại được (đơn vị cũ đã chia cho nhiều đơn vị) ghi “%s”.",
		d.prev.changeDates(), d.prev.Period, notComparable)
}

// changeDates lists the days of the changes between the two periods: "01/01/2025 và 01/07/2025".
func (p *previous) changeDates() string {
	ds := make([]string, len(p.changes))
	for i, c := range p.changes {
		ds[i] = vnfmt.Date(c)
	}
	if len(ds) <= 1 {
		return strings.Join(ds, "")
	}
	return strings.Join(ds[:len(ds)-1], ", ") + " và " + ds[len(ds)-1]
}

// notComparable is the trend of a figure that cannot be mapped onto today's units.
const notComparable = "không so sánh được"

// incomparable is the trend cell of such a figure.
func (w *workbook) incomparable() cell { return cell{notComparable, w.st.trendFlat} }

// prevTotals sums the previous evaluation's village counts and criterion 8 over communes.
func (p *previous) totals(communes []*unit) (v villageCounts, c8 int) {
	for _, c := range communes {
		v.add(p.villages[c.Code])
		if r := p.results[c.Code][keyC8]; r != nil && r.Status == ntm.StatusMet {
			c8++
		}
	}
	return v, c8
}

// trendCount is "+12 so với 2024-11", "−3 so với 2024-11" or "không đổi so với 2024-11", styled
// green when the change is good (up when goodUp), red when bad.
func (w *workbook) trendCount(now, before int, goodUp bool) cell {
	p := w.d.prev
	if p == nil {
		return cell{"", w.st.text}
	}
	diff := now - before
	return w.trendCell(diff, fmt.Sprintf("%+d so với %s", diff, p.Period), goodUp)
}

// trendRatio is the change of a ratio in percentage points, rounded toward zero to 0.1
// ("+2,5 điểm % so với 2024-11"); empty when either side has no value.
func (w *workbook) trendRatio(nowNum, nowDen, prevNum, prevDen int64, ok, prevOK bool) cell {
	p := w.d.prev
	if p == nil || !ok || !prevOK || nowDen == 0 || prevDen == 0 {
		return cell{"", w.st.text}
	}
	// Tenths of a point, exact: (a/b − c/d)·1000 = (a·d − c·b)·1000 / (b·d), truncated toward zero.
	num := (nowNum*prevDen - prevNum*nowDen) * 1000
	den := nowDen * prevDen
	tenths := num / den
	sign := "+"
	if tenths < 0 || (tenths == 0 && num < 0) {
		sign = "−"
		tenths = -tenths
	}
	if num == 0 {
		return w.trendCell(0, "không đổi so với "+p.Period, true)
	}
	diff := 1
	if sign == "−" {
		diff = -1
	}
	if tenths == 0 { // moved, but by less than the 0.1 point shown
		word := "tăng"
		if diff < 0 {
			word = "giảm"
		}
		return w.trendCell(diff, word+" dưới 0,1 điểm % so với "+p.Period, true)
	}
	s := fmt.Sprintf("%s%d", sign, tenths/10)
	if tenths%10 != 0 {
		s += fmt.Sprintf(",%d", tenths%10)
	}
	return w.trendCell(diff, s+" điểm % so với "+p.Period, true)
}

func (w *workbook) trendCell(diff int, text string, goodUp bool) cell {
	text = replaceMinus(text)
	switch {
	case diff == 0:
		return cell{"không đổi so với " + w.d.prev.Period, w.st.trendFlat}
	case (diff > 0) == goodUp:
		return cell{text, w.st.trendUp}
	}
	return cell{text, w.st.trendDown}
}

// replaceMinus writes a negative change with a true minus sign.
func replaceMinus(s string) string {
	if len(s) > 0 && s[0] == '-' {
		return "−" + s[1:]
	}
	return s
}

// dataTime is when the newest source file counted by the evaluation was received: the time a
// workbook shows and stores, so that its bytes depend on the data only and an unchanged workbook
// is never delivered twice.
func dataTime(ctx context.Context, q db.Querier, e evaluation) (time.Time, error) {
	var t *time.Time
	sql, args := `SELECT max(received_at) FROM batch WHERE id = ANY($1)`, []any{e.Batches}
	if e.Batches == nil { // an evaluation recorded before batch_ids: what was received before it
		sql, args = `SELECT max(received_at) FROM batch WHERE status = 'loaded' AND received_at <= $1`, []any{e.At}
	}
	if err := q.QueryRow(ctx, sql, args...).Scan(&t); err != nil {
		return time.Time{}, fmt.Errorf("read the time of the newest source file: %w", err)
	}
	if t == nil {
		return time.Time{}, nil
	}
	return *t, nil
}
