package console

import (
	"bytes"
	"mime"
	"net/http"
	"strconv"

	"ntm/actions"
	"ntm/transform"
)

// fileRejects downloads a file's rejected rows as a workbook in the file's own layout with the
// row, column and reason of each (transform.WriteRejects, as ntm batch rejects N writes it), to
// send back to whoever must correct them. A file without rejected rows answers 404.
func (c *Console) fileRejects(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		c.notFound(w, r)
		return
	}
	b, err := transform.GetBatch(r.Context(), c.d.Pool, id)
	if err != nil {
		c.pageError(w, r, actions.BatchError(id, err))
		return
	}
	var buf bytes.Buffer
	n, err := transform.WriteRejects(r.Context(), c.d.Pool, id, &buf)
	if err != nil {
		c.pageError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": transform.RejectsFileName(b)}))
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	w.Header().Set("X-Rows", strconv.Itoa(n))
	_, _ = w.Write(buf.Bytes())
}
