package console

import (
	"context"
	"net/http"

	"github.com/jackc/pgx/v5/pgxpool"
	"go.uber.org/zap"

	"ntm"
	"ntm/actions"
)

// fileRevoke takes a loaded file back with the reason the office gives (actions.Revoke, as ntm
// batch revoke N --reason does): its facts stop counting from the next evaluation.
func (c *Console) fileRevoke(w http.ResponseWriter, r *http.Request) {
	c.fileAction(w, r, actions.Revoke, "batch revoked")
}

// fileAction runs one of the file page's recorded actions (revoke, remove) on the batch in the
// path with the reason from the form, and shows the file page again: with the action's
// Vietnamese error when it was refused, after a redirect when it was done.
func (c *Console) fileAction(w http.ResponseWriter, r *http.Request,
	do func(ctx context.Context, pool *pgxpool.Pool, id int64, by, reason string) error, done string) {
	id, ok := pathID(r)
	if !ok {
		c.notFound(w, r)
		return
	}
	reason, err := reasonForm(w, r)
	if err == nil {
		err = do(r.Context(), c.d.Pool, id, who(r).who(), reason)
	}
	if err != nil {
		c.logError(r, err)
		c.renderFile(w, r, httpStatus(err), ntm.ErrorMessage(err), reason)
		return
	}
	c.log.Info(done, zap.Int64("batch", id), zap.String("by", who(r).who()))
	http.Redirect(w, r, "/files/"+itoa(id), http.StatusSeeOther)
}
