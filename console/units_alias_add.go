package console

import (
	"errors"
	"net/http"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	"go.uber.org/zap"

	"ntm"
	"ntm/fold"
)

// unitsAliasAdd serves POST /units/aliases: another name a unit is known by in the exports
// (an old name, a common misspelling), optionally only within one parent.
func (c *Console) unitsAliasAdd(w http.ResponseWriter, r *http.Request) {
	form := url4{Name: strings.TrimSpace(r.PostFormValue("name")), Unit: strings.TrimSpace(r.PostFormValue("unit")),
		Parent: strings.TrimSpace(r.PostFormValue("parent")), Note: strings.TrimSpace(r.PostFormValue("note"))}
	folded, _ := fold.UnitName(form.Name)
	if folded == "" {
		folded = fold.Text(form.Name)
	}
	if folded == "" || form.Unit == "" {
		c.unitsRefused(w, r, ntm.Errorf(ntm.CodeInvalid, "Ghi tên khác và mã đơn vị mà tên đó chỉ."), form)
		return
	}
	ctx := r.Context()
	var level string
	err := c.d.Pool.QueryRow(ctx, `SELECT level FROM unit WHERE code = $1 ORDER BY valid_from DESC LIMIT 1`, form.Unit).Scan(&level)
	if err != nil {
		c.unitsRefused(w, r, ntm.Errorf(ntm.CodeNotFound, "Mã đơn vị %s không có trong danh mục đơn vị hành chính.", form.Unit), form)
		return
	}
	var parent any
	if form.Parent != "" {
		var n int
		if err := c.d.Pool.QueryRow(ctx, `SELECT count(*) FROM unit WHERE code = $1`, form.Parent).Scan(&n); err != nil || n == 0 {
			c.unitsRefused(w, r, ntm.Errorf(ntm.CodeNotFound, "Mã đơn vị cấp trên %s không có trong danh mục đơn vị hành chính.", form.Parent), form)
			return
		}
		parent = form.Parent
	}
	_, err = c.d.Pool.Exec(ctx, `INSERT INTO unit_alias (folded_name, unit_code, parent_code, note, name, created_by) VALUES ($1, $2, $3, $4, $5, $6)`,
		folded, form.Unit, parent, form.Note, form.Name, who(r).Name)
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "23505" {
		c.unitsRefused(w, r, ntm.Errorf(ntm.CodeConflict, "Tên %q đã là tên khác của đơn vị %s.", form.Name, form.Unit), form)
		return
	}
	if err != nil {
		c.unitsRefused(w, r, err, form)
		return
	}
	c.log.Info("alias added", zap.String("unit", form.Unit), zap.String("user", who(r).Name))
	http.Redirect(w, r, "/units?done=alias-added#aliases", http.StatusSeeOther)
}
