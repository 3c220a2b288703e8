package transform

import (
	"cmp"
	"context"
	"fmt"
	"hash/maphash"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"ntm"
	"ntm/db"
	"ntm/fold"
	"ntm/units"
)

// unitRec is one version of an administrative unit (units.Version) with what resolution needs.
type unitRec struct {
	*units.Version
	// first: the code's first version, which also stands for dates before it (a fact dated
	// before the master list that describes it belongs to the unit's first version).
	first   bool
	kindKey string // folded kind ("thị trấn")
	// nameKind is the kind the name itself starts with: "khối" for Khối 4, whose kind is Tổ dân
	// phố (it tells "Tổ dân phố 4" from "Khối 4", both folded to "4").
	nameKind string
	codeBox  any // Code as an interface value, see boxedCode
	// titleWords is " kind name " in header words ("thị trấn chi lăng"), what a file's title
	// names the unit by (contextFromPreamble); provinces, districts and communes only.
	titleWords string
}

// boxedCode returns the code as an interface value, made once when the index is built for the
// units above the villages: the facts of a record-level export carry it on every row. A
// village's is made on each call (no village dataset has a row per record: boxing 80,000 codes
// ahead would be 80,000 objects for the collector). The index is shared by the loads of one
// loader (unitcache.go), so nothing in it is filled in lazily.
func (u *unitRec) boxedCode() any {
	if u.codeBox != nil {
		return u.codeBox
	}
	return u.Code
}

// validAt reports whether u is in force on d (any day when d is zero).
func (u *unitRec) validAt(d time.Time) bool {
	return d.IsZero() || u.InForce(d)
}

// covers reports whether u stands for day d: in force then, or its code's first version and d
// before it.
func (u *unitRec) covers(d time.Time) bool {
	return u.validAt(d) || u.first && d.Before(u.From)
}

// closedBefore reports whether u ended before d.
func (u *unitRec) closedBefore(d time.Time) bool {
	return !d.IsZero() && !u.To.IsZero() && u.To.Before(d)
}

// label is how a unit is named in messages: "Xã Quang Lang (06187)".
func (u *unitRec) label() string { return u.Label() }

type unitAlias struct{ folded, code, parent string }

// UnitIndex is the unit master data in memory: every version of every unit (units.History),
// looked up by code, by (parent, folded name) and by (level, folded name). Lookups take the
// date whose structure applies; a name no longer in force on that date is followed to its
// successor (docs/structure-changes.md §6), and the index keeps a note of each such step for the
// file's report.
//
// It is built to cost the collector little: every load of a run keeps the national index live
// (91,000 versions with villages), and the collector marks what it holds on every cycle. So the
// records are one array beside the history's versions (recs, indexed by units.History.Index),
// the name look-ups are two lists of pointers into it with maps from a hash of the key to a run
// of the list (nameIndex: maps without pointers, which the collector does not scan), and a
// code's versions, a parent's children and a level's units come from the history's own indexes
// or from ranges of recs.
type UnitIndex struct {
	hist *units.History
	recs []unitRec // one a version, in hist.All()'s order
	// byParent finds units by (parent code, folded name), byLevelName by (level, folded name).
	byParent, byLevelName nameIndex
	levelRuns             map[string]span // a level's run of recs (recs are by level first)
	// mixed holds the codes whose versions are of more than one level, in recs' order (the
	// history gives a code's versions by date): none in a real structure.
	mixed map[string][]*unitRec
	// provinceTitles are " tỉnh name " and " thành phố name " in header words, how a title
	// names a province (contextFromPreamble).
	provinceTitles map[*unitRec][2]string
	aliases        map[string][]unitAlias // folded name → aliases
	changes        []time.Time            // the days the structure changes, oldest first (see epoch)
	// aligned: every version starts and ends on a day at midnight UTC, so that levelAt's lists
	// are the same for every day of an epoch.
	aligned bool
	levels  *levelDays // levelAt's lists, by level and epoch (or day)
	// notes records the old units a file named and the units they resolved to, once each.
	notes    []string
	noteSeen map[string]bool
}

// LoadUnitIndex reads the unit, unit_successor and unit_alias tables. Without villages it
// leaves out the village level and its aliases: a dataset whose rows never name a village (the
// public-service exports) then resolves against a tenth of the national list, which keeps a
// national load's memory and start-up small.
func LoadUnitIndex(ctx context.Context, q db.Querier, villages bool) (*UnitIndex, error) {
	h, err := units.Load(ctx, q, units.LoadOptions{NoVillages: !villages})
	if err != nil {
		return nil, err
	}
	idx := newUnitIndex(h)
	arows, err := q.Query(ctx, `SELECT a.folded_name, a.unit_code, coalesce(a.parent_code, '') FROM unit_alias a
		WHERE $1 OR NOT EXISTS (SELECT FROM unit u WHERE u.code = a.unit_code AND u.level = 'village')`, villages)
	if err != nil {
		return nil, fmt.Errorf("read unit aliases: %w", err)
	}
	defer arows.Close()
	for arows.Next() {
		var a unitAlias
		if err := arows.Scan(&a.folded, &a.code, &a.parent); err != nil {
			return nil, fmt.Errorf("read unit aliases: %w", err)
		}
		idx.addAlias(a)
	}
	return idx, arows.Err()
}

// addAlias indexes an alias under its folded name. The office types aliases by hand: they are
// folded the way names are folded (again: rows stored before names were kept hold a name there).
func (x *UnitIndex) addAlias(a unitAlias) {
	k := units.FoldAlias(a.folded)
	x.aliases[k] = append(x.aliases[k], a)
}

func newUnitIndex(h *units.History) *UnitIndex {
	all := h.All()
	idx := &UnitIndex{
		hist: h, recs: make([]unitRec, len(all)), levelRuns: map[string]span{},
		provinceTitles: map[*unitRec][2]string{}, aliases: map[string][]unitAlias{},
		noteSeen: map[string]bool{}, levels: &levelDays{}, aligned: true,
	}
	levelOf := map[string]ntm.Level{} // a code's first level, to find mixed codes
	kinds := map[string]string{}
	for i, v := range all {
		u := &idx.recs[i]
		u.Version = v
		// Folded without the process's memo (it would hold every name of the country until the
		// loads end, and each kind a string of its own): the kinds are shared through kinds.
		name, kind := fold.UnitName(u.Name)
		if u.Folded == "" {
			u.Folded = name
		}
		if k, ok := kinds[kind]; ok {
			kind = k
		} else {
			kinds[kind] = kind
		}
		u.nameKind = kind
		u.kindKey = foldTextMemo.Get(u.Kind, fold.Text)
		if u.kindKey == "" {
			u.kindKey = kind
		}
		u.first = h.Versions(v.Code)[0] == v
		if u.Level != ntm.LevelVillage {
			u.codeBox = u.Code
		}
		if u.Level != ntm.LevelVillage && u.kindKey != "" {
			u.titleWords = " " + headerWords(u.kindKey) + " " + headerWords(u.Folded) + " "
		}
		if u.Level == ntm.LevelProvince {
			idx.provinceTitles[u] = [2]string{" tỉnh " + headerWords(u.Folded) + " ", " thành phố " + headerWords(u.Folded) + " "}
		}
		if l, ok := levelOf[u.Code]; !ok {
			levelOf[u.Code] = u.Level
		} else if l != u.Level && idx.mixed == nil {
			idx.mixed = map[string][]*unitRec{}
		}
		lvl := string(u.Level)
		r, ok := idx.levelRuns[lvl]
		if !ok {
			r = span{int32(i), int32(i)}
		}
		if r.end == int32(i) {
			r.end++
		} else {
			r.start = -1 // not one run (a level ntm does not know): levelUnits filters
		}
		idx.levelRuns[lvl] = r
		idx.aligned = idx.aligned && midnightUTC(v.From) && (v.To.IsZero() || midnightUTC(v.To))
	}
	if idx.mixed != nil {
		for i := range idx.recs {
			u := &idx.recs[i]
			if len(h.Versions(u.Code)) > 1 {
				idx.mixed[u.Code] = append(idx.mixed[u.Code], u)
			}
		}
	}
	hash := hash2(maphash.MakeSeed())
	idx.byParent = newNameIndex(idx.recs, hash, func(u *unitRec) (string, string) { return u.Parent, u.Folded })
	idx.byLevelName = newNameIndex(idx.recs, hash, func(u *unitRec) (string, string) { return string(u.Level), u.Folded })
	idx.changes = h.Changes()
	return idx
}

func midnightUTC(t time.Time) bool {
	return t.Location() == time.UTC && t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0 && t.Nanosecond() == 0
}

// rec is the record of one of the history's versions (nil for nil).
func (x *UnitIndex) rec(v *units.Version) *unitRec {
	if i := x.hist.Index(v); i >= 0 {
		return &x.recs[i]
	}
	return nil
}

// byCode returns the versions of a code in recs' order.
func (x *UnitIndex) byCode(code string) []*unitRec {
	if x.mixed != nil {
		if us, ok := x.mixed[code]; ok {
			return us
		}
	}
	vs := x.hist.Versions(code)
	out := make([]*unitRec, len(vs))
	for i, v := range vs {
		out[i] = x.rec(v)
	}
	return out
}

// lastOf returns the last version of a code in recs' order, or nil.
func (x *UnitIndex) lastOf(code string) *unitRec {
	if x.mixed != nil {
		if us, ok := x.mixed[code]; ok {
			return us[len(us)-1]
		}
	}
	if vs := x.hist.Versions(code); len(vs) > 0 {
		return x.rec(vs[len(vs)-1])
	}
	return nil
}

// levelUnits returns the units of a level, in recs' order.
func (x *UnitIndex) levelUnits(level string) []*unitRec {
	r, ok := x.levelRuns[level]
	if !ok {
		return nil
	}
	var out []*unitRec
	if r.start < 0 {
		for i := range x.recs {
			if string(x.recs[i].Level) == level {
				out = append(out, &x.recs[i])
			}
		}
		return out
	}
	out = make([]*unitRec, 0, r.end-r.start)
	for i := r.start; i < r.end; i++ {
		out = append(out, &x.recs[i])
	}
	return out
}

// childrenEver returns every unit whose parent is code, in recs' order.
func (x *UnitIndex) childrenEver(code string) []*unitRec {
	vs := x.hist.ChildrenEver(code)
	out := make([]*unitRec, len(vs))
	for i, v := range vs {
		out[i] = x.rec(v)
	}
	return out
}

// hasChildren reports whether any unit ever had code as parent.
func (x *UnitIndex) hasChildren(code string) bool { return len(x.hist.ChildrenEver(code)) > 0 }

type span struct{ start, end int32 }

// nameIndex finds units by a key of two strings without maps the collector scans: list holds
// the units sorted by the key's hash (in recs' order within one hash), at maps a hash to its
// run. Keys of one hash share a run, which get filters.
type nameIndex struct {
	hash func(a, b string) uint64
	key  func(*unitRec) (string, string)
	at   map[uint64]span
	list []*unitRec
}

// hash2 hashes a key of two strings.
func hash2(seed maphash.Seed) func(a, b string) uint64 {
	return func(a, b string) uint64 {
		h := maphash.String(seed, a)
		return (h<<23 | h>>41) ^ maphash.String(seed, b)*0x9e3779b97f4a7c15
	}
}

func newNameIndex(recs []unitRec, hash func(a, b string) uint64, key func(*unitRec) (string, string)) nameIndex {
	hs := make([]uint64, len(recs))
	order := make([]int32, len(recs))
	for i := range recs {
		a, b := key(&recs[i])
		hs[i], order[i] = hash(a, b), int32(i)
	}
	slices.SortFunc(order, func(i, j int32) int {
		if c := cmp.Compare(hs[i], hs[j]); c != 0 {
			return c
		}
		return cmp.Compare(i, j)
	})
	n := nameIndex{hash: hash, key: key, at: map[uint64]span{}, list: make([]*unitRec, len(recs))}
	for k := 0; k < len(order); {
		h, j := hs[order[k]], k
		for ; j < len(order) && hs[order[j]] == h; j++ {
			n.list[j] = &recs[order[j]]
		}
		n.at[h] = span{int32(k), int32(j)}
		k = j
	}
	return n
}

// get returns the units of key (a, b), in recs' order; do not modify it.
func (n *nameIndex) get(a, b string) []*unitRec {
	s, ok := n.at[n.hash(a, b)]
	if !ok {
		return nil
	}
	run := n.list[s.start:s.end:s.end]
	for i, u := range run {
		if ka, kb := n.key(u); ka != a || kb != b {
			// Another key of the same hash (almost never): keep the units of this one.
			out := slices.Clone(run[:i])
			for _, u := range run[i+1:] {
				if ka, kb := n.key(u); ka == a && kb == b {
					out = append(out, u)
				}
			}
			return out
		}
	}
	return run
}

// epoch numbers the stretch of days between two structure changes that d falls in: every
// resolution is the same for all days of one stretch, so caches key by it instead of by day.
func (x *UnitIndex) epoch(d time.Time) int64 {
	return int64(sort.Search(len(x.changes), func(i int) bool { return x.changes[i].After(d) }))
}

// Notes returns the file's notes about old units resolved to their successors, in the order
// first met: "đơn vị cũ: Xã Vân An (cũ, 06469) → Xã Chiến Thắng (06478)".
func (x *UnitIndex) Notes() []string { return x.notes }

func (x *UnitIndex) note(old, nu *unitRec) {
	if old.Code == nu.Code && old.Name == nu.Name {
		return // the same unit, only moved (a commune now directly under the province)
	}
	n := fmt.Sprintf("đơn vị cũ: %s (cũ, %s) → %s", old.Name, old.Code, nu.Label())
	if !x.noteSeen[n] {
		x.noteSeen[n] = true
		x.notes = append(x.notes, n)
	}
}

// code returns the version of a unit for day d: the one in force then, or the code's first
// version when d is before it (the newest version when d is zero); nil when the code is
// unknown or closed by then (see closed).
func (x *UnitIndex) code(code string, d time.Time) *unitRec {
	if d.IsZero() {
		return x.lastOf(code)
	}
	if u := x.rec(x.hist.VersionOf(code, d)); u != nil && u.covers(d) {
		return u
	}
	return nil
}

// closed returns the last version of code that ended before d, or nil.
func (x *UnitIndex) closed(code string, d time.Time) *unitRec {
	if u := x.rec(x.hist.VersionOf(code, d)); u != nil && u.closedBefore(d) {
		return u
	}
	return nil
}

// parentOf returns the version of u's parent for day d, or for u's own days when u is not in
// force on d (an old unit named in a newer file, a unit named before its first version).
func (x *UnitIndex) parentOf(u *unitRec, d time.Time) *unitRec {
	if u == nil || u.Parent == "" {
		return nil
	}
	at := d
	switch {
	case d.IsZero():
	case d.Before(u.From):
		at = u.From
	case !u.To.IsZero() && d.After(u.To):
		at = u.To
	}
	if p := x.code(u.Parent, at); p != nil {
		return p
	}
	if v := x.hist.VersionOf(u.Parent, at); v != nil {
		return x.rec(v)
	}
	return nil
}

// Len is the number of unit versions held.
func (x *UnitIndex) Len() int { return x.hist.Len() }

// inForce filters units to those standing for day d (in force, else the first versions of
// codes that start after d), dropping repeated codes.
func inForce(us []*unitRec, d time.Time) []*unitRec {
	var out []*unitRec
	seen := map[string]bool{}
	for _, u := range us {
		if u.validAt(d) && !seen[u.Code] {
			seen[u.Code] = true
			out = append(out, u)
		}
	}
	if len(out) > 0 {
		return out
	}
	for _, u := range us {
		if u.covers(d) && !seen[u.Code] {
			seen[u.Code] = true
			out = append(out, u)
		}
	}
	return out
}

// levelAt is inForce (or, closed, closedBy) of a level's units on day d, computed once per
// level and stretch between two structure changes (epoch) for all the files that share the
// index: a file's title is searched for the names of the 10,472 communes of the country, and
// filtering them cost a file 30 ms. Every day of an epoch gives the same lists when the days are
// whole days (midnight UTC, as dates are read) from the Beginning on; any other day has its own.
func (x *UnitIndex) levelAt(level string, d time.Time, closed bool) *levelList {
	k := levelDay{level: level, closed: closed}
	if x.aligned && midnightUTC(d) && !d.Before(units.Beginning) {
		k.epoch = x.epoch(d)
	} else {
		k.epoch, k.d = -1, d
	}
	x.levels.mu.Lock()
	defer x.levels.mu.Unlock()
	if l, ok := x.levels.m[k]; ok {
		return l
	}
	var us []*unitRec
	if closed {
		us = closedBy(x.levelUnits(level), d)
	} else {
		us = inForce(x.levelUnits(level), d)
	}
	l := &levelList{units: us, byLastWord: map[string][]*unitRec{}}
	for _, u := range us {
		if ws := strings.Fields(u.titleWords); len(ws) > 0 {
			last := ws[len(ws)-1]
			l.byLastWord[last] = append(l.byLastWord[last], u)
		}
	}
	if x.levels.m == nil || len(x.levels.m) >= 256 {
		x.levels.m = map[levelDay]*levelList{}
	}
	x.levels.m[k] = l
	return l
}

// levelList is a level's units on a day, and those with a title name by the last word of it: a
// title names a unit only if it holds that word, so a title is compared with the units of its
// own words, not with every commune of the country.
type levelList struct {
	units      []*unitRec
	byLastWord map[string][]*unitRec
}

// titled returns the units whose title name (titleWords) text holds, in no particular order;
// text is a title in header words with a space at each end.
func (l *levelList) titled(text string, keep func(*unitRec) bool) []*unitRec {
	var found []*unitRec
	words := strings.Fields(text)
	for i, w := range words {
		if slices.Contains(words[:i], w) {
			continue
		}
		for _, u := range l.byLastWord[w] {
			if keep(u) && strings.Contains(text, u.titleWords) {
				found = append(found, u)
			}
		}
	}
	return found
}

// levelDays holds levelAt's lists; shared by the copies of an index (forFile).
type levelDays struct {
	mu sync.Mutex
	m  map[levelDay]*levelList
}

type levelDay struct {
	level  string
	epoch  int64     // -1: the list of day d alone
	d      time.Time // zero for an epoch's list
	closed bool
}

// closedBy filters units to the last version of each code that ended before d.
func closedBy(us []*unitRec, d time.Time) []*unitRec {
	var out []*unitRec
	at := map[string]int{}
	for _, u := range us {
		if !u.closedBefore(d) {
			continue
		}
		if i, ok := at[u.Code]; ok {
			if u.To.After(out[i].To) {
				out[i] = u
			}
			continue
		}
		at[u.Code] = len(out)
		out = append(out, u)
	}
	return out
}

// Kinds read from name prefixes, by level.
var (
	districtKinds = map[string]bool{"huyện": true, "quận": true, "thị xã": true, "thành phố": true}
	communeKinds  = map[string]bool{"xã": true, "phường": true, "thị trấn": true}
	villageKinds  = map[string]bool{"thôn": true, "tổ dân phố": true, "khối": true, "bản": true, "làng": true, "ấp": true, "tổ": true, "khu": true}
)

// unitName is a unit name read from a cell: folded name and the kind its prefix gave.
type unitName struct{ raw, name, kind string }

// readUnitName folds a cell holding a unit name: "UBND huyện Chi Lăng" → ("chi lăng", "huyện").
func readUnitName(s string) unitName {
	name, kind := foldUnitNameMemo(s)
	return unitName{raw: strings.TrimSpace(s), name: name, kind: kind}
}

// readGroupLabel reads a group row label such as "I. Huyện Chi Lăng" or "1. Xã Quang Lang"
// (fold.UnitName drops the list number in front of a kind prefix).
func readGroupLabel(s string) unitName { return readUnitName(s) }

// pick narrows same-named candidates by the kind the name was written with: their kind, then
// the kind their own name starts with ("Tổ dân phố 4" is not "Khối 4", though both are of kind
// Tổ dân phố). A kind that matches none of several candidates leaves them all (the caller
// reports the ambiguity); a single candidate is accepted whatever kind was written.
func pick(cands []*unitRec, kind string) []*unitRec {
	if len(cands) <= 1 || kind == "" {
		return cands
	}
	if out := ofKind(cands, kind); len(out) > 0 {
		cands = out
	}
	if len(cands) > 1 {
		var out []*unitRec
		for _, c := range cands {
			if c.nameKind == kind {
				out = append(out, c)
			}
		}
		if len(out) > 0 {
			return out
		}
	}
	return cands
}

// ofKind keeps the candidates of the kind written (all of them when none was written).
func ofKind(cands []*unitRec, kind string) []*unitRec {
	if kind == "" {
		return cands
	}
	var out []*unitRec
	for _, c := range cands {
		if c.kindKey == kind {
			out = append(out, c)
		}
	}
	return out
}

// levelWord is the Vietnamese word for a level, used in messages.
func levelWord(level string) string {
	switch level {
	case "province":
		return "tỉnh"
	case "district":
		return "huyện"
	case "commune":
		return "xã"
	case "village":
		return "thôn"
	}
	return "đơn vị"
}

// lookup finds the units of a level named n under parent (parent nil = anywhere in the
// province scope, or the whole table when scope is ""), standing for day d. Aliases are tried
// when the name itself matches nothing.
func (x *UnitIndex) lookup(level string, n unitName, parent *unitRec, scope string, d time.Time) []*unitRec {
	return x.find(level, n, parent, scope, d, inForce)
}

// historical finds the units of a level named n under parent (or in scope) that closed
// before d: the old names a newer file may still use.
func (x *UnitIndex) historical(level string, n unitName, parent *unitRec, scope string, d time.Time) []*unitRec {
	return x.find(level, n, parent, scope, d, closedBy)
}

func (x *UnitIndex) find(level string, n unitName, parent *unitRec, scope string, d time.Time, when func([]*unitRec, time.Time) []*unitRec) []*unitRec {
	var cands []*unitRec
	if parent != nil {
		for _, u := range when(x.byParent.get(parent.Code, n.name), d) {
			if string(u.Level) == level {
				cands = append(cands, u)
			}
		}
	} else {
		for _, u := range when(x.byLevelName.get(level, n.name), d) {
			if scope == "" || u.Province == scope {
				cands = append(cands, u)
			}
		}
	}
	if len(cands) == 0 {
		var all []*unitRec
		for _, a := range x.aliases[n.name] {
			if parent != nil && a.parent != "" && a.parent != parent.Code {
				continue
			}
			for _, u := range x.byCode(a.code) {
				if string(u.Level) != level {
					continue
				}
				if parent != nil && !x.isUnder(u, parent.Code, d) {
					continue
				}
				if parent == nil && scope != "" && u.Province != scope {
					continue
				}
				all = append(all, u)
			}
		}
		cands = when(all, d)
	}
	return pick(cands, n.kind)
}

// todays finds the units in force on d named n that an old parent's name may stand over: for a
// commune under an abolished district, those of the province (a new commune listed under an
// old heading); for a village under an old commune, those under the commune's successors.
func (x *UnitIndex) todays(level string, n unitName, oldParent *unitRec, scope string, d time.Time) []*unitRec {
	if level != "village" {
		return x.lookup(level, n, nil, scope, d)
	}
	var out []*unitRec
	for _, o := range x.hist.Owners(oldParent.Version, d) {
		if nu := x.rec(o.Version); nu != nil {
			out = append(out, x.lookup(level, n, nu, "", d)...)
		}
	}
	return out
}

// underPredecessors finds old units named n under the full predecessors of parent (an old
// village name written under the new commune it is now part of).
func (x *UnitIndex) underPredecessors(level string, n unitName, parent *unitRec, d time.Time) []*unitRec {
	var out []*unitRec
	seen := map[string]bool{}
	for _, a := range x.hist.Predecessors(parent.Version) {
		if a.Partial || seen[a.Version.Code] {
			continue
		}
		seen[a.Version.Code] = true
		if pr := x.rec(a.Version); pr != nil {
			for _, u := range x.historical(level, n, pr, "", d) {
				if !seen[u.Code+"\x00"] {
					seen[u.Code+"\x00"] = true
					out = append(out, u)
				}
			}
		}
	}
	return out
}

// isUnder reports whether u lies below the unit with code anc.
func (x *UnitIndex) isUnder(u *unitRec, anc string, d time.Time) bool {
	for i := 0; i < 5 && u != nil; i++ {
		if u.Parent == anc {
			return true
		}
		u = x.parentOf(u, d)
	}
	return false
}

// districtsAt reports whether the province has any district in force on d (none since
// 1/7/2025: a district named then is an old one).
func (x *UnitIndex) districtsAt(province string, d time.Time) bool {
	r := x.levelRuns["district"]
	if r.start < 0 {
		r = span{0, int32(len(x.recs))} // not one run: every unit, checking its level
	}
	for i := r.start; i < r.end; i++ {
		if u := &x.recs[i]; u.Level == ntm.LevelDistrict && u.validAt(d) && (province == "" || u.Province == province) {
			return true
		}
	}
	return false
}

// closest names up to three units of a level under parent (or in scope) whose names are
// nearest to n, for "not found" messages.
func (x *UnitIndex) closest(level string, n unitName, parent *unitRec, scope string, d time.Time) string {
	var pool []*unitRec
	if parent != nil && parent.closedBefore(d) {
		// An old parent (an abolished district): the units of its province today.
		parent, scope = nil, parent.Province
	}
	if parent != nil {
		pool = x.childrenEver(parent.Code)
	} else {
		pool = x.levelUnits(level)
	}
	target := fold.ASCII(n.name)
	type scored struct {
		u *unitRec
		d int
	}
	var ss []scored
	for _, u := range inForce(pool, d) {
		if string(u.Level) != level || (parent == nil && scope != "" && u.Province != scope) {
			continue
		}
		ss = append(ss, scored{u, editDistance(target, fold.ASCII(u.Folded))})
	}
	sort.SliceStable(ss, func(i, j int) bool {
		if ss[i].d != ss[j].d {
			return ss[i].d < ss[j].d
		}
		return ss[i].u.Code < ss[j].u.Code
	})
	var out []string
	for i := 0; i < len(ss) && i < 3; i++ {
		out = append(out, ss[i].u.label())
	}
	return strings.Join(out, ", ")
}

// editDistance is the Levenshtein distance between two strings, by rune.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

// describe names a unit name for messages: the text as written, else its folded form.
func (n unitName) describe() string {
	if n.raw != "" {
		return n.raw
	}
	return n.name
}

// notFound and ambiguous build the reject reasons for names.
func (x *UnitIndex) notFound(level string, n unitName, parent *unitRec, scope string, d time.Time) string {
	where := "toàn tỉnh"
	if parent != nil && parent.closedBefore(d) {
		where = fmt.Sprintf("trong %s (cũ, đến %s) hay trong tỉnh", parent.Name, parent.To.Format("02/01/2006"))
	} else if parent != nil {
		where = "trong " + parent.Name
	} else if scope == "" {
		where = "trong danh mục đơn vị"
	}
	msg := fmt.Sprintf("không tìm thấy %s %q %s", levelWord(level), n.describe(), where)
	if c := x.closest(level, n, parent, scope, d); c != "" {
		msg += "; gần nhất: " + c
	}
	return msg
}

func ambiguous(level string, n unitName, cands []*unitRec, x *UnitIndex, d time.Time) string {
	var ls []string
	for _, c := range cands {
		l := c.label()
		if c.closedBefore(d) {
			l += " (cũ, đến " + c.To.Format("02/01/2006") + ")"
		}
		if p := x.parentOf(c, d); p != nil && c.Level != ntm.LevelDistrict {
			l += " thuộc " + p.Name
		}
		ls = append(ls, l)
	}
	hint := "ghi rõ loại đơn vị (xã/thị trấn/phường) hoặc mã"
	if level == "commune" {
		hint = "ghi rõ loại đơn vị (xã/thị trấn/phường), huyện hoặc mã xã"
	}
	return fmt.Sprintf("tên %s %q không rõ ràng, khớp %d đơn vị: %s; %s", levelWord(level), n.describe(), len(cands),
		strings.Join(ls, "; "), hint)
}

// ---- per-row resolution ----

// carry resolves a unit that closed before the row's unit date to the unit that carries it on
// that date (docs/structure-changes.md §6): its one full successor, with a note for the file;
// a split unit, or one without a successor, is a row reject that says so.
func (p *rowParser) carry(f string, old *unitRec) (*unitRec, *rowError) {
	d := p.unitDate
	closedOn := old.To.AddDate(0, 0, 1).Format("02/01/2006")
	owners := p.idx.hist.Owners(old.Version, d)
	if len(owners) == 1 && !owners[0].Partial {
		if nu := p.idx.rec(owners[0].Version); nu != nil {
			p.idx.note(old, nu)
			p.via, p.carriedTo = []*unitRec{old}, nu
			return nu, nil
		}
	}
	if len(owners) == 0 {
		if old.Level == ntm.LevelDistrict && !p.idx.districtsAt(old.Province, d) {
			return nil, p.errf(f, "%s không còn từ %s (đã bỏ cấp huyện): số liệu của huyện không thuộc về đơn vị nào, hãy ghi số liệu theo từng xã", old.label(), closedOn)
		}
		return nil, p.errf(f, "%s đã thôi là đơn vị hành chính từ %s và chưa có đơn vị kế tiếp trong danh mục: ghi tên hoặc mã đơn vị mới, hoặc ghi đơn vị kế tiếp (ntm units successors add %s MÃ_MỚI --from %s) rồi nạp lại tệp (ntm ingest --reload SỐ_LÔ TỆP)",
			old.label(), closedOn, old.Code, closedOn)
	}
	var ls []string
	for _, o := range owners {
		ls = append(ls, o.Version.Label())
	}
	return nil, p.errf(f, "%s đã được chia cho %d đơn vị từ %s (%s): không biết dòng này thuộc đơn vị nào, hãy ghi tên hoặc mã đơn vị mới",
		old.label(), len(owners), closedOn, strings.Join(ls, ", "))
}

// byCodeCell resolves a code column; wantLevels limits the levels accepted. A code no longer
// in force on the row's date is carried to its successor.
func (p *rowParser) byCodeCell(f string, wantLevels ...string) (*unitRec, *rowError) {
	u, rerr := p.byCodeCtx(f, wantLevels...)
	if u != nil && u.closedBefore(p.unitDate) {
		return p.carry(f, u)
	}
	return u, rerr
}

// byCodeCtx is byCodeCell without carrying: an old district or commune named as a row's
// context (the parent of the unit the row is about) is returned as it was.
func (p *rowParser) byCodeCtx(f string, wantLevels ...string) (*unitRec, *rowError) {
	code := strings.TrimSpace(p.cell(f))
	if code == "" {
		return nil, nil
	}
	code = normaliseCode(code, wantLevels)
	u := p.idx.code(code, p.unitDate)
	if u == nil {
		u = p.idx.closed(code, p.unitDate)
	}
	if u == nil {
		// Name the levels searched: a load indexes only the levels its dataset can name (a
		// village code in a public-service export is "not found" among communes and districts).
		words := make([]string, len(wantLevels))
		for i, l := range wantLevels {
			words[i] = levelWord(l)
		}
		return nil, p.errf(f, "không tìm thấy mã %q trong danh mục đơn vị hành chính (cấp %s)", code, strings.Join(words, ", "))
	}
	for _, l := range wantLevels {
		if string(u.Level) == l {
			return u, nil
		}
	}
	return nil, p.errf(f, "mã %q là của %s (%s), không phải cấp %s", code, u.Name, levelWord(string(u.Level)), levelWord(wantLevels[0]))
}

// normaliseCode restores leading zeros lost when a spreadsheet stored a code as a number
// ("6187" → "06187" for a commune, "20" stays "20"), and drops a ".0" a number may carry.
func normaliseCode(code string, levels []string) string {
	code = strings.TrimSuffix(code, ".0")
	if code == "" || strings.ContainsAny(code, "-") || len(levels) != 1 {
		return code
	}
	for _, c := range code {
		if c < '0' || c > '9' {
			return code
		}
	}
	width := map[string]int{"province": 2, "district": 3, "commune": 5}[levels[0]]
	for len(code) < width {
		code = "0" + code
	}
	return code
}

// district finds the district of a row — its code or name column, else the nearest group
// row naming a district, else the file's title — as context for its commune: an old district
// (closed before the row's date) is returned as it was. nil with no error means "not given".
// Group rows never reject a row for naming a district that no longer exists.
func (p *rowParser) district() (*unitRec, *rowError) {
	if u, err := p.byCodeCtx("district_code", "district"); u != nil || err != nil {
		return u, err
	}
	if s := strings.TrimSpace(p.cell("district")); s != "" {
		n := readUnitName(s)
		if n.kind != "" && !districtKinds[n.kind] {
			return nil, p.errf("district", "%q không phải tên huyện", s)
		}
		return p.oneCtx("district", "district", n, nil)
	}
	for i := len(p.row.Groups) - 1; i >= 0; i-- {
		n := readGroupLabel(p.row.Groups[i])
		if !districtKinds[n.kind] {
			continue
		}
		cands := p.idx.lookup("district", n, nil, p.tc.province, p.unitDate)
		if len(cands) == 0 {
			cands = p.idx.historical("district", n, nil, p.tc.province, p.unitDate)
		}
		switch {
		case len(cands) == 1:
			return cands[0], nil
		case len(cands) == 0 && !p.idx.districtsAt(p.tc.province, p.unitDate):
			continue // a heading of a structure without districts: it decides nothing
		case len(cands) == 0:
			return nil, p.errf("", "dòng nhóm %q: %s", p.row.Groups[i], p.idx.notFound("district", n, nil, p.tc.province, p.unitDate))
		}
		return nil, p.errf("", "dòng nhóm %q: %s", p.row.Groups[i], ambiguous("district", n, cands, p.idx, p.unitDate))
	}
	if p.tc.district != nil && (p.tc.district.covers(p.unitDate) || p.tc.district.closedBefore(p.unitDate)) {
		return p.tc.district, nil
	}
	return nil, nil
}

// one resolves a name to exactly one unit of level under parent, or rejects. A name no longer
// in force on the row's date is carried to its successor; under an old parent (a district
// since abolished) a unit in force on that date is looked for in the whole province too.
func (p *rowParser) one(f, level string, n unitName, parent *unitRec) (*unitRec, *rowError) {
	if n.name == "" {
		return nil, p.errf(f, "thiếu tên %s", levelWord(level))
	}
	d, scope := p.unitDate, p.tc.province
	cands := p.idx.lookup(level, n, parent, scope, d)
	if len(cands) > 0 {
		return p.exactlyOne(f, level, n, parent, cands)
	}
	old := p.idx.historical(level, n, parent, scope, d)
	if len(old) == 0 && parent != nil && parent.validAt(d) {
		old = p.idx.underPredecessors(level, n, parent, d)
	}
	var now []*unitRec
	if parent != nil && parent.closedBefore(d) {
		now = p.idx.todays(level, n, parent, scope, d)
	}
	if len(old) == 0 {
		return p.exactlyOne(f, level, n, parent, now)
	}
	return p.oldOrNow(f, level, n, old, now)
}

// oldOrNow decides between the old units a name matches under its old parent and the units in
// force on the row's date that it matches in the province (docs/structure-changes.md §6):
//
//   - the kind written decides first: under "II. Huyện Tràng Định", "UBND xã Thất Khê" in a 2026
//     file is today's Xã Thất Khê, not one of the two old Thị trấn Thất Khê, and "UBND xã Cao
//     Lộc" under Huyện Cao Lộc is today's Xã Cao Lộc, not old Thị trấn Cao Lộc (now Phường Kỳ Lừa);
//   - old units that all carry wholly to one unit are that unit (one note each);
//   - a split old unit whose successors include the one unit in force of that name is that unit
//     (Xã Kiên Mộc under Huyện Đình Lập in 2026 is today's Xã Kiên Mộc, though the old one was
//     divided); otherwise it is a reject naming the candidates (carry).
func (p *rowParser) oldOrNow(f, level string, n unitName, old, now []*unitRec) (*unitRec, *rowError) {
	if n.kind != "" {
		oldK, nowK := ofKind(old, n.kind), ofKind(now, n.kind)
		if len(oldK) == 0 && len(nowK) == 1 {
			return nowK[0], nil
		}
		if len(oldK) > 0 {
			old = oldK
		}
		now = pick(now, n.kind)
	}
	var to *unitRec
	for _, o := range old {
		owners := p.idx.hist.Owners(o.Version, p.unitDate)
		if len(owners) != 1 || owners[0].Partial {
			to = nil
			break
		}
		nu := p.idx.rec(owners[0].Version)
		if nu == nil || to != nil && nu != to {
			to = nil
			break
		}
		to = nu
	}
	if to != nil {
		for _, o := range old {
			p.idx.note(o, to)
		}
		p.via, p.carriedTo = old, to
		return to, nil
	}
	if len(now) == 1 && p.succeeds(now[0], old) {
		return now[0], nil
	}
	if len(old) == 1 {
		return p.carry(f, old[0])
	}
	return nil, p.errf(f, "%s", ambiguous(level, n, old, p.idx, p.unitDate))
}

// succeeds reports whether u is a successor, whole or in part, of one of the old units on the
// row's date.
func (p *rowParser) succeeds(u *unitRec, old []*unitRec) bool {
	for _, o := range old {
		for _, w := range p.idx.hist.Owners(o.Version, p.unitDate) {
			if w.Version == u.Version {
				return true
			}
		}
	}
	return false
}

// exactlyOne accepts a single candidate; none is "not found" (with the closest names), more
// than one is ambiguous (naming them).
func (p *rowParser) exactlyOne(f, level string, n unitName, parent *unitRec, cands []*unitRec) (*unitRec, *rowError) {
	switch len(cands) {
	case 1:
		return cands[0], nil
	case 0:
		return nil, p.errf(f, "%s", p.idx.notFound(level, n, parent, p.tc.province, p.unitDate))
	default:
		return nil, p.errf(f, "%s", ambiguous(level, n, cands, p.idx, p.unitDate))
	}
}

// oneCtx resolves a name as a row's context: a unit in force, else an old one as it was. Under
// an old parent, a name whose kind matches no old unit but one unit in force is that unit, as in
// oldOrNow.
func (p *rowParser) oneCtx(f, level string, n unitName, parent *unitRec) (*unitRec, *rowError) {
	d, scope := p.unitDate, p.tc.province
	cands := p.idx.lookup(level, n, parent, scope, d)
	if len(cands) == 0 {
		cands = p.idx.historical(level, n, parent, scope, d)
		if parent != nil && parent.closedBefore(d) && n.kind != "" && len(ofKind(cands, n.kind)) == 0 {
			if now := ofKind(p.idx.todays(level, n, parent, scope, d), n.kind); len(now) == 1 {
				return now[0], nil
			}
		}
	}
	return p.exactlyOne(f, level, n, parent, cands)
}

// commune finds a row's commune. A row without any commune column value returns nil.
func (p *rowParser) commune() (*unitRec, *rowError) {
	if u, err := p.byCodeCell("commune_code", "commune"); u != nil || err != nil {
		return u, err
	}
	var n unitName
	col := "commune"
	if s := strings.TrimSpace(p.cell("commune")); s != "" {
		n = readUnitName(s)
	} else {
		for i := len(p.row.Groups) - 1; i >= 0; i-- {
			if g := readGroupLabel(p.row.Groups[i]); communeKinds[g.kind] {
				n, col = g, ""
				break
			}
		}
		if n.name == "" && p.tc.commune != nil {
			switch {
			case p.tc.commune.covers(p.unitDate):
				return p.tc.commune, nil
			case p.tc.commune.closedBefore(p.unitDate):
				return p.carry("", p.tc.commune)
			}
		}
	}
	if n.name == "" {
		return nil, nil
	}
	d, err := p.district()
	if err != nil {
		return nil, err
	}
	// A commune directly under the province (no district level) has the province as parent.
	if d == nil {
		return p.one(col, "commune", n, nil)
	}
	u, rerr := p.one(col, "commune", n, d)
	if rerr != nil && !p.idx.hasChildren(d.Code) {
		return p.one(col, "commune", n, nil)
	}
	return u, rerr
}

// village finds a row's village: its code, else its name within its commune.
func (p *rowParser) village() (*unitRec, *rowError) {
	if u, err := p.byCodeCell("village_code", "village"); u != nil || err != nil {
		return u, err
	}
	if u, err := p.byCodeCell("unit_code", "village"); u != nil || err != nil {
		return u, err
	}
	s := strings.TrimSpace(p.cell("village"))
	if s == "" {
		return nil, p.errf(p.firstPresent("village", "village_code"), "thiếu tên thôn")
	}
	c, err := p.communeCtx()
	if err != nil {
		return nil, err
	}
	if c == nil {
		return nil, p.errf("commune", "không biết thôn %q thuộc xã nào: cần cột \"Xã\" hoặc \"Mã xã\", hoặc mã thôn", s)
	}
	return p.one("village", "village", readUnitName(s), c)
}

// communeCtx is the commune as the context of a village name: an old commune stays as it was,
// so that its old village names resolve (and are carried to their successors by one).
func (p *rowParser) communeCtx() (*unitRec, *rowError) {
	if u, err := p.byCodeCtx("commune_code", "commune"); u != nil || err != nil {
		return u, err
	}
	s := strings.TrimSpace(p.cell("commune"))
	if s == "" {
		return p.commune()
	}
	d, err := p.district()
	if err != nil {
		return nil, err
	}
	u, rerr := p.oneCtx("commune", "commune", readUnitName(s), d)
	if rerr != nil && d != nil && !p.idx.hasChildren(d.Code) {
		return p.oneCtx("commune", "commune", readUnitName(s), nil)
	}
	return u, rerr
}

// reportingUnit finds the unit of a dvc_* row: a district's or a commune's own unit, named
// in the unit column ("UBND huyện Chi Lăng", "UBND xã Quang Lang", "Huyện Chi Lăng"), or by
// code, or by the district/commune columns.
func (p *rowParser) reportingUnit() (*unitRec, *rowError) {
	if u, err := p.byCodeCell("unit_code", "district", "commune", "province"); u != nil || err != nil {
		return u, err
	}
	if u, err := p.byCodeCell("commune_code", "commune"); u != nil || err != nil {
		return u, err
	}
	s := strings.TrimSpace(p.cell("unit"))
	if s == "" {
		if strings.TrimSpace(p.cell("commune")) != "" {
			return p.commune()
		}
		if u, err := p.district(); u != nil || err != nil {
			if strings.TrimSpace(p.cell("district")) != "" || strings.TrimSpace(p.cell("district_code")) != "" {
				if u != nil && u.closedBefore(p.unitDate) {
					return p.carry(p.firstPresent("district", "district_code"), u)
				}
				return u, err
			}
		}
		return nil, p.errf(p.firstPresent("unit", "commune", "district"), "thiếu tên đơn vị")
	}
	n := readUnitName(s)
	switch {
	case n.kind == "tỉnh":
		return p.one("unit", "province", n, nil)
	case districtKinds[n.kind]:
		return p.one("unit", "district", n, nil)
	case communeKinds[n.kind]:
		d, err := p.district()
		if err != nil {
			return nil, err
		}
		return p.one("unit", "commune", n, d)
	}
	// A bare name: a district of that name, or a commune of the row's district.
	d, err := p.district()
	if err != nil {
		return nil, err
	}
	cands := p.idx.lookup("district", n, nil, p.tc.province, p.unitDate)
	cands = append(cands, p.idx.lookup("commune", n, d, p.tc.province, p.unitDate)...)
	if len(cands) == 0 {
		old := p.idx.historical("district", n, nil, p.tc.province, p.unitDate)
		old = append(old, p.idx.historical("commune", n, d, p.tc.province, p.unitDate)...)
		if len(old) == 1 {
			return p.carry("unit", old[0])
		}
		if d != nil && d.closedBefore(p.unitDate) {
			cands = p.idx.lookup("commune", n, nil, p.tc.province, p.unitDate)
		}
	}
	switch len(cands) {
	case 1:
		return cands[0], nil
	case 0:
		return nil, p.errf("unit", "không tìm thấy đơn vị %q; gần nhất: %s", s,
			p.idx.closest("commune", n, d, p.tc.province, p.unitDate))
	default:
		return nil, p.errf("unit", "%s", ambiguous("unit", n, cands, p.idx, p.unitDate))
	}
}

// contextFromPreamble reads the province and district a file is about from its title lines
// ("UBND HUYỆN CHI LĂNG", "… trên địa bàn huyện Chi Lăng, tỉnh Lạng Sơn").
func contextFromPreamble(idx *UnitIndex, lines []string, d time.Time) (province string, district, commune *unitRec) {
	text := " " + headerWords(strings.Join(lines, " ")) + " "
	provinces := idx.levelAt("province", d, false).units
	var found []*unitRec
	for _, u := range provinces {
		if t := idx.provinceTitles[u]; strings.Contains(text, t[0]) || strings.Contains(text, t[1]) {
			found = append(found, u)
		}
	}
	if len(found) == 1 {
		province = found[0].Code
	} else if len(provinces) == 1 {
		province = provinces[0].Code
	}
	named := func(level string, parent *unitRec, closed bool) *unitRec {
		found := idx.levelAt(level, d, closed).titled(text, func(u *unitRec) bool {
			return (province == "" || u.Province == province) && (parent == nil || u.Parent == parent.Code)
		})
		if len(found) == 1 {
			return found[0]
		}
		return nil
	}
	// A title may name a district or commune that no longer exists ("UBND HUYỆN CHI LĂNG" on a
	// 2026 export): it is then the old parent the rows' names are read within.
	if district = named("district", nil, false); district == nil {
		district = named("district", nil, true)
	}
	// A commune named in the title ("UBND XÃ QUANG LANG"), within the district when known.
	if commune = named("commune", district, false); commune == nil {
		commune = named("commune", district, true)
	}
	return province, district, commune
}
