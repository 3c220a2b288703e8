package runs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
)

const runColumns = `r.id, r.job, r.trigger, r.triggered_by, r.params, r.period, r.status, r.started_at, r.finished_at,
	r.heartbeat_at, r.error, r.host, r.pid, r.cancel_requested_by`

func scanRun(row pgx.Row) (Run, error) {
	var r Run
	var params []byte
	var trigger, status string
	err := row.Scan(&r.ID, &r.Job, &trigger, &r.TriggeredBy, &params, &r.Period, &status, &r.StartedAt, &r.FinishedAt,
		&r.HeartbeatAt, &r.Error, &r.Host, &r.PID, &r.CancelRequestedBy)
	if err != nil {
		return r, err
	}
	r.Trigger, r.Status = Trigger(trigger), Status(status)
	_ = json.Unmarshal(params, &r.Params)
	return r, nil
}

// Filter selects runs for List.
type Filter struct {
	Limit  int    // ≤ 0: 50
	Job    string // "" = every job
	Status Status // "" = any
	Period string // "" = any
	Before int64  // > 0: only runs with a smaller id (paging)
}

// List returns runs newest first, each with its steps (not its files).
func (s *Store) List(ctx context.Context, f Filter) ([]Run, error) {
	if f.Limit <= 0 {
		f.Limit = 50
	}
	rows, err := s.pool.Query(ctx, `SELECT `+runColumns+` FROM run r
		WHERE ($1 = '' OR r.job = $1) AND ($2 = '' OR r.status = $2) AND ($3 = '' OR r.period = $3) AND ($4 <= 0 OR r.id < $4)
		ORDER BY r.id DESC LIMIT $5`, f.Job, string(f.Status), f.Period, f.Before, f.Limit)
	if err != nil {
		return nil, fmt.Errorf("list runs: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (Run, error) { return scanRun(row) })
	if err != nil {
		return nil, fmt.Errorf("list runs: %w", err)
	}
	if len(out) == 0 {
		return out, nil
	}
	ids := make([]int64, len(out))
	byID := map[int64]*Run{}
	for i := range out {
		ids[i] = out[i].ID
		byID[out[i].ID] = &out[i]
	}
	steps, err := s.steps(ctx, ids)
	if err != nil {
		return nil, err
	}
	for id, st := range steps {
		byID[id].Steps = st
	}
	return out, nil
}

func (s *Store) steps(ctx context.Context, ids []int64) (map[int64][]Step, error) {
	rows, err := s.pool.Query(ctx, `SELECT run_id, position, name, status, detail, rows_done, counts, started_at, finished_at, error
		FROM run_step WHERE run_id = ANY($1) ORDER BY run_id, position`, ids)
	if err != nil {
		return nil, fmt.Errorf("read run steps: %w", err)
	}
	defer rows.Close()
	out := map[int64][]Step{}
	for rows.Next() {
		var id int64
		var st Step
		var status string
		var counts []byte
		if err := rows.Scan(&id, &st.Position, &st.Name, &status, &st.Detail, &st.RowsDone, &counts, &st.StartedAt, &st.FinishedAt, &st.Error); err != nil {
			return nil, fmt.Errorf("read run steps: %w", err)
		}
		st.Status = Status(status)
		_ = json.Unmarshal(counts, &st.Counts)
		out[id] = append(out[id], st)
	}
	return out, rows.Err()
}

// Get returns one run with its steps and files; an unknown id wraps ErrNotFound.
func (s *Store) Get(ctx context.Context, id int64) (Run, error) {
	r, err := scanRun(s.pool.QueryRow(ctx, `SELECT `+runColumns+` FROM run r WHERE r.id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return Run{}, fmt.Errorf("run %d does not exist (see ntm runs): %w", id, ErrNotFound)
	}
	if err != nil {
		return Run{}, fmt.Errorf("read run %d: %w", id, err)
	}
	steps, err := s.steps(ctx, []int64{id})
	if err != nil {
		return Run{}, err
	}
	r.Steps = steps[id]
	rows, err := s.pool.Query(ctx, `SELECT position, source, uri, coalesce(batch_id, 0), outcome, rows_loaded, rows_rejected, message, at
		FROM run_file WHERE run_id = $1 ORDER BY position`, id)
	if err != nil {
		return Run{}, fmt.Errorf("read files of run %d: %w", id, err)
	}
	r.Files, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (File, error) {
		var f File
		err := row.Scan(&f.Position, &f.Source, &f.URI, &f.BatchID, &f.Outcome, &f.RowsLoaded, &f.RowsRejected, &f.Message, &f.At)
		return f, err
	})
	if err != nil {
		return Run{}, fmt.Errorf("read files of run %d: %w", id, err)
	}
	return r, nil
}

// LastSucceeded returns the newest succeeded run of job, or nil.
func (s *Store) LastSucceeded(ctx context.Context, job string) (*Run, error) {
	return s.lastWhere(ctx, `r.job = $1 AND r.status = 'succeeded'`, job)
}

// Last returns the newest run of job whatever its status, or nil.
func (s *Store) Last(ctx context.Context, job string) (*Run, error) {
	return s.lastWhere(ctx, `r.job = $1`, job)
}

func (s *Store) lastWhere(ctx context.Context, cond string, args ...any) (*Run, error) {
	r, err := scanRun(s.pool.QueryRow(ctx, `SELECT `+runColumns+` FROM run r WHERE `+cond+` ORDER BY r.started_at DESC, r.id DESC LIMIT 1`, args...))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read the last run: %w", err)
	}
	return &r, nil
}

// First returns the oldest run of job whatever its status, or nil.
func (s *Store) First(ctx context.Context, job string) (*Run, error) {
	r, err := scanRun(s.pool.QueryRow(ctx, `SELECT `+runColumns+` FROM run r WHERE r.job = $1 ORDER BY r.started_at, r.id LIMIT 1`, job))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read the first run: %w", err)
	}
	return &r, nil
}

// Succeeded tells whether a run of job for period has succeeded.
func (s *Store) Succeeded(ctx context.Context, job, period string) (bool, error) {
	var ok bool
	err := s.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM run WHERE job = $1 AND period = $2 AND status = 'succeeded')`, job, period).Scan(&ok)
	if err != nil {
		return false, fmt.Errorf("look up earlier runs: %w", err)
	}
	return ok, nil
}
