package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"go.uber.org/zap"

	"ntm"
	"ntm/actions"
	"ntm/config"
	"ntm/faults"
	"ntm/jobs"
	"ntm/msg"
	"ntm/runs"
	"ntm/transform"
	"ntm/vnfmt"
)

const runSynopsis = "ntm run [JOB] [--period P | --from P1 --to P2 [--redo]]: run a configured job now (default: nightly)"

func runRun(ctx context.Context, e *env, args []string) error {
	var d dbFlags
	var cf configFlag
	var period, from, to string
	var redo bool
	fs := newFlagSet(e, "run", runSynopsis)
	d.register(fs)
	cf.register(fs)
	fs.StringVar(&period, "period", "", "period to evaluate, YYYY-MM (default: the job's rule, normally the month of yesterday)")
	fs.StringVar(&from, "from", "", "backfill: first period, YYYY-MM")
	fs.StringVar(&to, "to", "", "backfill: last period, YYYY-MM (default: --from)")
	fs.BoolVar(&redo, "redo", false, "backfill: run periods that already succeeded again")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 1 {
		return usagef("name at most one job")
	}
	job := "nightly"
	if fs.NArg() == 1 {
		job = fs.Arg(0)
	}
	var p, pFrom, pTo ntm.Period
	var err error
	if period != "" {
		if from != "" || to != "" {
			return usagef("give either --period or --from/--to, not both")
		}
		if p, err = parsePeriodFlag(period); err != nil {
			return err
		}
	}
	if to != "" && from == "" {
		return usagef("--to needs --from")
	}
	if from != "" {
		if pFrom, err = parsePeriodFlag(from); err != nil {
			return err
		}
		pTo = pFrom
		if to != "" {
			if pTo, err = parsePeriodFlag(to); err != nil {
				return err
			}
		}
		if pTo.Start().Before(pFrom.Start()) {
			return usagef("--from %s is after --to %s", pFrom, pTo)
		}
	} else if redo {
		return usagef("--redo applies to a backfill (--from P1 --to P2)")
	}
	cfg, err := cf.load()
	if err != nil {
		return err
	}
	if _, ok := cfg.Job(job); !ok {
		return usagef("job %q is not defined in the config: use one of %s", job, strings.Join(cfg.JobNames(), ", "))
	}
	pool, err := e.connectConfig(ctx, d, cfg)
	if err != nil {
		return err
	}
	log := e.log
	if os.Getenv("NTM_LOG_LEVEL") == "" && !isTerminalWriter(e.stderr) {
		// Not on a terminal (cron, CI): plain log lines say what happens.
		log = newLoggerAt(e.stderr, zap.InfoLevel).With(zap.String("run_id", e.runID))
	}
	r := jobs.NewRunner(pool, cfg, log)
	pr := newProgressPrinter(e)
	r.Observe = pr.event
	req := jobs.Request{Job: job, Period: p, Trigger: runs.TriggerCLI, By: osUser()}
	if from != "" {
		results, err := r.Backfill(ctx, req, pFrom, pTo, redo)
		pr.clear()
		if len(results) == 0 && err != nil {
			return unrecordedRun(err)
		}
		for _, res := range results {
			if res.Skipped {
				fmt.Fprintln(e.stdout, msg.RunSkipped(res.Period.String()))
			} else {
				printResult(e, cfg, res)
			}
		}
		return runError(err)
	}
	period0, _ := r.PeriodFor(req)
	fmt.Fprintln(e.stdout, msg.RunHeading(job, period0.String()))
	res, err := r.Run(ctx, req)
	pr.clear()
	if res.RunID == 0 && err != nil {
		// The run could not even be recorded (a read-only database, a full tablespace, the
		// server gone): nothing was printed about it yet, so the cause is said here.
		return unrecordedRun(err)
	}
	printResult(e, cfg, res)
	return runError(err)
}

// unrecordedRun is the error of a run that could not be recorded: the lock and usage errors as
// they are, a fault of the machine or the database in its Vietnamese sentence.
func unrecordedRun(err error) error {
	var locked *runs.LockedError
	if errors.As(err, &locked) || errors.Is(err, jobs.ErrUnknownJob) || ntm.ErrorCode(err) != ntm.CodeInternal {
		return err
	}
	return faults.OrInternal(err, "ghi lượt chạy vào cơ sở dữ liệu")
}

// runError turns a run's failure into the command's error: already printed for a failed or
// cancelled run, printed here for a lock or setup error.
func runError(err error) error {
	if err == nil {
		return nil
	}
	var locked *runs.LockedError
	if errors.As(err, &locked) || errors.Is(err, jobs.ErrUnknownJob) {
		return err
	}
	if errors.Is(err, context.Canceled) {
		return err // told as a stop by package faults ("Đã dừng khi …")
	}
	return errReported
}

func printResult(e *env, cfg *config.Config, res jobs.Result) {
	took := time.Duration(-1)
	if r, err := jobsStoreGet(e, res.RunID); err == nil {
		took = r.Duration()
	}
	n := 0
	if res.Status == runs.StatusSucceeded {
		n = len(res.Reports)
	}
	fmt.Fprintln(e.stdout, msg.RunEnded(res.RunID, res.Job, res.Period.String(), res.Status.Label(), took, n, cfg.Reports.OutDir))
	if res.Status != runs.StatusSucceeded && res.Err != nil {
		e.tell("run", res.Err)
	}
}

func jobsStoreGet(e *env, id int64) (runs.Run, error) {
	if e.pool == nil || id == 0 {
		return runs.Run{}, errors.New("no run")
	}
	return runs.NewStore(e.pool, nil).Get(context.Background(), id)
}

func isTerminalWriter(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && isTerminal(f)
}

// progressPrinter shows a live row counter on a terminal (stderr), and one line per file and
// step on stdout either way.
type progressPrinter struct {
	e        *env
	terminal bool
	mu       sync.Mutex
	last     time.Time
	shown    bool
}

func newProgressPrinter(e *env) *progressPrinter {
	return &progressPrinter{e: e, terminal: isTerminalWriter(e.stderr)}
}

func (p *progressPrinter) event(ev jobs.Event) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !ev.Done {
		if p.terminal && time.Since(p.last) > 100*time.Millisecond {
			p.last = time.Now()
			fmt.Fprintf(p.e.stderr, "\r\033[K  %s: %s: %s rows read…", ev.Step, ev.File, vnfmt.Int(int64(ev.Rows)))
			p.shown = true
		}
		return
	}
	p.clearLocked()
	fmt.Fprintf(p.e.stdout, "  %s\n", ev.Message)
}

// fileProgress is a transform progress callback that shows the rows read of one file.
func (p *progressPrinter) fileProgress(step, file string) transform.ProgressFunc {
	return func(rows int) { p.event(jobs.Event{Step: step, File: file, Rows: rows}) }
}

func (p *progressPrinter) clear() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.clearLocked()
}

func (p *progressPrinter) clearLocked() {
	if p.shown {
		fmt.Fprint(p.e.stderr, "\r\033[K")
		p.shown = false
	}
}

const runsSynopsis = "ntm runs [--limit N] [--job J] | ntm runs ID | ntm runs cancel ID [--reason TEXT]: list recent runs, show one with its steps and files, or ask a running one to stop"

func runRuns(ctx context.Context, e *env, args []string) error {
	if len(args) > 0 && args[0] == "cancel" {
		return runRunsCancel(ctx, e, args[1:])
	}
	var d dbFlags
	var cf configFlag
	var limit int
	var job string
	fs := newFlagSet(e, "runs", runsSynopsis)
	d.register(fs)
	cf.register(fs)
	fs.IntVar(&limit, "limit", 20, "how many runs to list")
	fs.StringVar(&job, "job", "", "only runs of this job")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 1 {
		return usagef("name at most one run id")
	}
	var id int64
	if fs.NArg() == 1 {
		n, err := strconv.ParseInt(fs.Arg(0), 10, 64)
		if err != nil || n <= 0 {
			return usagef("%q is not a run id (see ntm runs)", fs.Arg(0))
		}
		id = n
	}
	cfg, err := cf.load()
	if err != nil {
		return err
	}
	pool, err := e.connectConfig(ctx, d, cfg)
	if err != nil {
		return err
	}
	store := runs.NewStore(pool, e.log)
	// The list must not show a dead process's run as running.
	if _, err := store.RecoverAbandoned(ctx); err != nil {
		return err
	}
	loc := cfg.Location
	if id != 0 {
		r, err := store.Get(ctx, id)
		if err != nil {
			return err
		}
		printRun(e.stdout, r, loc)
		return nil
	}
	list, err := store.List(ctx, runs.Filter{Limit: limit, Job: job})
	if err != nil {
		return err
	}
	if len(list) == 0 {
		fmt.Fprintln(e.stdout, msg.RunsNone)
		return nil
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, msg.RunsColumns)
	for _, r := range list {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.ID, r.Job, orDash(r.Period), r.Trigger.Label(), orDash(r.TriggeredBy), r.Status.Label(),
			r.StartedAt.In(loc).Format(cliTime), vnfmt.Duration(r.Duration()), shorten(r.Error, 60))
	}
	return tw.Flush()
}

func shorten(s string, n int) string {
	s = strings.ReplaceAll(s, "\n", " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

// cliTime is how ntm runs writes a moment: the day the Vietnamese way, then the time.
const cliTime = "02/01/2006 15:04:05"

// printRun writes one run with its steps and files, in the console's words.
func printRun(w io.Writer, r runs.Run, loc *time.Location) {
	fmt.Fprintf(w, "Lượt chạy số %d: công việc %s, kỳ %s — %s\n", r.ID, r.Job, orDash(r.Period), r.Status.Label())
	by := r.Trigger.Label()
	if r.TriggeredBy != "" {
		by += " (" + r.TriggeredBy + ")"
	}
	fmt.Fprintf(w, "  kích hoạt: %s\n", by)
	fmt.Fprintf(w, "  bắt đầu:   %s trên máy %s (pid %d)\n", r.StartedAt.In(loc).Format(cliTime), orDash(r.Host), r.PID)
	if r.FinishedAt != nil {
		fmt.Fprintf(w, "  kết thúc:  %s (%s)\n", r.FinishedAt.In(loc).Format(cliTime), vnfmt.Duration(r.Duration()))
	} else {
		fmt.Fprintf(w, "  đang chạy được %s, tín hiệu gần nhất lúc %s\n", vnfmt.Duration(r.Duration()), r.HeartbeatAt.In(loc).Format("15:04:05"))
	}
	if r.Error != "" {
		fmt.Fprintf(w, "  lỗi:       %s\n", r.Error)
	}
	if len(r.Steps) > 0 {
		fmt.Fprintln(w, "Các bước:")
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		for _, s := range r.Steps {
			took := ""
			if s.FinishedAt != nil {
				took = vnfmt.Duration(s.FinishedAt.Sub(s.StartedAt))
			}
			fmt.Fprintf(tw, "  %d\t%s\t%s\t%s dòng\t%s\t%s\t%s\n", s.Position, runs.StepLabel(s.Name), s.Status.Label(), vnfmt.Int(s.RowsDone), took,
				strings.Join(runs.CountTexts(s.Counts), ", "), s.Detail)
			if s.Error != "" {
				fmt.Fprintf(tw, "  \t\tlỗi: %s\n", s.Error)
			}
		}
		tw.Flush()
	}
	if len(r.Files) > 0 {
		fmt.Fprintln(w, "Các tệp:")
		for _, f := range r.Files {
			batch := ""
			if f.BatchID > 0 {
				batch = fmt.Sprintf(" lô số %d,", f.BatchID)
			}
			fmt.Fprintf(w, "  %s: %s: %s,%s nạp %s dòng, loại %s dòng %s\n", f.Source, f.URI, runs.FileOutcomeLabel(f.Outcome), batch,
				vnfmt.Int(int64(f.RowsLoaded)), vnfmt.Int(int64(f.RowsRejected)), f.Message)
		}
	}
}

// runRunsCancel asks a running run to stop (as the console's Dừng button): the process running
// it sees the request within seconds; the request is recorded with who asked and why.
func runRunsCancel(ctx context.Context, e *env, args []string) error {
	var d dbFlags
	var cf configFlag
	var reason string
	fs := newFlagSet(e, "runs cancel", "ntm runs cancel ID [--reason TEXT]")
	d.register(fs)
	cf.register(fs)
	fs.StringVar(&reason, "reason", "", "why, recorded with the request")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usagef("name exactly one run id (see ntm runs)")
	}
	id, err := strconv.ParseInt(fs.Arg(0), 10, 64)
	if err != nil || id <= 0 {
		return usagef("%q is not a run id (see ntm runs)", fs.Arg(0))
	}
	cfg, err := cf.load()
	if err != nil {
		return err
	}
	pool, err := e.connectConfig(ctx, d, cfg)
	if err != nil {
		return err
	}
	who := osUser()
	switch err := runs.NewStore(pool, e.log).RequestCancel(ctx, id, who); {
	case errors.Is(err, runs.ErrNotFound):
		return ntm.Wrap(ntm.CodeNotFound, err, "%s", msg.RunNotFound(id))
	case errors.Is(err, runs.ErrNotRunning):
		return ntm.Wrap(ntm.CodeConflict, err, "%s", msg.RunNotRunning(id))
	case err != nil:
		return ntm.Wrap(ntm.CodeUnavailable, err, "%s", msg.DatabaseDown)
	}
	if err := actions.Record(ctx, pool, actions.KindRunCancel, id, reason, who, nil); err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, msg.RunStopAsked(id))
	return nil
}
