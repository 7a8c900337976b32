package bot

import (
	"errors"
	"fmt"
)

// Code classifies an error so that each interface can answer in its own
// terms: an HTTP status, an exit code, an ephemeral Discord reply.
type Code string

// The error codes.
const (
	CodeInvalid     Code = "invalid"     // the request is wrong: fix the field and retry
	CodeNotFound    Code = "not_found"   // the named member or entry does not exist
	CodeConflict    Code = "conflict"    // the request is well formed but the ledger's state refuses it: a closed poll, a paid period
	CodeUnavailable Code = "unavailable" // an outside service (GitHub) did not answer: retry later
	CodeInternal    Code = "internal"    // anything else: not the caller's fault
)

// Error is a failure the person who made the request can fix. Its message
// is written for them: it names the field at fault and says what to do.
type Error struct {
	Code    Code
	Field   string // the request field at fault, e.g. "category"; may be empty
	Message string
}

func (e *Error) Error() string { return e.Message }

func invalidf(field, format string, args ...any) *Error {
	return &Error{Code: CodeInvalid, Field: field, Message: fmt.Sprintf(format, args...)}
}

func conflictf(field, format string, args ...any) *Error {
	return &Error{Code: CodeConflict, Field: field, Message: fmt.Sprintf(format, args...)}
}

func notFoundf(field, format string, args ...any) *Error {
	return &Error{Code: CodeNotFound, Field: field, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of err, or CodeInternal when err is not an
// *Error (nor wraps one).
func ErrorCode(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return CodeInternal
}

// ErrorMessage returns the message to show the caller: that of an *Error,
// or a generic one that leaks nothing about internal failures.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "internal error"
}
