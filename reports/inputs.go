package reports

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"sync"

	"ntm/db"
)

// A workbook is written again only when what it is made of changed: its input key is a digest
// of everything its bytes depend on, stored beside its file's digest (table report_input), and a
// workbook whose key and file are both unchanged is not rebuilt. The key covers, for the whole
// run: the ntm binary (any change of layout or rule), the period, the evaluation's criteria set
// and the batches it saw, the previous period's evaluation compared with (its set and batches),
// the batches loaded now, the unit structure's generation (units, successors, aliases) and the
// newest source file's time, the sources the run could not read; and, for the recipient: its units and their stored results (the
// province's, districts' and communes' results, and the village counts of its communes).
// A change of any run-wide input writes every workbook again (a file loaded for one province
// changes the batches of all): the key is safe, not minimal.

// runInputsSQL reads the run-wide inputs of the workbooks of evaluation $1 (period $2).
const runInputsSQL = `SELECT e.set_key, coalesce(e.set_sha256, ''), coalesce(e.batch_ids, '{}')::text,
	coalesce((SELECT p.period || ' ' || coalesce(p.set_sha256, '') || ' ' || coalesce(p.batch_ids, '{}')::text
		FROM evaluation p WHERE p.period < $2 ORDER BY p.period DESC, p.id DESC LIMIT 1), ''),
	(SELECT coalesce(array_agg(id ORDER BY id), '{}')::text FROM batch WHERE status = 'loaded'),
	(SELECT n FROM unit_generation)
FROM evaluation e WHERE e.id = $1`

var (
	exeDigestOnce sync.Once
	exeDigest     string
)

// binaryDigest is the sha256 of the running executable ("" when it cannot be read: then every
// workbook is written, as before keys existed).
func binaryDigest() string {
	exeDigestOnce.Do(func() {
		path, err := os.Executable()
		if err != nil {
			return
		}
		if sum, err := fileSHA256(path); err == nil {
			exeDigest = sum
		}
	})
	return exeDigest
}

// runKey is the digest of the run-wide inputs; "" means keys are off (the binary unreadable).
func runKey(ctx context.Context, q db.Querier, d *data) (string, error) {
	bin := binaryDigest()
	if bin == "" {
		return "", nil
	}
	var setKey, setSum, batches, prev, loaded string
	var gen int64
	if err := q.QueryRow(ctx, runInputsSQL, d.eval.ID, d.period.String()).Scan(&setKey, &setSum, &batches, &prev, &loaded, &gen); err != nil {
		return "", fmt.Errorf("read the inputs of the workbooks of %s: %w", d.period, err)
	}
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s\x00%s\x00%s\x00%s\x00%s\x00%s\x00%d\x00%s", bin, d.period, setKey, setSum, batches, prev, loaded, gen,
		d.dataAt.UTC().Format("2006-01-02T15:04:05.999999999Z"))
	// The sources a run could not read change the notes sheet (Options.MissingSources).
	fmt.Fprintf(h, "\x00missing %q", d.missingSources)
	return hex.EncodeToString(h.Sum(nil)), nil
}

// scopeKey is the input key of one workbook: the run's key, the recipient's units and their
// results.
func (d *data) scopeKey(run string, sc *scope) string {
	if run == "" {
		return ""
	}
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%v\x00%v", run, *sc.unit, sc.province)
	codes := []string{sc.unit.Code}
	for _, u := range sc.districts {
		codes = append(codes, u.Code)
	}
	for _, u := range sc.communes {
		codes = append(codes, u.Code)
		fmt.Fprintf(h, "\x00c %v %v", *u, d.villages[u.Code])
	}
	for _, c := range codes {
		if sum, ok := d.digests[c]; ok { // its results, by criterion (loadResults)
			fmt.Fprintf(h, "\x00r %s %x", c, sum)
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

// storedInput is a workbook's row of report_input.
type storedInput struct{ inputs, file string }

func readStoredInputs(ctx context.Context, q db.Querier, paths []string) (map[string]storedInput, error) {
	rows, err := q.Query(ctx, `SELECT path, inputs_sha256, file_sha256 FROM report_input WHERE path = ANY($1)`, paths)
	if err != nil {
		return nil, fmt.Errorf("read the inputs of the workbooks written before: %w", err)
	}
	defer rows.Close()
	out := map[string]storedInput{}
	for rows.Next() {
		var p string
		var s storedInput
		if err := rows.Scan(&p, &s.inputs, &s.file); err != nil {
			return nil, fmt.Errorf("read the inputs of the workbooks written before: %w", err)
		}
		out[p] = s
	}
	return out, rows.Err()
}

// unchanged reports whether the workbook at path was written from inputs key and is still the
// file written then.
func unchanged(path, key string, s storedInput, ok bool) bool {
	if key == "" || !ok || s.inputs != key {
		return false
	}
	sum, err := fileSHA256(path)
	return err == nil && sum == s.file
}

func storeInput(ctx context.Context, q db.Querier, path, abs, period, recipient, key string) error {
	if key == "" {
		return nil
	}
	sum, err := fileSHA256(path)
	if err != nil {
		return err
	}
	return storeInputs(ctx, q, []inputRow{{abs, period, recipient, key, sum}})
}

// inputRow is a workbook's row of report_input: its absolute path, period, recipient, input key
// and file digest.
type inputRow struct{ path, period, recipient, key, sum string }

// storeInputs records rows in one statement (paths are unique within it).
func storeInputs(ctx context.Context, q db.Querier, rows []inputRow) error {
	cols := make([][]string, 5)
	for _, r := range rows {
		for i, v := range []string{r.path, r.period, r.recipient, r.key, r.sum} {
			cols[i] = append(cols[i], v)
		}
	}
	if _, err := q.Exec(ctx, `INSERT INTO report_input (path, period, recipient, inputs_sha256, file_sha256, written_at)
		SELECT p, pe, r, k, s, now() FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[]) AS t(p, pe, r, k, s)
		ON CONFLICT (path) DO UPDATE SET period = excluded.period, recipient = excluded.recipient,
			inputs_sha256 = excluded.inputs_sha256, file_sha256 = excluded.file_sha256, written_at = excluded.written_at`,
		cols[0], cols[1], cols[2], cols[3], cols[4]); err != nil {
		if len(rows) == 1 {
			return fmt.Errorf("record the inputs of %s: %w", rows[0].path, err)
		}
		return fmt.Errorf("record the inputs of %d workbooks (%s, …): %w", len(rows), rows[0].path, err)
	}
	return nil
}

// inputRecorder records the workbooks' input keys off the workers' path when the run is on a
// pool: each commit waits for the server's WAL flush (7.5 ms a workbook on the shared machine,
// 5.7 s of the two workers' time for the nation), so a goroutine of its own writes what the
// workers have finished since its last statement, in one statement, while they build the next
// workbooks. A workbook is recorded once its file is in place; a run that stops early records
// what it wrote before it returns. On a transaction (one connection) rows are recorded at once.
type inputRecorder struct {
	ctx  context.Context
	q    db.Querier
	rows chan inputRow // buffered for every job: a worker never waits for the recorder
	done chan struct{}
	mu   sync.Mutex
	err  error
}

// newInputRecorder starts a recorder for up to n workbooks; async only when q is a pool.
func newInputRecorder(ctx context.Context, q db.Querier, async bool, n int) *inputRecorder {
	r := &inputRecorder{ctx: ctx, q: q}
	if !async {
		return r
	}
	r.rows, r.done = make(chan inputRow, n), make(chan struct{})
	go r.loop()
	return r
}

func (r *inputRecorder) loop() {
	defer close(r.done)
	for first := range r.rows {
		batch := []inputRow{first}
	drain:
		for {
			select {
			case row, ok := <-r.rows:
				if !ok {
					break drain
				}
				batch = append(batch, row)
			default:
				break drain
			}
		}
		if r.failed() != nil {
			continue // keep draining: the workers stop at their next record
		}
		if err := storeInputs(r.ctx, r.q, batch); err != nil {
			r.mu.Lock()
			r.err = err
			r.mu.Unlock()
		}
	}
}

func (r *inputRecorder) failed() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.err
}

// record records the workbook written at path (q: the worker's connection, used when the
// recorder is not async). It returns an earlier record's error, so that the run stops.
func (r *inputRecorder) record(q db.Querier, path, abs, period, recipient, key string) error {
	if r.rows == nil {
		return storeInput(r.ctx, q, path, abs, period, recipient, key)
	}
	if err := r.failed(); err != nil {
		return err
	}
	if key == "" {
		return nil
	}
	sum, err := fileSHA256(path)
	if err != nil {
		return err
	}
	r.rows <- inputRow{abs, period, recipient, key, sum}
	return nil
}

// close waits for every row to be recorded and returns the first error.
func (r *inputRecorder) close() error {
	if r.rows == nil {
		return nil
	}
	close(r.rows)
	<-r.done
	return r.failed()
}
