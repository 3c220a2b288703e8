package console

import (
	"net/http"
	"strings"

	"github.com/jackc/pgx/v5"
	"go.uber.org/zap"

	"ntm"
	"ntm/units"
)

// unitsSuccessorRemove serves POST /units/successors/remove: a wrong link stops counting (it
// is kept, marked removed by the user).
func (c *Console) unitsSuccessorRemove(w http.ResponseWriter, r *http.Request) {
	old, nu := strings.TrimSpace(r.PostFormValue("old")), strings.TrimSpace(r.PostFormValue("new"))
	from, ok := unitsDate(r.PostFormValue("from"))
	if old == "" || nu == "" || !ok {
		c.unitsRefused(w, r, ntm.Errorf(ntm.CodeInvalid, "Liên kết cần bỏ thiếu mã cũ, mã mới hoặc ngày: tải lại trang rồi thử lại."), url4{})
		return
	}
	err := pgx.BeginFunc(r.Context(), c.d.Pool, func(tx pgx.Tx) error {
		return units.RemoveLink(r.Context(), tx, old, nu, from, who(r).Name)
	})
	if err != nil {
		c.unitsRefused(w, r, err, url4{})
		return
	}
	c.log.Info("successor removed", zap.String("old", old), zap.String("new", nu),
		zap.String("from", from.Format("2006-01-02")), zap.String("user", who(r).Name))
	http.Redirect(w, r, "/units?done=link-removed#successors", http.StatusSeeOther)
}
