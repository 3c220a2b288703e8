package console

import (
	"errors"
	"net/http"
	"ntm"
	"ntm/msg"
	"strconv"
)

// apiUploadCreate: POST /api/uploads, multipart with a "file" part and optional "dataset",
// "period" (YYYY-MM) fields → 201 with the upload and its check.
// Nothing is loaded until POST /api/uploads/{id}/confirm.
func (c *Console) apiUploadCreate(w http.ResponseWriter, r *http.Request) {
	st, uerr := c.receive(w, r)
	if uerr == nil {
		var u upload
		if u, uerr = c.createUpload(r.Context(), who(r), st); uerr == nil {
			w.Header().Set("Location", "/api/uploads/"+itoa(u.ID))
			writeJSON(w, http.StatusCreated, newAPIUpload(u))
			return
		}
	}
	if uerr.Code == ntm.CodeTooLarge {
		w.Header().Set("Connection", "close")
	}
	c.apiError(w, r, uerr)
}

func uploadID(r *http.Request) int64 {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0
	}
	return id
}

// apiUploadShow: GET /api/uploads/{id}.
func (c *Console) apiUploadShow(w http.ResponseWriter, r *http.Request) {
	u, err := c.getUpload(r.Context(), uploadID(r))
	if errors.Is(err, errUploadNotFound) {
		c.apiError(w, r, ntm.Errorf(ntm.CodeNotFound, "Không có tệp tải lên số %d.", uploadID(r)))
		return
	}
	if err != nil {
		c.apiError(w, r, ntm.Wrap(ntm.CodeUnavailable, err, "%s", msg.DatabaseDown))
		return
	}
	writeJSON(w, http.StatusOK, newAPIUpload(u))
}

// apiUploadConfirm: POST /api/uploads/{id}/confirm → 202 with the upload (status "loading",
// run_id: the load run) while it loads in the background — poll GET /api/uploads/{id} — or
// 200 once loaded. 409 when another run holds the pipeline lock (the upload keeps waiting).
func (c *Console) apiUploadConfirm(w http.ResponseWriter, r *http.Request) {
	u, derr := c.confirmUpload(r.Context(), who(r), uploadID(r))
	if derr != nil {
		c.apiError(w, r, derr)
		return
	}
	status := http.StatusOK
	if u.Status == uploadLoading {
		status = http.StatusAccepted
	}
	writeJSON(w, status, newAPIUpload(u))
}

// apiUploadCancel: POST /api/uploads/{id}/cancel.
func (c *Console) apiUploadCancel(w http.ResponseWriter, r *http.Request) {
	u, derr := c.cancelUpload(r.Context(), who(r), uploadID(r))
	if derr != nil {
		c.apiError(w, r, derr)
		return
	}
	writeJSON(w, http.StatusOK, newAPIUpload(u))
}
