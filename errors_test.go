package ntm

import (
	"errors"
	"fmt"
	"testing"
)

func TestErrorCodesMapToOneStatusAndExitCode(t *testing.T) {
	cause := errors.New("dial tcp 127.0.0.1:5432: connect: connection refused")
	err := fmt.Errorf("load x.xlsx: %w", Wrap(CodeUnavailable, cause, "Không kết nối được cơ sở dữ liệu: kiểm tra PostgreSQL rồi chạy lại."))
	if ErrorCode(err) != CodeUnavailable || ErrorCode(err).HTTPStatus() != 503 || ErrorCode(err).ExitCode() != 1 {
		t.Fatalf("code %q, status %d, exit %d", ErrorCode(err), ErrorCode(err).HTTPStatus(), ErrorCode(err).ExitCode())
	}
	if ErrorMessage(err) != "Không kết nối được cơ sở dữ liệu: kiểm tra PostgreSQL rồi chạy lại." {
		t.Fatalf("message %q", ErrorMessage(err))
	}
	if !errors.Is(err, cause) {
		t.Fatal("the cause is not reachable through the chain")
	}
	if CodeUsage.ExitCode() != 2 || ErrorCode(nil) != "" || ErrorCode(cause) != CodeInternal {
		t.Fatal("usage exit code, nil or unclassified error mapped wrongly")
	}
	for c := range codeTable {
		if c.HTTPStatus() < 400 {
			t.Errorf("code %s maps to a success status", c)
		}
	}
	if m := ErrorMessage(cause); m == "" || m == cause.Error() {
		t.Fatalf("an unclassified error shows its English text to users: %q", m)
	}
}
