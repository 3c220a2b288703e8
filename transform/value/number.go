package value

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"strings"
)

// maxSignificant is how many significant digits a fractional value keeps:
// Excel shows 15, and writes up to 17 for computed cells ("0.79999999999999993").
const maxSignificant = 15

// decimal is an exact decimal number: digits × 10^exp, digits without leading
// or trailing zeros (empty for zero).
type decimal struct {
	digits string
	exp    int
	neg    bool
}

func (d decimal) isZero() bool { return d.digits == "" }

// numMode says how a single, ambiguous separator is read.
type numMode int

const (
	modeCount numMode = iota // "1.234" and "1,234" group thousands
	modeRatio                // a single "." or "," is a decimal mark
)

var errNotNumber = errors.New("not a number")

// parseDecimal reads a cleaned number: an optional sign, digits with
// thousands separators and one decimal mark (see the package comment), or
// the raw scientific form Excel writes ("1.2E+3").
func parseDecimal(s string, mode numMode) (decimal, error) {
	var d decimal
	if s == "" {
		return d, errNotNumber
	}
	switch {
	case s[0] == '+':
		s = s[1:]
	case s[0] == '-':
		d.neg, s = true, s[1:]
	case strings.HasPrefix(s, "−"): // U+2212 MINUS SIGN
		d.neg, s = true, s[len("−"):]
	}
	s = strings.TrimPrefix(s, " ")
	if s == "" {
		return d, errNotNumber
	}
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		return parseScientific(d, s[:i], s[i+1:])
	}
	if s[0] == '.' || s[0] == ',' {
		s = "0" + s
	}

	// Split into digit groups and the separators between them.
	var groups []string
	var seps []byte
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= '0' && c <= '9' {
			continue
		}
		if c != '.' && c != ',' && c != ' ' {
			return d, errNotNumber
		}
		if i == start { // two separators in a row, or a leading one
			return d, errNotNumber
		}
		groups = append(groups, s[start:i])
		seps = append(seps, c)
		start = i + 1
	}
	if start == len(s) { // trailing separator
		return d, errNotNumber
	}
	groups = append(groups, s[start:])

	// Find the decimal mark, if any: index into seps, or -1.
	decimalAt := -1
	var dots, commas int
	for _, c := range seps {
		switch c {
		case '.':
			dots++
		case ',':
			commas++
		}
	}
	last := len(seps) - 1
	switch {
	case dots > 0 && commas > 0:
		// The last separator is the decimal mark and must be the only one of
		// its kind; the other kind groups thousands.
		if seps[last] == ' ' || (seps[last] == '.' && dots != 1) || (seps[last] == ',' && commas != 1) {
			return d, errNotNumber
		}
		decimalAt = last
	case dots == 1 || commas == 1:
		mark := byte('.')
		if commas == 1 {
			mark = ','
		}
		if seps[last] != mark { // a decimal mark followed by more groups
			return d, errNotNumber
		}
		decimalAt = last
		if mode == modeCount && len(groups[last+1]) == 3 && validThousands(groups[:last+1]) {
			decimalAt = -1
		}
	}

	intGroups := groups
	frac := ""
	if decimalAt >= 0 {
		intGroups = groups[:decimalAt+1]
		frac = groups[decimalAt+1]
	}
	if len(intGroups) > 1 && !validThousands(intGroups) {
		return d, errNotNumber
	}
	return makeDecimal(d.neg, strings.Join(intGroups, ""), frac, 0), nil
}

// validThousands reports whether groups form a thousands-grouped integer:
// the first group 1–3 digits not starting with 0 (unless it is "0" alone and
// the only group), every later group exactly 3 digits.
func validThousands(groups []string) bool {
	if len(groups) == 0 || len(groups[0]) == 0 || len(groups[0]) > 3 {
		return false
	}
	if groups[0][0] == '0' {
		return false
	}
	for _, g := range groups[1:] {
		if len(g) != 3 {
			return false
		}
	}
	return true
}

// parseScientific reads Excel's raw form: mantissa digits with an optional
// "." fraction, then an exponent with an optional sign.
func parseScientific(d decimal, mant, exp string) (decimal, error) {
	intPart, frac, _ := strings.Cut(mant, ".")
	if intPart == "" || !allDigits(intPart) || (frac != "" && !allDigits(frac)) || strings.HasSuffix(mant, ".") {
		return d, errNotNumber
	}
	e := strings.TrimPrefix(strings.TrimPrefix(exp, "+"), "-")
	if e == "" || !allDigits(e) || len(e) > 4 {
		return d, errNotNumber
	}
	n := 0
	for i := 0; i < len(e); i++ {
		n = n*10 + int(e[i]-'0')
	}
	if n > 400 {
		return d, errNotNumber
	}
	if strings.HasPrefix(exp, "-") {
		n = -n
	}
	return makeDecimal(d.neg, intPart, frac, n), nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// makeDecimal builds intPart.frac × 10^exp, dropping leading and trailing
// zeros and rounding fractional values to maxSignificant digits.
func makeDecimal(neg bool, intPart, frac string, exp int) decimal {
	digits := strings.TrimLeft(intPart+frac, "0")
	exp -= len(frac)
	if len(digits) > maxSignificant && exp < 0 {
		keep := max(maxSignificant, len(digits)+exp) // never round integer digits
		if keep < len(digits) {
			roundUp := digits[keep] >= '5'
			exp += len(digits) - keep
			b := []byte(digits[:keep])
			if roundUp {
				i := len(b) - 1
				for i >= 0 && b[i] == '9' {
					b[i] = '0'
					i--
				}
				if i < 0 {
					b = append([]byte{'1'}, b...)
				} else {
					b[i]++
				}
			}
			digits = string(b)
		}
	}
	trimmed := strings.TrimRight(digits, "0")
	exp += len(digits) - len(trimmed)
	if trimmed == "" {
		return decimal{}
	}
	return decimal{digits: trimmed, exp: exp, neg: neg}
}

// ParseCount reads a non-negative integer count: "1234", "1.234", "1,234",
// "1 234", "1234.0", "1.2E+3", " 12 ". Negative, fractional ("12,5", "1.5")
// and non-numeric ("12 hộ", "abc") values are errors; blank returns ErrBlank.
func ParseCount(s string) (int64, error) {
	// Fast path: the raw form of an integer cell.
	if n := len(s); n > 0 && n <= 18 && allDigits(s) {
		var v int64
		for i := 0; i < n; i++ {
			v = v*10 + int64(s[i]-'0')
		}
		return v, nil
	}
	c := clean(s)
	if isBlank(c) {
		return 0, ErrBlank
	}
	d, err := parseDecimal(c, modeCount)
	if err != nil {
		return 0, fmt.Errorf("%s không phải số nguyên không âm", quote(s))
	}
	if d.isZero() {
		return 0, nil
	}
	if d.neg {
		return 0, fmt.Errorf("%s là số âm, cần số nguyên không âm", quote(s))
	}
	if d.exp < 0 {
		return 0, fmt.Errorf("%s có phần lẻ, cần số nguyên không âm", quote(s))
	}
	if len(d.digits)+d.exp > 19 {
		return 0, fmt.Errorf("%s quá lớn, không phải số đếm hợp lệ", quote(s))
	}
	var v uint64
	for i := 0; i < len(d.digits); i++ {
		v = v*10 + uint64(d.digits[i]-'0')
	}
	for range d.exp {
		if v > math.MaxInt64/10 {
			return 0, fmt.Errorf("%s quá lớn, không phải số đếm hợp lệ", quote(s))
		}
		v *= 10
	}
	if v > math.MaxInt64 {
		return 0, fmt.Errorf("%s quá lớn, không phải số đếm hợp lệ", quote(s))
	}
	return int64(v), nil
}

// ParseRatio reads a share as an exact, reduced fraction num/den (den > 0,
// num ≥ 0): "97,92%", "97.92 %", "100%" (percentages), "0.9792", "1"
// (fractions as Excel stores percent cells), "70" (a bare number above 1 is
// a percentage: 70%), "45/50". No floating point is involved. Values above
// 100% are returned as they are; the caller decides. Blank returns ErrBlank.
func ParseRatio(s string) (num, den int64, err error) {
	c := clean(s)
	if isBlank(c) {
		return 0, 0, ErrBlank
	}
	bad := func() (int64, int64, error) {
		return 0, 0, fmt.Errorf("%s không phải tỷ lệ (ví dụ 97,92%%, 0,9792 hoặc 45/50)", quote(s))
	}
	var r *big.Rat
	if a, b, ok := strings.Cut(c, "/"); ok {
		an, err1 := ParseCount(strings.TrimSpace(a))
		bn, err2 := ParseCount(strings.TrimSpace(b))
		if err1 != nil || err2 != nil {
			return bad()
		}
		if bn == 0 {
			return 0, 0, fmt.Errorf("%s: mẫu số bằng 0", quote(s))
		}
		r = new(big.Rat).SetFrac64(an, bn)
	} else {
		percent := false
		for _, p := range []string{"%", "％"} {
			if t, ok := strings.CutSuffix(c, p); ok {
				c, percent = strings.TrimSuffix(t, " "), true
				break
			}
		}
		d, err := parseDecimal(c, modeRatio)
		if err != nil {
			return bad()
		}
		if d.neg && !d.isZero() {
			return 0, 0, fmt.Errorf("%s là số âm, cần tỷ lệ không âm", quote(s))
		}
		r = d.rat()
		if !percent && r.Cmp(big.NewRat(1, 1)) > 0 {
			percent = true
		}
		if percent {
			r.Quo(r, big.NewRat(100, 1))
		}
	}
	if !r.Num().IsInt64() || !r.Denom().IsInt64() {
		return 0, 0, fmt.Errorf("%s có quá nhiều chữ số", quote(s))
	}
	return r.Num().Int64(), r.Denom().Int64(), nil
}

// rat returns |d| as a big.Rat.
func (d decimal) rat() *big.Rat {
	if d.isZero() {
		return new(big.Rat)
	}
	n, _ := new(big.Int).SetString(d.digits, 10)
	p := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(abs(d.exp))), nil)
	if d.exp >= 0 {
		return new(big.Rat).SetInt(n.Mul(n, p))
	}
	return new(big.Rat).SetFrac(n, p)
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}
