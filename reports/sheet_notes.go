package reports

import (
	"context"
	"fmt"
	"strings"

	"ntm"
	"ntm/evaluate"
)

// writeNotes writes the criteria set the evaluation used — its name, legal basis and validity,
// then each criterion: name, level, the unit kinds it concerns, its threshold (one line per
// commune group where they differ) and how it is computed — and the conventions of the
// workbook. Everything comes from the set (evaluate.SetOf), nothing is listed here.
func (w *workbook) writeNotes(_ context.Context) error {
	const sh = sheetNotes
	d, st := w.d, w.st
	set := d.eval.Set
	head := []cell{
		{"GHI CHÚ: CÁC TIÊU CHÍ VÀ CÁCH TÍNH", st.title},
		w.plain(fmt.Sprintf("Bộ tiêu chí: %s (mã %s)", set.Name, set.Key)),
		w.plain("Căn cứ: " + basisText(set)),
		w.plain("Hiệu lực: " + set.Validity()),
	}
	if warn := evaluate.SetWarning(set, d.period); warn != "" {
		head = append(head, w.bold("Cảnh báo: "+warn))
	}
	// Widths first: a long heading line then spans and wraps across the table.
	if err := w.setWidths(sh, 6, 20, 50, 10, 22, 14, 80); err != nil {
		return err
	}
	row := 1
	for _, c := range head {
		if err := w.put(sh, row, c); err != nil {
			return err
		}
		row++
	}
	top := row + 1
	if err := w.put(sh, top, w.hdr("STT"), w.hdr("Mã"), w.hdr("Tiêu chí"), w.hdr("Cấp"), w.hdr("Ngưỡng"),
		w.hdr("Áp dụng cho"), w.hdr("Cách tính")); err != nil {
		return err
	}
	row = top + 1
	first := row
	perGroup := false
	for i, c := range d.criteria {
		kinds := "Mọi đơn vị"
		if len(c.Kinds) > 0 {
			kinds = strings.Join(c.Kinds, ", ")
		}
		perGroup = perGroup || c.PerGroup()
		if err := w.put(sh, row, w.num(i+1), w.txt(c.Key), w.wrap(c.Name), w.txt(c.Level.Label()),
			w.wrap(strings.Join(c.ThresholdLines(), "\n")), w.wrap(kinds), w.wrap(c.HowText())); err != nil {
			return err
		}
		row++
	}
	if row > top+1 {
		if err := w.f.AutoFilter(sh, rangeRef(1, top, 7, row-1), nil); err != nil {
			return err
		}
	}
	row++
	notes := []string{
		"Mỗi kết quả có một trong ba mức: Đạt, Chưa đạt, Chưa có số liệu. Thiếu số liệu không bao giờ bị coi là Chưa đạt.",
		fmt.Sprintf("Số liệu cũ hơn %d tháng trước ngày cuối kỳ (%s) được coi là chưa có số liệu.", set.StaleMonths, d.period.End().Format("02/01/2006")),
		"Mỗi thôn, xã, huyện dùng số liệu mới nhất tính đến cuối kỳ (theo ngày số liệu, rồi theo thời điểm nạp tệp).",
		"Tỷ lệ được so sánh chính xác bằng số nguyên; tỷ lệ phần trăm hiển thị được làm tròn xuống đến 0,1%.",
	}
	if has(d.criteria, func(c *evaluate.SetCriterion) bool { return c.Measure == evaluate.MeasureDossierRatio }) {
		notes = append(notes, "Tỷ lệ hồ sơ trực tuyến được tính "+windowText(set.DossierWindow)+".")
	}
	if has(d.criteria, func(c *evaluate.SetCriterion) bool { return c.Measure == evaluate.MeasureOCOP }) {
		notes = append(notes, "Sản phẩm OCOP được tính theo "+map[string]string{"commune": "xã", "village": "thôn"}[set.OCOPLocality]+" có sản phẩm.")
	}
	if has(d.criteria, func(c *evaluate.SetCriterion) bool {
		return c.Level == ntm.LevelDistrict && (c.Measure == evaluate.MeasureProcedureRatio || c.Measure == evaluate.MeasureDossierRatio)
	}) {
		notes = append(notes, servicesNote(w.sc))
	}
	if perGroup {
		notes = append(notes, "Ngưỡng theo nhóm xã: xã dùng ngưỡng của nhóm xã có hiệu lực ngày cuối kỳ, thôn dùng ngưỡng của xã; xã chưa được xếp nhóm thì chưa có số liệu (nạp danh sách nhóm xã bằng ntm criteria groups import).")
	}
	notes = append(notes, "Các tệp nguồn đã dùng và các dòng số liệu bị loại được liệt kê ở trang "+sheetQuality+".")
	if len(d.missingSources) > 0 {
		notes = append([]string{"CHÚ Ý: lượt chạy lập báo cáo này không lấy được số liệu mới từ " +
			strings.Join(d.missingSources, "; ") + ". Các số liệu tính trên dữ liệu đã có đến lúc đó."}, notes...)
	}
	// The closing block prints with the last criteria: never alone on a page.
	keepFrom := max(first, row-2-1)
	w.keepTogether(sh, keepFrom, row-keepFrom+1+len(notes))
	if err := w.put(sh, row, cell{"Quy ước", st.section}); err != nil {
		return err
	}
	row++
	for _, n := range notes {
		if err := w.putAt(sh, row, 2, w.plain("• "+n)); err != nil {
			return err
		}
		row++
	}
	if err := w.f.SetPanes(sh, freezePanes(top+1, 1)); err != nil {
		return err
	}
	return w.printSetup(sh, fmt.Sprintf("$%d:$%d", top, top))
}

// basisText is a set's legal basis in one line ("chưa ghi" when its file names none).
func basisText(s *evaluate.Set) string {
	if b := s.BasisText(); b != "" {
		return b
	}
	return "chưa ghi trong tệp bộ tiêu chí"
}

func windowText(w string) string {
	switch w {
	case "quarter":
		return "từ ngày đầu quý đến ngày cuối kỳ"
	case "month":
		return "trong tháng của kỳ"
	}
	return "từ ngày 01/01 đến ngày cuối kỳ"
}

func has(cs []*evaluate.SetCriterion, f func(*evaluate.SetCriterion) bool) bool {
	for _, c := range cs {
		if f(c) {
			return true
		}
	}
	return false
}

// servicesNote says on whose figures indicator 9.5 is decided: the district as a whole, or
// without districts each commune's own.
func servicesNote(sc *scope) string {
	if len(sc.districts) > 0 {
		return "Tỷ lệ dịch vụ công của từng xã thuộc huyện chỉ để tham khảo; tiêu chí cấp huyện được đánh giá trên toàn huyện (xã trực thuộc tỉnh được đánh giá trên chính xã)."
	}
	return "Không còn cấp huyện: tỷ lệ dịch vụ công và chỉ tiêu 9.5 của mỗi xã, phường được đánh giá trên số liệu của chính xã, phường đó."
}
