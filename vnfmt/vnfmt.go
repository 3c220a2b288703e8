// Package vnfmt writes numbers and dates the way Vietnamese readers expect them in messages,
// explanations, workbooks and the console: 1.234.567 and 15/10/2023.
package vnfmt

import (
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
