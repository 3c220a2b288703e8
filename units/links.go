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

// LinkStatement is a successor mapping (the mapping layout): old → new links from one day.
type LinkStatement struct {
	From    time.Time
	Links   []StatedLink
	Source  string // SourceMapping
	BatchID int64
	Who     string
}

// StatedLink is one link of a mapping.
type StatedLink struct {
	Old, New string
	Partial  bool
	Where    string // "dòng 12", for messages
}

// LinkResult says what a mapping import changed.
type LinkResult struct {
	From      time.Time
	Links     int // links recorded or changed
	Unchanged int // links already recorded alike
	Replaced  int // earlier import links into the mapping's new codes that it does not list
	// WithoutSuccessor and Abolished are as in Result.
	WithoutSuccessor []*Version
	Abolished        map[ntm.Level]int
}

// checkLink validates one link against the structure; where names the source for messages.
func checkLink(h *History, old, new string, d time.Time, partial bool, where string) (ov, nv *Version, err error) {
	last := d.AddDate(0, 0, -1)
	ov, nv = h.At(old, last), h.At(new, d)
	switch {
	case ov == nil && len(h.Versions(old)) == 0:
		return nil, nil, ntm.Errorf(ntm.CodeNotFound, "%smã cũ %s không có trong danh mục đơn vị hành chính.", where, old)
	case ov == nil:
		return nil, nil, ntm.Errorf(ntm.CodeInvalid, "%smã cũ %s không có hiệu lực ngày %s (các thời kỳ của mã: %s), nên không thể có đơn vị kế tiếp từ ngày %s.",
			where, old, vnfmt.Date(last), periods(h.Versions(old)), vnfmt.Date(d))
	case nv == nil && len(h.Versions(new)) == 0:
		return nil, nil, ntm.Errorf(ntm.CodeNotFound, "%smã mới %s không có trong danh mục đơn vị hành chính: nhập danh mục từ ngày %s trước (ntm units import TỆP --valid-from %s).",
			where, new, vnfmt.Date(d), vnfmt.Date(d))
	case nv == nil:
		return nil, nil, ntm.Errorf(ntm.CodeInvalid, "%smã mới %s không có hiệu lực ngày %s (các thời kỳ của mã: %s): nhập danh mục từ ngày đó trước.",
			where, new, vnfmt.Date(d), periods(h.Versions(new)))
	case ov.Level != nv.Level:
		return nil, nil, ntm.Errorf(ntm.CodeInvalid, "%s%s là %s còn %s là %s: đơn vị kế tiếp phải cùng cấp.",
			where, ov.Label(), LevelWord(ov.Level), nv.Label(), LevelWord(nv.Level))
	case ov == nv:
		return ov, nv, nil // the same version spans the day: nothing to link
	case !partial && ov.InForce(d):
		return nil, nil, ntm.Errorf(ntm.CodeInvalid, "%s%s vẫn còn hiệu lực ngày %s nên không thể nhập toàn bộ vào %s; dùng --partial (hoặc merge_type partial) nếu chỉ một phần của nó chuyển sang.",
			where, ov.Label(), vnfmt.Date(d), nv.Label())
	}
	return ov, nv, nil
}

func periods(vs []*Version) string {
	var ps []string
	for _, v := range vs {
		ps = append(ps, v.Name+" "+v.Period())
	}
	return strings.Join(ps, "; ")
}

// ImportLinks applies a successor mapping in tx. The mapping states, for every new code it
// lists, all of that unit's predecessors on From: earlier import links into it on that day
// that the mapping leaves out (a continuation included) are removed; links added by hand stay.
// Every old code must be in force on From−1 and every new code on From (import the structure
// first).
func ImportLinks(ctx context.Context, tx pgx.Tx, st *LinkStatement) (*LinkResult, error) {
	if _, err := tx.Exec(ctx, lockUnits); err != nil {
		return nil, fmt.Errorf("lock units: %w", err)
	}
	h, err := Load(ctx, tx, LoadOptions{})
	if err != nil {
		return nil, err
	}
	changed := false
	for _, d := range h.Changes() {
		changed = changed || d.Equal(st.From)
	}
	if !changed {
		return nil, ntm.Errorf(ntm.CodeInvalid, "Cơ cấu đơn vị không thay đổi ngày %s: nhập danh mục đơn vị từ ngày đó trước (ntm units import TỆP --valid-from %s), rồi mới nhập bảng chuyển đổi đơn vị cũ → mới.",
			vnfmt.Date(st.From), vnfmt.Date(st.From))
	}
	res := &LinkResult{From: st.From}
	recorded := map[[2]string]*Link{}
	for _, l := range h.links {
		if l.From.Equal(st.From) {
			recorded[[2]string{l.Old, l.New}] = l
		}
	}
	var ls []*Link
	listed := map[[2]string]bool{}
	newCodes := map[string]bool{}
	for _, sl := range st.Links {
		ov, nv, err := checkLink(h, sl.Old, sl.New, st.From, sl.Partial, sl.Where+": ")
		if err != nil {
			return nil, err
		}
		newCodes[sl.New] = true
		listed[[2]string{sl.Old, sl.New}] = true
		if ov == nv {
			res.Unchanged++
			continue
		}
		if r := recorded[[2]string{sl.Old, sl.New}]; r != nil && r.Partial == sl.Partial {
			res.Unchanged++
			continue
		}
		ls = append(ls, &Link{Old: sl.Old, New: sl.New, From: st.From, Partial: sl.Partial, Source: st.Source})
	}
	var stale []int64
	for k, l := range recorded {
		if newCodes[l.New] && !listed[k] && l.Source != SourceOffice {
			stale = append(stale, l.ID)
		}
	}
	if len(stale) > 0 {
		if _, err := tx.Exec(ctx, `UPDATE unit_successor SET removed_at = now(), removed_by = $2 WHERE id = ANY($1)`, stale, whoOr(st.Who)); err != nil {
			return nil, fmt.Errorf("replace links: %w", err)
		}
		res.Replaced = len(stale)
	}
	if res.Links, err = insertLinks(ctx, tx, ls, st.BatchID, st.Who); err != nil {
		return nil, err
	}
	if st.BatchID != 0 {
		if _, err := tx.Exec(ctx, `UPDATE batch SET as_of = $2 WHERE id = $1`, st.BatchID, st.From); err != nil {
			return nil, fmt.Errorf("date the mapping batch: %w", err)
		}
	}
	after, err := Load(ctx, tx, LoadOptions{})
	if err != nil {
		return nil, err
	}
	res.WithoutSuccessor, res.Abolished = after.withoutSuccessor(st.From, func(*Version) bool { return true })
	return res, nil
}

// AddLink records a successor link by hand (the office): the version of old in force on
// from−1 continues, wholly or (partial) in part, in the version of new in force on from.
func AddLink(ctx context.Context, tx pgx.Tx, old, new string, from time.Time, partial bool, who, note string) (*Link, error) {
	if _, err := tx.Exec(ctx, lockUnits); err != nil {
		return nil, fmt.Errorf("lock units: %w", err)
	}
	h, err := Load(ctx, tx, LoadOptions{})
	if err != nil {
		return nil, err
	}
	ov, nv, err := checkLink(h, old, new, from, partial, "")
	if err != nil {
		return nil, err
	}
	if ov == nv {
		return nil, ntm.Errorf(ntm.CodeInvalid, "%s là cùng một đơn vị ngày %s và ngày %s: không cần đơn vị kế tiếp.",
			ov.Label(), vnfmt.Date(from.AddDate(0, 0, -1)), vnfmt.Date(from))
	}
	for _, l := range h.links {
		if l.Old == old && l.New == new && l.From.Equal(from) && l.Partial == partial {
			return nil, ntm.Errorf(ntm.CodeConflict, "Đã có liên kết %s → %s từ ngày %s (%s, nguồn %s).",
				ov.Label(), nv.Label(), vnfmt.Date(from), l.KindLabel(), SourceLabel(l.Source))
		}
	}
	l := &Link{Old: old, New: new, From: from, Partial: partial, Source: SourceOffice, Note: note}
	if _, err := insertLinks(ctx, tx, []*Link{l}, 0, who); err != nil {
		return nil, err
	}
	l.OldVersion, l.NewVersion, l.Who = ov, nv, whoOr(who)
	return l, nil
}

// RemoveLink removes a recorded link (kept in the table, marked removed by who).
func RemoveLink(ctx context.Context, tx pgx.Tx, old, new string, from time.Time, who string) error {
	if _, err := tx.Exec(ctx, lockUnits); err != nil {
		return fmt.Errorf("lock units: %w", err)
	}
	tag, err := tx.Exec(ctx, `UPDATE unit_successor SET removed_at = now(), removed_by = $4
		WHERE old_code = $1 AND new_code = $2 AND from_date = $3 AND removed_at IS NULL`, old, new, from, whoOr(who))
	if err != nil {
		return fmt.Errorf("remove link %s → %s: %w", old, new, err)
	}
	if tag.RowsAffected() == 0 {
		var others []string
		rows, err := tx.Query(ctx, `SELECT new_code, from_date FROM unit_successor WHERE old_code = $1 AND removed_at IS NULL ORDER BY from_date, new_code`, old)
		if err != nil {
			return fmt.Errorf("remove link %s → %s: %w", old, new, err)
		}
		defer rows.Close()
		for rows.Next() {
			var n string
			var d time.Time
			if err := rows.Scan(&n, &d); err != nil {
				return fmt.Errorf("remove link %s → %s: %w", old, new, err)
			}
			others = append(others, fmt.Sprintf("%s → %s từ %s", old, n, vnfmt.Date(d)))
		}
		hint := "mã " + old + " không có đơn vị kế tiếp nào"
		if len(others) > 0 {
			hint = "các liên kết của mã " + old + ": " + strings.Join(others, "; ")
		}
		return ntm.Errorf(ntm.CodeNotFound, "Không có liên kết %s → %s từ ngày %s (%s).", old, new, vnfmt.Date(from), hint)
	}
	return nil
}

// LinksFrom returns the links in force from day d on (zero: all), by date, old and new code.
func (h *History) LinksFrom(d time.Time) []*Link {
	var out []*Link
	for _, l := range h.links {
		if !l.From.Before(d) {
			out = append(out, l)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if !a.From.Equal(b.From) {
			return a.From.Before(b.From)
		}
		if a.Old != b.Old {
			return a.Old < b.Old
		}
		return a.New < b.New
	})
	return out
}

// SourceLabel says in Vietnamese where a link came from.
func SourceLabel(s string) string {
	switch s {
	case SourceContinuation:
		return "đổi tên/chuyển cấp trên"
	case SourcePreviousCodes:
		return "cột previous_codes"
	case SourceMergedFrom:
		return "cột merged_from_codes"
	case SourceMapping:
		return "bảng chuyển đổi"
	case SourceOffice:
		return "văn phòng thêm"
	}
	return s
}
