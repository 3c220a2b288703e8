package runs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// ErrNotRunning is returned by RequestCancel for a run that has ended.
var ErrNotRunning = errors.New("run is not running")

// CancelRequested is the cause of a run cancelled on request (RequestCancel): who asked.
type CancelRequested struct{ By string }

func (c *CancelRequested) Error() string { return "cancelled on request of " + c.By }

// RequestCancel asks run id to stop. The process running it (this one or another) sees the
// request within CancelPollEvery and cancels the run's context: the step in progress rolls
// back and the run ends 'cancelled'. An unknown run wraps ErrNotFound, an ended one is
// ErrNotRunning.
func (s *Store) RequestCancel(ctx context.Context, id int64, by string) error {
	tag, err := s.pool.Exec(ctx, `UPDATE run SET cancel_requested_at = now(), cancel_requested_by = $2
		WHERE id = $1 AND status = 'running'`, id, by)
	if err != nil {
		return fmt.Errorf("request the cancellation of run %d: %w", id, err)
	}
	if tag.RowsAffected() == 1 {
		s.log.Info("run cancellation requested", zap.Int64("run", id), zap.String("by", by))
		return nil
	}
	if _, err := s.Get(ctx, id); err != nil {
		return err
	}
	return ErrNotRunning
}

// cancelPollEvery is how often a live run looks for a cancellation request.
func (s *Store) cancelPollEvery() time.Duration {
	if s.CancelPollEvery <= 0 {
		return 2 * time.Second
	}
	return s.CancelPollEvery
}

// watchCancel cancels the run when a cancellation is requested.
func (a *Active) watchCancel() {
	defer a.wg.Done()
	t := time.NewTicker(a.store.cancelPollEvery())
	defer t.Stop()
	for {
		select {
		case <-a.stop:
			return
		case <-a.ctx.Done():
			return
		case <-t.C:
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			var by string
			err := a.store.pool.QueryRow(ctx, `SELECT cancel_requested_by FROM run WHERE id = $1 AND cancel_requested_at IS NOT NULL`, a.ID).Scan(&by)
			cancel()
			if err == nil {
				a.log.Warn("run cancelled on request", zap.String("by", by))
				a.cancel(&CancelRequested{By: by})
				return
			}
		}
	}
}

// ---- log lines ----

// LogLine is one line a run logged.
type LogLine struct {
	At      time.Time
	Level   string
	Message string // the message and its fields, "step started step=pull vpostcode"
}

// MaxLogLines bounds the lines kept per run in run_log; the lines past it are counted in
// run.log_dropped (LogCount) and stay in the process's own log.
const MaxLogLines = 2000

// LogCount is how many of a run's log lines are kept, and how many were not kept past
// MaxLogLines (known once the run has finished).
func (s *Store) LogCount(ctx context.Context, id int64) (kept, dropped int, err error) {
	if err := s.pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM run_log WHERE run_id = $1),
		COALESCE((SELECT log_dropped FROM run WHERE id = $1), 0)`, id).Scan(&kept, &dropped); err != nil {
		return 0, 0, fmt.Errorf("count the log of run %d: %w", id, err)
	}
	return kept, dropped, nil
}

// LogPage returns limit of a run's kept log lines from the offset-th (0 = the first), oldest first.
func (s *Store) LogPage(ctx context.Context, id int64, offset, limit int) ([]LogLine, error) {
	rows, err := s.pool.Query(ctx, `SELECT at, level, message FROM run_log WHERE run_id = $1 ORDER BY seq OFFSET $2 LIMIT $3`, id, offset, limit)
	if err != nil {
		return nil, fmt.Errorf("read the log of run %d: %w", id, err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (LogLine, error) {
		var l LogLine
		err := r.Scan(&l.At, &l.Level, &l.Message)
		return l, err
	})
}

// runLogCore copies a run's log entries (info and above) into run_log, through the pool (not
// the lock connection), so the run's page shows them.
type runLogCore struct {
	zapcore.LevelEnabler
	a      *Active
	fields []zapcore.Field
	mu     *sync.Mutex
	seq    *int
}

func newRunLogCore(a *Active) *runLogCore {
	return &runLogCore{LevelEnabler: zapcore.InfoLevel, a: a, mu: &sync.Mutex{}, seq: new(int)}
}

func (c *runLogCore) With(fs []zapcore.Field) zapcore.Core {
	cp := *c
	cp.fields = append(append([]zapcore.Field(nil), c.fields...), fs...)
	return &cp
}

func (c *runLogCore) Check(e zapcore.Entry, ce *zapcore.CheckedEntry) *zapcore.CheckedEntry {
	if c.Enabled(e.Level) {
		return ce.AddCore(e, c)
	}
	return ce
}

func (c *runLogCore) Write(e zapcore.Entry, fs []zapcore.Field) error {
	enc := zapcore.NewMapObjectEncoder()
	for _, f := range append(append([]zapcore.Field(nil), c.fields...), fs...) {
		f.AddTo(enc)
	}
	keys := make([]string, 0, len(enc.Fields))
	for k := range enc.Fields {
		if k != "run" && k != "job" { // the page is the run's own
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteString(e.Message)
	for _, k := range keys {
		v := enc.Fields[k]
		switch raw := v.(type) {
		case []byte:
			v = string(raw)
		case json.RawMessage:
			v = string(raw)
		}
		fmt.Fprintf(&b, " %s=%v", k, v)
	}
	c.mu.Lock()
	*c.seq++
	seq := *c.seq
	c.mu.Unlock()
	if seq > MaxLogLines {
		return nil // counted: Finish records how many were not kept
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err := c.a.store.pool.Exec(ctx, `INSERT INTO run_log (run_id, seq, at, level, message) VALUES ($1, $2, $3, $4, $5)`,
		c.a.ID, seq, e.Time, e.Level.String(), trimError(b.String()))
	return err
}

func (c *runLogCore) Sync() error { return nil }

// lines is how many lines the run has logged so far.
func (c *runLogCore) lines() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return *c.seq
}
