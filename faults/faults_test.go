package faults

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"strings"
	"syscall"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"ntm"
)

// What a lost database, a full disk or a refused permission reads like from the driver and the
// operating system becomes one Vietnamese sentence whose code says whose fault it is; the file's
// own faults and plain bugs are not classified.
func TestOfClassifiesTheMachinesFaults(t *testing.T) {
	pathErr := func(errno syscall.Errno) error {
		return &fs.PathError{Op: "write", Path: "/tmp/x", Err: errno}
	}
	for _, c := range []struct {
		name string
		err  error
		code ntm.Code
		says string
	}{
		{"closed connection", fmt.Errorf("copy: %w", net.ErrClosed), ntm.CodeUnavailable, "Mất kết nối tới cơ sở dữ liệu khi nạp tệp a.xlsx"},
		{"unexpected EOF", fmt.Errorf("read: %w", io.ErrUnexpectedEOF), ntm.CodeUnavailable, "Mất kết nối"},
		{"connection refused", &net.OpError{Op: "dial", Err: syscall.ECONNREFUSED}, ntm.CodeUnavailable, "Mất kết nối"},
		{"server shut down", &pgconn.PgError{Code: "57P01", Message: "terminating connection due to administrator command"}, ntm.CodeUnavailable, "đã dừng hoặc ngắt kết nối"},
		{"database disk full", &pgconn.PgError{Code: "53100"}, ntm.CodeOperator, "hết chỗ trên ổ đĩa"},
		{"read-only database", &pgconn.PgError{Code: "25006"}, ntm.CodeOperator, "chế độ chỉ đọc"},
		{"too many connections", &pgconn.PgError{Code: "53300"}, ntm.CodeUnavailable, "quá nhiều kết nối"},
		{"disk full", pathErr(syscall.ENOSPC), ntm.CodeOperator, "Ổ đĩa đã đầy khi nạp tệp a.xlsx"},
		{"permission", pathErr(syscall.EACCES), ntm.CodeOperator, "Không đủ quyền"},
		{"read-only folder", pathErr(syscall.EROFS), ntm.CodeOperator, "chỉ cho phép đọc"},
		{"cancelled", fmt.Errorf("load: %w", context.Canceled), ntm.CodeCancelled, "Đã dừng"},
		{"deadline", context.DeadlineExceeded, ntm.CodeUnavailable, "Quá thời gian chờ"},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := Of(c.err, "nạp tệp %s", "a.xlsx")
			if e == nil || e.Code != c.code || !strings.Contains(e.Message, c.says) {
				t.Fatalf("Of(%v) = %+v, want %s saying %q", c.err, e, c.code, c.says)
			}
			if !errors.Is(e, c.err) && !errors.Is(e.Err, c.err) {
				t.Errorf("the cause is lost: %v", e.Err)
			}
			if strings.Contains(e.Message, c.err.Error()) {
				t.Errorf("the English cause is in the message: %q", e.Message)
			}
			if !IsMachine(c.err) {
				t.Errorf("IsMachine(%v) = false", c.err)
			}
		})
	}
	for _, err := range []error{
		errors.New("a bug"),
		&pgconn.PgError{Code: "23505"}, // a unique violation: the loader's business
		ntm.Errorf(ntm.CodeInvalid, "Tệp hỏng."),
		os.ErrNotExist,
	} {
		if IsMachine(err) {
			t.Errorf("IsMachine(%v) = true", err)
		}
	}
	if e := Of(ntm.Errorf(ntm.CodeInvalid, "Tệp hỏng."), "x"); e == nil || e.Code != ntm.CodeInvalid || e.Message != "Tệp hỏng." {
		t.Errorf("an *ntm.Error is returned as it is: %+v", e)
	}
	if err := OrInternal(errors.New("a bug"), "đánh giá kỳ %s", "2024-12"); ntm.ErrorCode(err) != ntm.CodeInternal || !strings.Contains(err.Error(), "đánh giá kỳ 2024-12") {
		t.Errorf("OrInternal: %v", err)
	}
}
