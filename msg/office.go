package msg

import (
	"fmt"
	"strings"
)

// Generic conditions, shown by the console, the API and the CLI alike.
const (
	DatabaseDown   = "Cơ sở dữ liệu không trả lời. Hãy thử lại sau ít phút; nếu vẫn lỗi, báo quản trị hệ thống kiểm tra máy chủ PostgreSQL."
	FormUnreadable = "Biểu mẫu không đọc được. Hãy mở lại trang và gửi lại."
	Internal       = "Lỗi nội bộ của ntm: xem nhật ký (log) để biết chi tiết và báo cho người quản trị."
	PageNotFound   = "Không tìm thấy trang này."
	APINotFound    = "Không có địa chỉ API này: xem tài liệu docs/console.md."
	CrossSite      = "Yêu cầu bị từ chối: biểu mẫu được gửi từ một trang web khác. Hãy mở lại trang của hệ thống và thao tác từ đó."
	RequestTooSlow = "Yêu cầu gửi quá chậm nên bị ngắt. Hãy kiểm tra đường truyền và gửi lại."
	Cancelled      = "Yêu cầu đã bị hủy."
	ShuttingDown   = "Hệ thống đang dừng để khởi động lại; không bắt đầu lượt chạy mới. Hãy thử lại sau ít phút."
)

// Logins and tokens.
const (
	LoginWrong   = "Tên đăng nhập hoặc mật khẩu không đúng."
	LoginTooMany = "Đăng nhập sai quá nhiều lần. Hãy thử lại sau 15 phút."
	TokenNeeded  = "Cần mã truy cập hợp lệ: gửi tiêu đề Authorization: Bearer <mã>."
	TokenTooMany = "Gửi sai mã truy cập quá nhiều lần từ địa chỉ này. Hãy thử lại sau 15 phút."
)

// Periods.

// PeriodBadForm: a period not written YYYY-MM.
func PeriodBadForm(s string) string {
	return fmt.Sprintf("Kỳ %q không đúng dạng năm-tháng (ví dụ 2024-12).", s)
}

// PeriodRequired: a command that needs a period got none.
const PeriodRequired = "Cần chọn kỳ (năm-tháng, ví dụ --period 2024-12)."

// PeriodInFuture: a period after the current month.
func PeriodInFuture(p, current string) string {
	return fmt.Sprintf("Kỳ %s chưa tới: kỳ gần nhất có thể chạy là %s.", p, current)
}

// PeriodBeforeUnits: a period before the first administrative structure ntm knows.
func PeriodBeforeUnits(p, first string) string {
	return fmt.Sprintf("Kỳ %s có trước danh mục đơn vị hành chính sớm nhất đã nạp (có hiệu lực từ kỳ %s): chọn kỳ từ %s trở đi.", p, first, first)
}

// NoUnits: no administrative units are loaded at all.
const NoUnits = "Chưa có danh mục đơn vị hành chính nào: hãy nạp danh mục trước (ntm units import TỆP), hoặc chạy ntm demo để có dữ liệu mẫu."

// PeriodNotEvaluated: results were asked for a period with no evaluation.
func PeriodNotEvaluated(p string) string {
	return fmt.Sprintf("Kỳ %s chưa được đánh giá: hãy chạy ntm evaluate --period %s (hoặc nút Chạy ngay trên trang Lượt chạy).", p, p)
}

// NothingEvaluated: no period has been evaluated yet.
const NothingEvaluated = "Chưa có kỳ nào được đánh giá: hãy chạy công việc nightly (trang Lượt chạy, nút Chạy ngay) hoặc ntm evaluate --period KỲ."

// Units.

// UnitNotFound: a unit code that is not in the results of a period.
func UnitNotFound(code, period string) string {
	return fmt.Sprintf("Không có đơn vị mã %q trong kết quả kỳ %s: kiểm tra lại mã (xem ntm results --period %s).", code, period, period)
}

// Runs and the pipeline lock.

// PipelineBusy names the run holding the pipeline lock. who is "lan (web)", "lịch chạy", …;
// when is a local time.
func PipelineBusy(id int64, job, period, who, when string) string {
	if period != "" {
		period = ", kỳ " + period
	}
	return fmt.Sprintf("Chưa thể chạy: lượt chạy số %d (công việc %s%s, do %s khởi động lúc %s) đang giữ khóa của hệ thống. Chỉ một lượt chạy được phép tại một thời điểm; hãy đợi lượt đó kết thúc (xem ntm runs %d).",
		id, job, period, who, when, id)
}

// PipelineBusyUnknown: the lock is held by a run that is just starting.
const PipelineBusyUnknown = "Một lượt chạy khác vừa bắt đầu và đang giữ khóa của hệ thống. Hãy thử lại sau ít phút (xem ntm runs)."

// UnknownJob: a job name not in the config.
func UnknownJob(job string, jobs []string) string {
	return fmt.Sprintf("Không có công việc %q trong cấu hình; chọn một trong: %s.", job, strings.Join(jobs, ", "))
}

// RunNotFound: an unknown run id.
func RunNotFound(id int64) string {
	return fmt.Sprintf("Không có lượt chạy số %d (xem ntm runs).", id)
}

// RunNotRunning: cancelling a run that has ended.
func RunNotRunning(id int64) string {
	return fmt.Sprintf("Lượt chạy số %d đã kết thúc nên không còn gì để dừng.", id)
}

// Run failures: what the office reads for a failed or cancelled run, with the next step.
const (
	RunDatabaseRefused = "Không kết nối được cơ sở dữ liệu trong lúc chạy. Hãy báo quản trị hệ thống kiểm tra máy chủ PostgreSQL, rồi bấm Chạy lại."
	RunCancelled       = "Lượt chạy đã bị dừng (theo yêu cầu, hoặc vì hệ thống khởi động lại); tệp đang nạp dở đã được hoàn tác, không có dữ liệu nào bị nạp một nửa. Bấm Chạy lại khi cần."
	RunAbandoned       = "Tiến trình chạy lượt này đã dừng đột ngột (máy khởi động lại hoặc bị tắt); không có dữ liệu nào bị nạp một nửa. Bấm Chạy lại."
	RunEvaluateFailed  = "Bước đánh giá không thành công. Xem chi tiết kỹ thuật bên dưới và báo quản trị hệ thống; sau khi sửa, bấm Chạy lại."
	RunReportFailed    = "Không viết được báo cáo (thư mục báo cáo không ghi được, hoặc ổ đĩa đầy). Báo quản trị hệ thống, rồi bấm Chạy lại."
	RunFailedOther     = "Lượt chạy không thành công. Xem chi tiết kỹ thuật bên dưới và báo quản trị hệ thống; sau khi sửa, bấm Chạy lại."
)

// RunCancelledBy: a run stopped with the console's Dừng button (or ntm runs cancel).
func RunCancelledBy(who string) string {
	return fmt.Sprintf("Lượt chạy đã bị dừng theo yêu cầu của %s; tệp đang nạp dở đã được hoàn tác, không có dữ liệu nào bị nạp một nửa. Bấm Chạy lại khi cần.", who)
}

// RunCannotRerun: a run of a job the start form does not offer (an upload, a CLI ingest).
func RunCannotRerun(id int64, job string) string {
	return fmt.Sprintf("Lượt chạy số %d (công việc %s) không chạy lại được từ đây: tải tệp lên lại ở trang Nạp dữ liệu, hoặc chạy lại bằng lệnh ntm.", id, job)
}

// RunSourceFailed: a configured source (feed, folder) could not be read.
func RunSourceFailed(source string) string {
	return fmt.Sprintf("Không lấy được dữ liệu từ nguồn %s (máy chủ nguồn không trả lời hoặc không có tệp). Kết quả kỳ này được tính trên dữ liệu đã có; báo cáo chưa được gửi tự động. Kiểm tra nguồn rồi bấm Chạy lại, hoặc gửi báo cáo bằng nút Gửi báo cáo.", source)
}

// SourceFailedNext follows a source's own failure sentence (a feed's "Không tải được nguồn …"):
// what the run did without it and what to do.
const SourceFailedNext = "Kết quả kỳ này được tính trên dữ liệu đã có; báo cáo chưa được gửi tự động. Kiểm tra nguồn rồi bấm Chạy lại, hoặc gửi báo cáo bằng nút Gửi báo cáo."

// MissingSource is the phrase naming one source that did not arrive, as workbooks and runs
// list them ("Nguồn vpostcode-feed: không kết nối được").
func MissingSource(source, why string) string { return fmt.Sprintf("Nguồn %s: %s", source, why) }

// Reasons a source is missing (completing MissingSource).
const (
	SourceUnreachable = "không kết nối được"
	SourceNoFiles     = "không có tệp nào"
	SourceNotLoaded   = "tệp không nạp được"
)

// DeliveryHeld: the workbooks of a run with missing sources were not sent automatically.
func DeliveryHeld(missing []string) string {
	return fmt.Sprintf("Chưa gửi báo cáo tự động vì thiếu dữ liệu nguồn (%s). Báo cáo sẽ được gửi ở lượt chạy sau khi đủ nguồn, hoặc gửi ngay bằng nút Gửi báo cáo.", strings.Join(missing, "; "))
}

// Batches (loaded files).

// BatchNotFound: an unknown batch number.
func BatchNotFound(id int64) string {
	return fmt.Sprintf("Không có lô dữ liệu số %d (xem ntm batch list).", id)
}

// BatchAlreadyRevoked: revoking twice.
func BatchAlreadyRevoked(id int64, when, by string) string {
	return fmt.Sprintf("Lô dữ liệu số %d đã bị thu hồi từ trước (lúc %s, bởi %s).", id, when, by)
}

// BatchRejectedWhole: a file rejected whole holds no data; it can be removed from the lists.
func BatchRejectedWhole(id int64) string {
	return fmt.Sprintf("Lô số %d là tệp bị loại toàn bộ, không có dữ liệu nào để thu hồi; có thể gỡ nó khỏi danh sách (ntm batch remove %d).", id, id)
}

// BatchNotRejected: removing from the lists is only for files rejected whole.
func BatchNotRejected(id int64) string {
	return fmt.Sprintf("Lô số %d có dữ liệu nên không gỡ khỏi danh sách được; muốn bỏ dữ liệu của nó, hãy thu hồi (ntm batch revoke %d).", id, id)
}

// ReasonRequired: revoking or removing needs a reason, recorded with the action.
const ReasonRequired = "Cần ghi lý do (ví dụ: \"nạp nhầm tệp của huyện khác\"): lý do được lưu cùng thao tác."

// BatchRevoked: the answer to a revoke.
func BatchRevoked(id int64) string {
	return fmt.Sprintf("Đã thu hồi lô số %d: dữ liệu của nó không còn được tính. Hãy chạy lại đánh giá cho các kỳ liên quan.", id)
}

// BatchRemoved: the answer to removing a rejected-whole file from the lists.
func BatchRemoved(id int64) string {
	return fmt.Sprintf("Đã gỡ lô số %d (tệp bị loại toàn bộ) khỏi danh sách.", id)
}

// Report workbooks.
const (
	ReportNotFound         = "Không có tệp báo cáo này."
	ReportFolderUnreadable = "Không đọc được thư mục báo cáo; hãy báo quản trị hệ thống kiểm tra thư mục reports.out_dir."
)

// Deliveries.

// DeliveryNotFound: an unknown delivery id.
func DeliveryNotFound(id int64) string { return fmt.Sprintf("Không có lần gửi số %d.", id) }

// NoEmail: sending needs an SMTP server in the config.
const NoEmail = "Chưa cấu hình máy chủ thư (reports.smtp trong tệp cấu hình) nên không gửi thư được; báo cáo vẫn có trong thư mục báo cáo."

// NoWorkbooks: nothing to send for a period.
func NoWorkbooks(p string) string {
	return fmt.Sprintf("Chưa có báo cáo nào của kỳ %s: hãy chạy công việc nightly cho kỳ này trước.", p)
}

// Database connection (CLI).

// DatabaseMissing: --database-url names a database that does not exist on the server.
func DatabaseMissing(name string) string {
	return fmt.Sprintf("Cơ sở dữ liệu %q không có trên máy chủ PostgreSQL: kiểm tra lại tên trong --database-url (hoặc NTM_DATABASE_URL), hoặc tạo nó bằng createdb %s.", name, name)
}

// DatabaseRefused: no server answers at the URL given.
const DatabaseRefused = "Không kết nối được máy chủ PostgreSQL theo địa chỉ đã cho: kiểm tra máy chủ đang chạy và địa chỉ trong --database-url (hoặc NTM_DATABASE_URL)."

// DatabaseAuth: the server refused the user or password.
const DatabaseAuth = "Máy chủ PostgreSQL từ chối tài khoản hoặc mật khẩu trong --database-url (hoặc NTM_DATABASE_URL): kiểm tra lại."

// PasswordTooShort: ntm config hash-password refuses a short password.
const PasswordTooShort = "Mật khẩu phải có ít nhất 8 ký tự: nhập mật khẩu dài hơn."
