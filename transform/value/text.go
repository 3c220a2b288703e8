package value

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// ErrBlank is returned for a blank cell (empty, only spaces, or a lone dash).
// It is distinct from a malformed value: a blank is missing data, not bad data.
var ErrBlank = errors.New("ô trống")

// clean normalises a cell's text: NFC, Unicode spaces → " ", zero-width
// characters removed, runs of spaces collapsed (line breaks included), trimmed.
func clean(s string) string {
	if isPlainASCII(s) {
		return s
	}
	if !isASCII(s) {
		s = norm.NFC.String(s)
	}
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		switch {
		case isZeroWidth(r):
			continue
		case unicode.IsSpace(r):
			space = b.Len() > 0
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	return b.String()
}

// isPlainASCII reports whether s is ASCII with no control characters, no
// leading or trailing space and no double space: clean would return it as is.
func isPlainASCII(s string) bool {
	if s == "" {
		return true
	}
	if s[0] == ' ' || s[len(s)-1] == ' ' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf || c < ' ' || c == 0x7f {
			return false
		}
		if c == ' ' && s[i+1] == ' ' {
			return false
		}
	}
	return true
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

func isZeroWidth(r rune) bool {
	switch r {
	case '\u200b', '\u200c', '\u200d', '\u2060', '\ufeff', '\u00ad':
		return true
	}
	return false
}

// key is the form keywords are matched against: clean, lower case, without
// diacritics, with đ/Đ/Ð (U+00D0) as d. "Chưa đạt" → "chua dat".
func key(s string) string {
	s = clean(s)
	if isASCII(s) {
		return strings.ToLower(s)
	}
	s = norm.NFD.String(strings.ToLower(s))
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue
		case r == 'đ' || r == 'ð' || r == 'Đ' || r == 'Ð':
			r = 'd'
		}
		b.WriteRune(r)
	}
	return norm.NFC.String(b.String())
}

// isDash reports whether a cleaned text is only dashes: "nothing entered".
func isDash(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		switch r {
		case '-', '–', '—', '‒', '―', '−':
		default:
			return false
		}
	}
	return true
}

// isBlank reports whether a cleaned text counts as blank.
func isBlank(c string) bool { return c == "" || isDash(c) }

// hasWordPrefix reports whether k starts with the word(s) w followed by the
// end of the text or a character that is not a letter or digit.
func hasWordPrefix(k, w string) bool {
	if !strings.HasPrefix(k, w) {
		return false
	}
	if len(k) == len(w) {
		return true
	}
	r, _ := utf8.DecodeRuneInString(k[len(w):])
	return !unicode.IsLetter(r) && !unicode.IsDigit(r)
}

// quote shows the offending value in an error message, shortened if long.
func quote(s string) string {
	s = clean(s)
	if utf8.RuneCountInString(s) > 60 {
		r := []rune(s)
		s = string(r[:57]) + "…"
	}
	return fmt.Sprintf("%q", s)
}

// form holds the two shapes a short answer is matched in: low is the
// cleaned, lower-case NFC text (Ð U+00D0 read as đ); plain is key(s), without
// diacritics. Keywords are written with their diacritics and match low, so
// "Cỏ" is not "Có"; a value typed entirely without diacritics ("Khong",
// "Chua dat") matches the keywords' plain forms instead.
type form struct {
	low, plain string
}

func formOf(s string) form {
	low := strings.ToLower(clean(s))
	if !isASCII(low) {
		low = strings.ReplaceAll(low, "ð", "đ")
	}
	return form{low: low, plain: key(s)}
}

// marked reports whether the value carries diacritics (or đ).
func (f form) marked() bool { return f.low != f.plain }

// words is a set of keywords written with their diacritics.
type words struct {
	list  []string // accented, NFC
	plain []string // list without diacritics, index-aligned
	set   map[string]bool
	pset  map[string]bool
}

func newWords(ws ...string) words {
	w := words{set: map[string]bool{}, pset: map[string]bool{}}
	for _, s := range ws {
		s = norm.NFC.String(s)
		w.list = append(w.list, s)
		w.plain = append(w.plain, key(s))
		w.set[s] = true
		w.pset[key(s)] = true
	}
	return w
}

// is reports whether the whole value is one of the keywords.
func (w words) is(f form) bool {
	if f.marked() {
		return w.set[f.low]
	}
	return w.pset[f.plain]
}

// startsWith reports whether the value starts with one of the keywords as
// whole words ("Có (QĐ số 12)" starts with "có").
func (w words) startsWith(f form) bool {
	list, s := w.list, f.low
	if !f.marked() {
		list, s = w.plain, f.plain
	}
	for _, p := range list {
		if hasWordPrefix(s, p) {
			return true
		}
	}
	return false
}
