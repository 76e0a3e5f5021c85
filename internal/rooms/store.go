package rooms

import (
	"context"
	"time"
)

// The store interfaces are small on purpose: each adapter (SQLite now,
// PostgreSQL later) implements them and passes the same conformance suite in
// store/storetest. Lookups of missing rows return an *Error with ENOTFOUND.

// UserStore keeps accounts.
type UserStore interface {
	// CreateUser inserts u; an email already in use (case-insensitively)
	// returns ECONFLICT. u.ID and u.CreatedAt must be set by the caller.
	CreateUser(ctx context.Context, u *User) error
	UserByID(ctx context.Context, id UserID) (*User, error)
	// UserByEmail matches the email case-insensitively.
	UserByEmail(ctx context.Context, email string) (*User, error)
	SetModerator(ctx context.Context, id UserID, moderator bool) error
}

// SessionStore keeps browser sessions, by the hash of their token.
type SessionStore interface {
	CreateSession(ctx context.Context, s *Session) error
	// SessionByHash returns ENOTFOUND for unknown or expired sessions.
	SessionByHash(ctx context.Context, hash []byte, now time.Time) (*Session, error)
	DeleteSession(ctx context.Context, hash []byte) error
	CreateGuest(ctx context.Context, g *Guest) error
	GuestByID(ctx context.Context, id GuestID) (*Guest, error)
}

// RoomStore keeps rooms.
type RoomStore interface {
	// CreateRoom inserts r; a token collision returns ECONFLICT.
	CreateRoom(ctx context.Context, r *Room) error
	RoomByToken(ctx context.Context, t Token) (*Room, error)
	RoomByID(ctx context.Context, id RoomID) (*Room, error)
	// RoomsByHost lists the host's rooms, newest first, at most limit.
	RoomsByHost(ctx context.Context, host UserID, limit int) ([]*Room, error)
	SetRoomLocked(ctx context.Context, id RoomID, locked bool) error
	EndRoom(ctx context.Context, id RoomID, at time.Time) error
}

// Store is everything the service needs from persistence.
type Store interface {
	UserStore
	SessionStore
	RoomStore
	Close() error
}
