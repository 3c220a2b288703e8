package evaluate

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"ntm/units"
	"ntm/vnfmt"
)

// lineage attributes facts to unit versions and finds, for a unit in force at the period end,
// the versions whose facts stand for it (docs/structure-changes.md §4–§5). Facts carry a bare
// code and a unit date; the reform gave old codes to other units, so a fact belongs to the
// version of its code for its date (units.History.VersionOf), never to whatever holds the code
// at the period end. The History is read once per evaluation and every lookup is a map lookup
// (docs/architecture.md: Go maps beat attributing in SQL at national scale).
type lineage struct {
	h   *units.History
	end time.Time
	att *units.Attribution // owners at the period end, computed when first needed
}

// version is the version a fact with this code and unit date belongs to; nil for a code the
// structure does not know.
func (l *lineage) version(code string, date time.Time) *units.Version {
	return l.h.VersionOf(code, date)
}

// current is the version of a unit in force at the period end.
func (l *lineage) current(u *unit) *units.Version { return l.h.At(u.Code, l.end) }

// byVersion holds one fact (the newest, as the query orders them) per unit version; facts whose
// code names no version are held by code.
type byVersion[T any] struct {
	v    map[*units.Version]T
	code map[string]T
}

func newByVersion[T any]() *byVersion[T] {
	return &byVersion[T]{v: map[*units.Version]T{}, code: map[string]T{}}
}

// put keeps x for the version of code at date unless that version already has a fact.
func (b *byVersion[T]) put(l *lineage, code string, date time.Time, x T) {
	if v := l.version(code, date); v != nil {
		if _, ok := b.v[v]; !ok {
			b.v[v] = x
		}
		return
	}
	if _, ok := b.code[code]; !ok {
		b.code[code] = x
	}
}

// own is version v's fact; with v nil, the fact held under code.
func (b *byVersion[T]) own(v *units.Version, code string) (T, bool) {
	if v == nil {
		x, ok := b.code[code]
		return x, ok
	}
	x, ok := b.v[v]
	return x, ok
}

// sources says whose facts stand for a unit at the period end.
type sources struct {
	// versions whose own facts stand for the unit, by code and date: the unit's own version when
	// it has a fact, else its full predecessors' (each its own, or recursively its predecessors').
	versions []*units.Version
	through  bool           // the facts are predecessors' (not the unit's own)
	missing  *units.Version // a predecessor (or the unit itself) with no fact and no predecessor
	split    *units.Version // a predecessor reached through a partial link (a split unit)
}

// snapshot finds the sources of a snapshot fact (a state at a date: survey, addresses,
// procedures) for version v: its own newest fact when it has one, else its full predecessors'
// combined. A predecessor without a fact of its own is replaced by its own predecessors; a
// partial predecessor (a split unit) cannot be divided, so it makes the figure no data.
func (l *lineage) snapshot(v *units.Version, has func(*units.Version) bool) sources {
	var s sources
	seen := map[*units.Version]bool{}
	var walk func(x *units.Version) bool
	walk = func(x *units.Version) bool {
		if seen[x] {
			return true
		}
		seen[x] = true
		if has(x) {
			s.versions = append(s.versions, x)
			return true
		}
		in := l.h.Into(x)
		if len(in) == 0 {
			s.missing = x
			return false
		}
		for _, k := range in {
			if k.Partial {
				s.split = k.OldVersion
				return false
			}
		}
		for _, k := range sortedLinks(in) {
			if !walk(k.OldVersion) {
				return false
			}
		}
		return true
	}
	if !walk(v) {
		s.versions = nil
	}
	s.through = len(s.versions) > 0 && (len(s.versions) > 1 || s.versions[0] != v)
	sortVersions(s.versions)
	return s
}

// flow finds the versions whose flows (dossiers over the window [from, end]) add up to version
// v's: v itself and, when v started inside the window and its own figures do not reach back to
// the window's start, its full predecessors, transitively; a predecessor in force at the window's
// start ends the walk back. A partial predecessor in force during the window makes the window not
// covered (split is set, the chain is empty).
func (l *lineage) flow(v *units.Version, from time.Time, coversFrom func(*units.Version) bool) (chain []*units.Version, split *units.Version) {
	seen := map[*units.Version]bool{}
	var walk func(x *units.Version) bool
	walk = func(x *units.Version) bool {
		if seen[x] {
			return true
		}
		seen[x] = true
		chain = append(chain, x)
		if !x.From.After(from) || coversFrom(x) {
			return true
		}
		in := l.h.Into(x)
		for _, k := range in {
			if k.Partial {
				split = k.OldVersion
				return false
			}
		}
		for _, k := range sortedLinks(in) {
			if !walk(k.OldVersion) {
				return false
			}
		}
		return true
	}
	if !walk(v) {
		return nil, split
	}
	sortVersions(chain[1:])
	return chain, nil
}

func sortedLinks(in []*units.Link) []*units.Link {
	out := append([]*units.Link(nil), in...)
	sort.Slice(out, func(i, j int) bool {
		if out[i].Old != out[j].Old {
			return out[i].Old < out[j].Old
		}
		return out[i].From.Before(out[j].From)
	})
	return out
}

func sortVersions(vs []*units.Version) {
	sort.Slice(vs, func(i, j int) bool {
		if vs[i].Code != vs[j].Code {
			return vs[i].Code < vs[j].Code
		}
		return vs[i].From.Before(vs[j].From)
	})
}

// oldLabel names a version in an explanation: "Xã Vân An (cũ, 06469)" for a version no longer
// in force at the period end, "Xã Chi Lăng (06463)" otherwise.
func (l *lineage) oldLabel(v *units.Version) string {
	if v.InForce(l.end) {
		return v.Label()
	}
	return fmt.Sprintf("%s (cũ, %s)", v.Name, v.Code)
}

// labels names versions: the first three, then "và N đơn vị khác".
func (l *lineage) labels(vs []*units.Version) string {
	names := make([]string, len(vs))
	for i, v := range vs {
		names[i] = l.oldLabel(v)
	}
	return firstNames(names, 3)
}

// splitText says that a split unit's figures cannot be divided among its successors.
func (l *lineage) splitText(v *units.Version, what string) string {
	day := ""
	if !v.To.IsZero() {
		day = " từ " + vnfmt.Date(v.To.AddDate(0, 0, 1))
	}
	return fmt.Sprintf("%s đã chia cho nhiều đơn vị%s: không tách được %s trước ngày đó", l.oldLabel(v), day, what)
}

// missingPredecessorText says that a predecessor standing for the unit (a noun: "thôn", "xã")
// has no figure either.
func (l *lineage) missingPredecessorText(v *units.Version, what, noun string) string {
	return fmt.Sprintf("chưa có %s của chính %s, và %s (đơn vị trước sắp xếp) cũng chưa có", what, noun, l.oldLabel(v))
}

// unavailable is the no-data sentence for sources that give no figure (nil when the unit simply
// has none of its own: the caller's usual sentence says so).
func (l *lineage) unavailable(v *units.Version, s sources, what, noun string) string {
	switch {
	case s.split != nil:
		return sentence(l.splitText(s.split, what))
	case s.missing != nil && s.missing != v:
		return sentence(l.missingPredecessorText(s.missing, what, noun))
	}
	return ""
}

// viaText qualifies a figure that stands on predecessors' facts: " (theo phiếu ngày 30/11/2024
// của Thôn Nà Lầu (cũ, 06463-002), đơn vị trước sắp xếp)".
func (l *lineage) viaText(vs []*units.Version, what string, dates []time.Time) string {
	if len(vs) == 1 {
		return fmt.Sprintf(" (theo %s ngày %s của %s, đơn vị trước sắp xếp)", what, vnfmt.Date(dates[0]), l.oldLabel(vs[0]))
	}
	oldest := dates[0]
	for _, d := range dates[1:] {
		if d.Before(oldest) {
			oldest = d
		}
	}
	return fmt.Sprintf(" (theo %s của %d đơn vị trước sắp xếp: %s; ngày cũ nhất %s)", what, len(vs), l.labels(vs), vnfmt.Date(oldest))
}

// codes lists versions' codes (for a result's detail).
func codes(vs []*units.Version) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = v.Code
	}
	return out
}

// sentence capitalises the first letter of s.
func sentence(s string) string {
	if s == "" {
		return s
	}
	r := []rune(s)
	return strings.ToUpper(string(r[0])) + string(r[1:])
}
