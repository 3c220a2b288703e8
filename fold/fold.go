// Package fold owns Vietnamese text folding for matching: it turns the many
// ways a name or header can be typed (NFC or NFD, old or new tone-mark
// placement, Ð instead of Đ, stray NBSP and zero-width characters, odd
// spacing and punctuation) into one canonical form, strips unit-kind prefixes
// from administrative unit names, and derives ASCII forms for fuzzy matching
// and file names.
//
// Tone placement: the canonical form is the "new style" (kiểu mới, the
// default of current Vietnamese keyboards): in the open syllables oa, oe and
// uy the tone mark sits on the second vowel (hoà, khoẻ, thuý, quỳ), so "Hòa"
// and "Hoà" both fold to "hoà". Everywhere else the usual rules apply: on the
// vowel carrying a circumflex, breve or horn (ấ, ươ → ơ), else on the last
// vowel before a final consonant (hoàng, huỳnh), else on the first of two or
// the middle of three vowels (tài, ngoài); the u of "qu" and the i of "gi"
// belong to the consonant (quý, già). Words that are not one Vietnamese
// syllable (foreign words, garbage, several tone marks) keep their marks
// where they are, so folding never invents a spelling.
package fold

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Text folds free text and headers for matching: NFC, lower case, canonical
// tone placement, Ð/ð (U+00D0/U+00F0) → đ, NBSP and other Unicode spaces
// turned into plain spaces, zero-width characters and soft hyphens removed,
// runs of spaces collapsed, and punctuation that only decorates the edges
// (":", ";", ",", ".", "*", "-", "•", quotes, an enclosing pair of
// parentheses) trimmed. Text(Text(s)) == Text(s) and the result is NFC.
func Text(s string) string {
	if isFolded(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case isInvisible(r):
			continue
		case r == 0xD0 || r == 0xF0 || r == 0x110 || r == 0x189 || r == 0x256:
			// Ð (Icelandic eth) and ɖ/Ɖ are look-alikes typed for Đ.
			b.WriteRune('đ')
		case unicode.IsSpace(r) || unicode.IsControl(r) || r == utf8.RuneError:
			b.WriteByte(' ')
		default:
			b.WriteRune(unicode.ToLower(r))
		}
	}
	t := norm.NFC.String(b.String())
	t = placeTones(t)
	t = collapseSpaces(t)
	t = trimEdges(t)
	return norm.NFC.String(t)
}

// isFolded reports whether s is plain lower-case ASCII that Text would return
// unchanged; most headers and codes take this fast path.
func isFolded(s string) bool {
	if s == "" {
		return true
	}
	prevSpace := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
			prevSpace = false
		case c == ' ':
			if prevSpace {
				return false
			}
			prevSpace = true
		case c >= 0x80 || c < 0x20 || c == 0x7f || (c >= 'A' && c <= 'Z'):
			return false
		default:
			if i == 0 || i == len(s)-1 {
				return false // punctuation at an edge may need trimming
			}
			prevSpace = false
		}
	}
	return !prevSpace
}

// isInvisible lists characters that carry no text: zero-width spaces and
// joiners, the word joiner, the BOM and the soft hyphen.
func isInvisible(r rune) bool {
	switch r {
	case 0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF, 0x00AD, 0x180E:
		return true
	}
	return false
}

func collapseSpaces(s string) string {
	if !strings.Contains(s, "  ") && !strings.HasPrefix(s, " ") && !strings.HasSuffix(s, " ") {
		return s
	}
	return strings.Join(strings.Fields(s), " ")
}

// trimEdges removes decorative punctuation and spaces around s until nothing
// changes. A leading "-", "+" or "." before a digit is kept (a sign or a
// decimal point), and parentheses go only as a balanced enclosing pair or
// when unmatched. It runs in linear time: the parenthesis matching and
// counts are computed once for s and reused for every shrinking window.
func trimEdges(s string) string {
	if s == "" {
		return s
	}
	r0, _ := utf8.DecodeRuneInString(s)
	r1, _ := utf8.DecodeLastRuneInString(s)
	if !isEdgePunct(r0) && !isEdgePunct(r1) && r0 != ' ' && r1 != ' ' && r0 != '(' && r1 != ')' {
		return s
	}
	// opens[i], closes[i]: parentheses in s[:i]; match[i]: partner of the
	// parenthesis at i under the usual stack matching, or -1.
	opens := make([]int32, len(s)+1)
	closes := make([]int32, len(s)+1)
	match := make([]int32, len(s))
	var stack []int32
	for i := 0; i < len(s); i++ {
		opens[i+1], closes[i+1], match[i] = opens[i], closes[i], -1
		switch s[i] {
		case '(':
			opens[i+1]++
			stack = append(stack, int32(i))
		case ')':
			closes[i+1]++
			if len(stack) > 0 {
				j := stack[len(stack)-1]
				stack = stack[:len(stack)-1]
				match[i], match[j] = j, int32(i)
			}
		}
	}
	a, b := 0, len(s)
	for {
		before := b - a
		for a < b {
			r, n := utf8.DecodeRuneInString(s[a:b])
			if r != ' ' && !isEdgePunct(r) {
				break
			}
			if (r == '-' || r == '+' || r == '.') && a+n < b && s[a+n] >= '0' && s[a+n] <= '9' {
				break
			}
			a += n
		}
		for a < b {
			r, n := utf8.DecodeLastRuneInString(s[a:b])
			if r != ' ' && !isEdgePunct(r) {
				break
			}
			b -= n
		}
		if b-a >= 2 && s[a] == '(' && s[b-1] == ')' && int(match[a]) == b-1 {
			a, b = a+1, b-1 // an enclosing pair around balanced text
		} else if a < b && s[b-1] == ')' && closes[b]-closes[a] > opens[b]-opens[a] {
			b--
		} else if a < b && s[a] == '(' && opens[b]-opens[a] > closes[b]-closes[a] {
			a++
		}
		if b-a == before {
			return s[a:b]
		}
	}
}

func isEdgePunct(r rune) bool {
	switch r {
	case ':', ';', ',', '.', '*', '-', '+', '_', '!', '?', '\'', '"', '`', '|',
		'–', '—', '•', '·', '…', '“', '”', '‘', '’', '«', '»', '„', '‚', '○', '●', '▪', '■', '►', '‐':
		return true
	}
	return false
}

// ASCII folds s with Text and then drops every diacritic (đ → d), for
// "closest candidate" suggestions where a user typed without accents.
// Characters that are not Latin letters with marks are kept as they are.
func ASCII(s string) string {
	t := Text(s)
	ascii := true
	for i := 0; i < len(t); i++ {
		if t[i] >= 0x80 {
			ascii = false
			break
		}
	}
	if ascii {
		return t
	}
	var b strings.Builder
	b.Grow(len(t))
	for _, r := range norm.NFD.String(t) {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue
		case r == 'đ':
			b.WriteByte('d')
		default:
			b.WriteRune(r)
		}
	}
	// Dropping a mark can leave an edge space or punctuation behind.
	return Text(b.String())
}

// Slug gives an ASCII file-name slug: ASCII(s) with every run of characters
// other than a–z and 0–9 replaced by one "-" ("Huyện Chi Lăng" →
// "huyen-chi-lang"). It is "" when s has no such character.
func Slug(s string) string {
	a := ASCII(s)
	var b strings.Builder
	b.Grow(len(a))
	dash := false
	for i := 0; i < len(a); i++ {
		c := a[i]
		if (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteByte(c)
		} else {
			dash = true
		}
	}
	return b.String()
}
