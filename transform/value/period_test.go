package value

import (
	"errors"
	"testing"
	"time"

	"ntm"
)

func TestParsePeriodLabel(t *testing.T) {
	d := ntm.Date
	for _, c := range []struct {
		in       string
		from, to time.Time
	}{
		{"Tháng 10/2026", d(2026, 10, 1), d(2026, 10, 31)},
		{"tháng 10 năm 2026", d(2026, 10, 1), d(2026, 10, 31)},
		{"Tháng 2/2024", d(2024, 2, 1), d(2024, 2, 29)}, // leap year
		{"Tháng 02/2026", d(2026, 2, 1), d(2026, 2, 28)},
		{"T10/2026", d(2026, 10, 1), d(2026, 10, 31)},
		{"T10-2026", d(2026, 10, 1), d(2026, 10, 31)},
		{"10/2026", d(2026, 10, 1), d(2026, 10, 31)},
		{"2026-10", d(2026, 10, 1), d(2026, 10, 31)},
		{"Tháng 10 / 2026", d(2026, 10, 1), d(2026, 10, 31)},
		{"Quý III/2026", d(2026, 7, 1), d(2026, 9, 30)},
		{"Quý I/2026", d(2026, 1, 1), d(2026, 3, 31)},
		{"Quý IV/2026", d(2026, 10, 1), d(2026, 12, 31)},
		{"quý II năm 2026", d(2026, 4, 1), d(2026, 6, 30)},
		{"Quý 3/2026", d(2026, 7, 1), d(2026, 9, 30)},
		{"Quý 3 năm 2026", d(2026, 7, 1), d(2026, 9, 30)},
		{"Q3/2026", d(2026, 7, 1), d(2026, 9, 30)},
		{"Quý III - 2026", d(2026, 7, 1), d(2026, 9, 30)},
		{"6 tháng đầu năm 2026", d(2026, 1, 1), d(2026, 6, 30)},
		{"6 tháng cuối năm 2026", d(2026, 7, 1), d(2026, 12, 31)},
		{"9 tháng năm 2026", d(2026, 1, 1), d(2026, 9, 30)},
		{"9 tháng đầu năm 2026", d(2026, 1, 1), d(2026, 9, 30)},
		{"12 tháng năm 2026", d(2026, 1, 1), d(2026, 12, 31)},
		{"Năm 2026", d(2026, 1, 1), d(2026, 12, 31)},
		{"năm 2026", d(2026, 1, 1), d(2026, 12, 31)},
		{"2026", d(2026, 1, 1), d(2026, 12, 31)},
		{"Cả năm 2026", d(2026, 1, 1), d(2026, 12, 31)},
		{"Kỳ báo cáo: Tháng 10/2026", d(2026, 10, 1), d(2026, 10, 31)},
		{"từ ngày 01/01/2026 đến ngày 31/03/2026", d(2026, 1, 1), d(2026, 3, 31)},
		{"Từ 01/01/2026 đến 31/03/2026", d(2026, 1, 1), d(2026, 3, 31)},
		{"01/01/2026 - 31/03/2026", d(2026, 1, 1), d(2026, 3, 31)},
		{"15/10/2026-14/11/2026", d(2026, 10, 15), d(2026, 11, 14)},
		{"01/01/2026 đến 01/01/2026", d(2026, 1, 1), d(2026, 1, 1)},
		{"Tha\u0301ng 10/2026", d(2026, 10, 1), d(2026, 10, 31)}, // NFD
	} {
		from, to, err := ParsePeriodLabel(c.in)
		if err != nil || !from.Equal(c.from) || !to.Equal(c.to) {
			t.Errorf("ParsePeriodLabel(%q) = %v – %v, %v; want %v – %v", c.in, from, to, err, c.from, c.to)
		}
	}
	for _, in := range []string{
		"Tháng 13/2026", "Tháng 0/2026", "Quý V/2026", "Quý 5/2026", "13 tháng năm 2026", "0 tháng năm 2026",
		"7 tháng cuối năm 2026 abc", "Năm 1900", "abc", "6 tháng đầu năm", "31/03/2026 - 01/01/2026",
		"từ ngày 31/02/2026 đến ngày 31/03/2026", "Tháng 10", "Học kỳ I/2026",
	} {
		if from, to, err := ParsePeriodLabel(in); err == nil {
			t.Errorf("ParsePeriodLabel(%q) = %v – %v, want an error", in, from, to)
		} else if errors.Is(err, ErrBlank) {
			t.Errorf("ParsePeriodLabel(%q): ErrBlank", in)
		}
	}
	if _, _, err := ParsePeriodLabel(""); !errors.Is(err, ErrBlank) {
		t.Errorf("blank label: %v", err)
	}
}
