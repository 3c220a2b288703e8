package main

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"go.uber.org/zap"

	"ntm"
	"ntm/config"
	"ntm/runs"
	"ntm/transform"
)

// beginRun starts a recorded run of job (ingest, evaluate, report, demo): it takes the pipeline
// lock through runs.Store, so a CLI command never overlaps a nightly run (and is told, in one
// Vietnamese sentence, which run holds the lock), and records the run with its parameters.
// The caller records steps and files on it and must Finish it with the command's error.
func (e *env) beginRun(ctx context.Context, job string, params map[string]any) (*runs.Active, error) {
	// The command prints how it went; the run's own warnings would say it twice on stderr.
	store := runs.NewStore(e.pool, e.log.WithOptions(zap.IncreaseLevel(zap.ErrorLevel)))
	store.Loc = e.location()
	period, _ := params["period"].(string)
	a, err := store.Begin(ctx, runs.Spec{Job: job, Trigger: runs.TriggerCLI, By: osUser(), Period: period, Params: params})
	var locked *runs.LockedError
	if errors.As(err, &locked) {
		return nil, locked.AsError()
	}
	if err != nil {
		// A read-only or full database, a server gone: one Vietnamese sentence, as ntm run says.
		return nil, unrecordedRun(err)
	}
	return a, nil
}

// recordRun runs fn as a recorded run of job (see beginRun) and records how it ended; fn's
// error is the command's error.
func (e *env) recordRun(ctx context.Context, job string, params map[string]any, fn func(a *runs.Active) error) error {
	a, err := e.beginRun(ctx, job, params)
	if err != nil {
		return err
	}
	err = fn(a)
	a.Finish(err)
	return err
}

// recordStep runs fn as one step of a recorded run.
func recordStep(a *runs.Active, name string, fn func(st *runs.StepRun) error) error {
	st := a.Step(name)
	err := fn(st)
	st.Finish(err)
	return err
}

// recordLoad records one file a CLI command loaded (or failed to) on its run.
func recordLoad(a *runs.Active, source, uri string, rep transform.FileReport, err error) {
	f := runs.File{Source: source, URI: uri, BatchID: rep.BatchID, RowsLoaded: rep.RowsLoaded, RowsRejected: rep.RowsRejected, Message: rep.Message}
	switch {
	case err != nil:
		f.Outcome, f.Message = runs.FileFailed, ntm.ErrorMessage(err)
	case rep.AlreadyLoaded:
		f.Outcome = runs.FileAlreadyLoaded
	case rep.Rejected:
		f.Outcome = runs.FileRejected
	default:
		f.Outcome = runs.FileLoaded
	}
	a.File(f)
}

// reported is a failure the command has already printed: an *ntm.Error whose message is the
// Vietnamese summary (kept by the run record) and whose cause is errReported, so the process
// exits 1 without more text.
func reported(summary string) error { return ntm.Wrap(ntm.CodeInvalid, errReported, "%s", summary) }

// location is the zone times are shown in: the config file's (NTM_CONFIG or ./ntm.yaml), else
// Asia/Ho_Chi_Minh.
func (e *env) location() *time.Location { return e.fileConfig().Location }

// fileConfig is the config file's settings (NTM_CONFIG or ./ntm.yaml) for the commands that
// take no --config (the time zone, the file size limit), else the built-in defaults; read once.
func (e *env) fileConfig() *config.Config {
	if e.cfg != nil {
		return e.cfg
	}
	e.cfg = config.Default()
	if path := config.ResolvePath(""); path != "" {
		if cfg, err := config.Load(path); err == nil && cfg.Location != nil {
			e.cfg = cfg
		}
	}
	return e.cfg
}

// loader is a loader with the config file's limits.
func (e *env) loader(pool *pgxpool.Pool) *transform.Loader {
	l := transform.NewLoader(pool, e.log)
	l.MaxFileSize = e.fileConfig().MaxFileSize
	return l
}

// ingestParams are the parameters an ingest run records.
func ingestParams(l loadFlags, files []string) map[string]any {
	p := map[string]any{"files": files}
	if l.dataset != "" {
		p["dataset"] = l.dataset
	}
	if l.asOf != "" {
		p["as_of"] = l.asOf
	}
	if l.period != "" {
		p["period"] = l.period
	}
	return p
}
