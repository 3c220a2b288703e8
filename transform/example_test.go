package transform

import (
	"math/rand/v2"
	"strings"
	"testing"

	"golang.org/x/text/unicode/norm"
)

// A fill-in template's example row is skipped; no data row is taken for one.
func TestIsExampleRow(t *testing.T) {
	for cells, want := range map[[3]string]bool{
		{"Ví dụ", "06466", "Thị trấn Chi Lăng"}: true,
		{"", " ví dụ: ", "06466-001"}:           true,
		{"VD", "Miến dong", "4"}:                true,
		{"V.D.", "", ""}:                        false, // "v d", not "vd"
		{norm.NFD.String("VÍ DỤ"), "", ""}:      true,
		{"1", "Ví dụ", "x"}:                     false, // a first cell that is not the label
		{"Ví dụ khác", "06466", ""}:             false,
		{"Ví dụ 1", "06466", ""}:                false,
		{"", "", ""}:                            false,
	} {
		if got := isExampleRow(cells[:]); got != want {
			t.Errorf("%q: %v, want %v", cells, got, want)
		}
	}
}

// The quick test before folding never changes the answer: random texts of the letters of the
// label (composed, decomposed, other cases), other letters, digits and punctuation.
func TestMayBeExampleKeepsTheAnswer(t *testing.T) {
	parts := []string{"v", "V", "í", "Í", "i", "I", "\u0301", "d", "D", "ụ", "Ụ", "u", "U", "\u0323", "đ", "Đ", "a", "x",
		"ì", "1", "0", " ", "  ", ":", ".", "(", ")", "-", "\t", "ｖ", "ｄ", "Ví dụ", "VD", "vd", "dụ", "\u00a0"}
	r := rand.New(rand.NewPCG(1, 2))
	full := func(c string) bool { k := headerWords(c); return k == "ví dụ" || k == "vd" }
	matched := 0
	for range 200000 {
		var b strings.Builder
		for n := 1 + r.IntN(6); n > 0; n-- {
			b.WriteString(parts[r.IntN(len(parts))])
		}
		c := b.String()
		if strings.TrimSpace(c) == "" {
			continue
		}
		want := full(c)
		if want {
			matched++
		}
		if got := isExampleRow([]string{c}); got != want {
			t.Fatalf("%q: %v, folded %q", c, got, headerWords(c))
		}
	}
	if matched < 100 {
		t.Errorf("only %d random texts read as the label: the test says little", matched)
	}
}
