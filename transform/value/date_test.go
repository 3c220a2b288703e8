package value

import (
	"errors"
	"strings"
	"testing"
	"time"

	"ntm"
)

func TestParseDate(t *testing.T) {
	nov30 := ntm.Date(2024, 11, 30)
	ok := []struct {
		in    string
		d1904 bool
		want  time.Time
	}{
		{"30/11/2024", false, nov30},
		{" 30/11/2024 ", false, nov30},
		{"30-11-2024", false, nov30},
		{"30.11.2024", false, nov30},
		{"30/11/24", false, nov30},
		{"1/2/2024", false, ntm.Date(2024, 2, 1)},
		{"01/02/2024", false, ntm.Date(2024, 2, 1)},
		{"1/2/24", false, ntm.Date(2024, 2, 1)},
		{"5/6/75", false, ntm.Date(1975, 6, 5)},
		{"29/02/2024", false, ntm.Date(2024, 2, 29)}, // leap year
		{"29/02/2000", false, ntm.Date(2000, 2, 29)}, // divisible by 400
		{"2024-11-30", false, nov30},
		{"2024/11/30", false, nov30},
		{"2024-11-30T08:15:00", false, nov30},
		{"2024-11-30T23:59:59+07:00", false, nov30},
		{"2024-11-30T08:15:00.000Z", false, nov30},
		{"2024-11-30 08:15:00", false, nov30},
		{"30/11/2024 08:15:22", false, nov30},
		{"30/11/2024 8:15 SA", false, nov30},
		{"08:15 30/11/2024", false, nov30},
		{"20241130", false, nov30},
		{"ngày 30 tháng 11 năm 2024", false, nov30},
		{"Ngày 30 tháng 11 năm 2024", false, nov30},
		{"ngay 30 thang 11 nam 2024", false, nov30},
		{"30 tháng 11 năm 2024", false, nov30},
		{"ngày 30/11/2024", false, nov30},
		{"ng\u0061\u0300y 30 tha\u0301ng 11 n\u0103m 2024", false, nov30}, // NFD
		{"45626", false, nov30},
		{"45626.75", false, nov30}, // the time of day is dropped
		{"4.5626E+4", false, nov30},
		{"44164", true, nov30}, // 1904 system: 1462 days fewer
		{"18264", false, ntm.Date(1950, 1, 1)},
		{"45291", false, ntm.Date(2023, 12, 31)},
	}
	for _, c := range ok {
		got, err := ParseDate(c.in, c.d1904)
		if err != nil || !got.Equal(c.want) || got.Location() != time.UTC {
			t.Errorf("ParseDate(%q, %v) = %v, %v; want %v", c.in, c.d1904, got, err, c.want)
		}
	}
	bad := []string{
		"31/02/2024", "29/02/2023", "29/02/1900", "31/04/2024", "00/01/2024", "32/01/2024", "15/13/2024",
		"11/30/2024", // month first: never guessed
		"60", "0", "1", "2024", "18263", "99999", "73416",
		"01/01/1900", "01/01/2101", "abc", "30/11", "30/11-2024", "30/11/2024/1", "2024-11-30T25h",
		"30 11 2024", "ngày 30 tháng 11", "2024-13-01", "30/11/2024 abc", "-45626", "45626e", "30/11/202",
	}
	for _, in := range bad {
		got, err := ParseDate(in, false)
		if err == nil {
			t.Errorf("ParseDate(%q) = %v, want an error", in, got)
			continue
		}
		if errors.Is(err, ErrBlank) || !strings.HasPrefix(err.Error(), `"`) {
			t.Errorf("ParseDate(%q) error = %q", in, err)
		}
	}
	for _, in := range []string{"", "  ", "-"} {
		if _, err := ParseDate(in, false); !errors.Is(err, ErrBlank) {
			t.Errorf("ParseDate(%q) err = %v, want ErrBlank", in, err)
		}
	}
	if _, err := ParseDate("31/02/2024", false); err == nil || err.Error() != `"31/02/2024" không phải ngày có thật trên lịch` {
		t.Errorf("message for 31/02/2024: %v", err)
	}
}

func TestExcelSerial(t *testing.T) {
	for _, c := range []struct {
		days  int
		d1904 bool
		want  time.Time
		ok    bool
	}{
		{1, false, ntm.Date(1900, 1, 1), true},
		{59, false, ntm.Date(1900, 2, 28), true},
		{60, false, time.Time{}, false}, // Lotus's 29/02/1900 never existed
		{61, false, ntm.Date(1900, 3, 1), true},
		{0, false, time.Time{}, false},
		{-1, false, time.Time{}, false},
		{45291, false, ntm.Date(2023, 12, 31), true},
		{0, true, ntm.Date(1904, 1, 1), true},
		{1, true, ntm.Date(1904, 1, 2), true},
		{43829, true, ntm.Date(2023, 12, 31), true},
	} {
		got, ok := excelSerial(c.days, c.d1904)
		if ok != c.ok || !got.Equal(c.want) {
			t.Errorf("excelSerial(%d, %v) = %v, %v; want %v, %v", c.days, c.d1904, got, ok, c.want, c.ok)
		}
	}
}
