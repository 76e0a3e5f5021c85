// Package rooms is the domain of the Rooms service: the types, the rules that
// decide who may do what in a room, and the interfaces the adapters (store,
// HTTP, signalling) implement or use. It performs no I/O and imports nothing
// of ours, so every rule here can be tested as a plain function.
package rooms

import "time"

// UserID identifies an account.
type UserID string

// GuestID identifies a guest: a person with only a display name, bound to
// the one room they joined by link.
type GuestID string

// RoomID is the internal, stable identifier of a room. It never appears in
// links; the link carries the room's Token.
type RoomID string

// Token is the unguessable part of a room's link, /r/<token>.
type Token string

// DeviceID identifies a browser: the hash of the long-lived device cookie
// it was given, never the cookie itself. A removal bars the browser it came
// from too, so that signing out or making a new guest does not undo it.
type DeviceID string

// ParticipantID identifies one presence of a person in a call. The same
// person joining twice (two tabs) gets two participant IDs.
type ParticipantID string

// User is an account.
type User struct {
	ID          UserID
	Email       string
	DisplayName string
	// Avatar is a short emoji or empty (the client then shows initials).
	Avatar       string
	PasswordHash string
	Moderator    bool
	Suspended    bool
	CreatedAt    time.Time
}

// Room is a video room created by a host.
type Room struct {
	ID     RoomID
	Token  Token
	HostID UserID
	Name   string
	Theme  string

	// Kind is where the room was created: standalone, in a group (GroupID
	// set) or for an event (EventID set). It sets the defaults below and
	// who may pass a lock.
	Kind    Kind
	GroupID GroupID
	EventID EventID

	Settings

	Locked     bool
	LockReason LockReason

	CreatedAt time.Time
	// ActiveAt is the last time anyone was in the call; idle rooms expire
	// from it.
	ActiveAt time.Time
	// EndedAt is set once the host (or a moderator) ends the room; an ended
	// room never opens again.
	EndedAt *time.Time
}

// Settings are what the host may change at any time, also during the call.
type Settings struct {
	Visibility Visibility // who sees it in their drop-in list
	JoinPolicy JoinPolicy // who may join
	// LinkSharing lets participants see and share the link; when off, only
	// the host is ever given it.
	LinkSharing bool
}

// Ended reports whether the room has been ended for good.
func (r *Room) Ended() bool { return r.EndedAt != nil }

// Guest is a person who joined one room by link with only a display name.
type Guest struct {
	ID          GuestID
	RoomID      RoomID
	DisplayName string
	CreatedAt   time.Time
}

// Session is a signed-in browser: either an account (UserID set) or a guest
// bound to one room (GuestID set). The store keeps only a hash of the
// session token, so a leaked database does not leak live sessions.
type Session struct {
	TokenHash []byte
	UserID    UserID
	GuestID   GuestID
	CreatedAt time.Time
	ExpiresAt time.Time
}

// Identity is who is making a request, as resolved from a session.
type Identity struct {
	UserID      UserID
	GuestID     GuestID
	DisplayName string
	// GuestRoom is the only room a guest identity may join.
	GuestRoom RoomID
	// Device is the browser the request came from, if known.
	Device DeviceID
}

// IsGuest reports whether the identity is a guest rather than an account.
func (id Identity) IsGuest() bool { return id.GuestID != "" }

// Anonymous reports whether no one is signed in.
func (id Identity) Anonymous() bool { return id.UserID == "" && id.GuestID == "" }
