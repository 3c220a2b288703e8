package console

import (
	"net/http"
	"strconv"

	"ntm"

	"go.uber.org/zap"

	"ntm/units"
)

// unitsAliasRemove serves POST /units/aliases/{id}/remove.
func (c *Console) unitsAliasRemove(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		c.pageError(w, r, ntm.Errorf(ntm.CodeNotFound, "Không có tên gọi khác này."))
		return
	}
	a, err := units.RemoveAlias(r.Context(), c.d.Pool, id)
	if err != nil {
		c.unitsRefused(w, r, err, url4{})
		return
	}
	c.log.Info("alias removed", zap.Int64("id", id), zap.String("unit", a.Code), zap.String("user", who(r).Name))
	http.Redirect(w, r, "/units?done=alias-removed#aliases", http.StatusSeeOther)
}
