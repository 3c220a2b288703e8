package console

import (
	"net/http"
	"strings"

	"github.com/jackc/pgx/v5"
	"go.uber.org/zap"

	"ntm"
	"ntm/units"
)

// unitsSuccessorAdd serves POST /units/successors: the office records that an old unit
// continues (wholly, or in part) in a new one from a day.
func (c *Console) unitsSuccessorAdd(w http.ResponseWriter, r *http.Request) {
	form := url4{Old: strings.TrimSpace(r.PostFormValue("old")), New: strings.TrimSpace(r.PostFormValue("new")),
		From: r.PostFormValue("from"), Note: strings.TrimSpace(r.PostFormValue("note"))}
	if form.Old == "" || form.New == "" {
		c.unitsRefused(w, r, ntm.Errorf(ntm.CodeInvalid, "Ghi cả mã đơn vị cũ và mã đơn vị mới."), form)
		return
	}
	from, ok := unitsDate(form.From)
	if !ok {
		c.unitsRefused(w, r, ntm.Errorf(ntm.CodeInvalid, "Chọn ngày đơn vị mới bắt đầu có hiệu lực (ô \"Từ ngày\")."), form)
		return
	}
	partial := r.PostFormValue("partial") != ""
	err := pgx.BeginFunc(r.Context(), c.d.Pool, func(tx pgx.Tx) error {
		_, err := units.AddLink(r.Context(), tx, form.Old, form.New, from, partial, who(r).Name, form.Note)
		return err
	})
	if err != nil {
		c.unitsRefused(w, r, err, form)
		return
	}
	c.log.Info("successor added", zap.String("old", form.Old), zap.String("new", form.New),
		zap.String("from", from.Format("2006-01-02")), zap.String("user", who(r).Name))
	http.Redirect(w, r, "/units?done=link-added#successors", http.StatusSeeOther)
}
