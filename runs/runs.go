// Package runs owns the history of pipeline runs and the pipeline lock (docs/operations.md).
//
// A run is one execution of a job: it is recorded in the run table with its steps (run_step,
// with progress and row counts) and the files it loaded (run_file). Only one run may be active
// per database: Begin takes a PostgreSQL advisory lock on a connection of its own and keeps it
// until Finish, so the guard holds across processes and machines. Because a live run always
// holds the lock, a row still 'running' whose backend no longer holds it belongs to a process
// that died: it is marked 'abandoned' (by Begin, and by RecoverAbandoned). A run whose
// heartbeat stopped long ago while its connection still holds the lock (a machine cut off from
// the network) has its backend terminated by the next Begin, which then takes over.
package runs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"ntm"
	"ntm/msg"
)

// Trigger says what started a run.
type Trigger string

const (
	TriggerSchedule Trigger = "schedule" // the daemon's scheduler (or its catch-up at start)
	TriggerCLI      Trigger = "cli"      // ntm run
	TriggerWeb      Trigger = "web"      // the console
	TriggerAPI      Trigger = "api"      // the JSON API
)

// Label is the Vietnamese phrase for a trigger ("theo lịch", "dòng lệnh", …).
func (t Trigger) Label() string {
	switch t {
	case TriggerSchedule:
		return "theo lịch"
	case TriggerCLI:
		return "dòng lệnh"
	case TriggerWeb:
		return "trang quản trị"
	case TriggerAPI:
		return "API"
	}
	return string(t)
}

// ParseTrigger checks a trigger name.
func ParseTrigger(s string) (Trigger, error) {
	switch t := Trigger(s); t {
	case TriggerSchedule, TriggerCLI, TriggerWeb, TriggerAPI:
		return t, nil
	}
	return "", fmt.Errorf("unknown trigger %q: use schedule, cli, web or api", s)
}

// Status is the state of a run or of a step.
type Status string

const (
	StatusRunning   Status = "running"
	StatusSucceeded Status = "succeeded"
	StatusFailed    Status = "failed"
	StatusAbandoned Status = "abandoned" // its process died while it ran
	StatusCancelled Status = "cancelled" // stopped on request (SIGTERM, Ctrl-C); the running step rolled back
	StatusSkipped   Status = "skipped"   // steps only: not needed in this run
)

// Label is the Vietnamese word for a status, for the console.
func (s Status) Label() string {
	switch s {
	case StatusRunning:
		return "Đang chạy"
	case StatusSucceeded:
		return "Thành công"
	case StatusFailed:
		return "Thất bại"
	case StatusAbandoned:
		return "Bị bỏ dở"
	case StatusCancelled:
		return "Đã hủy"
	case StatusSkipped:
		return "Bỏ qua"
	}
	return string(s)
}

// Done tells whether the status is final.
func (s Status) Done() bool { return s != StatusRunning }

// Run is one recorded run.
type Run struct {
	ID          int64
	Job         string
	Trigger     Trigger
	TriggeredBy string         // user name, token name, OS user, or "" for the schedule
	Params      map[string]any // what the run was asked (period, redo, …)
	Period      string         // YYYY-MM evaluated, "" when none
	Status      Status
	StartedAt   time.Time
	FinishedAt  *time.Time
	HeartbeatAt time.Time // last sign of life of the process running it
	Error       string    // why it failed, was cancelled or abandoned
	Host        string    // machine that ran it
	PID         int       // OS process id there
	// CancelRequestedBy is who asked the run to stop ("" = nobody; Store.RequestCancel).
	CancelRequestedBy string
	Steps             []Step // in order (filled by Get and List)
	Files             []File // filled by Get only
}

// Duration is how long the run took, or has been running so far.
func (r Run) Duration() time.Duration {
	if r.FinishedAt != nil {
		return r.FinishedAt.Sub(r.StartedAt)
	}
	return time.Since(r.StartedAt)
}

// Describe is a one-line summary naming the run: "run 12 (job nightly, trigger web by lan,
// started 2024-12-01 02:00:00 +07)".
func (r Run) Describe(loc *time.Location) string {
	if loc == nil {
		loc = time.Local
	}
	who := string(r.Trigger)
	if r.TriggeredBy != "" {
		who += " by " + r.TriggeredBy
	}
	where := ""
	if r.Host != "" {
		where = fmt.Sprintf(", on %s pid %d", r.Host, r.PID)
	}
	period := ""
	if r.Period != "" {
		period = ", period " + r.Period
	}
	return fmt.Sprintf("run %d (job %s%s, trigger %s, started %s%s)", r.ID, r.Job, period, who,
		r.StartedAt.In(loc).Format("2006-01-02 15:04:05 -07"), where)
}

// Step is one step of a run.
type Step struct {
	Position   int // 1-based
	Name       string
	Status     Status
	Detail     string           // what it is doing now, or did last (the file being read)
	RowsDone   int64            // progress: rows read so far
	Counts     map[string]int64 // row and file counts, by name (rows_loaded, files_loaded, results, …)
	StartedAt  time.Time
	FinishedAt *time.Time
	Error      string
}

// File outcomes.
const (
	FileLoaded        = "loaded"         // a new batch
	FileAlreadyLoaded = "already_loaded" // the same bytes were loaded before: nothing changed
	FileRejected      = "rejected"       // rejected whole (recorded as a rejected batch)
	FileFailed        = "failed"         // could not be read or fetched
)

// File is one file a run pulled.
type File struct {
	Position     int
	Source       string // configured source name
	URI          string // path or URL read
	BatchID      int64  // 0 = none
	Outcome      string // FileLoaded, FileAlreadyLoaded, FileRejected, FileFailed
	RowsLoaded   int
	RowsRejected int
	Message      string
	At           time.Time
}

// ErrLocked is matched (errors.Is) by a *LockedError.
var ErrLocked = errors.New("another run holds the pipeline lock")

// LockedError says the pipeline lock is held, and by which run.
type LockedError struct {
	Holder *Run // nil when the holder could not be identified (it is just starting)
	Loc    *time.Location
}

func (e *LockedError) Error() string {
	if e.Holder == nil {
		return "another run holds the pipeline lock (it is just starting); try again in a moment or see ntm runs"
	}
	return fmt.Sprintf("another run holds the pipeline lock: %s; wait for it to finish (see ntm runs)", e.Holder.Describe(e.Loc))
}

// Message is what a person is told (console, API, CLI alike): which run holds the lock, who
// started it and when (in the error's zone), and to wait.
func (e *LockedError) Message() string { return BusyMessage(e.Holder, e.Loc) }

// BusyMessage names the run holding the pipeline lock (nil: one that is just starting).
func BusyMessage(h *Run, loc *time.Location) string {
	if h == nil {
		return msg.PipelineBusyUnknown
	}
	if loc == nil {
		loc = time.Local
	}
	by := h.Trigger.Label()
	if h.TriggeredBy != "" {
		by = h.TriggeredBy + " (" + by + ")"
	}
	return msg.PipelineBusy(h.ID, h.Job, h.Period, by, h.StartedAt.In(loc).Format("02/01/2006 15:04:05"))
}

// AsError is the lock error as an ntm.Error (CodeConflict) with the message above.
func (e *LockedError) AsError() *ntm.Error { return ntm.Wrap(ntm.CodeConflict, e, "%s", e.Message()) }

// Is makes errors.Is(err, ErrLocked) true.
func (e *LockedError) Is(target error) bool { return target == ErrLocked }

// ErrNotFound is wrapped by Get for an unknown run id.
var ErrNotFound = errors.New("run not found")

func finalStatus(err error) Status {
	switch {
	case err == nil:
		return StatusSucceeded
	case errors.Is(err, context.Canceled):
		return StatusCancelled
	default:
		return StatusFailed
	}
}

func marshalJSON(v any) []byte {
	if v == nil {
		return []byte("{}")
	}
	b, err := json.Marshal(v)
	if err != nil {
		return []byte("{}")
	}
	return b
}
