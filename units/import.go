package units

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"ntm"
	"ntm/vnfmt"
)

// Statement is what a structure file says (docs/structure-changes.md §2): the units of one or
// more provinces in force from a day.
type Statement struct {
	From time.Time
	// DateGiven is false when the file gave no date and From is the Beginning (refusals then
	// suggest --valid-from).
	DateGiven bool
	// Add only adds and updates: nothing the file leaves out is closed.
	Add bool
	// CloseOrphans closes the units left under a parent the statement closes (the villages of
	// a merged commune, when the file lists no villages) instead of refusing the import.
	CloseOrphans bool
	// Villages: the file lists villages, so the village level is stated too (units of the
	// province, district and commune levels are always stated: a file without districts says
	// that there are none).
	Villages bool
	Units    []StatedUnit
	// Source is the link source of the units' Previous codes (SourcePreviousCodes or
	// SourceMergedFrom).
	Source  string
	BatchID int64
	Who     string
	// File names the file for the commune groups it states (their source) and for messages.
	File string
}

// StatedUnit is one unit of a statement.
type StatedUnit struct {
	Code   string
	Level  ntm.Level
	Kind   string
	Name   string
	Folded string
	Parent string
	To     time.Time // a last day given by the file; zero = open
	// Previous lists the codes the unit was formed from (previous_codes, merged_from_codes);
	// PreviousStated says the file stated them (a list, or "-" for a new unit; an empty cell
	// states nothing).
	Previous       []PreviousCode
	PreviousStated bool
	// Group is the commune group (1, 2, 3) the file states for a commune from From; 0 = none stated.
	Group int
	Where string // where the file states the unit, for messages: "dòng 12"
}

// PreviousCode is one code a unit was formed from; Partial when only part of it.
type PreviousCode struct {
	Code    string
	Partial bool
}

// Result says what an import changed.
type Result struct {
	From      time.Time
	Provinces []string
	Opened    map[ntm.Level]int
	Closed    map[ntm.Level]int
	Renamed   map[ntm.Level]int // name or kind changed (a new version)
	Moved     map[ntm.Level]int // parent changed (a new version; a unit renamed and moved counts in both)
	Corrected map[ntm.Level]int // versions starting on From corrected in place (an import at From again)
	Unchanged int
	Links     int // successor links recorded or changed
	// UnknownPrevious counts predecessor codes the database has never held, skipped because
	// the provinces had no structure before From (a first import of a post-reform list).
	UnknownPrevious int
	// WithoutSuccessor lists the units of the provinces closed on From−1 that no link carries on,
	// except those of a level the provinces no longer have (Abolished).
	WithoutSuccessor []*Version
	// Abolished counts, per level left without any unit in force on From, the units closed
	// on From−1 (the districts on 1/7/2025): they have no successor by nature.
	Abolished map[ntm.Level]int
	// InForce counts the units of the provinces in force on From, after the import.
	InForce map[ntm.Level]int
	// Groups says what the import did to the commune groups: those the file states, and those of
	// the communes it closed or whose code now names another unit.
	Groups GroupResult
}

func newResult(d time.Time) *Result {
	return &Result{From: d, Opened: map[ntm.Level]int{}, Closed: map[ntm.Level]int{}, Renamed: map[ntm.Level]int{},
		Moved: map[ntm.Level]int{}, Corrected: map[ntm.Level]int{}, InForce: map[ntm.Level]int{}, Abolished: map[ntm.Level]int{}}
}

// Changed reports whether the import changed anything.
func (r *Result) Changed() bool {
	for _, m := range []map[ntm.Level]int{r.Opened, r.Closed, r.Renamed, r.Moved, r.Corrected} {
		for _, n := range m {
			if n > 0 {
				return true
			}
		}
	}
	return r.Links > 0 || r.Groups.Opened+r.Groups.Changed+r.Groups.Ended > 0
}

// plan is the set of writes an import makes.
type plan struct {
	h       *History
	d, last time.Time // From and From−1
	closes  map[*Version]bool
	deletes map[*Version]bool
	updates map[*Version]*Version // in-place changes (same ID)
	inserts []*Version
	// next is each stated code's version in force on From after the import.
	next      map[string]*Version
	links     []*Link
	replaceIn map[string]bool // codes whose import links into them at From are replaced
	// unitEnds are the codes whose unit ends on From−1 with no continuation (closed, or the code
	// now names another unit): their commune groups end too.
	unitEnds []string
	res      *Result
	// before: the provinces had units in force on From−1.
	before bool
}

// lockUnits serialises structure changes: imports and link edits read the whole structure,
// decide, and write; two at once could each miss the other's versions.
const lockUnits = `LOCK TABLE unit, unit_successor IN SHARE ROW EXCLUSIVE MODE`

// Import applies a structure statement in tx (docs/structure-changes.md §2): every unit of
// the statement's provinces in force on From−1 that the statement leaves out is closed on
// From−1 (unless Add); a unit whose name, kind or parent changes gets a new version from
// From, continuing the old one; a unit not in force is opened; identical units are left
// alone. It refuses, with an ntm.Error naming what to do, a statement dated before a change
// already recorded for its provinces, one that would leave units under a parent no longer in
// force, and predecessor codes that were not in force on From−1.
func Import(ctx context.Context, tx pgx.Tx, st *Statement) (*Result, error) {
	if _, err := tx.Exec(ctx, lockUnits); err != nil {
		return nil, fmt.Errorf("lock units: %w", err)
	}
	provinces := map[string]bool{}
	for _, u := range st.Units {
		if u.Level == ntm.LevelProvince {
			provinces[u.Code] = true
		}
	}
	if len(provinces) == 0 {
		return nil, ntm.Errorf(ntm.CodeInvalid, "Tệp không có tỉnh nào: mỗi dòng cần mã và tên tỉnh (province_code, province_name).")
	}
	// The plan looks at the statement's provinces, the codes it states and their previous
	// codes: the structure is read for those, not for the whole country (a national list
	// imported a province a file read it all twice per file).
	scope := make([]string, 0, len(st.Units))
	for _, u := range st.Units {
		scope = append(scope, u.Code)
		for _, pc := range u.Previous {
			scope = append(scope, pc.Code)
		}
	}
	h, err := Load(ctx, tx, LoadOptions{scope: scope})
	if err != nil {
		return nil, err
	}
	p := &plan{h: h, d: st.From, last: st.From.AddDate(0, 0, -1), closes: map[*Version]bool{}, deletes: map[*Version]bool{},
		updates: map[*Version]*Version{}, next: map[string]*Version{}, replaceIn: map[string]bool{}, res: newResult(st.From)}
	for c := range provinces {
		p.res.Provinces = append(p.res.Provinces, c)
	}
	sort.Strings(p.res.Provinces)
	inScope := func(v *Version) bool { return provinces[v.Province] || provinces[v.Code] }
	if err := p.checkOrder(st, inScope); err != nil {
		return nil, err
	}
	for _, v := range h.versions {
		if inScope(v) && v.InForce(p.last) {
			p.before = true
			break
		}
	}
	stated := map[string]*StatedUnit{}
	for i := range st.Units {
		u := &st.Units[i]
		stated[u.Code] = u
		if err := p.unit(u); err != nil {
			return nil, err
		}
	}
	if !st.Add {
		levels := map[ntm.Level]bool{ntm.LevelProvince: true, ntm.LevelDistrict: true, ntm.LevelCommune: true, ntm.LevelVillage: st.Villages}
		for _, v := range h.versions {
			if stated[v.Code] == nil && levels[v.Level] && inScope(v) {
				p.leave(v)
			}
		}
	}
	if err := p.orphans(st, inScope); err != nil {
		return nil, err
	}
	if err := p.predecessors(st); err != nil {
		return nil, err
	}
	if err := p.write(ctx, tx, st); err != nil {
		return nil, err
	}
	if err := p.groups(ctx, tx, st); err != nil {
		return nil, err
	}
	after, err := Load(ctx, tx, LoadOptions{scope: scope})
	if err != nil {
		return nil, err
	}
	for _, v := range after.versions {
		if v.InForce(st.From) && inScope(v) {
			p.res.InForce[v.Level]++
		}
	}
	p.res.WithoutSuccessor, p.res.Abolished = after.withoutSuccessor(st.From, inScope)
	return p.res, nil
}

// checkOrder refuses a statement at D when its provinces already changed after D: imports go
// in date order, so versions never overlap and history is never rewritten from the middle.
func (p *plan) checkOrder(st *Statement, inScope func(*Version) bool) error {
	var latest time.Time
	var example *Version
	for _, v := range p.h.versions {
		if !inScope(v) {
			continue
		}
		change := time.Time{}
		if v.From.After(p.d) {
			change = v.From
		}
		if !v.To.IsZero() && !v.To.Before(p.d) && v.To.AddDate(0, 0, 1).After(change) {
			change = v.To.AddDate(0, 0, 1)
		}
		if change.After(latest) {
			latest, example = change, v
		}
	}
	if example == nil {
		return nil
	}
	hint := "nhập các danh mục theo thứ tự ngày hiệu lực"
	if !st.DateGiven {
		hint = "tệp không ghi ngày hiệu lực: chạy lại với --valid-from dd/mm/yyyy (ngày cơ cấu trong tệp bắt đầu có hiệu lực)"
	}
	return ntm.Errorf(ntm.CodeConflict, "Không nhập được danh mục từ ngày %s: cơ cấu đơn vị của tỉnh đã có thay đổi từ ngày %s (ví dụ %s, hiệu lực %s); %s.",
		vnfmt.Date(p.d), vnfmt.Date(latest), example.Label(), example.Period(), hint)
}

func same(v *Version, u *StatedUnit) bool {
	return v.Name == u.Name && v.Kind == u.Kind && v.Folded == u.Folded && v.Parent == u.Parent
}

func hasCode(ps []PreviousCode, code string) bool {
	for _, p := range ps {
		if p.Code == code {
			return true
		}
	}
	return false
}

func (p *plan) version(u *StatedUnit) *Version {
	return &Version{Code: u.Code, Level: u.Level, Kind: u.Kind, Name: u.Name, Folded: u.Folded, Parent: u.Parent,
		From: p.d, To: u.To}
}

// unit plans one stated unit.
func (p *plan) unit(u *StatedUnit) error {
	for _, v := range p.h.Versions(u.Code) {
		if v.Level != u.Level {
			return ntm.Errorf(ntm.CodeInvalid, "%s: mã %s là mã của %s %s trong danh mục, không phải của một %s; kiểm tra lại mã.",
				u.Where, u.Code, LevelWord(v.Level), v.Label(), LevelWord(u.Level))
		}
	}
	prev, cur := p.h.At(u.Code, p.last), p.h.At(u.Code, p.d)
	// previous_codes that leave out the unit's own code say the code now names another unit.
	reused := u.PreviousStated && prev != nil && !hasCode(u.Previous, u.Code)
	r := p.res
	switch {
	case cur != nil && cur.From.Equal(p.d):
		// A second import at the same date corrects the version it opened.
		if !same(cur, u) || !cur.To.Equal(u.To) {
			nv := *cur
			nv.Kind, nv.Name, nv.Folded, nv.Parent, nv.To = u.Kind, u.Name, u.Folded, u.Parent, u.To
			p.updates[cur] = &nv
			r.Corrected[u.Level]++
			p.next[u.Code] = &nv
		} else {
			r.Unchanged++
			p.next[u.Code] = cur
		}
		if u.PreviousStated {
			p.replaceIn[u.Code] = true
		}
		return nil
	case cur != nil && !reused && same(cur, u) && cur.To.Equal(u.To):
		r.Unchanged++
		p.next[u.Code] = cur
		return nil
	case cur != nil && !reused && same(cur, u):
		// Only the end changes (a valid_to column): same version.
		p.setEnd(cur, u)
		return nil
	case cur == nil && prev != nil && !reused && same(prev, u) && p.h.Versions(u.Code)[len(p.h.Versions(u.Code))-1] == prev:
		// Closed on From−1 by an earlier import at From, listed again: reopen it.
		p.setEnd(prev, u)
		return nil
	}
	nv := p.version(u)
	p.inserts = append(p.inserts, nv)
	p.next[u.Code] = nv
	if u.PreviousStated {
		p.replaceIn[u.Code] = true
	}
	if cur != nil {
		p.closes[cur] = true // spans From: ends on From−1
	}
	switch {
	case prev == nil:
		r.Opened[u.Level]++
	case reused:
		if cur != nil {
			r.Closed[u.Level]++
		}
		r.Opened[u.Level]++
		p.unitEnds = append(p.unitEnds, u.Code)
	default:
		if prev.Name != u.Name || prev.Kind != u.Kind {
			r.Renamed[u.Level]++
		}
		if prev.Parent != u.Parent {
			r.Moved[u.Level]++
		}
		if !u.PreviousStated {
			p.links = append(p.links, &Link{Old: u.Code, New: u.Code, From: p.d, Source: SourceContinuation,
				Note: "đổi tên, loại hoặc đơn vị cấp trên"})
		}
	}
	return nil
}

// setEnd plans version v, unchanged otherwise, to end where the stated unit says.
func (p *plan) setEnd(v *Version, u *StatedUnit) {
	nv := *v
	nv.To = u.To
	p.updates[v] = &nv
	p.res.Corrected[u.Level]++
	p.next[u.Code] = &nv
}

// leave plans a unit the statement does not list: closed on From−1 if in force then; a
// version an earlier import at From opened is removed.
func (p *plan) leave(v *Version) {
	switch {
	case v.From.Equal(p.d):
		p.deletes[v] = true
		p.replaceIn[v.Code] = true
	case v.InForce(p.d):
		p.closes[v] = true
		p.res.Closed[v.Level]++
		p.unitEnds = append(p.unitEnds, v.Code)
	}
}

// groups ends the commune groups of the units the import ended and stores those the file states
// (docs/structure-changes.md §2): a group belongs to a unit, so a code that now names another
// unit (06463, Xã Chi Lăng from 1/7/2025) does not keep the old unit's group.
func (p *plan) groups(ctx context.Context, tx pgx.Tx, st *Statement) error {
	n, err := endGroups(ctx, tx, p.unitEnds, p.last)
	if err != nil {
		return err
	}
	stated := map[string]int{}
	for _, u := range st.Units {
		if u.Group != 0 && u.Level == ntm.LevelCommune {
			stated[u.Code] = u.Group
		}
	}
	res, err := SetGroups(ctx, tx, st.File, p.d, stated)
	if err != nil {
		return err
	}
	res.Ended = n
	p.res.Groups = res
	return nil
}

// inForceAfter reports whether code has a version in force on From once the plan is written.
func (p *plan) inForceAfter(code string) bool {
	if v, ok := p.next[code]; ok {
		return v.To.IsZero() || !v.To.Before(p.d)
	}
	v := p.h.At(code, p.d)
	return v != nil && !p.closes[v] && !p.deletes[v]
}

// continues reports whether version v stays in force on From once the plan is written.
func (p *plan) continues(v *Version) bool {
	if n, ok := p.next[v.Code]; ok {
		return n.ID == v.ID && v.ID != 0 // the same version, maybe corrected in place
	}
	return v.InForce(p.d) && !p.closes[v] && !p.deletes[v]
}

// orphans finds units that would stay in force under a parent that is not: closed with
// CloseOrphans, else the import is refused.
func (p *plan) orphans(st *Statement, inScope func(*Version) bool) error {
	for {
		var found []*Version
		for _, v := range p.h.versions {
			if _, stated := p.next[v.Code]; stated || v.Parent == "" || !inScope(v) || !v.InForce(p.d) || p.closes[v] || p.deletes[v] {
				continue
			}
			// Only parents this import closes: an older inconsistency is not this file's doing.
			if p.h.At(v.Parent, p.d) != nil && !p.inForceAfter(v.Parent) {
				found = append(found, v)
			}
		}
		if len(found) == 0 {
			return nil
		}
		if !st.CloseOrphans {
			return p.refuseOrphans(found)
		}
		for _, v := range found {
			p.leave(v)
		}
	}
}

func (p *plan) refuseOrphans(found []*Version) error {
	byLevel := map[ntm.Level]int{}
	var ex []string
	for _, v := range found {
		byLevel[v.Level]++
		if len(ex) < 3 {
			par := p.h.At(v.Parent, p.last)
			l := v.Label()
			if par != nil {
				l += " thuộc " + par.Label()
			}
			ex = append(ex, l)
		}
	}
	return ntm.Errorf(ntm.CodeInvalid, "Không nhập được danh mục từ ngày %s: %s vẫn còn hiệu lực nhưng thuộc đơn vị mà tệp đóng từ ngày đó (ví dụ: %s). "+
		"Thêm các đơn vị này vào tệp với đơn vị cấp trên mới (cột village_code, village_name và previous_codes nếu đánh số lại), "+
		"hoặc chạy lại với --close-villages để đóng chúng từ ngày %s.",
		vnfmt.Date(p.d), CountText(byLevel), strings.Join(ex, "; "), vnfmt.Date(p.last))
}

// predecessors plans the links of the statement's previous codes.
func (p *plan) predecessors(st *Statement) error {
	for i := range st.Units {
		u := &st.Units[i]
		if !u.PreviousStated {
			continue
		}
		nv := p.next[u.Code]
		for _, pc := range u.Previous {
			ov := p.h.At(pc.Code, p.last)
			col := "previous_codes"
			if st.Source == SourceMergedFrom {
				col = "merged_from_codes"
			}
			if ov == nil && !p.before && len(p.h.Versions(pc.Code)) == 0 {
				p.res.UnknownPrevious++ // nothing older to link to
				continue
			}
			if ov == nil {
				return ntm.Errorf(ntm.CodeInvalid, "%s, cột %s: mã %s không có hiệu lực ngày %s, nên không thể là đơn vị cũ của %s (%s); kiểm tra lại mã hoặc nhập danh mục cũ trước.",
					u.Where, col, pc.Code, vnfmt.Date(p.last), u.Name, u.Code)
			}
			if ov.Level != u.Level {
				return ntm.Errorf(ntm.CodeInvalid, "%s, cột %s: %s là %s, không cùng cấp với %s %s.",
					u.Where, col, ov.Label(), LevelWord(ov.Level), LevelWord(u.Level), u.Name)
			}
			if ov == nv {
				continue // the same version continues: nothing to link
			}
			if !pc.Partial && pc.Code != u.Code && p.continues(ov) {
				return ntm.Errorf(ntm.CodeInvalid, "%s, cột %s: %s vẫn còn hiệu lực từ ngày %s nên không thể nhập toàn bộ vào %s; ghi %s(partial) nếu chỉ một phần của nó được nhập.",
					u.Where, col, ov.Label(), vnfmt.Date(p.d), u.Name, pc.Code)
			}
			p.links = append(p.links, &Link{Old: pc.Code, New: u.Code, From: p.d, Partial: pc.Partial, Source: st.Source})
		}
	}
	return nil
}

// write stores the plan.
func (p *plan) write(ctx context.Context, tx pgx.Tx, st *Statement) error {
	ids := func(m map[*Version]bool) []int64 {
		out := make([]int64, 0, len(m))
		for v := range m {
			out = append(out, v.ID)
		}
		return out
	}
	if len(p.deletes) > 0 {
		codes := make([]string, 0, len(p.deletes))
		for v := range p.deletes {
			codes = append(codes, v.Code)
		}
		if _, err := tx.Exec(ctx, `DELETE FROM unit WHERE id = ANY($1)`, ids(p.deletes)); err != nil {
			return fmt.Errorf("remove versions: %w", err)
		}
		// The closing of the previous versions those replaced stays: the file leaves them out too.
		if _, err := tx.Exec(ctx, `DELETE FROM unit_successor WHERE new_code = ANY($1) AND from_date = $2 AND source <> 'office'`, codes, p.d); err != nil {
			return fmt.Errorf("remove links of removed versions: %w", err)
		}
	}
	if len(p.closes) > 0 {
		if _, err := tx.Exec(ctx, `UPDATE unit SET valid_to = $2 WHERE id = ANY($1)`, ids(p.closes), p.last); err != nil {
			return fmt.Errorf("close versions: %w", err)
		}
	}
	if len(p.updates) > 0 {
		if _, err := tx.Exec(ctx, `CREATE TEMP TABLE unit_correction (id bigint, kind text, name text, folded_name text, parent_code text, valid_to date) ON COMMIT DROP`); err != nil {
			return fmt.Errorf("correct versions: %w", err)
		}
		var rows [][]any
		for old, nv := range p.updates {
			rows = append(rows, []any{old.ID, nv.Kind, nv.Name, nv.Folded, nullable(nv.Parent), nullDate(nv.To)})
		}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"unit_correction"}, []string{"id", "kind", "name", "folded_name", "parent_code", "valid_to"}, pgx.CopyFromRows(rows)); err != nil {
			return fmt.Errorf("correct versions: %w", err)
		}
		if _, err := tx.Exec(ctx, `UPDATE unit u SET kind = c.kind, name = c.name, folded_name = c.folded_name, parent_code = c.parent_code,
			valid_to = c.valid_to, batch_id = $1 FROM unit_correction c WHERE u.id = c.id`, nullID(st.BatchID)); err != nil {
			return fmt.Errorf("correct versions: %w", err)
		}
	}
	if len(p.inserts) > 0 {
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"unit"},
			[]string{"code", "level", "kind", "name", "folded_name", "parent_code", "valid_from", "valid_to", "batch_id"},
			pgx.CopyFromSlice(len(p.inserts), func(i int) ([]any, error) {
				v := p.inserts[i]
				return []any{v.Code, string(v.Level), v.Kind, v.Name, v.Folded, nullable(v.Parent), v.From, nullDate(v.To), nullID(st.BatchID)}, nil
			})); err != nil {
			return fmt.Errorf("insert versions: %w", err)
		}
	}
	if len(p.replaceIn) > 0 {
		codes := make([]string, 0, len(p.replaceIn))
		for c := range p.replaceIn {
			codes = append(codes, c)
		}
		if _, err := tx.Exec(ctx, `UPDATE unit_successor SET removed_at = now(), removed_by = $3
			WHERE new_code = ANY($1) AND from_date = $2 AND removed_at IS NULL AND source IN ('continuation', 'previous_codes', 'merged_from_codes')`,
			codes, p.d, whoOr(st.Who)); err != nil {
			return fmt.Errorf("replace links: %w", err)
		}
	}
	n, err := insertLinks(ctx, tx, p.links, st.BatchID, st.Who)
	if err != nil {
		return err
	}
	p.res.Links = n
	if st.BatchID != 0 {
		if _, err := tx.Exec(ctx, `UPDATE batch SET as_of = $2 WHERE id = $1`, st.BatchID, p.d); err != nil {
			return fmt.Errorf("date the units batch: %w", err)
		}
	}
	return nil
}

// insertLinks records links that are not already recorded alike (a recorded link of another
// kind takes the new kind); it returns how many it recorded or changed. Links go through one
// COPY: a national mapping has ten thousand of them.
func insertLinks(ctx context.Context, tx pgx.Tx, ls []*Link, batchID int64, who string) (int, error) {
	if len(ls) == 0 {
		return 0, nil
	}
	if _, err := tx.Exec(ctx, `CREATE TEMP TABLE link_import (old_code text, new_code text, from_date date, kind text,
		source text, note text, seq integer) ON COMMIT DROP`); err != nil {
		return 0, fmt.Errorf("record links: %w", err)
	}
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"link_import"}, []string{"old_code", "new_code", "from_date", "kind", "source", "note", "seq"},
		pgx.CopyFromSlice(len(ls), func(i int) ([]any, error) {
			l := ls[i]
			kind := "full"
			if l.Partial {
				kind = "partial"
			}
			return []any{l.Old, l.New, l.From, kind, l.Source, l.Note, i}, nil
		})); err != nil {
		return 0, fmt.Errorf("record links: %w", err)
	}
	changed, err := tx.Exec(ctx, `UPDATE unit_successor s SET kind = i.kind, note = CASE WHEN i.note = '' THEN s.note ELSE i.note END
		FROM link_import i
		WHERE s.old_code = i.old_code AND s.new_code = i.new_code AND s.from_date = i.from_date AND s.removed_at IS NULL AND s.kind <> i.kind`)
	if err != nil {
		return 0, fmt.Errorf("record links: %w", err)
	}
	added, err := tx.Exec(ctx, `INSERT INTO unit_successor (old_code, new_code, from_date, kind, source, batch_id, created_by, note)
		SELECT DISTINCT ON (old_code, new_code, from_date) old_code, new_code, from_date, kind, source, $1::bigint, $2, note
		FROM link_import ORDER BY old_code, new_code, from_date, seq
		ON CONFLICT (old_code, new_code, from_date) WHERE removed_at IS NULL DO NOTHING`, nullID(batchID), whoOr(who))
	if err != nil {
		return 0, fmt.Errorf("record links: %w", err)
	}
	if _, err := tx.Exec(ctx, `DROP TABLE link_import`); err != nil {
		return 0, fmt.Errorf("record links: %w", err)
	}
	return int(changed.RowsAffected() + added.RowsAffected()), nil
}

func whoOr(who string) string {
	if who == "" {
		return "ntm"
	}
	return who
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func nullDate(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}
