// Package vnfmt writes numbers and dates the way Vietnamese readers expect them in messages,
// explanations, workbooks, the console and the command line: 1.234.567, 15/10/2023, 3 phút 5 giây.
package vnfmt

import (
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"time"
)

// Int groups thousands with dots: 1234567 → "1.234.567", -1234 → "-1.234".
func Int(n int64) string {
	s := strconv.FormatInt(n, 10)
	digits := strings.TrimPrefix(s, "-")
	var b strings.Builder
	if len(digits) < len(s) {
		b.WriteByte('-')
	}
	for i, r := range digits {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteByte('.')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Date writes a calendar date day first: 15/10/2023.
func Date(t time.Time) string { return t.Format("02/01/2006") }

// Percent writes num/den as a percentage with one decimal, Vietnamese style, truncated toward
// zero so that a value just short of a threshold never shows as reaching it: 0.9792 → "97,9%",
// 0.996 → "99,6%", 0.99999 → "99,9%". trim drops a ",0" (7/10 → "70%"). "" when den is 0.
// The one percentage formatter: evaluate's explanations, the workbooks and the console use it.
func Percent(num, den int64, trim bool) string {
	if den == 0 {
		return ""
	}
	neg := (num < 0) != (den < 0)
	// Tenths of a percent: |num|·1000 / |den|, in 128-bit arithmetic so no count overflows.
	a, b := new(big.Int).Abs(big.NewInt(num)), new(big.Int).Abs(big.NewInt(den))
	t := new(big.Int).Quo(a.Mul(a, big.NewInt(1000)), b)
	tenths := new(big.Int)
	whole, frac := t.QuoRem(t, big.NewInt(10), tenths)
	s := whole.String()
	if f := frac.Int64(); f != 0 || !trim {
		s += "," + strconv.FormatInt(f, 10)
	}
	if neg && (whole.Sign() != 0 || frac.Sign() != 0) {
		s = "-" + s
	}
	return s + "%"
}

// Duration writes a duration the Vietnamese way, to the second: "1 giờ 2 phút", "3 phút 5 giây", "4 giây".
func Duration(d time.Duration) string {
	if d < time.Second {
		return "dưới 1 giây"
	}
	d = d.Round(time.Second)
	h, m, s := int(d.Hours()), int(d.Minutes())%60, int(d.Seconds())%60
	switch {
	case h > 0:
		return fmt.Sprintf("%d giờ %d phút", h, m)
	case m > 0:
		return fmt.Sprintf("%d phút %d giây", m, s)
	default:
		return fmt.Sprintf("%d giây", s)
	}
}
