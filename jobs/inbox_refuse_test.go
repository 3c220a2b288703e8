package jobs

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"ntm"
	"ntm/config"
	"ntm/runs"
	"ntm/sample"
)

// What an inbox holds that ntm must not read is refused with a sentence the office reads on
// the run's page, and moved to failed/, while the other files load and the run succeeds: a
// FIFO (opening it would block), a socket, a file over max_file_mb (refused before a byte of it
// is read: a sparse 2 GiB file with a 1 MiB limit), a link to nothing. Before, the FIFO and the
// socket were passed over in silence and the pull read "done".
func TestInboxRefusesWhatItCannotRead(t *testing.T) {
	pool, files := setup(t, sample.Tiny)
	inbox := filepath.Join(t.TempDir(), "inbox")
	copyFile(t, files[ntm.DatasetVpostcode].Path, filepath.Join(inbox, "vpostcode.xlsx"))
	if err := syscall.Mkfifo(filepath.Join(inbox, "ong.csv"), 0o644); err != nil {
		t.Fatal(err)
	}
	sock, err := net.Listen("unix", filepath.Join(inbox, "so.sock"))
	if err != nil {
		t.Fatal(err)
	}
	defer sock.Close()
	big, err := os.Create(filepath.Join(inbox, "lon.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if err := big.Truncate(2 << 30); err != nil {
		t.Fatal(err)
	}
	big.Close()
	if err := os.Symlink(filepath.Join(inbox, "khong-co.xlsx"), filepath.Join(inbox, "lien-ket.xlsx")); err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-time.Minute)
	for _, n := range []string{"vpostcode.xlsx", "lon.csv"} {
		os.Chtimes(filepath.Join(inbox, n), old, old)
	}
	src := config.Source{Name: "inbox", Dataset: ntm.DatasetVpostcode, Kind: config.SourceInbox, Location: inbox}
	cfg := testConfig(t, []config.Source{src}, config.Job{Name: "pull", Steps: []string{config.StepPull}})
	cfg.MaxFileSize = 1 << 20
	r := NewRunner(pool, cfg, nil)
	var lines []string
	r.Observe = func(e Event) {
		if e.Done {
			lines = append(lines, e.Message)
		}
	}
	res, err := r.Run(context.Background(), Request{Job: "pull", Period: dec2024, Trigger: runs.TriggerCLI})
	if err != nil || res.Status != runs.StatusSucceeded {
		t.Fatalf("run: %v %+v", err, res)
	}
	run, _ := r.Store.Get(context.Background(), res.RunID)
	got := map[string]runs.File{}
	for _, f := range run.Files {
		got[filepath.Base(f.URI)[16:]] = f // strip the time prefix
	}
	want := map[string]string{
		"ong.csv":       "ong.csv là một đường ống (FIFO), không phải tệp dữ liệu: chỉ nạp tệp .xlsx hoặc .csv.",
		"so.sock":       "so.sock là một socket, không phải tệp dữ liệu: chỉ nạp tệp .xlsx hoặc .csv.",
		"lon.csv":       "lon.csv có dung lượng 2048 MB, lớn hơn giới hạn 1 MB (max_file_mb trong tệp cấu hình) nên không được đọc: chia tệp thành các tệp nhỏ hơn (ví dụ theo huyện hoặc theo tháng), hoặc nâng max_file_mb.",
		"lien-ket.xlsx": "Không tìm thấy tệp " + filepath.Join(inbox, "lien-ket.xlsx") + ": kiểm tra đường dẫn.",
	}
	for name, sentence := range want {
		f, ok := got[name]
		if !ok || f.Outcome != runs.FileRejected || !strings.HasSuffix(f.Message, sentence) {
			t.Errorf("%s: %+v, want rejected with %q", name, f, sentence)
		}
		if _, err := os.Lstat(filepath.Join(inbox, InboxFailed, filepath.Base(f.URI))); err != nil {
			t.Errorf("%s not moved to failed/: %v", name, err)
		}
	}
	if f := got["vpostcode.xlsx"]; f.Outcome != runs.FileLoaded {
		t.Errorf("the good file: %+v", f)
	}
	if c := run.Steps[0].Counts; c["files_rejected"] != 4 || c["files_loaded"] != 1 {
		t.Errorf("counts %v", c)
	}
	if n := count(t, pool, `SELECT count(*) FROM batch WHERE dataset = 'vpostcode'`); n != 1 {
		t.Errorf("%d vpostcode batches, want the good file's only", n)
	}
	if !strings.Contains(strings.Join(lines, "\n"), "ong.csv: BỊ LOẠI TOÀN BỘ: "+filepath.Join(inbox, "ong.csv")+" là một đường ống") {
		t.Errorf("ntm run's lines:\n%s", strings.Join(lines, "\n"))
	}
	left, _ := os.ReadDir(inbox)
	for _, e := range left {
		if !e.IsDir() {
			t.Errorf("left in the inbox: %s", e.Name())
		}
	}
}
