package transform

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"ntm/copytext"
	"ntm/db"
	"ntm/scratch"
)

// copySpill keeps the rows of one table (rejected_row, skipped_row) in COPY text format, without
// their batch id, in a temporary file until the load knows which batch they go to: the loaded
// batch when the file commits, or the 'rejected' batch recorded in a transaction of its own when
// the file is rejected whole. So every rejected and skipped row of a file is stored either way,
// in memory that does not grow with the file.
type copySpill struct {
	table string
	cols  []string
	f     *os.File
	w     *bufio.Writer
	line  []byte
	rows  int
}

func newCopySpill(table string, cols ...string) *copySpill {
	return &copySpill{table: table, cols: cols}
}

// add appends one row (the values after batch_id).
func (s *copySpill) add(vals ...any) error {
	if s.f == nil {
		f, err := scratch.CreateTemp("", "spill")
		if err != nil {
			return fmt.Errorf("create a temporary file for the rejected and skipped rows: %w", err)
		}
		s.f, s.w = f, bufio.NewWriterSize(f, 64<<10)
	}
	b := s.line[:0]
	for i, v := range vals {
		if i > 0 {
			b = append(b, '\t')
		}
		var err error
		if b, err = copytext.Append(b, v); err != nil {
			return err
		}
	}
	b = append(b, '\n')
	s.line = b
	if _, err := s.w.Write(b); err != nil {
		return fmt.Errorf("write %s: %w", s.f.Name(), err)
	}
	s.rows++
	return nil
}

// flush writes out what is buffered: a full disk is found here whether or not the rows are then
// copied from the file.
func (s *copySpill) flush() error {
	if s.rows == 0 {
		return nil
	}
	if err := s.w.Flush(); err != nil {
		return fmt.Errorf("write %s: %w", s.f.Name(), err)
	}
	return nil
}

// copyTo stores the rows under batchID with COPY on q's connection.
func (s *copySpill) copyTo(ctx context.Context, q db.Querier, batchID int64) error {
	if s.rows == 0 {
		return nil
	}
	if err := s.flush(); err != nil {
		return err
	}
	if _, err := s.f.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("read %s: %w", s.f.Name(), err)
	}
	conn, ok := q.(interface{ Conn() *pgx.Conn })
	if !ok {
		return errNoConn
	}
	sql := "COPY " + pgx.Identifier{s.table}.Sanitize() + " (batch_id, " + strings.Join(s.cols, ", ") + ") FROM STDIN"
	_, err := conn.Conn().PgConn().CopyFrom(ctx, &prefixReader{r: bufio.NewReaderSize(s.f, 64<<10), prefix: strconv.AppendInt(nil, batchID, 10)}, sql)
	return err
}

// close removes the file.
func (s *copySpill) close() {
	if s.f != nil {
		s.f.Close()
		os.Remove(s.f.Name())
		s.f = nil
	}
}

// errNoConn: the querier has no connection of its own to COPY on (a pool, not a transaction).
var errNoConn = errors.New("copy needs a transaction, not a pool")

// prefixReader reads the lines of r with prefix and a tab before each.
type prefixReader struct {
	r      *bufio.Reader
	prefix []byte
	buf    []byte
}

func (p *prefixReader) Read(b []byte) (int, error) {
	for len(p.buf) == 0 {
		line, err := p.r.ReadSlice('\n')
		if len(line) > 0 || err == bufio.ErrBufferFull {
			if err == bufio.ErrBufferFull {
				long := append([]byte(nil), line...)
				for err == bufio.ErrBufferFull {
					line, err = p.r.ReadSlice('\n')
					long = append(long, line...)
				}
				line = long
			}
			p.buf = append(append(append(p.buf[:0], p.prefix...), '\t'), line...)
			break
		}
		if err != nil {
			return 0, err
		}
	}
	n := copy(b, p.buf)
	p.buf = p.buf[n:]
	return n, nil
}
