package transform

import (
	"hash/maphash"
	"slices"
	"testing"

	"ntm/units"
)

// A name look-up gives the units of its key in the index's order, also when other keys share
// its hash (forced here: every key one hash) and when the key is absent.
func TestNameIndexClash(t *testing.T) {
	var recs []unitRec
	for _, p := range [][2]string{{"01", "chi lăng"}, {"02", "chi lăng"}, {"01", "quang lang"}, {"01", "chi lăng"}, {"03", "x"}} {
		recs = append(recs, unitRec{Version: &units.Version{Parent: p[0], Folded: p[1]}})
	}
	key := func(u *unitRec) (string, string) { return u.Parent, u.Folded }
	for name, hash := range map[string]func(a, b string) uint64{
		"one hash": func(a, b string) uint64 { return 1 },
		"parent":   func(a, b string) uint64 { return uint64(a[1]) },
		"real":     hash2(maphash.MakeSeed()),
	} {
		n := newNameIndex(recs, hash, key)
		for _, k := range [][2]string{{"01", "chi lăng"}, {"02", "chi lăng"}, {"01", "quang lang"}, {"03", "x"}, {"03", "chi lăng"}, {"04", "x"}} {
			var want []*unitRec
			for i := range recs {
				if a, b := key(&recs[i]); a == k[0] && b == k[1] {
					want = append(want, &recs[i])
				}
			}
			if got := n.get(k[0], k[1]); !slices.Equal(got, want) {
				t.Errorf("%s: %v gave %d units, want %d", name, k, len(got), len(want))
			}
		}
	}
}
