package value

import (
	"fmt"
	"regexp"
	"strings"
	"unicode"
)

// isListSeparator reports whether r ends an item of a list typed in one cell:
// ";", line breaks, and bullet signs (which never occur inside names).
func isListSeparator(r rune) bool {
	switch r {
	case ';', '；', '\n', '\r', '\v', '\f', '\u0085', '\u2028', '\u2029', '•', '●', '▪', '◦', '■', '□', '►', '➢', '✓':
		return true
	}
	return false
}

// CountList counts the items of a list typed in one cell: items are separated
// by ";" or line breaks, or marked with bullet signs (•, ●, ▪);
// an item counts if it holds a letter or digit, so "- ", "+" and empty lines
// do not. Commas do not separate items (names contain them).
func CountList(s string) int {
	n := 0
	for _, item := range strings.FieldsFunc(s, isListSeparator) {
		if strings.IndexFunc(item, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) >= 0 {
			n++
		}
	}
	return n
}

var modelsNumber = regexp.MustCompile(`^(\d+) ?(?:mo hinh|mh)\b`)

// ParseModels reads a "digital-transformation models" answer: a number ("2",
// "2 mô hình: …") is the count; a list is counted (CountList); Không, Chưa
// có, 0 are zero; a lone Có is one; blank (or Không rõ) is unknown
// (known = false). Only a malformed number is an error ("-3", "1,5").
func ParseModels(s string) (count int, known bool, err error) {
	c := clean(s)
	if isBlank(c) {
		return 0, false, nil
	}
	if looksNumeric(c) {
		n, err := ParseCount(c)
		if err != nil {
			return 0, false, fmt.Errorf("số mô hình: %w", err)
		}
		if n > 1<<31-1 {
			return 0, false, fmt.Errorf("số mô hình %s quá lớn", quote(s))
		}
		return int(n), true, nil
	}
	if m := modelsNumber.FindStringSubmatch(key(c)); m != nil && len(m[1]) <= 6 {
		return atoi(m[1]), true, nil
	}
	if v, err := ParseYesNo(c); err == nil {
		switch v {
		case No:
			return 0, true, nil
		case Unknown:
			return 0, false, nil
		}
	}
	n := CountList(s)
	if n == 0 {
		return 0, false, nil
	}
	return n, true, nil
}

// looksNumeric reports whether a cleaned text is made of number characters
// only (digits, signs, separators, spaces, %): then it must parse as a number.
func looksNumeric(c string) bool {
	digit := false
	for _, r := range c {
		switch {
		case r >= '0' && r <= '9':
			digit = true
		case strings.ContainsRune("+-−.,  %eE", r):
		default:
			return false
		}
	}
	return digit
}

// E-commerce platforms, as stored (fact_ocop_listing.platform).
const (
	PlatformPostmart = "postmart"
	PlatformVoso     = "voso"
	PlatformShopee   = "shopee"
	PlatformLazada   = "lazada"
	PlatformTiki     = "tiki"
	PlatformSendo    = "sendo"
	PlatformTikTok   = "tiktok"
	PlatformProvince = "province" // the province's own e-commerce platform
	PlatformOther    = "other"
)

// Platform normalises an e-commerce platform name or link to its code:
// Postmart, Voso, Shopee, Lazada, Tiki, Sendo, TikTok (Shop) by name or
// domain; the province's own platform ("Sàn TMĐT tỉnh", "sàn tỉnh",
// "Sàn TMĐT Lạng Sơn", a langson… domain) → "province"; any other non-empty
// text → "other". ok is false for a blank cell and for bare yes/no marks
// (x, Có, Không, 0, a dash), which name no platform: in the one-column-per-
// platform layout the header names it.
func Platform(s string) (canonical string, ok bool) {
	f := formOf(s)
	if isBlank(f.low) || yesWords.is(f) || noWords.is(f) || unknownWords.is(f) {
		return "", false
	}
	var b strings.Builder
	for _, r := range f.plain {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	c := b.String()
	for _, p := range []struct{ word, code string }{
		{"postmart", PlatformPostmart},
		{"voso", PlatformVoso},
		{"shopee", PlatformShopee},
		{"lazada", PlatformLazada},
		{"tiktok", PlatformTikTok},
		{"tiki", PlatformTiki},
		{"sendo", PlatformSendo},
		{"langson", PlatformProvince},
		{"santinh", PlatformProvince},
		{"tmdttinh", PlatformProvince},
		{"dientutinh", PlatformProvince},
		{"cuatinh", PlatformProvince},
	} {
		if strings.Contains(c, p.word) {
			return p.code, true
		}
	}
	return PlatformOther, true
}

var platformListSep = regexp.MustCompile(`(?i)[,;；|]+| và | va | and `)

// ParsePlatformList reads one cell naming several platforms ("Postmart,
// Shopee; Voso", "Shopee và Lazada", one link per line) into distinct codes
// in order of first appearance. "&" and "+" do not separate: links contain them.
func ParsePlatformList(s string) []string {
	var out []string
	seen := map[string]bool{}
	for _, part := range platformListSep.Split(clean(strings.Map(newlineToSemicolon, s)), -1) {
		if p, ok := Platform(part); ok && !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	return out
}

func newlineToSemicolon(r rune) rune {
	if r == '\n' || r == '\r' {
		return ';'
	}
	return r
}
