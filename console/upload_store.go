package console

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"go.uber.org/zap"

	"ntm"
	"ntm/actions"
	"ntm/dataset"
	"ntm/jobs"
	"ntm/msg"
	"ntm/runs"
	"ntm/transform"
)

// Upload states (console_upload.status).
const (
	uploadChecked   = "checked"   // checked, waiting for the office to confirm or cancel
	uploadLoading   = "loading"   // being loaded
	uploadLoaded    = "loaded"    // loaded (or found already loaded)
	uploadCancelled = "cancelled" // cancelled by the office, or left undecided too long
	uploadFailed    = "failed"    // the load failed or the file was rejected whole on loading
)

func uploadStatusLabel(s string) string {
	switch s {
	case uploadChecked:
		return "Chờ xác nhận"
	case uploadLoading:
		return "Đang nạp"
	case uploadLoaded:
		return "Đã nạp"
	case uploadCancelled:
		return "Đã hủy"
	case uploadFailed:
		return "Không nạp được"
	}
	return s
}

// datasetLabel names a dataset for the office (its declaration in package dataset).
func datasetLabel(d string) string {
	if d == "" {
		return "Tự nhận diện"
	}
	return dataset.Label(d)
}

// rejectView is one rejected row.
type rejectView struct {
	Sheet  string `json:"sheet,omitempty"`
	Row    int    `json:"row,omitempty"`
	Column string `json:"column,omitempty"`
	Reason string `json:"reason"`
	Raw    string `json:"raw,omitempty"`
}

// fileReport is a transform.FileReport as the console stores and shows it.
type fileReport struct {
	Dataset       string       `json:"dataset"`
	Shape         string       `json:"shape,omitempty"`
	AsOf          string       `json:"as_of,omitempty"` // YYYY-MM-DD
	RowsRead      int          `json:"rows_read"`
	RowsLoaded    int          `json:"rows_loaded"` // for a check: rows that would load
	RowsRejected  int          `json:"rows_rejected"`
	FactsWritten  int          `json:"facts"`
	Rejected      bool         `json:"rejected"` // the whole file is (or would be) rejected
	Message       string       `json:"message,omitempty"`
	AlreadyLoaded bool         `json:"already_loaded"`
	BatchID       int64        `json:"batch_id,omitempty"`
	Notes         []string     `json:"notes,omitempty"`
	Rejects       []rejectView `json:"rejects"`
}

func newFileReport(r transform.FileReport, stagedPath, fileName string) fileReport {
	out := fileReport{Dataset: string(r.Dataset), Shape: r.Shape, RowsRead: r.RowsRead, RowsLoaded: r.RowsLoaded,
		RowsRejected: r.RowsRejected, FactsWritten: r.FactsWritten, Rejected: r.Rejected,
		Message: hidePath(r.Message, stagedPath, fileName), AlreadyLoaded: r.AlreadyLoaded, BatchID: r.BatchID,
		Rejects: []rejectView{}}
	if !r.AsOf.IsZero() {
		out.AsOf = r.AsOf.Format(time.DateOnly)
	}
	for _, n := range r.Notes {
		out.Notes = append(out.Notes, hidePath(n, stagedPath, fileName))
	}
	for _, x := range r.Rejects {
		out.Rejects = append(out.Rejects, rejectView{Sheet: x.Sheet, Row: x.Row, Column: x.Column, Reason: x.Reason, Raw: x.Raw})
	}
	return out
}

// hidePath shows the uploaded name where a message names the staged file.
func hidePath(msg, stagedPath, fileName string) string {
	if stagedPath == "" {
		return msg
	}
	return strings.ReplaceAll(msg, stagedPath, fileName)
}

// upload is one console_upload row.
type upload struct {
	ID         int64
	User       string
	FileName   string
	StagedPath string
	Size       int64
	SHA256     string
	Dataset    string
	Period     string
	Status     string
	Check      fileReport
	Load       *fileReport
	BatchID    *int64
	RunID      *int64
	Error      string
	CreatedAt  time.Time
	DecidedAt  *time.Time
	DecidedBy  string
	Replace    int64  // the batch this upload re-loads, 0 = an ordinary upload
	Reason     string // why (a re-load's reason)
}

// options are the load options the office asked for.
func (u *upload) options() transform.LoadOptions {
	o := transform.LoadOptions{Dataset: ntm.Dataset(u.Dataset), SourceURI: "upload:" + u.User + "/" + u.FileName}
	if u.Dataset == "" && u.Check.Dataset != "" {
		// Load as what the check detected, so the load does what the office saw.
		o.Dataset = ntm.Dataset(u.Check.Dataset)
	}
	if p, err := ntm.ParsePeriod(u.Period); err == nil {
		o.Period = p
	}
	o.Replace = u.Replace
	return o
}

const uploadColumns = `id, user_name, file_name, staged_path, size, sha256, dataset, period, status,
	check_report, load_report, batch_id, run_id, error, created_at, decided_at, decided_by, coalesce(replace_batch, 0), reason`

func scanUpload(row pgx.Row) (upload, error) {
	var u upload
	var check, load []byte
	err := row.Scan(&u.ID, &u.User, &u.FileName, &u.StagedPath, &u.Size, &u.SHA256, &u.Dataset, &u.Period, &u.Status,
		&check, &load, &u.BatchID, &u.RunID, &u.Error, &u.CreatedAt, &u.DecidedAt, &u.DecidedBy, &u.Replace, &u.Reason)
	if err != nil {
		return u, err
	}
	_ = json.Unmarshal(check, &u.Check)
	if load != nil {
		var l fileReport
		if json.Unmarshal(load, &l) == nil {
			u.Load = &l
		}
	}
	return u, nil
}

var errUploadNotFound = errors.New("upload not found")

func (c *Console) getUpload(ctx context.Context, id int64) (upload, error) {
	u, err := scanUpload(c.d.Pool.QueryRow(ctx, `SELECT `+uploadColumns+` FROM console_upload WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return u, errUploadNotFound
	}
	if err != nil {
		return u, fmt.Errorf("read upload %d: %w", id, err)
	}
	c.reconcile(ctx, &u)
	return u, nil
}

func (c *Console) recentUploads(ctx context.Context, limit int) ([]upload, error) {
	rows, err := c.d.Pool.Query(ctx, `SELECT `+uploadColumns+` FROM console_upload ORDER BY id DESC LIMIT $1`, limit)
	if err != nil {
		return nil, fmt.Errorf("list uploads: %w", err)
	}
	list, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (upload, error) { return scanUpload(row) })
	for i := range list {
		c.reconcile(ctx, &list[i])
	}
	return list, err
}

// uploadParams are the form fields of an upload, checked.
type uploadParams struct {
	Dataset string
	Period  string
	Replace int64  // "reload": the batch to re-load
	Reason  string // "reason": why (required with reload)
}

func parseUploadParams(f map[string]string) (uploadParams, *ntm.Error) {
	var p uploadParams
	if d := f["dataset"]; d != "" {
		ds, err := ntm.ParseDataset(d)
		if err != nil {
			return p, refuse(ntm.CodeInvalid, "Không có loại dữ liệu %q.", d)
		}
		p.Dataset = string(ds)
	}
	if s := f["period"]; s != "" {
		per, err := ntm.ParsePeriod(s)
		if err != nil {
			return p, refuse(ntm.CodeInvalid, "Kỳ %q không đúng dạng năm-tháng (ví dụ 2024-12).", s)
		}
		p.Period = per.String()
	}
	if s := f["reload"]; s != "" {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil || id <= 0 {
			return p, ntm.Errorf(ntm.CodeInvalid, "%s", msg.BatchNotFound(0))
		}
		p.Replace = id
		if p.Reason = strings.TrimSpace(f["reason"]); p.Reason == "" {
			return p, ntm.Errorf(ntm.CodeInvalid, "%s", msg.ReasonRequired)
		}
		if len(p.Reason) > 500 {
			p.Reason = p.Reason[:500]
		}
	}
	return p, nil
}

// createUpload checks a staged file and records it; the returned upload waits for a decision.
// A file that cannot be read at all is recorded as rejected whole, with the reason.
func (c *Console) createUpload(ctx context.Context, p *principal, st *staged) (upload, *ntm.Error) {
	params, uerr := parseUploadParams(st.Fields)
	if uerr != nil {
		_ = os.RemoveAll(st.Dir)
		return upload{}, uerr
	}
	c.sweepUploads(ctx)
	u := upload{User: p.who(), FileName: st.FileName, StagedPath: st.Path, Size: st.Size, SHA256: st.SHA256,
		Dataset: params.Dataset, Period: params.Period, Status: uploadChecked, Replace: params.Replace, Reason: params.Reason}
	rep, err := c.d.Loader.CheckFile(ctx, st.Path, u.options())
	var refusal *ntm.Error
	if errors.As(err, &refusal) && u.Replace > 0 {
		// The batch to re-load cannot be replaced (revoked, rejected whole, unknown): say why.
		_ = os.RemoveAll(st.Dir)
		return upload{}, refusal
	}
	if err != nil {
		if ctx.Err() != nil {
			_ = os.RemoveAll(st.Dir)
			return upload{}, refuse(ntm.CodeCancelled, "Yêu cầu đã bị hủy.")
		}
		if c.isDBError(ctx, err) {
			_ = os.RemoveAll(st.Dir)
			c.log.Error("check upload", zap.String("file", st.FileName), zap.Error(err))
			return upload{}, refuse(ntm.CodeUnavailable, "Không kiểm tra được tệp: cơ sở dữ liệu không trả lời. Hãy thử lại.")
		}
		c.log.Info("check upload", zap.String("file", st.FileName), zap.Error(err))
		rep = transform.FileReport{File: st.Path, Dataset: ntm.Dataset(params.Dataset), Rejected: true,
			Message: ntm.ErrorMessage(err)}
	}
	u.Check = newFileReport(rep, st.Path, st.FileName)
	check, _ := json.Marshal(u.Check)
	var replace *int64
	if u.Replace > 0 {
		replace = &u.Replace
	}
	err = c.d.Pool.QueryRow(ctx, `INSERT INTO console_upload (user_name, file_name, staged_path, size, sha256, dataset, period, status, check_report, replace_batch, reason)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id, created_at`,
		u.User, u.FileName, u.StagedPath, u.Size, u.SHA256, u.Dataset, u.Period, u.Status, check, replace, u.Reason).Scan(&u.ID, &u.CreatedAt)
	if err != nil {
		_ = os.RemoveAll(st.Dir)
		c.log.Error("record upload", zap.Error(err))
		return upload{}, refuse(ntm.CodeUnavailable, "Không ghi nhận được tệp tải lên: cơ sở dữ liệu không trả lời. Hãy thử lại.")
	}
	c.log.Info("upload checked", zap.Int64("upload", u.ID), zap.String("file", u.FileName), zap.String("dataset", u.Check.Dataset),
		zap.Int("rows_ok", u.Check.RowsLoaded), zap.Int("rows_rejected", u.Check.RowsRejected), zap.Bool("file_rejected", u.Check.Rejected),
		zap.String("by", u.User))
	return u, nil
}

// isDBError tells a database failure from a file that cannot be read.
func (c *Console) isDBError(ctx context.Context, err error) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return true
	}
	return c.d.Pool.Ping(ctx) != nil
}

// confirmUpload loads a checked upload. The row is claimed first (checked → loading), so two
// confirmations never load twice. The load is not tied to the request: a browser closed
// mid-load does not cancel it.
func (c *Console) confirmUpload(ctx context.Context, p *principal, id int64) (upload, *ntm.Error) {
	u, err := scanUpload(c.d.Pool.QueryRow(ctx, `UPDATE console_upload SET status = 'loading', decided_at = now(), decided_by = $2
		WHERE id = $1 AND status = 'checked' AND NOT (check_report->>'rejected')::boolean RETURNING `+uploadColumns, id, p.who()))
	if errors.Is(err, pgx.ErrNoRows) {
		cur, gerr := c.getUpload(ctx, id)
		if errors.Is(gerr, errUploadNotFound) {
			return cur, ntm.Errorf(ntm.CodeNotFound, "%s", fmt.Sprintf("Không có tệp tải lên số %d.", id))
		}
		if gerr != nil {
			return cur, ntm.Errorf(ntm.CodeUnavailable, "%s", msg.DatabaseDown)
		}
		if cur.Status == uploadChecked && cur.Check.Rejected {
			return cur, ntm.Errorf(ntm.CodeConflict, "%s", "Tệp này bị loại cả tệp khi kiểm tra nên không thể nạp: "+cur.Check.Message)
		}
		return cur, ntm.Errorf(ntm.CodeConflict, "%s", fmt.Sprintf("Tệp tải lên số %d đã được xử lý (%s).", id, strings.ToLower(uploadStatusLabel(cur.Status))))
	}
	if err != nil {
		c.log.Error("claim upload", zap.Int64("upload", id), zap.Error(err))
		return u, ntm.Errorf(ntm.CodeUnavailable, "%s", msg.DatabaseDown)
	}
	if verr := c.verifyStaged(ctx, u); verr != nil {
		return u, verr
	}
	if fl, ok := c.d.Jobs.(FileLoader); ok {
		return c.startLoadRun(ctx, fl, p, u)
	}
	return c.loadNow(ctx, p, u), nil
}

// verifyStaged checks that the staged file is still the one checked (its SHA-256 recorded at
// upload). A file changed since is refused: the upload fails, the file is removed, nothing loads.
func (c *Console) verifyStaged(ctx context.Context, u upload) *ntm.Error {
	sum, err := jobs.FileSHA256(u.StagedPath)
	if err == nil && sum == u.SHA256 {
		return nil
	}
	why := "the staged file changed since it was checked"
	if err != nil {
		why = err.Error()
	}
	c.log.Error("staged upload refused at confirm", zap.Int64("upload", u.ID), zap.String("reason", why))
	message := fmt.Sprintf("Tệp %s đang chờ nạp không còn giống tệp đã kiểm tra (đã bị thay đổi hoặc mất) nên không được nạp. Hãy tải tệp lên lại.", u.FileName)
	if _, uerr := c.d.Pool.Exec(context.WithoutCancel(ctx), `UPDATE console_upload SET status = 'failed', error = $2, staged_path = ''
		WHERE id = $1 AND status = 'loading'`, u.ID, message); uerr != nil {
		c.log.Error("record refused upload", zap.Int64("upload", u.ID), zap.Error(uerr))
	}
	c.removeStaged(u.StagedPath)
	return ntm.Wrap(ntm.CodeConflict, errors.New(why), "%s", message)
}

// startLoadRun loads a claimed upload as a run of its own (job "upload"), which holds the
// pipeline lock, so it never overlaps a pipeline run and shows in the run history with its
// progress. The upload stays 'loading' until reconcile sees the run end.
func (c *Console) startLoadRun(ctx context.Context, fl FileLoader, p *principal, u upload) (upload, *ntm.Error) {
	opts := u.options()
	runID, _, err := fl.StartLoad(ctx, jobs.LoadRequest{Path: u.StagedPath, Name: u.FileName, Dataset: opts.Dataset,
		Period: opts.Period, Trigger: p.Trigger, By: p.Name, SHA256: u.SHA256, Replace: u.Replace})
	if err != nil {
		// Not started: the upload waits for a decision again.
		if _, uerr := c.d.Pool.Exec(context.WithoutCancel(ctx), `UPDATE console_upload SET status = 'checked', decided_at = NULL, decided_by = ''
			WHERE id = $1 AND status = 'loading'`, u.ID); uerr != nil {
			c.log.Error("release upload", zap.Int64("upload", u.ID), zap.Error(uerr))
		}
		u.Status, u.DecidedAt, u.DecidedBy = uploadChecked, nil, ""
		var locked *runs.LockedError
		if errors.As(err, &locked) {
			return u, ntm.Errorf(ntm.CodeConflict, "%s", c.lockedMessage(locked.Holder)+" Tệp vẫn chờ xác nhận; hãy xác nhận lại sau.")
		}
		if errors.Is(err, runs.ErrLocked) {
			return u, ntm.Errorf(ntm.CodeConflict, "%s", c.lockedMessage(nil))
		}
		c.log.Error("start load run", zap.Int64("upload", u.ID), zap.Error(err))
		if errors.Is(err, jobs.ErrShuttingDown) {
			return u, ntm.Wrap(ntm.CodeUnavailable, err, "%s", msg.ShuttingDown)
		}
		return u, ntm.Wrap(ntm.CodeUnavailable, errors.New(hidePath(err.Error(), u.StagedPath, u.FileName)), "Không bắt đầu nạp được tệp %s. %s", u.FileName, msg.DatabaseDown)
	}
	if _, err := c.d.Pool.Exec(context.WithoutCancel(ctx), `UPDATE console_upload SET run_id = $2 WHERE id = $1`, u.ID, runID); err != nil {
		c.log.Error("record load run", zap.Int64("upload", u.ID), zap.Error(err))
	}
	u.RunID = &runID
	c.log.Info("upload load started", zap.Int64("upload", u.ID), zap.Int64("run", runID), zap.String("by", p.who()))
	return u, nil
}

// reconcile finishes an upload whose load run has ended: it copies what the run recorded of
// the file (batch, rows, outcome, and the batch's rejected rows) and removes the staged file.
func (c *Console) reconcile(ctx context.Context, u *upload) {
	if u.Status != uploadLoading || u.RunID == nil {
		return
	}
	run, err := c.d.Runs.Get(ctx, *u.RunID)
	if err != nil || !run.Status.Done() {
		return
	}
	rep := fileReport{Dataset: u.Check.Dataset, Shape: u.Check.Shape, Rejects: []rejectView{}}
	status, msg := uploadLoaded, ""
	var f *runs.File
	if n := len(run.Files); n > 0 {
		f = &run.Files[n-1]
		rep.RowsLoaded, rep.RowsRejected, rep.BatchID = f.RowsLoaded, f.RowsRejected, f.BatchID
		rep.RowsRead = f.RowsLoaded + f.RowsRejected
		rep.AlreadyLoaded = f.Outcome == runs.FileAlreadyLoaded
		rep.Rejected = f.Outcome == runs.FileRejected
		rep.Message = hidePath(f.Message, u.StagedPath, u.FileName)
		if f.BatchID > 0 && f.RowsRejected > 0 && !rep.AlreadyLoaded {
			if rs, err := transform.RejectedRows(ctx, c.d.Pool, f.BatchID, transform.RejectsKept); err == nil {
				for _, x := range rs {
					rep.Rejects = append(rep.Rejects, rejectView{Sheet: x.Sheet, Row: x.Row, Column: x.Column, Reason: x.Reason, Raw: x.Raw})
				}
			}
		}
	}
	switch {
	case run.Status != runs.StatusSucceeded:
		status, msg = uploadFailed, fmt.Sprintf("Lượt nạp số %d kết thúc với trạng thái %q: %s", run.ID, run.Status.Label(), hidePath(run.Error, u.StagedPath, u.FileName))
	case f == nil:
		status, msg = uploadFailed, fmt.Sprintf("Lượt nạp số %d không ghi nhận tệp nào.", run.ID)
	case f.Outcome == runs.FileRejected || f.Outcome == runs.FileFailed:
		status, msg = uploadFailed, rep.Message
	}
	var batch *int64
	if rep.BatchID > 0 {
		batch = &rep.BatchID
	}
	loadJSON, _ := json.Marshal(rep)
	tag, err := c.d.Pool.Exec(ctx, `UPDATE console_upload SET status = $2, load_report = $3, batch_id = $4, error = $5, staged_path = ''
		WHERE id = $1 AND status = 'loading'`, u.ID, status, loadJSON, batch, msg)
	if err != nil {
		c.log.Error("finish upload", zap.Int64("upload", u.ID), zap.Error(err))
		return
	}
	if tag.RowsAffected() == 1 {
		c.recordReload(ctx, *u, status, rep.BatchID)
		c.removeStaged(u.StagedPath)
		c.log.Info("upload loaded", zap.Int64("upload", u.ID), zap.Int64("run", run.ID), zap.String("status", status),
			zap.Int64("batch", rep.BatchID), zap.Int("rows_loaded", rep.RowsLoaded), zap.Int("rows_rejected", rep.RowsRejected))
	}
	u.Status, u.Load, u.BatchID, u.Error, u.StagedPath = status, &rep, batch, msg, ""
}

// recordReload records a loaded re-load as an office action on the batch it replaced, with the
// reason the office gave (the batch's page and ntm batch show list it).
func (c *Console) recordReload(ctx context.Context, u upload, status string, newBatch int64) {
	if u.Replace == 0 || status != uploadLoaded || newBatch == 0 || newBatch == u.Replace {
		return
	}
	if err := actions.Record(context.WithoutCancel(ctx), c.d.Pool, actions.KindReload, u.Replace, u.Reason, u.User,
		map[string]any{"file": u.FileName, "new_batch": newBatch, "upload": u.ID}); err != nil {
		c.log.Error("record reload", zap.Int64("upload", u.ID), zap.Error(err))
	}
}

// loadNow loads a claimed upload in the request (when the job starter cannot run loads). The
// load is not tied to the request: a browser closed mid-load does not cancel it.
func (c *Console) loadNow(ctx context.Context, p *principal, u upload) upload {
	id := u.ID
	loadCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Hour)
	defer cancel()
	rep, lerr := c.d.Loader.LoadFile(loadCtx, u.StagedPath, u.options())
	status, msg := uploadLoaded, ""
	switch {
	case lerr != nil:
		status, msg = uploadFailed, hidePath(ntm.ErrorMessage(lerr), u.StagedPath, u.FileName)
	case rep.Rejected:
		status, msg = uploadFailed, hidePath(rep.Message, u.StagedPath, u.FileName)
	}
	load := newFileReport(rep, u.StagedPath, u.FileName)
	u.Load, u.Status, u.Error = &load, status, msg
	var batch *int64
	if rep.BatchID > 0 {
		batch = &rep.BatchID
	}
	u.BatchID = batch
	loadJSON, _ := json.Marshal(load)
	if _, err := c.d.Pool.Exec(context.WithoutCancel(ctx), `UPDATE console_upload SET status = $2, load_report = $3, batch_id = $4, error = $5, staged_path = ''
		WHERE id = $1`, id, status, loadJSON, batch, msg); err != nil {
		c.log.Error("record upload load", zap.Int64("upload", id), zap.Error(err))
	}
	c.recordReload(ctx, u, status, rep.BatchID)
	c.removeStaged(u.StagedPath)
	u.StagedPath = ""
	c.log.Info("upload loaded", zap.Int64("upload", id), zap.String("file", u.FileName), zap.String("status", status),
		zap.Int64("batch", rep.BatchID), zap.Int("rows_loaded", rep.RowsLoaded), zap.Int("rows_rejected", rep.RowsRejected),
		zap.String("by", p.who()), zap.NamedError("error", lerr))
	return u
}

// cancelUpload drops a checked upload and its staged file.
func (c *Console) cancelUpload(ctx context.Context, p *principal, id int64) (upload, *ntm.Error) {
	u, err := scanUpload(c.d.Pool.QueryRow(ctx, `UPDATE console_upload SET status = 'cancelled', decided_at = now(), decided_by = $2
		WHERE id = $1 AND status = 'checked' RETURNING `+uploadColumns, id, p.who()))
	if errors.Is(err, pgx.ErrNoRows) {
		cur, gerr := c.getUpload(ctx, id)
		if errors.Is(gerr, errUploadNotFound) {
			return cur, ntm.Errorf(ntm.CodeNotFound, "%s", fmt.Sprintf("Không có tệp tải lên số %d.", id))
		}
		return cur, ntm.Errorf(ntm.CodeConflict, "%s", fmt.Sprintf("Tệp tải lên số %d đã được xử lý (%s).", id, strings.ToLower(uploadStatusLabel(cur.Status))))
	}
	if err != nil {
		return u, ntm.Errorf(ntm.CodeUnavailable, "%s", msg.DatabaseDown)
	}
	c.removeStaged(u.StagedPath)
	if _, err := c.d.Pool.Exec(ctx, `UPDATE console_upload SET staged_path = '' WHERE id = $1`, id); err != nil {
		c.log.Warn("cancel upload", zap.Error(err))
	}
	u.StagedPath = ""
	c.log.Info("upload cancelled", zap.Int64("upload", id), zap.String("by", p.who()))
	return u, nil
}

// removeStaged deletes a staged file's folder, only ever inside the staging folder.
func (c *Console) removeStaged(path string) {
	if path == "" {
		return
	}
	dir := filepath.Dir(path)
	rel, err := filepath.Rel(c.d.UploadDir, dir)
	if err != nil || !filepath.IsLocal(rel) || rel == "." {
		return
	}
	if err := os.RemoveAll(dir); err != nil {
		c.log.Warn("remove staged upload", zap.Error(err))
	}
}

// sweepUploads cancels uploads left undecided for stagedTTL (removing their files) and marks
// failed the loads a dead process left 'loading'. It runs at most every ten minutes.
func (c *Console) sweepUploads(ctx context.Context) {
	c.sweepMu.Lock()
	if c.now().Sub(c.lastSweep) < 10*time.Minute {
		c.sweepMu.Unlock()
		return
	}
	c.lastSweep = c.now()
	c.sweepMu.Unlock()
	rows, err := c.d.Pool.Query(ctx, `WITH old AS (
			SELECT id, staged_path FROM console_upload WHERE status = 'checked' AND created_at < $1 FOR UPDATE)
		UPDATE console_upload u SET status = 'cancelled', decided_at = now(), decided_by = 'tự động (quá hạn)', staged_path = ''
		FROM old WHERE u.id = old.id RETURNING old.staged_path`, c.now().Add(-stagedTTL))
	if err != nil {
		c.log.Warn("sweep uploads", zap.Error(err))
		return
	}
	paths, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		c.log.Warn("sweep uploads", zap.Error(err))
		return
	}
	for _, p := range paths {
		c.removeStaged(p)
	}
	if _, err := c.d.Pool.Exec(ctx, `UPDATE console_upload SET status = 'failed', error = 'Việc nạp bị gián đoạn (hệ thống dừng giữa chừng); không có dữ liệu nào được nạp. Hãy tải tệp lên lại.'
		WHERE status = 'loading' AND run_id IS NULL AND decided_at < $1`, c.now().Add(-3*time.Hour)); err != nil {
		c.log.Warn("sweep uploads", zap.Error(err))
	}
}
