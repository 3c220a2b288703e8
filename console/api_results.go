package console

import (
	"bytes"
	"net/http"

	"ntm"
	"ntm/evaluate"
	"ntm/msg"
)

// apiResults: GET /api/results?period=&level=&district=&commune=&q=&criterion=&status= → the
// filtered results as a JSON array, in the shape of `ntm results --format json`.
func (c *Console) apiResults(w http.ResponseWriter, r *http.Request) {
	f := parseResultFilter(r.URL.Query())
	set, err := c.queryResults(r.Context(), &f)
	switch {
	case err != nil:
		c.apiError(w, r, err)
		return
	case set.NoResults:
		c.apiError(w, r, ntm.Errorf(ntm.CodeNotFound, "%s", msg.NothingEvaluated))
		return
	case set.PeriodGone:
		c.apiError(w, r, ntm.Errorf(ntm.CodeNotFound, "%s", msg.PeriodNotEvaluated(set.Period)))
		return
	}
	rs := make([]evaluate.Result, len(set.Rows))
	for i, x := range set.Rows {
		rs[i] = x.Result
	}
	p, err := ntm.ParsePeriod(set.Period)
	if err != nil {
		c.apiError(w, r, err)
		return
	}
	_, cs, err := evaluate.Latest(r.Context(), c.d.Pool, p)
	if err != nil {
		c.apiError(w, r, err)
		return
	}
	var buf bytes.Buffer
	if err := evaluate.WriteJSON(&buf, cs, rs); err != nil {
		c.apiError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_, _ = w.Write(buf.Bytes())
}
