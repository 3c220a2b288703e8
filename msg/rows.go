package msg

import (
	"fmt"
	"strings"
)

// The load path's words: what happened to a file's rows, shown by ntm ingest, ntm check, the
// console's check and upload pages, and the workbooks' data-quality sheet.

// SkipReason is the Vietnamese label of a reason a row is not data (transform.SkipReason codes);
// an unknown code is returned as it is.
func SkipReason(code string) string {
	if l, ok := skipReasons[code]; ok {
		return l
	}
	return code
}

var skipReasons = map[string]string{
	"title":           "dòng tiêu đề, tên biểu trên bảng",
	"header":          "dòng tên cột",
	"column_numbers":  "dòng số thứ tự cột (1) (2) (3)",
	"repeated_header": "dòng tên cột lặp lại giữa bảng",
	"group":           "dòng nhóm (I. Huyện…, 1. Xã…)",
	"subtotal":        "dòng cộng, tổng cộng",
	"signature":       "dòng ký tên, ghi chú dưới bảng",
	"blank":           "dòng trống",
	"no_data":         "dòng không có giá trị nào ở các cột được đọc",
	"unit_only":       "dòng chỉ có tên đơn vị, chưa điền số liệu",
	"example":         "dòng ví dụ của biểu mẫu",
}

// SheetSkip is the Vietnamese reason a sheet was not read (transform's read_as codes).
func SheetSkip(code, sheet string) string {
	switch code {
	case "hidden":
		return fmt.Sprintf("bỏ qua trang %q: trang bị ẩn (hiện trang đó trong Excel nếu đó là dữ liệu cần nạp)", sheet)
	case "very_hidden":
		return fmt.Sprintf("bỏ qua trang %q: trang bị ẩn hoàn toàn (chỉ hiện được bằng VBA; nếu là dữ liệu cần nạp, hãy chép sang một trang thường)", sheet)
	case "no_header":
		return fmt.Sprintf("bỏ qua trang %q: không có dòng tên cột", sheet)
	}
	return fmt.Sprintf("bỏ qua trang %q", sheet)
}

// AlreadyLoaded: the same bytes were loaded before as batch id.
func AlreadyLoaded(id int64) string {
	return fmt.Sprintf("đã nạp trước đây: lô số %d", id)
}

// AlreadyLoadedReplaced: the same bytes were loaded as batch id, which batch by replaced since.
func AlreadyLoadedReplaced(id, by int64) string {
	return fmt.Sprintf("đã nạp trước đây: lô số %d (đã được thay bằng lô số %d)", id, by)
}

// UnclosedQuote: a CSV field opened with a quote that never closes properly.
const UnclosedQuote = "ô mở đầu bằng dấu ngoặc kép (\") mà không đóng đúng chỗ: dòng được đọc với dấu ngoặc kép là chữ thường nên các cột có thể bị lệch; sửa dấu ngoặc kép trong tệp rồi nạp lại"

// MergedCell: a data cell merged down over several rows.
func MergedCell(ref string) string {
	return fmt.Sprintf("ô số liệu được gộp (merge) qua nhiều dòng (%s): giá trị là của cả nhóm, không thuộc riêng dòng nào; bỏ gộp ô và ghi số cho từng dòng", ref)
}

// CellHasNUL: a cell holds a NUL character, which the database cannot store.
const CellHasNUL = "ô chứa ký tự rỗng (NUL, mã 0), cơ sở dữ liệu không lưu được: xóa ký tự đó (thường do chép từ phần mềm khác) rồi nạp lại"

// CellNotUTF8: a cell holds bytes that are not UTF-8 text.
const CellNotUTF8 = "ô chứa byte không phải chữ Unicode (UTF-8): tệp lẫn đoạn văn bản ở bảng mã cũ (ví dụ Windows-1258, TCVN3); lưu lại tệp dạng \"CSV UTF-8\" hoặc .xlsx"

// BatchReplacedBy: a batch re-loaded as batch by (ntm ingest --reload, the console's "Nạp lại").
func BatchReplacedBy(by int64) string {
	return fmt.Sprintf("đã được nạp lại thành lô số %d; lô này không còn được tính", by)
}

// CutLastLine: a CSV's last line, without a line break at its end, holds no data in the
// columns read: the file may have been cut short there.
const CutLastLine = "dòng cuối của tệp không kết thúc bằng dấu xuống dòng và không có số liệu ở các cột được đọc: tệp có thể bị cắt cụt giữa chừng; kiểm tra tệp gốc (hoặc tải lại) rồi nạp lại"

// RejectedWhole is the phrase ntm ingest prints after a file's name when the file loads nothing
// ("tep.xlsx: BỊ LOẠI TOÀN BỘ (vpostcode): <the reason>").
const RejectedWhole = "BỊ LOẠI TOÀN BỘ"

// LoadFailed is the phrase ntm run prints after a file's name when it could not be loaded for
// the machine's reasons (the file stays in the inbox for the next run).
const LoadFailed = "KHÔNG NẠP ĐƯỢC"

// WouldBeRejectedWhole: ntm check's verdict on a file that would load nothing, with the reason.
func WouldBeRejectedWhole(file, reason string) string {
	return fmt.Sprintf("Tệp %s sẽ bị loại toàn bộ nếu nạp (không dòng nào được nạp): %s", file, strings.TrimSuffix(strings.TrimSpace(reason), "."))
}

// FileTooLarge: a local file over the config's max_file_mb, refused before it is read.
func FileTooLarge(file string, size, limit int64) string {
	return fmt.Sprintf("Tệp %s có dung lượng %d MB, lớn hơn giới hạn %d MB (max_file_mb trong tệp cấu hình) nên không được đọc: chia tệp thành các tệp nhỏ hơn (ví dụ theo huyện hoặc theo tháng), hoặc nâng max_file_mb.",
		file, (size+1<<20-1)>>20, limit>>20)
}

// NotAFile: an entry of a source's folder that is not a file ntm can read (a dangling link).
func NotAFile(path string) string {
	return fmt.Sprintf("%s không phải tệp dữ liệu (không mở được như một tệp): chỉ để tệp .xlsx hoặc .csv trong thư mục nhận.", path)
}

// FileLoaded is the line ntm ingest, ntm demo and ntm run print for a file that loaded, its rows
// accounted for (read = loaded + rejected + skipped): "tệp.xlsx: vpostcode, lô số 2 — đọc 28
// dòng: nạp 7, loại 1, bỏ qua 20 dòng không phải số liệu." replaced, when not 0, is the batch
// the file replaces (ntm ingest --reload).
func FileLoaded(file, dataset string, batch, replaced int64, read, loaded, rejected, skipped int) string {
	lot := ""
	if batch > 0 {
		lot = fmt.Sprintf(", lô số %d", batch)
	}
	if replaced > 0 {
		lot += fmt.Sprintf(" (thay cho lô số %d, lô đó không còn được tính)", replaced)
	}
	return fmt.Sprintf("%s: %s%s — đọc %d dòng: nạp %d, loại %d, bỏ qua %d dòng không phải số liệu.",
		file, dataset, lot, read, loaded, rejected, skipped)
}

// FileWouldLoad is ntm check's line for a file that would load: "tệp.xlsx: vpostcode — đọc 28
// dòng: sẽ nạp 7, sẽ loại 1, bỏ qua 20 dòng không phải số liệu."
func FileWouldLoad(file, dataset string, read, loaded, rejected, skipped int) string {
	return fmt.Sprintf("%s: %s — đọc %d dòng: sẽ nạp %d, sẽ loại %d, bỏ qua %d dòng không phải số liệu.",
		file, dataset, read, loaded, rejected, skipped)
}

// FileAlreadyLoaded is the line for the same bytes loaded again: "tệp.xlsx: đã nạp trước đây:
// lô số 3; không có gì thay đổi." already is the load's message (AlreadyLoaded,
// AlreadyLoadedReplaced).
func FileAlreadyLoaded(file, already string) string {
	return fmt.Sprintf("%s: %s; không có gì thay đổi.", file, strings.TrimSuffix(strings.TrimSpace(already), "."))
}

// ReloadHint follows FileAlreadyLoaded: how to load the same bytes again as a replacement (the
// rows rejected for units or successors fixed since then load this way).
func ReloadHint(batch int64, file string) string {
	return fmt.Sprintf("Để nạp lại tệp này (sau khi sửa danh mục đơn vị hoặc đơn vị kế thừa): ntm ingest --reload %d %s", batch, file)
}

// MoreRejected follows the first rejected rows a command prints: how many more and where they all are.
func MoreRejected(more int, batch int64) string {
	return fmt.Sprintf("… và %d dòng bị loại khác (ntm batch rejects %d --out TỆP ghi tất cả ra một bảng tính).", more, batch)
}

// SkippedSummary is the line of the rows skipped as not data counted by reason ("5 dòng tiêu
// đề, tên biểu trên bảng; 2 dòng tên cột"), parts already joined.
func SkippedSummary(parts string) string {
	return fmt.Sprintf("Bỏ qua: %s (ntm check liệt kê từng dòng).", parts)
}

// Headings and prefixes of ntm check's and ntm ingest's lists.
const (
	RejectedRowsHeading = "Dòng bị loại:"
	SkippedRowsHeading  = "Bỏ qua, không phải số liệu:"
	NotePrefix          = "ghi chú: "
)
