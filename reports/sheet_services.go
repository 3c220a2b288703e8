package reports

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"ntm"
)

// detailInt reads a whole number from a result's detail under the first key present.
func detailInt(r *result, keys ...string) (int64, bool) {
	if r == nil {
		return 0, false
	}
	return mapInt(r.details(), keys...)
}

// mapInt reads a whole number from a decoded detail under the first key present.
func mapInt(m map[string]any, keys ...string) (int64, bool) {
	for _, k := range keys {
		switch v := m[k].(type) {
		case float64:
			if v == math.Trunc(v) {
				return int64(v), true
			}
		case int64:
			return v, true
		case int:
			return int64(v), true
		case json.Number:
			if n, err := v.Int64(); err == nil {
				return n, true
			}
		case string:
			if n, err := strconv.ParseInt(v, 10, 64); err == nil {
				return n, true
			}
		}
	}
	return 0, false
}

// ratioParts are the numerator and denominator of a 9.5 ratio: from the detail when the evaluation
// stored them, else the stored value fraction.
func ratioParts(r *result, numKeys, denKeys []string) (num, den int64, ok bool) {
	if r == nil || !r.HasValue {
		return 0, 0, false // no conclusion: partial sums would mislead
	}
	n, okN := detailInt(r, numKeys...)
	dd, okD := detailInt(r, denKeys...)
	if okN && okD {
		return n, dd, true
	}
	return r.Num, r.Den, true
}

// procedureParts: procedures offered online (full-process + partial) and procedures eligible.
func procedureParts(r *result) (offered, eligible int64, ok bool) {
	if r == nil || !r.HasValue {
		return 0, 0, false
	}
	if off, ok1 := detailInt(r, "offered", "online"); !ok1 {
		full, okF := detailInt(r, "full_online", "full")
		part, okP := detailInt(r, "partial_online", "partial")
		if elig, okE := detailInt(r, "eligible"); okF && okP && okE {
			return full + part, elig, true
		}
	} else if elig, okE := detailInt(r, "eligible"); okE {
		return off, elig, true
	}
	return ratioParts(r, nil, nil)
}

// dossierParts: dossiers processed fully online and dossiers received.
func dossierParts(r *result) (full, received int64, ok bool) {
	return ratioParts(r, []string{"full_online", "full"}, []string{"received"})
}

// windowAndGaps is a summed D95_DOSSIERS result's window and the units with gaps in it.
func (d *data) windowAndGaps(r *result) string {
	if r == nil {
		return ""
	}
	var out []string
	from, _ := r.details()["window_from"].(string)
	to, _ := r.details()["window_to"].(string)
	if f, err := time.Parse("2006-01-02", from); err == nil {
		if t, err := time.Parse("2006-01-02", to); err == nil {
			out = append(out, fmt.Sprintf("Từ %s đến %s", f.Format("02/01/2006"), t.Format("02/01/2006")))
		}
	}
	units, _ := r.details()["units"].([]any)
	for _, u := range units {
		m, ok := u.(map[string]any)
		if !ok {
			continue
		}
		if gaps := strs(m["gaps"]); len(gaps) > 0 {
			code, _ := m["code"].(string)
			name := code
			if un := d.units[code]; un != nil {
				name = un.Name
			}
			out = append(out, name+" thiếu "+strings.Join(gaps, ", "))
		}
	}
	return strings.Join(out, ". ")
}

// compactPeriods says in a few words whether a unit's dossier figures cover the window: "Đủ kỳ
// (4 quý)", "Thiếu Quý III/2024", "Danh sách từng hồ sơ" (the periods themselves are in ntm
// explain and the office's workbook of the unit).
func compactPeriods(r *result) string {
	if r == nil {
		return ""
	}
	units, _ := r.details()["units"].([]any)
	var parts []string
	for _, u := range units {
		m, ok := u.(map[string]any)
		if !ok {
			continue
		}
		switch src, _ := m["source"].(string); {
		case src == "records":
			parts = append(parts, "Danh sách từng hồ sơ")
		case len(strs(m["gaps"])) > 0:
			parts = append(parts, "Thiếu "+strings.Join(strs(m["gaps"]), ", "))
		default:
			if n := len(strs(m["periods"])); n > 0 {
				parts = append(parts, fmt.Sprintf("Đủ kỳ (%d kỳ số liệu)", n))
			}
		}
	}
	return strings.Join(parts, "; ")
}

// strs reads a JSON list of strings.
func strs(v any) []string {
	l, _ := v.([]any)
	var out []string
	for _, x := range l {
		if s, ok := x.(string); ok && s != "" {
			out = append(out, s)
		}
	}
	return out
}

// ownFigures are one unit's own figures inside a 9.5 result's detail (the district office's
// inside the district's sums): procedures offered online and eligible, dossiers processed fully
// online and received.
type ownFigures struct {
	offered, eligible, full, received int64
	hasProc, hasDoss                  bool
}

func unitEntry(r *result, code string) map[string]any {
	if r == nil {
		return nil
	}
	units, _ := r.details()["units"].([]any)
	for _, u := range units {
		if m, ok := u.(map[string]any); ok {
			if c, _ := m["code"].(string); c == code {
				return m
			}
		}
	}
	return nil
}

func entryInt(m map[string]any, k string) (int64, bool) {
	return mapInt(m, k)
}

func (d *data) ownFigures(code string, rp, rd *result) ownFigures {
	var o ownFigures
	if m := unitEntry(rp, code); m != nil {
		full, ok1 := entryInt(m, "full_online")
		part, ok2 := entryInt(m, "partial_online")
		elig, ok3 := entryInt(m, "eligible")
		if ok1 && ok3 {
			if !ok2 {
				part = 0
			}
			o.offered, o.eligible, o.hasProc = full+part, elig, true
		}
	}
	if m := unitEntry(rd, code); m != nil {
		full, ok1 := entryInt(m, "full_online")
		rec, ok2 := entryInt(m, "received")
		if ok1 && ok2 {
			o.full, o.received, o.hasDoss = full, rec, true
		}
	}
	return o
}

// ratioStatus decides a ratio against a threshold in integers (num·thDen ≥ thNum·den).
func ratioStatus(num, den, thNum, thDen int64) ntm.Status {
	if den == 0 || thDen == 0 {
		return ntm.StatusNoData
	}
	if num*thDen >= thNum*den {
		return ntm.StatusMet
	}
	return ntm.StatusNotMet
}

// writeServices writes indicator 9.5: the district as a whole, the district office's own figures
// (procedures and dossiers of the district's own unit, which the district's sums include), then
// each commune for information, each with what is left to do.
func (w *workbook) writeServices(_ context.Context) error {
	const sh = sheetServices
	d, sc, st := w.d, w.sc, w.st
	scopeText := "Chỉ tiêu 9.5 đánh giá trên toàn huyện (UBND huyện và các xã); số liệu riêng của UBND huyện và của từng xã để biết thiếu ở đâu."
	if len(sc.districts) == 0 {
		scopeText = "Không còn cấp huyện: chỉ tiêu 9.5 của mỗi xã, phường đánh giá trên số liệu của chính xã, phường đó."
	}
	head := []cell{
		{"DỊCH VỤ CÔNG TRỰC TUYẾN – CHỈ TIÊU 9.5 – " + sc.unit.Name, st.title},
		w.plain(periodText(d.period)),
		{scopeText, st.subtitle},
	}
	for i, c := range head {
		if err := w.put(sh, i+1, c); err != nil {
			return err
		}
	}
	const top = 5
	var hdr []cell
	var widths []float64
	add := func(name string, width float64) {
		hdr = append(hdr, w.hdr(name))
		widths = append(widths, width)
	}
	add("STT", 4)
	if sc.withDistricts() {
		add("Huyện", 14)
	}
	add("Đơn vị", 20)
	add("TTHC đủ điều kiện", 10)
	add("TTHC đã cung cấp trực tuyến", 11)
	add("Tỷ lệ TTHC", 8)
	add("Đánh giá TTHC", 10)
	add("Hồ sơ tiếp nhận", 10)
	add("Hồ sơ xử lý trực tuyến toàn trình", 11)
	add("Tỷ lệ hồ sơ", 8)
	add("Đánh giá hồ sơ", 10)
	add("Chỉ tiêu 9.5", 10)
	if sc.withDistricts() {
		add("Kỳ số liệu hồ sơ", 14)
		add("Còn phải làm", 20)
	} else {
		add("Kỳ số liệu hồ sơ", 20)
		add("Còn phải làm", 28)
	}
	if err := w.setWidths(sh, widths...); err != nil {
		return err
	}
	if sc.province {
		// Long on paper (a row per unit): filtered on screen, its heading printed only.
		if err := w.put(sh, top-1, w.plain(screenNote)); err != nil {
			return err
		}
		if err := w.screenOnly(sh, len(hdr), top); err != nil {
			return err
		}
	}
	if err := w.put(sh, top, hdr...); err != nil {
		return err
	}
	row := top + 1
	n := 0
	put := func(district *unit, label string, bold bool, proc, doss []cell, d95 cell, periods, todo string) error {
		n++
		num := w.num
		if bold {
			num = func(n int) cell { return cell{n, st.boldInt} }
		}
		cells := []cell{num(n)}
		if sc.withDistricts() {
			dn := ""
			if district != nil {
				dn = district.Name
			}
			cells = append(cells, w.wrap(dn))
		}
		if bold {
			cells = append(cells, cell{label, st.boldWrap})
		} else {
			cells = append(cells, w.wrap(label))
		}
		cells = append(cells, proc...)
		cells = append(cells, doss...)
		cells = append(cells, d95, w.wrap(periods), w.wrap(todo))
		if err := w.put(sh, row, cells...); err != nil {
			return err
		}
		row++
		return nil
	}
	empty4 := func() []cell { return []cell{w.txt(""), w.txt(""), w.txt(""), w.txt("")} }
	resultCells := func(rp, rd *result) (proc, doss []cell) {
		proc, doss = empty4(), empty4()
		if off, elig, ok := procedureParts(rp); ok {
			proc = []cell{{elig, st.integer}, {off, st.integer}, w.pct(off, elig), w.resultStatus(rp)}
		} else if rp != nil {
			proc[3] = w.resultStatus(rp)
		}
		if full, rec, ok := dossierParts(rd); ok {
			doss = []cell{{rec, st.integer}, {full, st.integer}, w.pct(full, rec), w.resultStatus(rd)}
		} else if rd != nil {
			doss[3] = w.resultStatus(rd)
		}
		return proc, doss
	}
	todoOf := func(rs ...*result) string {
		var out []string
		for _, r := range rs {
			if r == nil {
				continue
			}
			a := d.def(r.Criterion).ActionFor(evalResult(r))
			if r.Status == ntm.StatusNoData && r.Explanation != "" {
				a = joinLines(a, r.Explanation)
			}
			if a != "" {
				out = append(out, a)
			}
		}
		return strings.Join(out, "\n")
	}
	unitRow := func(u, district *unit, label string, bold bool) error {
		rp, rd := d.res(u.Code, keyD95Proc), d.res(u.Code, keyD95Dossiers)
		proc, doss := resultCells(rp, rd)
		periods := compactPeriods(rd)
		if bold && len(sc.districts) > 0 {
			periods = d.windowAndGaps(rd) // each unit's periods are on its own row
		}
		return put(district, label, bold, proc, doss, w.resultStatus(d.res(u.Code, keyD95)), periods, todoOf(rp, rd))
	}
	communeLabel := func(c *unit) string { return c.Name }
	if len(sc.districts) > 0 {
		communeLabel = func(c *unit) string { return c.Name + " (tham khảo)" }
	}
	seen := map[string]bool{}
	for _, dist := range sc.districts {
		if err := unitRow(dist, dist, "Toàn "+lowerFirst(dist.Name)+" (UBND huyện và các xã)", true); err != nil {
			return err
		}
		// The district office's own figures, from inside the district's sums.
		rp, rd := d.res(dist.Code, keyD95Proc), d.res(dist.Code, keyD95Dossiers)
		if o := d.ownFigures(dist.Code, rp, rd); o.hasProc || o.hasDoss {
			proc, doss := empty4(), empty4()
			var todo []string
			if o.hasProc && rp != nil {
				stt := ratioStatus(o.offered, o.eligible, rp.ThNum, rp.ThDen)
				proc = []cell{{o.eligible, st.integer}, {o.offered, st.integer}, w.pct(o.offered, o.eligible), w.statusCell(stt)}
				if miss := o.eligible - o.offered; miss > 0 {
					todo = append(todo, fmt.Sprintf("UBND huyện còn %d TTHC đủ điều kiện chưa cung cấp trực tuyến", miss))
				}
			}
			if o.hasDoss && rd != nil {
				stt := ratioStatus(o.full, o.received, rd.ThNum, rd.ThDen)
				doss = []cell{{o.received, st.integer}, {o.full, st.integer}, w.pct(o.full, o.received), w.statusCell(stt)}
				if rd.ThDen > 0 {
					need := (rd.ThNum*o.received + rd.ThDen - 1) / rd.ThDen
					if need > o.full {
						todo = append(todo, fmt.Sprintf("UBND huyện còn %d hồ sơ cần xử lý trực tuyến toàn trình để đạt %s", need-o.full, percentText(rd.ThNum, rd.ThDen, true)))
					}
				}
			}
			if err := put(dist, "UBND "+lowerFirst(dist.Name)+" (cơ quan cấp huyện)", false, proc, doss, w.txt(""), "", strings.Join(todo, "\n")); err != nil {
				return err
			}
		}
		for _, c := range sc.communes {
			if sc.districtOf[c.Code] == dist {
				seen[c.Code] = true
				if err := unitRow(c, dist, communeLabel(c), false); err != nil {
					return err
				}
			}
		}
	}
	for _, c := range sc.communes {
		if !seen[c.Code] {
			if err := unitRow(c, nil, c.Name, sc.unit.Level == string(ntm.LevelCommune)); err != nil {
				return err
			}
		}
	}
	if err := w.f.SetPanes(sh, freezePanes(top+1, 1)); err != nil {
		return err
	}
	if row > top+1 {
		if err := w.f.AutoFilter(sh, rangeRef(1, top, len(hdr), row-1), nil); err != nil {
			return err
		}
	}
	return w.printSetup(sh, fmt.Sprintf("$%d:$%d", top, top))
}
