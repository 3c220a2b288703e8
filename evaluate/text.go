package evaluate

import (
	"fmt"
	"strings"
	"time"

	"ntm/vnfmt"
)

// isoDate prints a date for the result detail: 2023-10-15.
func isoDate(t time.Time) string { return t.Format("2006-01-02") }

// firstNames joins up to max names and says how many more there are.
func firstNames(names []string, max int) string {
	if len(names) <= max {
		return strings.Join(names, ", ")
	}
	return fmt.Sprintf("%s và %d khác", strings.Join(names[:max], ", "), len(names)-max)
}

var romanQuarters = [...]string{"I", "II", "III", "IV"}

// periodLabel names a reporting period the way the office writes it: Tháng 4/2024,
// Quý I/2024, 6 tháng đầu năm 2024, 9 tháng năm 2024, Năm 2024; else the date range.
func periodLabel(from, to time.Time) string {
	monthEnd := func(t time.Time) bool { return t.AddDate(0, 0, 1).Day() == 1 }
	if from.Day() != 1 || !monthEnd(to) || from.Year() != to.Year() {
		return vnfmt.Date(from) + "–" + vnfmt.Date(to)
	}
	y, m1, m2 := from.Year(), int(from.Month()), int(to.Month())
	switch {
	case m1 == m2:
		return fmt.Sprintf("Tháng %d/%d", m1, y)
	case m2 == m1+2 && (m1-1)%3 == 0:
		return fmt.Sprintf("Quý %s/%d", romanQuarters[(m1-1)/3], y)
	case m1 == 1 && m2 == 12:
		return fmt.Sprintf("Năm %d", y)
	case m1 == 1 && m2 == 6:
		return fmt.Sprintf("6 tháng đầu năm %d", y)
	case m1 == 7 && m2 == 12:
		return fmt.Sprintf("6 tháng cuối năm %d", y)
	case m1 == 1:
		return fmt.Sprintf("%d tháng năm %d", m2, y)
	}
	return fmt.Sprintf("Tháng %d–%d/%d", m1, m2, y)
}

// shortRange prints a gap inside one year: 01/05–31/05.
func shortRange(from, to time.Time) string {
	if from.Equal(to) {
		return from.Format("02/01")
	}
	return from.Format("02/01") + "–" + to.Format("02/01")
}
