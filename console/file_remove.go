package console

import (
	"net/http"

	"go.uber.org/zap"

	"ntm"
	"ntm/actions"
)

// fileRemove takes a file rejected whole (a stray README.md) off the lists with the reason the
// office gives (actions.Remove, as ntm batch remove N --reason does). It held no data.
func (c *Console) fileRemove(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		c.notFound(w, r)
		return
	}
	reason, err := reasonForm(w, r)
	if err == nil {
		err = actions.Remove(r.Context(), c.d.Pool, id, who(r).who(), reason)
	}
	if err != nil {
		c.logError(r, err)
		c.renderFile(w, r, httpStatus(err), ntm.ErrorMessage(err), reason)
		return
	}
	c.log.Info("batch removed from the lists", zap.Int64("batch", id), zap.String("by", who(r).who()))
	http.Redirect(w, r, "/files/"+itoa(id), http.StatusSeeOther)
}
