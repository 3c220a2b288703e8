package units

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"ntm"
	"ntm/vnfmt"
)

// Commune groups (1, 2, 3; Decision 51/2025/QĐ-TTg) are master data versioned like the units, in
// table commune_group: a group holds for one unit code from valid_from to valid_to. Two files
// write them — the criteria sets' group list (ntm criteria groups import) and the commune_group
// column of a structure file (ntm units import) — through SetGroups, so both version them alike.

// ParseGroup reads a group as written: "1", "2", "Nhóm 3", "nhom 1".
func ParseGroup(s string) (int, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	for _, p := range []string{"nhóm", "nhom", "group"} {
		s = strings.TrimSpace(strings.TrimPrefix(s, p))
	}
	s = strings.TrimSuffix(s, ".0")
	switch s {
	case "1", "2", "3":
		return int(s[0] - '0'), true
	}
	return 0, false
}

// GroupResult says what a write of commune groups changed.
type GroupResult struct {
	Opened, Changed, Unchanged int
	// Ended counts the group versions ended on From−1 because the structure import closed their
	// unit, or gave its code to another unit (docs/structure-changes.md §2).
	Ended int
}

// Any reports whether the write touched any group.
func (r GroupResult) Any() bool { return r.Opened+r.Changed+r.Unchanged+r.Ended > 0 }

// SetGroups stores the groups of the unit codes given, from day from: a code whose group in force
// then differs gets a new version (the one in force ends the day before; one that starts on from is
// replaced), one with the same group is left alone, codes not given keep theirs. A code with a
// group version starting after from is refused (imports go in date order), naming source.
func SetGroups(ctx context.Context, tx pgx.Tx, source string, from time.Time, groups map[string]int) (GroupResult, error) {
	var res GroupResult
	if len(groups) == 0 {
		return res, nil
	}
	codes := make([]string, 0, len(groups))
	for c, g := range groups {
		if g < 1 || g > 3 {
			return res, fmt.Errorf("commune group %d of %s is not 1, 2 or 3", g, c)
		}
		codes = append(codes, c)
	}
	sort.Strings(codes)
	rows, err := tx.Query(ctx, `SELECT DISTINCT unit_code FROM commune_group WHERE unit_code = ANY($1) AND valid_from > $2 ORDER BY 1`, codes, from)
	if err != nil {
		return res, fmt.Errorf("read commune groups: %w", err)
	}
	later, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return res, fmt.Errorf("read commune groups: %w", err)
	}
	if len(later) > 0 {
		ex := later
		if len(ex) > 3 {
			ex = ex[:3]
		}
		return res, ntm.Errorf(ntm.CodeConflict, "Tệp %s không được nạp: %d xã đã có nhóm xã từ một ngày sau %s (%s); nạp các danh sách nhóm xã theo thứ tự ngày",
			source, len(later), vnfmt.Date(from), strings.Join(ex, ", "))
	}
	for _, code := range codes {
		g := groups[code]
		var cur int
		var since time.Time
		err := tx.QueryRow(ctx, `SELECT commune_group, valid_from FROM commune_group
			WHERE unit_code = $1 AND valid_from <= $2 AND (valid_to IS NULL OR valid_to >= $2) ORDER BY valid_from DESC LIMIT 1`, code, from).Scan(&cur, &since)
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			res.Opened++
		case err != nil:
			return res, fmt.Errorf("read the group of commune %s: %w", code, err)
		case cur == g:
			res.Unchanged++
			continue
		case since.Equal(from):
			res.Changed++
			if _, err := tx.Exec(ctx, `DELETE FROM commune_group WHERE unit_code = $1 AND valid_from = $2`, code, from); err != nil {
				return res, fmt.Errorf("replace the group of commune %s: %w", code, err)
			}
		default:
			res.Changed++
			if _, err := tx.Exec(ctx, `UPDATE commune_group SET valid_to = $3 WHERE unit_code = $1 AND valid_from = $2`, code, since, from.AddDate(0, 0, -1)); err != nil {
				return res, fmt.Errorf("close the group of commune %s: %w", code, err)
			}
		}
		if _, err := tx.Exec(ctx, `INSERT INTO commune_group (unit_code, commune_group, valid_from, source) VALUES ($1, $2, $3, $4)`, code, g, from, source); err != nil {
			return res, fmt.Errorf("store the group of commune %s: %w", code, err)
		}
	}
	return res, nil
}

// endGroups ends on last the group versions in force on last of the codes given (units a
// structure import closed, or whose code now names another unit): a group belongs to a unit, and
// the code's next unit has none until one is stated.
func endGroups(ctx context.Context, tx pgx.Tx, codes []string, last time.Time) (int, error) {
	if len(codes) == 0 {
		return 0, nil
	}
	tag, err := tx.Exec(ctx, `UPDATE commune_group SET valid_to = $2
		WHERE unit_code = ANY($1) AND valid_from <= $2 AND (valid_to IS NULL OR valid_to > $2)`, codes, last)
	if err != nil {
		return 0, fmt.Errorf("end the groups of closed communes: %w", err)
	}
	return int(tag.RowsAffected()), nil
}
