package msg

import (
	"fmt"

	"ntm/vnfmt"
)

// The lines ntm demo prints as it writes its sample exports, loads, evaluates and writes the
// workbooks (cmd/ntm/demo.go). Counts are written the Vietnamese way (15.153).

// DemoNationalExportsWritten: the national sample's exports are all on disk ("Đã ghi 568 tệp
// dữ liệu mẫu toàn quốc vào ntm-demo/inputs (15 giây)."), seconds after the demo started.
func DemoNationalExportsWritten(dir string, files int, seconds float64) string {
	return fmt.Sprintf("Đã ghi %s tệp dữ liệu mẫu toàn quốc vào %s (%.0f giây).", vnfmt.Int(int64(files)), dir, seconds)
}

// DemoLangSonExportsWritten: the Lạng Sơn sample's exports are written.
func DemoLangSonExportsWritten(dir string, files int) string {
	return fmt.Sprintf("Đã ghi %s tệp dữ liệu mẫu của tỉnh Lạng Sơn vào %s.", vnfmt.Int(int64(files)), dir)
}

// DemoLoadProgress is the national demo's progress line: "Đã nạp 50/568 tệp (4 giây)."
func DemoLoadProgress(n, total int, seconds float64) string {
	return fmt.Sprintf("Đã nạp %s/%s tệp (%.0f giây).", vnfmt.Int(int64(n)), vnfmt.Int(int64(total)), seconds)
}

// DemoLoaded ends the load of a period's exports: "Đã nạp 568 tệp (0 tệp đã nạp từ trước)."
// (run twice, the demo loads nothing new).
func DemoLoaded(loaded, already int) string {
	return fmt.Sprintf("Đã nạp %s tệp (%s tệp đã nạp từ trước).", vnfmt.Int(int64(loaded)), vnfmt.Int(int64(already)))
}

// DemoReformLoaded ends the load of the 2025–2026 exports and the structure files.
func DemoReformLoaded(loaded, structure, before, rejected int) string {
	return fmt.Sprintf("Đã nạp %d tệp năm 2025–2026 và %d tệp danh mục đơn vị (%d tệp đã nạp từ trước, %d tệp bị loại cả tệp).",
		loaded, structure, before, rejected)
}

// DemoReformHeading introduces the 2025 changes of structure.
const DemoReformHeading = "Các thay đổi về đơn vị hành chính năm 2025:"

// DemoReformSkipped: a build that cannot import a structure from a date wrote the 2025–2026
// exports but did not load them.
const DemoReformSkipped = "Các thay đổi về đơn vị hành chính năm 2025 (1/1/2025, 1/7/2025: 65 xã, phường) và dữ liệu năm 2025–2026 đã được ghi vào thư mục dữ liệu\n" +
	"nhưng chưa nạp: bản ntm này chưa nhập được danh mục đơn vị có hiệu lực từ một ngày cùng các đơn vị kế thừa."

// DemoPeriod heads a period's summary: "Kỳ 2024-12:".
func DemoPeriod(p string) string { return fmt.Sprintf("Kỳ %s:", p) }

// The summary's labels, each followed by DemoTally.
const (
	DemoSmartVillages   = "thôn thông minh (SMART_VILLAGE)"
	DemoCommunesC8      = "xã đạt tiêu chí 8 (C8_SMART_VILLAGE)"
	DemoDistrictsD95    = "huyện đạt chỉ tiêu 9.5 (D95)"
	DemoCommunesD95     = "xã đạt chỉ tiêu 9.5 (D95)"
	demoTallyLabelWidth = 40
)

// DemoTally is one line of a period's summary: "  thôn thông minh (SMART_VILLAGE)   15.153 / 79.967".
func DemoTally(label string, met, total int) string {
	pad := demoTallyLabelWidth - len([]rune(label))
	if pad < 1 {
		pad = 1
	}
	return fmt.Sprintf("  %s%*s%7s / %s", label, pad, "", vnfmt.Int(int64(met)), vnfmt.Int(int64(total)))
}

// DemoWorkbooksWritten: the period's workbooks are written, "Đã ghi 762 tệp báo cáo." or, run
// again, "Đã ghi 0 tệp báo cáo; 21 tệp không đổi từ lần ghi trước (cùng dữ liệu đầu vào) nên
// không ghi lại."
func DemoWorkbooksWritten(written, unchanged int) string {
	if unchanged == 0 {
		return fmt.Sprintf("Đã ghi %s tệp báo cáo.", vnfmt.Int(int64(written)))
	}
	return fmt.Sprintf("Đã ghi %s tệp báo cáo; %s tệp không đổi từ lần ghi trước (cùng dữ liệu đầu vào) nên không ghi lại.",
		vnfmt.Int(int64(written)), vnfmt.Int(int64(unchanged)))
}

// How a demo period's workbooks are split, for DemoWorkbooksWhere.
const (
	DemoPerDistrict = "mỗi huyện một tệp và một tệp cho tỉnh"
	DemoPerCommune  = "mỗi xã một tệp và một tệp cho tỉnh"
)

// DemoPerDistrictNational is the national demo's split, with the two stages' seconds.
func DemoPerDistrictNational(evaluated, written float64) string {
	return fmt.Sprintf("mỗi huyện một tệp và mỗi tỉnh một tệp; đánh giá mất %.0f giây, ghi báo cáo mất %.0f giây", evaluated, written)
}

// DemoWorkbooksWhere: where a period's workbooks are, "Báo cáo kỳ 2024-12 ở ntm-demo/reports/2024-12
// (mỗi huyện một tệp và một tệp cho tỉnh)."
func DemoWorkbooksWhere(p, dir, split string) string {
	return fmt.Sprintf("Báo cáo kỳ %s ở %s (%s).", p, dir, split)
}

// DemoNext introduces the commands to try on the demo's database.
const DemoNext = "Tiếp theo, thử các lệnh sau trên cơ sở dữ liệu của ntm demo (chưa có lệnh ntm? go install ./cmd/ntm, hoặc thay ntm bằng go run ./cmd/ntm):"
