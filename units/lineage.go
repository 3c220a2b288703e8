package units

import (
	"sort"
	"time"

	"ntm"
)

// Into returns the valid links into v (v's direct predecessors are their OldVersion).
func (h *History) Into(v *Version) []*Link { return v.in() }

// OutOf returns the valid links out of v (v's direct successors are their NewVersion): the
// links that close it, and those that give part of it away while it continues.
func (h *History) OutOf(v *Version) []*Link { return v.out() }

// closing reports whether l starts the day after v's last day (v ends into it).
func closing(v *Version, l *Link) bool {
	return !v.To.IsZero() && l.From.Equal(v.To.AddDate(0, 0, 1))
}

// Owner is a version in force on some day that carries the facts of an earlier version.
type Owner struct {
	Version *Version
	// Partial: every way from the earlier version to this one passes a partial link (the
	// earlier unit was split): its facts are not this unit's alone.
	Partial bool
	// Depth is the number of links on the shortest way: 0 is the version itself, a rename is 1.
	Depth int
}

// Owners returns the versions in force on day d that carry version v's facts: v itself while
// it is in force; once it has closed, the versions its closing links lead to, followed
// transitively to d (so Xã Đại Đồng 2024 is carried by Xã Thất Khê on 1/7/2025 through
// Thị trấn Thất Khê). None when v closed without a successor or d is before v started.
// For a closed unit named in an export dated d, these are its successors in force on d;
// for a past version at a period's end E, the units its facts count for.
func (h *History) Owners(v *Version, d time.Time) []Owner {
	return owners(v, d, map[*Version][]Owner{})
}

func owners(v *Version, d time.Time, memo map[*Version][]Owner) []Owner {
	if r, ok := memo[v]; ok {
		return r
	}
	var res []Owner
	switch {
	case v.InForce(d):
		res = []Owner{{Version: v}}
	case d.Before(v.From):
	default:
		at := map[*Version]int{}
		for _, l := range v.out() {
			if !closing(v, l) {
				continue
			}
			for _, o := range owners(l.NewVersion, d, memo) {
				o.Partial = o.Partial || l.Partial
				o.Depth++
				if i, ok := at[o.Version]; ok {
					// Several ways to the same unit: full if any way is, the shortest depth.
					res[i].Partial = res[i].Partial && o.Partial
					res[i].Depth = min(res[i].Depth, o.Depth)
					continue
				}
				at[o.Version] = len(res)
				res = append(res, o)
			}
		}
		sort.Slice(res, func(i, j int) bool { return res[i].Version.Code < res[j].Version.Code })
	}
	memo[v] = res
	return res
}

// Ancestor is a version whose facts reach a later version through successor links.
type Ancestor struct {
	Version *Version
	// Partial: every way from it passes a partial link (a split unit: its facts cannot be
	// divided among its successors).
	Partial bool
	Depth   int // links on the shortest way (1 = a direct predecessor)
}

// Predecessors returns v's predecessors, transitively: every version linked into v, and the
// versions linked into those, with continuations (a rename or a move is a link from a code to
// itself). Full ones first, then by depth and code. Xã Thất Khê (06040, from 1/7/2025) has
// Thị trấn Thất Khê (06040, first half of 2025), Xã Chi Lăng (06034) and Xã Chí Minh (06013)
// at depth 1, and Xã Đại Đồng (06040, to 2024), Thị trấn Thất Khê (05995) and Xã Vĩnh Tiến
// (06007) at depth 2.
func (h *History) Predecessors(v *Version) []Ancestor {
	type state struct {
		partial bool
		depth   int
	}
	seen := map[*Version]*state{}
	queue := []*Version{v}
	seen[v] = &state{}
	for len(queue) > 0 {
		cur := queue[0]
		queue = queue[1:]
		cs := seen[cur]
		for _, l := range cur.in() {
			p := l.OldVersion
			ps := state{partial: cs.partial || l.Partial, depth: cs.depth + 1}
			if old, ok := seen[p]; ok {
				// Revisit only when this way makes it full, or shorter.
				if (old.partial && !ps.partial) || ps.depth < old.depth {
					old.partial = old.partial && ps.partial
					old.depth = min(old.depth, ps.depth)
					queue = append(queue, p)
				}
				continue
			}
			seen[p] = &ps
			queue = append(queue, p)
		}
	}
	out := make([]Ancestor, 0, len(seen)-1)
	for p, s := range seen {
		if p != v {
			out = append(out, Ancestor{Version: p, Partial: s.partial, Depth: s.depth})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Partial != b.Partial {
			return !a.Partial
		}
		if a.Depth != b.Depth {
			return a.Depth < b.Depth
		}
		if a.Version.Code != b.Version.Code {
			return a.Version.Code < b.Version.Code
		}
		return a.Version.From.Before(b.Version.From)
	})
	return out
}

// ClosedWithoutSuccessor returns the versions whose last day is d−1 and that no link
// carries on (closed on d−1 without a successor), by level and code.
func (h *History) ClosedWithoutSuccessor(d time.Time) []*Version {
	last := d.AddDate(0, 0, -1)
	var out []*Version
	for _, v := range h.versions {
		if v.To.IsZero() || !v.To.Equal(last) {
			continue
		}
		carried := false
		for _, l := range v.out() {
			if closing(v, l) {
				carried = true
				break
			}
		}
		if !carried {
			out = append(out, v)
		}
	}
	return out
}

// withoutSuccessor splits the versions closed on d−1 without a successor (of the versions
// inScope accepts) into a list, and a count of the districts of provinces that have no
// district on d any more (the level was abolished; it is the only optional level).
func (h *History) withoutSuccessor(d time.Time, inScope func(*Version) bool) ([]*Version, map[ntm.Level]int) {
	present := map[string]bool{} // province + level
	for _, v := range h.versions {
		if v.InForce(d) {
			present[v.Province+"|"+string(v.Level)] = true
		}
	}
	var out []*Version
	abolished := map[ntm.Level]int{}
	for _, v := range h.ClosedWithoutSuccessor(d) {
		switch {
		case !inScope(v):
		case v.Level == ntm.LevelDistrict && !present[v.Province+"|"+string(v.Level)]:
			abolished[v.Level]++
		default:
			out = append(out, v)
		}
	}
	return out, abolished
}
