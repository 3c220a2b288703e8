package reports

import (
	"context"
	"fmt"

	"github.com/xuri/excelize/v2"

	"ntm"
	"ntm/evaluate"
)

// writeVillages writes one row per village, grouped by commune (a row naming the commune opens
// each group, and in a recipient's workbook a commune never starts at the foot of a page): each
// condition's value coloured by its status, the smart-village result, and what to do. One column
// per condition keeps the table legible on A4 landscape. Streamed: a province holds thousands of
// villages.
func (w *workbook) writeVillages(ctx context.Context) error {
	const sh = sheetVillages
	d, sc, st := w.d, w.sc, w.st
	keys := d.villageCriteria()
	n, err := w.countVillages(ctx)
	if err != nil {
		return err
	}
	t, err := w.newTracer(ctx)
	if err != nil {
		return err
	}
	var names []string
	var widths []float64
	add := func(name string, width float64) {
		names = append(names, name)
		widths = append(widths, width)
	}
	add("STT", 5)
	if sc.withDistricts() {
		add("Huyện", 14)
	}
	add("Xã", 13)
	add("Thôn", 16)
	add("Mã thôn", 10)
	for _, k := range keys {
		add(d.shortName(k), 11)
	}
	add("Thôn thông minh", 11)
	add("Số điều kiện đạt", 8)
	action := 32.0
	if sc.withDistricts() {
		action = 20
	}
	add("Việc cần làm", action)
	ncols := len(widths)
	const top = 3 // title, legend, header
	groups := len(sc.communes)
	if sc.province {
		groups = 0 // the province's sheet is for filtering on screen, not for paper
	}
	last := top + max(1, n+groups)

	// A recipient's villages (a few hundred) are laid out before they are written, so that the
	// page breaks, which precede the rows in the file, can fall between communes; a province's
	// are streamed as they come.
	var buffered [][]cell
	emit := func(sw *excelize.StreamWriter, row int, cells []cell) error {
		if sw == nil {
			buffered = append(buffered, cells)
			return nil
		}
		return w.streamRowOf(sw, sh, row, cells...)
	}
	var sw *excelize.StreamWriter
	legend := periodText(d.period) + ". Ô xanh: đạt; ô đỏ: chưa đạt; ô xám: chưa có số liệu (nguyên nhân ở trang " + sheetActions + ")."
	if sc.province {
		legend = periodText(d.period) + ". " + screenNote + " Ô xanh: đạt; ô đỏ: chưa đạt; ô xám: chưa có số liệu."
	}
	head := []cell{
		{"THÔN THÔNG MINH: KẾT QUẢ VÀ VIỆC CẦN LÀM CỦA TỪNG THÔN – " + sc.unit.Name, st.title},
		w.plain(legend),
	}
	start := func(breaks []int) error {
		w.breaks[sh] = breaks
		var err error
		if sw, err = w.streamSheet(sh, last, widths, fmt.Sprintf("$%d:$%d", top, top), freezePanes(top+1, 1)); err != nil {
			return err
		}
		return w.streamTitle(sw, head, top, names)
	}
	if groups == 0 {
		if err := start(nil); err != nil {
			return err
		}
	}

	row, num := top+1, 0
	var groupRows []int
	prevCommune := ""
	err = w.villageRows(ctx, nil, func(code, name, commune string, rs map[string]*result) error {
		cn := commune
		if u := d.units[commune]; u != nil {
			cn = u.Name
		}
		if groups > 0 && commune != prevCommune {
			vc := d.villages[commune]
			label := fmt.Sprintf("%s: %d thôn, %d thôn thông minh, %d chưa đạt, %d chưa có đủ số liệu", cn, vc.Villages, vc.Smart, vc.NotMet, vc.NoData)
			if err := emit(sw, row, []cell{{label, st.groupRow}}); err != nil {
				return err
			}
			groupRows = append(groupRows, row)
			row++
			prevCommune = commune
		}
		num++
		cells := make([]cell, 0, ncols)
		cells = append(cells, w.num(num))
		if sc.withDistricts() {
			dn := ""
			if dist := sc.districtOf[commune]; dist != nil {
				dn = dist.Name
			}
			cells = append(cells, w.txt(dn))
		}
		cells = append(cells, w.wrap(cn), w.wrap(name), w.txt(code))
		for _, k := range keys {
			cells = append(cells, w.conditionCell(rs[k]))
		}
		sv := rs[keySmartVillage]
		smart := cell{"", w.st.text}
		if sv != nil {
			smart = cell{sv.Status.Label(), w.st.statusWrap(sv.Status)}
		}
		cells = append(cells, smart, w.resultValue(sv), w.wrap(d.actionText(w.steps(t, keys, code, name, commune, rs))))
		if err := emit(sw, row, cells); err != nil {
			return err
		}
		row++
		return nil
	})
	if err != nil {
		return err
	}
	if sw == nil {
		// Page breaks: a commune whose heading and first rows do not fit in what is left of the
		// page starts a new one; a page full of villages ends before the row that overflows it.
		room := pageHeightPt(printScale(widths)) - w.rowHeightOr(widths, hdrCells(w, names)) - 20
		isGroup := map[int]bool{}
		for _, g := range groupRows {
			isGroup[g] = true
		}
		heights := make([]float64, len(buffered))
		for i, cells := range buffered {
			heights[i] = w.rowHeightOr(widths, cells)
		}
		var breaks []int
		used := w.rowHeightOr(widths, head[:1]) + 2*lineHeight(bodyFont) // the first page's title
		for i := range buffered {
			r := top + 1 + i
			need := heights[i]
			if isGroup[r] {
				for j := i + 1; j < len(buffered) && j <= i+3 && !isGroup[r+j-i]; j++ {
					need += heights[j]
				}
			}
			if used > 0 && used+need > room {
				breaks = append(breaks, r-1)
				used = 0
			}
			used += heights[i]
		}
		if err := start(breaks); err != nil {
			return err
		}
		for i, cells := range buffered {
			if err := w.streamRowOf(sw, sh, top+1+i, cells...); err != nil {
				return err
			}
		}
	}
	for _, g := range groupRows {
		if err := sw.MergeCell(cellName(1, g), cellName(ncols, g)); err != nil {
			return err
		}
	}
	if row > top+1 {
		if err := w.f.AutoFilter(sh, rangeRef(1, top, ncols, row-1), nil); err != nil {
			return err
		}
	}
	if sc.province {
		if err := w.screenOnly(sh, ncols, top); err != nil {
			return err
		}
	}
	return sw.Flush()
}

// conditionCell is one condition of a village: its value in words (Có / Không, a percentage
// rounded down, a count), or why there is none, filled with its status colour.
func (w *workbook) conditionCell(r *result) cell {
	if r == nil {
		return cell{"Chưa đánh giá", w.st.noDataWrap}
	}
	if r.Status == ntm.StatusNoData {
		if stale(r) {
			return cell{"Số liệu cũ", w.st.noDataWrap}
		}
		return cell{"Chưa có số liệu", w.st.noDataWrap}
	}
	text := ""
	if r.HasValue {
		switch w.d.valueKind(r.Criterion) {
		case evaluate.ValueYesNo:
			text = "Không"
			if r.Num != 0 {
				text = "Có"
			}
		case evaluate.ValueRatio:
			text = percentText(r.Num, r.Den, true)
		default:
			if r.Den == 1 {
				text = fmt.Sprintf("%d", r.Num)
			} else {
				text = percentText(r.Num, r.Den, true)
			}
		}
	} else {
		text = r.Status.Label()
	}
	if w.d.def(r.Criterion).Measure == evaluate.MeasureOCOP && !r.HasValue && r.Status == ntm.StatusMet {
		text = "Không có sản phẩm"
	}
	return cell{text, w.st.statusWrap(r.Status)}
}

func hdrCells(w *workbook, names []string) []cell {
	out := make([]cell, len(names))
	for i, n := range names {
		out[i] = w.hdr(n)
	}
	return out
}
