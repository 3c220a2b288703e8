package evaluate

import (
	"strings"
	"time"

	"ntm/units"
)

// surveyOf is the survey a village stands on at the period end: its own newest, else its
// predecessors' combined (docs/structure-changes.md §5): dated by the oldest, an answer kept
// when every predecessor gives the same, models summed. nil with a sentence when a predecessor
// has none or is a split unit; nil with "" when the village simply has no survey.
func (e *evaluator) surveyOf(v *unit, all *byVersion[*surveyRow]) (*surveyRow, string) {
	cur := e.lin.current(v)
	if cur == nil {
		s, _ := all.own(nil, v.Code)
		return s, ""
	}
	if s, ok := all.own(cur, v.Code); ok {
		return s, ""
	}
	src := e.lin.snapshot(cur, func(x *units.Version) bool { _, ok := all.own(x, ""); return ok })
	if len(src.versions) == 0 {
		return nil, e.lin.unavailable(cur, src, "phiếu tự đánh giá", "thôn")
	}
	rows := make([]*surveyRow, len(src.versions))
	dates := make([]time.Time, len(src.versions))
	for i, x := range src.versions {
		rows[i], _ = all.own(x, "")
		dates[i] = rows[i].asOf
	}
	out := *rows[0]
	out.detail, out.staleDetail = nil, nil
	out.differ, out.blank = map[string]bool{}, map[string]string{}
	out.via = e.lin.viaText(src.versions, "phiếu", dates)
	var decisions, platforms, fields []string
	for i, r := range rows {
		out.from = append(out.from, map[string]any{"code": src.versions[i].Code, "as_of": isoDate(r.asOf),
			"batch_id": r.batch, "sheet": r.sheet, "row": r.row})
		if r.asOf.Before(out.asOf) {
			out.asOf, out.batch, out.sheet, out.row = r.asOf, r.batch, r.sheet, r.row
		}
		decisions = appendDistinct(decisions, r.teamDecision)
		platforms = appendDistinct(platforms, r.platName)
		fields = appendDistinct(fields, r.modelFields)
	}
	answer := func(label string, get func(*surveyRow) *bool) *bool {
		var first *bool
		for i, r := range rows {
			b := get(r)
			if b == nil {
				out.blank[label] = e.lin.oldLabel(src.versions[i])
				return nil
			}
			if first == nil {
				first = b
			} else if *b != *first {
				out.differ[label] = true
			}
		}
		if out.differ[label] {
			return nil
		}
		return first
	}
	out.team = answer(labelTeam, func(r *surveyRow) *bool { return r.team })
	out.platform = answer(labelPlatform, func(r *surveyRow) *bool { return r.platform })
	out.wifi = answer(labelWifi, func(r *surveyRow) *bool { return r.wifi })
	var models int64
	for i, r := range rows {
		if r.models == nil {
			out.blank[labelModels] = e.lin.oldLabel(src.versions[i])
			out.models = nil
			break
		}
		models += *r.models
		out.models = &models
	}
	out.teamDecision = strings.Join(decisions, "; ")
	out.platName = strings.Join(platforms, "; ")
	out.modelFields = strings.Join(fields, "; ")
	return &out, ""
}

// The survey items, as explanations name them.
const (
	labelTeam     = "Tổ công nghệ số"
	labelPlatform = "Nền tảng số"
	labelWifi     = "WiFi miễn phí tại nhà văn hóa"
	labelModels   = "Mô hình chuyển đổi số"
)

func appendDistinct(list []string, s string) []string {
	s = strings.TrimSpace(s)
	if s == "" {
		return list
	}
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}

// addressOf is the digital-address coverage a village stands on at the period end: its own
// newest, else its predecessors' summed (dated by the oldest).
func (e *evaluator) addressOf(v *unit, all *byVersion[*addressRow]) (*addressRow, string) {
	cur := e.lin.current(v)
	if cur == nil {
		a, _ := all.own(nil, v.Code)
		return a, ""
	}
	if a, ok := all.own(cur, v.Code); ok {
		return a, ""
	}
	src := e.lin.snapshot(cur, func(x *units.Version) bool { _, ok := all.own(x, ""); return ok })
	if len(src.versions) == 0 {
		return nil, e.lin.unavailable(cur, src, "số liệu địa chỉ số (Vpostcode)", "thôn")
	}
	var out addressRow
	dates := make([]time.Time, len(src.versions))
	for i, x := range src.versions {
		r, _ := all.own(x, "")
		dates[i] = r.asOf
		out.from = append(out.from, map[string]any{"code": x.Code, "as_of": isoDate(r.asOf), "batch_id": r.batch,
			"sheet": r.sheet, "row": r.row, "households_total": r.hhTotal, "households_with": r.hhWith,
			"orgs_total": r.orgTotal, "orgs_with": r.orgWith})
		if i == 0 || r.asOf.Before(out.asOf) {
			out.asOf, out.batch, out.sheet, out.row = r.asOf, r.batch, r.sheet, r.row
		}
		out.hhTotal += r.hhTotal
		out.hhWith += r.hhWith
		out.orgTotal += r.orgTotal
		out.orgWith += r.orgWith
	}
	out.via = e.lin.viaText(src.versions, "số liệu", dates)
	return &out, ""
}

// placed is an OCOP product placed in a locality in force at the period end.
type placed struct {
	p      *product
	loc    string // commune code (village code when the set counts OCOP per village)
	dedupe string // the product's identity across lists: its code, else folded name and owner
	shared bool   // a split commune's product, counted for each of its successors
}

// placeProducts attributes every product to the localities in force at the period end whose
// products it is (docs/structure-changes.md §5): its codes name the units in force at the list's
// reference date; a closed unit's product belongs to its successors. With a village named, it
// counts for that village's successor (or that village's commune); without one, for every
// successor of its commune — all of them when the commune was split.
func (e *evaluator) placeProducts(l *lineage, products []*product) []placed {
	var out []placed
	if l.att == nil {
		l.att = l.h.Attribute(e.end)
	}
	for _, p := range products {
		locs, shared := l.att.Places(p.commune, p.village, p.unitDate, e.set.OCOPLocality == "village")
		for _, loc := range locs {
			out = append(out, placed{p: p, loc: loc, dedupe: p.dedupe, shared: shared})
		}
	}
	return out
}
