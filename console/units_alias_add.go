package console

import (
	"net/http"

	"go.uber.org/zap"

	"ntm/units"
)

// unitsAliasAdd serves POST /units/aliases: another name a unit is known by in the exports
// (an old name, a common misspelling), optionally only within one parent.
func (c *Console) unitsAliasAdd(w http.ResponseWriter, r *http.Request) {
	form := url4{Name: r.PostFormValue("name"), Unit: r.PostFormValue("unit"), Parent: r.PostFormValue("parent"), Note: r.PostFormValue("note")}
	a, err := units.AddAlias(r.Context(), c.d.Pool, form.Name, form.Unit, form.Parent, form.Note, who(r).Name)
	if err != nil {
		c.unitsRefused(w, r, err, form)
		return
	}
	c.log.Info("alias added", zap.Int64("id", a.ID), zap.String("unit", a.Code), zap.String("user", who(r).Name))
	http.Redirect(w, r, "/units?done=alias-added#aliases", http.StatusSeeOther)
}
