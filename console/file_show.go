package console

import (
	"net/http"
	"strconv"

	"ntm"
	"ntm/actions"
	"ntm/msg"
)

// rejectsOnPage is how many of a file's rejected rows its page shows; all of them are in its
// rejected-rows workbook (the download link on the page).
const rejectsOnPage = 200

type filePage struct {
	File        fileView
	Rejects     []rejectView
	RejectsMore int // rejected rows not shown (all are in the workbook)
	// Skipped: the runs of rows skipped as not data, with why; SheetsNotRead: the sheets not
	// read, with why (rows read = loaded + rejected + these).
	Skipped       []skipView
	SheetsNotRead []string
	Actions       []actions.Action
	CanRevoke     bool // loaded: revoke and re-load are offered
	CanRemove     bool // rejected whole and still listed
	Message       string
	Reason        string // what was typed, when refused
}

// skipView is one run of skipped rows on a file's page.
type skipView struct {
	Sheet, Rows string
	Count       int
	Reason, Raw string
}

// fileShow shows one file: what was loaded, rejected and skipped, its first rejected rows with
// the download of all of them as a workbook to send back, what the office did to it, and the
// revoke, re-load and remove forms with their reason.
func (c *Console) fileShow(w http.ResponseWriter, r *http.Request) {
	c.renderFile(w, r, http.StatusOK, "", "")
}

func (c *Console) renderFile(w http.ResponseWriter, r *http.Request, status int, message, reason string) {
	id, ok := pathID(r)
	if !ok {
		c.notFound(w, r)
		return
	}
	s, err := actions.Show(r.Context(), c.d.Pool, id, rejectsOnPage)
	if err != nil {
		c.pageError(w, r, err)
		return
	}
	page := filePage{File: newFileView(s.File), Actions: s.Actions, Message: message, Reason: reason}
	for _, x := range s.Rejects {
		page.Rejects = append(page.Rejects, rejectView{Sheet: x.Sheet, Row: x.Row, Column: x.Column, Reason: x.Reason, Raw: x.Raw})
	}
	page.RejectsMore = max(0, s.RowsRejected-len(page.Rejects))
	for _, x := range s.Skipped {
		rows := itoa(int64(x.From))
		if x.To != x.From {
			rows += "–" + itoa(int64(x.To))
		}
		page.Skipped = append(page.Skipped, skipView{Sheet: x.Sheet, Rows: rows, Count: x.Rows, Reason: msg.SkipReason(string(x.Reason)), Raw: x.Raw})
	}
	for _, sh := range s.SheetsNotRead {
		note := sh.Note
		if note == "" {
			note = msg.SheetSkip(sh.ReadAs, sh.Sheet)
		}
		page.SheetsNotRead = append(page.SheetsNotRead, note)
	}
	page.CanRevoke = s.Batch.Status == "loaded" && s.Dataset != string(ntm.DatasetUnits)
	page.CanRemove = s.Batch.Status == "rejected" && !s.Removed
	c.render(w, r, status, "file", layoutData{Title: "Lô số " + itoa(id), Nav: "uploads", Page: page})
}

// pathID reads the {id} of a path as a positive number.
func pathID(r *http.Request) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	return id, err == nil && id > 0
}

// reasonForm reads the reason field of a small form (revoke, remove, resend).
func reasonForm(w http.ResponseWriter, r *http.Request) (string, error) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil {
		return "", ntm.Wrap(ntm.CodeInvalid, err, "%s", msg.FormUnreadable)
	}
	return r.PostForm.Get("reason"), nil
}
