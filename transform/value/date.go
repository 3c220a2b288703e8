package value

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"ntm"
)

// Dates outside [minYear, maxYear] are typos or misread serials, not data.
const (
	minYear = 1950
	maxYear = 2100
)

// ParseDate reads a calendar date and returns it at midnight UTC:
//
//   - dd/mm/yyyy, d/m/yyyy, dd-mm-yyyy, dd.mm.yyyy, d/m/yy (Vietnamese order,
//     never month first), with or without a time part ("30/11/2024 08:15:22");
//   - ISO yyyy-mm-dd (also yyyy/mm/dd), with or without a time part
//     ("2024-11-30T08:15:00+07:00": the date as written, the time ignored);
//   - yyyymmdd;
//   - "ngày 30 tháng 11 năm 2024", "30 tháng 11 năm 2024", "ngày 30/11/2024";
//   - Excel serials, in the 1900 system (with Lotus's fictitious 29/02/1900,
//     serial 60) or, when date1904 is set, the 1904 system; a fraction (the
//     time of day) is ignored.
//
// The calendar is checked (31/02/2024 is an error) and years must lie in
// 1950–2100. Blank returns ErrBlank.
func ParseDate(s string, date1904 bool) (time.Time, error) {
	t, _, err := ParseDateOrder(s, date1904, false)
	return t, err
}

// DateOrder says what a numeric date written a/b/y tells about the order of day and month.
type DateOrder int8

const (
	// OrderNone: the form has no such question (ISO, an Excel serial, "ngày … tháng …"), or
	// both readings give the same day (05/05/2026).
	OrderNone DateOrder = iota
	// OrderAmbiguous: both readings are dates, different ones (03/04/2026).
	OrderAmbiguous
	// OrderDayFirst: only day first is a date (25/03/2026): the writer puts the day first.
	OrderDayFirst
	// OrderMonthFirst: only month first is a date (03/25/2026): the writer puts the month first.
	OrderMonthFirst
)

// ParseDateOrder is ParseDate reading a/b/y month first when monthFirst is set (a US-format
// export; the caller decides for the whole file), and saying what the value proves about the
// order.
func ParseDateOrder(s string, date1904, monthFirst bool) (time.Time, DateOrder, error) {
	k := key(s)
	if isBlank(k) {
		return time.Time{}, OrderNone, ErrBlank
	}
	t, order, err := parseDateKey(k, date1904, monthFirst)
	if err != nil {
		return time.Time{}, order, fmt.Errorf("%s %s", quote(s), err.Error())
	}
	return t, order, nil
}

// dateError is the reason part of a date error; ParseDate prefixes the input.
type dateError string

func (e dateError) Error() string { return string(e) }

const (
	errDateForm  = dateError("không phải ngày hợp lệ (dùng dd/mm/yyyy, yyyy-mm-dd hoặc số ngày của Excel)")
	errDateCal   = dateError("không phải ngày có thật trên lịch")
	errDateRange = dateError("nằm ngoài khoảng năm 1950–2100")
)

var wordDate = regexp.MustCompile(`^(\d{1,2}) ?thang ?(\d{1,2}) ?(?:nam|,|/)? ?(\d{4})$`)

func parseDateKey(k string, date1904, monthFirst bool) (time.Time, DateOrder, error) {
	if isSerial(k) {
		if len(k) == 8 && allDigits(k) { // yyyymmdd
			if t, err := makeDate(atoi(k[:4]), atoi(k[4:6]), atoi(k[6:])); err == nil {
				return t, OrderNone, nil
			}
		}
		t, err := serialDate(k, date1904)
		return t, OrderNone, err
	}
	k = strings.TrimPrefix(k, "ngay ")
	if strings.Contains(k, "thang") {
		m := wordDate.FindStringSubmatch(k)
		if m == nil {
			return time.Time{}, OrderNone, errDateForm
		}
		t, err := makeDate(atoi(m[3]), atoi(m[2]), atoi(m[1]))
		return t, OrderNone, err
	}
	if len(k) > 10 && k[10] == 't' && k[4] == '-' { // ISO 8601 with a time part
		k = k[:10] + " " + k[11:]
	}
	date := ""
	for field := range strings.SplitSeq(k, " ") {
		if isTimeField(field) {
			continue
		}
		if date != "" {
			return time.Time{}, OrderNone, errDateForm
		}
		date = field
	}
	return parseNumericDate(date, monthFirst)
}

// isSerial reports whether k is a plain number: digits, an optional "."
// fraction, or the scientific form.
func isSerial(k string) bool {
	if k == "" || k[0] < '0' || k[0] > '9' {
		return false
	}
	dots := 0
	for i := 0; i < len(k); i++ {
		switch c := k[i]; {
		case c >= '0' && c <= '9':
		case c == '.':
			dots++
		case c == 'e' || c == '+' || c == '-':
			if !strings.ContainsRune(k, 'e') {
				return false
			}
		default:
			return false
		}
	}
	return dots <= 1
}

// isTimeField reports whether a space-separated field is a time of day or
// an AM/PM marker (Vietnamese SA/CH), which dates ignore.
func isTimeField(f string) bool {
	switch f {
	case "sa", "ch", "am", "pm", "z", "utc", "gmt":
		return true
	}
	if !strings.Contains(f, ":") {
		return false
	}
	for i := 0; i < len(f); i++ {
		switch c := f[i]; {
		case c >= '0' && c <= '9', c == ':', c == '.', c == '+', c == '-', c == 'z':
		default:
			return false
		}
	}
	return true
}

// parseNumericDate reads d/m/y (m/d/y when monthFirst; y of 2 or 4 digits) or
// y/m/d with one kind of separator among "/", "-", ".".
func parseNumericDate(s string, monthFirst bool) (time.Time, DateOrder, error) {
	sepAt := strings.IndexAny(s, "/-.")
	if sepAt <= 0 {
		return time.Time{}, OrderNone, errDateForm
	}
	parts := strings.Split(s, s[sepAt:sepAt+1])
	if len(parts) != 3 {
		return time.Time{}, OrderNone, errDateForm
	}
	for _, p := range parts {
		if p == "" || len(p) > 4 || !allDigits(p) {
			return time.Time{}, OrderNone, errDateForm
		}
	}
	if len(parts[0]) == 4 {
		if len(parts[1]) > 2 || len(parts[2]) > 2 {
			return time.Time{}, OrderNone, errDateForm
		}
		t, err := makeDate(atoi(parts[0]), atoi(parts[1]), atoi(parts[2]))
		return t, OrderNone, err
	}
	if len(parts[0]) > 2 || len(parts[1]) > 2 {
		return time.Time{}, OrderNone, errDateForm
	}
	y := atoi(parts[2])
	switch len(parts[2]) {
	case 2:
		y += 2000
		if y >= 2070 {
			y -= 100
		}
	case 4:
	default:
		return time.Time{}, OrderNone, errDateForm
	}
	a, b := atoi(parts[0]), atoi(parts[1])
	dayFirst, dErr := makeDate(y, b, a)
	monthFirstT, mErr := makeDate(y, a, b)
	order := OrderNone
	switch {
	case dErr == nil && mErr == nil && a != b:
		order = OrderAmbiguous
	case dErr == nil && mErr != nil && a <= 31 && b <= 12 && a > 12:
		order = OrderDayFirst
	case mErr == nil && dErr != nil && b <= 31 && a <= 12 && b > 12:
		order = OrderMonthFirst
	}
	if monthFirst {
		return monthFirstT, order, mErr
	}
	return dayFirst, order, dErr
}

// makeDate checks the calendar and the year range.
func makeDate(y, m, d int) (time.Time, error) {
	if m < 1 || m > 12 || d < 1 || d > 31 {
		return time.Time{}, errDateCal
	}
	t := ntm.Date(y, time.Month(m), d)
	if t.Day() != d {
		return time.Time{}, errDateCal
	}
	if y < minYear || y > maxYear {
		return time.Time{}, errDateRange
	}
	return t, nil
}

// serialDate converts an Excel serial; the fraction (time of day) is dropped.
func serialDate(k string, date1904 bool) (time.Time, error) {
	d, err := parseDecimal(k, modeRatio)
	if err != nil {
		return time.Time{}, errDateForm
	}
	// Whole days: the integer digits of d.
	intDigits := len(d.digits) + d.exp
	if intDigits > 7 {
		return time.Time{}, errDateRange
	}
	days := 0
	for i := 0; i < intDigits; i++ {
		days *= 10
		if i < len(d.digits) {
			days += int(d.digits[i] - '0')
		}
	}
	t, ok := excelSerial(days, date1904)
	if !ok {
		return time.Time{}, errDateCal
	}
	if t.Year() < minYear || t.Year() > maxYear {
		return time.Time{}, errDateRange
	}
	return t, nil
}

// excelSerial converts a whole-day serial to a date. In the 1900 system
// serial 1 is 1900-01-01 and serial 60 is 1900-02-29, a day that never
// existed (Lotus 1-2-3's leap-year bug, kept by Excel): it is refused, and
// serials after it are one day later than a plain count from 1899-12-31.
// In the 1904 system serial 0 is 1904-01-01.
func excelSerial(days int, date1904 bool) (time.Time, bool) {
	switch {
	case days < 0:
		return time.Time{}, false
	case date1904:
		return ntm.Date(1904, 1, 1).AddDate(0, 0, days), true
	case days == 0 || days == 60:
		return time.Time{}, false
	case days < 60:
		return ntm.Date(1899, 12, 31).AddDate(0, 0, days), true
	default:
		return ntm.Date(1899, 12, 30).AddDate(0, 0, days), true
	}
}

// atoi reads a short string of ASCII digits (already checked).
func atoi(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}
