package reports

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"ntm/db"
)

// maxSharedRejects bounds the rejected rows a run keeps in memory to match them against each
// workbook's scope; with more, each workbook reads them itself (streamed, as before).
const maxSharedRejects = 50_000

// runSources is what every workbook of a run reads alike about the source files: their names, the
// period's files and their rejected rows with the rows' folded text. Read once per run, on first
// use (a national run used to read and fold them once or twice per workbook: 762 times).
type runSources struct {
	once       sync.Once
	err        error
	files      map[int64]string // every batch: id → file name (the trace of a value to its file)
	batches    []batchInfo      // the period's source files (readSourceBatches)
	allRejects bool             // rejects holds every rejected row of batches
	rejects    []sharedReject
}

// sharedReject is a rejected row with its raw text folded for matching (rejectText) and for the
// tracer (lower case).
type sharedReject struct {
	rejectInfo
	text, lower string
}

// sources reads the run's source files once; q is the connection of the first workbook to ask.
func (d *data) sources(ctx context.Context, q db.Querier) (*runSources, error) {
	s := d.src
	s.once.Do(func() { s.err = s.read(ctx, q, d) })
	return s, s.err
}

func (s *runSources) read(ctx context.Context, q db.Querier, d *data) error {
	s.files = map[int64]string{}
	rows, err := q.Query(ctx, `SELECT id, COALESCE(NULLIF(file_name, ''), source_uri) FROM batch`)
	if err != nil {
		return fmt.Errorf("read the source files: %w", err)
	}
	for rows.Next() {
		var id int64
		var name string
		if err := rows.Scan(&id, &name); err != nil {
			rows.Close()
			return fmt.Errorf("read the source files: %w", err)
		}
		s.files[id] = name
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read the source files: %w", err)
	}
	if s.batches, err = readSourceBatches(ctx, q, d); err != nil {
		return err
	}
	if len(s.batches) == 0 {
		s.allRejects = true
		return nil
	}
	ids := make([]int64, len(s.batches))
	for i, b := range s.batches {
		ids[i] = b.ID
	}
	var n int
	if err := q.QueryRow(ctx, `SELECT count(*) FROM rejected_row WHERE batch_id = ANY($1)`, ids).Scan(&n); err != nil {
		return fmt.Errorf("count the rejected rows: %w", err)
	}
	if n > maxSharedRejects {
		return nil
	}
	s.rejects = make([]sharedReject, 0, n)
	err = eachReject(ctx, q, s.batches, func(r rejectInfo) {
		text := rejectText(r.Raw)
		s.rejects = append(s.rejects, sharedReject{rejectInfo: r, text: text, lower: strings.ToLower(text)})
	})
	s.allRejects = err == nil
	return err
}
