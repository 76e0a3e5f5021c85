package rooms

import "time"

// GroupID identifies a group.
type GroupID string

// EventID identifies an event.
type EventID string

// Group is a set of people with admins; the creator is the first admin.
type Group struct {
	ID        GroupID
	Name      string
	CreatedBy UserID
	CreatedAt time.Time
}

// Member is a person in a group.
type Member struct {
	UserID UserID
	Admin  bool
}

// Event is a gathering at a time, with a host and invited guests.
type Event struct {
	ID        EventID
	HostID    UserID
	Title     string
	StartsAt  time.Time
	CreatedAt time.Time
}

// FriendState is how two accounts relate, seen from one of them.
type FriendState string

// Friend states, from the viewer's side.
const (
	NotFriends      FriendState = "none"
	Friends         FriendState = "friends"
	RequestSent     FriendState = "requested" // the viewer asked, no answer yet
	RequestReceived FriendState = "incoming"  // the other asked the viewer
)

// Profile is what one person may see of another. To anyone who is not a
// friend it is the display name and the avatar, nothing more: joining a
// room never makes a profile public.
type Profile struct {
	ID          UserID
	DisplayName string
	Avatar      string
	// Email is only filled in for friends.
	Email string
}

// ProfileFor returns what viewer may see of u.
func ProfileFor(u *User, friends bool) Profile {
	p := Profile{ID: u.ID, DisplayName: u.DisplayName, Avatar: u.Avatar}
	if friends {
		p.Email = u.Email
	}
	return p
}
