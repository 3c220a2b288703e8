package console

import (
	"net/http"

	"go.uber.org/zap"
)

type uploadsPage struct {
	Datasets  []datasetOption
	Dataset   string
	Period    string
	MaxUpload int64
	Message   string // why the last upload was refused
	Recent    []uploadView
}

// uploadForm shows the upload form and the recent uploads.
func (c *Console) uploadForm(w http.ResponseWriter, r *http.Request) {
	c.renderUploads(w, r, http.StatusOK, uploadsPage{})
}

func (c *Console) renderUploads(w http.ResponseWriter, r *http.Request, status int, page uploadsPage) {
	page.Datasets, page.MaxUpload = datasetOptions(), c.d.MaxUpload
	recent, err := c.recentUploads(r.Context(), 20)
	if err != nil {
		c.log.Error("list uploads", zap.Error(err))
	}
	for _, u := range recent {
		page.Recent = append(page.Recent, newUploadView(u))
	}
	c.render(w, r, status, "uploads", layoutData{Title: "Nạp dữ liệu", Nav: "uploads", Page: page})
}
