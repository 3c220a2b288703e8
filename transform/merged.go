package transform

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"ntm/copytext"
	"ntm/dataset"
	"ntm/vnfmt"
)

// Rows of old units that one full successor now carries (docs/structure-changes.md §6): an export
// of a period after a merger may still list the old communes one per row (Thị trấn Đồng Mỏ, Xã Chi
// Lăng and Thị trấn Chi Lăng for "Quý III/2025", all of them today's Xã Chi Lăng 06463). Such rows
// have one key. For a flow (dossiers received over a period) the old units' figures add up to the
// successor's: the rows are summed into one fact, with a note naming the old units. For a snapshot
// (procedures, addresses, survey answers at a date) they do not add up — the new unit's procedures
// are not the sum of its predecessors' — so the second row stays a duplicate reject, which says
// which old units merged into the successor and that the successor's own figure is needed.

// summedFlowCols are, per fact table, the columns of a flow whose values the rows of several old
// units add up to; a table not listed is a snapshot.
var summedFlowCols = map[*factTable][]int{tDossiers: {
	dataset.DossiersTable.Index("received"), dataset.DossiersTable.Index("received_online"), dataset.DossiersTable.Index("full_online")}}

// unitSnapshots are the fact tables of a unit's figures at a date: two rows of old units there
// are the successor's, whose own figure is needed.
var unitSnapshots = func() map[*factTable]bool {
	m := map[*factTable]bool{}
	for _, d := range dataset.All {
		if d.AsOf && d.Table() != nil { // a dataset with an as-of date is a snapshot
			m[tableOf(d.Table())] = true
		}
	}
	return m
}()

// heldFlow is the fact of a flow row that named an old unit, held back until the file is read in
// case rows of other old units of the same successor and period follow.
type heldFlow struct {
	fact      factRow
	successor *unitRec
	olds      []*unitRec // the old units the rows named, in row order
	rows      []int      // their row numbers
	sheet     string
	period    string // the period as the first row wrote it, for the note
}

// mergedRows holds the flows of rows that named old units, and remembers which old units the first
// row of each key named (for the duplicate message of a snapshot).
type mergedRows struct {
	held  map[uint64]*heldFlow
	order []*heldFlow
	via   map[uint64][]*unitRec
}

// add handles a row whose key h no earlier row had (first) or an earlier row had (!first): it
// reports whether the row's facts are held (not to be sent now) and, for a repeated key, the
// duplicate reason when the row cannot be summed. via are the old units the row's unit was
// carried from (none when it named a unit in force).
func (m *mergedRows) add(h uint64, p *rowParser, res *parsed, first bool) (held bool, dupReason string, err error) {
	via := p.via
	if first {
		if len(via) == 0 {
			return false, "", nil
		}
		if m.via == nil {
			m.via = map[uint64][]*unitRec{}
		}
		m.via[h] = via
		if len(res.facts) != 1 || summedFlowCols[res.facts[0].table] == nil {
			return false, "", nil
		}
		f := res.facts[0]
		for i, v := range f.vals { // what the sink would refuse later is refused now, on this row
			if _, err := copytext.Append(nil, v); err != nil {
				return false, "", &valueError{field: f.table.Columns[i], err: err}
			}
		}
		if m.held == nil {
			m.held = map[uint64]*heldFlow{}
		}
		hf := &heldFlow{fact: factRow{table: f.table, vals: append([]any(nil), f.vals...)}, successor: p.carriedTo,
			olds: append([]*unitRec(nil), via...), rows: []int{p.row.Num}, sheet: p.row.Sheet, period: periodText(f)}
		m.held[h] = hf
		m.order = append(m.order, hf)
		return true, "", nil
	}
	hf := m.held[h]
	if hf != nil && len(via) > 0 && len(res.facts) == 1 && res.facts[0].table == hf.fact.table && !overlaps(hf.olds, via) {
		for _, c := range summedFlowCols[hf.fact.table] {
			hf.fact.vals[c] = addCounts(hf.fact.vals[c], res.facts[0].vals[c])
		}
		hf.olds = append(hf.olds, via...)
		hf.rows = append(hf.rows, p.row.Num)
		return true, "", nil
	}
	return false, m.snapshotReason(h, p, res), nil
}

// snapshotReason explains a repeated key where the first row or this one named an old unit: ""
// for an ordinary duplicate (neither did, or both named the same old unit).
func (m *mergedRows) snapshotReason(h uint64, p *rowParser, res *parsed) string {
	firstVia := m.via[h]
	if len(firstVia) == 0 && len(p.via) == 0 || overlaps(firstVia, p.via) {
		return ""
	}
	nu := p.carriedTo
	if nu == nil { // this row named the successor itself, the first one an old unit
		if hf := m.held[h]; hf != nil {
			nu = hf.successor
		}
	}
	if nu == nil || len(res.facts) != 1 || summedFlowCols[res.facts[0].table] == nil && !unitSnapshots[res.facts[0].table] {
		return ""
	}
	names := func(us []*unitRec) string {
		if len(us) == 0 {
			return nu.Label()
		}
		var ls []string
		for _, u := range us {
			ls = append(ls, fmt.Sprintf("%s (cũ, %s)", u.Name, u.Code))
		}
		return strings.Join(ls, ", ")
	}
	both := fmt.Sprintf("dòng đọc trước (%s) và dòng này (%s) đều là %s", names(firstVia), names(p.via), nu.Label())
	if summedFlowCols[res.facts[0].table] != nil {
		// A flow: one of the rows is the successor's own figure, which the old unit's would count twice.
		return both + fmt.Sprintf(": đã có số liệu của chính %s nên không cộng thêm số liệu ghi theo đơn vị cũ; dòng đọc trước được giữ", nu.Label())
	}
	var links []string
	for _, l := range p.idx.hist.Into(nu.Version) {
		if l.OldVersion != nil && !l.Partial {
			links = append(links, l.OldVersion.Code+"\x00"+l.OldVersion.Label())
		}
	}
	sort.Strings(links) // by code
	merged := ""
	if len(links) > 0 {
		for i, l := range links {
			links[i] = l[strings.IndexByte(l, 0)+1:]
		}
		merged = fmt.Sprintf(" (hợp nhất ngày %s từ %s)", vnfmt.Date(nu.From), strings.Join(links, ", "))
	}
	return both + merged + fmt.Sprintf("; số liệu tại một ngày của đơn vị mới không cộng từ các đơn vị cũ được: cần số liệu của chính %s", nu.Label())
}

// emit sends the held flows and returns a note per successor and set of old units summed.
func (m *mergedRows) emit(ctx context.Context, s sink) ([]string, error) {
	type group struct {
		key   string
		notes []string
		head  string
	}
	var groups []*group
	byKey := map[string]*group{}
	for _, hf := range m.order {
		if err := s.fact(ctx, hf.fact); err != nil {
			return nil, err
		}
		if len(hf.rows) < 2 {
			continue
		}
		var olds []string
		for _, o := range hf.olds {
			olds = append(olds, fmt.Sprintf("%s (cũ, %s)", o.Name, o.Code))
		}
		head := fmt.Sprintf("đã cộng số hồ sơ của %d đơn vị cũ vào %s: %s", len(hf.olds), hf.successor.Label(), strings.Join(olds, ", "))
		g := byKey[head]
		if g == nil {
			g = &group{key: head, head: head}
			byKey[head] = g
			groups = append(groups, g)
		}
		rows := make([]string, len(hf.rows))
		for i, r := range hf.rows {
			rows[i] = fmt.Sprint(r)
		}
		g.notes = append(g.notes, fmt.Sprintf("%s (dòng %s)", hf.period, strings.Join(rows, ", ")))
	}
	var out []string
	for _, g := range groups {
		ps := g.notes
		if len(ps) > 6 {
			ps = append(ps[:6:6], fmt.Sprintf("và %d kỳ khác", len(g.notes)-6))
		}
		out = append(out, g.head+" — "+strings.Join(ps, "; "))
	}
	return out, nil
}

// periodText is a dossier fact's period as the row wrote it, else its dates.
func periodText(f factRow) string {
	if l, ok := f.vals[5].(string); ok && l != "" {
		return l
	}
	from, _ := f.vals[3].(time.Time)
	to, _ := f.vals[4].(time.Time)
	return vnfmt.Date(from) + "–" + vnfmt.Date(to)
}

// addCounts adds two optional counts: unknown (nil) when either is.
func addCounts(a, b any) any {
	x, ok1 := a.(int64)
	y, ok2 := b.(int64)
	if !ok1 || !ok2 {
		return nil
	}
	return x + y
}

func overlaps(a, b []*unitRec) bool {
	for _, x := range a {
		for _, y := range b {
			if x == y {
				return true
			}
		}
	}
	return false
}
