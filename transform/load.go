package transform

import (
	"context"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

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

// DefaultMaxFileSize is the largest local file a load reads when the caller sets no limit
// (config max_file_mb): five times the largest export seen, a year of a province's dossier records.
const DefaultMaxFileSize = 512 << 20

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
	// MaxFileSize refuses a bigger file before a byte of it is read (config max_file_mb);
	// 0 = DefaultMaxFileSize.
	MaxFileSize int64

	// units are the unit indexes built, shared by the files loaded while the structure stays
	// the same (unitcache.go).
	units unitIndexCache

	// Test hooks: called after each data row is handled, and just before commit; copySkipped
	// stores skipped rows by COPY however few they are.
	afterRow     func(ctx context.Context, rowsRead int)
	beforeCommit func(ctx context.Context) error
	copySkipped  bool
}

// NewLoader makes a loader on pool; log may be nil.
func NewLoader(pool *pgxpool.Pool, log *zap.Logger) *Loader {
	if log == nil {
		log = zap.NewNop()
	}
	return &Loader{pool: pool, log: log, Now: time.Now}
}

// A load stops early with an *ntm.Error wrapping one of these causes: the file is rejected
// whole (the error's message, for the office, is stored as the rejected batch's reason), or its
// bytes are already in a batch (the load answers with that batch). Any other error is a fault
// of the machine, the database or ntm, classified by package faults when LoadFile returns.
var (
	errFileRejected  = errors.New("file rejected whole")
	errAlreadyLoaded = errors.New("file already loaded")
)

// rejectFile is a whole-file reject, with its Vietnamese reason.
func rejectFile(format string, args ...any) error {
	return ntm.Wrap(ntm.CodeInvalid, errFileRejected, format, args...)
}

// rejectedReason is the office's reason of a whole-file reject, ok false for any other error.
func rejectedReason(err error) (reason string, ok bool) {
	if !errors.Is(err, errFileRejected) {
		return "", false
	}
	return ntm.ErrorMessage(err), true
}

func (l *Loader) maxFileSize() int64 {
	if l.MaxFileSize > 0 {
		return l.MaxFileSize
	}
	return DefaultMaxFileSize
}

// fileTooLarge refuses a file over limit bytes, naming it and the limit (CodeTooLarge).
func fileTooLarge(path string, size, limit int64) error {
	return ntm.Wrap(ntm.CodeTooLarge, fmt.Errorf("%s holds %d bytes or more, over the limit of %d (max_file_mb)", path, size, limit),
		"%s", msg.FileTooLarge(path, size, limit))
}

// checkFileSize refuses what is not a regular file, and a file over max bytes (0 =
// DefaultMaxFileSize), before it is opened.
func checkFileSize(path string, max int64) error {
	if max <= 0 {
		max = DefaultMaxFileSize
	}
	if err := ingest.CheckRegular(path); err != nil {
		return err
	}
	st, err := os.Stat(path)
	if err != nil {
		return ingest.ReadError(path, err)
	}
	if st.Size() > max {
		return fileTooLarge(path, st.Size(), max)
	}
	return nil
}

// fileInfo is the size and SHA-256 of a file (the units import), refusing one over max bytes
// (0 = DefaultMaxFileSize).
func fileInfo(path string, max int64) (size int64, sum string, err error) {
	size, sum, _, err = fileInfoStamped(context.Background(), path, max)
	return size, sum, err
}

// fileInfoStamped is fileInfo plus the file's metadata as it was before the bytes were
// hashed, for unchangedSince. What is not a regular file (a FIFO, /dev/zero) is refused before
// it is opened, a file over max bytes before it is read (and when it grows past max while it
// is hashed), and a long hash stops when ctx does.
func fileInfoStamped(ctx context.Context, path string, max int64) (size int64, sum string, before os.FileInfo, err error) {
	if max <= 0 {
		max = DefaultMaxFileSize
	}
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
	if before.Size() > max {
		return 0, "", nil, fileTooLarge(path, before.Size(), max)
	}
	h := sha256.New()
	bp := hashBuffers.Get().(*[]byte)
	defer hashBuffers.Put(bp)
	buf := *bp
	var n int64
	for {
		if err := ctx.Err(); err != nil {
			return 0, "", nil, err
		}
		k, rerr := f.Read(buf)
		h.Write(buf[:k])
		n += int64(k)
		if n > max {
			return 0, "", nil, fileTooLarge(path, n, max)
		}
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			return 0, "", nil, ingest.ReadError(path, rerr)
		}
	}
	return n, hex.EncodeToString(h.Sum(nil)), before, nil
}

// hashBuffers are fileInfoStamped's read buffers: a load hashes its file twice, and a fresh
// megabyte each time was most of what a small file's load allocated (and made the collector
// mark the shared unit index sooner).
var hashBuffers = sync.Pool{New: func() any { b := make([]byte, 1<<20); return &b }}

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
		_, again, _, err := fileInfoStamped(ctx, path, 16<<20)
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

//go:embed sql/begin_load_batch.sql
var beginLoadBatchSQL string

//go:embed sql/insert_load_batch.sql
var insertLoadBatchSQL string

//go:embed sql/insert_batch_sheet.sql
var insertBatchSheetSQL string

//go:embed sql/insert_skipped_rows.sql
var insertSkippedRowsSQL string

//go:embed sql/replace_batch.sql
var replaceBatchSQL string

//go:embed sql/record_rejected_batch.sql
var recordRejectedBatchSQL string

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
func (l *Loader) LoadFile(ctx context.Context, path string, opts LoadOptions) (FileReport, error) {
	return l.load(ctx, l.pool, path, opts)
}

// LoadFileTx is LoadFile inside the caller's transaction tx: the load runs in a savepoint of
// tx (rolled back alone when the file is rejected whole or the load fails), and nothing is
// committed: the caller decides, so it can load files and evaluate in one transaction. A file
// rejected whole is recorded as a 'rejected' batch in tx too. The units dataset is imported by
// ImportUnits, not here.
func (l *Loader) LoadFileTx(ctx context.Context, tx pgx.Tx, path string, opts LoadOptions) (FileReport, error) {
	if opts.Dataset == ntm.DatasetUnits {
		return FileReport{File: path}, ntm.Errorf(ntm.CodeInvalid, "Danh mục đơn vị hành chính %s được nhập bằng ntm units import, không nạp như một tệp dữ liệu.", filepath.Base(path))
	}
	return l.load(ctx, tx, path, opts)
}

// executor is what a load runs on: the pool (LoadFile: a transaction of its own) or a
// caller's transaction (LoadFileTx: a savepoint in it). Both begin a transaction the same way.
type executor interface {
	db.Querier
	Begin(ctx context.Context) (pgx.Tx, error)
}

func (l *Loader) load(ctx context.Context, ex executor, path string, opts LoadOptions) (rep FileReport, err error) {
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
	if opts, err = l.reloadOptions(ctx, ex, opts); err != nil {
		return FileReport{File: path}, err
	}
	return readings(opts, func(opts LoadOptions) (FileReport, error) { return l.loadFile(ctx, ex, path, opts) })
}

// readings reads a file with read, again while a reading asks to (each time rolled back or,
// for a check, thrown away): when the file proves it writes its dates month first
// (dateorder.go), and when a big sheet read in one decompression turned out to have merged
// ranges, stored after its rows (ingest.ErrReadAgain). Each asks at most once, so a file is
// read at most three times; the usual file, once.
func readings(opts LoadOptions, read func(LoadOptions) (FileReport, error)) (FileReport, error) {
	rep, err := read(opts)
	monthFirst := false
	for n := 0; n < 2 && err != nil; n++ {
		switch {
		case errors.Is(err, errMonthFirst) && !monthFirst:
			opts.monthFirst, opts.monthProof, monthFirst = true, rep.monthProof, true
		case errors.Is(err, ingest.ErrReadAgain):
		default:
			n = 2
			continue
		}
		rep, err = read(opts)
	}
	if monthFirst {
		rep.Notes = append(rep.Notes, monthFirstNote(opts.monthProof))
	}
	return rep, err
}

func monthFirstNote(proof string) string {
	return fmt.Sprintf("tệp ghi ngày theo kiểu tháng/ngày/năm (ví dụ %s): mọi ngày dạng số trong tệp được đọc theo kiểu đó", proof)
}

// reloadOptions checks a reload's batch before anything is read, and takes its dataset when
// none was given.
func (l *Loader) reloadOptions(ctx context.Context, q db.Querier, opts LoadOptions) (LoadOptions, error) {
	if opts.Replace == 0 {
		return opts, nil
	}
	b, err := GetBatch(ctx, q, opts.Replace)
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

func (l *Loader) loadFile(ctx context.Context, ex executor, path string, opts LoadOptions) (FileReport, error) {
	if opts.Dataset == ntm.DatasetUnits {
		rep, err := ImportUnits(ctx, l.pool, path, UnitsOptions{SourceURI: opts.SourceURI, MaxFileSize: l.MaxFileSize})
		return rep.FileReport, err
	}
	size, sum, stamp, err := fileInfoStamped(ctx, path, l.maxFileSize())
	if err != nil {
		return FileReport{File: path}, err
	}
	var tx pgx.Tx
	if pool, ok := ex.(*pgxpool.Pool); ok && opts.Replace == 0 {
		// A transaction of its own: begun with the look-up of the same bytes, in one round trip.
		own, id, by, err := beginFind(ctx, pool, opts.Dataset, sum)
		if err != nil || id != 0 {
			if err != nil {
				err = fmt.Errorf("begin load of %s: %w", path, err)
			}
			return alreadyReportBy(path, opts.Dataset, id, by), err
		}
		tx = own
	} else {
		if opts.Dataset != "" {
			if id, by, err := findBatch(ctx, ex, opts.Dataset, sum, opts.Replace); err != nil || id != 0 {
				return alreadyReportBy(path, opts.Dataset, id, by), err
			}
		}
		if tx, err = ex.Begin(ctx); err != nil {
			return FileReport{File: path}, fmt.Errorf("begin load of %s: %w", path, err)
		}
	}
	defer tx.Rollback(context.WithoutCancel(ctx)) //nolint:errcheck // after Commit this is a no-op
	sink := &dbSink{tx: tx, buf: map[*factTable]*copyChunkBuf{}}
	defer sink.wait() //nolint:errcheck // runs before the rollback: no COPY may outlive the load
	r := l.newRun(path, opts, tx, sink)
	r.keepRows()
	defer r.close()
	r.begin = func(ctx context.Context, d ntm.Dataset, asOf time.Time) error {
		var asOfArg any
		if !asOf.IsZero() {
			asOfArg = asOf
		}
		if opts.Replace == 0 {
			// An ordinary load: the check for the same bytes, the new batch and the structure's
			// generation in one statement (a small file's load is mostly round trips).
			var newID, found, by *int64
			err := tx.QueryRow(ctx, beginLoadBatchSQL, string(d), storable(r.sourceURI()), storable(filepath.Base(path)), size, sum, asOfArg).
				Scan(&newID, &found, &by, &r.generation)
			if err != nil {
				return batchInsertError(path, err)
			}
			if found != nil {
				return ntm.Wrap(ntm.CodeConflict, errAlreadyLoaded, "%s", alreadyReportBy(path, d, *found, batchID(by)).Message)
			}
			sink.batchID = *newID
			return nil
		}
		id, by, err := findBatch(ctx, tx, d, sum, opts.Replace)
		if err != nil {
			return err
		}
		if id != 0 {
			return ntm.Wrap(ntm.CodeConflict, errAlreadyLoaded, "%s", alreadyReportBy(path, d, id, by).Message)
		}
		// A reload: in the load's transaction, the replaced batch stops counting exactly when
		// the new one starts to.
		var newID int64
		if err := tx.QueryRow(ctx, replaceBatchSQL, opts.Replace).Scan(&newID); err != nil {
			if errors.Is(err, pgx.ErrNoRows) {
				b, gerr := GetBatch(ctx, tx, opts.Replace)
				if gerr != nil {
					return gerr
				}
				if rerr := replaceable(b, d); rerr != nil {
					return rerr
				}
			}
			return fmt.Errorf("replace batch %d: %w", opts.Replace, err)
		}
		r.report.Replaced = opts.Replace
		err = tx.QueryRow(ctx, insertLoadBatchSQL, string(d), storable(r.sourceURI()), storable(filepath.Base(path)), size, sum, asOfArg, "loaded", newID).Scan(&sink.batchID)
		if err != nil {
			return batchInsertError(path, err)
		}
		return nil
	}
	err = r.read(ctx)
	if werr := sink.wait(); err == nil && werr != nil {
		err = werr
	}
	reason, rejected := rejectedReason(err)
	switch {
	case errors.Is(err, errMonthFirst), errors.Is(err, ingest.ErrReadAgain):
		tx.Rollback(ctx) //nolint:errcheck
		return FileReport{File: path, monthProof: r.dates.monthProof}, err
	case errors.Is(err, errAlreadyLoaded):
		tx.Rollback(ctx) //nolint:errcheck
		id, by, err := findBatch(ctx, ex, r.report.Dataset, sum, opts.Replace)
		if err != nil {
			return r.report, err
		}
		return alreadyReportBy(path, r.report.Dataset, id, by), nil
	case rejected:
		tx.Rollback(ctx) //nolint:errcheck
		return l.recordRejected(ctx, ex, r, size, sum, reason)
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
		return l.recordRejected(ctx, ex, r, size, sum, msg)
	}
	rep := &r.report
	var asOfArg any
	if !rep.AsOf.IsZero() {
		asOfArg = rep.AsOf
	}
	b, err := r.storeRowsBatch(ctx, tx, sink.batchID, finishLoadBatchSQL, sink.batchID, rep.RowsRead, rep.RowsLoaded, rep.RowsRejected, asOfArg,
		strings.Join(rep.Notes, "\n"), rep.RowsSkipped)
	if err != nil {
		return r.report, fmt.Errorf("finish batch for %s: %w", path, err)
	}
	if own, ok := tx.(*connTx); ok && l.beforeCommit == nil {
		// The sheets, the counts and COMMIT in one round trip.
		if err := own.commitWith(ctx, b); err != nil {
			return r.report, fmt.Errorf("finish and commit load of %s: %w", path, err)
		}
	} else {
		if err := tx.SendBatch(ctx, b).Close(); err != nil {
			return r.report, fmt.Errorf("finish batch for %s: store the file's sheets and counts: %w", path, err)
		}
		if l.beforeCommit != nil {
			if err := l.beforeCommit(ctx); err != nil {
				return r.report, err
			}
		}
		if err := tx.Commit(ctx); err != nil {
			return r.report, fmt.Errorf("commit load of %s: %w", path, err)
		}
	}
	rep.BatchID = sink.batchID
	rep.FactsWritten = sink.facts
	l.log.Info("loaded", zap.String("file", path), zap.String("dataset", string(rep.Dataset)), zap.Int64("batch", rep.BatchID),
		zap.Int("rows", rep.RowsLoaded), zap.Int("rejected", rep.RowsRejected), zap.Int("skipped", rep.RowsSkipped),
		zap.Int64("replaced", rep.Replaced))
	return r.report, nil
}

// batchInsertError is the error of a failed insert of a load's batch: the same bytes loaded
// meanwhile by another process are an already-loaded file.
func batchInsertError(path string, err error) error {
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "23505" {
		return ntm.Wrap(ntm.CodeConflict, errAlreadyLoaded, "Tệp %s vừa được nạp bởi một lần chạy khác.", filepath.Base(path))
	}
	return fmt.Errorf("record batch: %w", err)
}

// storeRows writes the batch's rejected and skipped rows and its sheets, in tx, and runs the
// batch's last statement (its counts) with the sheets: those go in one round trip.
func (r *run) storeRows(ctx context.Context, tx pgx.Tx, batchID int64, last string, lastArgs ...any) error {
	b, err := r.storeRowsBatch(ctx, tx, batchID, last, lastArgs...)
	if err != nil {
		return err
	}
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return fmt.Errorf("store the file's sheets and counts: %w", err)
	}
	return nil
}

// storeRowsBatch writes the batch's rejected and skipped rows and returns the statements of its
// sheets and its last statement, for the caller to send (with COMMIT: connTx.commitWith).
func (r *run) storeRowsBatch(ctx context.Context, tx pgx.Tx, batchID int64, last string, lastArgs ...any) (*pgx.Batch, error) {
	if err := r.rejectSpill.copyTo(ctx, tx, batchID); err != nil {
		return nil, fmt.Errorf("store rejected rows: %w", err)
	}
	b := &pgx.Batch{}
	if r.skipSpill.rows > 0 && !r.skipMemOver && !r.l.copySkipped {
		if err := r.skipSpill.flush(); err != nil { // the spill fails as it did when it was copied
			return nil, fmt.Errorf("store skipped rows: %w", err)
		}
		queueSkipped(b, batchID, r.skipMem)
	} else if err := r.skipSpill.copyTo(ctx, tx, batchID); err != nil {
		return nil, fmt.Errorf("store skipped rows: %w", err)
	}
	for i, s := range r.fileSheets {
		var top, bottom, cols, fields any
		if s.readAs == "table" || s.readAs == "not_matched" {
			top, bottom, cols = s.table.HeaderTop, s.table.HeaderBottom, storableAll(s.table.Columns)
		}
		if s.readAs == "table" {
			fields = s.fields
		}
		b.Queue(insertBatchSheetSQL, batchID, i, storable(s.sheet), s.readAs, s.note, top, bottom, cols, fields)
	}
	b.Queue(last, lastArgs...)
	return b, nil
}

// queueSkipped queues the insert of a batch's skipped runs (the same rows the spill's COPY writes).
func queueSkipped(b *pgx.Batch, batchID int64, runs []SkippedRows) {
	n := len(runs)
	sheets, from, to, rows, reasons, raws := make([]string, n), make([]int32, n), make([]int32, n), make([]int32, n), make([]string, n), make([]string, n)
	for i, s := range runs {
		sheets[i], from[i], to[i], rows[i], reasons[i], raws[i] = s.Sheet, int32(s.From), int32(s.To), int32(s.Rows), string(s.Reason), s.Raw
	}
	b.Queue(insertSkippedRowsSQL, batchID, sheets, from, to, rows, reasons, raws)
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
func (l *Loader) recordRejected(ctx context.Context, ex executor, r *run, size int64, sum, msg string) (FileReport, error) {
	rep := &r.report
	rep.Rejected, rep.Message = true, msg
	rep.Replaced = 0 // a rejected load replaces nothing
	d := string(rep.Dataset)
	if d == "" {
		d = "unknown"
	}
	err := pgx.BeginFunc(ctx, ex, func(tx pgx.Tx) error {
		var asOfArg any
		if !rep.AsOf.IsZero() {
			asOfArg = rep.AsOf
		}
		if err := tx.QueryRow(ctx, insertLoadBatchSQL, d, storable(r.sourceURI()), storable(filepath.Base(r.path)), size, sum, asOfArg, "rejected", nil).Scan(&rep.BatchID); err != nil {
			return err
		}
		return r.storeRows(ctx, tx, rep.BatchID, recordRejectedBatchSQL, rep.BatchID, rep.RowsRead, rep.RowsRejected, msg, rep.RowsSkipped)
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
		rep, err := CheckUnits(ctx, l.pool, path, UnitsOptions{MaxFileSize: l.MaxFileSize})
		return rep.FileReport, err
	}
	if opts, err = l.reloadOptions(ctx, l.pool, opts); err != nil {
		return FileReport{File: path}, err
	}
	return readings(opts, func(opts LoadOptions) (FileReport, error) { return l.checkFile(ctx, path, opts) })
}

func (l *Loader) checkFile(ctx context.Context, path string, opts LoadOptions) (FileReport, error) {
	_, sum, _, err := fileInfoStamped(ctx, path, l.maxFileSize())
	if err != nil {
		return FileReport{File: path}, err
	}
	sink := &countSink{}
	r := l.newRun(path, opts, l.pool, sink)
	defer r.close()
	r.begin = func(ctx context.Context, d ntm.Dataset, _ time.Time) error {
		id, by, err := findBatch(ctx, l.pool, d, sum, opts.Replace)
		if err != nil {
			return err
		}
		if id != 0 {
			a := alreadyReportBy(path, d, id, by)
			r.report.AlreadyLoaded, r.report.BatchID = true, id
			r.report.Notes = append(r.report.Notes, a.Message+" (nạp lại sẽ không thay đổi gì)")
		}
		return nil
	}
	err = r.read(ctx)
	reason, rejected := rejectedReason(err)
	switch {
	case errors.Is(err, errMonthFirst), errors.Is(err, ingest.ErrReadAgain):
		return FileReport{File: path, monthProof: r.dates.monthProof}, err
	case rejected:
		r.report.Rejected, r.report.Message = true, reason
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
