package console

import (
	"bytes"
	"errors"
	"net/http"

	"go.uber.org/zap"

	"ntm/evaluate"
)

// apiResults: GET /api/results?period=&level=&district=&criterion=&status= → the filtered
// results as a JSON array, in the shape of `ntm results --format json`.
func (c *Console) apiResults(w http.ResponseWriter, r *http.Request) {
	f := parseResultFilter(r.URL.Query())
	set, err := c.queryResults(r.Context(), &f)
	var fe *filterError
	switch {
	case errors.As(err, &fe):
		writeJSONError(w, http.StatusBadRequest, fe.msg)
		return
	case err != nil:
		c.log.Error("api results", zap.Error(err))
		writeJSONError(w, http.StatusServiceUnavailable, "không đọc được kết quả")
		return
	case set.NoResults:
		writeJSONError(w, http.StatusNotFound, "chưa có kỳ nào được đánh giá")
		return
	case set.PeriodGone:
		writeJSONError(w, http.StatusNotFound, "kỳ "+set.Period+" chưa được đánh giá")
		return
	}
	var buf bytes.Buffer
	if err := evaluate.WriteJSON(&buf, set.Rows); err != nil {
		writeJSONError(w, http.StatusInternalServerError, "lỗi nội bộ")
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_, _ = w.Write(buf.Bytes())
}
