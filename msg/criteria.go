package msg

import "fmt"

// BuiltinSetPastValidity warns that period (YYYY-MM) was evaluated with the built-in 2021–2025
// criteria set after 2025, and says what the office must do.
func BuiltinSetPastValidity(period, key string) string {
	return fmt.Sprintf("Kỳ %s được đánh giá theo bộ tiêu chí giai đoạn 2021–2025 có sẵn trong ntm (%s), đã hết giai đoạn áp dụng: "+
		"văn phòng cần soạn bộ tiêu chí giai đoạn 2026–2030 theo Quyết định số 51/2025/QĐ-TTg (xem mẫu docs/criteria-2026-example.yaml), "+
		"kiểm tra bằng ntm criteria check TỆP, nạp bằng ntm criteria import TỆP rồi đánh giá lại kỳ này.", period, key)
}

// NoSetInForce says that no criteria set is in force on date (dd/mm/yyyy) and what to do; after
// 2025 it names the 2026–2030 set the office must write.
func NoSetInForce(date string, after2025 bool) string {
	if after2025 {
		return fmt.Sprintf("Không có bộ tiêu chí nào có hiệu lực ngày %s: văn phòng cần soạn bộ tiêu chí giai đoạn 2026–2030 theo Quyết định số 51/2025/QĐ-TTg "+
			"(xem mẫu docs/criteria-2026-example.yaml), kiểm tra bằng ntm criteria check TỆP và nạp bằng ntm criteria import TỆP.", date)
	}
	return fmt.Sprintf("Không có bộ tiêu chí nào có hiệu lực ngày %s: nạp một bộ bằng ntm criteria import TỆP.", date)
}
