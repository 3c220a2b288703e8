package console

import (
	"net/http"
	"strconv"

	"go.uber.org/zap"

	"ntm"
)

// unitsAliasRemove serves POST /units/aliases/{id}/remove.
func (c *Console) unitsAliasRemove(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		c.errorPage(w, r, http.StatusNotFound, "Không có tên khác này.")
		return
	}
	tag, err := c.d.Pool.Exec(r.Context(), `DELETE FROM unit_alias WHERE id = $1`, id)
	if err != nil {
		c.unitsRefused(w, r, err, url4{})
		return
	}
	if tag.RowsAffected() == 0 {
		c.unitsRefused(w, r, ntm.Errorf(ntm.CodeNotFound, "Tên khác số %d không còn (có thể người khác vừa bỏ).", id), url4{})
		return
	}
	c.log.Info("alias removed", zap.Int64("id", id), zap.String("user", who(r).Name))
	http.Redirect(w, r, "/units?done=alias-removed#aliases", http.StatusSeeOther)
}
