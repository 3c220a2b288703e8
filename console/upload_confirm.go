package console

import (
	"net/http"
	"strconv"
)

// uploadConfirm loads a checked upload into its dataset and shows the result.
func (c *Console) uploadConfirm(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		c.notFound(w, r)
		return
	}
	if _, derr := c.confirmUpload(r.Context(), who(r), id); derr != nil {
		c.renderUpload(w, r, httpStatus(derr), derr.Message)
		return
	}
	http.Redirect(w, r, "/uploads/"+itoa(id), http.StatusSeeOther)
}
