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
	SetSuspended(ctx context.Context, id UserID, suspended bool) error
	// UpdateProfile changes the display name and avatar.
	UpdateProfile(ctx context.Context, id UserID, displayName, avatar string) error
	// SearchUsers finds accounts whose email is q (case-insensitively) or
	// whose display name starts with q, at most limit, suspended ones left
	// out.
	SearchUsers(ctx context.Context, q string, limit int) ([]*User, error)
}

// SessionStore keeps browser sessions, by the hash of their token.
type SessionStore interface {
	CreateSession(ctx context.Context, s *Session) error
	// SessionByHash returns ENOTFOUND for unknown or expired sessions.
	SessionByHash(ctx context.Context, hash []byte, now time.Time) (*Session, error)
	DeleteSession(ctx context.Context, hash []byte) error
	// DeleteUserSessions signs an account out everywhere.
	DeleteUserSessions(ctx context.Context, id UserID) error
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
	// SetRoomLocked locks (with a reason) or unlocks (reason "").
	SetRoomLocked(ctx context.Context, id RoomID, locked bool, reason LockReason) error
	// UpdateRoom changes the name, theme and Settings.
	UpdateRoom(ctx context.Context, r *Room) error
	// TouchRoom records that someone was in the call at the given time.
	TouchRoom(ctx context.Context, id RoomID, at time.Time) error
	// IdleRooms lists rooms not ended whose ActiveAt (or CreatedAt, if no
	// one has been in) is before the given time, at most limit.
	IdleRooms(ctx context.Context, before time.Time, limit int) ([]*Room, error)
	// EndRoom ends a room for good; ending it again keeps the first time.
	EndRoom(ctx context.Context, id RoomID, at time.Time) error

	// Bar keeps a removed person, and the browsers they came from, out of
	// a room; barring twice is fine (new devices are added).
	Bar(ctx context.Context, b *Bar) error
	// LiftBar lets a barred account or guest back in, and frees the
	// browsers barred with them.
	LiftBar(ctx context.Context, room RoomID, user UserID, guest GuestID) error
	// IsBarred reports whether the account, the guest or the device (any
	// may be empty) is barred from the room.
	IsBarred(ctx context.Context, room RoomID, user UserID, guest GuestID, device DeviceID) (bool, error)
	Bars(ctx context.Context, room RoomID) ([]*Bar, error)
}

// SocialStore keeps the social graph: friends, blocks, groups, events.
type SocialStore interface {
	// RequestFriend records a request from one account to another. If the
	// other had already asked, the two become friends at once.
	RequestFriend(ctx context.Context, from, to UserID, at time.Time) error
	// AcceptFriend makes a pending request from "from" to "to" a
	// friendship; ENOTFOUND without one.
	AcceptFriend(ctx context.Context, from, to UserID, at time.Time) error
	// RemoveFriend deletes a friendship or a pending request, either way.
	RemoveFriend(ctx context.Context, a, b UserID) error
	// FriendState is how b relates to a, from a's side.
	FriendState(ctx context.Context, a, b UserID) (FriendState, error)
	// Friends lists a's friends, and the pending requests either way.
	Friends(ctx context.Context, a UserID) (friends, incoming, outgoing []UserID, err error)

	// Block records that blocker blocked blocked (and removes any
	// friendship or request between them); blocking twice is fine.
	Block(ctx context.Context, blocker, blocked UserID, at time.Time) error
	Unblock(ctx context.Context, blocker, blocked UserID) error
	// Blocked lists whom a has blocked.
	Blocked(ctx context.Context, a UserID) ([]UserID, error)
	// BlockBetween reports whether there is a block, either way, between a
	// and any of others.
	BlockBetween(ctx context.Context, a UserID, others []UserID) (bool, error)

	// CreateGroup creates g with its creator as the first admin.
	CreateGroup(ctx context.Context, g *Group) error
	GroupByID(ctx context.Context, id GroupID) (*Group, error)
	// GroupsOf lists the groups a is a member of.
	GroupsOf(ctx context.Context, a UserID) ([]*Group, error)
	Members(ctx context.Context, g GroupID) ([]Member, error)
	// Membership reports whether a is a member of g, and an admin.
	Membership(ctx context.Context, g GroupID, a UserID) (member, admin bool, err error)
	// AddMember adds a (or changes an existing member's admin flag).
	AddMember(ctx context.Context, g GroupID, a UserID, admin bool) error
	RemoveMember(ctx context.Context, g GroupID, a UserID) error

	CreateEvent(ctx context.Context, e *Event) error
	EventByID(ctx context.Context, id EventID) (*Event, error)
	// EventsOf lists the events a hosts or is invited to, soonest first.
	EventsOf(ctx context.Context, a UserID) ([]*Event, error)
	Guests(ctx context.Context, e EventID) ([]UserID, error)
	// Invited reports whether a is a guest of e (the host counts as one).
	Invited(ctx context.Context, e EventID, a UserID) (bool, error)
	Invite(ctx context.Context, e EventID, a UserID) error
	Uninvite(ctx context.Context, e EventID, a UserID) error
}

// ReportStore keeps reports for the moderators.
type ReportStore interface {
	CreateReport(ctx context.Context, r *Report) error
	// Reports lists reports newest first; open ones only unless all.
	Reports(ctx context.Context, all bool, limit int) ([]*Report, error)
	ResolveReport(ctx context.Context, id ReportID, at time.Time) error
}

// Store is everything the service needs from persistence.
type Store interface {
	UserStore
	SessionStore
	RoomStore
	SocialStore
	ReportStore
	Close() error
}
