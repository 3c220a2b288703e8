package explain

import (
	"fmt"
	"strings"
	"time"

	"ntm"
	"ntm/vnfmt"
)

// Place is the unit's name with its commune and district, "Tổ dân phố 1 (05971-001), Xã Hoàng
// Văn Thụ, Huyện Văn Lãng".
func (u *Unit) Place() string {
	s := fmt.Sprintf("%s (%s)", u.Name, u.Code)
	if u.CommuneName != "" && u.CommuneCode != u.Code {
		s += ", " + u.CommuneName
	}
	if u.DistrictName != "" && u.DistrictCode != u.Code {
		s += ", " + u.DistrictName
	}
	return s
}

// SinceText says since when the criterion has had its status: "từ kỳ 2024-10", or "kỳ đầu
// tiên được đánh giá" when there is no earlier period.
func (c Criterion) SinceText() string {
	if len(c.History) <= 1 {
		return "kỳ đầu tiên được đánh giá"
	}
	if c.Since == c.History[0].Period {
		return "từ kỳ " + c.Since.String() + " (kỳ đầu tiên được đánh giá)"
	}
	return "từ kỳ " + c.Since.String()
}

// ValueText is the value and threshold as the office reads them ("0,95 (ngưỡng 0,9)"); "" with no value.
func (c Criterion) ValueText() string {
	v := c.PrintedValue()
	if v == nil {
		return ""
	}
	return fmt.Sprintf("%s (ngưỡng %s)", decimal(v.String()), decimal(c.Threshold.String()))
}

func decimal(s string) string { return strings.Replace(s, ".", ",", 1) }

// Text is one line for a source: "lô 4, khao-sat.xlsx, trang Lạng Sơn, dòng 10, số liệu ngày
// 31/10/2024 (nhận lúc 02/12/2026 08:00)".
func (s Source) Text(loc *time.Location) string {
	parts := []string{fmt.Sprintf("lô %d", s.BatchID)}
	if s.FileName != "" {
		parts = append(parts, s.FileName)
	}
	if s.Sheet != "" {
		parts = append(parts, "trang "+s.Sheet)
	}
	if s.Row > 0 {
		parts = append(parts, fmt.Sprintf("dòng %d", s.Row))
	}
	if s.Unit != "" {
		parts = append(parts, "đơn vị "+s.Unit)
	}
	if t, err := time.Parse("2006-01-02", s.AsOf); err == nil {
		parts = append(parts, "số liệu ngày "+vnfmt.Date(t))
	}
	out := strings.Join(parts, ", ")
	if !s.ReceivedAt.IsZero() {
		if loc == nil {
			loc = time.Local
		}
		out += " (nhận lúc " + s.ReceivedAt.In(loc).Format("02/01/2006 15:04") + ")"
	}
	if s.Status == "revoked" {
		out += " — lô này đã bị thu hồi sau lần đánh giá"
	}
	return out
}

// HistoryText is the criterion's statuses by period, "2024-10 Chưa đạt · 2024-11 Đạt".
func (c Criterion) HistoryText() string {
	var parts []string
	for _, p := range c.History {
		parts = append(parts, p.Period.String()+" "+p.Status.Label())
	}
	return strings.Join(parts, " · ")
}

// StatusOf is the unit's status for one criterion ("" when it has none).
func (u *Unit) StatusOf(criterion string) ntm.Status {
	for _, c := range u.Criteria {
		if c.Criterion == criterion {
			return c.Status
		}
	}
	return ""
}
