// Package faults tells the machine's faults from the input's. It turns an error of the
// operating system (disk full, permissions, a read-only folder, an I/O error) or of PostgreSQL
// (server gone, connection lost, disk full, read-only, too many connections) into an
// *ntm.Error whose code says whose fault it is — CodeOperator, CodeUnavailable or
// CodeCancelled — and whose Vietnamese message names the cause and what to do. The English
// error stays the wrapped cause, for the log and for errors.Is/As.
//
// A file's own faults (a damaged workbook, a bad value) are never classified here: they are
// the loader's rejects. Only what an operator must fix, or wait for, is.
package faults

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"syscall"

	"github.com/jackc/pgx/v5/pgconn"

	"ntm"
)

// Of returns err as an *ntm.Error when it is a machine, database or cancellation fault (an
// *ntm.Error already in err's chain is returned as it is), and nil otherwise. doing is a
// Vietnamese phrase completing "khi …" ("ghi tệp tạm", "nạp tệp a.xlsx").
func Of(err error, doing string, args ...any) *ntm.Error {
	if err == nil {
		return nil
	}
	var e *ntm.Error
	if errors.As(err, &e) {
		return e
	}
	when := fmt.Sprintf(doing, args...)
	wrap := func(code ntm.Code, format string) *ntm.Error {
		return ntm.Wrap(code, err, format, when)
	}
	if errors.Is(err, context.Canceled) {
		return wrap(ntm.CodeCancelled, "Đã dừng khi %s (theo yêu cầu, hoặc vì ntm đang tắt); phần việc dở đã được hoàn tác.")
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pgFault(err, pe, when)
	}
	if isConnectionLoss(err) {
		return wrap(ntm.CodeUnavailable, "Mất kết nối tới cơ sở dữ liệu khi %s: kiểm tra máy chủ PostgreSQL rồi chạy lại; phần việc dở đã được hoàn tác.")
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return wrap(ntm.CodeUnavailable, "Quá thời gian chờ khi %s: chạy lại sau.")
	}
	return osFault(err, when)
}

// OS is Of for the operating system's errors alone (disk full, permissions, read-only, I/O):
// for readers of files, where a short read is the file's fault and not a lost connection.
func OS(err error, doing string, args ...any) *ntm.Error {
	if err == nil {
		return nil
	}
	var e *ntm.Error
	if errors.As(err, &e) {
		return e
	}
	return osFault(err, fmt.Sprintf(doing, args...))
}

func osFault(err error, when string) *ntm.Error {
	wrap := func(code ntm.Code, format string) *ntm.Error {
		return ntm.Wrap(code, err, format, when)
	}
	var errno syscall.Errno
	if errors.As(err, &errno) {
		switch errno {
		case syscall.ENOSPC, syscall.EDQUOT:
			return wrap(ntm.CodeOperator, "Ổ đĩa đã đầy khi %s: giải phóng chỗ trống (hoặc đặt TMPDIR sang ổ khác) rồi chạy lại.")
		case syscall.EACCES, syscall.EPERM:
			return wrap(ntm.CodeOperator, "Không đủ quyền khi %s: kiểm tra quyền của tệp hoặc thư mục cho người dùng chạy ntm.")
		case syscall.EROFS:
			return wrap(ntm.CodeOperator, "Ổ đĩa chỉ cho phép đọc khi %s: cho phép ghi, hoặc chọn thư mục khác.")
		case syscall.EIO:
			return wrap(ntm.CodeOperator, "Lỗi đọc/ghi của ổ đĩa khi %s: kiểm tra ổ đĩa.")
		case syscall.EMFILE, syscall.ENFILE:
			return wrap(ntm.CodeOperator, "Hệ thống hết chỗ mở thêm tệp khi %s: tăng giới hạn số tệp (ulimit -n) rồi chạy lại.")
		case syscall.ENOMEM:
			return wrap(ntm.CodeOperator, "Máy hết bộ nhớ khi %s.")
		case syscall.ENOENT, syscall.ENOTDIR:
			return wrap(ntm.CodeOperator, "Không tìm thấy tệp hoặc thư mục cần dùng khi %s: kiểm tra đường dẫn trong cấu hình.")
		}
	}
	if errors.Is(err, os.ErrPermission) {
		return wrap(ntm.CodeOperator, "Không đủ quyền khi %s: kiểm tra quyền của tệp hoặc thư mục cho người dùng chạy ntm.")
	}
	return nil
}

// OrInternal is Of, with every other error an internal one (a bug): its message asks to read
// the log.
func OrInternal(err error, doing string, args ...any) error {
	if err == nil {
		return nil
	}
	if e := Of(err, doing, args...); e != nil {
		return e
	}
	return ntm.Wrap(ntm.CodeInternal, err, "Lỗi nội bộ của ntm khi %s: xem nhật ký (log) để biết chi tiết và báo cho người quản trị.", fmt.Sprintf(doing, args...))
}

// IsMachine reports whether err is a fault of the machine, the database or a cancellation,
// not of the input: a file that failed that way stays where it is, to be tried again.
func IsMachine(err error) bool {
	e := Of(err, "")
	if e == nil {
		return false
	}
	switch e.Code {
	case ntm.CodeOperator, ntm.CodeUnavailable, ntm.CodeCancelled:
		return true
	}
	return false
}

func pgFault(err error, pe *pgconn.PgError, when string) *ntm.Error {
	wrap := func(code ntm.Code, format string) *ntm.Error {
		return ntm.Wrap(code, err, format, when)
	}
	switch {
	case pe.Code == "53100":
		return wrap(ntm.CodeOperator, "Cơ sở dữ liệu hết chỗ trên ổ đĩa khi %s: giải phóng chỗ trống cho PostgreSQL rồi chạy lại; không có gì được ghi.")
	case pe.Code == "53200":
		return wrap(ntm.CodeOperator, "Máy chủ cơ sở dữ liệu hết bộ nhớ khi %s: chạy lại sau; không có gì được ghi.")
	case pe.Code == "53300":
		return wrap(ntm.CodeUnavailable, "Cơ sở dữ liệu đang có quá nhiều kết nối khi %s: chạy lại sau.")
	case pe.Code == "25006":
		return wrap(ntm.CodeOperator, "Cơ sở dữ liệu đang ở chế độ chỉ đọc khi %s (máy dự phòng, hoặc đĩa có vấn đề): không có gì được ghi.")
	case pe.Code == "42501":
		return wrap(ntm.CodeOperator, "Tài khoản cơ sở dữ liệu không đủ quyền khi %s: cấp quyền cho tài khoản ntm dùng.")
	case strings.HasPrefix(pe.Code, "57P"), strings.HasPrefix(pe.Code, "08"):
		return wrap(ntm.CodeUnavailable, "Máy chủ cơ sở dữ liệu đã dừng hoặc ngắt kết nối khi %s: kiểm tra PostgreSQL rồi chạy lại; phần việc dở đã được hoàn tác.")
	case strings.HasPrefix(pe.Code, "58"), strings.HasPrefix(pe.Code, "XX"), strings.HasPrefix(pe.Code, "53"):
		return wrap(ntm.CodeOperator, "Máy chủ cơ sở dữ liệu gặp lỗi hệ thống khi %s: xem nhật ký của PostgreSQL; không có gì được ghi.")
	}
	return nil
}

// isConnectionLoss recognises a database (or any network) connection that broke or could not
// be made: the errors pgx surfaces then are plain I/O errors.
func isConnectionLoss(err error) bool {
	var ce *pgconn.ConnectError
	if errors.As(err, &ce) {
		return true
	}
	if errors.Is(err, pgconn.ErrConnClosed) || errors.Is(err, net.ErrClosed) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.EPIPE) {
		return true
	}
	var ne *net.OpError
	return errors.As(err, &ne)
}
