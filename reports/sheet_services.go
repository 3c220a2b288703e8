package reports

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// detailInt reads a whole number from a result's detail under the first key present.
func detailInt(r *result, keys ...string) (int64, bool) {
	if r == nil {
		return 0, false
	}
	for _, k := range keys {
		switch v := r.Detail[k].(type) {
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

// periodsUsed describes the dossier window and, per unit, the periods (or the record-level list)
// a D95_DOSSIERS result used, from its detail.
func (d *data) periodsUsed(r *result) string {
	if r == nil {
		return ""
	}
	units, _ := r.Detail["units"].([]any)
	var parts []string
	for _, u := range units {
		m, ok := u.(map[string]any)
		if !ok {
			continue
		}
		var s string
		if src, _ := m["source"].(string); src == "records" {
			s = "danh sách từng hồ sơ"
		} else {
			s = strings.Join(strs(m["periods"]), ", ")
			if gaps := strs(m["gaps"]); len(gaps) > 0 {
				s += " (thiếu " + strings.Join(gaps, ", ") + ")"
			}
		}
		if s == "" {
			continue
		}
		if code, _ := m["code"].(string); len(units) > 1 && code != "" {
			name := code
			if un := d.units[code]; un != nil {
				name = un.Name
			}
			s = name + ": " + s
		}
		parts = append(parts, s)
	}
	out := strings.Join(parts, "; ")
	from, _ := r.Detail["window_from"].(string)
	to, _ := r.Detail["window_to"].(string)
	if f, err := time.Parse("2006-01-02", from); err == nil {
		if t, err := time.Parse("2006-01-02", to); err == nil {
			w := fmt.Sprintf("Từ %s đến %s", f.Format("02/01/2006"), t.Format("02/01/2006"))
			if out == "" {
				return w
			}
			return w + ". " + out
		}
	}
	return out
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

// writeServices writes indicator 9.5: the district as a whole, then each commune for information;
// without districts, each commune on its own figures, which decide.
func (w *workbook) writeServices(_ context.Context) error {
	const sh = sheetServices
	d, sc, st := w.d, w.sc, w.st
	scopeText := "Chỉ tiêu 9.5 đánh giá trên toàn huyện (UBND huyện và các xã); số liệu của từng xã để tham khảo."
	if len(sc.districts) == 0 {
		scopeText = "Không còn cấp huyện: chỉ tiêu 9.5 của mỗi xã, phường đánh giá trên số liệu của chính xã, phường đó."
	}
	head := []cell{
		{"DỊCH VỤ CÔNG TRỰC TUYẾN – CHỈ TIÊU 9.5", st.title},
		w.bold(recipientLabel(sc.unit)),
		w.plain(periodText(d.period)),
		{scopeText, st.subtitle},
	}
	for i, c := range head {
		if err := w.put(sh, i+1, c); err != nil {
			return err
		}
	}
	const top = 6
	var hdr []cell
	var widths []float64
	add := func(name string, width float64) {
		hdr = append(hdr, w.hdr(name))
		widths = append(widths, width)
	}
	add("STT", 6)
	if sc.withDistricts() {
		add("Huyện", 20)
	}
	add("Đơn vị", 24)
	add("Mã", 9)
	add("Phạm vi", 16)
	add("TTHC đủ điều kiện cung cấp DVCTT", 14)
	add("TTHC đã cung cấp DVCTT (toàn trình và một phần)", 16)
	add("Tỷ lệ TTHC", 10)
	add("Đánh giá TTHC", 14)
	add("Hồ sơ tiếp nhận", 12)
	add("Hồ sơ xử lý trực tuyến toàn trình", 14)
	add("Tỷ lệ hồ sơ toàn trình", 11)
	add("Đánh giá hồ sơ", 14)
	add("Chỉ tiêu 9.5", 14)
	add("Kỳ số liệu hồ sơ đã dùng", 24)
	add("Giải thích", 60)
	if err := w.setWidths(sh, widths...); err != nil {
		return err
	}
	if err := w.put(sh, top, hdr...); err != nil {
		return err
	}
	row := top + 1
	unitRow := func(u *unit, district *unit, scopeLabel string, bold bool) error {
		rp, rd := d.res(u.Code, keyD95Proc), d.res(u.Code, keyD95Dossiers)
		txt, num := w.txt, w.num
		if bold {
			txt = func(s string) cell { return cell{s, st.boldText} }
			num = func(n int) cell { return cell{n, st.boldInt} }
		}
		cells := []cell{num(row - top)}
		if sc.withDistricts() {
			dn := ""
			if district != nil {
				dn = district.Name
			}
			cells = append(cells, txt(dn))
		}
		cells = append(cells, txt(u.Name), txt(u.Code), txt(scopeLabel))
		if off, elig, ok := procedureParts(rp); ok {
			cells = append(cells, cell{elig, st.integer}, cell{off, st.integer}, w.pct(off, elig))
		} else {
			cells = append(cells, w.txt(""), w.txt(""), w.txt(""))
		}
		cells = append(cells, w.resultStatus(rp))
		if full, rec, ok := dossierParts(rd); ok {
			cells = append(cells, cell{rec, st.integer}, cell{full, st.integer}, w.pct(full, rec))
		} else {
			cells = append(cells, w.txt(""), w.txt(""), w.txt(""))
		}
		cells = append(cells, w.resultStatus(rd), w.resultStatus(d.res(u.Code, keyD95)), w.wrap(d.periodsUsed(rd)))
		var expl []string
		for _, r := range []*result{d.res(u.Code, keyD95), rp, rd} {
			if r != nil && r.Explanation != "" {
				expl = append(expl, r.Explanation)
			}
		}
		cells = append(cells, w.wrap(strings.Join(expl, "; ")))
		if err := w.put(sh, row, cells...); err != nil {
			return err
		}
		row++
		return nil
	}
	communeLabel := "Xã"
	if len(sc.districts) > 0 {
		communeLabel = "Xã (tham khảo)"
	}
	seen := map[string]bool{}
	for _, dist := range sc.districts {
		if err := unitRow(dist, dist, "Toàn huyện", true); err != nil {
			return err
		}
		for _, c := range sc.communes {
			if sc.districtOf[c.Code] == dist {
				seen[c.Code] = true
				if err := unitRow(c, dist, communeLabel, false); err != nil {
					return err
				}
			}
		}
	}
	for _, c := range sc.communes {
		if !seen[c.Code] {
			if err := unitRow(c, nil, "Số liệu của chính xã", false); err != nil {
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
