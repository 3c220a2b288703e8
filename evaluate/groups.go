package evaluate

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"ntm"
	"ntm/db"
	"ntm/units"
	"ntm/vnfmt"
)

// Commune groups (1, 2, 3) are master data, versioned like the units: a group holds for one
// unit code from valid_from to valid_to. A criterion with per-group thresholds decides a
// commune (and its villages) with the threshold of the commune's group in force at the period
// end; a commune without one is no data, naming it.

// GroupRow is one row of a commune-group file: a commune code and its group.
type GroupRow struct {
	Row         int // 1-based row number in the file, for messages
	CommuneCode string
	Group       string // as written: "1", "Nhóm 2", "3"
}

// GroupAssignment is one commune's group in force on a day.
type GroupAssignment struct {
	CommuneCode, CommuneName string
	Group                    int
	ValidFrom                time.Time
	ValidTo                  *time.Time
	Source                   string
}

// GroupReport says what an import of commune groups did.
type GroupReport struct {
	Opened, Changed, Unchanged int
}

// GroupsAt returns the commune group in force on day of every unit code that has one.
func GroupsAt(ctx context.Context, q db.Querier, day time.Time) (map[string]int, error) {
	rows, err := q.Query(ctx, `SELECT DISTINCT ON (unit_code) unit_code, commune_group FROM commune_group
		WHERE valid_from <= $1 AND (valid_to IS NULL OR valid_to >= $1) ORDER BY unit_code, valid_from DESC`, day)
	if err != nil {
		return nil, fmt.Errorf("read the commune groups in force on %s: %w", day.Format(time.DateOnly), err)
	}
	out := map[string]int{}
	defer rows.Close()
	for rows.Next() {
		var code string
		var g int
		if err := rows.Scan(&code, &g); err != nil {
			return nil, fmt.Errorf("read the commune groups: %w", err)
		}
		out[code] = g
	}
	return out, rows.Err()
}

// ListGroups lists the communes in force on day with their group (0 = none) in force then.
func ListGroups(ctx context.Context, q db.Querier, day time.Time) ([]GroupAssignment, error) {
	rows, err := q.Query(ctx, `
		WITH u AS (
			SELECT DISTINCT ON (code) code, name FROM unit
			WHERE level = 'commune' AND valid_from <= $1 AND (valid_to IS NULL OR valid_to >= $1)
			ORDER BY code, valid_from DESC
		), g AS (
			SELECT DISTINCT ON (unit_code) unit_code, commune_group, valid_from, valid_to, source FROM commune_group
			WHERE valid_from <= $1 AND (valid_to IS NULL OR valid_to >= $1) ORDER BY unit_code, valid_from DESC
		)
		SELECT u.code, u.name, coalesce(g.commune_group, 0), coalesce(g.valid_from, DATE '0001-01-01'), g.valid_to, coalesce(g.source, '')
		FROM u LEFT JOIN g ON g.unit_code = u.code ORDER BY u.code`, day)
	if err != nil {
		return nil, fmt.Errorf("list the commune groups: %w", err)
	}
	defer rows.Close()
	var out []GroupAssignment
	for rows.Next() {
		var a GroupAssignment
		if err := rows.Scan(&a.CommuneCode, &a.CommuneName, &a.Group, &a.ValidFrom, &a.ValidTo, &a.Source); err != nil {
			return nil, fmt.Errorf("list the commune groups: %w", err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// ImportGroups stores the groups of the communes a file lists, from validFrom on: a commune
// whose group in force then differs gets a new version (the old one closes the day before);
// communes the file does not list keep theirs. Every row is checked first: an unknown
// commune, a bad group or a commune listed twice rejects the whole file (nothing is stored),
// as does a commune with a group version starting after validFrom (imports go in date order).
func ImportGroups(ctx context.Context, pool interface {
	Begin(context.Context) (pgx.Tx, error)
}, file string, rows []GroupRow, validFrom time.Time) (GroupReport, error) {
	var rep GroupReport
	err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		var err error
		rep, err = importGroups(ctx, tx, file, rows, validFrom)
		return err
	})
	return rep, err
}

func importGroups(ctx context.Context, tx pgx.Tx, file string, rows []GroupRow, validFrom time.Time) (GroupReport, error) {
	var rep GroupReport
	if len(rows) == 0 {
		return rep, ntm.Errorf(ntm.CodeInvalid, "Tệp nhóm xã %s không có dòng nào: cần hai cột mã xã và nhóm xã (1, 2 hoặc 3)", file)
	}
	communes := map[string]bool{}
	r, err := tx.Query(ctx, `SELECT DISTINCT code FROM unit WHERE level = 'commune' AND valid_from <= $1 AND (valid_to IS NULL OR valid_to >= $1)`, validFrom)
	if err != nil {
		return rep, fmt.Errorf("read the communes in force: %w", err)
	}
	for r.Next() {
		var c string
		if err := r.Scan(&c); err != nil {
			r.Close()
			return rep, fmt.Errorf("read the communes in force: %w", err)
		}
		communes[c] = true
	}
	r.Close()
	if err := r.Err(); err != nil {
		return rep, fmt.Errorf("read the communes in force: %w", err)
	}
	var problems []string
	seen := map[string]int{}
	groups := map[string]int{}
	for _, row := range rows {
		code := strings.TrimSpace(row.CommuneCode)
		g, ok := units.ParseGroup(row.Group)
		switch {
		case code == "":
			problems = append(problems, fmt.Sprintf("dòng %d: thiếu mã xã", row.Row))
		case !communes[code]:
			problems = append(problems, fmt.Sprintf("dòng %d: mã xã %s không có trong danh mục đơn vị có hiệu lực ngày %s", row.Row, code, vnfmt.Date(validFrom)))
		case !ok:
			problems = append(problems, fmt.Sprintf("dòng %d: nhóm xã “%s” của xã %s phải là 1, 2 hoặc 3", row.Row, row.Group, code))
		case seen[code] != 0:
			problems = append(problems, fmt.Sprintf("dòng %d: xã %s đã có ở dòng %d", row.Row, code, seen[code]))
		default:
			seen[code] = row.Row
			groups[code] = g
		}
	}
	if len(problems) > 0 {
		more := ""
		if len(problems) > 5 {
			more = fmt.Sprintf(" (và %d lỗi khác)", len(problems)-5)
			problems = problems[:5]
		}
		return rep, ntm.Errorf(ntm.CodeInvalid, "Tệp nhóm xã %s không được nạp, chưa có gì thay đổi: %s%s", file, strings.Join(problems, "; "), more)
	}
	// The versioning is the units package's: a structure file's commune_group column writes the
	// same table the same way.
	res, err := units.SetGroups(ctx, tx, file, validFrom, groups)
	return GroupReport{Opened: res.Opened, Changed: res.Changed, Unchanged: res.Unchanged}, err
}
