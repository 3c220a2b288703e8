package console

import (
	"net/http"
	"slices"
	"strconv"

	"ntm"

	"ntm/jobs"
	"ntm/msg"
	"ntm/runs"
)

type runsPage struct {
	Runs       []runView
	Holder     *runView
	Jobs       []string // jobs that can be started
	FilterJobs []string // jobs that can be listed (also "upload")
	Job        string   // filter
	Status     string   // filter
	Statuses   []statusOption
	Form       startForm
	NextBefore int64 // paging: the id to continue from, 0 = no more
}

type statusOption struct{ Value, Label string }

// startForm is the "run a job now" form, with what was typed and why it was refused.
type startForm struct {
	Job, Period, Message string
	HolderID             int64
}

var runStatuses = []runs.Status{runs.StatusRunning, runs.StatusSucceeded, runs.StatusFailed, runs.StatusCancelled, runs.StatusAbandoned}

const runsPerPage = 30

// runsList shows the run history, newest first, with the start form above it and the run in
// progress, if any, linked (its page follows it live).
func (c *Console) runsList(w http.ResponseWriter, r *http.Request) {
	c.renderRuns(w, r, http.StatusOK, startForm{})
}

func (c *Console) renderRuns(w http.ResponseWriter, r *http.Request, status int, form startForm) {
	q := r.URL.Query()
	f := runs.Filter{Limit: runsPerPage, Job: q.Get("job")}
	if s := q.Get("status"); s != "" {
		for _, st := range runStatuses {
			if string(st) == s {
				f.Status = st
			}
		}
	}
	f.Before, _ = strconv.ParseInt(q.Get("before"), 10, 64)
	list, err := c.d.Runs.List(r.Context(), f)
	if err != nil {
		c.pageError(w, r, ntm.Wrap(ntm.CodeUnavailable, err, "%s", msg.DatabaseDown))
		return
	}
	page := runsPage{Jobs: c.d.JobNames, FilterJobs: c.d.JobNames, Job: f.Job, Status: string(f.Status), Form: form}
	if _, ok := c.d.Jobs.(FileLoader); ok {
		page.FilterJobs = append(slices.Clone(c.d.JobNames), jobs.UploadJob)
	}
	for _, st := range runStatuses {
		page.Statuses = append(page.Statuses, statusOption{string(st), st.Label()})
	}
	if page.Form.Job == "" {
		page.Form.Job = c.d.JobNames[0]
	}
	for _, run := range list {
		page.Runs = append(page.Runs, newRunView(run))
	}
	if len(list) == runsPerPage {
		page.NextBefore = list[len(list)-1].ID
	}
	if h, err := c.d.Runs.Holder(r.Context()); err == nil && h != nil {
		v := newRunView(*h)
		page.Holder = &v
	}
	// No self-refresh here: it would wipe a start form being filled in. The running run's own
	// page (linked above the form) refreshes itself.
	c.render(w, r, status, "runs", layoutData{Title: "Lượt chạy", Nav: "runs", Page: page})
}
