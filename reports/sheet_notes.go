package reports

import (
	"context"
	"fmt"
)

// writeNotes writes the criteria of the evaluation's set — name, level, threshold, how it is
// computed — and the conventions of the workbook.
func (w *workbook) writeNotes(_ context.Context) error {
	const sh = sheetNotes
	d, st := w.d, w.st
	if err := w.put(sh, 1, cell{"GHI CHÚ: CÁC TIÊU CHÍ VÀ CÁCH TÍNH", st.title}); err != nil {
		return err
	}
	if err := w.put(sh, 2, w.plain(fmt.Sprintf("Bộ tiêu chí: %s (mã %s)", d.eval.SetName, d.eval.SetKey))); err != nil {
		return err
	}
	const top = 4
	if err := w.setWidths(sh, 6, 20, 50, 10, 12, 80); err != nil {
		return err
	}
	if err := w.put(sh, top, w.hdr("STT"), w.hdr("Mã"), w.hdr("Tiêu chí"), w.hdr("Cấp"), w.hdr("Ngưỡng"), w.hdr("Cách tính")); err != nil {
		return err
	}
	row := top + 1
	for i, c := range d.criteria {
		if err := w.put(sh, row, w.num(i+1), w.txt(c.Key), w.wrap(c.Name), w.txt(levelNames[c.Level]),
			w.txt(thresholdText(c.Key, c.ThNum, c.ThDen)), w.wrap(c.Description)); err != nil {
			return err
		}
		row++
	}
	if row > top+1 {
		if err := w.f.AutoFilter(sh, rangeRef(1, top, 6, row-1), nil); err != nil {
			return err
		}
	}
	row++
	notes := []string{
		"Mỗi kết quả có một trong ba mức: Đạt, Chưa đạt, Chưa có số liệu. Thiếu số liệu không bao giờ bị coi là Chưa đạt.",
		fmt.Sprintf("Số liệu cũ hơn %d tháng trước ngày cuối kỳ (%s) được coi là chưa có số liệu.", d.eval.StaleMonths, d.period.End().Format("02/01/2006")),
		"Mỗi thôn, xã, huyện dùng số liệu mới nhất tính đến cuối kỳ (theo ngày số liệu, rồi theo thời điểm nạp tệp).",
		"Tỷ lệ được so sánh chính xác bằng số nguyên; tỷ lệ phần trăm hiển thị được làm tròn xuống đến 0,1%.",
		"Tỷ lệ dịch vụ công của từng xã chỉ để tham khảo; chỉ tiêu 9.5 được đánh giá trên toàn huyện.",
		"Các tệp nguồn đã dùng và các dòng số liệu bị loại được liệt kê ở trang " + sheetQuality + ".",
	}
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
