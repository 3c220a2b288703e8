package ntm

import (
	"errors"
	"fmt"
)

// Code classifies an error for the people and programs that see it. It alone decides the HTTP
// status of a console or API answer and the exit code of a command (see codeTable).
type Code string

const (
	CodeInvalid      Code = "invalid"      // bad input: a file, a form field, a value in a request
	CodeUsage        Code = "usage"        // a command called the wrong way (flags, arguments)
	CodeNotFound     Code = "not_found"    // the thing asked for does not exist (a period, a unit, a batch)
	CodeConflict     Code = "conflict"     // the state forbids it: already loaded, the pipeline is busy
	CodeUnauthorized Code = "unauthorized" // no valid login or token
	CodeForbidden    Code = "forbidden"    // logged in, but not allowed
	CodeTooMany      Code = "too_many"     // too many attempts: wait and try again
	CodeTooLarge     Code = "too_large"    // an upload or a download over its size limit
	CodeUnsupported  Code = "unsupported"  // a file of a type ntm does not take (a .pdf, an old .xls)
	CodeUnavailable  Code = "unavailable"  // the database or a feed cannot be reached right now
	CodeOperator     Code = "operator"     // a fault of the machine, not of the input: disk full, permissions
	CodeCancelled    Code = "cancelled"    // stopped by the user or by a shutdown
	CodeInternal     Code = "internal"     // a bug: anything not classified
)

// codeTable maps every code to its HTTP status and its process exit code, in one place.
var codeTable = map[Code]struct{ HTTP, Exit int }{
	CodeInvalid:      {422, 1},
	CodeUsage:        {400, 2},
	CodeNotFound:     {404, 1},
	CodeConflict:     {409, 1},
	CodeUnauthorized: {401, 1},
	CodeForbidden:    {403, 1},
	CodeTooMany:      {429, 1},
	CodeTooLarge:     {413, 1},
	CodeUnsupported:  {415, 1},
	CodeUnavailable:  {503, 1},
	CodeOperator:     {500, 1},
	CodeCancelled:    {499, 1},
	CodeInternal:     {500, 1},
}

// HTTPStatus is the HTTP status an error of this code is answered with.
func (c Code) HTTPStatus() int {
	if t, ok := codeTable[c]; ok {
		return t.HTTP
	}
	return 500
}

// ExitCode is the process exit code of a command that fails with an error of this code.
func (c Code) ExitCode() int {
	if t, ok := codeTable[c]; ok {
		return t.Exit
	}
	return 1
}

// Error is what a user is told: a code and one Vietnamese sentence saying what happened and
// what to do (naming the file, sheet, row and column where there is one). The English cause,
// when there is one, is wrapped for the log and for errors.Is/As; it is never shown to the
// office in place of the message.
type Error struct {
	Code    Code
	Message string // Vietnamese, for the office
	Err     error  // the underlying cause (English, for the log); may be nil
}

// Error returns the message for users. The cause stays reachable through Unwrap and Cause.
func (e *Error) Error() string { return e.Message }

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Cause is the cause's text for the log ("" without one).
func (e *Error) Cause() string {
	if e.Err == nil {
		return ""
	}
	return e.Err.Error()
}

// Errorf makes an Error with a Vietnamese message and no cause.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Wrap makes an Error whose message is the Vietnamese sentence and whose cause is err.
func Wrap(code Code, err error, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...), Err: err}
}

// ErrorCode is the code of the outermost Error in err's chain, CodeInternal for any other
// non-nil error, and "" for nil.
func ErrorCode(err error) Code {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return CodeInternal
}

// ErrorMessage is the message to show a user for err: the outermost Error's message, else a
// generic Vietnamese sentence (the English text of an unclassified error is for the log only).
func ErrorMessage(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "Lỗi nội bộ của ntm: xem nhật ký (log) để biết chi tiết và báo cho người quản trị."
}
