package jobs

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"ntm"
	"ntm/config"
	"ntm/runs"
	"ntm/transform"
)

// UploadJob is the job name recorded for a file uploaded through the console or the API.
const UploadJob = "upload"

// LoadRequest asks to load one uploaded file as a run of its own (job "upload"), so it
// never overlaps a pipeline run and is recorded like one.
type LoadRequest struct {
	Path    string      // the file on disk (a temporary copy of the upload)
	Name    string      // the name the office gave it (shown in the run); default: base of Path
	Dataset ntm.Dataset // "" = detect from the header
	Period  ntm.Period  // optional: last-resort as-of date, default dossier period
	Trigger runs.Trigger
	By      string
	// RemoveAfter deletes Path once the run ends (whatever its outcome).
	RemoveAfter bool
	// SHA256, when set, is the hex SHA-256 the file must have (what was checked): the load
	// verifies it first and fails, loading nothing, when the file changed.
	SHA256 string
	// Replace is the batch the file re-loads (transform.LoadOptions.Replace); 0 = none.
	Replace int64
}

// StartLoad takes the pipeline lock, records a run with one step "load NAME", and loads the
// file in the background; it returns the run id at once (a *runs.LockedError when busy).
// Check the file first with transform's CheckFile to show the office what would be rejected.
func (r *Runner) StartLoad(ctx context.Context, req LoadRequest) (runID int64, done <-chan Result, err error) {
	if req.Name == "" {
		req.Name = filepath.Base(req.Path)
	}
	r.mu.Lock()
	base := r.base
	r.mu.Unlock()
	if base.Err() != nil {
		return 0, nil, ErrShuttingDown
	}
	if err := ctx.Err(); err != nil {
		return 0, nil, err
	}
	if _, err := os.Stat(req.Path); err != nil {
		return 0, nil, fmt.Errorf("uploaded file %s: %w", req.Name, err)
	}
	runCtx, cancel := context.WithCancel(base)
	params := map[string]any{"file": req.Name, "dataset": string(req.Dataset)}
	period := ""
	if req.Period.Year != 0 {
		period = req.Period.String()
	}
	a, err := r.Store.Begin(runCtx, runs.Spec{Job: UploadJob, Trigger: req.Trigger, By: req.By, Period: period, Params: params})
	if err != nil {
		cancel()
		if req.RemoveAfter {
			os.Remove(req.Path)
		}
		return 0, nil, err
	}
	ch := make(chan Result, 1)
	r.active.Add(1)
	go func() {
		defer r.active.Done()
		defer cancel()
		if req.RemoveAfter {
			defer os.Remove(req.Path)
		}
		if req.SHA256 != "" {
			if sum, err := FileSHA256(req.Path); err != nil || sum != req.SHA256 {
				err = ntm.Errorf(ntm.CodeConflict, "Tệp %s không còn giống tệp đã kiểm tra nên không được nạp; hãy tải lên lại.", req.Name)
				st := a.Step("load " + req.Name)
				st.Finish(err)
				res := Result{RunID: a.ID, Job: UploadJob, Period: req.Period, Err: err}
				res.Status = a.Finish(err)
				ch <- res
				close(ch)
				return
			}
		}
		src := config.Source{Name: UploadJob, Dataset: req.Dataset, Kind: config.SourcePath, Location: req.Path, AsOf: config.AsOfFile}
		st := a.Step("load " + req.Name)
		var total int64
		rec, err := r.loadOne(a.Context(), r.loader(), a, st, src, transform.LoadOptions{Dataset: req.Dataset, Period: req.Period, Replace: req.Replace}, req.Path, req.Name, &total)
		if err == nil && rec.Outcome == runs.FileRejected {
			err = fmt.Errorf("tệp %s bị từ chối toàn bộ: %s", req.Name, rec.Message)
		}
		st.Finish(err)
		res := Result{RunID: a.ID, Job: UploadJob, Period: req.Period, Err: err}
		res.Status = a.Finish(err)
		ch <- res
		close(ch)
	}()
	return a.ID, ch, nil
}

// FileSHA256 is the hex SHA-256 of a file's bytes (what a batch and an upload record).
func FileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
