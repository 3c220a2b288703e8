package console

import (
	"errors"
	"net/http"

	"go.uber.org/zap"

	"ntm"
	"ntm/actions"
	"ntm/msg"
	"ntm/runs"
)

// runCancel asks a running run to stop (runs.Store.RequestCancel): the process running it sees
// the request within seconds, the file being loaded rolls back, and the run ends cancelled
// naming who asked. The request is recorded as an office action with the reason given.
func (c *Console) runCancel(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		c.notFound(w, r)
		return
	}
	reason, err := reasonForm(w, r)
	if err == nil {
		err = c.d.Runs.RequestCancel(r.Context(), id, who(r).who())
		switch {
		case errors.Is(err, runs.ErrNotFound):
			err = ntm.Wrap(ntm.CodeNotFound, err, "%s", msg.RunNotFound(id))
		case errors.Is(err, runs.ErrNotRunning):
			err = ntm.Wrap(ntm.CodeConflict, err, "%s", msg.RunNotRunning(id))
		case err != nil:
			err = ntm.Wrap(ntm.CodeUnavailable, err, "%s", msg.DatabaseDown)
		}
	}
	if err != nil {
		c.logError(r, err)
		c.renderRun(w, r, httpStatus(err), ntm.ErrorMessage(err))
		return
	}
	if err := actions.Record(r.Context(), c.d.Pool, actions.KindRunCancel, id, reason, who(r).who(), nil); err != nil {
		c.logError(r, err)
	}
	c.log.Info("run cancellation requested", zap.Int64("run", id), zap.String("by", who(r).who()))
	http.Redirect(w, r, "/runs/"+itoa(id), http.StatusSeeOther)
}
