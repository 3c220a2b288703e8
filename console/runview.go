package console

import (
	"fmt"
	"strings"
	"time"

	"ntm/msg"
	"ntm/runs"
)

func triggerLabel(t runs.Trigger) string { return t.Label() }

// runView is a run as the pages show it.
type runView struct {
	ID          int64
	Job         string
	Period      string
	Trigger     string
	By          string
	Status      string // runs.Status
	StatusLabel string
	Started     time.Time
	Finished    *time.Time
	Duration    time.Duration
	Error       string // for the office: one Vietnamese sentence with the next step
	Technical   string // the recorded error when Error had to replace it (English, for the operator)
	CancelBy    string // who asked the run to stop
	Host        string
	PID         int
	Steps       []stepView
	Files       []runs.File
	Running     bool
	Progress    string // the running step and what it does, for the list
}

type stepView struct {
	Name, Label, Status, StatusLabel, Detail, Error string
	RowsDone                                        int64
	Counts                                          []string // "498 dòng đã nạp"
	Started                                         time.Time
	Finished                                        *time.Time
	Duration                                        time.Duration
}

func newRunView(r runs.Run) runView {
	v := runView{ID: r.ID, Job: r.Job, Period: r.Period, Trigger: triggerLabel(r.Trigger), By: r.TriggeredBy,
		Status: string(r.Status), StatusLabel: r.Status.Label(), Started: r.StartedAt, Finished: r.FinishedAt,
		Duration: r.Duration(), Host: r.Host, PID: r.PID, Files: r.Files, Running: !r.Status.Done(), CancelBy: r.CancelRequestedBy}
	v.Error, v.Technical = runErrorText(r)
	for _, s := range r.Steps {
		sv := stepView{Name: s.Name, Label: runs.StepLabel(s.Name), Status: string(s.Status), StatusLabel: s.Status.Label(),
			Detail: s.Detail, Error: s.Error, RowsDone: s.RowsDone, Started: s.StartedAt, Finished: s.FinishedAt}
		if s.Status == runs.StatusCancelled {
			sv.Error = "" // the run's own sentence says it was stopped; "context canceled" says nothing more
		}
		if s.FinishedAt != nil {
			sv.Duration = s.FinishedAt.Sub(s.StartedAt)
		} else {
			sv.Duration = time.Since(s.StartedAt)
		}
		sv.Counts = runs.CountTexts(s.Counts)
		if s.Status == runs.StatusRunning {
			v.Progress = sv.Label
			if s.Detail != "" {
				v.Progress += " — " + s.Detail
			}
			if s.RowsDone > 0 {
				v.Progress += fmt.Sprintf(" (%s dòng)", formatInt(s.RowsDone))
			}
		}
		v.Steps = append(v.Steps, sv)
	}
	return v
}

// runErrorText is a run's error as the office reads it — one Vietnamese sentence saying what
// happened and what to do — and the recorded text when it is not that sentence (an English
// cause such as "dial tcp 127.0.0.1:5432: connect: connection refused", shown apart as the
// technical detail).
func runErrorText(r runs.Run) (office, technical string) {
	e := strings.TrimSpace(r.Error)
	switch {
	case r.Status == runs.StatusCancelled && r.CancelRequestedBy != "":
		return msg.RunCancelledBy(r.CancelRequestedBy), ""
	case r.Status == runs.StatusCancelled:
		return msg.RunCancelled, ""
	case r.Status == runs.StatusAbandoned:
		return msg.RunAbandoned, e
	case e == "" || isVietnamese(e):
		return e, ""
	case strings.Contains(e, "connection refused") || strings.Contains(e, "SQLSTATE") || strings.Contains(e, "unexpected EOF"):
		return msg.RunDatabaseRefused, e
	}
	return msg.RunFailedOther, e
}

// isVietnamese tells a sentence written for the office from an English cause: it has letters
// only Vietnamese uses.
func isVietnamese(s string) bool {
	return strings.ContainsAny(s, "ạảãàáâậầấẩẫăắằặẳẵệềếểễẹẻẽèéịỉĩìíọỏõòóôộồốổỗơợờớởỡụủũùúưựừứửữỵỷỹỳýđĐ")
}

// ---- JSON ----

type apiStep struct {
	Position   int              `json:"position"`
	Name       string           `json:"name"`
	Status     string           `json:"status"`
	Detail     string           `json:"detail"`
	RowsDone   int64            `json:"rows_done"`
	Counts     map[string]int64 `json:"counts"`
	StartedAt  time.Time        `json:"started_at"`
	FinishedAt *time.Time       `json:"finished_at"`
	Error      string           `json:"error,omitempty"`
}

type apiFile struct {
	Source       string    `json:"source"`
	URI          string    `json:"uri"`
	BatchID      int64     `json:"batch_id,omitempty"`
	Outcome      string    `json:"outcome"`
	RowsLoaded   int       `json:"rows_loaded"`
	RowsRejected int       `json:"rows_rejected"`
	Message      string    `json:"message,omitempty"`
	At           time.Time `json:"at"`
}

type apiRun struct {
	ID          int64          `json:"id"`
	Job         string         `json:"job"`
	Period      string         `json:"period"`
	Trigger     string         `json:"trigger"`
	TriggeredBy string         `json:"triggered_by"`
	Params      map[string]any `json:"params"`
	Status      string         `json:"status"`
	StartedAt   time.Time      `json:"started_at"`
	FinishedAt  *time.Time     `json:"finished_at"`
	DurationSec float64        `json:"duration_seconds"`
	Error       string         `json:"error,omitempty"`
	Host        string         `json:"host"`
	PID         int            `json:"pid"`
	Steps       []apiStep      `json:"steps"`
	Files       []apiFile      `json:"files,omitempty"`
}

func newAPIRun(r runs.Run) apiRun {
	out := apiRun{ID: r.ID, Job: r.Job, Period: r.Period, Trigger: string(r.Trigger), TriggeredBy: r.TriggeredBy,
		Params: r.Params, Status: string(r.Status), StartedAt: r.StartedAt, FinishedAt: r.FinishedAt,
		DurationSec: r.Duration().Round(time.Millisecond).Seconds(), Error: r.Error, Host: r.Host, PID: r.PID,
		Steps: []apiStep{}}
	if out.Params == nil {
		out.Params = map[string]any{}
	}
	for _, s := range r.Steps {
		counts := s.Counts
		if counts == nil {
			counts = map[string]int64{}
		}
		out.Steps = append(out.Steps, apiStep{Position: s.Position, Name: s.Name, Status: string(s.Status), Detail: s.Detail,
			RowsDone: s.RowsDone, Counts: counts, StartedAt: s.StartedAt, FinishedAt: s.FinishedAt, Error: s.Error})
	}
	for _, f := range r.Files {
		out.Files = append(out.Files, apiFile{Source: f.Source, URI: f.URI, BatchID: f.BatchID, Outcome: f.Outcome,
			RowsLoaded: f.RowsLoaded, RowsRejected: f.RowsRejected, Message: f.Message, At: f.At})
	}
	return out
}
