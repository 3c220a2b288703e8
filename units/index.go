package units

import (
	"hash/maphash"
	"strings"

	"ntm"
)

// span is a run of a sorted list: list[start:end].
type span struct{ start, end int32 }

// runIndex finds the run of one key in a list sorted by that key, through a map from the key's
// hash to the run. The map holds no pointers, so the collector never scans it: at national scale
// the history's maps by code and by parent were 200,000 string keys and slices for it to mark on
// every cycle. Two keys of one hash (almost never) are kept by key in clash instead.
type runIndex struct {
	hash  func(string) uint64
	at    map[uint64]span // a clashing hash maps to {-1, -1}
	clash map[string]span
}

// buildRuns indexes the runs of equal keys of a list of n elements sorted by key.
func buildRuns(n int, key func(i int) string) runIndex {
	seed := maphash.MakeSeed()
	return buildRunsHash(n, key, func(s string) uint64 { return maphash.String(seed, s) })
}

func buildRunsHash(n int, key func(i int) string, hash func(string) uint64) runIndex {
	x := runIndex{hash: hash, at: map[uint64]span{}}
	for i := 0; i < n; {
		k := key(i)
		j := i + 1
		for j < n && key(j) == k {
			j++
		}
		s := span{int32(i), int32(j)}
		h := x.hash(k)
		switch old, ok := x.at[h]; {
		case !ok:
			x.at[h] = s
		case old.start < 0:
			x.clash[k] = s
		default:
			if x.clash == nil {
				x.clash = map[string]span{}
			}
			x.clash[key(int(old.start))] = old
			x.clash[k] = s
			x.at[h] = span{-1, -1}
		}
		i = j
	}
	return x
}

// find returns the run of k (start == end when k is not in the list).
func (x *runIndex) find(k string, key func(i int) string) span {
	s, ok := x.at[x.hash(k)]
	switch {
	case !ok:
		return span{}
	case s.start < 0:
		return x.clash[k]
	case key(int(s.start)) != k:
		return span{} // another key of the same hash
	}
	return s
}

// compactStrings makes the versions' strings share one backing string, each distinct text once
// (a parent's code is its parent's Code, every "Thôn" one text): one object for the collector
// instead of six small ones a version.
func compactStrings(vs []Version) {
	at := map[string]int{}
	var b strings.Builder
	add := func(s string) {
		if _, ok := at[s]; !ok && s != "" {
			at[s] = b.Len()
			b.WriteString(s)
		}
	}
	for i := range vs {
		v := &vs[i]
		add(v.Code)
		add(v.Kind)
		add(v.Name)
		add(v.Folded)
		add(v.Parent)
	}
	all := b.String()
	get := func(s string) string {
		if s == "" {
			return ""
		}
		o := at[s]
		return all[o : o+len(s)]
	}
	for i := range vs {
		v := &vs[i]
		v.Code, v.Kind, v.Name, v.Folded, v.Parent = get(v.Code), get(v.Kind), get(v.Name), get(v.Folded), get(v.Parent)
		for _, l := range ntm.Levels {
			if v.Level == l {
				v.Level = l // the constant, not a copy read from the database
			}
		}
	}
}
