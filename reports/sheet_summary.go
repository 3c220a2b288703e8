package reports

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/xuri/excelize/v2"

	"ntm"
	"ntm/evaluate"
	"ntm/vnfmt"
)

// communeTotals sums the village counts and criterion 8 of a set of communes.
func (d *data) communeTotals(communes []*unit) (v villageCounts, c8Met int) {
	for _, c := range communes {
		v.add(d.villages[c.Code])
		if r := d.res(c.Code, keyC8); r != nil && r.Status == ntm.StatusMet {
			c8Met++
		}
	}
	return v, c8Met
}

// districtC8 is a district's smart villages against criterion 8 of its communes (nil when none of
// them has the criterion): met when every such commune meets it, without data when none has data,
// the threshold the smart villages it needs at least (the communes' thresholds summed).
func (d *data) districtC8(sc *scope, dist *unit) *result {
	var out *result
	for _, c := range sc.communes {
		r := d.res(c.Code, keyC8)
		if sc.districtOf[c.Code] != dist || r == nil {
			continue
		}
		if out == nil {
			out = &result{Criterion: keyC8, Status: ntm.StatusMet, ThDen: 1}
		}
		if r.ThDen > 0 {
			out.ThNum += r.ThNum / r.ThDen
		}
		if r.HasValue {
			out.HasValue = true
			out.Num += r.Num
			out.Den = 1
		}
		switch {
		case r.Status == ntm.StatusNotMet:
			out.Status = ntm.StatusNotMet
		case r.Status == ntm.StatusNoData && out.Status == ntm.StatusMet:
			out.Status = ntm.StatusNoData
		}
	}
	if out != nil && out.Status == ntm.StatusNoData && out.HasValue {
		// Some communes decided and met, others lack data: not met yet.
		out.Status = ntm.StatusNotMet
	}
	return out
}

// Summary layout: the key-figure table's columns.
const (
	sumColValue = 3 // C: the figure
	sumColExtra = 4 // D: its rate or status
	sumColTrend = 5 // E: the change since the previous evaluated period
	sumColNote  = 6 // F: explanation
	sumCols     = 9 // A..I, the width of the commune table
)

// chartRows is the rows one of the right-hand charts covers; chartRowPx is a 15 pt row in pixels as
// excelize anchors charts (⌈15·4/3.4⌉), so a chart of chartRows·chartRowPx ends where planned.
const (
	chartRows  = 17
	chartRowPx = 18
)

// writeSummary writes the summary sheet: title, key figures with their trend, the province's own
// results, the coverage of each village condition, the two 9.5 ratios, the legend, three charts,
// and the status of each commune (the filtered table, last). A normal sheet: charts need one.
func (w *workbook) writeSummary(ctx context.Context) error {
	const sh = sheetSummary
	d, sc, st := w.d, w.sc, w.st
	if err := w.setWidths(sh, 6, 34, 14, 14, 24, 36, 14, 14, 14); err != nil {
		return err
	}
	title := "BÁO CÁO KẾT QUẢ ĐÁNH GIÁ THÔN THÔNG MINH, TIÊU CHÍ 8 VÀ CHỈ TIÊU 9.5"
	who := "Đơn vị nhận báo cáo: " + recipientLabel(sc.unit)
	if sc.province {
		who = "Báo cáo toàn tỉnh: " + recipientLabel(sc.unit)
	}
	stamp := fmt.Sprintf("Theo kết quả đánh giá với %s (căn cứ: %s)", d.eval.SetName, basisText(d.eval.Set))
	if !d.dataAt.IsZero() {
		stamp += "; số liệu nhận đến " + dateTimeText(d.dataAt)
	}
	if d.prev != nil {
		stamp += fmt.Sprintf("; so sánh với kỳ %s", d.prev.Period)
	}
	head := []cell{{title, st.title}, w.bold(who), w.plain(periodText(d.period)), {stamp, st.subtitle}}
	row := 1
	for _, c := range head {
		if err := w.put(sh, row, c); err != nil {
			return err
		}
		row++
	}
	row++

	// I. Key figures: label (A:B merged) | value | rate or status | trend | explanation.
	if err := w.put(sh, row, cell{"I. CÁC SỐ LIỆU CHÍNH", st.section}); err != nil {
		return err
	}
	row++
	trendHdr := d.trendHeader()
	// The label spans A:B; its row is sized for the text in the merged width.
	labelSpan := map[int]int{1: 2}
	if err := w.putSpans(sh, row, 1, []cell{w.hdr("Chỉ số"), w.hdr("Giá trị"), w.hdr("Tỷ lệ / Đánh giá"), w.hdr(trendHdr), w.hdr("Ghi chú")}, labelSpan); err != nil {
		return err
	}
	row++
	blank := cell{"", st.text}
	figure := func(label string, value, extra, trend cell, note string) error {
		if err := w.putSpans(sh, row, 1, []cell{{label, st.wrap}, value, extra, trend, w.wrap(note)}, labelSpan); err != nil {
			return err
		}
		row++
		return nil
	}
	v, c8 := d.communeTotals(sc.communes)
	var pv villageCounts
	var pc8 int
	// The previous period's communes of this scope: after a change of structure, those whose
	// facts today's communes carry (comparable is false when one was split with another scope).
	var prevCommunes []*unit
	comparable := true
	if d.prev != nil {
		prevCommunes, comparable = d.prev.unitsBefore(sc.communes)
		pv, pc8 = d.prev.totals(prevCommunes)
	}
	trendCount := func(now, before int, goodUp bool) cell {
		if !comparable {
			return w.incomparable()
		}
		return w.trendCount(now, before, goodUp)
	}
	if err := figure("Số thôn, tổ dân phố được đánh giá", w.num(v.Villages), blank, trendCount(v.Villages, pv.Villages, true), ""); err != nil {
		return err
	}
	smartShare := blank
	if v.Villages > 0 {
		smartShare = w.pct(int64(v.Smart), int64(v.Villages))
	}
	if err := figure("Số thôn thông minh (đạt cả 6 điều kiện) và tỷ lệ", w.num(v.Smart), smartShare,
		trendCount(v.Smart, pv.Smart, true), ""); err != nil {
		return err
	}
	if err := figure("Số thôn chưa đạt", w.num(v.NotMet), blank, trendCount(v.NotMet, pv.NotMet, false),
		"Xem từng thôn và điều còn thiếu ở trang "+sheetVillages); err != nil {
		return err
	}
	if err := figure("Số thôn chưa có đủ số liệu để kết luận", w.num(v.NoData), blank, trendCount(v.NoData, pv.NoData, false),
		"Xem trang "+sheetQuality); err != nil {
		return err
	}
	if err := figure("Số xã, phường, thị trấn", w.num(len(sc.communes)), blank, blank, ""); err != nil {
		return err
	}
	if err := figure("Số xã đạt tiêu chí 8 (có ít nhất một thôn thông minh)", w.num(c8), blank, trendCount(c8, pc8, true), ""); err != nil {
		return err
	}
	if sc.withDistricts() {
		met, pmet := 0, 0
		for _, dist := range sc.districts {
			if r := d.res(dist.Code, keyD95); r != nil && r.Status == ntm.StatusMet {
				met++
			}
		}
		distTrend := blank
		if d.prev != nil {
			prevDistricts, ok := d.prev.unitsBefore(sc.districts)
			for _, dist := range prevDistricts {
				if r := d.prev.results[dist.Code][keyD95]; r != nil && r.Status == ntm.StatusMet {
					pmet++
				}
			}
			distTrend = w.incomparable()
			if ok {
				distTrend = w.trendCount(met, pmet, true)
			}
		}
		if err := figure("Số huyện, thành phố", w.num(len(sc.districts)), blank, blank, ""); err != nil {
			return err
		}
		if err := figure("Số huyện đạt chỉ tiêu 9.5", w.num(met), blank, distTrend, ""); err != nil {
			return err
		}
	}
	// Digital addresses as the evaluation counted them (and as the previous evaluation did, for
	// the trend); OCOP listings from the facts as of the period end (and the previous period's).
	at, err := w.addressTotals(ctx)
	if err != nil {
		return err
	}
	ps, err := w.currentProducts(ctx, sc.communes, d.period.End())
	if err != nil {
		return err
	}
	valid, listed := ocopCounts(ps, d.period.End())
	var pat addressTotals
	var pvalid, plisted int
	if d.prev != nil {
		pp, err := ntm.ParsePeriod(d.prev.Period)
		if err != nil {
			return err
		}
		// The previous totals over the previous period's communes of this scope.
		pw := *w
		pw.sc, pw.own = &scope{unit: sc.unit, province: sc.province, communes: prevCommunes}, nil
		if pat, err = pw.addressTotalsOf(ctx, d.prev.EvalID); err != nil {
			return err
		}
		pps, err := w.currentProducts(ctx, prevCommunes, pp.End())
		if err != nil {
			return err
		}
		pvalid, plisted = ocopCounts(pps, pp.End())
	}
	houseTrend, orgTrend, ocopTrend := blank, blank, blank
	if d.prev != nil {
		houseTrend = w.trendRatio(at.HouseWith, at.HouseTotal, pat.HouseWith, pat.HouseTotal, at.HouseTotal > 0, pat.HouseTotal > 0)
		orgTrend = w.trendRatio(at.OrgWith, at.OrgTotal, pat.OrgWith, pat.OrgTotal, at.OrgTotal > 0, pat.OrgTotal > 0)
		ocopTrend = w.trendRatio(int64(listed), int64(valid), int64(plisted), int64(pvalid), valid > 0, pvalid > 0)
		if !comparable {
			houseTrend, orgTrend, ocopTrend = w.incomparable(), w.incomparable(), w.incomparable()
		}
	}
	if err := figure("Hộ gia đình đã có địa chỉ số", w.num64(at.HouseWith), w.pct(at.HouseWith, at.HouseTotal), houseTrend,
		fmt.Sprintf("trên tổng số %s hộ của %s thôn có số liệu; xem trang %s", vnfmt.Int(at.HouseTotal),
			vnfmt.Int(int64(at.WithData)), sheetAddresses)); err != nil {
		return err
	}
	if err := figure("Cơ quan, tổ chức, doanh nghiệp đã có địa chỉ số", w.num64(at.OrgWith), w.pct(at.OrgWith, at.OrgTotal), orgTrend,
		fmt.Sprintf("trên tổng số %s", vnfmt.Int(at.OrgTotal))); err != nil {
		return err
	}
	if err := figure("Sản phẩm OCOP còn hiệu lực đã lên sàn TMĐT", w.num(listed), w.pct(int64(listed), int64(valid)), ocopTrend,
		fmt.Sprintf("trên %d sản phẩm còn hiệu lực; %d chưa lên sàn: xem trang %s", valid, valid-listed, sheetOCOP)); err != nil {
		return err
	}
	var ratioRows []int // rows of the two 9.5 ratios (for the chart)
	if !sc.province {
		u := sc.unit.Code
		// The previous figure of this unit, through its predecessors after a change of structure.
		prevRes := func(k string) (*result, bool) {
			if d.prev == nil {
				return nil, true
			}
			return d.prev.resultBefore(sc.unit, k)
		}
		if sc.unit.Level == string(ntm.LevelCommune) {
			r := d.res(u, keyC8)
			if err := figure("Tiêu chí 8 của xã", w.resultValue(r), w.resultStatus(r), blank, explanation(r)); err != nil {
				return err
			}
		}
		if r := d.res(u, keyD95); r != nil {
			if err := figure("Chỉ tiêu 9.5 (đạt cả hai tỷ lệ)", w.resultValue(r), w.statusCell(r.Status), blank, r.Explanation); err != nil {
				return err
			}
		}
		info := ""
		if sc.unit.Level == string(ntm.LevelCommune) && d.res(u, keyD95) == nil {
			info = " (tham khảo)"
		}
		for _, k := range []string{keyD95Proc, keyD95Dossiers} {
			r := d.res(u, k)
			if r == nil {
				continue
			}
			pr, ok := prevRes(k)
			trend := w.trendRatio(r.Num, r.Den, valueNum(pr), valueDen(pr), r.HasValue, pr != nil && pr.HasValue)
			if !ok && r.HasValue {
				trend = w.incomparable()
			}
			label := fmt.Sprintf("%s (ngưỡng %s)%s", d.shortName(k), d.thresholdText(k, r.ThNum, r.ThDen), info)
			ratioRows = append(ratioRows, row)
			if err := figure(label, w.resultValue(r), w.statusCell(r.Status), trend, r.Explanation); err != nil {
				return err
			}
		}
	}
	row++

	// Charts, right under the key figures: the smart villages per commune on the left, the
	// conditions and the 9.5 ratios stacked on the right (added at the end, once their data rows
	// are known).
	// The charts have a printed page of their own: nothing above them on it, nothing cut.
	chartTop, row, err := w.chartPage(sh, row, "BIỂU ĐỒ")
	if err != nil {
		return err
	}
	// Past 20 units (the province's 61 communes) the smart-village chart is two charts of named
	// bars side by side on the chart page, and the other two charts take a second page.
	smartRows, unitWord, unitHdr := w.smartVillageRows()
	splitSmart := len(smartRows) > maxNamedBars
	otherTop := chartTop
	if splitSmart {
		if otherTop, row, err = w.chartPage(sh, row, "BIỂU ĐỒ (tiếp)"); err != nil {
			return err
		}
	}
	// Past 20 recipients the province's 9.5 chart, too, is two charts of named bars side by side,
	// on a page of its own: unnamed, a recipient without data was a gap under the threshold.
	ratioPeers := 0
	if sc.province && len(ratioRows) == 0 {
		ratioPeers = len(d.peers(sc.provinceCode()))
	}
	splitRatio := splitSmart && ratioPeers > maxNamedBars
	ratioPageTop := 0
	if splitRatio {
		if ratioPageTop, row, err = w.chartPage(sh, row, "BIỂU ĐỒ (tiếp)"); err != nil {
			return err
		}
	}
	if err := w.breakBefore(sh, row); err != nil {
		return err
	}
	// From here the tables follow the printed pages: each starts a page when its first rows would
	// not fit, and one running over pages starts each with its header again.
	p := w.newPager(sh)
	blankRow := func() { row++; p.add(oneLinePt) }

	// II. The province's own results, whatever the evaluation computed for it.
	if sc.province && len(d.resultsOf(sc.unit.Code)) > 0 {
		title := cell{"II. CHỈ SỐ TOÀN TỈNH", st.section}
		// A row counts the units that meet a criterion of their own level: the province's own
		// "met" would need every unit to meet it, so no status is shown — except for a criterion
		// the set gives the province itself (its own target), decided on the province's figures.
		hdr := []cell{w.hdr("STT"), w.hdr("Chỉ số"), w.hdr("Số đơn vị đạt"), w.hdr("Tổng số đơn vị"),
			w.hdr("Tỷ lệ đơn vị đạt"), w.hdr("Chưa đạt / chưa có số liệu"), w.hdr("Mục tiêu của tỉnh"), w.hdr("Đánh giá so với mục tiêu")}
		var rows [][]cell
		keys := make([]string, 0, len(d.resultsOf(sc.unit.Code)))
		for k := range d.resultsOf(sc.unit.Code) {
			keys = append(keys, k)
		}
		sort.Slice(keys, func(i, j int) bool { return d.criterionLess(keys[i], keys[j]) })
		for i, k := range keys {
			r := d.res(sc.unit.Code, k)
			own := false
			if c := d.eval.Set.Criterion(k); c != nil && c.Level == ntm.LevelProvince {
				own = true
			}
			var met, total, share cell
			target, status := w.txt("Không đặt mục tiêu cấp tỉnh"), w.txt("")
			if own {
				met, total, share = w.resultValue(r), w.txt(""), w.txt("")
				target, status = w.txt(d.thresholdText(k, r.ThNum, r.ThDen)), w.statusCell(r.Status)
			} else if r.HasValue && r.Den == 1 && r.ThDen == 1 {
				met, total, share = cell{r.Num, st.integer}, cell{r.ThNum, st.integer}, w.pct(r.Num, r.ThNum)
			} else {
				met, total, share = w.resultValue(r), w.txt(""), w.txt("")
			}
			rest := ""
			if n, ok := detailInt(r, "not_met"); ok {
				rest = fmt.Sprintf("%s chưa đạt", vnfmt.Int(n))
			}
			if n, ok := detailInt(r, "no_data"); ok {
				rest = joinLines(rest, fmt.Sprintf("%s chưa có số liệu", vnfmt.Int(n)))
			}
			rows = append(rows, []cell{w.num(i + 1), w.wrap(d.criterionName(k)), met, total, share,
				w.wrap(rest), w.wrap(cellText(target)), status})
		}
		var err error
		if _, row, err = p.table(row, &title, hdr, rows); err != nil {
			return err
		}
		blankRow()
	}

	// III. Coverage of each village condition: the data of the second chart.
	covTitle := cell{"III. MỨC ĐỘ ĐẠT TỪNG ĐIỀU KIỆN THÔN THÔNG MINH", st.section}
	covTop := row + 1 // the header, under the title
	var covCells [][]cell
	for i, k := range d.villageCriteria() {
		c := coverageTotal(d.coverage, k, sc.communes)
		n := c.Met + c.NotMet + c.NoData
		share := blank
		if n > 0 {
			share = w.pct(int64(c.Met), int64(n))
		}
		trend := blank
		if d.prev != nil {
			trend = trendCount(c.Met, coverageTotal(d.prev.coverage, k, prevCommunes).Met, true)
		}
		covCells = append(covCells, []cell{w.num(i + 1), w.wrap(d.shortName(k)), cell{c.Met, st.met}, cell{c.NotMet, st.notMet},
			cell{c.NoData, st.noData}, share, trend})
	}
	covRows, next, err := p.table(row, &covTitle, []cell{w.hdr("STT"), w.hdr("Điều kiện"), w.hdr("Số thôn đạt"), w.hdr("Chưa đạt"),
		w.hdr("Chưa có số liệu"), w.hdr("Tỷ lệ thôn đạt"), w.hdr(trendHdr)}, covCells)
	if err != nil {
		return err
	}
	row = next
	blankRow()

	// IV. The two 9.5 ratios against their thresholds (a district's or a commune's own): the data
	// of the third chart.
	ratioTop, unitTop := 0, 0
	var ratioData, unitRows []int
	if len(ratioRows) > 0 {
		title := cell{"IV. CHỈ TIÊU 9.5 SO VỚI NGƯỠNG", st.section}
		ratioTop = row + 1
		var cells [][]cell
		for i, k := range []string{keyD95Proc, keyD95Dossiers} {
			r := d.res(sc.unit.Code, k)
			if r == nil {
				continue
			}
			th := cell{float64(r.ThNum) / float64(r.ThDen), st.percent}
			// The bar of the chart is in the column of its status (green met, red not met); a
			// ratio without data says so in its label, so the chart never shows only a threshold.
			name := d.shortName(k)
			metV, notV := w.txt(""), w.txt("")
			switch {
			case r.Status == ntm.StatusNoData || !r.HasValue:
				name += " (" + ntm.StatusNoData.Label() + ")"
			case r.Status == ntm.StatusMet:
				metV = w.resultValue(r)
			default:
				notV = w.resultValue(r)
			}
			cells = append(cells, []cell{w.num(i + 1), w.wrap(name), w.resultValue(r), th, w.statusCell(r.Status), metV, notV})
		}
		var err error
		if ratioData, row, err = p.table(row, &title, []cell{w.hdr("STT"), w.hdr("Tỷ lệ"), w.hdr("Đạt được"), w.hdr("Ngưỡng"), w.hdr("Đánh giá"),
			w.hdr("Đạt ngưỡng"), w.hdr("Chưa đạt ngưỡng")}, cells); err != nil {
			return err
		}
		blankRow()
	} else if sc.province {
		// The province: each recipient's dossier ratio against the threshold (the chart's data).
		var rows []statusRow
		for _, p := range d.peers(sc.provinceCode()) {
			rows = append(rows, statusRow{p.name, d.res(p.code, keyD95Dossiers)})
		}
		var err error
		if unitTop, unitRows, row, err = w.statusTable(p, row, "IV. TỶ LỆ HỒ SƠ XỬ LÝ TRỰC TUYẾN TOÀN TRÌNH THEO ĐƠN VỊ",
			"Đơn vị", "Tỷ lệ hồ sơ", rows); err != nil {
			return err
		}
	}

	// V. Smart villages per commune (per district in a province workbook) against criterion 8:
	// the data of the first chart. Wards and towns, which criterion 8 does not concern, are not in it.
	smartTop := 0
	var smartData []int
	if len(smartRows) > 0 {
		var err error
		if smartTop, smartData, row, err = w.statusTable(p, row, "V. SỐ THÔN THÔNG MINH THEO "+strings.ToUpper(unitWord)+" (TIÊU CHÍ 8)",
			unitHdr, "Số thôn thông minh", smartRows); err != nil {
			return err
		}
	}

	// Legend.
	legendTitle := cell{"CHÚ THÍCH", st.section}
	legend := []struct {
		s    ntm.Status
		text string
	}{
		{ntm.StatusMet, "đạt ngưỡng của tiêu chí"},
		{ntm.StatusNotMet, "đã có số liệu nhưng chưa đạt ngưỡng"},
		{ntm.StatusNoData, fmt.Sprintf("thiếu số liệu, hoặc số liệu cũ hơn %d tháng trước cuối kỳ: xem trang %s", d.eval.StaleMonths, sheetQuality)},
	}
	// The legend's rows start in column B.
	legendRow := func(cells ...cell) []cell { return append([]cell{{nil, 0}}, cells...) }
	if err := p.keep(row, p.height([]cell{legendTitle}, nil), oneLinePt, oneLinePt, oneLinePt); err != nil {
		return err
	}
	if err := w.put(sh, row, legendTitle); err != nil {
		return err
	}
	p.add(p.height([]cell{legendTitle}, nil))
	row++
	for _, l := range legend {
		if err := w.putAt(sh, row, 2, w.statusCell(l.s), w.plain(l.text)); err != nil {
			return err
		}
		p.add(p.height(legendRow(w.statusCell(l.s), w.plain(l.text)), nil))
		row++
	}
	notes := []string{
		"Tỷ lệ phần trăm được làm tròn xuống (99,96% hiển thị là 99,9%), không bao giờ làm tròn lên.",
		"Trang " + sheetOCOP + ": sản phẩm chưa lên sàn TMĐT tô đỏ, sản phẩm hết hạn tô vàng.",
	}
	if d.prev != nil {
		notes = append(notes, fmt.Sprintf("Cột “%s”: chữ xanh là thay đổi tốt lên, chữ đỏ là xấu đi.", trendHdr))
	}
	if n := d.structureNote(); n != "" {
		notes = append(notes, n)
	}
	for _, n := range notes {
		if err := w.putAt(sh, row, 2, w.plain(n)); err != nil {
			return err
		}
		p.add(oneLinePt)
		row++
	}
	blankRow()

	// Status by commune: the last block, so its filter may reach the end of the sheet (the
	// header rows repeated at the top of its pages are inside the filtered range).
	hdr := []cell{w.hdr("STT")}
	if sc.withDistricts() {
		hdr = append(hdr, w.hdr("Huyện"))
	}
	// The communes' 9.5 ratios are for information under a district, and decide without one.
	info := ""
	if len(sc.districts) > 0 {
		info = " (tham khảo)"
	}
	hdr = append(hdr, w.hdr("Xã"), w.hdr("Mã xã"), w.hdr("Số thôn"), w.hdr("Số thôn thông minh"), w.hdr("Tiêu chí 8"),
		w.hdr("Tỷ lệ TTHC cung cấp DVCTT"+info), w.hdr("Tỷ lệ hồ sơ toàn trình"+info))
	top := row + 1
	var unitCells [][]cell
	for i, c := range sc.communes {
		vc := d.villages[c.Code]
		cells := []cell{w.num(i + 1)}
		if sc.withDistricts() {
			cells = append(cells, w.txt(sc.districtOf[c.Code].Name))
		}
		cells = append(cells, w.txt(c.Name), w.txt(c.Code), w.num(vc.Villages), w.num(vc.Smart),
			w.resultStatus(d.res(c.Code, keyC8)),
			w.resultValue(d.res(c.Code, keyD95Proc)), w.resultValue(d.res(c.Code, keyD95Dossiers)))
		unitCells = append(unitCells, cells)
	}
	if _, row, err = p.table(row, &cell{"TÌNH HÌNH THEO XÃ", st.section}, hdr, unitCells); err != nil {
		return err
	}
	if len(sc.communes) > 0 {
		if err := w.f.AutoFilter(sh, rangeRef(1, top, len(hdr), row-1), nil); err != nil {
			return err
		}
	}

	one, zero := 1.0, 0.0
	// Chart 1: smart villages per commune (per district in a province workbook) against criterion 8.
	switch smartN := len(smartData); {
	case splitSmart && smartN > 0:
		// Two charts of named bars, in the order of section V, every bar printing its number, on
		// one scale, so that equal bars look equal.
		top := 0.0
		for _, u := range smartRows {
			if u.r != nil {
				top = max(top, float64(u.r.Num), float64(u.r.ThNum)/float64(max(1, u.r.ThDen)))
			}
		}
		top = math.Ceil((top+1)/5) * 5
		axis := excelize.ChartAxis{MajorGridLines: true, Minimum: &zero, Maximum: &top, NumFmt: excelize.ChartNumFmt{CustomNumFmt: "0"}, Font: axisFont}
		labels := excelize.ChartPlotArea{ShowVal: true, NumFmt: excelize.ChartNumFmt{CustomNumFmt: "0"}}
		if err := w.splitStatusCharts(sh, smartTop, smartData, chartTop, "Số thôn thông minh theo "+unitWord, axis, labels); err != nil {
			return fmt.Errorf("chart of smart villages: %w", err)
		}
	case smartN > 0:
		bars, line := w.statusChart(sh, smartTop, smartData, "Số thôn thông minh theo "+unitWord)
		bars.Dimension = excelize.ChartDimension{Width: 500, Height: (2*chartRows + 1) * chartRowPx}
		bars.YAxis = excelize.ChartAxis{MajorGridLines: true, Minimum: &zero, NumFmt: excelize.ChartNumFmt{CustomNumFmt: "0"}, Font: axisFont}
		// Each bar prints its number (a reader must not estimate it from the gridlines); the
		// series cell of the other status is left empty, so it draws no bar and no "0".
		bars.PlotArea = excelize.ChartPlotArea{ShowVal: true, NumFmt: excelize.ChartNumFmt{CustomNumFmt: "0"}}
		line.XAxis, line.YAxis = bars.XAxis, bars.YAxis
		if err := w.f.AddChart(sh, cellName(1, chartTop), bars, line); err != nil {
			return fmt.Errorf("chart of smart villages: %w", err)
		}
	}
	// Beside it, or on the second chart page side by side (splitSmart): the conditions and 9.5.
	condAt, condSize := cellName(5, chartTop), excelize.ChartDimension{Width: 600, Height: chartRows * chartRowPx}
	ratioAt, ratioSize := cellName(5, chartTop+chartRows+1), excelize.ChartDimension{Width: 600, Height: chartRows * chartRowPx}
	if splitSmart {
		condAt, condSize = cellName(1, otherTop), excelize.ChartDimension{Width: 500, Height: (2*chartRows + 1) * chartRowPx}
		ratioAt, ratioSize = cellName(5, otherTop), excelize.ChartDimension{Width: 600, Height: (2*chartRows + 1) * chartRowPx}
	}
	if splitRatio {
		condSize.Width = 1100 // the page is its own
	}
	// Chart 2: coverage of each condition (villages met / not met / no data).
	if len(covRows) > 0 {
		cats := rowsRange(sh, 2, covRows)
		if err := w.f.AddChart(sh, condAt, &excelize.Chart{
			Type: excelize.BarStacked,
			Series: []excelize.ChartSeries{
				{Name: absCell(sh, 3, covTop), Categories: cats, Values: rowsRange(sh, 3, covRows), Fill: solid("70AD47")},
				{Name: absCell(sh, 4, covTop), Categories: cats, Values: rowsRange(sh, 4, covRows), Fill: solid("E06666")},
				{Name: absCell(sh, 5, covTop), Categories: cats, Values: rowsRange(sh, 5, covRows), Fill: solid("BFBFBF")},
			},
			Title:     chartTitle("Số thôn đạt từng điều kiện"),
			Legend:    excelize.ChartLegend{Position: "bottom"},
			Dimension: condSize,
			XAxis:     excelize.ChartAxis{ReverseOrder: true, Font: axisFont},
			YAxis:     excelize.ChartAxis{MajorGridLines: true, NumFmt: excelize.ChartNumFmt{CustomNumFmt: "0"}, Font: axisFont},
		}); err != nil {
			return fmt.Errorf("chart of the conditions: %w", err)
		}
	}
	// Chart 3: the two 9.5 ratios against their thresholds (per district in a province workbook).
	var ratioChart, thresholdLine *excelize.Chart
	switch {
	case ratioTop > 0:
		cats := rowsRange(sh, 2, ratioData)
		ratioChart = &excelize.Chart{
			Type: excelize.ColStacked,
			Series: []excelize.ChartSeries{
				{Name: absCell(sh, 6, ratioTop), Categories: cats, Values: rowsRange(sh, 6, ratioData), Fill: solid("70AD47")},
				{Name: absCell(sh, 7, ratioTop), Categories: cats, Values: rowsRange(sh, 7, ratioData), Fill: solid("E06666")},
			},
			Title: chartTitle("Chỉ tiêu 9.5: tỷ lệ đạt được so với ngưỡng"),
		}
		thresholdLine = &excelize.Chart{
			Type: excelize.Line,
			Series: []excelize.ChartSeries{{Name: absCell(sh, 4, ratioTop), Categories: cats, Values: rowsRange(sh, 4, ratioData),
				Line:   excelize.LineOptions{Type: excelize.LineNone},
				Marker: thresholdDash}},
		}
	case splitRatio && len(unitRows) > 0:
		// As the smart villages, without value labels (65 ratios; the table has them).
		axis := excelize.ChartAxis{MajorGridLines: true, Minimum: &zero, Maximum: &one, NumFmt: excelize.ChartNumFmt{CustomNumFmt: "0%"}, Font: axisFont}
		if err := w.splitStatusCharts(sh, unitTop, unitRows, ratioPageTop, "Tỷ lệ hồ sơ xử lý trực tuyến toàn trình theo đơn vị", axis, excelize.ChartPlotArea{}); err != nil {
			return fmt.Errorf("chart of indicator 9.5: %w", err)
		}
	case len(unitRows) > 0:
		ratioChart, thresholdLine = w.statusChart(sh, unitTop, unitRows, "Tỷ lệ hồ sơ xử lý trực tuyến toàn trình theo đơn vị")
	}
	if ratioChart != nil {
		ratioChart.Legend = excelize.ChartLegend{Position: "bottom"}
		ratioChart.PlotArea = excelize.ChartPlotArea{ShowVal: ratioTop > 0, NumFmt: excelize.ChartNumFmt{CustomNumFmt: "0.0%"}}
		ratioChart.Dimension = ratioSize
		if ratioTop > 0 {
			ratioChart.XAxis = excelize.ChartAxis{Font: axisFont}
		}
		ratioChart.YAxis = excelize.ChartAxis{MajorGridLines: true, Minimum: &zero, Maximum: &one, NumFmt: excelize.ChartNumFmt{CustomNumFmt: "0%"}, Font: axisFont}
		var combo []*excelize.Chart
		if thresholdLine != nil {
			thresholdLine.XAxis, thresholdLine.YAxis = ratioChart.XAxis, ratioChart.YAxis
			combo = append(combo, thresholdLine)
		}
		if err := w.f.AddChart(sh, ratioAt, ratioChart, combo...); err != nil {
			return fmt.Errorf("chart of indicator 9.5: %w", err)
		}
	}
	return w.printSetup(sh, "")
}

// splitStatusCharts draws a status chart of many units as two charts of named bars side by side
// from row at, each the chart page's height: the first 5/12 of the units (in the left chart's 500
// pixels) and the rest (in the right one's 700), titled with the units they hold ("(1–25/61)"), on
// one value axis.
func (w *workbook) splitStatusCharts(sh string, top int, rows []int, at int, title string, axis excelize.ChartAxis, plot excelize.ChartPlotArea) error {
	half := len(rows) * 5 / 12
	from := 1
	for i, part := range [][]int{rows[:half], rows[half:]} {
		t := fmt.Sprintf("%s (%d–%d/%d)", title, from, from+len(part)-1, len(rows))
		from += len(part)
		bars, line := w.statusChartRows(sh, top, part, t, true)
		bars.Dimension = excelize.ChartDimension{Width: uint(500 + 200*i), Height: (2*chartRows + 1) * chartRowPx}
		bars.YAxis, bars.PlotArea = axis, plot
		line.XAxis, line.YAxis = bars.XAxis, bars.YAxis
		if err := w.f.AddChart(sh, cellName(1+4*i, at), bars, line); err != nil {
			return err
		}
	}
	return nil
}

// chartPage starts a printed page of charts at row: its title, then the rows the charts cover, of
// a fixed 15 pt, so that charts sized in pixels end where planned whatever the application's
// default row height. It returns the charts' first row and the row after the page.
func (w *workbook) chartPage(sh string, row int, title string) (top, next int, err error) {
	if err := w.breakBefore(sh, row); err != nil {
		return 0, 0, err
	}
	if err := w.put(sh, row, cell{title, w.st.section}); err != nil {
		return 0, 0, err
	}
	top = row + 1
	for r := top; r < top+2*chartRows+2; r++ {
		if err := w.setRowHeight(sh, r, 15); err != nil {
			return 0, 0, err
		}
	}
	return top, top + 2*chartRows + 2, nil
}

// statusRow is one unit of a status chart's table: its name and its result (nil: no data).
type statusRow struct {
	name string
	r    *result
}

// statusTable writes a chart's data under its section title: one row per unit with its value, its
// threshold and status, and the value again in the column of its status (green met, red not met)
// for the chart's bars; a unit without data says so in its label, so the chart never shows only a
// threshold. The table follows the printed pages (p): its header starts every page it runs on. It
// returns the header row, the rows of the units (in order, the repeated headers between them
// left out) and the next free row.
func (w *workbook) statusTable(p *pager, row int, title, unitHdr, valueHdr string, rows []statusRow) (top int, data []int, next int, err error) {
	st := w.st
	var cells [][]cell
	for i, u := range rows {
		r := u.r
		name := u.name
		metV, notV, th, status := cell{nil, st.text}, cell{nil, st.text}, w.txt(""), w.resultStatus(r)
		switch {
		case r == nil || r.Status == ntm.StatusNoData || !r.HasValue:
			name += " (" + ntm.StatusNoData.Label() + ")"
		case r.Status == ntm.StatusMet:
			metV = w.resultValue(r)
		default:
			notV = w.resultValue(r)
		}
		if r != nil && r.ThDen > 0 {
			if w.d.valueKind(r.Criterion) == evaluate.ValueRatio {
				th = cell{float64(r.ThNum) / float64(r.ThDen), st.percent}
			} else {
				th = w.num64(r.ThNum / r.ThDen)
			}
		}
		cells = append(cells, []cell{w.num(i + 1), w.wrap(name), w.resultValue(r), th, status, metV, notV})
	}
	hdr := []cell{w.hdr("STT"), w.hdr(unitHdr), w.hdr(valueHdr), w.hdr("Ngưỡng"), w.hdr("Đánh giá"),
		w.hdr("Đạt ngưỡng"), w.hdr("Chưa đạt ngưỡng")}
	data, next, err = p.table(row, &cell{title, st.section}, hdr, cells)
	if err != nil {
		return 0, nil, 0, err
	}
	next++
	p.add(oneLinePt)
	return row + 1, data, next, nil
}

// maxNamedBars is the most bars a status chart names in its width: past it LibreOffice would
// shrink every label of the chart below 8 pt, so the table names them, in the bars' order (or,
// for the smart villages, the chart is split in two, side by side, with the names upright).
const maxNamedBars = 20

// statusChart is the chart of a statusTable: the values as bars coloured by status (a stacked
// pair of series) and the thresholds as a line over them. Past maxNamedBars units the bars are
// not named.
func (w *workbook) statusChart(sh string, top int, rows []int, title string) (bars, line *excelize.Chart) {
	return w.statusChartRows(sh, top, rows, title, len(rows) <= maxNamedBars)
}

// statusChartRows is statusChart for some of the table's data rows (header at top); named: the
// bars carry their units' names, turned upright past maxNamedBars so 36 of them fit in half a page
// (10 pt: LibreOffice prints them at 8 pt or more at the summary's scale).
func (w *workbook) statusChartRows(sh string, top int, rows []int, title string, named bool) (bars, line *excelize.Chart) {
	cats := rowsRange(sh, 2, rows)
	xAxis := excelize.ChartAxis{Font: axisFont, None: !named}
	if named && len(rows) > maxNamedBars {
		xAxis.Alignment = excelize.Alignment{TextRotation: -90}
	}
	bars = &excelize.Chart{
		Type: excelize.ColStacked,
		Series: []excelize.ChartSeries{
			{Name: absCell(sh, 6, top), Categories: cats, Values: rowsRange(sh, 6, rows), Fill: solid("70AD47")},
			{Name: absCell(sh, 7, top), Categories: cats, Values: rowsRange(sh, 7, rows), Fill: solid("E06666")},
		},
		Title:  chartTitle(title),
		Legend: excelize.ChartLegend{Position: "bottom"},
		XAxis:  xAxis,
	}
	threshold := excelize.ChartSeries{Name: absCell(sh, 4, top), Categories: cats, Values: rowsRange(sh, 4, rows),
		Fill: solid("1F1F1F"), Line: excelize.LineOptions{Type: excelize.LineSolid, Width: 2, Fill: solid("1F1F1F")},
		Marker: excelize.ChartMarker{Symbol: "none"}}
	if len(rows) == 1 {
		// A line needs two points: a commune's one bar has its threshold as a dash across it.
		threshold.Line, threshold.Marker = excelize.LineOptions{Type: excelize.LineNone}, thresholdDash
	}
	line = &excelize.Chart{Type: excelize.Line, Series: []excelize.ChartSeries{threshold}}
	return bars, line
}

// smartVillageRows are the units of the smart-village chart and of section V: the communes
// (the districts in a province workbook with districts) that criterion 8 concerns, with the
// word and header naming them.
func (w *workbook) smartVillageRows() (rows []statusRow, unitWord, unitHdr string) {
	d, sc := w.d, w.sc
	unitWord, unitHdr = "xã", "Xã"
	if sc.withDistricts() {
		unitWord, unitHdr = "huyện", "Huyện"
		for _, dist := range sc.districts {
			if r := d.districtC8(sc, dist); r != nil {
				rows = append(rows, statusRow{dist.Name, r})
			}
		}
		return rows, unitWord, unitHdr
	}
	for _, c := range sc.communes {
		if r := d.res(c.Code, keyC8); r != nil {
			rows = append(rows, statusRow{c.Name, r})
		}
	}
	return rows, unitWord, unitHdr
}

func valueNum(r *result) int64 {
	if r == nil {
		return 0
	}
	return r.Num
}

func valueDen(r *result) int64 {
	if r == nil {
		return 0
	}
	return r.Den
}

// absCell is "'Sheet'!$C$5": a series name read from a header cell (a literal name is not portable).
func absCell(sheet string, col, row int) string {
	c, _ := excelize.ColumnNumberToName(col)
	return fmt.Sprintf("'%s'!$%s$%d", sheet, c, row)
}

// absRange is "'Sheet'!$B$5:$B$9" for one column.
func absRange(sheet string, col, r1, r2 int) string {
	c, _ := excelize.ColumnNumberToName(col)
	return fmt.Sprintf("'%s'!$%s$%d:$%s$%d", sheet, c, r1, c, r2)
}

// thresholdDash draws a threshold as a dash across each bar, where a line through the bars'
// centres cannot be drawn or read (one bar; two ratios side by side).
var thresholdDash = excelize.ChartMarker{Symbol: "dash", Size: 20, Fill: solid("1F1F1F"),
	Border: excelize.LineOptions{Type: excelize.LineSolid, Width: 2.5, Fill: solid("1F1F1F")}}

// axisFont keeps axis labels dark enough to read on paper.
var axisFont = excelize.Font{Color: "262626", Size: 10, Family: reportFont}

func solid(color string) excelize.Fill {
	return excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{color}}
}

func chartTitle(s string) excelize.ChartTitle {
	return excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: s, Font: &excelize.Font{Bold: true, Size: 12}}}}
}

func explanation(r *result) string {
	if r == nil {
		return ""
	}
	return r.Explanation
}

func cellName(col, row int) string {
	n, _ := excelize.CoordinatesToCellName(col, row)
	return n
}

func cellText(c cell) string {
	s, _ := c.v.(string)
	return s
}
