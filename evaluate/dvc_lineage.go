package evaluate

import (
	"fmt"
	"strings"
	"time"

	"ntm/units"
	"ntm/vnfmt"
)

// procOf is the procedure coverage a unit stands on at the period end: its own newest, else its
// full predecessors' summed, dated by the oldest (docs/structure-changes.md §5). nil with a
// reason (lower case, for a list) when a predecessor has none or is a split unit; nil with ""
// when the unit simply has no figure.
func (e *evaluator) procOf(u *unit) (*procedureRow, string) {
	cur := e.lin.current(u)
	if cur == nil {
		r, _ := e.procs.own(nil, u.Code)
		return r, ""
	}
	if r, ok := e.procs.own(cur, u.Code); ok {
		return r, ""
	}
	src := e.lin.snapshot(cur, func(x *units.Version) bool { _, ok := e.procs.own(x, ""); return ok })
	switch {
	case src.split != nil:
		return nil, e.lin.splitText(src.split, "số liệu TTHC")
	case len(src.versions) == 0 && src.missing != nil && src.missing != cur:
		return nil, e.lin.missingPredecessorText(src.missing, "số liệu TTHC", "đơn vị")
	case len(src.versions) == 0:
		return nil, ""
	}
	out := &procedureRow{}
	dates := make([]time.Time, len(src.versions))
	for i, x := range src.versions {
		r, _ := e.procs.own(x, "")
		dates[i] = r.asOf
		out.from = append(out.from, map[string]any{"code": x.Code, "as_of": isoDate(r.asOf), "batch_id": r.batch,
			"eligible": r.eligible, "full_online": r.full, "partial_online": r.partial})
		if i == 0 || r.asOf.Before(out.asOf) {
			out.asOf, out.batch = r.asOf, r.batch
		}
		out.eligible += r.eligible
		out.full += r.full
		out.partial += r.partial
	}
	out.via = e.lin.viaText(src.versions, "số liệu", dates)
	return out, ""
}

// memberDossiers is one member's dossiers over the window: its own version's, and its full
// predecessors' in force during the window (docs/structure-changes.md §5).
type memberDossiers struct {
	chain []*units.Version
	parts []*unitDossiers // per chain version; nil: that version has no figure
	split *units.Version  // a partial predecessor in force during the window: not covered
}

func (e *evaluator) dossiersOf(u *unit) memberDossiers {
	cur := e.lin.current(u)
	if cur == nil {
		d, _ := e.doss.own(nil, u.Code)
		return memberDossiers{chain: []*units.Version{nil}, parts: []*unitDossiers{d}}
	}
	covers := func(x *units.Version) bool {
		d, ok := e.doss.own(x, "")
		return ok && d.source == "aggregates" && d.fromStart
	}
	chain, split := e.lin.flow(cur, e.wfrom, covers)
	if split != nil {
		return memberDossiers{split: split}
	}
	md := memberDossiers{chain: chain, parts: make([]*unitDossiers, len(chain))}
	for i, x := range chain {
		md.parts[i], _ = e.doss.own(x, u.Code)
	}
	return md
}

// span is the part of the window [from, to] version v was in force.
func span(v *units.Version, from, to time.Time) (time.Time, time.Time) {
	if v == nil {
		return from, to
	}
	if v.From.After(from) {
		from = v.From
	}
	if !v.To.IsZero() && v.To.Before(to) {
		to = v.To
	}
	return from, to
}

// lineageDossiers sums a member's chain of versions into one detail entry; shortfalls names
// the versions without figures or with gaps ("Thị trấn Đồng Mỏ (cũ, 06463): thiếu 01/01–31/03/2025").
func (e *evaluator) lineageDossiers(code string, md memberDossiers) (ud map[string]any, received, full int64, shortfalls []string) {
	var preds []map[string]any
	sources := map[string]bool{}
	for i, x := range md.chain {
		d := md.parts[i]
		from, to := span(x, e.wfrom, e.end)
		pd := map[string]any{"code": x.Code, "name": x.Name, "from": isoDate(from), "to": isoDate(to)}
		preds = append(preds, pd)
		if d == nil {
			pd["source"] = ""
			shortfalls = append(shortfalls, fmt.Sprintf("%s: chưa có số liệu %s", e.lin.oldLabel(x), shortRange(from, to)))
			continue
		}
		sources[d.source] = true
		received += d.received
		full += d.full
		pd["source"], pd["received"], pd["full_online"] = d.source, d.received, d.full
		if d.source == "aggregates" {
			labels := make([]string, len(d.used))
			for j, p := range d.used {
				labels[j] = periodLabel(p.from, p.to)
			}
			gaps := make([]string, len(d.gaps))
			for j, g := range d.gaps {
				gaps[j] = shortRange(g[0], g[1])
			}
			pd["periods"], pd["gaps"] = labels, gaps
			if len(gaps) > 0 {
				shortfalls = append(shortfalls, e.lin.oldLabel(x)+": thiếu "+strings.Join(gaps, ", "))
			}
		} else {
			pd["first_received"], pd["last_received"] = isoDate(d.first), isoDate(d.last)
		}
	}
	source := "aggregates"
	switch {
	case len(sources) > 1:
		source = "mixed"
	case sources["records"]:
		source = "records"
	}
	ud = map[string]any{"code": code, "source": source, "received": received, "full_online": full,
		"covers_window": len(shortfalls) == 0, "predecessors": preds}
	return ud, received, full, shortfalls
}

// lineageCoverage says, for a unit alone, whose dossiers its figure adds up.
func (e *evaluator) lineageCoverage(md memberDossiers, shortfalls []string) string {
	var before []*units.Version
	for _, x := range md.chain[1:] {
		before = append(before, x)
	}
	text := fmt.Sprintf("gồm số hồ sơ của %d đơn vị trước sắp xếp (%s) đến %s", len(before), e.lin.labels(before),
		vnfmt.Date(md.chain[0].From.AddDate(0, 0, -1)))
	if len(shortfalls) > 0 {
		return text + "; còn thiếu: " + firstNames(shortfalls, 3)
	}
	return text + "; phủ đủ kỳ"
}
