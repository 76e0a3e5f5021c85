package httpapi

import (
	"errors"
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/roomsdev/rooms/internal/rooms"
)

// statusOf maps domain error codes to HTTP statuses: the one place the API
// does so.
var statusOf = map[string]int{
	rooms.EINVALID:      http.StatusBadRequest,
	rooms.ENOTFOUND:     http.StatusNotFound,
	rooms.EUNAUTHORIZED: http.StatusUnauthorized,
	rooms.EFORBIDDEN:    http.StatusForbidden,
	rooms.ECONFLICT:     http.StatusConflict,
	rooms.EFULL:         http.StatusConflict,
	rooms.ELOCKED:       http.StatusForbidden,
	rooms.EENDED:        http.StatusGone,
	rooms.ERATELIMIT:    http.StatusTooManyRequests,
	rooms.EINTERNAL:     http.StatusInternalServerError,
}

type errorBody struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// writeError answers with the error's status and a JSON body in plain
// words. Internal errors are logged here and shown only generically.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	code := rooms.ErrorCode(err)
	status, ok := statusOf[code]
	if !ok {
		status = http.StatusInternalServerError
	}
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		code, status = rooms.EINVALID, http.StatusRequestEntityTooLarge
		err = rooms.Errorf(rooms.EINVALID, "The request is too large.")
	}
	if status == http.StatusTooManyRequests {
		setRetryAfter(w, err)
	}
	if status == http.StatusInternalServerError {
		s.log.ErrorContext(r.Context(), "request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	var body errorBody
	body.Error.Code = code
	body.Error.Message = rooms.ErrorMessage(err)
	writeJSON(w, status, body)
}

// limitError is a refusal by a rate limit: errTooMany, with how long
// until the client may try again.
type limitError struct{ wait time.Duration }

func (e *limitError) Error() string { return "rate limited for " + e.wait.String() }
func (e *limitError) Unwrap() error { return errTooMany }

// tooManyFor is the refusal of a request a limit stopped, wait before
// its next token.
func tooManyFor(wait time.Duration) error { return &limitError{wait: wait} }

// setRetryAfter says when to try again, as every 429 must (RFC 6585
// section 4): the limit's wait in whole seconds, at least one.
func setRetryAfter(w http.ResponseWriter, err error) {
	secs := 1
	var le *limitError
	if errors.As(err, &le) {
		secs = max(1, int(math.Ceil(le.wait.Seconds())))
	}
	w.Header().Set("Retry-After", strconv.Itoa(secs))
}
