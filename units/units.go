// Package units owns the administrative structure over time: the versions of every unit
// (table unit), the successor links between versions (table unit_successor), structure
// imports that close, rename and move units from a date, and the lineage questions every
// later stage asks — the structure in force on a day, which version a dated fact belongs to,
// a version's predecessors and successors, and the units in force at a period's end that
// carry a past version's facts (docs/structure-changes.md is the contract).
//
// A History is the structure in memory (the whole, or some provinces with everything linked to
// them: LoadOptions.Provinces), read once (Load) and queried through indexes
// the collector has little to mark (one array of versions, one backing string, maps without
// pointers: index.go): national scale is about 100,000 versions and loads in a fraction of a
// second. It imports
// only ntm and db, so transform, evaluate, reports and the console can all use it.
package units

import (
	"context"
	_ "embed"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"ntm"
	"ntm/db"
	"ntm/vnfmt"
)

// Version is one version of an administrative unit: a row of the unit table.
type Version struct {
	ID     int64
	Code   string
	Level  ntm.Level
	Kind   string // as shown: "Xã", "Phường", "Thị trấn", "Huyện", "Thôn" …
	Name   string // as published: "Xã Chi Lăng"
	Folded string // folded for matching, prefix removed: "chi lăng"
	Parent string // parent code; "" for a province
	From   time.Time
	To     time.Time // last day in force (inclusive); zero = still in force
	// Province is the code of the province the version lies in ("" when its chain of parents
	// is broken).
	Province string

	links *linkSet // links into this version and out of it (resolved by Load); nil for most
	idx   int32    // position in History.All()
}

type linkSet struct{ in, out []*Link }

// in and out are the links into v and out of it.
func (v *Version) in() []*Link {
	if v.links == nil {
		return nil
	}
	return v.links.in
}

func (v *Version) out() []*Link {
	if v.links == nil {
		return nil
	}
	return v.links.out
}

// InForce reports whether v is in force on day d.
func (v *Version) InForce(d time.Time) bool {
	return !d.Before(v.From) && (v.To.IsZero() || !d.After(v.To))
}

// Open reports whether v has no end.
func (v *Version) Open() bool { return v.To.IsZero() }

// Label names a version in messages: "Xã Quang Lang (06187)".
func (v *Version) Label() string { return fmt.Sprintf("%s (%s)", v.Name, v.Code) }

// Period says when v was in force, in Vietnamese: "01/01/2025–30/06/2025", "từ 01/07/2025".
func (v *Version) Period() string {
	from := ""
	if v.From.After(Beginning) {
		from = vnfmt.Date(v.From)
	}
	switch {
	case v.To.IsZero() && from == "":
		return "từ trước đến nay"
	case v.To.IsZero():
		return "từ " + from
	case from == "":
		return "đến " + vnfmt.Date(v.To)
	}
	return from + "–" + vnfmt.Date(v.To)
}

// Beginning is the start of validity of units whose file gives none: they are taken to have
// been in force "always" (facts are older than the master lists that describe them).
var Beginning = ntm.Date(1900, 1, 1)

// Link sources (column unit_successor.source).
const (
	SourceContinuation  = "continuation"      // an import renamed, re-kinded or moved a code: it continues itself
	SourcePreviousCodes = "previous_codes"    // the canonical layout's previous_codes column
	SourceMergedFrom    = "merged_from_codes" // the GSO 2025 layout's merged_from_codes column
	SourceMapping       = "mapping"           // the old→new mapping layout
	SourceOffice        = "office"            // added by hand (command line or console)
)

// Link is a successor link: the version of Old in force on From−1 continues, wholly or in
// part, in the version of New in force on From.
type Link struct {
	ID        int64
	Old, New  string
	From      time.Time
	Partial   bool
	Source    string
	BatchID   int64 // 0 when added by hand
	Who, Note string
	Created   time.Time
	// OldVersion and NewVersion are the versions the link joins; nil when no version of the
	// code is in force on that day (the link is then shown as invalid and ignored).
	OldVersion, NewVersion *Version
}

// Valid reports whether the link joins two different versions.
func (l *Link) Valid() bool {
	return l.OldVersion != nil && l.NewVersion != nil && l.OldVersion != l.NewVersion
}

// KindLabel is "toàn bộ" or "một phần".
func (l *Link) KindLabel() string {
	if l.Partial {
		return "một phần"
	}
	return "toàn bộ"
}

// History is every version of every unit and every successor link, in memory.
type History struct {
	versions []*Version // sorted by level, code, From
	// byCode is every version by code and From, byParent by parent code, level, code and From;
	// codes and parents find a code's run in them.
	byCode, byParent []*Version
	codes, parents   runIndex
	links            []*Link
}

// LoadOptions chooses what Load reads.
type LoadOptions struct {
	// NoVillages leaves out villages and their links: a stage that never names a village
	// (the public-service datasets) then holds a tenth of the national list.
	NoVillages bool
	// Provinces, when set, reads what the workbooks of these provinces name (reports): the
	// provinces' versions, every code reached from them by a parent's children or a successor
	// link in force, either way and transitively — so a unit that moved between provinces, what it
	// came from and went to and the villages of a commune merged in from another province are
	// read — with those codes' links, and the versions of their parents up to the provinces
	// (without the parents' own links). What such a read holds of each of its codes (versions,
	// Province, links, predecessors, owners) is what a whole read holds.
	Provinces []string
	// scope, when set, reads only what a structure import of some provinces looks at (Import):
	// the versions of these codes, of every code that ever had one of them as parent
	// (transitively), and of the codes linked to or from those, with their links. Every version
	// that lies in the provinces is then read with its parents, its links and the same
	// Province as in a whole read, instead of the whole country per file.
	scope []string
}

//go:embed sql/load_versions.sql
var loadVersionsSQL string

//go:embed sql/load_links.sql
var loadLinksSQL string

//go:embed sql/load_scope.sql
var loadScopeSQL string

//go:embed sql/load_scope_versions.sql
var loadScopeVersionsSQL string

//go:embed sql/load_scope_links.sql
var loadScopeLinksSQL string

//go:embed sql/load_provinces.sql
var loadProvincesSQL string

// Load reads the unit and unit_successor tables.
func Load(ctx context.Context, q db.Querier, opts LoadOptions) (*History, error) {
	versionsSQL, versionsArgs := loadVersionsSQL, []any{!opts.NoVillages}
	linksSQL, linksArgs := loadLinksSQL, []any(nil)
	scopeSQL, scope := loadScopeSQL, opts.scope
	if opts.Provinces != nil {
		scopeSQL, scope = loadProvincesSQL, opts.Provinces
	}
	if scope != nil {
		rows, err := q.Query(ctx, scopeSQL, scope)
		if err != nil {
			return nil, fmt.Errorf("read unit scope: %w", err)
		}
		codes, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			return nil, fmt.Errorf("read unit scope: %w", err)
		}
		versionsSQL, versionsArgs = loadScopeVersionsSQL, []any{!opts.NoVillages, codes}
		linksSQL, linksArgs = loadScopeLinksSQL, []any{codes}
	}
	// The versions are read into one array (one object instead of one a version, 91,000 at
	// national scale) and their strings into one backing string (compactStrings).
	slab, err := readVersions(ctx, q, nil, versionsSQL, versionsArgs...)
	if err != nil {
		return nil, err
	}
	if opts.Provinces != nil {
		// The parents of the versions read, up to their provinces: a code reached by a link
		// may lie under a commune the read did not reach.
		have := make(map[string]bool, len(slab))
		for i := range slab {
			have[slab[i].Code] = true
		}
		for from := 0; from < len(slab); {
			var missing []string
			for i := from; i < len(slab); i++ {
				if p := slab[i].Parent; p != "" && !have[p] {
					have[p] = true
					missing = append(missing, p)
				}
			}
			if len(missing) == 0 {
				break
			}
			from = len(slab)
			if slab, err = readVersions(ctx, q, slab, loadScopeVersionsSQL, !opts.NoVillages, missing); err != nil {
				return nil, err
			}
		}
	}
	slab = slices.Clip(slab)
	if cap(slab) > len(slab)+len(slab)/16 {
		slab = append([]Version(nil), slab...)
	}
	compactStrings(slab)
	vs := make([]*Version, len(slab))
	for i := range slab {
		vs[i] = &slab[i]
	}
	lrows, err := q.Query(ctx, linksSQL, linksArgs...)
	if err != nil {
		return nil, fmt.Errorf("read successor links: %w", err)
	}
	var ls []*Link
	for lrows.Next() {
		l := &Link{}
		var kind string
		if err := lrows.Scan(&l.ID, &l.Old, &l.New, &l.From, &kind, &l.Source, &l.BatchID, &l.Who, &l.Note, &l.Created); err != nil {
			lrows.Close()
			return nil, fmt.Errorf("read successor links: %w", err)
		}
		l.Partial = kind == "partial"
		ls = append(ls, l)
	}
	lrows.Close()
	if err := lrows.Err(); err != nil {
		return nil, fmt.Errorf("read successor links: %w", err)
	}
	h := New(vs, ls)
	if opts.NoVillages {
		// Links of villages name no loaded version: drop them rather than show them invalid.
		kept := h.links[:0]
		for _, l := range h.links {
			if l.OldVersion != nil || l.NewVersion != nil {
				kept = append(kept, l)
			}
		}
		h.links = kept
	}
	return h, nil
}

// readVersions appends the versions a query reads to slab.
func readVersions(ctx context.Context, q db.Querier, slab []Version, sql string, args ...any) ([]Version, error) {
	rows, err := q.Query(ctx, sql, args...)
	if err != nil {
		return nil, fmt.Errorf("read unit versions: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		slab = append(slab, Version{})
		v := &slab[len(slab)-1]
		var level string
		var to *time.Time
		if err := rows.Scan(&v.ID, &v.Code, &level, &v.Kind, &v.Name, &v.Folded, &v.Parent, &v.From, &to); err != nil {
			return nil, fmt.Errorf("read unit versions: %w", err)
		}
		v.Level = ntm.Level(level)
		if to != nil {
			v.To = *to
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read unit versions: %w", err)
	}
	return slab, nil
}

// New builds a History from versions and links (Load's second half; tests build small ones).
// Versions of one code must not overlap.
func New(vs []*Version, ls []*Link) *History {
	h := &History{versions: vs}
	for _, v := range vs {
		v.links = nil
	}
	h.byCode = slices.Clone(vs)
	sort.SliceStable(h.byCode, func(i, j int) bool {
		a, b := h.byCode[i], h.byCode[j]
		if a.Code != b.Code {
			return a.Code < b.Code
		}
		return a.From.Before(b.From)
	})
	h.codes = buildRuns(len(h.byCode), func(i int) string { return h.byCode[i].Code })
	sort.SliceStable(h.versions, func(i, j int) bool {
		a, b := h.versions[i], h.versions[j]
		if la, lb := levelRank(a.Level), levelRank(b.Level); la != lb {
			return la < lb
		}
		if a.Code != b.Code {
			return a.Code < b.Code
		}
		return a.From.Before(b.From)
	})
	for i, v := range h.versions {
		v.idx = int32(i)
	}
	h.byParent = slices.Clone(h.versions)
	sort.SliceStable(h.byParent, func(i, j int) bool { return h.byParent[i].Parent < h.byParent[j].Parent })
	h.parents = buildRuns(len(h.byParent), func(i int) string { return h.byParent[i].Parent })
	// Each version's province: climb the parents in force on the version's first day, else
	// through any version of the parent code.
	for _, v := range h.versions {
		p := v
		for i := 0; i < 6 && p != nil && p.Level != ntm.LevelProvince; i++ {
			next := h.At(p.Parent, v.From)
			if next == nil {
				if ps := h.Versions(p.Parent); len(ps) > 0 {
					next = ps[len(ps)-1]
				}
			}
			p = next
		}
		if p != nil && p.Level == ntm.LevelProvince {
			v.Province = p.Code
		}
	}
	for _, l := range ls {
		l.OldVersion = h.At(l.Old, l.From.AddDate(0, 0, -1))
		l.NewVersion = h.At(l.New, l.From)
		if l.Valid() {
			if l.OldVersion.links == nil {
				l.OldVersion.links = &linkSet{}
			}
			if l.NewVersion.links == nil {
				l.NewVersion.links = &linkSet{}
			}
			l.OldVersion.links.out = append(l.OldVersion.links.out, l)
			l.NewVersion.links.in = append(l.NewVersion.links.in, l)
		}
	}
	h.links = ls
	return h
}

func levelRank(l ntm.Level) int {
	for i, x := range ntm.Levels {
		if x == l {
			return i
		}
	}
	return len(ntm.Levels)
}

// Len is the number of versions held.
func (h *History) Len() int { return len(h.versions) }

// All returns every version, by level (province first), code and date. Do not modify it.
func (h *History) All() []*Version { return h.versions }

// Versions returns the versions of a code, oldest first. Do not modify it.
func (h *History) Versions(code string) []*Version {
	s := h.codes.find(code, func(i int) string { return h.byCode[i].Code })
	return h.byCode[s.start:s.end:s.end]
}

// Index returns v's position in All(), or -1 when v is not one of h's versions: a caller can
// keep what it knows of each version in an array beside All() instead of a map by version.
func (h *History) Index(v *Version) int {
	if v == nil || int(v.idx) >= len(h.versions) || h.versions[v.idx] != v {
		return -1
	}
	return int(v.idx)
}

// At returns the version of code in force on day d, or nil.
func (h *History) At(code string, d time.Time) *Version {
	vs := h.Versions(code)
	for i := len(vs) - 1; i >= 0; i-- {
		if vs[i].InForce(d) {
			return vs[i]
		}
	}
	return nil
}

// VersionOf returns the version a fact with this code and unit date belongs to
// (docs/structure-changes.md §4): the newest version that started on or before the date — the
// one in force then, or, in a gap or after the code's last version, the last one before —
// and for a date before the code's first version, the first version. nil for an unknown code.
func (h *History) VersionOf(code string, d time.Time) *Version {
	vs := h.Versions(code)
	if len(vs) == 0 {
		return nil
	}
	i := sort.Search(len(vs), func(i int) bool { return vs[i].From.After(d) })
	if i == 0 {
		return vs[0]
	}
	return vs[i-1]
}

// InForce returns the versions in force on day d, by level (province first) and code; level
// "" means every level.
func (h *History) InForce(d time.Time, level ntm.Level) []*Version {
	var out []*Version
	for _, v := range h.versions {
		if (level == "" || v.Level == level) && v.InForce(d) {
			out = append(out, v)
		}
	}
	return out
}

// Children returns the versions in force on d whose parent is code, by code.
func (h *History) Children(code string, d time.Time) []*Version {
	var out []*Version
	for _, v := range h.ChildrenEver(code) {
		if v.InForce(d) {
			out = append(out, v)
		}
	}
	return out
}

// Parent returns the version of v's parent in force on d (nil for a province, or when none is).
func (h *History) Parent(v *Version, d time.Time) *Version {
	if v.Parent == "" {
		return nil
	}
	return h.At(v.Parent, d)
}

// Links returns every successor link in force (not removed), by date, old code, new code.
// Invalid ones (naming no version on that day) are included: see Link.Valid.
func (h *History) Links() []*Link { return h.links }

// Changes returns the days on which some version starts or ends (the day after its last
// day), after the Beginning, oldest first: the dates of the structure changes.
func (h *History) Changes() []time.Time {
	seen := map[time.Time]bool{}
	for _, v := range h.versions {
		if v.From.After(Beginning) {
			seen[v.From] = true
		}
		if !v.To.IsZero() {
			seen[v.To.AddDate(0, 0, 1)] = true
		}
	}
	out := make([]time.Time, 0, len(seen))
	for d := range seen {
		out = append(out, d)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Before(out[j]) })
	return out
}

// Count returns how many versions of each level are in force on d.
func (h *History) Count(d time.Time) map[ntm.Level]int {
	n := map[ntm.Level]int{}
	for _, v := range h.versions {
		if v.InForce(d) {
			n[v.Level]++
		}
	}
	return n
}

// CountText says in Vietnamese how many units of each level are in force: "1 tỉnh, 11 huyện,
// 200 xã, 1.676 thôn" (levels without units are left out).
func CountText(n map[ntm.Level]int) string {
	var parts []string
	for _, l := range ntm.Levels {
		if n[l] > 0 {
			parts = append(parts, fmt.Sprintf("%s %s", vnfmt.Int(int64(n[l])), LevelWord(l)))
		}
	}
	if len(parts) == 0 {
		return "không có đơn vị nào"
	}
	return strings.Join(parts, ", ")
}

// LevelWord is the lower-case Vietnamese word for a level, for sentences: "xã", "thôn".
func LevelWord(l ntm.Level) string {
	switch l {
	case ntm.LevelProvince:
		return "tỉnh"
	case ntm.LevelDistrict:
		return "huyện"
	case ntm.LevelCommune:
		return "xã"
	case ntm.LevelVillage:
		return "thôn"
	}
	return "đơn vị"
}

// ChildrenEver returns every version whose parent code is code, whenever in force, by code
// and date (old names are looked up within an old parent this way).
func (h *History) ChildrenEver(code string) []*Version {
	s := h.parents.find(code, func(i int) string { return h.byParent[i].Parent })
	return h.byParent[s.start:s.end:s.end]
}
