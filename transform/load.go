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
	"ntm/faults"
	"ntm/ingest"
	"ntm/msg"
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
	// Replace is the batch this load replaces (ntm ingest --reload N, the console's "Nạp lại"):
	// the file must hold batch N's dataset and may be the same bytes; in the load's transaction
	// batch N becomes 'replaced' (its facts stop counting, nothing is deleted) and points at the
	// new batch. A load rejected whole replaces nothing. 0 = an ordinary load.
	Replace int64

	// monthFirst reads a/b/y dates month first (set by the loader when the file proves it),
	// and monthProof is the value that did.
	monthFirst bool
	monthProof string
}

// Reject is one row that was not loaded.
type Reject struct {
	Sheet  string
	Row    int
	Column string // the header of the column at fault, "" for the whole row
	Reason string // Vietnamese, for the office
	Raw    string // the row's cells, joined with " | "
	// Cells are the row's cells as read (storable), for the rejected-rows workbook.
	Cells []string
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
	// RowsRead counts every row read from the sheets that hold the table (see account.go):
	// RowsRead = RowsLoaded + RowsRejected + RowsSkipped for a loaded file or a check. For a
	// file rejected whole RowsLoaded is 0, and the rows that were fine are in none of the three.
	RowsRead     int
	RowsLoaded   int
	RowsRejected int
	RowsSkipped  int // titles, headers, column numbers, groups, subtotals, signatures, blank rows
	FactsWritten int // facts stored (a product row with platform columns also yields listings)
	Rejects      []Reject
	// Skipped lists the rows skipped as not data, in runs (the first SkippedKept runs).
	Skipped []SkippedRows
	// SkippedSheets are the sheets not read at all (hidden, without a header, another dataset).
	SkippedSheets []SkippedSheet
	// Replaced is the batch this load replaced (LoadOptions.Replace), 0 for none.
	Replaced int64
	Rejected bool   // the file was rejected whole (nothing loaded)
	Message  string // Vietnamese: why the file was rejected, or that it was already loaded
	Notes    []string

	monthProof string // set with errMonthFirst: the value proving the month comes first
}

// conserved checks the guarantee rows read = loaded + rejected + skipped: a file for which it
// does not hold is not loaded (a bug of ntm, which must never lose a row silently).
func (r FileReport) conserved() error {
	if r.RowsRead == r.RowsLoaded+r.RowsRejected+r.RowsSkipped {
		return nil
	}
	return ntm.Wrap(ntm.CodeInternal, fmt.Errorf("%s: rows read %d ≠ loaded %d + rejected %d + skipped %d", r.File, r.RowsRead, r.RowsLoaded, r.RowsRejected, r.RowsSkipped),
		"Lỗi nội bộ của ntm khi nạp tệp %s: số dòng đọc được không khớp số dòng đã nạp, bị loại và bỏ qua, nên tệp không được nạp; báo cho người quản trị kèm tệp này.", filepath.Base(r.File))
}

// DataRows is the number of rows that were data: loaded or rejected.
func (r FileReport) DataRows() int { return r.RowsLoaded + r.RowsRejected }

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

// alreadyLoaded stops a load whose bytes are already in a batch (by: the batch that replaced it).
type alreadyLoaded struct{ id, by int64 }

func (e *alreadyLoaded) Error() string { return fmt.Sprintf("already loaded as batch %d", e.id) }

// dbError marks a database failure inside the row callbacks, so it is not mistaken for bad input.
type dbError struct{ err error }

func (e *dbError) Error() string { return e.err.Error() }
func (e *dbError) Unwrap() error { return e.err }

// fileInfo is the size and SHA-256 of a file (the units import).
func fileInfo(path string) (size int64, sum string, err error) {
	return fileInfoCtx(context.Background(), path)
}

// fileInfoCtx is fileInfo stopping when ctx does.
func fileInfoCtx(ctx context.Context, path string) (size int64, sum string, err error) {
	size, sum, _, err = fileInfoStamped(ctx, path)
	return size, sum, err
}

// fileInfoStamped is fileInfo plus the file's metadata as it was before the bytes were
// hashed, for unchangedSince. What is not a regular file (a FIFO, /dev/zero) is refused before
// it is opened, and a long hash stops when ctx does.
func fileInfoStamped(ctx context.Context, path string) (size int64, sum string, before os.FileInfo, err error) {
	if err := ingest.CheckRegular(path); err != nil {
		return 0, "", nil, err
	}
	f, err := os.Open(path)
	if err != nil {
		return 0, "", nil, ingest.ReadError(path, err)
	}
	defer f.Close()
	if before, err = f.Stat(); err != nil {
		return 0, "", nil, ingest.ReadError(path, err)
	}
	h := sha256.New()
	buf := make([]byte, 1<<20)
	var n int64
	for {
		if err := ctx.Err(); err != nil {
			return 0, "", nil, err
		}
		k, rerr := f.Read(buf)
		h.Write(buf[:k])
		n += int64(k)
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			return 0, "", nil, ingest.ReadError(path, rerr)
		}
	}
	return n, hex.EncodeToString(h.Sum(nil)), before, nil
}

// unchangedSince reports whether path still holds the bytes hashed as sum: same file, size and
// modification time. Any write, truncation or replacement changes one of them, so for a big
// file the check costs a stat instead of hashing it again (a fifth of a second for a
// 1,000,000-row export). Small files are hashed again anyway: it is cheap, and a rewrite within
// one tick of the file system's clock keeps the modification time.
func unchangedSince(ctx context.Context, path, sum string, before os.FileInfo) bool {
	now, err := os.Stat(path)
	if err != nil || !os.SameFile(before, now) || now.Size() != before.Size() || !now.ModTime().Equal(before.ModTime()) {
		return false
	}
	if now.Size() < 16<<20 {
		_, again, err := fileInfoCtx(ctx, path)
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

//go:embed sql/finish_load_batch.sql
var finishLoadBatchSQL string

//go:embed sql/insert_load_batch.sql
var insertLoadBatchSQL string

//go:embed sql/replace_batch.sql
var replaceBatchSQL string

// findLoaded returns the batch that already holds these bytes for dataset, or 0 (the units
// import).
func findLoaded(ctx context.Context, q db.Querier, dataset ntm.Dataset, sum string) (int64, error) {
	id, _, err := findBatch(ctx, q, dataset, sum, 0)
	return id, err
}

// findBatch returns the batch that already holds these bytes for dataset (0 for none) and, when
// that batch was replaced, the batch that replaced it. A reload of batch replace looks only at
// batches that count or were revoked, other than the one it replaces.
func findBatch(ctx context.Context, q db.Querier, dataset ntm.Dataset, sum string, replace int64) (id, replacedBy int64, err error) {
	var by *int64
	err = q.QueryRow(ctx, findBatchSQL, string(dataset), sum, replace).Scan(&id, &by)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, 0, nil
	}
	if err != nil {
		return 0, 0, fmt.Errorf("look up earlier batches: %w", err)
	}
	if by != nil {
		replacedBy = *by
	}
	return id, replacedBy, nil
}

// LoadFile loads one file as one batch, in one transaction (docs/datasets.md, "Batches"). Bad input is
// not an error: the report says what was rejected (rows, or the whole file, which is then
// recorded as a 'rejected' batch). An error means the load could not be done — the file is
// missing, the machine or the database failed, the load was cancelled — and nothing was
// written; it is an *ntm.Error whose code says whose fault it was (package faults).
func (l *Loader) LoadFile(ctx context.Context, path string, opts LoadOptions) (rep FileReport, err error) {
	// A panic anywhere in a load (a reader, a parser, the database driver) fails this file
	// only: the transaction is rolled back by the deferred Rollback and the caller (the
	// daemon) goes on.
	defer func() {
		if p := recover(); p != nil {
			l.log.Error("load panicked", zap.String("file", path), zap.Any("panic", p))
			rep, err = FileReport{File: path}, ntm.Wrap(ntm.CodeInternal, fmt.Errorf("load of %s panicked: %v", path, p),
				"Lỗi nội bộ của ntm khi nạp tệp %s: không có gì được nạp từ tệp; hãy gửi tệp này cho người quản trị.", filepath.Base(path))
		}
		if err != nil {
			err = faults.OrInternal(err, "nạp tệp %s", filepath.Base(path))
			// The caller tells the user; the log keeps the cause. A machine's fault is a warning
			// for the operator, a missing file or a cancellation is not.
			log := l.log.Info
			if faults.IsMachine(err) && !errors.Is(err, context.Canceled) || ntm.ErrorCode(err) == ntm.CodeInternal {
				log = l.log.Warn
			}
			log("load failed", zap.String("file", path), zap.String("code", string(ntm.ErrorCode(err))), zap.Error(errors.Unwrap(err)))
		}
	}()
	if opts, err = l.reloadOptions(ctx, opts); err != nil {
		return FileReport{File: path}, err
	}
	rep, err = l.loadFile(ctx, path, opts)
	if errors.Is(err, errMonthFirst) {
		// The file writes its dates month first: read it again so (dateorder.go).
		opts.monthFirst, opts.monthProof = true, rep.monthProof
		rep, err = l.loadFile(ctx, path, opts)
		rep.Notes = append(rep.Notes, monthFirstNote(opts.monthProof))
	}
	return rep, err
}

func monthFirstNote(proof string) string {
	return fmt.Sprintf("tệp ghi ngày theo kiểu tháng/ngày/năm (ví dụ %s): mọi ngày dạng số trong tệp được đọc theo kiểu đó", proof)
}

// reloadOptions checks a reload's batch before anything is read, and takes its dataset when
// none was given.
func (l *Loader) reloadOptions(ctx context.Context, opts LoadOptions) (LoadOptions, error) {
	if opts.Replace == 0 {
		return opts, nil
	}
	b, err := GetBatch(ctx, l.pool, opts.Replace)
	if err != nil {
		return opts, err
	}
	if err := replaceable(b, opts.Dataset); err != nil {
		return opts, err
	}
	opts.Dataset = ntm.Dataset(b.Dataset)
	return opts, nil
}

// replaceable says why batch b cannot be replaced by a file of dataset d ("" = detect).
func replaceable(b Batch, d ntm.Dataset) error {
	switch {
	case b.Dataset == string(ntm.DatasetUnits):
		return ntm.Errorf(ntm.CodeInvalid, "Lô số %d là danh mục đơn vị hành chính: nhập lại danh mục bằng ntm units import, không dùng --reload.", b.ID)
	case d != "" && string(d) != b.Dataset:
		return ntm.Errorf(ntm.CodeInvalid, "Lô số %d là dữ liệu %s, không phải %s: chỉ nạp lại được bằng tệp cùng loại dữ liệu.", b.ID, b.Dataset, d)
	case b.Status == "replaced":
		return ntm.Errorf(ntm.CodeConflict, "Lô số %d đã được thay bằng lô số %d: nếu cần, nạp lại lô số %d.", b.ID, batchID(b.ReplacedBy), batchID(b.ReplacedBy))
	case b.Status == "revoked":
		return ntm.Errorf(ntm.CodeConflict, "Lô số %d đã bị thu hồi: không có gì để thay; nạp tệp đã sửa như bình thường (không cần --reload).", b.ID)
	case b.Status == "rejected":
		return ntm.Errorf(ntm.CodeConflict, "Lô số %d bị từ chối toàn bộ và không có dữ liệu để thay: nạp tệp đã sửa như bình thường (không cần --reload).", b.ID)
	case b.Status != "loaded":
		return ntm.Errorf(ntm.CodeConflict, "Lô số %d (trạng thái %s) không nạp lại được.", b.ID, b.Status)
	}
	return nil
}

func batchID(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}

func (l *Loader) loadFile(ctx context.Context, path string, opts LoadOptions) (FileReport, error) {
	if opts.Dataset == ntm.DatasetUnits {
		rep, err := ImportUnits(ctx, l.pool, path, UnitsOptions{SourceURI: opts.SourceURI})
		return rep.FileReport, err
	}
	size, sum, stamp, err := fileInfoStamped(ctx, path)
	if err != nil {
		return FileReport{File: path}, err
	}
	if opts.Dataset != "" {
		if id, by, err := findBatch(ctx, l.pool, opts.Dataset, sum, opts.Replace); err != nil || id != 0 {
			return alreadyReportBy(path, opts.Dataset, id, by), err
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
	r.keepRows()
	defer r.close()
	r.begin = func(ctx context.Context, d ntm.Dataset, asOf time.Time) error {
		id, by, err := findBatch(ctx, tx, d, sum, opts.Replace)
		if err != nil {
			return &dbError{err}
		}
		if id != 0 {
			return &alreadyLoaded{id, by}
		}
		var asOfArg any
		if !asOf.IsZero() {
			asOfArg = asOf
		}
		var newID any
		if opts.Replace != 0 {
			// In the load's transaction: the replaced batch stops counting exactly when the
			// new one starts to.
			var id int64
			if err := tx.QueryRow(ctx, replaceBatchSQL, opts.Replace).Scan(&id); err != nil {
				if errors.Is(err, pgx.ErrNoRows) {
					b, gerr := GetBatch(ctx, tx, opts.Replace)
					if gerr != nil {
						return gerr
					}
					if rerr := replaceable(b, d); rerr != nil {
						return rerr
					}
				}
				return &dbError{fmt.Errorf("replace batch %d: %w", opts.Replace, err)}
			}
			newID = id
			r.report.Replaced = opts.Replace
		}
		err = tx.QueryRow(ctx, insertLoadBatchSQL, string(d), storable(r.sourceURI()), storable(filepath.Base(path)), size, sum, asOfArg, "loaded", newID).Scan(&sink.batchID)
		if err != nil {
			var pe *pgconn.PgError
			if errors.As(err, &pe) && pe.Code == "23505" { // loaded meanwhile by another process
				return &alreadyLoaded{-1, 0}
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
	case errors.Is(err, errMonthFirst):
		tx.Rollback(ctx) //nolint:errcheck
		return FileReport{File: path, monthProof: r.dates.monthProof}, err
	case errors.As(err, &already):
		tx.Rollback(ctx) //nolint:errcheck
		id, by := already.id, already.by
		if id < 0 {
			if id, by, err = findBatch(ctx, l.pool, r.report.Dataset, sum, opts.Replace); err != nil {
				return r.report, err
			}
		}
		return alreadyReportBy(path, r.report.Dataset, id, by), nil
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
	if !unchangedSince(ctx, path, sum, stamp) {
		return r.report, ntm.Errorf(ntm.CodeConflict, "Tệp %s đã thay đổi trong lúc đang đọc (đang được chép vào, hoặc bị ghi đè?): không có gì được nạp; nạp lại khi tệp đã chép xong.", filepath.Base(path))
	}
	if err := r.report.conserved(); err != nil {
		return r.report, err
	}
	if msg := r.checkShare(); msg != "" {
		tx.Rollback(ctx) //nolint:errcheck
		return l.recordRejected(ctx, r, size, sum, msg)
	}
	rep := &r.report
	if err := r.storeRows(ctx, tx, sink.batchID); err != nil {
		return r.report, err
	}
	var asOfArg any
	if !rep.AsOf.IsZero() {
		asOfArg = rep.AsOf
	}
	if _, err := tx.Exec(ctx, finishLoadBatchSQL, sink.batchID, rep.RowsRead, rep.RowsLoaded, rep.RowsRejected, asOfArg,
		strings.Join(rep.Notes, "\n"), rep.RowsSkipped); err != nil {
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
		zap.Int("rows", rep.RowsLoaded), zap.Int("rejected", rep.RowsRejected), zap.Int("skipped", rep.RowsSkipped),
		zap.Int64("replaced", rep.Replaced))
	return r.report, nil
}

// storeRows writes the batch's rejected and skipped rows and its sheets, in tx.
func (r *run) storeRows(ctx context.Context, tx pgx.Tx, batchID int64) error {
	if err := r.rejectSpill.copyTo(ctx, tx, batchID); err != nil {
		return fmt.Errorf("store rejected rows: %w", err)
	}
	if err := r.skipSpill.copyTo(ctx, tx, batchID); err != nil {
		return fmt.Errorf("store skipped rows: %w", err)
	}
	rows := make([][]any, len(r.fileSheets))
	for i, s := range r.fileSheets {
		var top, bottom, cols, fields any
		if s.readAs == "table" || s.readAs == "not_matched" {
			top, bottom, cols = s.table.HeaderTop, s.table.HeaderBottom, storableAll(s.table.Columns)
		}
		if s.readAs == "table" {
			fields = s.fields
		}
		rows[i] = []any{batchID, i, storable(s.sheet), s.readAs, s.note, top, bottom, cols, fields}
	}
	_, err := tx.CopyFrom(ctx, pgx.Identifier{"batch_sheet"},
		[]string{"batch_id", "position", "sheet", "read_as", "note", "header_top", "header_bottom", "columns", "fields"}, pgx.CopyFromRows(rows))
	if err != nil {
		return fmt.Errorf("store the file's sheets: %w", err)
	}
	return nil
}

func alreadyReport(path string, d ntm.Dataset, id int64) FileReport {
	return alreadyReportBy(path, d, id, 0)
}

// alreadyReportBy is alreadyReport for a batch that batch by replaced (0: none).
func alreadyReportBy(path string, d ntm.Dataset, id, by int64) FileReport {
	m := msg.AlreadyLoaded(id)
	if by != 0 {
		m = msg.AlreadyLoadedReplaced(id, by)
	}
	return FileReport{File: path, Dataset: d, BatchID: id, AlreadyLoaded: true, Message: m}
}

// recordRejected stores a file rejected whole as a 'rejected' batch, with all its row rejects,
// skipped rows and sheets, in a transaction of its own.
func (l *Loader) recordRejected(ctx context.Context, r *run, size int64, sum, msg string) (FileReport, error) {
	rep := &r.report
	rep.Rejected, rep.Message = true, msg
	rep.Replaced = 0 // a rejected load replaces nothing
	d := string(rep.Dataset)
	if d == "" {
		d = "unknown"
	}
	err := pgx.BeginFunc(ctx, l.pool, func(tx pgx.Tx) error {
		var asOfArg any
		if !rep.AsOf.IsZero() {
			asOfArg = rep.AsOf
		}
		if err := tx.QueryRow(ctx, insertLoadBatchSQL, d, storable(r.sourceURI()), storable(filepath.Base(r.path)), size, sum, asOfArg, "rejected", nil).Scan(&rep.BatchID); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE batch SET rows_read = $2, rows_loaded = 0, rows_rejected = $3, rows_skipped = $5, message = $4 WHERE id = $1`,
			rep.BatchID, rep.RowsRead, rep.RowsRejected, msg, rep.RowsSkipped); err != nil {
			return err
		}
		return r.storeRows(ctx, tx, rep.BatchID)
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

// copyRejects stores rejects with COPY (the units import).
func copyRejects(ctx context.Context, q db.Querier, batchID int64, rs []Reject) error {
	if len(rs) == 0 {
		return nil
	}
	_, err := q.CopyFrom(ctx, pgx.Identifier{"rejected_row"}, rejectColumns, pgx.CopyFromSlice(len(rs), func(i int) ([]any, error) {
		return []any{batchID, storable(rs[i].Sheet), rs[i].Row, storable(rs[i].Column), rs[i].Reason, storable(rs[i].Raw)}, nil
	}))
	return err
}

// CheckFile parses a file as LoadFile would, without writing anything: the report says
// what would load, what would be rejected and why, and what would be skipped. It runs the same
// validation as a load, what the database would refuse included.
func (l *Loader) CheckFile(ctx context.Context, path string, opts LoadOptions) (rep FileReport, err error) {
	defer func() {
		if err != nil {
			err = faults.OrInternal(err, "kiểm tra tệp %s", filepath.Base(path))
		}
	}()
	if opts.Dataset == ntm.DatasetUnits {
		rep, err := CheckUnits(ctx, l.pool, path, UnitsOptions{})
		return rep.FileReport, err
	}
	if opts, err = l.reloadOptions(ctx, opts); err != nil {
		return FileReport{File: path}, err
	}
	rep, err = l.checkFile(ctx, path, opts)
	if errors.Is(err, errMonthFirst) {
		opts.monthFirst, opts.monthProof = true, rep.monthProof
		rep, err = l.checkFile(ctx, path, opts)
		rep.Notes = append(rep.Notes, monthFirstNote(opts.monthProof))
	}
	return rep, err
}

func (l *Loader) checkFile(ctx context.Context, path string, opts LoadOptions) (FileReport, error) {
	_, sum, err := fileInfoCtx(ctx, path)
	if err != nil {
		return FileReport{File: path}, err
	}
	sink := &countSink{}
	r := l.newRun(path, opts, l.pool, sink)
	defer r.close()
	r.begin = func(ctx context.Context, d ntm.Dataset, _ time.Time) error {
		id, by, err := findBatch(ctx, l.pool, d, sum, opts.Replace)
		if err != nil {
			return &dbError{err}
		}
		if id != 0 {
			a := alreadyReportBy(path, d, id, by)
			r.report.AlreadyLoaded, r.report.BatchID = true, id
			r.report.Notes = append(r.report.Notes, a.Message+" (nạp lại sẽ không thay đổi gì)")
		}
		return nil
	}
	err = r.read(ctx)
	var rejected *fileRejected
	switch {
	case errors.Is(err, errMonthFirst):
		return FileReport{File: path, monthProof: r.dates.monthProof}, err
	case errors.As(err, &rejected):
		r.report.Rejected, r.report.Message = true, rejected.msg
		return r.report, nil
	case err != nil:
		return r.report, err
	}
	if err := r.rejectDuplicates(ctx); err != nil {
		return r.report, fmt.Errorf("check of %s: %w", path, err)
	}
	if err := r.report.conserved(); err != nil {
		return r.report, err
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

func (s *dbSink) flush(ctx context.Context) error {
	for t := range s.buf {
		if err := s.flushTable(ctx, t); err != nil {
			return err
		}
	}
	return unwrapDB(s.wait())
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
		if b, err = appendCopyText(b, v); err != nil {
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

// run is one pass over a file.
type run struct {
	l    *Loader
	path string
	opts LoadOptions
	// keys collects the key hashes of a record-level export, checked for duplicates at the end.
	keys *keySpill
	// sheets are the file's table sheets in reading order; sheetIndex is each one's place there.
	sheets     []string
	sheetIndex map[string]int32
	// fileSheets are all the file's sheets as read (tables and sheets not read), for batch_sheet.
	fileSheets []sheetRecord
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
	merged mergedRows // rows of old units one successor carries (merged.go)
	seed   maphash.Seed
	hash   maphash.Hash // seeded with seed; reused for every row key
	// firstMiss remembers why the first table that was skipped did not fit.
	firstMiss string
	// Row accounting (account.go): the run of skipped rows being built, a counter of rows
	// handled, and, for a load, every rejected and skipped row on its way to the batch.
	skips       skipRun
	seq         int
	rejectSpill *copySpill
	skipSpill   *copySpill
	// dates decides the order of day and month for the whole file (dateorder.go).
	dates dateOrder
	// products are the current OCOP products, for a listings file (listing_match.go).
	products *productKeys
	// progressAt is the row count last told to opts.Progress.
	progressAt int
	// unmatched counts the OCOP listings that match no loaded product; unmatchedRows names
	// the first ones.
	unmatched     int
	unmatchedRows []string
}

type rowRef struct {
	sheet int32
	row   int32
}

// sheetRecord is one sheet of the file and how it was read.
type sheetRecord struct {
	sheet  string
	readAs string // table, hidden, very_hidden, no_header, not_matched
	note   string
	table  *ingest.Table
	fields []string // the field read from each cell index
}

func (l *Loader) newRun(path string, opts LoadOptions, units db.Querier, s sink) *run {
	seed := maphash.MakeSeed()
	r := &run{l: l, path: path, opts: opts, units: units, sink: s, report: FileReport{File: path, Dataset: opts.Dataset},
		tables: map[*ingest.Table]*tableCtx{}, seen: map[uint64]rowRef{}, seed: seed, sheetIndex: map[string]int32{}}
	r.hash.SetSeed(seed)
	r.dates.monthFirst, r.dates.monthProof = opts.monthFirst, opts.monthProof
	return r
}

// keepRows makes the run keep every rejected and skipped row for the batch (a load; a check
// only counts them).
func (r *run) keepRows() {
	r.rejectSpill = newCopySpill("rejected_row", "sheet", "row_no", "col", "reason", "raw", "cells")
	r.skipSpill = newCopySpill("skipped_row", "sheet", "row_from", "row_to", "rows", "reason", "raw")
}

// close removes what the run keeps on disk.
func (r *run) close() {
	if r.keys != nil {
		r.keys.close()
	}
	if r.rejectSpill != nil {
		r.rejectSpill.close()
		r.skipSpill.close()
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
	reader := ingest.Reader{Limits: r.l.Limits,
		OnSkip: func(t *ingest.Table, s ingest.Skip) error {
			if r.tables[t] == nil {
				return nil // a sheet that did not fit: not read
			}
			return r.skip(ctx, s.Sheet, s.Row, s.Reason, s.Cells)
		},
		OnSheetSkipped: func(sheet string, why ingest.SheetSkip) {
			note := msg.SheetSkip(string(why), sheet)
			r.fileSheets = append(r.fileSheets, sheetRecord{sheet: sheet, readAs: string(why), note: note})
			r.report.SkippedSheets = append(r.report.SkippedSheets, SkippedSheet{Sheet: sheet, ReadAs: string(why), Note: note})
			if why != ingest.SheetNoHeader {
				r.report.Notes = append(r.report.Notes, note)
			}
		}}
	err := readWith(ctx, reader, r.path, scorerFor(ss), func(t *ingest.Table) error {
		return r.onTable(ctx, t)
	}, func(t *ingest.Table, row ingest.Row) error {
		tc := r.tables[t]
		if tc == nil {
			return nil // a sheet that did not fit is skipped
		}
		return r.onRow(ctx, tc, row, r.sheetIndex[t.Sheet])
	})
	if err == nil {
		err = r.endSkipRun(ctx)
	}
	if err != nil {
		var rejected *fileRejected
		var already *alreadyLoaded
		var dbe *dbError
		switch {
		case errors.As(err, &rejected), errors.As(err, &already), errors.Is(err, errMonthFirst):
			return err
		case errors.As(err, &dbe):
			return dbe.err
		case ctx.Err() != nil:
			return fmt.Errorf("load of %s cancelled: %w", r.path, ctx.Err())
		case errors.Is(err, ingest.ErrNoHeader):
			return rejectFile("%s", r.noTableMessage())
		case ntm.ErrorCode(err) == ntm.CodeInvalid:
			// The file's own fault, said by the reader in one Vietnamese sentence.
			return rejectFile("%s", ntm.ErrorMessage(err))
		}
		return err // the machine's fault (classified by the reader or the spills), or a bug
	}
	if !r.begun {
		if r.firstMiss != "" {
			return rejectFile("%s", r.firstMiss)
		}
		return rejectFile("%s", r.noTableMessage())
	}
	if r.unmatched > 0 {
		r.report.Notes = append(r.report.Notes, unmatchedNote(r.unmatched, r.unmatchedRows, r.products.any))
	}
	// Rows that named old units: one note per old unit and its successor, and the flows of
	// several old units summed into their successor.
	if r.idx != nil {
		r.report.Notes = append(r.report.Notes, r.idx.Notes()...)
	}
	notes, err := r.merged.emit(ctx, r.sink)
	if err != nil {
		return unwrapDB(err)
	}
	r.report.Notes = append(r.report.Notes, notes...)
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

// noTableMessage is the whole-file reject when no sheet holds a table: the expected columns,
// and the hidden sheets that were not read.
func (r *run) noTableMessage() string {
	m := "không tìm thấy dòng tiêu đề của bảng: " + expectedColumns(r.candidateSpecs())
	var hidden []string
	for _, s := range r.report.SkippedSheets {
		if s.ReadAs == string(ingest.SheetHidden) || s.ReadAs == string(ingest.SheetVeryHidden) {
			hidden = append(hidden, fmt.Sprintf("%q", s.Sheet))
		}
	}
	if len(hidden) > 0 {
		m += "; các trang ẩn không được đọc: " + strings.Join(hidden, ", ") + " (hiện trang trong Excel nếu đó là dữ liệu cần nạp)"
	}
	return m
}

func unwrapDB(err error) error {
	var dbe *dbError
	if errors.As(err, &dbe) {
		return dbe.err
	}
	return err
}

// readRecovered is readWith the default reader (the units import).
func readRecovered(ctx context.Context, path string, score ingest.HeaderScorer, onTable func(*ingest.Table) error,
	onRow func(*ingest.Table, ingest.Row) error) error {
	return readWith(ctx, ingest.Reader{}, path, score, onTable, onRow)
}

// readWith calls the reader, turning a panic in the loader's own callbacks into an error (the
// reader turns its own panics into a file reject): a malformed file must never crash the
// pipeline, and a bug must not be taken for the file's fault.
func readWith(ctx context.Context, rd ingest.Reader, path string, score ingest.HeaderScorer, onTable func(*ingest.Table) error,
	onRow func(*ingest.Table, ingest.Row) error) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = ntm.Wrap(ntm.CodeInternal, fmt.Errorf("load of %s panicked: %v", path, p),
				"Lỗi nội bộ của ntm khi đọc tệp %s: không có gì được nạp từ tệp; hãy gửi tệp này cho người quản trị.", filepath.Base(path))
		}
	}()
	return rd.ReadFile(ctx, path, score, onTable, onRow)
}

func (r *run) onTable(ctx context.Context, t *ingest.Table) error {
	if t.Encoding != "" && !strings.HasPrefix(t.Encoding, "UTF-16") {
		r.report.Notes = append(r.report.Notes, fmt.Sprintf("tệp dùng bảng mã cũ %s, đã được chuyển sang Unicode", t.Encoding))
	}
	var m *HeaderMatch
	notMatched := func(why string) error {
		r.fileSheets = append(r.fileSheets, sheetRecord{sheet: t.Sheet, readAs: "not_matched", note: why, table: t})
		r.report.SkippedSheets = append(r.report.SkippedSheets, SkippedSheet{Sheet: t.Sheet, ReadAs: "not_matched", Note: why})
		r.report.Notes = append(r.report.Notes, why)
		return ingest.ErrSkipSheet
	}
	if r.begun {
		// Later sheets must hold the dataset chosen by the first.
		ms, err := DetectDataset(t.Columns, SpecsFor(r.report.Dataset))
		if err != nil {
			return notMatched(fmt.Sprintf("bỏ qua trang %q: %v", t.Sheet, err))
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
			return notMatched("bỏ qua " + msg)
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
	if m.Spec.Dataset == ntm.DatasetOCOPListings && r.products == nil {
		ps, err := loadProductKeys(ctx, r.units)
		if err != nil {
			return &dbError{err}
		}
		r.products = ps
	}
	tc.province, tc.district, tc.commune = contextFromPreamble(r.idx, append(slicesClone(t.Preamble), t.File), ref)
	if m.Spec.Shape == "procedure_list" {
		tc.agg = &procedureAggregate{byKey: map[string]*procedureCounts{}}
		r.aggs = append(r.aggs, tc.agg)
	}
	tableRoles(t, m)
	r.tables[t] = tc
	if _, ok := r.sheetIndex[t.Sheet]; !ok {
		r.sheetIndex[t.Sheet] = int32(len(r.sheets))
		r.sheets = append(r.sheets, t.Sheet)
	}
	fields := make([]string, len(t.Roles))
	for f, i := range m.Col {
		if i < len(fields) {
			fields[i] = f
		}
	}
	r.fileSheets = append(r.fileSheets, sheetRecord{sheet: t.Sheet, readAs: "table", table: t, fields: fields})
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
	if err := r.endSkipRun(ctx); err != nil {
		return err
	}
	r.seq++
	if len(row.Flaws) > 0 {
		f := row.Flaws[0]
		return r.rejectRow(ctx, row, columnLabel(tc.table, f.Col), flawReason(f))
	}
	p := &rowParser{tc: tc, row: row, idx: r.idx, unitDate: tc.refDate, dates: &r.dates, products: r.products}
	// A row with nothing in any recognised column is not data; nor is one that only names its
	// unit (a pre-listed row of a fill-in template the district left blank): its unit simply has
	// no data, which evaluation reports as such, instead of a reject that could fail the file.
	empty, subtotal := true, false
	if tc.cols == nil {
		for f, i := range tc.match.Col {
			tc.cols = append(tc.cols, fieldCol{field: f, col: i, identity: identityFields[f],
				unitField: f == "unit" || f == "commune" || f == "village" || f == "district"})
		}
		slices.SortFunc(tc.cols, func(a, b fieldCol) int { return cmp.Compare(a.col, b.col) })
	}
	faultCol, fault := "", ""
	for _, fc := range tc.cols {
		i := fc.col
		if i >= 0 && i < len(row.Cells) && strings.TrimSpace(row.Cells[i]) != "" {
			if !fc.identity {
				empty = false
			}
			if fc.unitField && isSubtotal(row.Cells[i]) {
				subtotal = true
			}
			if fault == "" {
				if f := cellFault(row.Cells[i]); f != "" {
					faultCol, fault = p.label(fc.field), f
				}
			}
		}
	}
	switch {
	case fault != "":
		return r.rejectRow(ctx, row, faultCol, fault)
	case row.Cut && (subtotal || empty):
		// Never skip what may be the start of a data row cut short (ingest.Row.Cut).
		return r.rejectRow(ctx, row, "", msg.CutLastLine)
	case subtotal:
		return r.skipData(ctx, row, ingest.SkipSubtotal)
	case empty && r.hasIdentity(tc, row):
		return r.skipData(ctx, row, SkipUnitOnly)
	case empty:
		return r.skipData(ctx, row, SkipNoData)
	}
	r.report.RowsRead++
	res, rerr := safeParse(tc.spec.parse, p)
	held := false // the row's fact waits for the end of the file (merged.go)
	if errors.Is(r.dates.err, errMonthFirst) {
		return errMonthFirst
	}
	if r.dates.mixed != "" {
		return rejectFile("%s", r.dates.mixed)
	}
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
		} else {
			first, dup := r.seen[h]
			if !dup {
				r.seen[h] = rowRef{sheet: sheet, row: int32(row.Num)}
			}
			var why string
			var err error
			if held, why, err = r.merged.add(h, p, &res, !dup); err != nil {
				var ve *valueError
				if !errors.As(err, &ve) {
					return err
				}
				rerr = &rowError{field: ve.field, reason: fmt.Sprintf("giá trị không lưu được: %v", ve.err)}
			} else if dup && !held && why != "" { // rows of old units of one successor (merged.go)
				rerr = &rowError{reason: duplicateOf(tc.spec.Dataset, int(first.row), r.sheetName(first.sheet, sheet)) + ": " + why}
			} else if dup && !held {
				rerr = &rowError{reason: duplicateReason(tc.spec.Dataset, int(first.row), r.sheetName(first.sheet, sheet))}
			}
		}
	}
	if rerr == nil && !held {
		for i, f := range res.facts {
			if err := r.sink.fact(ctx, f); err != nil {
				var ve *valueError
				if i == 0 && errors.As(err, &ve) {
					// Nothing of the row was sent: the database would refuse the value.
					rerr = &rowError{field: ve.field, reason: fmt.Sprintf("giá trị không lưu được: %v", ve.err)}
					break
				}
				return err
			}
		}
	}
	if rerr != nil {
		r.report.RowsRead-- // counted again by rejectRow
		col := ""
		if rerr.field != "" {
			col = p.label(rerr.field)
		}
		return r.rejectRow(ctx, row, col, rerr.reason)
	}
	r.report.RowsLoaded++
	if res.apply != nil {
		res.apply()
	}
	if res.unmatched {
		r.unmatched++
		if len(r.unmatchedRows) < 5 {
			r.unmatchedRows = append(r.unmatchedRows, fmt.Sprintf("%s (%s)", rowPlace(row.Sheet, row.Num), rawRow(row.Cells)))
		}
	}
	if tc.fileAsOf.IsZero() && res.date.After(r.report.AsOf) {
		r.report.AsOf = res.date
	}
	r.rowDone(ctx)
	return ctx.Err()
}

// hasIdentity reports whether a row names its unit in one of the identity columns.
func (r *run) hasIdentity(tc *tableCtx, row ingest.Row) bool {
	for _, fc := range tc.cols {
		if fc.identity && fc.col < len(row.Cells) && strings.TrimSpace(row.Cells[fc.col]) != "" {
			return true
		}
	}
	return false
}

// skipData accounts for a delivered row that is not data after all.
func (r *run) skipData(ctx context.Context, row ingest.Row, why SkipReason) error {
	r.seq-- // skip counts the row itself
	if err := r.skip(ctx, row.Sheet, row.Num, why, row.Cells); err != nil {
		return err
	}
	r.rowDone(ctx)
	return ctx.Err()
}

// rejectRow accounts for a data row that is not loaded, with its reason.
func (r *run) rejectRow(ctx context.Context, row ingest.Row, col, reason string) error {
	r.report.RowsRead++
	r.report.RowsRejected++
	rej := Reject{Sheet: row.Sheet, Row: row.Num, Column: col, Reason: reason, Raw: rawRow(row.Cells)}
	if len(r.report.Rejects) < RejectsKept {
		rej.Cells = storableAll(row.Cells)
		r.report.Rejects = append(r.report.Rejects, rej)
	}
	if err := r.keepReject(rej, row.Cells); err != nil {
		return err
	}
	r.rowDone(ctx)
	return ctx.Err()
}

// keepReject writes a reject to the batch's spill (a load only).
func (r *run) keepReject(rej Reject, cells []string) error {
	if r.rejectSpill == nil {
		return nil
	}
	if rej.Cells == nil && cells != nil {
		rej.Cells = storableAll(cells)
	}
	if rej.Cells == nil {
		rej.Cells = []string{}
	}
	return r.rejectSpill.add(storable(rej.Sheet), rej.Row, storable(rej.Column), rej.Reason, rej.Raw, rej.Cells)
}

func (r *run) rowDone(ctx context.Context) {
	if r.l.afterRow != nil {
		r.l.afterRow(ctx, r.report.RowsRead)
	}
	if r.opts.Progress != nil && r.report.RowsRead-r.progressAt >= ProgressEvery {
		r.progressAt = r.report.RowsRead
		r.opts.Progress(r.report.RowsRead)
	}
}

// rowPlace is `trang "X", dòng 5` (`dòng 5` for a CSV).
func rowPlace(sheet string, row int) string {
	if sheet == "" {
		return fmt.Sprintf("dòng %d", row)
	}
	return fmt.Sprintf("trang %q, dòng %d", sheet, row)
}

// sheetName names the sheet of an earlier row for a duplicate reject when it is not the row's
// own ("" when it is).
func (r *run) sheetName(first, cur int32) string {
	if first == cur {
		return ""
	}
	if n := r.sheets[first]; n != "" {
		return n
	}
	return " "
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

// duplicateReason says a row repeats the key of row firstRow (of sheet firstSheet when that
// is another sheet; "" for the same one).
func duplicateReason(d ntm.Dataset, firstRow int, firstSheet string) string {
	return duplicateOf(d, firstRow, firstSheet) + "; dòng đọc trước được giữ"
}

// duplicateOf names the earlier row whose key a row repeats, and the key.
func duplicateOf(d ntm.Dataset, firstRow int, firstSheet string) string {
	where := fmt.Sprintf("dòng %d", firstRow)
	if firstSheet != "" {
		where = fmt.Sprintf("dòng %d của trang %q", firstRow, strings.TrimSpace(firstSheet))
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
			rej := Reject{Sheet: sheet, Row: dup.row, Reason: duplicateReason(d, dup.firstRow, r.sheetName(int32(dup.firstSheet), int32(dup.sheet))),
				Raw: raw[sheetRow{sheet, dup.row}]}
			rej.Cells = []string{rej.Raw} // the facts' values: the row's own cells are not kept
			if len(r.report.Rejects) < RejectsKept {
				r.report.Rejects = append(r.report.Rejects, rej)
			}
			if err := r.keepReject(rej, nil); err != nil {
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

// rawRow is a row's cells for people (storable, at most 500 bytes).
func rawRow(cells []string) string {
	s := storable(strings.Join(cells, " | "))
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
	if rep.DataRows() == 0 {
		return fmt.Sprintf("không có dòng dữ liệu nào dưới dòng tiêu đề; %s", expectedColumns(SpecsFor(rep.Dataset)))
	}
	if float64(rep.RowsRejected) > share*float64(rep.DataRows()) {
		first := ""
		if len(rep.Rejects) > 0 {
			first = "; lỗi đầu tiên: " + rep.Rejects[0].String()
		}
		return fmt.Sprintf("%d/%d dòng bị loại (quá %d%%), tệp không được nạp; kiểm tra các cột %s%s",
			rep.RowsRejected, rep.DataRows(), int(share*100+0.5), strings.Join(SpecsFor(rep.Dataset)[0].RequiredLabels(), ", "), first)
	}
	return ""
}
