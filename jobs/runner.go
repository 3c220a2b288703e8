// Package jobs owns what a pipeline run does: the configured jobs (nightly = pull every
// source, evaluate the period, write the reports), manual and scheduled triggers, backfills
// over a range of periods, pulling sources (files, globs, inbox folders, HTTP feeds with
// timeouts and retries), and the daemon's scheduler with its catch-up of missed runs.
// Every run is recorded and locked through package runs.
package jobs

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"go.uber.org/zap"

	"ntm"
	"ntm/config"
	"ntm/evaluate"
	"ntm/faults"
	"ntm/ingest"
	"ntm/msg"
	"ntm/reports"
	"ntm/runs"
	"ntm/scratch"
	"ntm/transform"
	"ntm/vnfmt"
)

// Runner runs jobs. Build it with NewRunner; it is safe for concurrent use (the pipeline
// lock makes concurrent runs fail fast with a *runs.LockedError).
type Runner struct {
	Pool    *pgxpool.Pool
	Config  *config.Config
	Store   *runs.Store
	Log     *zap.Logger
	Fetcher *Fetcher
	Now     func() time.Time
	// Observe, when set, is told of progress as it happens (the CLI prints it). It is called
	// on the run's goroutine and must be quick.
	Observe func(Event)

	mu     sync.Mutex
	base   context.Context
	stop   context.CancelFunc
	active sync.WaitGroup
}

// NewRunner makes a runner for cfg on pool.
func NewRunner(pool *pgxpool.Pool, cfg *config.Config, log *zap.Logger) *Runner {
	if log == nil {
		log = zap.NewNop()
	}
	store := runs.NewStore(pool, log)
	store.Loc = cfg.Location
	base, stop := context.WithCancel(context.Background())
	return &Runner{Pool: pool, Config: cfg, Store: store, Log: log, Now: time.Now,
		Fetcher: &Fetcher{Network: cfg.Network, Log: log}, base: base, stop: stop}
}

// Event is one piece of progress, for a terminal or a log.
type Event struct {
	RunID   int64
	Step    string
	File    string // the file being read, when there is one
	Rows    int    // rows read so far in File
	Done    bool   // the step (or, with File set, the file) ended
	Message string // a line for humans: what ended and how
}

func (r *Runner) observe(ev Event) {
	if r.Observe != nil {
		r.Observe(ev)
	}
}

// Request asks for one run.
type Request struct {
	Job     string       // "" = nightly
	Period  ntm.Period   // zero = the job's period rule at Now (config time zone)
	Trigger runs.Trigger // schedule, cli, web or api
	By      string       // who asked: user, token or OS user name
	// SkipPull records the pull steps as skipped (a backfill pulls once, for its first period).
	SkipPull bool
	Params   map[string]any // recorded with the run, besides job and period
}

// Result is what became of one run.
type Result struct {
	RunID   int64
	Job     string
	Period  ntm.Period
	Status  runs.Status // "" when the run was skipped (Skipped) or never started (Err is a lock error)
	Skipped bool        // a backfill period that had already succeeded
	Reports []string    // workbooks written
	Held    bool        // the workbooks were not delivered: sources were missing (Missing)
	Missing []string    // the sources that did not arrive (msg.MissingSource phrases)
	Err     error
}

// ErrShuttingDown is returned by Start and StartLoad once Stop has been called.
var ErrShuttingDown = errors.New("the daemon is shutting down; no new runs are started")

// ErrUnknownJob is wrapped when a request names a job the config does not define.
var ErrUnknownJob = errors.New("unknown job")

func (r *Runner) job(name string) (config.Job, error) {
	if name == "" {
		name = "nightly"
	}
	j, ok := r.Config.Job(name)
	if !ok {
		return j, fmt.Errorf("job %q is not defined in the config: use one of %s: %w", name, strings.Join(r.Config.JobNames(), ", "), ErrUnknownJob)
	}
	return j, nil
}

// PeriodFor is the period a request evaluates.
func (r *Runner) PeriodFor(req Request) (ntm.Period, error) {
	j, err := r.job(req.Job)
	if err != nil {
		return ntm.Period{}, err
	}
	if req.Period.Year != 0 {
		return req.Period, nil
	}
	return j.PeriodAt(r.Now(), r.Config.Location), nil
}

// prepared is a run that holds the lock and is about to execute.
type prepared struct {
	active *runs.Active
	job    config.Job
	period ntm.Period
	req    Request
}

func (r *Runner) begin(ctx context.Context, req Request) (*prepared, error) {
	j, err := r.job(req.Job)
	if err != nil {
		return nil, err
	}
	period, _ := r.PeriodFor(req)
	if req.Period.Year != 0 {
		// A period someone typed: refuse 9999-12 and periods before the units ntm knows.
		if err := CheckPeriod(ctx, r.Pool, period, r.Now(), r.Config.Location); err != nil {
			return nil, err
		}
	}
	params := map[string]any{}
	for k, v := range req.Params {
		params[k] = v
	}
	params["period"] = period.String()
	if req.Period.Year == 0 {
		params["period_rule"] = string(j.Period)
	}
	if req.SkipPull {
		params["skip_pull"] = true
	}
	a, err := r.Store.Begin(ctx, runs.Spec{Job: j.Name, Trigger: req.Trigger, By: req.By, Period: period.String(), Params: params})
	if err != nil {
		return nil, err
	}
	return &prepared{active: a, job: j, period: period, req: req}, nil
}

// Run runs a job now and waits for it. The error is a lock error (*runs.LockedError), an
// unknown job, or why the run failed; Result.Status says how it ended.
func (r *Runner) Run(ctx context.Context, req Request) (Result, error) {
	p, err := r.begin(ctx, req)
	if err != nil {
		return Result{Job: req.Job, Err: err}, err
	}
	res := r.execute(p)
	return res, res.Err
}

// Start begins a run in the background and returns its id as soon as it holds the lock and
// is recorded (for the console and API: watch it with Store.Get). The run outlives ctx; Stop
// cancels it. done receives the result once, then is closed.
func (r *Runner) Start(ctx context.Context, req Request) (runID int64, done <-chan Result, err error) {
	r.mu.Lock()
	base := r.base
	r.mu.Unlock()
	if base.Err() != nil {
		return 0, nil, ErrShuttingDown
	}
	if err := ctx.Err(); err != nil {
		return 0, nil, err
	}
	// The run's context follows the runner, not the HTTP request that asked for it.
	runCtx, cancel := context.WithCancel(base)
	p, err := r.begin(runCtx, req)
	if err != nil {
		cancel()
		return 0, nil, err
	}
	ch := make(chan Result, 1)
	r.active.Add(1)
	go func() {
		defer r.active.Done()
		defer cancel()
		ch <- r.execute(p)
		close(ch)
	}()
	return p.active.ID, ch, nil
}

// Stop cancels every run started with Start (their running step rolls back) and waits for
// them to record their end, or for ctx to expire.
func (r *Runner) Stop(ctx context.Context) error {
	r.mu.Lock()
	r.stop()
	r.mu.Unlock()
	done := make(chan struct{})
	go func() { r.active.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("runs still active after the shutdown wait: %w", ctx.Err())
	}
}

// Backfill runs a job once per period from..to (inclusive), in order, skipping periods whose
// run already succeeded unless redo. Sources are pulled for the first period run only: later
// periods read the same data. It stops at the first failure or cancellation.
func (r *Runner) Backfill(ctx context.Context, req Request, from, to ntm.Period, redo bool) ([]Result, error) {
	j, err := r.job(req.Job)
	if err != nil {
		return nil, err
	}
	if to.Start().Before(from.Start()) {
		return nil, fmt.Errorf("--from %s is after --to %s", from, to)
	}
	var out []Result
	pulled := false
	for p := from; !p.Start().After(to.Start()); p = next(p) {
		if err := ctx.Err(); err != nil {
			return out, err
		}
		if !redo {
			ok, err := r.Store.Succeeded(ctx, j.Name, p.String())
			if err != nil {
				return out, err
			}
			if ok {
				r.Log.Info("backfill period skipped", zap.String("job", j.Name), zap.String("period", p.String()))
				out = append(out, Result{Job: j.Name, Period: p, Skipped: true})
				continue
			}
		}
		one := req
		one.Job, one.Period = j.Name, p
		one.SkipPull = req.SkipPull || pulled
		one.Params = map[string]any{"backfill_from": from.String(), "backfill_to": to.String(), "redo": redo}
		res, err := r.Run(ctx, one)
		out = append(out, res)
		if err != nil {
			return out, err
		}
		pulled = true
	}
	return out, nil
}

func next(p ntm.Period) ntm.Period { return ntm.PeriodOf(p.Start().AddDate(0, 1, 0)) }

// execute runs the steps of a prepared run and records its end.
func (r *Runner) execute(p *prepared) Result {
	a := p.active
	ctx := a.Context()
	log := a.Logger()
	res := Result{RunID: a.ID, Job: p.job.Name, Period: p.period}
	var failures, causes []string
	var missing []string // the sources that did not arrive (msg.MissingSource phrases)
	var runErr error
	evaluated := false
	for _, step := range p.job.Steps {
		if ctx.Err() != nil {
			runErr = ctx.Err()
			break
		}
		switch step {
		case config.StepPull:
			sources := r.Config.SourcesOf(p.job)
			if len(sources) == 0 {
				st := a.Step("pull")
				st.Skip("không có nguồn dữ liệu nào trong cấu hình")
				continue
			}
			for _, src := range sources {
				st := a.Step("pull " + src.Name)
				if p.req.SkipPull {
					st.Skip("đã lấy dữ liệu ở kỳ đầu của lần chạy bù")
					continue
				}
				err := r.pull(ctx, a, st, src, p.period)
				st.Finish(err)
				r.observe(Event{RunID: a.ID, Step: st.Name, Done: true, Message: stepLine(st.Name, err)})
				if err != nil {
					if ctx.Err() != nil {
						runErr = ctx.Err()
						break
					}
					var fe *feedError
					if faults.IsMachine(err) && !errors.As(err, &fe) {
						// Disk full, database gone, permissions: evaluating and reporting without
						// the file would publish figures that lack it. The run fails here.
						runErr = fmt.Errorf("source %s: %w", src.Name, err)
						break
					}
					log.Warn("source failed; the run evaluates on the data it has and delivers nothing automatically",
						zap.String("source", src.Name), zap.Error(err))
					if e := (*ntm.Error)(nil); errors.As(err, &e) {
						failures = append(failures, strings.TrimSuffix(e.Message, ".")+". "+msg.SourceFailedNext)
					} else {
						failures = append(failures, msg.RunSourceFailed(src.Name))
					}
					causes = append(causes, fmt.Sprintf("source %s: %v", src.Name, err))
					missing = append(missing, msg.MissingSource(src.Name, sourceFailure(err)))
				}
			}
		case config.StepEvaluate:
			st := a.Step("evaluate")
			warning, err := r.evaluate(ctx, st, p.period)
			if fe := machineFault(err, "đánh giá kỳ %s", p.period); fe != nil {
				err = fe
			}
			st.Finish(err)
			r.observe(Event{RunID: a.ID, Step: st.Name, Done: true, Message: stepLine(st.Name, err)})
			if warning != "" {
				r.observe(Event{RunID: a.ID, Step: st.Name, Done: true, Message: "Cảnh báo: " + warning})
				a.Logger().Warn("criteria set past its validity", zap.String("period", p.period.String()), zap.String("set", evaluate.BuiltinKey))
			}
			if err != nil {
				if ctx.Err() != nil {
					runErr = ctx.Err()
					break
				}
				if faults.IsMachine(err) {
					runErr = err // the database is gone or full: no report from a half-done evaluation
					break
				}
				failures = append(failures, stepFailure(err, msg.RunEvaluateFailed))
				causes = append(causes, fmt.Sprintf("evaluation of %s: %v", p.period, err))
				continue
			}
			evaluated = true
		case config.StepReport:
			st := a.Step("report")
			if hasStep(p.job, config.StepEvaluate) && !evaluated {
				st.Skip("không viết báo cáo vì bước đánh giá không thành công")
				continue
			}
			files, err := reports.Write(ctx, r.Pool, p.period, reports.Options{OutDir: r.Config.Reports.OutDir, MissingSources: missing})
			st.Set("workbooks", int64(len(files)))
			if err == nil {
				st.Progress(0, fmt.Sprintf("%d tệp trong %s", len(files), filepath.Join(r.Config.Reports.OutDir, p.period.String())))
				if len(missing) > 0 {
					// Built on yesterday's data for the missing sources: nothing goes out by itself.
					// The next run with every source delivers (the workbooks' bytes differ), or the
					// office sends them (Runner.SendPeriod).
					st.Set("workbooks_held", int64(len(files)))
					st.Progress(0, msg.DeliveryHeld(missing))
					res.Held = true
				} else {
					err = r.deliver(ctx, st, files)
				}
			}
			if fe := machineFault(err, "viết báo cáo kỳ %s", p.period); fe != nil {
				err = fe
			}
			st.Finish(err)
			r.observe(Event{RunID: a.ID, Step: st.Name, Done: true, Message: stepLine(st.Name, err) + fmt.Sprintf(" (%s tệp báo cáo)", vnfmt.Int(int64(len(files))))})
			res.Reports = files
			if err != nil {
				if ctx.Err() != nil {
					runErr = ctx.Err()
					break
				}
				if faults.IsMachine(err) {
					runErr = err
					break
				}
				failures = append(failures, stepFailure(err, msg.RunReportFailed))
				causes = append(causes, fmt.Sprintf("reports: %v", err))
			}
		}
		if runErr != nil {
			break
		}
	}
	if runErr == nil && len(failures) > 0 {
		// What the office reads (one Vietnamese sentence per failure, each with its next step);
		// the English causes stay in the log and in the steps' errors.
		runErr = ntm.Wrap(ntm.CodeUnavailable, errors.New(strings.Join(causes, "; ")), "%s", strings.Join(failures, " "))
	}
	res.Missing = missing
	res.Status = a.Finish(runErr)
	res.Err = runErr
	if runErr != nil && res.Status == runs.StatusFailed {
		res.Err = fmt.Errorf("run %d of job %s failed: %w", a.ID, p.job.Name, runErr)
	}
	log.Debug("run result", zap.String("status", string(res.Status)))
	return res
}

// feedError is a feed that could not be downloaded (refused, timed out, cut, too large): the
// source is missing, but the machine and the database are fine, so the run evaluates and writes
// on the data it has (and holds the delivery).
type feedError struct{ err error }

func (e *feedError) Error() string { return e.err.Error() }
func (e *feedError) Unwrap() error { return e.err }

// sourceFailure says in a few Vietnamese words why a source is missing.
func sourceFailure(err error) string {
	var ne net.Error
	var oe *net.OpError
	var fe *fetchError
	switch {
	case errors.As(err, &fe):
		return fe.reason // "không kết nối được tới máy chủ", "máy chủ trả lời 503 …"
	case errors.As(err, &oe), errors.As(err, &ne), errors.Is(err, syscall.ECONNREFUSED):
		return msg.SourceUnreachable
	case errors.Is(err, fs.ErrNotExist):
		return msg.SourceNoFiles
	}
	return msg.SourceNotLoaded
}

// stepFailure is the Vietnamese sentence for a failed step: an *ntm.Error's own message, else
// the generic one with its next step.
func stepFailure(err error, generic string) string {
	var e *ntm.Error
	if errors.As(err, &e) {
		return e.Message
	}
	return generic
}

func hasStep(j config.Job, s string) bool {
	for _, x := range j.Steps {
		if x == s {
			return true
		}
	}
	return false
}

func stepLine(name string, err error) string {
	switch {
	case err == nil:
		return runs.StepLabel(name) + ": xong"
	case errors.Is(err, context.Canceled):
		return runs.StepLabel(name) + ": đã dừng"
	default:
		return runs.StepLabel(name) + ": KHÔNG THÀNH CÔNG: " + ntm.ErrorMessage(err)
	}
}

// evaluate computes the period's results and counts them by status. It returns the warning
// the office must read (evaluate.SetWarning), "" when there is none; the step's detail keeps it.
func (r *Runner) evaluate(ctx context.Context, st *runs.StepRun, p ntm.Period) (string, error) {
	// The loads are over: what their folding memos hold would stay live under the soft memory
	// limit through the evaluation and the workbooks (tens of MB at national scale).
	transform.ReleaseMemos()
	id, err := evaluate.Evaluate(ctx, r.Pool, p)
	if err != nil {
		return "", err
	}
	st.Set("evaluation_id", id)
	// Counted in the database: a national evaluation has 594,000 results.
	n, err := countResults(ctx, r.Pool, st, id)
	if err != nil {
		return "", err
	}
	set, err := evaluate.SetOf(ctx, r.Pool, id)
	if err != nil {
		return "", err
	}
	detail := fmt.Sprintf("lần đánh giá số %d, kỳ %s, bộ tiêu chí %s", id, p, set.Key)
	warning := evaluate.SetWarning(set, p)
	if warning != "" {
		detail += ". Cảnh báo: " + warning
	}
	st.Progress(n, detail)
	return warning, nil
}

// countResults sets the step's result count and adds the count of each status.
func countResults(ctx context.Context, pool *pgxpool.Pool, st *runs.StepRun, id int64) (int64, error) {
	rows, err := pool.Query(ctx, `SELECT status, count(*) FROM result WHERE evaluation_id = $1 GROUP BY status ORDER BY status`, id)
	if err != nil {
		return 0, fmt.Errorf("count the results of evaluation %d: %w", id, err)
	}
	defer rows.Close()
	var n int64
	for rows.Next() {
		var status string
		var c int64
		if err := rows.Scan(&status, &c); err != nil {
			return 0, fmt.Errorf("count the results of evaluation %d: %w", id, err)
		}
		st.Add(status, c)
		n += c
	}
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("count the results of evaluation %d: %w", id, err)
	}
	st.Set("results", n)
	return n, nil
}

// pull loads every file a source offers now. A file rejected whole is not a step failure
// (it is recorded, and an inbox file moves to failed/); a source that cannot be read or
// fetched, or a file that cannot be loaded, is.
func (r *Runner) pull(ctx context.Context, a *runs.Active, st *runs.StepRun, src config.Source, p ntm.Period) error {
	opts := transform.LoadOptions{Dataset: src.Dataset, Period: p}
	if src.AsOf == config.AsOfToday {
		now := r.Now().In(r.Config.Location)
		opts.AsOf = ntm.Date(now.Year(), now.Month(), now.Day())
	}
	var files []string
	uris := map[string]string{}
	if src.Kind == config.SourceURL {
		dir, err := scratch.MkdirTemp("fetch")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		st.Progress(0, "tải "+redactURL(src.Location))
		path, attempts, err := r.Fetcher.Fetch(ctx, src, dir)
		st.Set("attempts", int64(attempts))
		if err != nil {
			if ctx.Err() == nil {
				a.File(runs.File{Source: src.Name, URI: redactURL(src.Location), Outcome: runs.FileFailed, Message: ntm.ErrorMessage(err)})
				return &feedError{err} // the feed's fault, not the machine's: the run goes on without it
			}
			return err
		}
		files = []string{path}
		uris[path] = redactURL(src.Location)
	} else {
		var irregular []string
		var err error
		if files, irregular, err = localFiles(src); err != nil {
			return err
		}
		for _, f := range irregular {
			r.refuseIrregular(ctx, a, st, src, f)
		}
	}
	st.Set("files", int64(len(files)))
	// One loader for the source's files: the unit index is built once for all of them.
	loader := r.loader()
	var total int64
	var failed []string
	for _, f := range files {
		if err := ctx.Err(); err != nil {
			return err
		}
		uri := f
		if u, ok := uris[f]; ok {
			uri = u
		}
		_, err := r.loadOne(ctx, loader, a, st, src, opts, f, uri, &total)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err() // the file's transaction rolled back; an inbox file stays for the next run
			}
			if faults.IsMachine(err) {
				return err // the machine's fault: the next files would fail alike, and the run stops
			}
			failed = append(failed, fmt.Sprintf("%s: %v", filepath.Base(f), err))
		}
	}
	st.Progress(total, fmt.Sprintf("%d tệp", len(files)))
	if len(failed) > 0 {
		return fmt.Errorf("%d of %d files could not be loaded: %s", len(failed), len(files), strings.Join(failed, "; "))
	}
	return nil
}

// refuseIrregular records an entry of a glob or an inbox that is not a file ntm can read (a
// FIFO, a socket, a device) as rejected whole with the sentence saying so, and moves an inbox's
// to failed/, so it is neither opened (a FIFO would block) nor passed over in silence.
func (r *Runner) refuseIrregular(ctx context.Context, a *runs.Active, st *runs.StepRun, src config.Source, path string) {
	why := msg.NotAFile(path)
	if err := ingest.CheckRegular(path); err != nil {
		why = ntm.ErrorMessage(err)
	}
	rec := runs.File{Source: src.Name, URI: path, Outcome: runs.FileRejected, Message: why}
	st.Add("files_rejected", 1)
	if src.Kind == config.SourceInbox {
		r.settleInbox(ctx, path, runs.FileRejected, &rec)
	}
	a.File(rec)
	a.Logger().Warn("not a regular file: refused", zap.String("source", src.Name), zap.String("file", path), zap.String("moved_to", rec.URI))
	r.observe(Event{RunID: a.ID, Step: st.Name, File: filepath.Base(path), Done: true, Message: fmt.Sprintf("%s: %s: %s", filepath.Base(path), msg.RejectedWhole, why)})
}

// loader is a loader with the config's limits.
func (r *Runner) loader() *transform.Loader {
	l := transform.NewLoader(r.Pool, nil)
	l.MaxFileSize = r.Config.MaxFileSize
	return l
}

// loadOne loads one file of a source, records it (run_file, step counts, an event) and, for
// an inbox, moves it to done/ or failed/. The error is why the file could not be loaded (a
// file rejected whole is not an error: see the returned record's Outcome); on cancellation
// nothing is recorded and the file stays where it is.
func (r *Runner) loadOne(ctx context.Context, loader *transform.Loader, a *runs.Active, st *runs.StepRun, src config.Source, opts transform.LoadOptions,
	f, uri string, total *int64) (runs.File, error) {
	o := opts
	o.SourceURI = uri
	base := *total
	name := filepath.Base(uri)
	o.Progress = func(n int) {
		st.Progress(base+int64(n), name)
		r.observe(Event{RunID: a.ID, Step: st.Name, File: name, Rows: n})
	}
	st.Progress(base, name)
	rep, err := loader.LoadFile(ctx, f, o)
	if ntm.ErrorCode(err) == ntm.CodeTooLarge {
		// Over max_file_mb: the file's own fault, refused before it was read. Like a file
		// rejected whole it is recorded, moves to failed/ and the run goes on (no batch: its
		// bytes were never read).
		rep.Rejected, rep.Message, err = true, ntm.ErrorMessage(err), nil
	}
	*total += int64(rep.RowsRead)
	st.Progress(*total, name)
	if err != nil && ctx.Err() != nil {
		return runs.File{}, ctx.Err()
	}
	rec := runs.File{Source: src.Name, URI: uri, BatchID: rep.BatchID, RowsLoaded: rep.RowsLoaded, RowsRejected: rep.RowsRejected}
	line := ""
	switch {
	case err != nil:
		rec.Outcome, rec.Message = runs.FileFailed, ntm.ErrorMessage(err)
		st.Add("files_failed", 1)
		line = fmt.Sprintf("%s: %s: %s", name, msg.LoadFailed, ntm.ErrorMessage(err))
	case rep.AlreadyLoaded:
		rec.Outcome, rec.Message = runs.FileAlreadyLoaded, rep.Message
		st.Add("files_already_loaded", 1)
		line = msg.FileAlreadyLoaded(name, rep.Message)
	case rep.Rejected:
		rec.Outcome, rec.Message = runs.FileRejected, rep.Message
		st.Add("files_rejected", 1)
		st.Add("rows_rejected", int64(rep.RowsRejected))
		line = fmt.Sprintf("%s: %s: %s", name, msg.RejectedWhole, rep.Message)
	default:
		rec.Outcome = runs.FileLoaded
		st.Add("files_loaded", 1)
		st.Add("rows_loaded", int64(rep.RowsLoaded))
		st.Add("rows_rejected", int64(rep.RowsRejected))
		line = msg.FileLoaded(name, string(rep.Dataset), rep.BatchID, rep.Replaced, rep.RowsRead, rep.RowsLoaded, rep.RowsRejected, rep.RowsSkipped)
	}
	if src.Kind == config.SourceInbox {
		r.settleInbox(ctx, f, rec.Outcome, &rec)
	}
	a.File(rec)
	a.Logger().Info("file pulled", zap.String("source", src.Name), zap.String("file", rec.URI), zap.String("outcome", rec.Outcome),
		zap.Int64("batch", rep.BatchID), zap.Int("rows_loaded", rep.RowsLoaded), zap.Int("rows_rejected", rep.RowsRejected))
	r.observe(Event{RunID: a.ID, Step: st.Name, File: name, Rows: rep.RowsRead, Done: true, Message: line})
	return rec, err
}

// settleInbox moves a handled inbox file to done/ or failed/. A file whose load failed stays in
// the inbox, to be tried again by the next run: a load fails for the machine's reasons (disk,
// database, permissions, cancellation) or a bug, never for the file's own, which are rejects.
func (r *Runner) settleInbox(ctx context.Context, f, outcome string, rec *runs.File) {
	sub := InboxDone
	switch outcome {
	case runs.FileRejected:
		sub = InboxFailed
	case runs.FileFailed:
		return
	}
	dst, err := moveTo(f, sub, r.Now().In(r.Config.Location))
	if err != nil {
		r.Log.Error("inbox file not moved", zap.String("file", f), zap.Error(err))
		// The office reads the record: the fault in Vietnamese, the English cause in the log above.
		rec.Message = strings.TrimSpace(rec.Message + " " + ntm.ErrorMessage(faults.OrInternal(err, "chuyển tệp %s vào thư mục %s", filepath.Base(f), sub)))
		return
	}
	rec.URI = dst
}

// deliver records the workbooks in their folder and e-mails them to the configured recipients
// (docs/reports.md). A failed e-mail does not fail the step: it is recorded, shown to the office and
// retried by the next run; only database and file errors do.
func (r *Runner) deliver(ctx context.Context, st *runs.StepRun, files []string) error {
	smtp := r.Config.Reports.SMTP
	rep, err := reports.Deliver(ctx, r.Pool, files, r.Config.Reports.Recipients, reports.SMTPConfig{
		Host: smtp.Host, Port: smtp.Port, Username: smtp.Username, Password: smtp.Password, From: smtp.From,
		Timeout: r.Config.Network.Timeout,
	})
	if err != nil {
		return fmt.Errorf("deliver the workbooks: %w", err)
	}
	st.Set("emails_sent", int64(rep.Sent))
	st.Set("emails_failed", int64(rep.Failed))
	if ferr := rep.Err(); ferr != nil {
		r.Log.Warn("some workbooks could not be e-mailed; the next run retries them", zap.Error(ferr),
			zap.NamedError("cause", errors.Unwrap(ferr)))
		st.Progress(0, ferr.Error())
	}
	return nil
}

// machineFault is err as the machine's or the database's fault (disk full, server gone,
// connection lost, read-only), in its Vietnamese sentence naming what was being done, or nil
// when err is not one: "unexpected EOF" or "use of closed network connection" must never be
// all a run says about a database lost mid-step.
func machineFault(err error, doing string, args ...any) error {
	if !faults.IsMachine(err) {
		return nil
	}
	return faults.Of(err, doing, args...)
}
