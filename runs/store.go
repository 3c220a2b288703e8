package runs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// LockKey is the advisory lock every pipeline run holds: "ntm" in the high 32 bits, 1 below.
const LockKey int64 = 0x6E746D<<32 | 1

// Store records runs and hands out the pipeline lock.
type Store struct {
	pool *pgxpool.Pool
	log  *zap.Logger

	Host string // recorded with each run (default: os.Hostname)
	PID  int    // recorded with each run (default: os.Getpid)
	// ProgressEvery throttles progress writes (default 1s): a step's progress is written at
	// most this often, and always when the step ends.
	ProgressEvery time.Duration
	// HeartbeatEvery is how often a live run touches heartbeat_at (default 30s).
	HeartbeatEvery time.Duration
	// StaleAfter: a run holding the lock whose heartbeat is older than this is presumed to be
	// on a machine that is gone; the next Begin terminates its backend (default 10 min).
	StaleAfter time.Duration
	// Loc is the zone times are shown in, in messages (default time.Local).
	Loc *time.Location
	// CancelPollEvery is how often a live run looks for a cancellation request (default 2s).
	CancelPollEvery time.Duration
}

// NewStore makes a store on pool; log may be nil.
func NewStore(pool *pgxpool.Pool, log *zap.Logger) *Store {
	if log == nil {
		log = zap.NewNop()
	}
	host, _ := os.Hostname()
	return &Store{pool: pool, log: log, Host: host, PID: os.Getpid(),
		ProgressEvery: time.Second, HeartbeatEvery: 30 * time.Second, StaleAfter: 10 * time.Minute}
}

// Spec is what a run is asked to do.
type Spec struct {
	Job     string
	Trigger Trigger
	By      string // who: console user, API token name, OS user; "" for the schedule
	Period  string // YYYY-MM, or ""
	Params  map[string]any
}

// Active is a run in progress: it holds the pipeline lock until Finish.
type Active struct {
	ID  int64
	Job string

	store  *Store
	conn   *pgx.Conn // the dedicated connection holding the lock; every run write goes through it
	mu     sync.Mutex
	ctx    context.Context
	cancel context.CancelCauseFunc
	stop   chan struct{}
	wg     sync.WaitGroup
	steps  int
	files  int
	log    *zap.Logger
	logs   *runLogCore // the copy of its log lines into run_log
	done   bool
}

// errLockLost cancels a run whose lock connection broke.
var errLockLost = errors.New("the database connection holding the pipeline lock was lost")

// Begin takes the pipeline lock and records a new run. When another run holds the lock it
// returns a *LockedError naming that run (errors.Is(err, ErrLocked)) at once, without waiting.
// Runs left 'running' by dead processes are marked abandoned first. The returned run's
// Context is ctx, also cancelled if the lock's connection is lost.
func (s *Store) Begin(ctx context.Context, spec Spec) (*Active, error) {
	if _, err := ParseTrigger(string(spec.Trigger)); err != nil {
		return nil, err
	}
	conn, err := s.lockConn(ctx)
	if err != nil {
		return nil, err
	}
	got, err := tryLock(ctx, conn)
	if err == nil && !got {
		// The holder may be a run whose machine is gone: take over when its heartbeat is stale.
		var took bool
		took, err = s.takeOverStale(ctx)
		if err == nil && took {
			got, err = tryLock(ctx, conn)
		}
	}
	if err != nil {
		conn.Close(context.WithoutCancel(ctx))
		return nil, err
	}
	if !got {
		conn.Close(context.WithoutCancel(ctx))
		holder, herr := s.holderWait(ctx)
		if herr != nil {
			return nil, herr
		}
		return nil, &LockedError{Holder: holder, Loc: s.Loc}
	}
	// We hold the lock, so any other row still 'running' belongs to a dead process.
	if _, err := abandon(ctx, conn, s.log, "the process running it stopped before it finished (found by a later run)", false); err != nil {
		unlockClose(conn)
		return nil, err
	}
	a := &Active{store: s, conn: conn, stop: make(chan struct{}), Job: spec.Job}
	if spec.Params == nil {
		spec.Params = map[string]any{}
	}
	err = conn.QueryRow(ctx, `INSERT INTO run (job, trigger, triggered_by, params, period, status, host, pid, backend_pid)
		VALUES ($1, $2, $3, $4, $5, 'running', $6, $7, pg_backend_pid()) RETURNING id`,
		spec.Job, string(spec.Trigger), spec.By, marshalJSON(spec.Params), spec.Period, s.Host, s.PID).Scan(&a.ID)
	if err != nil {
		unlockClose(conn)
		return nil, fmt.Errorf("record the run: %w", err)
	}
	a.ctx, a.cancel = context.WithCancelCause(ctx)
	logCore := newRunLogCore(a)
	a.logs = logCore
	a.log = s.log.WithOptions(zap.WrapCore(func(c zapcore.Core) zapcore.Core { return zapcore.NewTee(c, logCore) })).
		With(zap.Int64("run", a.ID), zap.String("job", spec.Job))
	a.log.Info("run started", zap.String("trigger", string(spec.Trigger)), zap.String("by", spec.By), zap.String("period", spec.Period))
	a.wg.Add(2)
	go a.heartbeat()
	go a.watchCancel()
	return a, nil
}

// lockConn takes a connection out of the pool for good: the lock lives as long as it does.
func (s *Store) lockConn(ctx context.Context) (*pgx.Conn, error) {
	c, err := s.pool.Acquire(ctx)
	if err != nil {
		return nil, fmt.Errorf("connect for the pipeline lock: %w", err)
	}
	return c.Hijack(), nil
}

func tryLock(ctx context.Context, conn *pgx.Conn) (bool, error) {
	var got bool
	if err := conn.QueryRow(ctx, `SELECT pg_try_advisory_lock($1)`, LockKey).Scan(&got); err != nil {
		return false, fmt.Errorf("take the pipeline lock: %w", err)
	}
	return got, nil
}

func unlockClose(conn *pgx.Conn) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, _ = conn.Exec(ctx, `SELECT pg_advisory_unlock($1)`, LockKey)
	_ = conn.Close(ctx)
}

// holderSQL finds the run whose backend holds the pipeline lock in this database.
const holderSQL = `SELECT ` + runColumns + ` FROM run r
	JOIN pg_locks l ON l.pid = r.backend_pid
	WHERE r.status = 'running' AND l.locktype = 'advisory' AND l.granted
	  AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
	  AND l.classid::bigint = $1 AND l.objid::bigint = $2 AND l.objsubid = 1
	ORDER BY r.id DESC LIMIT 1`

// Holder returns the run holding the pipeline lock now, or nil when none does.
func (s *Store) Holder(ctx context.Context) (*Run, error) {
	r, err := scanRun(s.pool.QueryRow(ctx, holderSQL, LockKey>>32, LockKey&0xffffffff))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("find the run holding the pipeline lock: %w", err)
	}
	return &r, nil
}

// holderWait looks the holder up, giving a run that just took the lock a moment to record itself.
func (s *Store) holderWait(ctx context.Context) (*Run, error) {
	for i := 0; ; i++ {
		h, err := s.Holder(ctx)
		if err != nil || h != nil || i == 4 {
			return h, err
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// takeOverStale terminates the backend of a lock holder whose heartbeat is older than
// StaleAfter, and marks its run abandoned. It reports whether it did.
func (s *Store) takeOverStale(ctx context.Context) (bool, error) {
	h, err := s.Holder(ctx)
	if err != nil || h == nil || s.StaleAfter <= 0 || time.Since(h.HeartbeatAt) < s.StaleAfter {
		return false, err
	}
	var backend int32
	if err := s.pool.QueryRow(ctx, `SELECT backend_pid FROM run WHERE id = $1`, h.ID).Scan(&backend); err != nil {
		return false, err
	}
	var ok bool
	if err := s.pool.QueryRow(ctx, `SELECT pg_terminate_backend($1, 5000)`, backend).Scan(&ok); err != nil {
		return false, fmt.Errorf("stop the stale run %d: %w", h.ID, err)
	}
	msg := fmt.Sprintf("no sign of life for %s (host %s unreachable?): its lock was taken over", time.Since(h.HeartbeatAt).Round(time.Second), h.Host)
	if _, err := s.pool.Exec(ctx, `UPDATE run SET status = 'abandoned', finished_at = now(), error = $2 WHERE id = $1 AND status = 'running'`, h.ID, msg); err != nil {
		return false, err
	}
	s.log.Warn("stale run taken over", zap.Int64("run", h.ID), zap.String("host", h.Host), zap.Time("heartbeat", h.HeartbeatAt))
	return ok, nil
}

// querier is a connection or the pool.
type querier interface {
	Query(context.Context, string, ...any) (pgx.Rows, error)
	Exec(context.Context, string, ...any) (pgconn.CommandTag, error)
}

// abandon marks 'running' runs abandoned: all of them when onlyDead is false (the caller
// holds the lock), else only those whose backend no longer holds the lock.
func abandon(ctx context.Context, q querier, log *zap.Logger, reason string, onlyDead bool) ([]int64, error) {
	cond := ""
	args := []any{reason}
	if onlyDead {
		cond = ` AND NOT EXISTS (SELECT 1 FROM pg_locks l WHERE l.pid = r.backend_pid AND l.locktype = 'advisory' AND l.granted
			AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
			AND l.classid::bigint = $2 AND l.objid::bigint = $3 AND l.objsubid = 1)`
		args = append(args, LockKey>>32, LockKey&0xffffffff)
	}
	rows, err := q.Query(ctx, `UPDATE run r SET status = 'abandoned', finished_at = now(), error = $1
		WHERE r.status = 'running'`+cond+` RETURNING r.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("mark abandoned runs: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("mark abandoned runs: %w", err)
	}
	if len(ids) > 0 {
		if _, err := q.Exec(ctx, `UPDATE run_step SET status = 'abandoned', finished_at = now()
			WHERE run_id = ANY($1) AND status = 'running'`, ids); err != nil {
			return nil, fmt.Errorf("mark abandoned steps: %w", err)
		}
		log.Warn("runs abandoned", zap.Int64s("runs", ids), zap.String("reason", reason))
	}
	return ids, nil
}

// RecoverAbandoned marks abandoned every run left 'running' by a process that died (its
// database session no longer holds the pipeline lock), and returns their ids. It is safe to
// call while another process runs: a live run is never touched.
func (s *Store) RecoverAbandoned(ctx context.Context) ([]int64, error) {
	return abandon(ctx, s.pool, s.log, "the process running it stopped before it finished", true)
}

// Context is the run's context: cancelled when the caller's is, or when the lock is lost.
func (a *Active) Context() context.Context { return a.ctx }

// Logger logs with the run's id and job.
func (a *Active) Logger() *zap.Logger { return a.log }

// exec writes through the lock connection; a broken connection means the lock is gone, so
// the run is cancelled.
func (a *Active) exec(sql string, args ...any) error {
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	a.mu.Lock()
	defer a.mu.Unlock()
	_, err := a.conn.Exec(ctx, sql, args...)
	if err != nil && a.conn.IsClosed() {
		a.cancel(errLockLost)
	}
	return err
}

func (a *Active) heartbeat() {
	defer a.wg.Done()
	every := a.store.HeartbeatEvery
	if every <= 0 {
		every = 30 * time.Second
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-a.stop:
			return
		case <-t.C:
			if err := a.exec(`UPDATE run SET heartbeat_at = now() WHERE id = $1`, a.ID); err != nil {
				a.log.Error("heartbeat failed", zap.Error(err))
			}
		}
	}
}

// Step records a new running step and returns its handle.
func (a *Active) Step(name string) *StepRun {
	a.mu.Lock()
	a.steps++
	pos := a.steps
	a.mu.Unlock()
	st := &StepRun{a: a, Position: pos, Name: name, counts: map[string]int64{}, started: time.Now()}
	if err := a.exec(`INSERT INTO run_step (run_id, position, name, status) VALUES ($1, $2, $3, 'running')`, a.ID, pos, name); err != nil {
		a.log.Error("record step", zap.String("step", name), zap.Error(err))
	}
	a.log.Info("step started", zap.String("step", name))
	return st
}

// File records a file the run pulled.
func (a *Active) File(f File) {
	a.mu.Lock()
	a.files++
	f.Position = a.files
	a.mu.Unlock()
	var batch any
	if f.BatchID > 0 {
		batch = f.BatchID
	}
	if err := a.exec(`INSERT INTO run_file (run_id, position, source, uri, batch_id, outcome, rows_loaded, rows_rejected, message)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, a.ID, f.Position, f.Source, f.URI, batch, f.Outcome, f.RowsLoaded, f.RowsRejected, f.Message); err != nil {
		a.log.Error("record file", zap.String("uri", f.URI), zap.Error(err))
	}
}

// Finish records the run's end (err nil: succeeded; context.Canceled: cancelled; else
// failed), ends steps still running, and releases the lock. It is safe to call twice.
func (a *Active) Finish(err error) Status {
	if a.done {
		return ""
	}
	a.done = true
	close(a.stop)
	a.wg.Wait()
	if cause := context.Cause(a.ctx); errors.Is(cause, errLockLost) && err != nil {
		err = fmt.Errorf("%w: %w", errLockLost, err)
	}
	st := finalStatus(err)
	msg := ""
	if err != nil {
		msg = trimError(err.Error())
		if st == StatusCancelled {
			msg = "cancelled: " + msg
		}
	}
	var byRequest *CancelRequested
	if cause := context.Cause(a.ctx); errors.As(cause, &byRequest) && st != StatusSucceeded {
		st, msg = StatusCancelled, "cancelled: "+byRequest.Error()
	}
	if e := a.exec(`UPDATE run_step SET status = $2, finished_at = now() WHERE run_id = $1 AND status = 'running'`, a.ID, string(stepEnd(st))); e != nil {
		a.log.Error("record end of steps", zap.Error(e))
	}
	if e := a.exec(`UPDATE run SET status = $2, finished_at = now(), heartbeat_at = now(), error = $3 WHERE id = $1`, a.ID, string(st), msg); e != nil {
		a.log.Error("record end of run", zap.Error(e))
	}
	a.cancel(nil)
	unlockClose(a.conn)
	if st == StatusSucceeded {
		a.log.Info("run finished", zap.String("status", string(st)))
	} else {
		a.log.Warn("run finished", zap.String("status", string(st)), zap.String("error", msg))
	}
	if n := a.logs.lines() - MaxLogLines; n > 0 {
		// The lines past the limit are in the process's log only: the run's page says how many.
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if _, e := a.store.pool.Exec(ctx, `UPDATE run SET log_dropped = $2 WHERE id = $1`, a.ID, n); e != nil {
			a.store.log.Error("record the log lines not kept", zap.Int64("run", a.ID), zap.Error(e))
		}
	}
	return st
}

func stepEnd(run Status) Status {
	if run == StatusSucceeded {
		return StatusSucceeded
	}
	if run == StatusCancelled {
		return StatusCancelled
	}
	return StatusFailed
}

// StepRun is a step in progress.
type StepRun struct {
	a        *Active
	Position int
	Name     string

	mu        sync.Mutex
	rows      int64
	detail    string
	counts    map[string]int64
	lastWrite time.Time
	started   time.Time
	done      bool
}

// Progress sets the rows read so far and what the step is doing; it is written to the
// database at most every ProgressEvery.
func (s *StepRun) Progress(rows int64, detail string) {
	s.mu.Lock()
	s.rows, s.detail = rows, detail
	due := time.Since(s.lastWrite) >= s.a.store.progressEvery()
	if due {
		s.lastWrite = time.Now()
	}
	s.mu.Unlock()
	if due {
		s.write()
	}
}

// Add adds n to a named count (written with the next progress write, and at the end).
func (s *StepRun) Add(key string, n int64) {
	s.mu.Lock()
	s.counts[key] += n
	s.mu.Unlock()
}

// Set sets a named count.
func (s *StepRun) Set(key string, n int64) {
	s.mu.Lock()
	s.counts[key] = n
	s.mu.Unlock()
}

// Rows is the progress set so far.
func (s *StepRun) Rows() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.rows
}

func (s *StepRun) snapshot() (int64, string, []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, _ := json.Marshal(s.counts)
	return s.rows, s.detail, b
}

func (s *StepRun) write() {
	rows, detail, counts := s.snapshot()
	if err := s.a.exec(`UPDATE run_step SET rows_done = $3, detail = $4, counts = $5 WHERE run_id = $1 AND position = $2`,
		s.a.ID, s.Position, rows, detail, counts); err != nil {
		s.a.log.Error("record progress", zap.String("step", s.Name), zap.Error(err))
	}
}

// Finish ends the step: err nil succeeded, context.Canceled cancelled, else failed.
func (s *StepRun) Finish(err error) {
	st := finalStatus(err)
	msg := ""
	if err != nil {
		msg = trimError(err.Error())
	}
	s.end(st, msg)
}

// Skip ends the step as skipped, saying why.
func (s *StepRun) Skip(why string) {
	s.mu.Lock()
	s.detail = why
	s.mu.Unlock()
	s.end(StatusSkipped, "")
}

func (s *StepRun) end(st Status, msg string) {
	if s.done {
		return
	}
	s.done = true
	rows, detail, counts := s.snapshot()
	if err := s.a.exec(`UPDATE run_step SET status = $3, rows_done = $4, detail = $5, counts = $6, error = $7, finished_at = now()
		WHERE run_id = $1 AND position = $2`, s.a.ID, s.Position, string(st), rows, detail, counts, msg); err != nil {
		s.a.log.Error("record end of step", zap.String("step", s.Name), zap.Error(err))
	}
	fields := []zap.Field{zap.String("step", s.Name), zap.String("status", string(st)), zap.Int64("rows", rows),
		zap.Duration("took", time.Since(s.started).Round(time.Millisecond)), zap.Any("counts", json.RawMessage(counts))}
	if msg != "" {
		s.a.log.Warn("step finished", append(fields, zap.String("error", msg))...)
	} else {
		s.a.log.Info("step finished", fields...)
	}
}

func (s *Store) progressEvery() time.Duration {
	if s.ProgressEvery <= 0 {
		return time.Second
	}
	return s.ProgressEvery
}

// trimError keeps stored errors to a readable size.
func trimError(s string) string {
	if len(s) > 4000 {
		return s[:4000] + "…"
	}
	return strings.TrimSpace(s)
}
