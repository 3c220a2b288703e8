package console

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strconv"

	"ntm"
	"ntm/actions"
	"ntm/msg"
	"ntm/runs"
)

// StepPlanner names the steps a run of a job will record, in order (*jobs.Runner satisfies it),
// so a run's page lists the steps not started yet.
type StepPlanner interface {
	PlannedSteps(job string) []string
}

type runPage struct {
	Run       runView
	Pending   []string       // steps of the job not started (yet, or at all: the run ended before)
	Logs      []runs.LogLine // a page of the run's log lines, oldest first (the newest page unless asked)
	LogPager  pager
	LogFull   bool // the log reached runs.MaxLogLines: later lines were not kept
	LogMax    int  // runs.MaxLogLines
	LogMore   int  // how many lines past it were not kept (known once the run has finished)
	CanCancel bool
	CanRerun  bool
	Held      string // the report step held the delivery back: why (the missing sources)
	SentBy    string // the held workbooks were sent by hand since: who and when
	Message   string // why an action on the run was refused
}

// runLogLines is how many log lines a page of a run's log shows.
const runLogLines = 300

// runShow shows one run: its steps with their progress and counts, the steps not started, its
// files, its log lines and its error in Vietnamese with the next step, with the Dừng (cancel)
// and Chạy lại (re-run) buttons. The page reloads itself every few seconds while the run is in
// progress; it has no form to lose.
func (c *Console) runShow(w http.ResponseWriter, r *http.Request) {
	c.renderRun(w, r, http.StatusOK, "")
}

func (c *Console) renderRun(w http.ResponseWriter, r *http.Request, status int, message string) {
	id, ok := pathID(r)
	if !ok {
		c.notFound(w, r)
		return
	}
	page, err := c.runPage(r.Context(), id, atoiDefault(r.URL.Query().Get("log"), 0))
	if err != nil {
		c.pageError(w, r, err)
		return
	}
	page.Message = message
	refresh := 0
	if page.Run.Running {
		refresh = 2
	}
	c.render(w, r, status, "run", layoutData{Title: "Lượt chạy số " + strconv.FormatInt(id, 10), Nav: "runs", Refresh: refresh, Page: page})
}

// runPage reads run id's page, with page logPage of its log (0 = the newest lines).
func (c *Console) runPage(ctx context.Context, id int64, logPage int) (runPage, error) {
	run, err := c.d.Runs.Get(ctx, id)
	if errors.Is(err, runs.ErrNotFound) {
		return runPage{}, ntm.Errorf(ntm.CodeNotFound, "%s", msg.RunNotFound(id))
	}
	if err != nil {
		return runPage{}, ntm.Wrap(ntm.CodeUnavailable, err, "%s", msg.DatabaseDown)
	}
	page := runPage{Run: newRunView(run)}
	page.CanCancel = page.Run.Running && run.CancelRequestedBy == ""
	page.CanRerun = !page.Run.Running && slices.Contains(c.d.JobNames, run.Job)
	if sp, ok := c.d.Jobs.(StepPlanner); ok && slices.Contains(c.d.JobNames, run.Job) {
		seen := map[string]bool{}
		for _, s := range run.Steps {
			seen[s.Name] = true
		}
		for _, name := range sp.PlannedSteps(run.Job) {
			if !seen[name] {
				page.Pending = append(page.Pending, runs.StepLabel(name))
			}
		}
	}
	for _, s := range run.Steps {
		if s.Counts["workbooks_held"] > 0 {
			page.Held = s.Detail
		}
	}
	if page.Held != "" {
		sent, err := actions.Of(ctx, c.d.Pool, []string{actions.KindDeliverPeriod}, 0)
		if err != nil {
			c.log.Warn("read period deliveries: " + err.Error())
		}
		for _, a := range sent {
			if a.Detail["period"] == run.Period && run.FinishedAt != nil && a.At.After(*run.FinishedAt) {
				page.SentBy = a.By + ", " + c.formatTime(a.At)
			}
		}
	}
	// The log a page at a time: count first, then read the page asked.
	kept, dropped, err := c.d.Runs.LogCount(ctx, id)
	if err != nil {
		c.log.Warn("read run log: " + err.Error())
		return page, nil
	}
	page.LogPager = newPager(kept, runLogLines, logPage, func(n int) string { return "/runs/" + strconv.FormatInt(id, 10) + "?log=" + strconv.Itoa(n) + "#log" })
	if page.Logs, err = c.d.Runs.LogPage(ctx, id, page.LogPager.From, runLogLines); err != nil {
		c.log.Warn("read run log: " + err.Error())
	}
	page.LogFull, page.LogMax, page.LogMore = kept >= runs.MaxLogLines, runs.MaxLogLines, dropped
	return page, nil
}
