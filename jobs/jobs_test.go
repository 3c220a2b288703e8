package jobs

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"ntm"
	"ntm/config"
	"ntm/db/dbtest"
	"ntm/runs"
	"ntm/sample"
	"ntm/transform"
)

var dec2024 = ntm.Period{Year: 2024, Month: time.December}

// setup gives a database with the tiny sample's units loaded, and the sample's files.
func setup(t *testing.T, gen func(sample.Options) (sample.Manifest, error)) (*pgxpool.Pool, map[ntm.Dataset]sample.File) {
	t.Helper()
	pool := dbtest.New(t)
	man, err := gen(sample.Options{Dir: t.TempDir(), Seed: 7, Period: dec2024})
	if err != nil {
		t.Fatal(err)
	}
	files := map[ntm.Dataset]sample.File{}
	for _, f := range man.Files {
		files[f.Dataset] = f
	}
	u, ok := files[ntm.DatasetUnits]
	if !ok {
		t.Fatal("the sample has no units file")
	}
	rep, err := transform.NewLoader(pool, nil).LoadFile(context.Background(), u.Path, transform.LoadOptions{Dataset: ntm.DatasetUnits})
	if err != nil || rep.Rejected {
		t.Fatalf("load units: %v %s", err, rep.Message)
	}
	return pool, files
}

func testConfig(t *testing.T, sources []config.Source, jobs ...config.Job) *config.Config {
	t.Helper()
	c := config.Default()
	c.Reports.OutDir = t.TempDir()
	c.Sources = sources
	c.Network = config.Network{Timeout: 5 * time.Second, Retries: 3, Backoff: time.Millisecond}
	c.Jobs = append(c.Jobs, jobs...)
	return c
}

func copyFile(t *testing.T, src, dst string) {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func count(t *testing.T, pool *pgxpool.Pool, sql string, args ...any) int {
	t.Helper()
	var n int
	if err := pool.QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestHTTPSourceRetriesThenLoadsOnce(t *testing.T) {
	pool, files := setup(t, sample.Tiny)
	body, err := os.ReadFile(files[ntm.DatasetVpostcode].Path)
	if err != nil {
		t.Fatal(err)
	}
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer s3cret" {
			http.Error(w, "no", http.StatusUnauthorized)
			return
		}
		if hits.Add(1) <= 2 {
			http.Error(w, "busy", http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Content-Disposition", `attachment; filename="vpostcode.xlsx"`)
		w.Write(body)
	}))
	defer srv.Close()
	t.Setenv("FEED_TOKEN", "s3cret")
	src := config.Source{Name: "vpostcode", Dataset: ntm.DatasetVpostcode, Kind: config.SourceURL, Location: srv.URL + "/export?key=abc",
		Headers: map[string]string{"Authorization": "Bearer ${FEED_TOKEN}"}}
	cfg := testConfig(t, []config.Source{src}, config.Job{Name: "pull", Steps: []string{config.StepPull}})
	r := NewRunner(pool, cfg, nil)
	var waits []time.Duration
	r.Fetcher.Sleep = func(ctx context.Context, d time.Duration) error { waits = append(waits, d); return nil }

	res, err := r.Run(context.Background(), Request{Job: "pull", Period: dec2024, Trigger: runs.TriggerCLI, By: "test"})
	if err != nil {
		t.Fatal(err)
	}
	if hits.Load() != 3 || len(waits) != 2 || waits[1] != 2*waits[0] {
		t.Fatalf("hits = %d, waits = %v: want 3 attempts with doubling backoff", hits.Load(), waits)
	}
	run, err := r.Store.Get(context.Background(), res.RunID)
	if err != nil {
		t.Fatal(err)
	}
	if run.Status != runs.StatusSucceeded || len(run.Steps) != 1 || run.Steps[0].Counts["attempts"] != 3 || run.Steps[0].Counts["files_loaded"] != 1 {
		t.Fatalf("run = %+v steps %+v", run, run.Steps)
	}
	if len(run.Files) != 1 || run.Files[0].Outcome != runs.FileLoaded || run.Files[0].BatchID == 0 || strings.Contains(run.Files[0].URI, "abc") {
		t.Fatalf("files = %+v (the query string must be hidden)", run.Files)
	}
	if run.Steps[0].Counts["rows_loaded"] == 0 || run.Steps[0].RowsDone == 0 {
		t.Fatalf("no rows counted: %+v", run.Steps[0])
	}

	// The same bytes again: nothing reloads.
	res2, err := r.Run(context.Background(), Request{Job: "pull", Period: dec2024, Trigger: runs.TriggerCLI})
	if err != nil {
		t.Fatal(err)
	}
	run2, _ := r.Store.Get(context.Background(), res2.RunID)
	if run2.Files[0].Outcome != runs.FileAlreadyLoaded || run2.Files[0].BatchID != run.Files[0].BatchID {
		t.Fatalf("second pull = %+v", run2.Files)
	}
	if n := count(t, pool, `SELECT count(*) FROM batch WHERE dataset = 'vpostcode'`); n != 1 {
		t.Fatalf("%d vpostcode batches, want 1", n)
	}
}

func TestHTTPSourceGivesUpAndSaysWhy(t *testing.T) {
	pool := dbtest.New(t)
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		http.Error(w, "gone", http.StatusNotFound)
	}))
	defer srv.Close()
	src := config.Source{Name: "feed", Dataset: ntm.DatasetVpostcode, Kind: config.SourceURL, Location: srv.URL + "/x.csv"}
	cfg := testConfig(t, []config.Source{src}, config.Job{Name: "pull", Steps: []string{config.StepPull}})
	r := NewRunner(pool, cfg, nil)
	res, err := r.Run(context.Background(), Request{Job: "pull", Period: dec2024, Trigger: runs.TriggerCLI})
	if err == nil || res.Status != runs.StatusFailed {
		t.Fatalf("status %s, err %v", res.Status, err)
	}
	if hits.Load() != 1 {
		t.Fatalf("a 404 was retried: %d hits", hits.Load())
	}
	if !strings.Contains(err.Error(), "404") || !strings.Contains(err.Error(), "feed") {
		t.Fatalf("error %q does not say what happened", err)
	}
}

func TestHTTPTimeoutIsRetried(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if hits.Add(1) == 1 {
			select {
			case <-r.Context().Done():
			case <-time.After(5 * time.Second):
			}
			return
		}
		w.Write([]byte("a,b\n1,2\n"))
	}))
	defer srv.Close()
	f := &Fetcher{Network: config.Network{Timeout: 200 * time.Millisecond, Retries: 1, Backoff: time.Millisecond}}
	p, attempts, err := f.Fetch(context.Background(), config.Source{Name: "s", Location: srv.URL + "/data.csv"}, t.TempDir())
	if err != nil || attempts != 2 || filepath.Base(p) != "data.csv" {
		t.Fatalf("Fetch = %q, %d, %v", p, attempts, err)
	}
}

func TestInboxFilesMoveToDoneOrFailed(t *testing.T) {
	pool, files := setup(t, sample.Tiny)
	inbox := filepath.Join(t.TempDir(), "inbox")
	copyFile(t, files[ntm.DatasetVpostcode].Path, filepath.Join(inbox, "vpostcode.xlsx"))
	if err := os.WriteFile(filepath.Join(inbox, "notes.csv"), []byte("hello,world\nnothing,here\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(inbox, "~$vpostcode.xlsx"), []byte("lock"), 0o644); err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-time.Minute)
	for _, n := range []string{"vpostcode.xlsx", "notes.csv", "~$vpostcode.xlsx"} {
		os.Chtimes(filepath.Join(inbox, n), old, old)
	}
	src := config.Source{Name: "inbox", Dataset: ntm.DatasetVpostcode, Kind: config.SourceInbox, Location: inbox}
	cfg := testConfig(t, []config.Source{src}, config.Job{Name: "pull", Steps: []string{config.StepPull}})
	r := NewRunner(pool, cfg, nil)
	res, err := r.Run(context.Background(), Request{Job: "pull", Period: dec2024, Trigger: runs.TriggerCLI})
	if err != nil {
		t.Fatal(err)
	}
	run, _ := r.Store.Get(context.Background(), res.RunID)
	outcomes := map[string]string{}
	for _, f := range run.Files {
		outcomes[filepath.Base(f.URI)[16:]] = f.Outcome // strip the time prefix
	}
	if outcomes["vpostcode.xlsx"] != runs.FileLoaded || outcomes["notes.csv"] != runs.FileRejected || len(outcomes) != 2 {
		t.Fatalf("outcomes = %v", outcomes)
	}
	left, _ := filepath.Glob(filepath.Join(inbox, "*.*"))
	if len(left) != 1 || filepath.Base(left[0]) != "~$vpostcode.xlsx" {
		t.Fatalf("left in the inbox: %v", left)
	}
	done, _ := filepath.Glob(filepath.Join(inbox, InboxDone, "*vpostcode.xlsx"))
	failed, _ := filepath.Glob(filepath.Join(inbox, InboxFailed, "*notes.csv"))
	if len(done) != 1 || len(failed) != 1 {
		t.Fatalf("done %v, failed %v", done, failed)
	}
	if run.Steps[0].Counts["files_rejected"] != 1 || run.Steps[0].Counts["files_loaded"] != 1 {
		t.Fatalf("counts = %v", run.Steps[0].Counts)
	}
}

// Cancelling mid-load (SIGTERM in the daemon, Ctrl-C in the CLI) rolls the file back whole.
func TestCancelMidLoadLeavesNothingHalfLoaded(t *testing.T) {
	pool, files := setup(t, sample.LangSon)
	survey := files[ntm.DatasetDVCDossierRecords] // tens of thousands of rows
	inbox := filepath.Join(t.TempDir(), "inbox")
	copyFile(t, survey.Path, filepath.Join(inbox, filepath.Base(survey.Path)))
	old := time.Now().Add(-time.Minute)
	os.Chtimes(filepath.Join(inbox, filepath.Base(survey.Path)), old, old)
	src := config.Source{Name: "records", Dataset: ntm.DatasetDVCDossierRecords, Kind: config.SourceInbox, Location: inbox}
	cfg := testConfig(t, []config.Source{src}, config.Job{Name: "pull", Steps: []string{config.StepPull}})
	r := NewRunner(pool, cfg, nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var sawRows atomic.Int32
	r.Observe = func(ev Event) {
		if !ev.Done && ev.Rows >= transform.ProgressEvery {
			sawRows.Store(int32(ev.Rows))
			cancel()
		}
	}
	batchesBefore := count(t, pool, `SELECT count(*) FROM batch`)
	res, err := r.Run(ctx, Request{Period: dec2024, Trigger: runs.TriggerSchedule})
	if !errors.Is(err, context.Canceled) || res.Status != runs.StatusCancelled {
		t.Fatalf("Run = %s, %v; want cancelled", res.Status, err)
	}
	if sawRows.Load() == 0 {
		t.Fatal("the load was not under way when cancelled")
	}
	if n := count(t, pool, `SELECT count(*) FROM batch`); n != batchesBefore {
		t.Fatalf("%d batches after the cancelled load, want %d", n, batchesBefore)
	}
	if n := count(t, pool, `SELECT count(*) FROM fact_dvc_dossier_record`); n != 0 {
		t.Fatalf("%d survey facts after the cancelled load", n)
	}
	run, _ := r.Store.Get(context.Background(), res.RunID)
	if run.Status != runs.StatusCancelled || run.Steps[0].Status != runs.StatusCancelled || len(run.Steps) != 1 {
		t.Fatalf("run = %+v, steps %+v", run, run.Steps)
	}
	if _, err := os.Stat(filepath.Join(inbox, filepath.Base(survey.Path))); err != nil {
		t.Fatalf("the inbox file must stay for the next run: %v", err)
	}
	// The next run loads it whole.
	r.Observe = nil
	if _, err = r.Run(context.Background(), Request{Job: "pull", Period: dec2024, Trigger: runs.TriggerCLI}); err != nil {
		t.Fatal(err)
	}
	if n := count(t, pool, `SELECT count(*) FROM fact_dvc_dossier_record`); n == 0 {
		t.Fatal("the records did not load on the next run")
	}
}

func TestStartReturnsTheRunAndRefusesASecond(t *testing.T) {
	pool, _ := setup(t, sample.Tiny)
	cfg := testConfig(t, nil)
	r := NewRunner(pool, cfg, nil)
	holder, err := r.Store.Begin(context.Background(), runs.Spec{Job: "nightly", Trigger: runs.TriggerWeb, By: "lan"})
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = r.Start(context.Background(), Request{Period: dec2024, Trigger: runs.TriggerAPI, By: "script"})
	var locked *runs.LockedError
	if !errors.As(err, &locked) || locked.Holder.ID != holder.ID || !strings.Contains(err.Error(), "by lan") {
		t.Fatalf("Start while held = %v", err)
	}
	holder.Finish(nil)

	id, done, err := r.Start(context.Background(), Request{Period: dec2024, Trigger: runs.TriggerWeb, By: "lan"})
	if err != nil || id == 0 {
		t.Fatalf("Start = %d, %v", id, err)
	}
	res := <-done
	if res.RunID != id || res.Status != runs.StatusSucceeded {
		t.Fatalf("result = %+v", res)
	}
	run, _ := r.Store.Get(context.Background(), id)
	names := []string{}
	for _, s := range run.Steps {
		names = append(names, s.Name+":"+string(s.Status))
	}
	if strings.Join(names, ",") != "pull:skipped,evaluate:succeeded,report:succeeded" {
		t.Fatalf("steps = %v", names)
	}
	if err := r.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, _, err := r.Start(context.Background(), Request{Trigger: runs.TriggerWeb}); err == nil {
		t.Fatal("Start after Stop must refuse")
	}
}

func TestBackfillSkipsSucceededPeriodsUnlessRedo(t *testing.T) {
	pool, _ := setup(t, sample.Tiny)
	cfg := testConfig(t, nil, config.Job{Name: "eval", Steps: []string{config.StepEvaluate}, Period: config.PeriodYesterday})
	r := NewRunner(pool, cfg, nil)
	ctx := context.Background()
	if _, err := pool.Exec(ctx, `INSERT INTO run (job, trigger, period, status, finished_at) VALUES ('eval', 'cli', '2024-11', 'succeeded', now())`); err != nil {
		t.Fatal(err)
	}
	oct := ntm.Period{Year: 2024, Month: time.October}
	got, err := r.Backfill(ctx, Request{Job: "eval", Trigger: runs.TriggerCLI}, oct, dec2024, false)
	if err != nil {
		t.Fatal(err)
	}
	var summary []string
	for _, g := range got {
		s := g.Period.String() + ":" + string(g.Status)
		if g.Skipped {
			s = g.Period.String() + ":skipped"
		}
		summary = append(summary, s)
	}
	if strings.Join(summary, ",") != "2024-10:succeeded,2024-11:skipped,2024-12:succeeded" {
		t.Fatalf("backfill = %v", summary)
	}
	got, err = r.Backfill(ctx, Request{Job: "eval", Trigger: runs.TriggerCLI}, oct, dec2024, true)
	if err != nil || len(got) != 3 || got[1].Skipped {
		t.Fatalf("redo = %+v, %v", got, err)
	}
	if n := count(t, pool, `SELECT count(*) FROM evaluation`); n != 5 {
		t.Fatalf("%d evaluations, want 5", n)
	}
}

func TestMissedRunsAfterDowntime(t *testing.T) {
	pool := dbtest.New(t)
	cfg := testConfig(t, nil, config.Job{Name: "manual", Steps: []string{config.StepEvaluate}})
	r := NewRunner(pool, cfg, nil)
	loc := cfg.Location
	ctx := context.Background()
	now := time.Date(2024, 12, 3, 10, 0, 0, 0, loc)

	// Never ran: a fresh install waits for its schedule.
	if m, err := r.MissedRuns(ctx, now); err != nil || len(m) != 0 {
		t.Fatalf("fresh install: %v, %v", m, err)
	}
	insert := func(status string, at time.Time) {
		if _, err := pool.Exec(ctx, `INSERT INTO run (job, trigger, period, status, started_at) VALUES ('nightly', 'schedule', '', $1, $2)`, status, at); err != nil {
			t.Fatal(err)
		}
	}
	// Last success on 28 November at 02:00; the daemon was down from then until 3 December 10:00.
	insert("succeeded", time.Date(2024, 11, 28, 2, 0, 0, 5e6, loc))
	insert("failed", time.Date(2024, 11, 29, 2, 0, 0, 0, loc))
	m, err := r.MissedRuns(ctx, now)
	if err != nil {
		t.Fatal(err)
	}
	// Due times 29/11, 30/11, 1/12 evaluate November (yesterday rule); 2/12 and 3/12 December.
	if len(m) != 2 || m[0].Period.String() != "2024-11" || m[1].Period.String() != "2024-12" {
		t.Fatalf("missed = %+v", m)
	}
	if !m[0].At.Equal(time.Date(2024, 12, 1, 2, 0, 0, 0, loc)) || !m[1].At.Equal(time.Date(2024, 12, 3, 2, 0, 0, 0, loc)) {
		t.Fatalf("due times = %v, %v", m[0].At, m[1].At)
	}
	// Up to date: nothing missed.
	insert("succeeded", time.Date(2024, 12, 3, 2, 0, 0, 1e6, loc))
	if m, err := r.MissedRuns(ctx, now); err != nil || len(m) != 0 {
		t.Fatalf("up to date: %v, %v", m, err)
	}
}

func TestSchedulerCatchesUpAndStopsCleanly(t *testing.T) {
	pool, _ := setup(t, sample.Tiny)
	cfg := testConfig(t, nil)
	r := NewRunner(pool, cfg, nil)
	ctx := context.Background()
	// The last success was two days ago.
	if _, err := pool.Exec(ctx, `INSERT INTO run (job, trigger, period, status, started_at) VALUES ('nightly', 'schedule', '', 'succeeded', now() - interval '50 hours')`); err != nil {
		t.Fatal(err)
	}
	s := NewScheduler(r)
	missed, err := s.Start(ctx)
	if err != nil || len(missed) == 0 {
		t.Fatalf("Start = %v, %v", missed, err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for count(t, pool, `SELECT count(*) FROM run WHERE triggered_by = 'catch-up' AND status <> 'running'`) < len(missed) {
		if time.Now().After(deadline) {
			t.Fatal("catch-up runs did not finish")
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err := s.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	if n := count(t, pool, `SELECT count(*) FROM run WHERE triggered_by = 'catch-up' AND status = 'succeeded' AND trigger = 'schedule'`); n != len(missed) {
		t.Fatalf("%d catch-up runs succeeded, want %d", n, len(missed))
	}
}

func TestStartLoadRecordsAnUploadRun(t *testing.T) {
	pool, files := setup(t, sample.Tiny)
	cfg := testConfig(t, nil)
	r := NewRunner(pool, cfg, nil)
	up := filepath.Join(t.TempDir(), "upload-123.tmp")
	copyFile(t, files[ntm.DatasetVpostcode].Path, up)
	id, done, err := r.StartLoad(context.Background(), LoadRequest{Path: up, Name: "vpostcode-thang-11.xlsx", Dataset: ntm.DatasetVpostcode,
		Trigger: runs.TriggerWeb, By: "lan", RemoveAfter: true})
	if err != nil {
		t.Fatal(err)
	}
	res := <-done
	if res.Status != runs.StatusSucceeded || res.RunID != id {
		t.Fatalf("upload result = %+v", res)
	}
	run, _ := r.Store.Get(context.Background(), id)
	if run.Job != UploadJob || run.TriggeredBy != "lan" || len(run.Files) != 1 || run.Files[0].Outcome != runs.FileLoaded ||
		run.Files[0].URI != "vpostcode-thang-11.xlsx" || run.Steps[0].Name != "load vpostcode-thang-11.xlsx" {
		t.Fatalf("upload run = %+v, files %+v", run, run.Files)
	}
	if _, err := os.Stat(up); !os.IsNotExist(err) {
		t.Fatal("the uploaded temporary file was not removed")
	}
	// A file rejected whole fails the upload run, saying why.
	bad := filepath.Join(t.TempDir(), "x.csv")
	os.WriteFile(bad, []byte("foo,bar\n1,2\n"), 0o644)
	_, done, err = r.StartLoad(context.Background(), LoadRequest{Path: bad, Dataset: ntm.DatasetVpostcode, Trigger: runs.TriggerAPI, By: "script"})
	if err != nil {
		t.Fatal(err)
	}
	if res := <-done; res.Status != runs.StatusFailed || res.Err == nil || !strings.Contains(res.Err.Error(), "từ chối") {
		t.Fatalf("rejected upload = %+v", res)
	}
}
