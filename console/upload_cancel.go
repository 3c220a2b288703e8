package console

import (
	"net/http"
	"strconv"
)

// uploadCancel drops a checked upload without loading it.
func (c *Console) uploadCancel(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		c.notFound(w, r)
		return
	}
	if _, derr := c.cancelUpload(r.Context(), who(r), id); derr != nil {
		c.renderUpload(w, r, httpStatus(derr), derr.Message)
		return
	}
	http.Redirect(w, r, "/uploads/"+itoa(id), http.StatusSeeOther)
}
