package msg

import (
	"fmt"
	"strings"
	"time"

	"ntm/vnfmt"
)

// The lines the command line prints when a command has done its work (ntm run, runs, evaluate,
// batch, deliveries, migrate, config check): the office reads them as it reads the console.

// RunHeading opens ntm run's output: "Công việc nightly, kỳ 2024-12:".
func RunHeading(job, period string) string {
	return fmt.Sprintf("Công việc %s, kỳ %s:", job, period)
}

// RunSkipped: a backfill's period that had already succeeded.
func RunSkipped(period string) string {
	return fmt.Sprintf("Kỳ %s đã chạy thành công trước đây nên được bỏ qua (thêm --redo để chạy lại).", period)
}

// RunEnded is a run's last line: its number, job, period and status ("Thành công", "Thất bại"
// …, runs.Status.Label), how long it took when known (took ≥ 0), and the workbooks it wrote.
func RunEnded(id int64, job, period, status string, took time.Duration, workbooks int, dir string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Lượt chạy số %d (%s, kỳ %s): %s", id, job, period, status)
	if took >= 0 {
		fmt.Fprintf(&b, ", mất %s", vnfmt.Duration(took))
	}
	if workbooks > 0 {
		fmt.Fprintf(&b, "; %s tệp báo cáo trong %s", vnfmt.Int(int64(workbooks)), dir)
	}
	b.WriteString(".")
	return b.String()
}

// RunsNone: ntm runs on a database no run has been recorded in.
const RunsNone = "Chưa có lượt chạy nào."

// RunsColumns are the columns of ntm runs' list, tab-separated.
const RunsColumns = "SỐ\tCÔNG VIỆC\tKỲ\tKÍCH HOẠT\tNGƯỜI CHẠY\tTRẠNG THÁI\tBẮT ĐẦU\tTHỜI GIAN\tLỖI"

// RunStopAsked: ntm runs cancel has recorded its request.
func RunStopAsked(id int64) string {
	return fmt.Sprintf("Đã yêu cầu dừng lượt chạy số %d; lượt chạy dừng trong vài giây (xem ntm runs %d).", id, id)
}

// Evaluated: ntm evaluate's first line.
func Evaluated(period string, evaluation int64, results int) string {
	return fmt.Sprintf("Đã đánh giá kỳ %s (lần đánh giá số %d): %s kết quả.", period, evaluation, vnfmt.Int(int64(results)))
}

// EvaluatedColumns head ntm evaluate's counts per criterion.
var EvaluatedColumns = [4]string{"tiêu chí", "đạt", "chưa đạt", "chưa có số liệu"}

// RejectsWritten: ntm batch rejects has written a batch's rejected rows.
func RejectsWritten(path string, rows int, batch int64, file string) string {
	return fmt.Sprintf("Đã ghi %s dòng bị loại của lô số %d (%s), kèm lý do của từng dòng, vào %s.", vnfmt.Int(int64(rows)), batch, file, path)
}

// DeliveryResent: ntm deliveries resend has sent a workbook again.
func DeliveryResent(id int64, file, address string) string {
	return fmt.Sprintf("Đã gửi lại lần gửi số %d: tệp %s tới %s.", id, file, address)
}

// DeliveriesSent: ntm deliveries send's tally for a period.
func DeliveriesSent(period string, sent, already, failed int) string {
	return fmt.Sprintf("Kỳ %s: đã gửi %d thư, %d thư đã gửi từ trước, %d thư chưa gửi được.", period, sent, already, failed)
}

// DatabaseUpToDate: ntm migrate has nothing (more) to do.
const DatabaseUpToDate = "Cơ sở dữ liệu đã ở phiên bản mới nhất."

// ConfigDefaults: ntm config check without a config file.
const ConfigDefaults = "Hợp lệ: không có tệp cấu hình (không chỉ ra tệp nào, NTM_CONFIG chưa đặt, không có ./ntm.yaml), nên dùng các giá trị mặc định."

// ConfigValid: ntm config check of a valid file.
func ConfigValid(path string, sources int, jobs []string, zone string) string {
	return fmt.Sprintf("Hợp lệ: %s (%d nguồn dữ liệu, công việc %s, múi giờ %s).", path, sources, strings.Join(jobs, ", "), zone)
}
