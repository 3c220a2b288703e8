package fold

import (
	"testing"
	"unicode/utf8"
)

// FuzzFold runs every folding function on one input: none may panic, and
// valid UTF-8 stays valid. Seeds: testdata/fuzz/FuzzFold.
func FuzzFold(f *testing.F) {
	for _, s := range []string{"", "Huyện Chi Lăng", "UBND xã Quang Lang", "Ba\u0300n Na\u0300", "Thôn Hoà / Hòa",
		"1. Xã Đồng ý", "Ð", "\u00a0\u200b", "Thị Trấn Năm Căn", "\xff", "tổ dân phố 5"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := []string{Text(s), ASCII(s), Slug(s)}
		n, k := UnitName(s)
		out = append(out, n, k)
		if utf8.ValidString(s) {
			for _, o := range out {
				if !utf8.ValidString(o) {
					t.Fatalf("%q folded to invalid UTF-8 %q", s, o)
				}
			}
		}
	})
}
