package reports

import (
	"context"
	"strings"
	"testing"
	"time"

	"ntm"
	"ntm/evaluate"
)

// A source file's notes are shown to the commune they concern: Xã Chi Lăng's workbook shows
// the file's general note and its own old names (listed in section 4, counted in the file's
// row), and counts the note about Xã Đình Lập's village as the province's; the province's
// workbook counts and lists all three old names, grouped by the commune they concern now. The
// file's row counts (rows read, loaded, rejected) are the same in both.
func TestQualitySheetShowsACommuneItsOwnNotes(t *testing.T) {
	t.Parallel()
	pool := twoStructures(t)
	ctx := context.Background()
	msg := strings.Join([]string{
		`bỏ qua trang "Cũ": trang bị ẩn (hiện trang đó trong Excel nếu đó là dữ liệu cần nạp)`,
		"đơn vị cũ: Khu Hòa Bình (cũ, 06463-001) → Khu Hòa Bình (06463-002)",
		"đơn vị cũ: Xã Chi Lăng (cũ, 06523) → Xã Chi Lăng (06463)",
		"đơn vị cũ: Thôn Lũng Sla (cũ, 06622-001) → Thôn Lũng Sla (06613-002)",
		"đã cộng số hồ sơ của 2 đơn vị cũ vào Xã Chi Lăng (06463): Xã Chi Lăng (cũ, 06523), Thị trấn Đồng Mỏ (cũ, 06463) — Tháng 8/2025 (dòng 4, 5)",
	}, "\n")
	exec1(t, pool, `INSERT INTO batch (id, dataset, source_uri, file_name, sha256, received_at, as_of, status, rows_read, rows_loaded, rows_rejected, message)
		VALUES (7, 'vpostcode', 'file:///in/vpostcode-2025-08.xlsx', 'vpostcode-2025-08.xlsx', 'a7', '2025-09-05 03:00:00+00', '2025-08-31', 'loaded', 40, 37, 1, $1)`, msg)
	per := ntm.Period{Year: 2025, Month: time.September}
	if _, err := evaluate.Evaluate(ctx, pool, per); err != nil { // the file in the evaluation's snapshot
		t.Fatal(err)
	}
	commune, err := Write(ctx, pool, per, Options{OutDir: t.TempDir(), Recipient: "06463"})
	if err != nil {
		t.Fatal(err)
	}
	province, err := Write(ctx, pool, per, Options{OutDir: t.TempDir(), Recipient: "20"})
	if err != nil {
		t.Fatal(err)
	}
	sh := sheetQuality
	counts := func(path string) (string, string, string) {
		f := open(t, path)
		r := itoa(findRow(t, f, sh, "B", "vpostcode-2025-08.xlsx"))
		return raw(t, f, sh, "F"+r) + "/" + raw(t, f, sh, "G"+r) + "/" + raw(t, f, sh, "H"+r), sheetRowText(t, f, sh, r), sheetText(t, f, sh)
	}
	cCounts, cRow, cText := counts(commune[0])
	pCounts, pRow, pText := counts(province[0])
	if cCounts != "40/37/1" || pCounts != cCounts {
		t.Errorf("rows read/loaded/rejected: commune %s, province %s, want 40/37/1 in both", cCounts, pCounts)
	}
	for _, want := range []string{`bỏ qua trang "Cũ": trang bị ẩn`, "đã cộng số hồ sơ của 2 đơn vị cũ vào Xã Chi Lăng (06463)",
		"2 thôn, xã tệp còn ghi theo tên hoặc mã trước khi sắp xếp", "không cần làm gì (danh sách ở mục 4)",
		"1 ghi chú khác của tệp nói về đơn vị khác trong tỉnh: xem báo cáo toàn tỉnh"} {
		if !strings.Contains(cRow, want) {
			t.Errorf("the commune's file row lacks %q:\n%s", want, cRow)
		}
	}
	for _, want := range []string{"4. Thôn, xã tệp nguồn còn ghi theo tên hoặc mã trước khi sắp xếp", "xã không cần làm gì",
		"Khu Hòa Bình (mã cũ 06463-001, thuộc Thị trấn Đồng Mỏ cũ) → mã mới 06463-002",
		"Xã Chi Lăng (mã cũ 06523, thuộc Huyện Chi Lăng cũ) → mã mới 06463"} {
		if !strings.Contains(cText, want) {
			t.Errorf("the commune's sheet lacks %q", want)
		}
	}
	if strings.Contains(cText, "Lũng Sla") || strings.Contains(cText, "06613") {
		t.Errorf("the commune's sheet shows Xã Đình Lập's note:\n%s", cText)
	}
	if !strings.Contains(pRow, "3 thôn, xã tệp còn ghi theo tên hoặc mã trước khi sắp xếp") || strings.Contains(pRow, "đơn vị khác trong tỉnh") ||
		strings.Contains(pRow, "đơn vị cũ:") {
		t.Errorf("the province's file row:\n%s", pRow)
	}
	f := open(t, province[0])
	sec := findRow(t, f, sh, "A", "4. Thôn, xã tệp nguồn còn ghi theo tên hoặc mã trước khi sắp xếp")
	chi, dinh := sec+3, sec+4
	if raw(t, f, sh, "B"+itoa(chi)) != "Xã Chi Lăng" || raw(t, f, sh, "B"+itoa(dinh)) != "Xã Đình Lập" {
		t.Errorf("the province's old names by commune:\n%s", pText)
	}
	if chi >= dinh || raw(t, f, sh, "E"+itoa(chi)) != "2" || raw(t, f, sh, "E"+itoa(dinh)) != "1" ||
		!strings.Contains(raw(t, f, sh, "F"+itoa(dinh)), "Thôn Lũng Sla (mã cũ 06622-001, thuộc Xã Bính Xá cũ) → mã mới 06613-002") {
		t.Errorf("the province's old names by commune:\n%s", pText)
	}
}
