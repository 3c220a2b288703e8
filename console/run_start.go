package console

import (
	"net/http"
	"strconv"
)

// runStart starts a job for a period from the form, in the background, and shows the new
// run. When another run holds the pipeline lock the form comes back naming that run.
func (c *Console) runStart(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		c.errorPage(w, r, http.StatusBadRequest, "Biểu mẫu không đọc được.")
		return
	}
	job, period := r.PostForm.Get("job"), r.PostForm.Get("period")
	id, refused := c.startJob(r.Context(), who(r), job, period)
	if refused != nil {
		form := startForm{Job: job, Period: period, Message: refused.Message}
		if refused.Holder != nil {
			form.HolderID = refused.Holder.ID
		}
		c.renderRuns(w, r, refused.Status, form)
		return
	}
	http.Redirect(w, r, "/runs/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
}
