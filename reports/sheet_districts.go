package reports

import (
	"context"

	"ntm"
	"ntm/vnfmt"
)

// districtsTop is the header row of the districts table.
const districtsTop = 5

// writeDistricts writes the province workbook's table of districts side by side, with the province
// total below the filtered table.
func (w *workbook) writeDistricts(_ context.Context) error {
	const sh = sheetDistricts
	d, sc, st := w.d, w.sc, w.st
	head := []cell{
		{"KẾT QUẢ THEO HUYỆN", st.title},
		w.bold(recipientLabel(sc.unit)),
		w.plain(periodText(d.period)),
	}
	for i, c := range head {
		if err := w.put(sh, i+1, c); err != nil {
			return err
		}
	}
	const top = districtsTop
	names := []string{"STT", "Huyện", "Mã", "Số xã", "Số thôn", "Số thôn thông minh", "Tỷ lệ thôn thông minh",
		"Số xã đạt tiêu chí 8", "Tỷ lệ TTHC cung cấp DVCTT", "Đánh giá TTHC", "Tỷ lệ hồ sơ toàn trình",
		"Đánh giá hồ sơ", "Chỉ tiêu 9.5"}
	hdr := make([]cell, len(names))
	for i, n := range names {
		hdr[i] = w.hdr(n)
	}
	if err := w.setWidths(sh, 6, 24, 8, 8, 10, 12, 12, 12, 14, 14, 14, 14, 14); err != nil {
		return err
	}
	if err := w.put(sh, top, hdr...); err != nil {
		return err
	}
	row := top + 1
	var all villageCounts
	allC8, allCommunes, d95Met := 0, 0, 0
	for i, dist := range sc.districts {
		var communes []*unit
		for _, c := range sc.communes {
			if sc.districtOf[c.Code] == dist {
				communes = append(communes, c)
			}
		}
		v, c8 := d.communeTotals(communes)
		all.add(v)
		allC8 += c8
		allCommunes += len(communes)
		share := cell{"", st.text}
		if v.Villages > 0 {
			share = w.pct(int64(v.Smart), int64(v.Villages))
		}
		r95 := d.res(dist.Code, keyD95)
		if r95 != nil && r95.Status == ntm.StatusMet {
			d95Met++
		}
		rp, rd := d.res(dist.Code, keyD95Proc), d.res(dist.Code, keyD95Dossiers)
		if err := w.put(sh, row, w.num(i+1), w.txt(dist.Name), w.txt(dist.Code), w.num(len(communes)),
			w.num(v.Villages), w.num(v.Smart), share, w.num(c8),
			w.resultValue(rp), w.resultStatus(rp), w.resultValue(rd), w.resultStatus(rd), w.resultStatus(r95)); err != nil {
			return err
		}
		row++
	}
	if row > top+1 {
		if err := w.f.AutoFilter(sh, rangeRef(1, top, len(hdr), row-1), nil); err != nil {
			return err
		}
	}
	share := cell{"", st.boldText}
	if all.Villages > 0 {
		share = cell{truncPercent(int64(all.Smart), int64(all.Villages)), st.boldPercent}
	}
	row++
	bt := func(s string) cell { return cell{s, st.boldText} }
	bi := func(n int) cell { return cell{n, st.boldInt} }
	if err := w.put(sh, row, bt(""), bt("Toàn tỉnh"), bt(sc.unit.Code), bi(allCommunes), bi(all.Villages), bi(all.Smart),
		share, bi(allC8), bt(""), bt(""), bt(""), bt(""), bt(plural(d95Met, len(sc.districts), "huyện đạt"))); err != nil {
		return err
	}
	if err := w.f.SetPanes(sh, freezePanes(top+1, 3)); err != nil {
		return err
	}
	return w.printSetup(sh, "$5:$5")
}

// plural is "3/11 huyện đạt".
func plural(n, of int, what string) string {
	return vnfmt.Int(int64(n)) + "/" + vnfmt.Int(int64(of)) + " " + what
}
