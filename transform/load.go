package transform

import (
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"go.uber.org/zap"

	"ntm"
	"ntm/db"
	"ntm/ingest"
)

// DefaultMaxRejectShare is the share of rejected rows above which a file is rejected whole.
const DefaultMaxRejectShare = 0.20

// RejectsKept is how many row rejects a FileReport carries (all are stored in rejected_row
// for a loaded batch; a batch rejected whole stores these first ones).
const RejectsKept = 1000

// copyChunk is how many facts are buffered before they are sent with COPY.
const copyChunk = 10000

// LoadOptions tunes one load.
type LoadOptions struct {
	Dataset        ntm.Dataset  // "" = detect from the header
	AsOf           time.Time    // --as-of: the as-of date when neither a column nor the title gives one
	Period         ntm.Period   // --period: its last day is the as-of date of last resort, and its month the default dossier period
	SourceURI      string       // where the file came from (default: its path)
	MaxRejectShare float64      // 0 = DefaultMaxRejectShare
	Progress       ProgressFunc // optional: told the rows read so far (see progress.go)
}

// Reject is one row that was not loaded.
type Reject struct {
	Sheet  string
	Row    int
	Column string // the header of the column at fault, "" for the whole row
	Reason string // Vietnamese, for the office
	Raw    string // the row's cells, joined with " | "
}

// String is the full message: `Trang "Data", dòng 14, cột "Tên xã": không tìm thấy …`.
func (r Reject) String() string {
	var parts []string
	if r.Sheet != "" {
		parts = append(parts, fmt.Sprintf("Trang %q", r.Sheet))
	}
	if r.Row > 0 {
		w := "dòng"
		if len(parts) == 0 {
			w = "Dòng"
		}
		parts = append(parts, fmt.Sprintf("%s %d", w, r.Row))
	}
	if r.Column != "" {
		parts = append(parts, fmt.Sprintf("cột %q", r.Column))
	}
	if len(parts) == 0 {
		return r.Reason
	}
	return strings.Join(parts, ", ") + ": " + r.Reason
}

// FileReport says what happened to one file.
type FileReport struct {
	File          string
	Dataset       ntm.Dataset
	Shape         string // "" or the variant read ("procedure_list")
	BatchID       int64  // the batch written (or found, when AlreadyLoaded); 0 for a check
	AlreadyLoaded bool   // the same bytes were loaded before for this dataset: nothing changed
	AsOf          time.Time
	RowsRead      int // data rows read (title, header, group, subtotal and blank rows not counted)
	RowsLoaded    int
	RowsRejected  int
	FactsWritten  int // facts stored (a product row with platform columns also yields listings)
	Rejects       []Reject
	Rejected      bool   // the file was rejected whole (nothing loaded)
	Message       string // Vietnamese: why the file was rejected, or that it was already loaded
	Notes         []string
}

// Loader loads files into batches.
type Loader struct {
	pool *pgxpool.Pool
	log  *zap.Logger
	// Now gives the reference date for files whose rows carry no date of their own (an OCOP
	// product list is read against the unit structure in force today).
	Now func() time.Time

	// Limits bound what reading one file may cost (sizes, expansion, cell size, columns);
	// zero fields take ingest.DefaultLimits.
	Limits ingest.Limits

	// Test hooks: called after each data row is handled, and just before commit.
	afterRow     func(ctx context.Context, rowsRead int)
	beforeCommit func(ctx context.Context) error
}

// NewLoader makes a loader on pool; log may be nil.
func NewLoader(pool *pgxpool.Pool, log *zap.Logger) *Loader {
	if log == nil {
		log = zap.NewNop()
	}
	return &Loader{pool: pool, log: log, Now: time.Now}
}

// fileRejected is a whole-file reject: the message is for the office.
type fileRejected struct{ msg string }

func (e *fileRejected) Error() string { return e.msg }

func rejectFile(format string, args ...any) error {
	return &fileRejected{msg: fmt.Sprintf(format, args...)}
}

// alreadyLoaded stops a load whose bytes are already in a batch.
type alreadyLoaded struct{ id int64 }

func (e *alreadyLoaded) Error() string { return fmt.Sprintf("already loaded as batch %d", e.id) }

// dbError marks a database failure inside the row callbacks, so it is not mistaken for bad input.
type dbError struct{ err error }

func (e *dbError) Error() string { return e.err.Error() }
func (e *dbError) Unwrap() error { return e.err }

// fileInfo is the size and SHA-256 of a file.
func fileInfo(path string) (size int64, sum string, err error) {
	size, sum, _, err = fileInfoStamped(path)
	return size, sum, err
}

// fileInfoStamped is fileInfo plus the file's metadata as it was before the bytes were
// hashed, for unchangedSince.
func fileInfoStamped(path string) (size int64, sum string, before os.FileInfo, err error) {
	f, err := os.Open(path)
	if err != nil {
		// The *PathError already names the file: say what to do instead of naming it twice.
		return 0, "", nil, fmt.Errorf("%w; check the path and its permissions", err)
	}
	defer f.Close()
	if before, err = f.Stat(); err != nil {
		return 0, "", nil, fmt.Errorf("read %s: %w", path, err)
	}
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return 0, "", nil, fmt.Errorf("read %s: %w", path, err)
	}
	return n, hex.EncodeToString(h.Sum(nil)), before, nil
}

// unchangedSince reports whether path still holds the bytes hashed as sum: same file, size and
// modification time. Any write, truncation or replacement changes one of them, so for a big
// file the check costs a stat instead of hashing it again (a fifth of a second for a
// 1,000,000-row export). Small files are hashed again anyway: it is cheap, and a rewrite within
// one tick of the file system's clock keeps the modification time.
func unchangedSince(path, sum string, before os.FileInfo) bool {
	now, err := os.Stat(path)
	if err != nil || !os.SameFile(before, now) || now.Size() != before.Size() || !now.ModTime().Equal(before.ModTime()) {
		return false
	}
	if now.Size() < 16<<20 {
		_, again, err := fileInfo(path)
		return err == nil && again == sum
	}
	return true
}

//go:embed sql/find_batch.sql
var findBatchSQL string

//go:embed sql/insert_batch.sql
var insertBatchSQL string

//go:embed sql/finish_batch.sql
var finishBatchSQL string

// findLoaded returns the id of a loaded or revoked batch with these bytes for dataset, or 0.
func findLoaded(ctx context.Context, q db.Querier, dataset ntm.Dataset, sum string) (int64, error) {
	var id int64
	err := q.QueryRow(ctx, findBatchSQL, string(dataset), sum).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("look up earlier batches: %w", err)
	}
	return id, nil
}

// LoadFile loads one file as one batch, in one transaction (DESIGN §4, §5). Bad input is
// not an error: the report says what was rejected (rows, or the whole file, which is then
// recorded as a 'rejected' batch). An error means the load could not be done (file
// unreadable, database failure, cancelled) and nothing was written.
func (l *Loader) LoadFile(ctx context.Context, path string, opts LoadOptions) (rep FileReport, err error) {
	// A panic anywhere in a load (a reader, a parser, the database driver) fails this file
	// only: the transaction is rolled back by the deferred Rollback and the caller (the
	// daemon) goes on.
	defer func() {
		if p := recover(); p != nil {
			l.log.Error("load panicked", zap.String("file", path), zap.Any("panic", p))
			rep, err = FileReport{File: path}, fmt.Errorf("load of %s failed on an internal error (%v): nothing was loaded from it; please report this file", path, p)
		}
	}()
	return l.loadFile(ctx, path, opts)
}

func (l *Loader) loadFile(ctx context.Context, path string, opts LoadOptions) (FileReport, error) {
	if opts.Dataset == ntm.DatasetUnits {
		rep, err := ImportUnits(ctx, l.pool, path, UnitsOptions{SourceURI: opts.SourceURI})
		return rep.FileReport, err
	}
	size, sum, stamp, err := fileInfoStamped(path)
	if err != nil {
		return FileReport{File: path}, err
	}
	if opts.Dataset != "" {
		if id, err := findLoaded(ctx, l.pool, opts.Dataset, sum); err != nil || id != 0 {
			return alreadyReport(path, opts.Dataset, id), err
		}
	}
	tx, err := l.pool.Begin(ctx)
	if err != nil {
		return FileReport{File: path}, fmt.Errorf("begin load of %s: %w", path, err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx)) //nolint:errcheck // after Commit this is a no-op
	sink := &dbSink{tx: tx, buf: map[*factTable]*copyChunkBuf{}}
	defer sink.wait() //nolint:errcheck // runs before the rollback: no COPY may outlive the load
	r := l.newRun(path, opts, tx, sink)
	defer r.close()
	r.begin = func(ctx context.Context, d ntm.Dataset, asOf time.Time) error {
		id, err := findLoaded(ctx, tx, d, sum)
		if err != nil {
			return &dbError{err}
		}
		if id != 0 {
			return &alreadyLoaded{id}
		}
		var asOfArg any
		if !asOf.IsZero() {
			asOfArg = asOf
		}
		err = tx.QueryRow(ctx, insertBatchSQL, string(d), r.sourceURI(), filepath.Base(path), size, sum, asOfArg, "loaded").Scan(&sink.batchID)
		if err != nil {
			var pe *pgconn.PgError
			if errors.As(err, &pe) && pe.Code == "23505" { // loaded meanwhile by another process
				return &alreadyLoaded{-1}
			}
			return &dbError{fmt.Errorf("record batch: %w", err)}
		}
		return nil
	}
	err = r.read(ctx)
	if werr := sink.wait(); err == nil && werr != nil {
		err = unwrapDB(werr)
	}
	var already *alreadyLoaded
	var rejected *fileRejected
	switch {
	case errors.As(err, &already):
		tx.Rollback(ctx) //nolint:errcheck
		id := already.id
		if id < 0 {
			if id, err = findLoaded(ctx, l.pool, r.report.Dataset, sum); err != nil {
				return r.report, err
			}
		}
		return alreadyReport(path, r.report.Dataset, id), nil
	case errors.As(err, &rejected):
		tx.Rollback(ctx) //nolint:errcheck
		return l.recordRejected(ctx, r, size, sum, rejected.msg)
	case err != nil:
		return r.report, err
	}
	if err := sink.flush(ctx); err != nil {
		return r.report, err
	}
	if err := r.rejectDuplicates(ctx); err != nil {
		return r.report, fmt.Errorf("load of %s: %w", path, err)
	}
	if err := sink.flush(ctx); err != nil {
		return r.report, err
	}
	// The rows came from the file as it was while being read; if it changed meanwhile (still
	// being copied in, or overwritten) what was read matches neither version.
	if !unchangedSince(path, sum, stamp) {
		return r.report, fmt.Errorf("%s changed while it was being read (still being copied or overwritten?): nothing was loaded; load it again once it is complete", path)
	}
	if msg := r.checkShare(); msg != "" {
		tx.Rollback(ctx) //nolint:errcheck
		return l.recordRejected(ctx, r, size, sum, msg)
	}
	rep := &r.report
	var asOfArg any
	if !rep.AsOf.IsZero() {
		asOfArg = rep.AsOf
	}
	if _, err := tx.Exec(ctx, finishBatchSQL, sink.batchID, rep.RowsRead, rep.RowsLoaded, rep.RowsRejected, asOfArg,
		strings.Join(rep.Notes, "\n")); err != nil {
		return r.report, fmt.Errorf("finish batch for %s: %w", path, err)
	}
	if l.beforeCommit != nil {
		if err := l.beforeCommit(ctx); err != nil {
			return r.report, err
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return r.report, fmt.Errorf("commit load of %s: %w", path, err)
	}
	rep.BatchID = sink.batchID
	rep.FactsWritten = sink.facts
	l.log.Info("loaded", zap.String("file", path), zap.String("dataset", string(rep.Dataset)), zap.Int64("batch", rep.BatchID),
		zap.Int("rows", rep.RowsLoaded), zap.Int("rejected", rep.RowsRejected))
	return r.report, nil
}

func alreadyReport(path string, d ntm.Dataset, id int64) FileReport {
	return FileReport{File: path, Dataset: d, BatchID: id, AlreadyLoaded: true,
		Message: fmt.Sprintf("đã nạp trước đây: lô số %d", id)}
}

// recordRejected stores a file rejected whole as a 'rejected' batch, with its first row
// rejects, in a transaction of its own.
func (l *Loader) recordRejected(ctx context.Context, r *run, size int64, sum, msg string) (FileReport, error) {
	rep := &r.report
	rep.Rejected, rep.Message = true, msg
	d := string(rep.Dataset)
	if d == "" {
		d = "unknown"
	}
	err := pgx.BeginFunc(ctx, l.pool, func(tx pgx.Tx) error {
		var asOfArg any
		if !rep.AsOf.IsZero() {
			asOfArg = rep.AsOf
		}
		if err := tx.QueryRow(ctx, insertBatchSQL, d, r.sourceURI(), filepath.Base(r.path), size, sum, asOfArg, "rejected").Scan(&rep.BatchID); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE batch SET rows_read = $2, rows_loaded = 0, rows_rejected = $3, message = $4 WHERE id = $1`,
			rep.BatchID, rep.RowsRead, rep.RowsRejected, msg); err != nil {
			return err
		}
		return copyRejects(ctx, tx, rep.BatchID, rep.Rejects)
	})
	if err != nil {
		return r.report, fmt.Errorf("record rejected file %s: %w", r.path, err)
	}
	rep.RowsLoaded = 0
	// Info, not Warn: the caller gets the rejection in the report and tells the user (the CLI
	// in one stderr sentence); a warning here would add a JSON log line to that sentence.
	l.log.Info("file rejected", zap.String("file", r.path), zap.Int64("batch", rep.BatchID), zap.String("reason", msg))
	return r.report, nil
}

var rejectColumns = []string{"batch_id", "sheet", "row_no", "col", "reason", "raw"}

func copyRejects(ctx context.Context, q db.Querier, batchID int64, rs []Reject) error {
	if len(rs) == 0 {
		return nil
	}
	_, err := q.CopyFrom(ctx, pgx.Identifier{"rejected_row"}, rejectColumns, pgx.CopyFromSlice(len(rs), func(i int) ([]any, error) {
		return []any{batchID, rs[i].Sheet, rs[i].Row, rs[i].Column, rs[i].Reason, rs[i].Raw}, nil
	}))
	return err
}

// CheckFile parses a file as LoadFile would, without writing anything: the report says
// what would load and what would be rejected, and why.
func (l *Loader) CheckFile(ctx context.Context, path string, opts LoadOptions) (FileReport, error) {
	if opts.Dataset == ntm.DatasetUnits {
		rep, err := CheckUnits(ctx, l.pool, path, UnitsOptions{})
		return rep.FileReport, err
	}
	_, sum, err := fileInfo(path)
	if err != nil {
		return FileReport{File: path}, err
	}
	sink := &countSink{}
	r := l.newRun(path, opts, l.pool, sink)
	defer r.close()
	r.begin = func(ctx context.Context, d ntm.Dataset, _ time.Time) error {
		id, err := findLoaded(ctx, l.pool, d, sum)
		if err != nil {
			return &dbError{err}
		}
		if id != 0 {
			r.report.AlreadyLoaded, r.report.BatchID = true, id
			r.report.Notes = append(r.report.Notes, fmt.Sprintf("đã nạp trước đây: lô số %d (nạp lại sẽ không thay đổi gì)", id))
		}
		return nil
	}
	err = r.read(ctx)
	var rejected *fileRejected
	switch {
	case errors.As(err, &rejected):
		r.report.Rejected, r.report.Message = true, rejected.msg
		return r.report, nil
	case err != nil:
		return r.report, err
	}
	if err := r.rejectDuplicates(ctx); err != nil {
		return r.report, fmt.Errorf("check of %s: %w", path, err)
	}
	if msg := r.checkShare(); msg != "" {
		r.report.Rejected, r.report.Message = true, msg
		r.report.RowsLoaded = 0
	}
	r.report.FactsWritten = sink.facts
	return r.report, nil
}

// ---- the shared parse pipeline ----

type sink interface {
	fact(ctx context.Context, f factRow) error
	reject(ctx context.Context, r Reject) error
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
// Facts are written straight into COPY's text format (copytext.go) rather than kept as rows
// of values for pgx to encode: for a record-level export that saves two allocations and a
// dozen boxed values a row, most of the garbage collector's work and a fifth of a load's CPU.
type dbSink struct {
	tx       pgx.Tx
	batchID  int64
	buf      map[*factTable]*copyChunkBuf
	spare    []byte // the buffer of the last chunk sent, reused once its COPY is done
	rejects  []Reject
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
		if cb.data, err = appendCopyText(cb.data, v); err != nil {
			cb.data = cb.data[:start]
			return &dbError{fmt.Errorf("%s.%s: %w", f.table.Name, f.table.Columns[i], err)}
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

func (s *dbSink) reject(ctx context.Context, r Reject) error {
	s.rejects = append(s.rejects, r)
	if len(s.rejects) >= copyChunk {
		return s.flushRejects(ctx)
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
				done <- &dbError{fmt.Errorf("copy into %s failed: %v", t.Name, p)}
			}
		}()
		if _, err := s.tx.Conn().PgConn().CopyFrom(ctx, bytes.NewReader(data), sql); err != nil {
			done <- &dbError{fmt.Errorf("copy into %s: %w", t.Name, err)}
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

func (s *dbSink) flushRejects(ctx context.Context) error {
	if err := s.wait(); err != nil {
		return err
	}
	if err := copyRejects(ctx, s.tx, s.batchID, s.rejects); err != nil {
		return &dbError{fmt.Errorf("copy rejected rows: %w", err)}
	}
	s.rejects = s.rejects[:0]
	return nil
}

func (s *dbSink) flush(ctx context.Context) error {
	for t := range s.buf {
		if err := s.flushTable(ctx, t); err != nil {
			return err
		}
	}
	if err := s.wait(); err != nil {
		return unwrapDB(err)
	}
	return s.flushRejects(ctx)
}

// countSink only counts (CheckFile).
type countSink struct{ facts int }

func (s *countSink) fact(context.Context, factRow) error  { s.facts++; return nil }
func (s *countSink) reject(context.Context, Reject) error { return nil }
func (s *countSink) dropRows(_ context.Context, _ *factTable, _ []string, rows []duplicateRow) (map[sheetRow]string, error) {
	s.facts -= len(rows)
	return nil, nil
}

// run is one pass over a file.
type run struct {
	l    *Loader
	path string
	opts LoadOptions
	// keys collects the key hashes of a record-level export, checked for duplicates at the end.
	keys *keySpill
	// sheets are the file's sheets in reading order; sheetIndex is each one's place there.
	sheets     []string
	sheetIndex map[string]int32
	// units reads the unit index once the first table's dataset is known (see onTable).
	units  db.Querier
	idx    *UnitIndex
	sink   sink
	report FileReport
	// begin is called once, when the dataset and file as-of date are known.
	begin  func(ctx context.Context, d ntm.Dataset, asOf time.Time) error
	begun  bool
	tables map[*ingest.Table]*tableCtx
	aggs   []*procedureAggregate
	seen   map[uint64]rowRef
	seed   maphash.Seed
	hash   maphash.Hash // seeded with seed; reused for every row key
	// firstMiss remembers why the first table that was skipped did not fit.
	firstMiss string
}

type rowRef struct {
	sheet int32
	row   int32
}

func (l *Loader) newRun(path string, opts LoadOptions, units db.Querier, s sink) *run {
	seed := maphash.MakeSeed()
	r := &run{l: l, path: path, opts: opts, units: units, sink: s, report: FileReport{File: path, Dataset: opts.Dataset},
		tables: map[*ingest.Table]*tableCtx{}, seen: map[uint64]rowRef{}, seed: seed, sheetIndex: map[string]int32{}}
	r.hash.SetSeed(seed)
	return r
}

// close removes what the run keeps on disk.
func (r *run) close() {
	if r.keys != nil {
		r.keys.close()
	}
}

func (r *run) sourceURI() string {
	if r.opts.SourceURI != "" {
		return r.opts.SourceURI
	}
	if abs, err := filepath.Abs(r.path); err == nil {
		return abs
	}
	return r.path
}

func (r *run) candidateSpecs() []*Spec {
	if r.report.Dataset != "" {
		return SpecsFor(r.report.Dataset)
	}
	var ss []*Spec
	for _, s := range specs {
		if s.Dataset != ntm.DatasetUnits {
			ss = append(ss, s)
		}
	}
	return ss
}

// read streams the file through the row parsers into the sink.
func (r *run) read(ctx context.Context) error {
	ss := r.candidateSpecs()
	if len(ss) == 0 {
		return fmt.Errorf("dataset %q has no spec", r.opts.Dataset)
	}
	err := readRecoveredWith(ctx, r.l.Limits, r.path, scorerFor(ss), func(t *ingest.Table) error {
		if _, ok := r.sheetIndex[t.Sheet]; !ok {
			r.sheetIndex[t.Sheet] = int32(len(r.sheets))
			r.sheets = append(r.sheets, t.Sheet)
		}
		return r.onTable(ctx, t)
	}, func(t *ingest.Table, row ingest.Row) error {
		tc := r.tables[t]
		if tc == nil {
			return nil // a sheet that did not fit is skipped
		}
		return r.onRow(ctx, tc, row, r.sheetIndex[t.Sheet])
	})
	if err != nil {
		var rejected *fileRejected
		var already *alreadyLoaded
		var dbe *dbError
		switch {
		case errors.As(err, &rejected), errors.As(err, &already):
			return err
		case errors.As(err, &dbe):
			return dbe.err
		case ctx.Err() != nil:
			return fmt.Errorf("load of %s cancelled: %w", r.path, ctx.Err())
		case errors.Is(err, ingest.ErrNoHeader):
			return rejectFile("không tìm thấy dòng tiêu đề của bảng: %s", expectedColumns(r.candidateSpecs()))
		}
		return rejectFile("không đọc được tệp: %v", err)
	}
	if !r.begun {
		if r.firstMiss != "" {
			return rejectFile("%s", r.firstMiss)
		}
		return rejectFile("không tìm thấy dòng tiêu đề của bảng: %s", expectedColumns(r.candidateSpecs()))
	}
	// Rows that named old units: one note per old unit and its successor.
	if r.idx != nil {
		r.report.Notes = append(r.report.Notes, r.idx.Notes()...)
	}
	// Aggregated shapes emit their facts at the end.
	for _, a := range r.aggs {
		for _, f := range a.facts() {
			if err := r.sink.fact(ctx, f); err != nil {
				return unwrapDB(err)
			}
		}
	}
	return nil
}

func unwrapDB(err error) error {
	var dbe *dbError
	if errors.As(err, &dbe) {
		return dbe.err
	}
	return err
}

// readRecovered calls ingest.ReadFile, turning a panic in a reader into an error: a
// malformed file must never crash the pipeline.
func readRecovered(ctx context.Context, path string, score ingest.HeaderScorer, onTable func(*ingest.Table) error,
	onRow func(*ingest.Table, ingest.Row) error) (err error) {
	return readRecoveredWith(ctx, ingest.Limits{}, path, score, onTable, onRow)
}

// readRecoveredWith is readRecovered with the reader's size and expansion limits.
func readRecoveredWith(ctx context.Context, lim ingest.Limits, path string, score ingest.HeaderScorer, onTable func(*ingest.Table) error,
	onRow func(*ingest.Table, ingest.Row) error) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("tệp hỏng hoặc không đúng định dạng (%v)", p)
		}
	}()
	return ingest.Reader{Limits: lim}.ReadFile(ctx, path, score, onTable, onRow)
}

func (r *run) onTable(ctx context.Context, t *ingest.Table) error {
	if t.Encoding != "" && !strings.HasPrefix(t.Encoding, "UTF-16") {
		r.report.Notes = append(r.report.Notes, fmt.Sprintf("tệp dùng bảng mã cũ %s, đã được chuyển sang Unicode", t.Encoding))
	}
	var m *HeaderMatch
	if r.begun {
		// Later sheets must hold the dataset chosen by the first.
		ms, err := DetectDataset(t.Columns, SpecsFor(r.report.Dataset))
		if err != nil {
			r.report.Notes = append(r.report.Notes, fmt.Sprintf("bỏ qua trang %q: %v", t.Sheet, err))
			return ingest.ErrSkipSheet
		}
		m = ms
	} else {
		ms, err := DetectDataset(t.Columns, r.candidateSpecs())
		if err != nil {
			msg := err.Error()
			if t.Sheet != "" {
				msg = fmt.Sprintf("trang %q: %s", t.Sheet, msg)
			}
			if r.firstMiss == "" {
				r.firstMiss = msg
			}
			r.report.Notes = append(r.report.Notes, "bỏ qua "+msg)
			return ingest.ErrSkipSheet
		}
		m = ms
	}
	tc := &tableCtx{table: t, match: m, spec: m.Spec}
	if !r.begun {
		r.report.Dataset, r.report.Shape = m.Spec.Dataset, m.Spec.Shape
	}
	ref := r.l.Now().UTC()
	ref = ntm.Date(ref.Year(), ref.Month(), ref.Day())
	// As-of date: column, else title, else --as-of, else the end of --period.
	tc.fileAsOf = preambleAsOf(t.Preamble)
	if tc.fileAsOf.IsZero() {
		tc.fileAsOf = r.opts.AsOf
	}
	if tc.fileAsOf.IsZero() && r.opts.Period.Year != 0 {
		tc.fileAsOf = r.opts.Period.End()
	}
	if !tc.fileAsOf.IsZero() {
		ref = tc.fileAsOf
	}
	tc.refDate = ref
	if datasetNeedsAsOf(m.Spec.Dataset) {
		if _, ok := m.Col["as_of"]; !ok && tc.fileAsOf.IsZero() {
			return rejectFile("không xác định được ngày số liệu: thêm cột \"Ngày số liệu\", dòng tiêu đề \"Số liệu đến ngày dd/mm/yyyy\", hoặc chạy lại với --as-of dd/mm/yyyy (hoặc --period)")
		}
	}
	if m.Spec.Dataset == ntm.DatasetDVCDossiers {
		tc.periodFrom, tc.periodTo, tc.periodLabel = preamblePeriod(t.Preamble)
		if tc.periodFrom.IsZero() && r.opts.Period.Year != 0 {
			tc.periodFrom, tc.periodTo, tc.periodLabel = r.opts.Period.Start(), r.opts.Period.End(),
				fmt.Sprintf("Tháng %d/%d", int(r.opts.Period.Month), r.opts.Period.Year)
		}
		_, hasLabel := m.Col["period_label"]
		_, hasFrom := m.Col["period_from"]
		if !hasLabel && !hasFrom && tc.periodFrom.IsZero() {
			return rejectFile("không xác định được kỳ báo cáo: thêm cột \"Kỳ báo cáo\" (hoặc \"Từ ngày\" và \"Đến ngày\"), ghi kỳ trong tiêu đề (ví dụ \"Quý III/2026\"), hoặc chạy lại với --period YYYY-MM")
		}
	}
	if r.idx == nil {
		idx, err := LoadUnitIndex(ctx, r.units, datasetNamesVillages(m.Spec.Dataset))
		if err != nil {
			return &dbError{err}
		}
		r.idx = idx
	}
	tc.province, tc.district, tc.commune = contextFromPreamble(r.idx, append(slicesClone(t.Preamble), t.File), ref)
	if m.Spec.Shape == "procedure_list" {
		tc.agg = &procedureAggregate{byKey: map[string]*procedureCounts{}}
		r.aggs = append(r.aggs, tc.agg)
	}
	r.tables[t] = tc
	if !r.begun {
		r.report.Dataset, r.report.Shape = m.Spec.Dataset, m.Spec.Shape
		r.report.AsOf = tc.fileAsOf
		if err := r.begin(ctx, m.Spec.Dataset, tc.fileAsOf); err != nil {
			return err
		}
		r.begun = true
	}
	return nil
}

func slicesClone(s []string) []string { return append([]string(nil), s...) }

// subtotalWords are row labels that mark totals the reader may have let through.
var subtotalWords = map[string]bool{"cộng": true, "tổng cộng": true, "toàn tỉnh": true, "tổng": true, "tổng số": true,
	"cộng toàn tỉnh": true, "tổng toàn tỉnh": true}

// isSubtotal reports whether a unit cell is a total label; cheap for ordinary names.
func isSubtotal(s string) bool {
	s = strings.TrimSpace(s)
	if len(s) == 0 || len(s) > 40 || !strings.ContainsRune("cCtT", rune(s[0])) {
		return false
	}
	return subtotalWords[headerWords(s)]
}

// identityFields only say which unit a row is about; a row with nothing else carries no data.
var identityFields = map[string]bool{
	"district": true, "district_code": true, "commune": true, "commune_code": true,
	"village": true, "village_code": true, "unit": true, "unit_code": true, "stt": true,
}

func (r *run) onRow(ctx context.Context, tc *tableCtx, row ingest.Row, sheet int32) error {
	p := &rowParser{tc: tc, row: row, idx: r.idx, unitDate: tc.refDate}
	// A row with nothing in any recognised column is not data; nor is one that only names its
	// unit (a pre-listed row of a fill-in template the district left blank): its unit simply has
	// no data, which evaluation reports as such, instead of a reject that could fail the file.
	empty, subtotal := true, false
	if tc.cols == nil {
		for f, i := range tc.match.Col {
			tc.cols = append(tc.cols, fieldCol{field: f, col: i, identity: identityFields[f],
				unitField: f == "unit" || f == "commune" || f == "village" || f == "district"})
		}
	}
	for _, fc := range tc.cols {
		i := fc.col
		if i >= 0 && i < len(row.Cells) && strings.TrimSpace(row.Cells[i]) != "" {
			if !fc.identity {
				empty = false
			}
			if fc.unitField && isSubtotal(row.Cells[i]) {
				subtotal = true
			}
		}
	}
	if empty || subtotal {
		return nil
	}
	r.report.RowsRead++
	res, rerr := safeParse(tc.spec.parse, p)
	if rerr == nil && res.key != "" {
		r.hash.Reset()
		r.hash.WriteString(string(tc.spec.Dataset))
		r.hash.WriteByte(0)
		r.hash.WriteString(res.key)
		h := r.hash.Sum64()
		if spilledKeyTables[tc.spec.Dataset] != nil {
			if r.keys == nil {
				r.keys = &keySpill{}
			}
			if err := r.keys.add(h, uint32(sheet), row.Num); err != nil {
				return err
			}
		} else if first, dup := r.seen[h]; dup {
			rerr = &rowError{reason: duplicateReason(tc.spec.Dataset, int(first.row), first.sheet != sheet)}
		} else {
			r.seen[h] = rowRef{sheet: sheet, row: int32(row.Num)}
		}
	}
	if rerr != nil {
		r.report.RowsRejected++
		rej := Reject{Sheet: row.Sheet, Row: row.Num, Reason: rerr.reason, Raw: rawRow(row.Cells)}
		if rerr.field != "" {
			rej.Column = p.label(rerr.field)
		}
		if len(r.report.Rejects) < RejectsKept {
			r.report.Rejects = append(r.report.Rejects, rej)
		}
		if err := r.sink.reject(ctx, rej); err != nil {
			return err
		}
	} else {
		r.report.RowsLoaded++
		if res.apply != nil {
			res.apply()
		}
		for _, f := range res.facts {
			if err := r.sink.fact(ctx, f); err != nil {
				return err
			}
		}
		if tc.fileAsOf.IsZero() && res.date.After(r.report.AsOf) {
			r.report.AsOf = res.date
		}
	}
	if r.l.afterRow != nil {
		r.l.afterRow(ctx, r.report.RowsRead)
	}
	r.opts.Progress.report(r.report.RowsRead)
	return ctx.Err()
}

// safeParse runs a row parser, turning a panic (a bug, or input nobody foresaw) into a
// row reject instead of a crash.
func safeParse(f rowParseFunc, p *rowParser) (res parsed, rerr *rowError) {
	defer func() {
		if x := recover(); x != nil {
			res, rerr = parsed{}, &rowError{reason: fmt.Sprintf("không đọc được dòng (lỗi nội bộ: %v)", x)}
		}
	}()
	return f(p)
}

// duplicateReason says a row repeats the key of row firstRow (of another sheet when otherSheet).
func duplicateReason(d ntm.Dataset, firstRow int, otherSheet bool) string {
	where := fmt.Sprintf("dòng %d", firstRow)
	if otherSheet {
		where = fmt.Sprintf("một dòng ở trang khác (dòng %d)", firstRow)
	}
	return fmt.Sprintf("trùng khóa với %s (%s)", where, describeKey(d))
}

// spilledKeyTables are the datasets whose duplicate keys are checked with keySpill (memory
// bounded) instead of an in-memory set, with the table their rows' one fact each goes to:
// record-level exports, the one dataset whose files run to millions of rows.
var spilledKeyTables = map[ntm.Dataset]*factTable{ntm.DatasetDVCDossierRecords: tRecords}

// rejectDuplicates, after the whole file was read, turns the rows that repeat an earlier row's
// key into rejects, as the in-memory check does while reading: the earliest row is kept.
func (r *run) rejectDuplicates(ctx context.Context) error {
	if r.keys == nil {
		return nil
	}
	d := r.report.Dataset
	var chunk []duplicateRow
	flush := func() error {
		if len(chunk) == 0 {
			return nil
		}
		raw, err := r.sink.dropRows(ctx, spilledKeyTables[d], r.sheets, chunk)
		if err != nil {
			return err
		}
		for _, dup := range chunk {
			r.report.RowsLoaded--
			r.report.RowsRejected++
			sheet := r.sheets[dup.sheet]
			rej := Reject{Sheet: sheet, Row: dup.row, Reason: duplicateReason(d, dup.firstRow, dup.firstSheet != dup.sheet),
				Raw: raw[sheetRow{sheet, dup.row}]}
			if len(r.report.Rejects) < RejectsKept {
				r.report.Rejects = append(r.report.Rejects, rej)
			}
			if err := r.sink.reject(ctx, rej); err != nil {
				return err
			}
		}
		chunk = chunk[:0]
		return nil
	}
	err := r.keys.duplicates(func(dup duplicateRow) error {
		chunk = append(chunk, dup)
		if len(chunk) >= copyChunk {
			return flush()
		}
		return nil
	})
	if err != nil {
		return err
	}
	if err := flush(); err != nil {
		return err
	}
	// Duplicates come out in key order; the report lists rejects in file order.
	slices.SortStableFunc(r.report.Rejects, func(a, b Reject) int {
		if c := cmp.Compare(r.sheetIndex[a.Sheet], r.sheetIndex[b.Sheet]); c != 0 {
			return c
		}
		return cmp.Compare(a.Row, b.Row)
	})
	return nil
}

func describeKey(d ntm.Dataset) string {
	switch d {
	case ntm.DatasetVpostcode, ntm.DatasetVillageSurvey:
		return "cùng thôn và ngày số liệu"
	case ntm.DatasetOCOPProducts:
		return "cùng mã sản phẩm, hoặc cùng tên, chủ thể và xã"
	case ntm.DatasetOCOPListings:
		return "cùng sản phẩm và sàn"
	case ntm.DatasetDVCProcedures:
		return "cùng đơn vị và ngày số liệu"
	case ntm.DatasetDVCDossiers:
		return "cùng đơn vị và kỳ báo cáo"
	case ntm.DatasetDVCDossierRecords:
		return "cùng mã hồ sơ"
	}
	return "cùng khóa"
}

func rawRow(cells []string) string {
	s := strings.Join(cells, " | ")
	if len(s) > 500 {
		s = s[:500]
		for len(s) > 0 && !utf8.ValidString(s) {
			s = s[:len(s)-1]
		}
		s += "…"
	}
	return s
}

// checkShare returns the whole-file reject message when too many rows were rejected.
func (r *run) checkShare() string {
	rep := &r.report
	share := r.opts.MaxRejectShare
	if share <= 0 {
		share = DefaultMaxRejectShare
	}
	if rep.RowsRead == 0 {
		return fmt.Sprintf("không có dòng dữ liệu nào dưới dòng tiêu đề; %s", expectedColumns(SpecsFor(rep.Dataset)))
	}
	if float64(rep.RowsRejected) > share*float64(rep.RowsRead) {
		first := ""
		if len(rep.Rejects) > 0 {
			first = "; lỗi đầu tiên: " + rep.Rejects[0].String()
		}
		return fmt.Sprintf("%d/%d dòng bị loại (quá %d%%), tệp không được nạp; kiểm tra các cột %s%s",
			rep.RowsRejected, rep.RowsRead, int(share*100+0.5), strings.Join(SpecsFor(rep.Dataset)[0].RequiredLabels(), ", "), first)
	}
	return ""
}
