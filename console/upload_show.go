package console

import (
	"errors"
	"net/http"
	"strconv"

	"ntm/msg"

	"ntm"
)

type uploadPage struct {
	Upload  uploadView
	Message string
}

// uploadShow shows an upload's check (what would load, what would be rejected and why) with
// the confirm and cancel buttons, or what became of it.
func (c *Console) uploadShow(w http.ResponseWriter, r *http.Request) {
	c.renderUpload(w, r, http.StatusOK, "")
}

func (c *Console) renderUpload(w http.ResponseWriter, r *http.Request, status int, message string) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		c.notFound(w, r)
		return
	}
	u, err := c.getUpload(r.Context(), id)
	if errors.Is(err, errUploadNotFound) {
		c.pageError(w, r, ntm.Wrap(ntm.CodeNotFound, err, "Không có tệp tải lên số %d.", id))
		return
	}
	if err != nil {
		c.pageError(w, r, ntm.Wrap(ntm.CodeUnavailable, err, "%s", msg.DatabaseDown))
		return
	}
	refresh := 0
	if u.Status == uploadLoading {
		refresh = 2
	}
	c.render(w, r, status, "upload", layoutData{Title: "Tệp tải lên số " + itoa(id), Nav: "uploads", Refresh: refresh,
		Page: uploadPage{Upload: newUploadView(u), Message: message}})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
