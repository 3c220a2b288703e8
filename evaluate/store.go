package evaluate

import (
	"context"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strconv"
	"sync"

	"github.com/jackc/pgx/v5"

	"ntm/copytext"
)

// resultCopy is the COPY that stores an evaluation's results, in COPY's text format.
const resultCopy = `COPY result (evaluation_id, unit_code, unit_name, level, parent_code, criterion, status,
	value_num, value_den, threshold_num, threshold_den, explanation, detail) FROM STDIN`

var emptyDetail = []byte("{}")

// errStopped ends a COPY whose evaluation failed elsewhere (the computation, or the other
// connection's work): the COPY is aborted rather than completed with part of the rows.
var errStopped = errors.New("evaluation stopped")

// resultChunk is how many results the computation hands to a COPY at once: a province's
// results are stored while they are computed, so that what is held is a few chunks (about
// 0.3 MB each), not a province's (Hà Nội's are about 40,000 rows, 15–20 MB).
const resultChunk = 1024

// pipeline shares an evaluation's parts among its connections. Each connection's worker takes
// the next part, reads its inputs (readPart) on its connection, hands them to the one
// goroutine that computes (the evaluator's state is not shared) and stores the part's results
// by a COPY of its own as they are computed, a chunk at a time; on two connections one worker
// reads its next part while the other's is computed and stored. What is held is at most two
// parts' inputs and a few chunks of results.
type pipeline struct {
	e    *evaluator
	id   []byte // the evaluation id, as text
	jobs chan *job
	free chan []Result // stored chunks' slices, reused by the computation
	stop chan struct{}
	once sync.Once
	mu   sync.Mutex
	next int   // the next part to take
	err  error // the first error: a read's, the computation's or a COPY's
	own  bool  // err is the evaluation's own (a read's, the computation's, the encoding's), reported as it is
	n    int64 // rows stored
}

// job is one part on its way: its inputs, then its results' chunks.
type job struct {
	st     *structure
	facts  *partFacts
	chunks chan []Result // closed when the part is computed (or the evaluation stopped)
	err    error
	done   chan struct{}
}

// fail records err (the first one wins; own: the evaluation's) and stops every worker.
func (pl *pipeline) fail(err error, own bool) {
	pl.mu.Lock()
	if pl.err == nil {
		pl.err, pl.own = err, own
	}
	pl.mu.Unlock()
	pl.once.Do(func() { close(pl.stop) })
}

func (pl *pipeline) stopped() bool {
	select {
	case <-pl.stop:
		return true
	default:
		return false
	}
}

// take is the next part not yet taken, nil when every part is.
func (pl *pipeline) take() *structure {
	pl.mu.Lock()
	defer pl.mu.Unlock()
	if pl.next >= len(pl.e.parts) {
		return nil
	}
	st := pl.e.parts[pl.next]
	pl.e.parts[pl.next] = nil // the part's lists go once computed
	pl.next++
	return st
}

// chunk is an empty slice for a chunk of results: a stored one's, else a new one.
func (pl *pipeline) chunk() []Result {
	select {
	case rs := <-pl.free:
		return rs
	default:
		return make([]Result, 0, resultChunk)
	}
}

// compute computes the parts handed to it, in the order they come, until jobs is closed,
// handing each part's results to its job's chunks.
func (pl *pipeline) compute() {
	for j := range pl.jobs {
		if pl.stopped() {
			j.err = errStopped
		} else {
			pl.e.results = pl.chunk()
			pl.e.flush = func(rs []Result) ([]Result, bool) {
				select {
				case j.chunks <- rs:
					return pl.chunk(), true
				case <-pl.stop:
					return nil, false
				}
			}
			j.err = pl.e.compute(j.st, j.facts)
			if j.err == nil {
				j.err = pl.e.spill(1)
			}
			j.facts, pl.e.results, pl.e.flush = nil, nil, nil
			if j.err != nil {
				pl.fail(j.err, true)
			}
		}
		close(j.chunks)
		close(j.done)
	}
}

// work is one connection's worker: read a part, hand it on, store its results as they come.
func (pl *pipeline) work(ctx context.Context, tx pgx.Tx) {
	for !pl.stopped() {
		st := pl.take()
		if st == nil {
			return
		}
		facts, err := pl.e.readPart(ctx, tx, st)
		if err != nil {
			pl.fail(err, true)
			return
		}
		j := &job{st: st, facts: facts, chunks: make(chan []Result, 1), done: make(chan struct{})}
		select {
		case pl.jobs <- j:
		case <-pl.stop:
			return
		}
		ok := pl.copy(ctx, tx, j)
		<-j.done
		if !ok || j.err != nil {
			return
		}
	}
}

// copy stores one part's results by a COPY on tx as they are computed; false when it failed
// (or the evaluation stopped).
func (pl *pipeline) copy(ctx context.Context, tx pgx.Tx, j *job) bool {
	src := &copyText{pl: pl, id: pl.id, chunks: j.chunks}
	n, err := tx.Conn().PgConn().CopyFrom(ctx, src, resultCopy)
	if err != nil {
		pl.fail(err, src.failed)
		return false
	}
	pl.mu.Lock()
	pl.n += n.RowsAffected()
	pl.mu.Unlock()
	return !pl.stopped()
}

// copyText is the io.Reader a COPY reads: one part's results as COPY text rows, chunk after
// chunk as they are computed.
type copyText struct {
	pl       *pipeline
	id       []byte // the evaluation id, as text
	chunks   <-chan []Result
	rs       []Result
	i        int
	failed   bool   // the encoding failed (the evaluation's own error)
	buf      []byte // encoded, not yet read
	off      int
	lastMap  map[string]any
	lastJSON []byte
	detail   []byte // lastJSON's memory, reused
}

func (c *copyText) Read(p []byte) (int, error) {
	for c.off >= len(c.buf) {
		c.buf, c.off = c.buf[:0], 0
		for len(c.buf) < len(p) {
			if c.i >= len(c.rs) {
				more, err := c.take(len(c.buf) == 0)
				if err != nil {
					return 0, err
				}
				if !more {
					break
				}
				continue
			}
			var err error
			if c.buf, err = c.row(c.buf, &c.rs[c.i]); err != nil {
				c.failed = true
				return 0, err
			}
			c.i++
		}
		if len(c.buf) == 0 {
			return 0, io.EOF
		}
	}
	n := copy(p, c.buf[c.off:])
	c.off += n
	return n, nil
}

// take gives back the chunk sent and takes the next: false when the part has no more, or when
// wait is false and the next is not computed yet (what is encoded goes first).
func (c *copyText) take(wait bool) (bool, error) {
	if c.rs != nil {
		clear(c.rs) // the stored rows' texts and details can go
		select {
		case c.pl.free <- c.rs[:0]:
		default:
		}
		c.rs, c.i = nil, 0
	}
	if !wait {
		select {
		case rs, ok := <-c.chunks:
			if !ok {
				return false, c.stoppedErr()
			}
			c.rs = rs
			return true, nil
		default:
			return false, nil
		}
	}
	select {
	case rs, ok := <-c.chunks:
		if !ok {
			return false, c.stoppedErr()
		}
		c.rs = rs
		return true, nil
	case <-c.pl.stop:
		return false, errStopped
	}
}

// stoppedErr is errStopped when the evaluation stopped (the part's chunks were closed early).
func (c *copyText) stoppedErr() error {
	if c.pl.stopped() {
		return errStopped
	}
	return nil
}

// row appends one result as a COPY text row.
func (c *copyText) row(b []byte, r *Result) ([]byte, error) {
	b = append(b, c.id...)
	b = append(b, '\t')
	b = copytext.AppendString(b, r.UnitCode)
	b = append(b, '\t')
	b = copytext.AppendString(b, r.UnitName)
	b = append(b, '\t')
	b = copytext.AppendString(b, string(r.Level))
	b = append(b, '\t')
	if r.ParentCode == "" {
		b = append(b, '\\', 'N')
	} else {
		b = copytext.AppendString(b, r.ParentCode)
	}
	b = append(b, '\t')
	b = copytext.AppendString(b, r.Criterion)
	b = append(b, '\t')
	b = copytext.AppendString(b, string(r.Status))
	b = append(b, '\t')
	if r.Value == nil {
		b = append(b, "\\N\t\\N"...)
	} else {
		b = strconv.AppendInt(b, r.Value.Num, 10)
		b = append(b, '\t')
		b = strconv.AppendInt(b, r.Value.Den, 10)
	}
	b = append(b, '\t')
	b = strconv.AppendInt(b, r.Threshold.Num, 10)
	b = append(b, '\t')
	b = strconv.AppendInt(b, r.Threshold.Den, 10)
	b = append(b, '\t')
	b = copytext.AppendString(b, r.Explanation)
	b = append(b, '\t')
	// Rows of one village often share one detail map: write it as JSON once.
	if r.Detail == nil {
		c.lastJSON, c.lastMap = emptyDetail, nil
	} else if c.lastMap == nil || reflect.ValueOf(r.Detail).UnsafePointer() != reflect.ValueOf(c.lastMap).UnsafePointer() {
		j, err := appendDetail(c.detail[:0], r.Detail)
		if err != nil {
			return b, fmt.Errorf("result detail of %s %s: %w", r.UnitCode, r.Criterion, err)
		}
		c.detail = j
		c.lastJSON, c.lastMap = j, r.Detail
	}
	b = copytext.AppendString(b, c.lastJSON)
	return append(b, '\n'), nil
}

// store reads, computes and stores e's parts as evaluation id's results, on txs at once (each
// connection in its own transaction, which the caller commits or rolls back): see pipeline. On
// any error the evaluation stops and its error is returned; the caller rolls back.
func store(ctx context.Context, e *evaluator, id int64, txs ...pgx.Tx) error {
	pl := &pipeline{e: e, id: strconv.AppendInt(nil, id, 10), jobs: make(chan *job), free: make(chan []Result, 2), stop: make(chan struct{})}
	computed := make(chan struct{})
	go func() {
		defer close(computed)
		pl.compute()
	}()
	var wg sync.WaitGroup
	for _, tx := range txs {
		wg.Go(func() { pl.work(ctx, tx) })
	}
	wg.Wait()
	close(pl.jobs)
	<-computed
	pl.mu.Lock()
	err, own, n := pl.err, pl.own, pl.n
	pl.mu.Unlock()
	if err == nil {
		return nil
	}
	if own {
		return err
	}
	return fmt.Errorf("evaluate period %s: store %d results: %w", e.p, n, err)
}
