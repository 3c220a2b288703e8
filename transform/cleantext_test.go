package transform

import (
	"math/rand/v2"
	"testing"
)

// The ASCII fast path of cleanText gives what the general path gives, on every input.
func TestCleanTextFastPathAgrees(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"", " ", "H34.2024-331453-0001074", " a", "a ", "a  b", "a b", "a\tb", "Xã  Vân\u00a0An ", "\ufeffABC", "x\u200by"} {
		if got, want := cleanText(s), cleanTextSlow(s); got != want {
			t.Errorf("cleanText(%q) = %q, want %q", s, got, want)
		}
	}
	r := rand.New(rand.NewPCG(1, 2))
	alphabet := []byte(" \t\r\nAz09.-/\x7f\x01")
	for range 20000 {
		b := make([]byte, r.IntN(8))
		for i := range b {
			b[i] = alphabet[r.IntN(len(alphabet))]
		}
		if got, want := cleanText(string(b)), cleanTextSlow(string(b)); got != want {
			t.Fatalf("cleanText(%q) = %q, want %q", b, got, want)
		}
	}
}

func FuzzCleanText(f *testing.F) {
	for _, s := range []string{"", "a  b", " x", "H-1", "Xã\u00a0Vân An"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := cleanText(s), cleanTextSlow(s); got != want {
			t.Fatalf("cleanText(%q) = %q, want %q", s, got, want)
		}
	})
}
