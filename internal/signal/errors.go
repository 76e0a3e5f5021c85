package signal

import (
	"errors"

	"github.com/roomsdev/rooms/internal/rooms"
	"github.com/roomsdev/rooms/internal/sfu"
)

// Protocol error codes that are not domain codes (docs/protocol.md).
const (
	codeBadMessage        = "bad_message"
	codeOutOfOrder        = "out_of_order"
	codeTooLarge          = "too_large"
	codeRateLimited       = "rate_limited"
	codeNegotiationFailed = "negotiation_failed"
	codeBlockedLeave      = "blocked_leave"
)

// errBlockedLeave tells someone who blocked a person in their call why
// they were taken out of it (blocks.go).
var errBlockedLeave = &protocolError{codeBlockedLeave, "You left this room because you blocked someone in it."}

// protocolError is a refusal of one client message.
type protocolError struct {
	code, message string
}

func (e *protocolError) Error() string { return e.code + ": " + e.message }

func badMessage(msg string) error { return &protocolError{codeBadMessage, msg} }
func outOfOrder(msg string) error { return &protocolError{codeOutOfOrder, msg} }

// errorMsgFor is the error message for err, fatal or not.
func errorMsgFor(err error, fatal bool) errorMsg {
	m := errorFor(err)
	m.Fatal = fatal
	return m
}

// errorFor maps any error to the code and plain-words message sent to the
// client. This is the one place the signalling layer does so.
func errorFor(err error) errorMsg {
	var pe *protocolError
	switch {
	case errors.As(err, &pe):
		return errorMsg{Type: typeError, Code: pe.code, Message: pe.message}
	case errors.Is(err, sfu.ErrNoOffer):
		return errorMsg{Type: typeError, Code: codeOutOfOrder, Message: "There is no offer waiting for an answer."}
	case errors.Is(err, sfu.ErrTooManyTracks):
		return errorMsg{Type: typeError, Code: codeBadMessage, Message: "Too many media tracks in one offer."}
	case errors.Is(err, sfu.ErrNegotiation):
		return errorMsg{Type: typeError, Code: codeNegotiationFailed, Message: "The connection could not be set up. Please rejoin."}
	case errors.Is(err, sfu.ErrClosed):
		return errorMsg{Type: typeError, Code: codeOutOfOrder, Message: "You have left the call."}
	}
	code := rooms.ErrorCode(err)
	return errorMsg{Type: typeError, Code: code, Message: rooms.ErrorMessage(err)}
}
