package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"ntm/db/dbtest"
	"ntm/sample"
	"ntm/scratch"
)

// The units of the tiny sample, loaded into a fresh database; returns its URL and the sample's
// files by name.
func tinyDB(t *testing.T) (string, map[string]string) {
	t.Helper()
	url := dbtest.URL(t)
	dir := t.TempDir()
	man, err := sample.Tiny(sample.Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{}
	for _, f := range man.Files {
		files[filepath.Base(f.Path)] = f.Path
		if f.Dataset == "units" {
			if code, out, errs := ntmRun(t, "units", "import", f.Path, "--database-url", url); code != exitOK {
				t.Fatalf("units import: %d %s %s", code, out, errs)
			}
		}
	}
	return url, files
}

// ntm ingest says for every file rows read = loaded + rejected + skipped and sums up the
// skipped rows by reason; ntm check lists each one, with why; --reload replaces a batch and
// ntm batch rejects writes its rejected rows.
func TestIngestCheckReloadAndRejects(t *testing.T) {
	url, files := tinyDB(t)
	vp := files["vpostcode-2024-11.xlsx"]
	code, out, errs := ntmRun(t, "check", "--database-url", url, vp)
	if code != exitOK || !strings.Contains(out, "vpostcode — đọc 28 dòng: sẽ nạp 7, sẽ loại 1, bỏ qua 20 dòng không phải số liệu.") ||
		!strings.Contains(out, "Bỏ qua, không phải số liệu:") || !strings.Contains(out, `Trang "Chi Lăng", dòng 8–9: dòng tên cột`) ||
		!strings.Contains(out, "dòng cộng, tổng cộng") {
		t.Fatalf("check: exit %d\n%s%s", code, out, errs)
	}
	code, out, errs = ntmRun(t, "ingest", "--database-url", url, vp)
	if code != exitOK || !strings.Contains(out, "vpostcode, lô số 2 — đọc 28 dòng: nạp 7, loại 1, bỏ qua 20 dòng không phải số liệu.") ||
		!strings.Contains(out, "Bỏ qua: 5 dòng tiêu đề, tên biểu trên bảng; 2 dòng tên cột; 1 dòng số thứ tự cột (1) (2) (3); 4 dòng nhóm (I. Huyện…, 1. Xã…); 4 dòng cộng, tổng cộng; 4 dòng ký tên, ghi chú dưới bảng (ntm check liệt kê từng dòng).") {
		t.Fatalf("ingest: exit %d\n%s%s", code, out, errs)
	}
	// The same bytes again, as a reload of batch 2.
	code, out, errs = ntmRun(t, "ingest", "--database-url", url, "--reload", "2", vp)
	if code != exitOK || !strings.Contains(out, "lô số 3 (thay cho lô số 2, lô đó không còn được tính)") {
		t.Fatalf("reload: exit %d\n%s%s", code, out, errs)
	}
	code, out, _ = ntmRun(t, "batch", "list", "--database-url", url)
	if code != exitOK || !strings.Contains(out, "replaced") || !strings.Contains(out, "nạp lại thành lô số 3") || !strings.Contains(out, "SKIPPED") {
		t.Fatalf("batch list:\n%s", out)
	}
	code, _, errs = ntmRun(t, "ingest", "--database-url", url, "--reload", "2", vp)
	if code != exitFailure || !strings.Contains(errs, "Lô số 2 đã được thay bằng lô số 3") {
		t.Fatalf("reload of a replaced batch: exit %d %s", code, errs)
	}
	if code, _, errs = ntmRun(t, "ingest", "--database-url", url, "--reload", "3", vp, vp); code != exitUsage {
		t.Fatalf("reload of two files: exit %d %s", code, errs)
	}
	xlsx := filepath.Join(t.TempDir(), "tra-lai.xlsx")
	code, out, errs = ntmRun(t, "batch", "rejects", "--database-url", url, "--out", xlsx, "3")
	if code != exitOK || !strings.Contains(out, "Đã ghi 1 dòng bị loại của lô số 3") {
		t.Fatalf("batch rejects: exit %d\n%s%s", code, out, errs)
	}
	if st, err := os.Stat(xlsx); err != nil || st.Size() == 0 {
		t.Fatalf("workbook: %v", err)
	}
	if code, _, errs = ntmRun(t, "batch", "rejects", "--database-url", url, "--out", xlsx, "1"); code != exitFailure || !strings.Contains(errs, "không có dòng nào bị loại") {
		t.Fatalf("rejects of a batch without: exit %d %s", code, errs)
	}
}

// ntm ingest URL downloads as the nightly job does: a size cap, whole files only (a CSV cut
// without Content-Length, or shorter than announced, is a failed download, never a half load),
// and no partial file left behind, whatever the way out.
func TestIngestURLCapsAndRefusesCutFeeds(t *testing.T) {
	url, files := tinyDB(t)
	csv := "Mã hồ sơ,Đơn vị tiếp nhận,Ngày tiếp nhận,Hình thức nộp,Mức độ DVC\n"
	for i := 0; i < 150; i++ {
		csv += fmt.Sprintf("H-%03d,UBND xã Chi Lăng,02/03/2026,Trực tuyến,Toàn trình\n", i)
	}
	endless := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/cut.csv": // chunked, cut mid-line
			w.Write([]byte(csv[:len(csv)/2]))
		case "/short.csv": // announces more than it sends
			w.Header().Set("Content-Length", fmt.Sprint(len(csv)))
			w.Write([]byte(csv[:len(csv)/2]))
		case "/whole.csv":
			w.Write([]byte(csv))
		case "/cut.xlsx":
			b, _ := os.ReadFile(files["vpostcode-2024-11.xlsx"])
			w.Write(b[:len(b)-200])
		case "/endless.csv":
			line := []byte(strings.Repeat("x", 1023) + "\n")
			for {
				if _, err := w.Write(line); err != nil {
					return
				}
				select {
				case <-endless:
					return
				default:
				}
			}
		}
	}))
	defer srv.Close()
	defer close(endless)
	cfg := filepath.Join(t.TempDir(), "ntm.yaml")
	os.WriteFile(cfg, []byte("network:\n  retries: 1\n  backoff: 10ms\n  max_download_mb: 1\n"), 0o644)
	t.Setenv("NTM_CONFIG", cfg)
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)

	for _, c := range []struct{ path, says string }{
		{"/cut.csv", "không kết thúc bằng dấu xuống dòng"},
		{"/short.csv", "kết nối bị ngắt"},
		{"/cut.xlsx", "không trọn vẹn"},
		{"/endless.csv", "lớn hơn giới hạn 1 MiB"},
	} {
		code, out, errs := ntmRun(t, "ingest", "--database-url", url, "--dataset", "dvc_dossier_records", srv.URL+c.path)
		if code != exitFailure || !strings.Contains(errs, c.says) || strings.Contains(out, "lô số") {
			t.Errorf("%s: exit %d\n%s%s", c.path, code, out, errs)
		}
	}
	code, out, errs := ntmRun(t, "ingest", "--database-url", url, "--dataset", "dvc_dossier_records", srv.URL+"/whole.csv")
	if code != exitOK || !strings.Contains(out, "nạp 150, loại 0") {
		t.Fatalf("whole feed: exit %d\n%s%s", code, out, errs)
	}
	// Cancelled mid-download (Ctrl-C, SIGTERM): nothing stays.
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	os.WriteFile(cfg, []byte("network:\n  max_download_mb: 100000\n"), 0o644)
	var o, e strings.Builder
	if code := run(ctx, []string{"ingest", "--database-url", url, srv.URL + "/endless.csv"}, &o, &e); code == exitOK {
		t.Errorf("cancelled download: exit 0\n%s", o.String())
	}
	left, _ := os.ReadDir(tmp)
	for _, l := range left {
		if scratch.Stale(l.Name(), nil) || strings.HasPrefix(l.Name(), "ntm-") {
			t.Errorf("left behind: %s", l.Name())
		}
	}
}

// A run that cannot even be recorded (here: the database turned read-only) says why on stderr
// in one Vietnamese sentence and exits 1; it used to exit 1 with nothing on stderr.
func TestRunThatCannotBeRecordedSaysWhy(t *testing.T) {
	url, _ := tinyDB(t)
	if code, out, errs := ntmRun(t, "migrate", "--database-url", url); code != exitOK {
		t.Fatalf("migrate: %d %s %s", code, out, errs)
	}
	pool, err := pgxpool.New(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	if _, err := pool.Exec(context.Background(), `DO $$ BEGIN EXECUTE format('ALTER DATABASE %I SET default_transaction_read_only = on', current_database()); END $$`); err != nil {
		t.Fatal(err)
	}
	// Every recorded command, not only ntm run: ingest, evaluate and report once printed
	// "mark abandoned runs: ERROR: cannot execute UPDATE in a read-only transaction".
	for _, args := range [][]string{{"run", "--period", "2024-12"}, {"ingest", "some.csv"}, {"evaluate", "--period", "2024-12"}, {"report", "--period", "2024-12"}} {
		code, _, errs := ntmRun(t, append([]string{args[0], "--database-url", url}, args[1:]...)...)
		if code != exitFailure || !strings.Contains(errs, "chế độ chỉ đọc") || strings.Contains(errs, "SQLSTATE") {
			t.Errorf("%s: exit %d, stderr %q", args[0], code, errs)
		}
	}
}

// What an ntm process killed outright (kill -9, power loss) left in the temporary folder — the
// key and row spills of a load, a download folder with its .part file — is removed when the
// next ntm command starts; what a running process uses stays.
func TestNextCommandSweepsWhatAKilledOneLeft(t *testing.T) {
	url, _ := tinyDB(t)
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	dead := fmt.Sprint(cmd.Process.Pid)
	for _, n := range []string{"ntm-keys-" + dead + "-1", "ntm-spill-" + dead + "-2"} {
		os.WriteFile(filepath.Join(tmp, n), []byte("x"), 0o600)
	}
	os.MkdirAll(filepath.Join(tmp, "ntm-fetch-"+dead+"-3"), 0o700)
	os.WriteFile(filepath.Join(tmp, "ntm-fetch-"+dead+"-3", "feed.csv.part"), []byte("H-1,"), 0o600)
	live, err := scratch.CreateTemp(tmp, "keys")
	if err != nil {
		t.Fatal(err)
	}
	live.Close()
	if code, out, errs := ntmRun(t, "batch", "list", "--database-url", url); code != exitOK {
		t.Fatalf("batch list: %d %s %s", code, out, errs)
	}
	left, _ := os.ReadDir(tmp)
	if len(left) != 1 || left[0].Name() != filepath.Base(live.Name()) {
		t.Errorf("left in the temporary folder: %v (want only %s)", left, filepath.Base(live.Name()))
	}
}

// max_file_mb in the config file caps the local files ntm ingest, ntm check and ntm units
// import read: a bigger one is refused before it is read, in one sentence naming it and the
// limit, and the others still load.
func TestIngestRefusesAFileOverTheLimit(t *testing.T) {
	url := dbtest.URL(t)
	dir := t.TempDir()
	cfg := filepath.Join(dir, "ntm.yaml")
	os.WriteFile(cfg, []byte("max_file_mb: 1\n"), 0o644)
	t.Setenv("NTM_CONFIG", cfg)
	big := filepath.Join(dir, "lon.csv")
	os.WriteFile(big, nil, 0o644)
	os.Truncate(big, 3<<20)
	refusal := "Tệp " + big + " có dung lượng 3 MB, lớn hơn giới hạn 1 MB (max_file_mb trong tệp cấu hình) nên không được đọc: chia tệp thành các tệp nhỏ hơn (ví dụ theo huyện hoặc theo tháng), hoặc nâng max_file_mb."
	for _, args := range [][]string{{"ingest", big}, {"check", big}, {"units", "import", big}} {
		code, _, errs := ntmRun(t, append(args, "--database-url", url)...)
		if code != exitFailure || !strings.Contains(errs, "ntm "+args[0]+": "+refusal) {
			t.Errorf("%v: exit %d\n%s", args, code, errs)
		}
	}
}
