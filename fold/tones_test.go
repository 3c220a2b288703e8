package fold

import (
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// TestPlaceToneLeavesCanonicalWordsAsTheyAre holds placeTone's shortcut (a tone already in its
// place returns the word itself) to the answer built letter by letter, and placeTone to
// placeToneNFD, the code before it (which decomposed every word with norm.NFD.String): the same
// on every
// one-syllable word made of the Vietnamese letters, modifiers and tones in any position and order
// (NFC, as placeTones gets them), and on random texts.
func TestPlaceToneLeavesCanonicalWordsAsTheyAre(t *testing.T) {
	initials := []string{"", "b", "ch", "gi", "kh", "ng", "qu", "th", "tr", "đ", "h"}
	vowels := []string{"a", "e", "i", "o", "u", "y", "oa", "oe", "uy", "uo", "ie", "ua", "oai", "uye", "ieu", "uou", "ai", "ao", "oi", "ui"}
	finals := []string{"", "c", "ch", "m", "n", "ng", "nh", "p", "t"}
	marks := []string{"", "\u0302", "\u0306", "\u031b"}
	tones := []string{"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}
	n := 0
	check := func(w string) {
		t.Helper()
		n++
		if got, want := placeToneOf(w, true), placeToneOf(w, false); got != want {
			t.Fatalf("placeTone(%q) = %q, built letter by letter %q", w, got, want)
		}
		if got, want := placeTone(w), placeToneNFD(w); got != want {
			t.Fatalf("placeTone(%q) = %q, by norm.NFD.String %q", w, got, want)
		}
	}
	for _, in := range initials {
		for _, v := range vowels {
			for _, fi := range finals {
				for vi := range len(v) {
					for _, m := range marks {
						for ti := range len(v) {
							for _, tone := range tones {
								for _, toneFirst := range []bool{false, true} {
									var b strings.Builder
									b.WriteString(in)
									for i := range len(v) {
										b.WriteByte(v[i])
										var ms []string
										if i == vi && m != "" {
											ms = append(ms, m)
										}
										if i == ti {
											if toneFirst {
												ms = append([]string{tone}, ms...)
											} else {
												ms = append(ms, tone)
											}
										}
										b.WriteString(strings.Join(ms, ""))
									}
									b.WriteString(fi)
									check(norm.NFC.String(b.String()))
								}
							}
						}
					}
				}
			}
		}
	}
	alphabet := []rune("aăâeêioôơuưyđbcghknqt\u0300\u0301\u0303\u0309\u0323\u0302\u0306\u031bàáảãạấầẩẫậắằẳẵặ")
	r := rand.New(rand.NewPCG(1, 2))
	for range 200000 {
		rs := make([]rune, 1+r.IntN(8))
		for i := range rs {
			rs[i] = alphabet[r.IntN(len(alphabet))]
		}
		check(norm.NFC.String(string(rs)))
	}
	t.Logf("%d words", n)
}

// placeToneNFD is placeTone as it was before it decomposed without allocating and returned a
// word whose tone is in place as it is.
func placeToneNFD(w string) string {
	ascii := true
	for i := 0; i < len(w); i++ {
		if w[i] >= 0x80 {
			ascii = false
			break
		}
	}
	if ascii {
		return w
	}
	d := norm.NFD.String(w)
	var letters []letter
	var tone rune
	tones := 0
	for _, r := range d {
		switch {
		case isTone(r):
			if len(letters) == 0 {
				return w
			}
			tone = r
			tones++
		case isModifier(r):
			if len(letters) == 0 {
				return w
			}
			l := &letters[len(letters)-1]
			if l.n == len(l.mods) {
				return w
			}
			l.mods[l.n] = r
			l.n++
		case (r >= 'a' && r <= 'z') || r == 'đ':
			if len(letters) == 12 {
				return w
			}
			letters = append(letters, letter{base: r})
		default:
			return w
		}
	}
	if tones != 1 {
		return w
	}
	pos := tonePosition(letters)
	if pos < 0 {
		return w
	}
	var b strings.Builder
	for i, l := range letters {
		b.WriteRune(l.base)
		for _, m := range l.mods[:l.n] {
			b.WriteRune(m)
		}
		if i == pos {
			b.WriteRune(tone)
		}
	}
	out := norm.NFC.String(b.String())
	if !utf8.ValidString(out) {
		return w
	}
	return out
}
