package console

import (
	"net/http"
	"strconv"

	"ntm"
	"ntm/msg"
)

// runStart starts a job for a period from the form, in the background, and shows the new
// run. When another run holds the pipeline lock the form comes back naming that run.
func (c *Console) runStart(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		c.pageError(w, r, ntm.Wrap(ntm.CodeInvalid, err, "%s", msg.FormUnreadable))
		return
	}
	job, period := r.PostForm.Get("job"), r.PostForm.Get("period")
	id, holder, refused := c.startJob(r.Context(), who(r), job, period)
	if refused != nil {
		form := startForm{Job: job, Period: period, Message: refused.Message}
		if holder != nil {
			form.HolderID = holder.ID
		}
		c.renderRuns(w, r, httpStatus(refused), form)
		return
	}
	http.Redirect(w, r, "/runs/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
}
