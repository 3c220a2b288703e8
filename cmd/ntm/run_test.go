package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"ntm/db"
	"ntm/db/dbtest"
	"ntm/runs"
	"ntm/sample"
)

func TestConfigCheckNamesLines(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "ntm.yaml")
	os.WriteFile(bad, []byte("time_zone: Mars/Olympus\njobs:\n  nightly:\n    schedule: \"0 2 * *\"\n"), 0o600)
	code, out, errs := ntmRun(t, "config", "check", bad)
	if code != exitFailure {
		t.Fatalf("exit %d, want 1; stderr %q", code, errs)
	}
	for _, want := range []string{bad + ":1:12: time_zone", bad + ":4:15: schedule \"0 2 * *\""} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	good := filepath.Join(dir, "good.yaml")
	os.WriteFile(good, []byte("listen: 127.0.0.1:9999\n"), 0o600)
	if code, out, _ := ntmRun(t, "config", "check", good); code != exitOK || !strings.HasPrefix(out, "Hợp lệ: "+good) {
		t.Fatalf("good config: exit %d, %q", code, out)
	}
	if code, _, _ := ntmRun(t, "config", "frob"); code != exitUsage {
		t.Fatalf("unknown subcommand: exit %d", code)
	}
}

func TestRunAndRunsFromTheCLI(t *testing.T) {
	url := dbtest.URL(t)
	dir := t.TempDir()
	man, err := sample.Tiny(sample.Options{Dir: filepath.Join(dir, "exports"), Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	inbox := filepath.Join(dir, "inbox")
	os.MkdirAll(inbox, 0o755)
	var unitsFile string
	for _, f := range man.Files {
		if f.Dataset == "units" {
			unitsFile = f.Path
		}
		if f.Dataset == "vpostcode" {
			b, _ := os.ReadFile(f.Path)
			p := filepath.Join(inbox, filepath.Base(f.Path))
			os.WriteFile(p, b, 0o644)
			old := time.Now().Add(-time.Minute)
			os.Chtimes(p, old, old)
		}
	}
	if code, _, errs := ntmRun(t, "units", "import", "--database-url", url, unitsFile); code != exitOK {
		t.Fatalf("units import: %s", errs)
	}
	cfg := filepath.Join(dir, "ntm.yaml")
	os.WriteFile(cfg, []byte(fmt.Sprintf("reports:\n  out_dir: out\nsources:\n  - name: vpostcode\n    dataset: vpostcode\n    inbox: %s\n", inbox)), 0o600)

	code, out, errs := ntmRun(t, "run", "--config", cfg, "--database-url", url, "--period", "2024-12")
	if code != exitOK {
		t.Fatalf("ntm run: exit %d\n%s\n%s", code, out, errs)
	}
	for _, want := range []string{"Công việc nightly, kỳ 2024-12:", "lô số 3 — đọc 28 dòng: nạp 7, loại 1", "Đánh giá: xong", "Viết báo cáo: xong", "(nightly, kỳ 2024-12): Thành công, mất", "tệp báo cáo trong "} {
		if !strings.Contains(out, want) {
			t.Errorf("ntm run output lacks %q:\n%s", want, out)
		}
	}
	if books, _ := filepath.Glob(filepath.Join(dir, "out", "2024-12", "*.xlsx")); len(books) == 0 {
		t.Error("no workbooks written to the config's out_dir")
	}
	code, out, _ = ntmRun(t, "runs", "--config", cfg, "--database-url", url)
	if code != exitOK || !strings.Contains(out, "nightly") || !strings.Contains(out, "Thành công") || !strings.Contains(out, "dòng lệnh") || !strings.Contains(out, "TRẠNG THÁI") {
		t.Fatalf("ntm runs: exit %d\n%s", code, out)
	}
	code, out, _ = ntmRun(t, "runs", "--config", cfg, "--database-url", url, "1")
	if code != exitOK || !strings.Contains(out, "Lấy dữ liệu: vpostcode") || !strings.Contains(out, "Các tệp:") || !strings.Contains(out, ": Đã nạp, lô số 3, nạp 7 dòng, loại 1 dòng") {
		t.Fatalf("ntm runs 1: exit %d\n%s", code, out)
	}
	// Usage errors.
	for _, args := range [][]string{{"run", "--period", "2024-12", "--from", "2024-01"}, {"run", "--to", "2024-02"},
		{"run", "--from", "2024-05", "--to", "2024-02"}, {"run", "--redo"}, {"runs", "abc"}} {
		if code, _, errs := ntmRun(t, args...); code != exitUsage {
			t.Errorf("%v: exit %d (%s)", args, code, errs)
		}
	}
	if code, _, errs := ntmRun(t, "run", "weekly", "--config", cfg, "--database-url", url); code != exitUsage || !strings.Contains(errs, "nightly") {
		t.Errorf("unknown job: exit %d, %q", code, errs)
	}
	// Backfill: 2024-12 already succeeded, 2024-11 runs.
	code, out, errs = ntmRun(t, "run", "--config", cfg, "--database-url", url, "--from", "2024-11", "--to", "2024-12")
	if code != exitOK || !strings.Contains(out, "Kỳ 2024-12 đã chạy thành công trước đây nên được bỏ qua") || !strings.Contains(out, "kỳ 2024-11): Thành công") {
		t.Fatalf("backfill: exit %d\n%s\n%s", code, out, errs)
	}
}

// syncBuffer is a bytes.Buffer safe to read while the daemon writes its log.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestServeHealthAndCleanStop(t *testing.T) {
	url := dbtest.URL(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	ctx, cancel := context.WithCancel(context.Background()) // cancel = what SIGTERM does in main
	var stdout, stderr syncBuffer
	codeCh := make(chan int, 1)
	go func() {
		codeCh <- run(ctx, []string{"serve", "--database-url", url, "--listen", addr}, &stdout, &stderr)
	}()

	var resp *http.Response
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err = http.Get("http://" + addr + "/healthz")
		if err == nil || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err != nil {
		cancel()
		t.Fatalf("healthz: %v\n%s", err, stderr.String())
	}
	var body map[string]any
	json.NewDecoder(resp.Body).Decode(&body)
	resp.Body.Close()
	if resp.StatusCode != 200 || body["status"] != "ok" || body["next"].(map[string]any)["nightly"] == nil || body["running"] != false {
		t.Fatalf("healthz = %d %v", resp.StatusCode, body)
	}
	// While a run holds the lock, /healthz (which needs no login) says a run is in progress,
	// and nothing about who started it.
	pool, err := db.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	active, err := runs.NewStore(pool, nil).Begin(ctx, runs.Spec{Job: "nightly", Trigger: runs.TriggerWeb, By: "nguoi-dung-bi-mat", Period: "2024-12"})
	if err != nil {
		t.Fatal(err)
	}
	resp, err = http.Get("http://" + addr + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(raw), `"running":true`) || strings.Contains(string(raw), "nguoi-dung-bi-mat") || strings.Contains(string(raw), "web") {
		t.Fatalf("healthz during a run tells too much: %s", raw)
	}
	active.Finish(nil)
	cancel()
	select {
	case code := <-codeCh:
		if code != exitOK {
			t.Fatalf("serve exit %d\n%s", code, stderr.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop")
	}
	log := stderr.String()
	for _, want := range []string{"listening", "stop requested", "ntm serve stopped"} {
		if !strings.Contains(log, want) {
			t.Errorf("log lacks %q:\n%s", want, log)
		}
	}
	if strings.Contains(log, "pgtdbpass") {
		t.Error("the database password was logged")
	}
}

// SIGTERM while a scheduled run loads a file: the daemon cancels the step, the file's
// transaction rolls back, the run is recorded as cancelled, and the daemon exits 0.
func TestServeStopsMidLoadAndRollsBack(t *testing.T) {
	url := dbtest.URL(t)
	dir := t.TempDir()
	man, err := sample.Tiny(sample.Options{Dir: filepath.Join(dir, "exports"), Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	inbox := filepath.Join(dir, "inbox")
	os.MkdirAll(inbox, 0o755)
	var inboxFile string
	for _, f := range man.Files {
		if f.Dataset == "units" {
			if code, _, errs := ntmRun(t, "units", "import", "--database-url", url, f.Path); code != exitOK {
				t.Fatalf("units import: %s", errs)
			}
		}
		if f.Dataset == "vpostcode" && inboxFile == "" {
			b, _ := os.ReadFile(f.Path)
			inboxFile = filepath.Join(inbox, filepath.Base(f.Path))
			os.WriteFile(inboxFile, b, 0o644)
			old := time.Now().Add(-time.Minute)
			os.Chtimes(inboxFile, old, old)
		}
	}
	cfg := filepath.Join(dir, "ntm.yaml")
	os.WriteFile(cfg, []byte(fmt.Sprintf("reports:\n  out_dir: out\nsources:\n  - name: vpostcode\n    dataset: vpostcode\n    inbox: %s\n", inbox)), 0o600)

	ctx := context.Background()
	pool, err := db.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	// The nightly last succeeded two days ago: the daemon catches up at once.
	if _, err := pool.Exec(ctx, `INSERT INTO run (job, trigger, status, started_at, finished_at) VALUES ('nightly', 'schedule', 'succeeded', now() - interval '50 hours', now() - interval '50 hours')`); err != nil {
		t.Fatal(err)
	}
	// Hold the load inside its transaction: recording the batch waits for this lock.
	blocker, err := pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer blocker.Rollback(ctx)
	if _, err := blocker.Exec(ctx, `LOCK TABLE batch IN EXCLUSIVE MODE`); err != nil {
		t.Fatal(err)
	}

	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := ln.Addr().String()
	ln.Close()
	sctx, sigterm := context.WithCancel(ctx)
	var stdout, stderr syncBuffer
	codeCh := make(chan int, 1)
	go func() {
		codeCh <- run(sctx, []string{"serve", "--config", cfg, "--database-url", url, "--listen", addr}, &stdout, &stderr)
	}()
	// Wait until the load is blocked mid-transaction.
	deadline := time.Now().Add(30 * time.Second)
	for {
		var waiting int
		pool.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query ILIKE '%INSERT INTO batch%'`).Scan(&waiting)
		if waiting > 0 {
			break
		}
		if time.Now().After(deadline) {
			sigterm()
			t.Fatalf("the catch-up load never started\n%s", stderr.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	sigterm()
	select {
	case code := <-codeCh:
		if code != exitOK {
			t.Fatalf("serve exit %d\n%s", code, stderr.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("serve did not stop\n%s", stderr.String())
	}
	blocker.Rollback(ctx)
	var status, stepStatus string
	if err := pool.QueryRow(ctx, `SELECT r.status, s.status FROM run r JOIN run_step s ON s.run_id = r.id
		WHERE r.triggered_by = 'catch-up' AND s.name = 'pull vpostcode'`).Scan(&status, &stepStatus); err != nil {
		t.Fatal(err)
	}
	if status != "cancelled" || stepStatus != "cancelled" {
		t.Fatalf("run %s, step %s: want cancelled", status, stepStatus)
	}
	var batches, facts int
	pool.QueryRow(ctx, `SELECT count(*) FROM batch WHERE dataset = 'vpostcode'`).Scan(&batches)
	pool.QueryRow(ctx, `SELECT count(*) FROM fact_vpostcode`).Scan(&facts)
	if batches != 0 || facts != 0 {
		t.Fatalf("after the cancelled load: %d batches, %d facts", batches, facts)
	}
	if _, err := os.Stat(inboxFile); err != nil {
		t.Fatalf("the inbox file must stay for the next run: %v", err)
	}
}
