package transform

import (
	"bytes"
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"ntm/copytext"
)

// sink is where a run's facts go: the load's transaction (dbSink) or a counter (countSink, a check).
type sink interface {
	fact(ctx context.Context, f factRow) error
	// dropRows takes back the facts of rows already sent (duplicates found at the end; their
	// sheets are indexes into sheets) and returns what each held, for its reject record.
	dropRows(ctx context.Context, t *factTable, sheets []string, rows []duplicateRow) (map[sheetRow]string, error)
}

type sheetRow struct {
	sheet string
	row   int
}

// dbSink COPYs facts and rejects into the load's transaction in chunks. A full chunk is
// sent on a goroutine of its own while parsing goes on (one COPY in flight at a time: the
// transaction's connection does one thing at a time), so that parsing, encoding and the
// server's work overlap. Every other use of the transaction waits for it first.
//
// Facts are written straight into COPY's text format (package copytext) rather than kept as rows
// of values for pgx to encode: for a record-level export that saves two allocations and a
// dozen boxed values a row, most of the garbage collector's work and a fifth of a load's CPU.
type dbSink struct {
	tx       pgx.Tx
	batchID  int64
	buf      map[*factTable]*copyChunkBuf
	spare    []byte // the buffer of the last chunk sent, reused once its COPY is done
	facts    int
	inflight chan error // the COPY in flight, nil if none
}

// copyChunkBuf is a table's rows not sent yet, in COPY text format.
type copyChunkBuf struct {
	data []byte
	rows int
}

// copyChunkBytes bounds a chunk's size whatever its rows' width.
const copyChunkBytes = 4 << 20

func (s *dbSink) fact(ctx context.Context, f factRow) error {
	cb := s.buf[f.table]
	if cb == nil {
		cb = &copyChunkBuf{}
		s.buf[f.table] = cb
	}
	start := len(cb.data)
	cb.data = strconv.AppendInt(cb.data, s.batchID, 10)
	for i, v := range f.vals {
		cb.data = append(cb.data, '\t')
		var err error
		if cb.data, err = copytext.Append(cb.data, v); err != nil {
			cb.data = cb.data[:start]
			return &valueError{field: f.table.Columns[i], err: err}
		}
	}
	cb.data = append(cb.data, '\n')
	cb.rows++
	s.facts++
	if cb.rows >= copyChunk || len(cb.data) >= copyChunkBytes {
		return s.flushTable(ctx, f.table)
	}
	return nil
}

// wait waits for the COPY in flight, if any, and returns its error.
func (s *dbSink) wait() error {
	if s.inflight == nil {
		return nil
	}
	err := <-s.inflight
	s.inflight = nil
	return err
}

func (s *dbSink) flushTable(ctx context.Context, t *factTable) error {
	cb := s.buf[t]
	if cb == nil || cb.rows == 0 {
		return nil
	}
	if err := s.wait(); err != nil {
		return err
	}
	data := cb.data
	cb.data, cb.rows, s.spare = s.spare[:0], 0, nil
	sql := "COPY " + pgx.Identifier{t.Name}.Sanitize() + " (batch_id, " + strings.Join(t.Columns, ", ") + ") FROM STDIN"
	done := make(chan error, 1)
	s.inflight = done
	go func() {
		defer func() {
			if p := recover(); p != nil {
				done <- fmt.Errorf("copy into %s failed: %v", t.Name, p)
			}
		}()
		if _, err := s.tx.Conn().PgConn().CopyFrom(ctx, bytes.NewReader(data), sql); err != nil {
			done <- fmt.Errorf("copy into %s: %w", t.Name, err)
			return
		}
		s.spare = data // read by flushTable only after wait, which follows this send
		done <- nil
	}()
	return nil
}

func (s *dbSink) dropRows(ctx context.Context, t *factTable, sheetNames []string, rows []duplicateRow) (map[sheetRow]string, error) {
	if err := s.wait(); err != nil {
		return nil, err
	}
	sheets, nums := make([]string, len(rows)), make([]int32, len(rows))
	for i, d := range rows {
		sheets[i], nums[i] = sheetNames[d.sheet], int32(d.row)
	}
	var vals []string
	for _, c := range t.Columns {
		if c != "sheet" && c != "row_no" {
			vals = append(vals, "f."+c+"::text")
		}
	}
	q := fmt.Sprintf(`DELETE FROM %s f USING unnest($2::text[], $3::int[]) AS d(sheet, row_no)
		WHERE f.batch_id = $1 AND f.sheet = d.sheet AND f.row_no = d.row_no
		RETURNING f.sheet, f.row_no, concat_ws(' | ', %s)`, t.Name, strings.Join(vals, ", "))
	res, err := s.tx.Query(ctx, q, s.batchID, sheets, nums)
	if err != nil {
		return nil, fmt.Errorf("take duplicate rows out of %s: %w", t.Name, err)
	}
	raw := map[sheetRow]string{}
	for res.Next() {
		var k sheetRow
		var n int32
		var v string
		if err := res.Scan(&k.sheet, &n, &v); err != nil {
			res.Close()
			return nil, fmt.Errorf("take duplicate rows out of %s: %w", t.Name, err)
		}
		k.row = int(n)
		raw[k] = v
	}
	if err := res.Err(); err != nil {
		return nil, fmt.Errorf("take duplicate rows out of %s: %w", t.Name, err)
	}
	s.facts -= len(raw)
	return raw, nil
}

func (s *dbSink) flush(ctx context.Context) error {
	for t := range s.buf {
		if err := s.flushTable(ctx, t); err != nil {
			return err
		}
	}
	return s.wait()
}

// valueError is a fact value that has no COPY encoding (a date outside years 1–9999): the row
// is rejected, as the database would refuse it.
type valueError struct {
	field string
	err   error
}

func (e *valueError) Error() string { return fmt.Sprintf("%s: %v", e.field, e.err) }

// countSink counts (CheckFile), and encodes every fact as the load would, so that what the
// database would refuse is found by a check too.
type countSink struct {
	facts int
	buf   []byte
}

func (s *countSink) fact(_ context.Context, f factRow) error {
	b := s.buf[:0]
	for i, v := range f.vals {
		var err error
		if b, err = copytext.Append(b, v); err != nil {
			return &valueError{field: f.table.Columns[i], err: err}
		}
	}
	s.buf = b
	s.facts++
	return nil
}

func (s *countSink) dropRows(_ context.Context, _ *factTable, _ []string, rows []duplicateRow) (map[sheetRow]string, error) {
	s.facts -= len(rows)
	return nil, nil
}
