package jobs

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"ntm"
	"ntm/config"
	"ntm/runs"
	"ntm/sample"
)

// A machine's fault while loading (here: the temporary folder is gone) is not the file's: the
// step and the run fail with the cause, evaluation and reports do not run without the file, and
// the inbox file stays where it was for the next run.
func TestOperatorFaultFailsTheRunAndKeepsTheInboxFile(t *testing.T) {
	pool, files := setup(t, sample.Tiny)
	inbox := filepath.Join(t.TempDir(), "inbox")
	in := filepath.Join(inbox, "vpostcode.xlsx")
	copyFile(t, files[ntm.DatasetVpostcode].Path, in)
	old := time.Now().Add(-time.Minute)
	os.Chtimes(in, old, old)
	src := config.Source{Name: "inbox", Dataset: ntm.DatasetVpostcode, Kind: config.SourceInbox, Location: inbox}
	cfg := testConfig(t, []config.Source{src}, config.Job{Name: "all", Steps: []string{config.StepPull, config.StepEvaluate, config.StepReport}})
	r := NewRunner(pool, cfg, nil)
	t.Setenv("TMPDIR", filepath.Join(t.TempDir(), "gone"))
	res, err := r.Run(context.Background(), Request{Job: "all", Period: dec2024, Trigger: runs.TriggerCLI})
	if err == nil || res.Status != runs.StatusFailed || ntm.ErrorCode(err) != ntm.CodeOperator {
		t.Fatalf("status %s, err %v (%s)", res.Status, err, ntm.ErrorCode(err))
	}
	if _, err := os.Stat(in); err != nil {
		t.Fatalf("the inbox file moved: %v", err)
	}
	run, _ := r.Store.Get(context.Background(), res.RunID)
	if len(run.Steps) != 1 || run.Steps[0].Status != "failed" || !strings.Contains(run.Error, "vpostcode.xlsx") {
		t.Fatalf("run %+v", run)
	}
	if n := count(t, pool, `SELECT count(*) FROM batch WHERE dataset = 'vpostcode'`); n != 0 {
		t.Fatalf("%d batches recorded for a machine's fault", n)
	}
	if n := count(t, pool, `SELECT count(*) FROM evaluation`); n != 0 {
		t.Fatalf("evaluated without the file")
	}
}

// A feed is loaded whole or not at all: cut (no Content-Length, no final line break), short of
// its Content-Length, an incomplete .xlsx, or over the size cap is a failed pull step, retried
// where that can help, with no batch and no file left behind.
func TestCutAndOversizedFeedsFailThePull(t *testing.T) {
	pool, files := setup(t, sample.Tiny)
	xlsx, _ := os.ReadFile(files[ntm.DatasetVpostcode].Path)
	csv := "Mã hồ sơ,Đơn vị tiếp nhận,Ngày tiếp nhận,Hình thức nộp,Mức độ DVC\n"
	for i := 0; i < 150; i++ {
		csv += fmt.Sprintf("H-%03d,UBND xã Chi Lăng,02/03/2026,Trực tuyến,Toàn trình\n", i)
	}
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		switch r.URL.Path {
		case "/cut.csv":
			w.Write([]byte(csv[:len(csv)/2]))
		case "/short.csv":
			w.Header().Set("Content-Length", fmt.Sprint(len(csv)))
			w.Write([]byte(csv[:len(csv)/2]))
		case "/cut.xlsx":
			w.Write(xlsx[:len(xlsx)*2/3])
		case "/big.csv":
			w.Write([]byte(csv + strings.Repeat("H-x,UBND xã Chi Lăng,02/03/2026,Trực tuyến,Toàn trình\n", 30000)))
		}
	}))
	defer srv.Close()
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	for _, c := range []struct {
		path, says string
		hits       int32
	}{
		{"/cut.csv", "không kết thúc bằng dấu xuống dòng", 4},
		{"/short.csv", "kết nối bị ngắt", 4},
		{"/cut.xlsx", "không trọn vẹn", 4},
		{"/big.csv", "lớn hơn giới hạn 1 MiB", 1},
	} {
		hits.Store(0)
		src := config.Source{Name: "feed", Dataset: ntm.DatasetDVCDossierRecords, Kind: config.SourceURL, Location: srv.URL + c.path}
		cfg := testConfig(t, []config.Source{src}, config.Job{Name: "pull", Steps: []string{config.StepPull}})
		cfg.Network.MaxDownload = 1 << 20
		r := NewRunner(pool, cfg, nil)
		r.Fetcher.Sleep = func(context.Context, time.Duration) error { return nil }
		res, err := r.Run(context.Background(), Request{Job: "pull", Period: dec2024, Trigger: runs.TriggerCLI})
		if err == nil || res.Status != runs.StatusFailed || !strings.Contains(err.Error(), c.says) || hits.Load() != c.hits {
			t.Errorf("%s: status %s, %d requests, err %v", c.path, res.Status, hits.Load(), err)
		}
	}
	if n := count(t, pool, `SELECT count(*) FROM batch WHERE dataset <> 'units'`); n != 0 {
		t.Errorf("%d batches from cut feeds", n)
	}
	if left, _ := os.ReadDir(tmp); len(left) != 0 {
		t.Errorf("left behind: %v", left)
	}
}

// A disk that fills up during a download is the machine's fault (code operator, not retried),
// named with the file being written, and the partial file does not stay. (The .part file is a
// link to /dev/full here: every write to it fails with "no space left on device".)
func TestDownloadOntoAFullDiskLeavesNothing(t *testing.T) {
	if _, err := os.Stat("/dev/full"); err != nil {
		t.Skip("no /dev/full")
	}
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Write([]byte(strings.Repeat("H-1,UBND xã Chi Lăng,02/03/2026,Trực tuyến,Toàn trình\n", 20000)))
	}))
	defer srv.Close()
	dir := t.TempDir()
	part := filepath.Join(dir, "feed.csv.part")
	if err := os.Symlink("/dev/full", part); err != nil {
		t.Fatal(err)
	}
	f := &Fetcher{Network: config.Network{Retries: 2}, Sleep: func(context.Context, time.Duration) error { return nil }}
	_, attempts, err := f.Fetch(context.Background(), config.Source{Name: "feed", Kind: config.SourceURL, Location: srv.URL + "/feed.csv"}, dir)
	if ntm.ErrorCode(err) != ntm.CodeOperator || attempts != 1 || hits.Load() != 1 {
		t.Fatalf("err %v (%s), %d attempts, %d requests", err, ntm.ErrorCode(err), attempts, hits.Load())
	}
	if msg := ntm.ErrorMessage(err); !strings.Contains(msg, "Ổ đĩa đã đầy") || !strings.Contains(msg, part) {
		t.Errorf("message %q", msg)
	}
	if left, _ := os.ReadDir(dir); len(left) != 0 {
		t.Errorf("left behind: %v", left)
	}
}
