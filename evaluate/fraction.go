package evaluate

import (
	"fmt"
	"math/big"
	"strings"

	"ntm/vnfmt"
)

// Fraction is an exact non-negative ratio Num/Den. Values and thresholds are kept as
// fractions so that comparisons stay in integer arithmetic (docs/criteria.md).
type Fraction struct{ Num, Den int64 }

// Frac builds num/den.
func Frac(num, den int64) Fraction { return Fraction{Num: num, Den: den} }

// Count builds the whole number n.
func Count(n int64) Fraction { return Fraction{Num: n, Den: 1} }

// AtLeast reports whether f ≥ t, comparing cross products exactly (big integers, so no
// overflow whatever the counts). A zero denominator is never at least anything.
func (f Fraction) AtLeast(t Fraction) bool {
	if f.Den == 0 || t.Den == 0 {
		return false
	}
	l := new(big.Int).Mul(big.NewInt(f.Num), big.NewInt(t.Den))
	r := new(big.Int).Mul(big.NewInt(t.Num), big.NewInt(f.Den))
	if (f.Den < 0) != (t.Den < 0) {
		return l.Cmp(r) <= 0
	}
	return l.Cmp(r) >= 0
}

// Less reports whether f < g exactly.
func (f Fraction) Less(g Fraction) bool { return !f.AtLeast(g) }

// scaled returns floor(|Num|·10^places / |Den|) and whether the fraction is negative.
func (f Fraction) scaled(places int) (*big.Int, bool) {
	num := big.NewInt(f.Num)
	den := big.NewInt(f.Den)
	neg := num.Sign()*den.Sign() < 0
	num.Abs(num)
	den.Abs(den)
	num.Mul(num, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(places)), nil))
	return num.Quo(num, den), neg
}

// String prints the exact decimal truncated (never rounded up) to six places, with
// trailing zeros trimmed: 49/50 → "0.98", 2/3 → "0.666666", 1 → "1", 6 → "6".
// A zero denominator prints as "".
func (f Fraction) String() string {
	if f.Den == 0 {
		return ""
	}
	return decimal(f, 0, 6, ".")
}

// Percent prints the fraction as a percentage rounded down to one decimal place,
// Vietnamese style: 0.9792 → "97,9%", 0.996 → "99,6%" (99.6% never shows as 100%).
func (f Fraction) Percent() string { return vnfmt.Percent(f.Num, f.Den, true) }

// decimal prints f·10^shift truncated to places decimals.
func decimal(f Fraction, shift, places int, point string) string {
	n, neg := f.scaled(shift + places)
	digits := n.String()
	if len(digits) <= places {
		digits = strings.Repeat("0", places-len(digits)+1) + digits
	}
	whole, frac := digits[:len(digits)-places], strings.TrimRight(digits[len(digits)-places:], "0")
	s := whole
	if frac != "" {
		s += point + frac
	}
	if neg && s != "0" {
		s = "-" + s
	}
	return s
}

// GoString helps test failure messages.
func (f Fraction) GoString() string { return fmt.Sprintf("%d/%d", f.Num, f.Den) }
