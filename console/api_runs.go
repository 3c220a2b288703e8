package console

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"

	"ntm"

	"ntm/msg"
	"ntm/runs"
)

// apiRunsList: GET /api/runs?job=&status=&period=&limit=&before= → {"runs": [...], "running": run|null}.
func (c *Console) apiRunsList(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := runs.Filter{Job: q.Get("job"), Status: runs.Status(q.Get("status")), Period: q.Get("period")}
	f.Limit, _ = strconv.Atoi(q.Get("limit"))
	f.Limit = min(f.Limit, 500)
	f.Before, _ = strconv.ParseInt(q.Get("before"), 10, 64)
	list, err := c.d.Runs.List(r.Context(), f)
	if err != nil {
		c.apiError(w, r, ntm.Wrap(ntm.CodeUnavailable, err, "%s", msg.DatabaseDown))
		return
	}
	out := struct {
		Runs    []apiRun `json:"runs"`
		Running *apiRun  `json:"running"`
	}{Runs: []apiRun{}}
	for _, run := range list {
		out.Runs = append(out.Runs, newAPIRun(run))
	}
	if h, err := c.d.Runs.Holder(r.Context()); err == nil && h != nil {
		a := newAPIRun(*h)
		out.Running = &a
	}
	writeJSON(w, http.StatusOK, out)
}

// apiRunShow: GET /api/runs/{id} → the run with its steps and files.
func (c *Console) apiRunShow(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		c.apiError(w, r, ntm.Errorf(ntm.CodeNotFound, "%s", msg.RunNotFound(0)))
		return
	}
	run, err := c.d.Runs.Get(r.Context(), id)
	if errors.Is(err, runs.ErrNotFound) {
		c.apiError(w, r, ntm.Wrap(ntm.CodeNotFound, err, "%s", msg.RunNotFound(id)))
		return
	}
	if err != nil {
		c.apiError(w, r, ntm.Wrap(ntm.CodeUnavailable, err, "%s", msg.DatabaseDown))
		return
	}
	writeJSON(w, http.StatusOK, newAPIRun(run))
}

// apiRunStart: POST /api/runs {"job": "nightly", "period": "2024-12"} (both optional) →
// 202 {"id": N, "url": "/api/runs/N"}; 409 with "running" naming the run that holds the lock.
func (c *Console) apiRunStart(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Job    string `json:"job"`
		Period string `json:"period"`
	}
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil && !errors.Is(err, io.EOF) {
		c.apiError(w, r, ntm.Wrap(ntm.CodeUsage, err, "%s", `Thân yêu cầu phải là JSON: {"job": "nightly", "period": "2024-12"}.`))
		return
	}
	id, holder, refused := c.startJob(r.Context(), who(r), body.Job, body.Period)
	if refused != nil {
		extra := map[string]any{}
		if holder != nil {
			extra["running"] = newAPIRun(*holder)
		}
		c.apiErrorWith(w, r, refused, extra)
		return
	}
	w.Header().Set("Location", "/api/runs/"+itoa(id))
	writeJSON(w, http.StatusAccepted, map[string]any{"id": id, "url": "/api/runs/" + itoa(id)})
}
