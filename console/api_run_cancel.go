package console

import (
	"errors"
	"net/http"

	"ntm"
	"ntm/actions"
	"ntm/msg"
	"ntm/runs"
)

// apiRunCancel: POST /api/runs/{id}/cancel → 202 {"id": N, "url": …}: the run is asked to stop
// (as the console's Dừng button); 409 when it has ended, 404 for an unknown run.
func (c *Console) apiRunCancel(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		c.apiError(w, r, ntm.Errorf(ntm.CodeNotFound, "%s", msg.RunNotFound(0)))
		return
	}
	err := c.d.Runs.RequestCancel(r.Context(), id, who(r).who())
	switch {
	case errors.Is(err, runs.ErrNotFound):
		c.apiError(w, r, ntm.Wrap(ntm.CodeNotFound, err, "%s", msg.RunNotFound(id)))
		return
	case errors.Is(err, runs.ErrNotRunning):
		c.apiError(w, r, ntm.Wrap(ntm.CodeConflict, err, "%s", msg.RunNotRunning(id)))
		return
	case err != nil:
		c.apiError(w, r, ntm.Wrap(ntm.CodeUnavailable, err, "%s", msg.DatabaseDown))
		return
	}
	if err := actions.Record(r.Context(), c.d.Pool, actions.KindRunCancel, id, "", who(r).who(), nil); err != nil {
		c.logError(r, err)
	}
	writeJSON(w, http.StatusAccepted, map[string]any{"id": id, "url": "/api/runs/" + itoa(id)})
}
