package console

import (
	"net/http"
	"ntm"
)

// uploadCreate receives a file into the staging folder and checks it; the office then sees
// what would load and what would be rejected, and confirms or cancels.
func (c *Console) uploadCreate(w http.ResponseWriter, r *http.Request) {
	st, uerr := c.receive(w, r)
	if uerr == nil {
		var u upload
		if u, uerr = c.createUpload(r.Context(), who(r), st); uerr == nil {
			http.Redirect(w, r, "/uploads/"+itoa(u.ID), http.StatusSeeOther)
			return
		}
	}
	page := uploadsPage{Message: uerr.Message}
	if st != nil {
		page.Dataset, page.Period = st.Fields["dataset"], st.Fields["period"]
	}
	if uerr.Code == ntm.CodeTooLarge {
		// The rest of an oversized body is not read: close the connection rather than drain it.
		w.Header().Set("Connection", "close")
	}
	c.renderUploads(w, r, httpStatus(uerr), page)
}
