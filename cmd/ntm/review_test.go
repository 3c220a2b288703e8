package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"ntm"
	"ntm/db/dbtest"
)

// A file rejected whole exits 1 with one sentence on stderr naming the file (docs/cli.md):
// for ingest, units import and check alike, not only a line on stdout.
func TestRejectedFilesAreNamedOnStderr(t *testing.T) {
	url := dbtest.URL(t)
	dir := t.TempDir()
	junk := filepath.Join(dir, "junk.csv")
	if err := os.WriteFile(junk, []byte("a,b,c\n1,2,3\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	units := filepath.Join(dir, "units.csv")
	if err := os.WriteFile(units, []byte("province_code,commune_code\n20,06466\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		args []string
		want []string
	}{
		{[]string{"ingest", junk}, []string{"ntm ingest: 1/1 tệp không được nạp", "xem lý do ở các dòng trên", junk}},
		{[]string{"units", "import", units}, []string{"ntm units:", units, "không được nhập", "commune_name"}},
		{[]string{"check", junk}, []string{"ntm check: Tệp " + junk + " sẽ bị loại toàn bộ nếu nạp (không dòng nào được nạp): không tìm thấy dòng tiêu đề"}},
	} {
		code, _, errs := ntmRun(t, append(c.args, "--database-url", url)...)
		if code != exitFailure {
			t.Errorf("%v: exit %d, want 1 (stderr %q)", c.args, code, errs)
		}
		if strings.Count(strings.TrimSpace(errs), "\n") != 0 {
			t.Errorf("%v: stderr is not one line: %q", c.args, errs)
		}
		for _, w := range c.want {
			if !strings.Contains(errs, w) {
				t.Errorf("%v: stderr %q lacks %q", c.args, errs, w)
			}
		}
		if strings.Contains(errs, "rejected") || strings.Contains(errs, "whole") {
			t.Errorf("%v: English on stderr: %q", c.args, errs)
		}
	}
	// ntm check's verdict on stdout is the same Vietnamese sentence.
	if _, out, _ := ntmRun(t, "check", junk, "--database-url", url); !strings.Contains(out, junk+": Tệp "+junk+" sẽ bị loại toàn bộ nếu nạp") || strings.Contains(out, "REJECTED") {
		t.Errorf("check stdout: %q", out)
	}
}

// Every error a command prints is one Vietnamese sentence per failure, the English cause in the
// log only: a file that cannot be read (missing, a FIFO) among others named by ntm ingest, and an
// error ntm does not classify (a bug), told by the generic sentence with its cause logged.
func TestErrorsAreOneVietnameseSentence(t *testing.T) {
	url := dbtest.URL(t)
	dir := t.TempDir()
	fifo := filepath.Join(dir, "ong.csv")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "khong-co.csv")
	code, out, errs := ntmRun(t, "ingest", missing, fifo, "--database-url", url)
	want := []string{
		"ntm ingest: Không tìm thấy tệp " + missing + ": kiểm tra đường dẫn.",
		"ntm ingest: " + fifo + " là một đường ống (FIFO), không phải tệp dữ liệu: chỉ nạp tệp .xlsx hoặc .csv.",
		"ntm ingest: 2/2 tệp không được nạp (" + missing + ", " + fifo + "): xem lý do ở các dòng trên, sửa các tệp đó rồi chạy lại.",
	}
	if code != exitFailure || strings.TrimSpace(errs) != strings.Join(want, "\n") || out != "" {
		t.Errorf("ingest of unreadable files: exit %d\nstdout %q\nstderr:\n%s\nwant:\n%s", code, out, errs, strings.Join(want, "\n"))
	}

	var stderr strings.Builder
	e := newEnv(&strings.Builder{}, &stderr)
	e.tell("report", errors.New("open /var/lib/ntm/x: input/output error"))
	lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], `"cause":"open /var/lib/ntm/x: input/output error"`) ||
		lines[1] != "ntm report: "+ntm.ErrorMessage(errors.New("x")) {
		t.Errorf("an unclassified error: %q", stderr.String())
	}
	// Ctrl-C reaching a command as a bare context.Canceled: told as a stop, exit 1, not a bug.
	stderr.Reset()
	if told := e.tell("evaluate", fmt.Errorf("evaluate 2024-12: %w", context.Canceled)); ntm.ErrorCode(told) != ntm.CodeCancelled ||
		stderr.String() != "ntm evaluate: Đã dừng khi chạy lệnh ntm evaluate (theo yêu cầu, hoặc vì ntm đang tắt); phần việc dở đã được hoàn tác.\n" {
		t.Errorf("a cancellation: %q", stderr.String())
	}
	stderr.Reset()
	e.tell("report", ntm.Wrap(ntm.CodeOperator, errors.New("ENOSPC"), "Ổ đĩa đầy: giải phóng chỗ rồi chạy lại."))
	if got := stderr.String(); got != "ntm report: Ổ đĩa đầy: giải phóng chỗ rồi chạy lại.\n" {
		t.Errorf("a classified error: %q (the cause goes to the log at info level only)", got)
	}
}
