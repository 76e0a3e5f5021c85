package sfu

import "errors"

var (
	// ErrDuplicatePeer means a peer with that id is already in the room.
	ErrDuplicatePeer = errors.New("sfu: peer already in room")
	// ErrClosed means the peer has left.
	ErrClosed = errors.New("sfu: peer closed")
	// ErrNegotiation means an SDP or candidate from the client could not be
	// applied; the wrapped error says why.
	ErrNegotiation = errors.New("sfu: negotiation failed")
	// ErrNoOffer means an answer arrived while no offer was pending.
	ErrNoOffer = errors.New("sfu: no offer pending")
	// ErrTooManyTracks means an offer asked for more media sections than a
	// peer may publish.
	ErrTooManyTracks = errors.New("sfu: too many tracks in offer")
)
