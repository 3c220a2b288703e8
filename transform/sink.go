package transform

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

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
// Facts are written straight into COPY's text format (package copytext; the record-level table
// in COPY's binary format, binaryTables) rather than kept as rows of values for pgx to encode: for a record-level export that saves two allocations and a
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
	bin := binaryTables[f.table]
	if bin && len(cb.data) == 0 {
		cb.data = append(cb.data, copyBinaryHeader...)
	}
	start := len(cb.data)
	if bin {
		var err error
		if cb.data, err = appendRecordBinary(cb.data, s.batchID, f); err != nil {
			cb.data = cb.data[:start]
			return err
		}
	} else {
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
	}
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
	if binaryTables[t] {
		data = append(data, 0xff, 0xff) // the trailer: a tuple of -1 fields
		sql += " WITH (FORMAT binary)"
	}
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

// binaryTables are the fact tables sent in COPY's binary format rather than its text: the
// record-level exports', a million rows a file. In binary the server neither splits lines nor
// undoes escapes nor parses dates and numbers: its CPU for the same 1,000,000 records 0.75–0.85 s
// against 0.91–1.00 s in text (side by side, 10,000-row statements), and the sink's encoding
// skips the texts' escape scan. A column's binary value must be of its exact type (4 bytes for an
// integer), so each table has its own encoder; the other tables are small and stay in text.
var binaryTables = map[*factTable]bool{tRecords: true}

// copyBinaryHeader starts a COPY binary stream: the signature, no flags, no header extension.
var copyBinaryHeader = []byte("PGCOPY\n\xff\r\n\x00\x00\x00\x00\x00\x00\x00\x00\x00")

// pgEpochDay is 2000-01-01, day 0 of a binary date, in days since 1970-01-01.
const pgEpochDay = 10957

// appendRecordBinary appends a fact of fact_dvc_dossier_record as a binary COPY tuple: batch_id
// bigint, sheet text, row_no integer, dossier_id text, unit_code text, received_on date, channel
// text, full_process boolean. A value of another type is a programming error, reported; a date
// outside years 1–9999 is refused as copytext refuses it (the row is rejected, as in text).
func appendRecordBinary(b []byte, batchID int64, f factRow) ([]byte, error) {
	if len(f.vals) != 7 {
		return b, fmt.Errorf("binary COPY into %s: %d values, want 7", f.table.Name, len(f.vals))
	}
	b = binary.BigEndian.AppendUint16(b, 8)
	b = binary.BigEndian.AppendUint32(b, 8)
	b = binary.BigEndian.AppendUint64(b, uint64(batchID))
	for i, v := range f.vals {
		var err error
		switch i {
		case 0, 2, 3, 5: // sheet, dossier_id, unit_code, channel
			x, ok := v.(string)
			if !ok {
				err = fmt.Errorf("no binary COPY encoding for %T as text", v)
				break
			}
			b = binary.BigEndian.AppendUint32(b, uint32(len(x)))
			b = append(b, x...)
		case 1: // row_no
			x, ok := v.(int)
			if !ok || x < math.MinInt32 || x > math.MaxInt32 {
				err = fmt.Errorf("no binary COPY encoding for %T %v as integer", v, v)
				break
			}
			b = binary.BigEndian.AppendUint32(b, 4)
			b = binary.BigEndian.AppendUint32(b, uint32(int32(x)))
		case 4: // received_on
			x, ok := v.(time.Time)
			if !ok {
				err = fmt.Errorf("no binary COPY encoding for %T as date", v)
				break
			}
			// The day as written, whatever the location, as copytext writes it.
			y, m, d := x.Date()
			if y < 1 || y > 9999 {
				_, err = copytext.Append(nil, x) // its refusal, for the row's reject
				break
			}
			day := time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix()/86400 - pgEpochDay
			b = binary.BigEndian.AppendUint32(b, 4)
			b = binary.BigEndian.AppendUint32(b, uint32(int32(day)))
		case 6: // full_process
			x, ok := v.(bool)
			if !ok {
				err = fmt.Errorf("no binary COPY encoding for %T as boolean", v)
				break
			}
			b = binary.BigEndian.AppendUint32(b, 1)
			if x {
				b = append(b, 1)
			} else {
				b = append(b, 0)
			}
		}
		if err != nil {
			return b, &valueError{field: f.table.Columns[i], err: err}
		}
	}
	return b, nil
}
