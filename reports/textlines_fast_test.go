package reports

import (
	"math/rand/v2"
	"strings"
	"testing"

	"golang.org/x/text/unicode/norm"
)

// textLinesPerWord is textLines as it was before the composed check moved to the whole text:
// every word composed and measured on its own, the text split into slices.
func textLinesPerWord(s string, width float64, f fontSpec) int {
	if s == "" || width <= 0 {
		return 1
	}
	room := cellRoomPt(width)
	space := textWidthPt(" ", f)
	lines := 0
	for _, para := range strings.Split(s, "\n") {
		n, used := 1, 0.0
		for _, word := range strings.Fields(para) {
			lw := textWidthPt(word, f)
			switch {
			case used == 0:
				used = lw
			case used+space+lw <= room:
				used += space + lw
			default:
				n++
				used = lw
			}
			for used > room {
				n++
				used -= room
			}
		}
		lines += n
	}
	return max(1, lines)
}

// The row-height estimate counts the same lines as measuring word by word, on random texts of
// Vietnamese letters composed and decomposed, spaces of every kind and line breaks; and every
// rune's width from the table is the computed one.
func TestTextLinesAsPerWord(t *testing.T) {
	pieces := []string{"a", "Thôn", "Xã", "ư", "u\u031B", "o\u0302\u0301", "Đ", "đường", "\u0301", "ì", "i\u0300",
		" ", "  ", "\u00A0", "\t", "\n", "\u2000", "\u3000", "…", "–", "100", "%", "(", "Thị trấn", "ƠỚ", "x\u0323"}
	r := rand.New(rand.NewPCG(1, 2))
	fonts := []fontSpec{bodyFont, {size: 14, bold: true}, {size: 9}}
	for i := 0; i < 50000; i++ {
		var b strings.Builder
		for n := r.IntN(30); n > 0; n-- {
			b.WriteString(pieces[r.IntN(len(pieces))])
		}
		s, f, w := b.String(), fonts[i%len(fonts)], float64(r.IntN(60))
		if i%2 == 0 {
			s = norm.NFC.String(s)
		}
		if got, want := textLines(s, w, f), textLinesPerWord(s, w, f); got != want {
			t.Fatalf("textLines(%q, %v, %v) = %d, word by word %d", s, w, f, got, want)
		}
	}
	for _, bold := range []bool{false, true} {
		for c := rune(0); c < runeTableSize; c++ {
			if runeWidth(c, bold) != runeWidthOf(c, bold) {
				t.Fatalf("width of %U (bold %v): table %v, computed %v", c, bold, runeWidth(c, bold), runeWidthOf(c, bold))
			}
		}
	}
}
