package units

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"ntm"
	"ntm/db"
	"ntm/fold"
)

// Alias is another name a unit is known by (an old spelling, a common misspelling): the name
// resolver tries aliases when a name matches no unit (transform.LoadUnitIndex). Table
// unit_alias; the office adds and removes them (console, ntm units aliases).
type Alias struct {
	ID     int64
	Name   string // as the office typed it ("Xã Vân An cũ"); older rows without one show Folded
	Folded string // folded for matching, prefix removed ("vân an cũ")
	Code   string // the unit it names
	Parent string // resolve it only within this parent ("" = anywhere)
	Note   string
	Who    string
	Added  time.Time
	// UnitName and ParentName are the newest versions' names, for display ("" when the code
	// has no version any more).
	UnitName, ParentName string
}

// FoldAlias folds a name the way the resolver folds names in files (a unit-kind prefix goes).
func FoldAlias(name string) string {
	k, _ := fold.UnitName(name)
	if k == "" {
		k = fold.Text(name)
	}
	return k
}

//go:embed sql/list_aliases.sql
var listAliasesSQL string

// Aliases lists every alias, by folded name and code.
func Aliases(ctx context.Context, q db.Querier) ([]Alias, error) {
	rows, err := q.Query(ctx, listAliasesSQL)
	if err != nil {
		return nil, fmt.Errorf("list unit aliases: %w", err)
	}
	defer rows.Close()
	var out []Alias
	for rows.Next() {
		var a Alias
		if err := rows.Scan(&a.ID, &a.Name, &a.Folded, &a.Code, &a.Parent, &a.Note, &a.Who, &a.Added, &a.UnitName, &a.ParentName); err != nil {
			return nil, fmt.Errorf("list unit aliases: %w", err)
		}
		if a.Name == "" {
			a.Name = a.Folded
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// AddAlias records that name also names the unit code (within parent when parent is not
// ""). The code must be a unit of the list; the parent, when given, a parent the unit has had.
func AddAlias(ctx context.Context, q db.Querier, name, code, parent, note, who string) (*Alias, error) {
	name, code, parent = strings.Join(strings.Fields(name), " "), strings.TrimSpace(code), strings.TrimSpace(parent)
	folded := FoldAlias(name)
	if folded == "" {
		return nil, ntm.Errorf(ntm.CodeInvalid, "Thiếu tên gọi khác: ghi tên đơn vị như trong tệp (ví dụ \"Xã Vân An cũ\").")
	}
	if code == "" {
		return nil, ntm.Errorf(ntm.CodeInvalid, "Thiếu mã đơn vị mà tên %q chỉ tới.", name)
	}
	var unitName string
	var parents []string
	err := q.QueryRow(ctx, `SELECT (array_agg(name ORDER BY valid_from DESC))[1], array_agg(DISTINCT coalesce(parent_code, ''))
		FROM unit WHERE code = $1 HAVING count(*) > 0`, code).Scan(&unitName, &parents)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, ntm.Errorf(ntm.CodeNotFound, "Không có đơn vị mã %s trong danh mục: kiểm tra lại mã (xem ntm units list).", code)
	}
	if err != nil {
		return nil, fmt.Errorf("add alias %q for %s: %w", name, code, err)
	}
	if parent != "" && !contains(parents, parent) {
		return nil, ntm.Errorf(ntm.CodeInvalid, "%s (%s) chưa bao giờ thuộc đơn vị mã %s (đơn vị cấp trên của nó: %s): bỏ trống đơn vị cấp trên, hoặc sửa mã.",
			unitName, code, parent, strings.Join(nonEmpty(parents), ", "))
	}
	a := &Alias{Name: name, Folded: folded, Code: code, Parent: parent, Note: strings.TrimSpace(note), Who: whoOr(who), UnitName: unitName}
	err = q.QueryRow(ctx, `INSERT INTO unit_alias (folded_name, unit_code, parent_code, note, name, created_by)
		VALUES ($1, $2, $3, $4, $5, $6) RETURNING id, created_at`,
		folded, code, nullable(parent), a.Note, name, a.Who).Scan(&a.ID, &a.Added)
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "23505" {
		return nil, ntm.Errorf(ntm.CodeConflict, "Đã có tên gọi khác %q cho %s (%s).", name, unitName, code)
	}
	if err != nil {
		return nil, fmt.Errorf("add alias %q for %s: %w", name, code, err)
	}
	return a, nil
}

// RemoveAlias deletes an alias by id (an alias is a lookup aid, not history: nothing keeps it).
func RemoveAlias(ctx context.Context, q db.Querier, id int64) (*Alias, error) {
	a := &Alias{ID: id}
	err := q.QueryRow(ctx, `DELETE FROM unit_alias WHERE id = $1 RETURNING name, folded_name, unit_code, coalesce(parent_code, '')`, id).
		Scan(&a.Name, &a.Folded, &a.Code, &a.Parent)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, ntm.Errorf(ntm.CodeNotFound, "Không có tên gọi khác số %d (có thể đã được bỏ).", id)
	}
	if err != nil {
		return nil, fmt.Errorf("remove alias %d: %w", id, err)
	}
	if a.Name == "" {
		a.Name = a.Folded
	}
	return a, nil
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

func nonEmpty(ss []string) []string {
	var out []string
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	if len(out) == 0 {
		return []string{"không có"}
	}
	return out
}
