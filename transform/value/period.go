package value

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"ntm"
)

// Period-label patterns, matched against the key form (lower case, no
// diacritics, single spaces, no spaces around "/" and "-").
var (
	periodRange   = regexp.MustCompile(`^(?:tu )?(?:ngay )?(\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}) ?(?:den|toi|-|–|—|~) ?(?:ngay )?(\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4})$`)
	periodMonth   = regexp.MustCompile(`^(?:thang ?|t)(\d{1,2}) ?(?:/|-|\.|,|nam) ?(\d{4})$`)
	periodMonthNo = regexp.MustCompile(`^(\d{1,2})[/-](\d{4})$`)
	periodMonthIS = regexp.MustCompile(`^(\d{4})-(\d{1,2})$`)
	periodQuarter = regexp.MustCompile(`^(?:quy|q) ?(iv|i{1,3}|[1-4]) ?(?:/|-|,|nam)? ?(\d{4})$`)
	periodMonths  = regexp.MustCompile(`^(\d{1,2}) thang ?(dau|cuoi)? ?(?:nam)? ?/? ?(\d{4})$`)
	periodYear    = regexp.MustCompile(`^(?:ca )?(?:nam ?)?(\d{4})$`)
)

// ParsePeriodLabel reads a reporting-period label and returns its first and
// last day (inclusive), at midnight UTC:
//
//   - a month: "Tháng 10/2026", "tháng 10 năm 2026", "T10/2026", "10/2026", "2026-10";
//   - a quarter: "Quý III/2026", "Quý 3/2026", "Quý 3 năm 2026", "Q3/2026";
//   - the first N months: "6 tháng đầu năm 2026" (January–June), "9 tháng
//     năm 2026" (January–September); the last N: "6 tháng cuối năm 2026";
//   - a year: "Năm 2026", "năm 2026", "2026";
//   - an explicit range: "từ ngày 01/01/2026 đến ngày 31/03/2026", "01/01/2026 - 31/03/2026".
//
// A leading "Kỳ báo cáo:" is ignored. Blank returns ErrBlank.
func ParsePeriodLabel(s string) (from, to time.Time, err error) {
	k := key(s)
	if isBlank(k) {
		return time.Time{}, time.Time{}, ErrBlank
	}
	k = strings.TrimPrefix(k, "ky bao cao")
	k = strings.Trim(k, " :.")
	from, to, err = parsePeriodKey(k)
	if err != nil {
		return time.Time{}, time.Time{}, fmt.Errorf("%s %w", quote(s), err)
	}
	return from, to, nil
}

var errPeriodForm = dateError("không phải kỳ báo cáo hợp lệ (ví dụ: Tháng 10/2026, Quý III/2026, 6 tháng đầu năm 2026, 9 tháng năm 2026, Năm 2026, từ ngày 01/01/2026 đến ngày 31/03/2026)")

var periodSpaces = strings.NewReplacer(" /", "/", "/ ", "/", " -", "-", "- ", "-")

func parsePeriodKey(k string) (from, to time.Time, err error) {
	if m := periodRange.FindStringSubmatch(k); m != nil {
		if from, _, err = parseNumericDate(m[1], false); err != nil {
			return from, to, err
		}
		if to, _, err = parseNumericDate(m[2], false); err != nil {
			return from, to, err
		}
		if to.Before(from) {
			return time.Time{}, time.Time{}, dateError("có ngày kết thúc trước ngày bắt đầu")
		}
		return from, to, nil
	}
	k = periodSpaces.Replace(k)
	if m := periodMonth.FindStringSubmatch(k); m != nil {
		return months(atoi(m[2]), atoi(m[1]), 1)
	}
	if m := periodMonthNo.FindStringSubmatch(k); m != nil {
		return months(atoi(m[2]), atoi(m[1]), 1)
	}
	if m := periodMonthIS.FindStringSubmatch(k); m != nil {
		return months(atoi(m[1]), atoi(m[2]), 1)
	}
	if m := periodQuarter.FindStringSubmatch(k); m != nil {
		q := map[string]int{"i": 1, "ii": 2, "iii": 3, "iv": 4, "1": 1, "2": 2, "3": 3, "4": 4}[m[1]]
		return months(atoi(m[2]), 3*q-2, 3)
	}
	if m := periodMonths.FindStringSubmatch(k); m != nil {
		n := atoi(m[1])
		if n < 1 || n > 12 {
			return time.Time{}, time.Time{}, errPeriodForm
		}
		if m[2] == "cuoi" {
			return months(atoi(m[3]), 13-n, n)
		}
		return months(atoi(m[3]), 1, n)
	}
	if m := periodYear.FindStringSubmatch(k); m != nil {
		return months(atoi(m[1]), 1, 12)
	}
	return time.Time{}, time.Time{}, errPeriodForm
}

// months is the span of n months starting with month first of year y.
func months(y, first, n int) (from, to time.Time, err error) {
	if first < 1 || first > 12 || first+n-1 > 12 {
		return time.Time{}, time.Time{}, errPeriodForm
	}
	if y < minYear || y > maxYear {
		return time.Time{}, time.Time{}, errDateRange
	}
	from = ntm.Date(y, time.Month(first), 1)
	return from, from.AddDate(0, n, -1), nil
}
