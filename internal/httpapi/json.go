package httpapi

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"

	"github.com/roomsdev/rooms/internal/rooms"
)

// maxBodyBytes bounds every request body.
const maxBodyBytes = 64 << 10

// decodeJSON reads one JSON object from the body into v. Unknown fields,
// trailing data, a wrong content type and oversize bodies are refused with
// clear errors.
func decodeJSON(w http.ResponseWriter, r *http.Request, v any) error {
	r.Body = http.MaxBytesReader(w, r.Body, maxBodyBytes)
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var mbe *http.MaxBytesError
		switch {
		case errors.As(err, &mbe):
			return err
		case errors.Is(err, io.EOF):
			return rooms.Errorf(rooms.EINVALID, "The request body is empty; it must be a JSON object.")
		default:
			return rooms.Errorf(rooms.EINVALID, "The request body is not valid JSON for this request: %s.", jsonProblem(err))
		}
	}
	if dec.More() {
		return rooms.Errorf(rooms.EINVALID, "The request body must hold one JSON object.")
	}
	return nil
}

// jsonProblem turns a decoding error into a short, safe description.
func jsonProblem(err error) string {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return "malformed JSON"
	case errors.As(err, &te):
		return "field " + te.Field + " has the wrong type"
	default:
		msg := err.Error()
		if len(msg) > 80 {
			msg = msg[:80]
		}
		return msg
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
