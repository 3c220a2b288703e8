package main

import (
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"ntm"
	"ntm/db"
	"ntm/db/dbtest"
	"ntm/runs"
	"ntm/sample"
)

// loadTinyCLI loads the tiny sample through ntm units import and ntm ingest, and evaluates
// 2024-12 with ntm evaluate.
func loadTinyCLI(t *testing.T, url string) sample.Manifest {
	t.Helper()
	man, err := sample.Tiny(sample.Options{Dir: t.TempDir(), Period: ntm.Period{Year: 2024, Month: time.December}})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range man.Files {
		args := []string{"ingest", "--database-url", url, "--period", "2024-12", "--dataset", string(f.Dataset), f.Path}
		if f.Dataset == ntm.DatasetUnits {
			args = []string{"units", "import", "--database-url", url, f.Path}
		} else if f.AsOf != nil {
			args = append(args, "--as-of", f.AsOf.Format("2006-01-02"))
		}
		if code, out, errs := ntmRun(t, args...); code != exitOK {
			t.Fatalf("%v: %d\n%s%s", args, code, out, errs)
		}
	}
	if code, out, errs := ntmRun(t, "evaluate", "--period", "2024-12", "--database-url", url); code != exitOK {
		t.Fatalf("evaluate: %d\n%s%s", code, out, errs)
	}
	return man
}

func TestCLIFindsExplainsAndRecordsEveryRun(t *testing.T) {
	url := dbtest.URL(t)
	loadTinyCLI(t, url)

	// Every CLI command that changes data is in ntm runs.
	code, out, _ := ntmRun(t, "runs", "--database-url", url, "--limit", "50")
	if code != exitOK || !strings.Contains(out, "ingest") || !strings.Contains(out, "evaluate") {
		t.Fatalf("runs after ingest and evaluate: %d\n%s", code, out)
	}

	// results --unit and --parent.
	code, out, errs := ntmRun(t, "results", "--period", "2024-12", "--unit", "187", "--format", "csv", "--database-url", url)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != exitOK || lines[0] != "period,unit_code,unit_name,level,criterion,status,value,threshold,criteria_set,criteria_set_version,criteria_set_file" || len(lines) < 2 {
		t.Fatalf("results --unit: %d %s %s", code, out, errs)
	}
	for _, l := range lines[1:] {
		if !strings.HasPrefix(l, "2024-12,187,") {
			t.Fatalf("results --unit 187 printed another unit: %q", l)
		}
	}
	code, out, _ = ntmRun(t, "results", "--period", "2024-12", "--parent", "187", "--level", "village", "--format", "csv", "--database-url", url)
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if code != exitOK || err != nil || len(rows) < 2 {
		t.Fatalf("results --parent: %d %v %s", code, err, out)
	}
	for _, r := range rows[1:] {
		if r[3] != "village" {
			t.Fatalf("results --parent 187 --level village: %v", r)
		}
	}
	// The explanation column only when asked, last; and the BOM for Excel.
	code, out, _ = ntmRun(t, "results", "--period", "2024-12", "--level", "commune", "--format", "csv", "--explain", "--bom", "--database-url", url)
	if code != exitOK || !strings.HasPrefix(out, "\uFEFFperiod,unit_code,unit_name,level,criterion,status,value,threshold,criteria_set,criteria_set_version,criteria_set_file,explanation\n") {
		t.Fatalf("results --explain --bom: %q", firstLine(out))
	}
	rows, _ = csv.NewReader(strings.NewReader(strings.TrimPrefix(out, "\uFEFF"))).ReadAll()
	if len(rows) < 2 || len(rows[1]) != 12 || rows[1][11] == "" || rows[1][8] != "langson-2021" || rows[1][10] != "built-in" {
		t.Fatalf("explanation column: %v", rows[:2])
	}
	if code, _, _ := ntmRun(t, "results", "--period", "2024-12", "--unit", "khong-co", "--database-url", url); code != exitFailure {
		t.Errorf("unknown unit: exit %d", code)
	}

	// explain: each criterion, since when, and the file and row behind it.
	code, out, _ = ntmRun(t, "results", "--period", "2024-12", "--level", "village", "--format", "csv", "--database-url", url)
	rows, _ = csv.NewReader(strings.NewReader(out)).ReadAll()
	village := rows[1][1]
	code, out, errs = ntmRun(t, "explain", village, "--period", "2024-12", "--database-url", url)
	if code != exitOK || !strings.Contains(out, "Thôn") || !strings.Contains(out, "Vì sao:") || !strings.Contains(out, "Nguồn: lô") ||
		!strings.Contains(out, "dòng ") || !strings.Contains(out, "kỳ đầu tiên được đánh giá") {
		t.Fatalf("explain %s: %d\n%s%s", village, code, out, errs)
	}
	if code, _, errs := ntmRun(t, "explain", village, "--period", "2023-01", "--database-url", url); code != exitFailure || !strings.Contains(errs, "chưa được đánh giá") {
		t.Errorf("explain an unevaluated period: %d %s", code, errs)
	}

	// Periods are checked: none after the current month.
	if code, _, errs := ntmRun(t, "evaluate", "--period", "9999-12", "--database-url", url); code != exitFailure || !strings.Contains(errs, "chưa tới") {
		t.Errorf("evaluate 9999-12: %d %s", code, errs)
	}

	// A stray file is rejected whole, says so in batch list's reason column, and can be
	// taken off the lists (with a reason); revoking needs a reason and names the batch.
	stray := filepath.Join(t.TempDir(), "README.md")
	os.WriteFile(stray, []byte("# notes\n"), 0o644)
	if code, _, _ := ntmRun(t, "ingest", stray, "--database-url", url); code != exitFailure {
		t.Fatalf("stray ingest: %d", code)
	}
	code, out, _ = ntmRun(t, "batch", "list", "--database-url", url)
	var strayID int64
	for _, l := range strings.Split(out, "\n") {
		if strings.Contains(l, "README.md") {
			fmt.Sscan(l, &strayID)
			if !strings.Contains(l, "rejected") || !strings.Contains(l, "không tìm thấy") {
				t.Errorf("batch list line of the stray file: %q", l)
			}
		}
	}
	if !strings.Contains(out, "REASON") || strayID == 0 {
		t.Fatalf("batch list: %s", out)
	}
	if code, _, errs := ntmRun(t, "batch", "revoke", fmt.Sprint(strayID), "--reason", "nhầm", "--database-url", url); code != exitFailure || !strings.Contains(errs, "bị loại toàn bộ") {
		t.Errorf("revoking a rejected file: %d %s", code, errs)
	}
	if code, _, errs := ntmRun(t, "batch", "remove", fmt.Sprint(strayID), "--database-url", url); code != exitFailure || !strings.Contains(errs, "lý do") {
		t.Errorf("remove without a reason: %d %s", code, errs)
	}
	if code, out, errs := ntmRun(t, "batch", "remove", fmt.Sprint(strayID), "--reason", "nạp nhầm README", "--database-url", url); code != exitOK {
		t.Fatalf("remove: %d %s %s", code, out, errs)
	}
	if _, out, _ := ntmRun(t, "batch", "list", "--database-url", url); strings.Contains(out, "README.md") {
		t.Errorf("removed file still listed:\n%s", out)
	}
	if _, out, _ := ntmRun(t, "batch", "list", "--all", "--database-url", url); !strings.Contains(out, "rejected (removed)") {
		t.Errorf("batch list --all lacks the removed file:\n%s", out)
	}
	// batch show: rows loaded, rejected, skipped, the first reasons, and the actions.
	var surveyID int64
	_, out, _ = ntmRun(t, "batch", "list", "--database-url", url)
	for _, l := range strings.Split(out, "\n") {
		if strings.Contains(l, "village_survey") {
			fmt.Sscan(l, &surveyID)
		}
	}
	if code, _, errs := ntmRun(t, "batch", "revoke", fmt.Sprint(surveyID), "--reason", "số liệu sai của xã", "--by", "lan", "--database-url", url); code != exitOK {
		t.Fatalf("revoke: %d %s", code, errs)
	}
	code, out, _ = ntmRun(t, "batch", "show", fmt.Sprint(surveyID), "--database-url", url)
	if code != exitOK || !strings.Contains(out, "loaded,") || !strings.Contains(out, "skipped") || !strings.Contains(out, "batch_revoke by lan: số liệu sai của xã") ||
		!strings.Contains(out, "Skipped as not data:") || !strings.Contains(out, "dòng tên cột") {
		t.Errorf("batch show: %d\n%s", code, out)
	}
}

func firstLine(s string) string { l, _, _ := strings.Cut(s, "\n"); return l }

// A CLI ingest while a run holds the pipeline lock is told which run, and loads nothing.
func TestCLIIngestWaitsForTheRunHoldingTheLock(t *testing.T) {
	url := dbtest.URL(t)
	ctx := context.Background()
	pool, err := db.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	// Migrated by the first command.
	if code, _, errs := ntmRun(t, "migrate", "--database-url", url); code != exitOK {
		t.Fatal(errs)
	}
	active, err := runs.NewStore(pool, nil).Begin(ctx, runs.Spec{Job: "nightly", Trigger: runs.TriggerSchedule, Period: "2024-12"})
	if err != nil {
		t.Fatal(err)
	}
	defer active.Finish(nil)
	f := filepath.Join(t.TempDir(), "a.csv")
	os.WriteFile(f, []byte("Thôn,Tổng số hộ\n"), 0o644)
	code, out, errs := ntmRun(t, "ingest", f, "--database-url", url)
	want := fmt.Sprintf("lượt chạy số %d (công việc nightly, kỳ 2024-12, do theo lịch", active.ID)
	if code != exitFailure || !strings.Contains(errs, want) || strings.Count(strings.TrimSpace(errs), "\n") != 0 {
		t.Fatalf("ingest during a run: %d\nstdout %s\nstderr %s", code, out, errs)
	}
	var batches int
	pool.QueryRow(ctx, `SELECT count(*) FROM batch`).Scan(&batches)
	if batches != 0 {
		t.Fatalf("loaded %d batches while the lock was held", batches)
	}
}

// A --database-url naming a missing database, or a server that does not answer, is one
// Vietnamese sentence saying what to do.
func TestCLIDatabaseErrorsSayWhatToDo(t *testing.T) {
	url := dbtest.URL(t)
	missing := strings.Replace(url, "/"+databaseName(url)+"?", "/ntm_khong_co_csdl_nay?", 1)
	code, _, errs := ntmRun(t, "results", "--period", "2024-12", "--database-url", missing)
	if code != exitFailure || !strings.Contains(errs, `"ntm_khong_co_csdl_nay" không có trên máy chủ`) || !strings.Contains(errs, "createdb") {
		t.Fatalf("missing database: %d %q", code, errs)
	}
	code, _, errs = ntmRun(t, "results", "--period", "2024-12", "--database-url", "postgres://127.0.0.1:1/ntm?connect_timeout=2")
	if code != exitFailure || !strings.Contains(errs, "Không kết nối được máy chủ PostgreSQL") {
		t.Fatalf("no server: %d %q", code, errs)
	}
}

// TestCLIDeliveries: ntm deliveries lists what went where; send delivers a period's workbooks by
// hand (into the report folder without a mail server); resend of an unknown delivery, and send
// of a period without workbooks, say why in Vietnamese and exit 1.
func TestCLIDeliveries(t *testing.T) {
	url := dbtest.URL(t)
	loadTinyCLI(t, url)
	out := filepath.Join(t.TempDir(), "bao-cao")
	cfgPath := filepath.Join(t.TempDir(), "ntm.yaml")
	if err := os.WriteFile(cfgPath, []byte("reports:\n  out_dir: "+out+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, o, errs := ntmRun(t, "deliveries", "send", "--period", "2024-12", "--config", cfgPath, "--database-url", url); code != 1 || !strings.Contains(errs, "Chưa có báo cáo nào của kỳ 2024-12") {
		t.Fatalf("send before any report: %d %s %s", code, o, errs)
	}
	if code, o, errs := ntmRun(t, "report", "--period", "2024-12", "--out", out, "--database-url", url); code != exitOK {
		t.Fatalf("report: %d %s %s", code, o, errs)
	}
	code, o, errs := ntmRun(t, "deliveries", "send", "--period", "2024-12", "--reason", "gửi bù", "--config", cfgPath, "--database-url", url)
	if code != exitOK || !strings.Contains(o, "Kỳ 2024-12: đã gửi 0 thư") {
		t.Fatalf("send: %d %s %s", code, o, errs)
	}
	code, o, _ = ntmRun(t, "deliveries", "--period", "2024-12", "--config", cfgPath, "--database-url", url)
	if code != exitOK || !strings.Contains(o, "folder "+filepath.Join(out, "2024-12")) || !strings.Contains(o, "187-") {
		t.Fatalf("deliveries list: %d\n%s", code, o)
	}
	if code, _, errs := ntmRun(t, "deliveries", "resend", "424242", "--config", cfgPath, "--database-url", url); code != 1 || !strings.Contains(errs, "Không có lần gửi số 424242") {
		t.Errorf("resend of an unknown delivery: %d %s", code, errs)
	}
	if code, _, _ := ntmRun(t, "deliveries", "resend", "x", "--config", cfgPath, "--database-url", url); code != exitUsage {
		t.Errorf("resend x: %d", code)
	}
}

// TestCLIRunsCancel: ntm runs cancel asks a running run to stop (it sees it and ends cancelled
// naming who); an ended or unknown run is refused in Vietnamese.
func TestCLIRunsCancel(t *testing.T) {
	url := dbtest.URL(t)
	ctx := context.Background()
	if err := db.Migrate(ctx, url); err != nil {
		t.Fatal(err)
	}
	pool, err := db.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	store := runs.NewStore(pool, nil)
	store.CancelPollEvery = 50 * time.Millisecond
	a, err := store.Begin(ctx, runs.Spec{Job: "nightly", Trigger: runs.TriggerSchedule, Period: "2024-12"})
	if err != nil {
		t.Fatal(err)
	}
	id := fmt.Sprint(a.ID)
	if code, out, errs := ntmRun(t, "runs", "cancel", id, "--reason", "chạy nhầm kỳ", "--database-url", url); code != exitOK || !strings.Contains(out, "Đã yêu cầu dừng lượt chạy số") {
		t.Fatalf("cancel: %d %s %s", code, out, errs)
	}
	select {
	case <-a.Context().Done():
	case <-time.After(10 * time.Second):
		t.Fatal("the run did not see the cancellation")
	}
	a.Finish(a.Context().Err())
	if code, _, errs := ntmRun(t, "runs", "cancel", id, "--database-url", url); code != 1 || !strings.Contains(errs, "đã kết thúc") {
		t.Errorf("cancel an ended run: %d %s", code, errs)
	}
	if code, _, errs := ntmRun(t, "runs", "cancel", "4242", "--database-url", url); code != 1 || !strings.Contains(errs, "Không có lượt chạy số 4242") {
		t.Errorf("cancel an unknown run: %d %s", code, errs)
	}
	if code, out, _ := ntmRun(t, "runs", id, "--database-url", url); code != exitOK || !strings.Contains(out, "cancelled") {
		t.Errorf("runs %s after cancel: %d\n%s", id, code, out)
	}
}
