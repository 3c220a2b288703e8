package console

import (
	"net/http"

	"ntm/actions"
)

type filesPage struct {
	Files []fileView
	All   bool // files removed from the lists shown too
}

// fileView is a loaded (or rejected) file as the pages show it.
type fileView struct {
	actions.File
	DatasetLabel string
	Status       string // a CSS class: loaded, rejected, revoked, replaced, removed
}

func newFileView(f actions.File) fileView {
	v := fileView{File: f, DatasetLabel: datasetLabel(f.Dataset), Status: f.Batch.Status}
	if f.Removed {
		v.Status = "removed"
	}
	return v
}

// filesList lists the files ntm holds (every batch: uploaded, pulled or loaded from the CLI),
// newest first, as ntm batch list does (package actions); ?all=1 also shows the files rejected
// whole that the office removed from the lists.
func (c *Console) filesList(w http.ResponseWriter, r *http.Request) {
	all := r.URL.Query().Get("all") == "1"
	list, err := actions.Files(r.Context(), c.d.Pool, 200, all)
	if err != nil {
		c.pageError(w, r, err)
		return
	}
	page := filesPage{All: all}
	for _, f := range list {
		page.Files = append(page.Files, newFileView(f))
	}
	c.render(w, r, http.StatusOK, "files", layoutData{Title: "Các tệp đã nạp", Nav: "uploads", Page: page})
}
