package rooms

import (
	"errors"
	"fmt"
)

// Error codes. Each adapter maps them to its own status (HTTP status,
// signalling error) in one place; see httpapi/errors.go and signal/errors.go.
const (
	EINVALID      = "invalid"      // the request is malformed or a value is out of bounds
	ENOTFOUND     = "not_found"    // no such thing, or not visible to the caller
	EUNAUTHORIZED = "unauthorized" // nobody is signed in
	EFORBIDDEN    = "forbidden"    // signed in, but not allowed
	ECONFLICT     = "conflict"     // the thing already exists (an email in use)
	EFULL         = "room_full"    // the room has reached its capacity
	ELOCKED       = "room_locked"  // the room is locked
	EENDED        = "room_ended"   // the room has been ended for good
	ERATELIMIT    = "rate_limited" // too many requests
	EINTERNAL     = "internal"     // anything else; never shown in detail
)

// Error is a domain error: a code the adapters map to a status, and a
// message in plain words that is safe to show to the user.
type Error struct {
	Code    string
	Message string
}

func (e *Error) Error() string {
	return fmt.Sprintf("rooms error: code=%s message=%s", e.Code, e.Message)
}

// Errorf returns a domain error with the given code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of a domain error, or EINTERNAL for anything
// else (including nil wrapped errors from the store or the network).
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the user-facing message of a domain error, and a
// generic message for anything else so internals never leak to users.
func ErrorMessage(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Message
	}
	return "Something went wrong on our side. Please try again."
}
