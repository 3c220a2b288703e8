package console

import (
	"errors"
	"net/http"
	"slices"

	"ntm"
	"ntm/msg"
	"ntm/runs"
)

// runRerun starts the run's job again for the same period, in the background, and shows the
// new run. Refused (with the reason on the run's page) while another run holds the lock, or
// for a run of a job the start form does not offer (an upload, a CLI ingest).
func (c *Console) runRerun(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		c.notFound(w, r)
		return
	}
	run, err := c.d.Runs.Get(r.Context(), id)
	switch {
	case errors.Is(err, runs.ErrNotFound):
		c.pageError(w, r, ntm.Wrap(ntm.CodeNotFound, err, "%s", msg.RunNotFound(id)))
		return
	case err != nil:
		c.pageError(w, r, ntm.Wrap(ntm.CodeUnavailable, err, "%s", msg.DatabaseDown))
		return
	case !slices.Contains(c.d.JobNames, run.Job):
		c.renderRun(w, r, http.StatusConflict, msg.RunCannotRerun(id, run.Job))
		return
	}
	newID, _, refused := c.startJob(r.Context(), who(r), run.Job, run.Period)
	if refused != nil {
		c.logError(r, refused)
		c.renderRun(w, r, httpStatus(refused), refused.Message)
		return
	}
	http.Redirect(w, r, "/runs/"+itoa(newID), http.StatusSeeOther)
}
