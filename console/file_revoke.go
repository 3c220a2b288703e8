package console

import (
	"net/http"

	"go.uber.org/zap"

	"ntm"
	"ntm/actions"
)

// fileRevoke takes a loaded file back with the reason the office gives (actions.Revoke, as ntm
// batch revoke N --reason does): its facts stop counting from the next evaluation.
func (c *Console) fileRevoke(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		c.notFound(w, r)
		return
	}
	reason, err := reasonForm(w, r)
	if err == nil {
		err = actions.Revoke(r.Context(), c.d.Pool, id, who(r).who(), reason)
	}
	if err != nil {
		c.logError(r, err)
		c.renderFile(w, r, httpStatus(err), ntm.ErrorMessage(err), reason)
		return
	}
	c.log.Info("batch revoked", zap.Int64("batch", id), zap.String("by", who(r).who()))
	http.Redirect(w, r, "/files/"+itoa(id), http.StatusSeeOther)
}
