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
// connection's COPY): the COPY is aborted rather than completed with part of the rows.
var errStopped = errors.New("evaluation stopped")

// feed hands the parts' results, computed one part after another by one goroutine (the
// evaluator's state is not shared), to the COPYs that store them: each COPY takes the next
// computed part when it has sent its previous one, so that two connections share the rows
// by what each can take. What is held is the part being computed, one waiting and the one
// each COPY is sending.
type feed struct {
	parts chan []Result
	free  chan []Result // sent parts' slices, reused by the computation
	stop  chan struct{}
	once  sync.Once
	mu    sync.Mutex
	err   error // the first error: the computation's, or a COPY's
	own   bool  // err is the computation's (or the encoding's), reported as it is
}

func newFeed() *feed {
	return &feed{parts: make(chan []Result), free: make(chan []Result, 2), stop: make(chan struct{})}
}

// fail records err (the first one wins; own: the computation's) and stops the computation
// and every COPY.
func (f *feed) fail(err error, own bool) {
	f.mu.Lock()
	if f.err == nil {
		f.err, f.own = err, own
	}
	f.mu.Unlock()
	f.once.Do(func() { close(f.stop) })
}

func (f *feed) firstErr() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.err
}

// compute runs e.next part by part, sending each part's results; it closes parts when every
// part is done or the evaluation stopped.
func (f *feed) compute(e *evaluator) {
	defer close(f.parts)
	for {
		select {
		case e.results = <-f.free:
		default:
			e.results = nil
		}
		more, err := e.next()
		if err != nil {
			f.fail(err, true)
			return
		}
		if !more {
			return
		}
		select {
		case f.parts <- e.results:
		case <-f.stop:
			return
		}
	}
}

// copyText is the io.Reader a COPY reads: the results of the parts it takes from the feed,
// as COPY text rows.
type copyText struct {
	f        *feed
	id       []byte // the evaluation id, as text
	rs       []Result
	i        int
	n        int64  // rows written
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
				if !c.take() {
					break
				}
				continue
			}
			var err error
			if c.buf, err = c.row(c.buf, &c.rs[c.i]); err != nil {
				c.f.fail(err, true)
				return 0, err
			}
			c.i++
			c.n++
		}
		if len(c.buf) == 0 {
			if err := c.f.firstErr(); err != nil {
				return 0, errStopped
			}
			return 0, io.EOF
		}
	}
	n := copy(p, c.buf[c.off:])
	c.off += n
	return n, nil
}

// take gives back the part sent and takes the next; false when there is none (every part
// sent, or the evaluation stopped).
func (c *copyText) take() bool {
	if c.rs != nil {
		clear(c.rs) // the sent rows' texts and details can go
		select {
		case c.f.free <- c.rs[:0]:
		default:
		}
	}
	c.rs, c.i, c.lastMap = nil, 0, nil
	select {
	case rs, ok := <-c.f.parts:
		if !ok {
			return false
		}
		c.rs = rs
		return true
	case <-c.f.stop:
		return false
	}
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

// store computes e's results part by part and stores them as evaluation id's by one COPY on
// each of txs at once (each in its own transaction, which the caller commits or rolls back).
// On any error no COPY completes.
func store(ctx context.Context, e *evaluator, id int64, txs ...pgx.Tx) error {
	f := newFeed()
	go f.compute(e)
	idText := strconv.AppendInt(nil, id, 10)
	srcs := make([]*copyText, len(txs))
	var wg sync.WaitGroup
	for i, tx := range txs {
		srcs[i] = &copyText{f: f, id: idText}
		wg.Go(func() {
			if _, err := tx.Conn().PgConn().CopyFrom(ctx, srcs[i], resultCopy); err != nil {
				f.fail(err, false)
			}
		})
	}
	wg.Wait()
	err := f.firstErr()
	f.fail(errStopped, false) // stop the computation if a COPY ended early
	for range f.parts {
		// wait for the computation to end (its sends see stop)
	}
	if err == nil {
		return nil
	}
	f.mu.Lock()
	own := f.own
	f.mu.Unlock()
	if own {
		return err
	}
	var n int64
	for _, s := range srcs {
		n += s.n
	}
	return fmt.Errorf("evaluate period %s: store %d results: %w", e.p, n, err)
}
