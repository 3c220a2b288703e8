package console

import (
	"net/http"

	"go.uber.org/zap"
)

// logout ends the session for good (its row is deleted) and clears the cookie.
func (c *Console) logout(w http.ResponseWriter, r *http.Request) {
	if p, err := c.session(r); err == nil && p != nil {
		if _, err := c.d.Pool.Exec(r.Context(), `DELETE FROM console_session WHERE token_sha256 = $1`, p.Session); err != nil {
			c.log.Error("logout", zap.Error(err))
		}
		c.log.Info("logout", zap.String("user", p.Name))
	}
	c.clearSessionCookie(w)
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}
