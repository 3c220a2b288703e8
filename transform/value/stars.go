package value

import (
	"errors"
	"fmt"
	"strings"
)

// ErrStarsRange is wrapped by ParseStars when a rating is not 3, 4 or 5:
// OCOP certifies 3 to 5 stars, anything else is a row reject.
var ErrStarsRange = errors.New("hạng sao OCOP phải là 3, 4 hoặc 5")

// ParseStars reads an OCOP star rating: "3", "3 sao", "3★", "4*", "4.0",
// "★★★" (filled stars counted, ☆ ignored), "Hạng 4 sao", "OCOP 5 sao".
// A number outside 3–5 wraps ErrStarsRange; blank returns ErrBlank.
func ParseStars(s string) (int, error) {
	k := key(s)
	if isBlank(k) {
		return 0, ErrBlank
	}
	bad := fmt.Errorf("%s không phải hạng sao (ví dụ 3, 4 sao, 5★)", quote(s))

	// Only star signs: count the filled ones.
	if n, ok := countStarSigns(k); ok {
		if n == 0 {
			return 0, bad
		}
		return checkStars(s, n)
	}
	for _, p := range []string{"san pham ocop ", "ocop ", "xep hang ", "hang ", "dat "} {
		k = strings.TrimPrefix(k, p)
	}
	for _, suf := range []string{"sao ocop", "sao", "★", "⭐", "*", "s"} {
		if t, ok := strings.CutSuffix(k, suf); ok {
			k = strings.TrimSuffix(t, " ")
			break
		}
	}
	d, err := parseDecimal(k, modeRatio)
	if err != nil || d.neg || d.exp < 0 || len(d.digits)+d.exp > 3 {
		if err == nil && !d.isZero() && d.exp >= 0 { // a large number
			return 0, fmt.Errorf("%s: %w", quote(s), ErrStarsRange)
		}
		return 0, bad
	}
	n := 0
	for i := 0; i < len(d.digits)+d.exp; i++ {
		n *= 10
		if i < len(d.digits) {
			n += int(d.digits[i] - '0')
		}
	}
	return checkStars(s, n)
}

func checkStars(s string, n int) (int, error) {
	if n < 3 || n > 5 {
		return 0, fmt.Errorf("%s: %w", quote(s), ErrStarsRange)
	}
	return n, nil
}

// countStarSigns counts ★, ⭐ and * in a text made only of star signs and
// spaces (☆, an empty star, counts as nothing).
func countStarSigns(k string) (int, bool) {
	n := 0
	for _, r := range k {
		switch r {
		case '★', '⭐', '*', '✪', '✭', '✮', '✯', '🌟':
			n++
		case '☆', ' ', '\ufe0f':
		default:
			return 0, false
		}
	}
	return n, true
}
