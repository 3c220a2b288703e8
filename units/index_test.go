package units

import (
	"slices"
	"testing"
)

// The runs of a code are found whatever the hash does: keys of one hash (forced here by a hash
// of the first letter) are told apart, and a key that is absent but shares a present key's hash
// is not found.
func TestRunIndexClash(t *testing.T) {
	keys := []string{"a1", "a1", "a2", "b1", "b1", "b1", "c1"}
	key := func(i int) string { return keys[i] }
	for name, hash := range map[string]func(string) uint64{
		"first letter": func(s string) uint64 {
			if s == "" {
				return 0
			}
			return uint64(s[0])
		},
		"one hash": func(string) uint64 { return 7 },
		"real":     buildRuns(0, nil).hash,
	} {
		x := buildRunsHash(len(keys), key, hash)
		for _, k := range []string{"a1", "a2", "b1", "c1", "a3", "d1", ""} {
			s := x.find(k, key)
			var want []int
			for i, kk := range keys {
				if kk == k {
					want = append(want, i)
				}
			}
			var got []int
			for i := s.start; i < s.end; i++ {
				got = append(got, int(i))
			}
			if !slices.Equal(got, want) {
				t.Errorf("%s: %q found at %v, want %v", name, k, got, want)
			}
		}
	}
}
