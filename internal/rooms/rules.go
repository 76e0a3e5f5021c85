package rooms

// This file holds the room rules of PRODUCT.md as plain functions: who may
// join, who passes a lock, what a room's defaults are, who may manage it.
// The signalling hub applies them under its lock with live facts; the API
// applies them to requests. Nothing here does I/O.

// Kind is where a room was created.
type Kind string

// Room kinds.
const (
	Standalone Kind = "standalone"
	GroupRoom  Kind = "group"
	EventRoom  Kind = "event"
)

// Visibility is who sees a room in their drop-in list. Anyone with the
// link can always open it; visibility is about being shown it.
type Visibility string

// Visibilities.
const (
	VisibleByLink    Visibility = "link"    // only people with the link
	VisibleToFriends Visibility = "friends" // the host's friends
	VisibleToGroup   Visibility = "group"   // the group's members
	VisibleToEvent   Visibility = "event"   // the event's guests
)

// JoinPolicy is who may join a room.
type JoinPolicy string

// Join policies.
const (
	AnyoneWithLink   JoinPolicy = "anyone"    // guests included
	SignedInWithLink JoinPolicy = "signed_in" // accounts only
	AudienceOnly     JoinPolicy = "audience"  // the room's audience (see Facts.InAudience)
)

// LockReason says why a room is locked; the host unlocks it in every case.
type LockReason string

// Lock reasons.
const (
	LockedByHost    LockReason = "host"      // the host locked it
	LockedByRemoval LockReason = "removal"   // the host removed someone
	LockedHostAway  LockReason = "host_away" // the host left a room that is not a group room
	// LockedHostWasAway: locked while the host was away, and the host is
	// back: the host is asked to unlock it, and nobody is told the host is
	// still away.
	LockedHostWasAway LockReason = "host_was_away"
)

// DefaultSettings are a new room's settings for its kind: a group room is
// open to the group's members, an event room to its guests, a standalone
// room to anyone with the link and visible to the host's friends.
func DefaultSettings(k Kind) Settings {
	switch k {
	case GroupRoom:
		return Settings{Visibility: VisibleToGroup, JoinPolicy: AudienceOnly, LinkSharing: true}
	case EventRoom:
		return Settings{Visibility: VisibleToEvent, JoinPolicy: AudienceOnly, LinkSharing: true}
	default:
		return Settings{Visibility: VisibleToFriends, JoinPolicy: AnyoneWithLink, LinkSharing: true}
	}
}

// ValidateSettings checks that the settings make sense for the room's
// kind: a standalone room has no group or event audience.
func ValidateSettings(k Kind, s Settings) error {
	switch s.Visibility {
	case VisibleByLink, VisibleToFriends:
	case VisibleToGroup:
		if k != GroupRoom {
			return Errorf(EINVALID, "Only a group's room can be shown to the group.")
		}
	case VisibleToEvent:
		if k != EventRoom {
			return Errorf(EINVALID, "Only an event's room can be shown to its guests.")
		}
	default:
		return Errorf(EINVALID, "Who can see the room must be link, friends, group or event.")
	}
	switch s.JoinPolicy {
	case AnyoneWithLink, SignedInWithLink, AudienceOnly:
	default:
		return Errorf(EINVALID, "Who can join must be anyone, signed_in or audience.")
	}
	return nil
}

// Facts are what the rules need to know about one person and one room at
// the moment they try to join. The signalling hub gathers them: the
// relationships from the store, the live ones (who is inside, whether the
// host is there) from the call.
type Facts struct {
	IsHost bool
	// IsGroupAdmin: an admin of the room's group (group rooms only).
	IsGroupAdmin bool
	// InAudience: the host's friend (standalone), a group member (group
	// room) or an invited guest (event room). The host is always in it.
	InAudience bool
	// Barred: removed from this room by its host, and not let back.
	Barred bool
	// Suspended: the account is suspended by a moderator.
	Suspended bool
	// BlockConflict: a block, either way, between this person and the
	// host or anyone in the call.
	BlockConflict bool
	// Inside is how many people are in the call; Capacity the most.
	Inside, Capacity int
	// CallOpen: the host has opened the call (arrived since it started).
	CallOpen bool
}

// Verdict is the outcome of a join that is not refused.
type Verdict int

// Verdicts.
const (
	Admit       Verdict = iota + 1 // in the call now
	WaitForHost                    // waiting screen until the host arrives
)

// ErrCantJoin is the one answer to joins refused because of who the person
// is: barred, blocked, suspended. It never says which, so nobody learns
// who blocked whom.
func ErrCantJoin() error { return Errorf(EFORBIDDEN, "You can't join this room.") }

// Decide applies the join rules, in order: an ended room opens for nobody;
// barred, suspended and blocked people get the same neutral refusal; then
// the join policy; then the lock, which only the host and, in a group
// room, the group's admins pass; then the capacity; and last, people who
// arrive before the host wait for the host.
func Decide(r *Room, who Identity, f Facts) (Verdict, error) {
	switch {
	case r.Ended():
		return 0, Errorf(EENDED, "This room has ended.")
	case f.Barred, f.Suspended, f.BlockConflict:
		return 0, ErrCantJoin()
	}
	if !f.IsHost {
		switch r.JoinPolicy {
		case SignedInWithLink:
			if who.IsGuest() || who.Anonymous() {
				return 0, Errorf(EUNAUTHORIZED, "Sign in to join this room.")
			}
		case AudienceOnly:
			if !f.InAudience {
				return 0, Errorf(EFORBIDDEN, "This room is only open to %s.", audienceName(r.Kind))
			}
		}
	}
	if r.Locked && !PassesLock(r, f) {
		return 0, Errorf(ELOCKED, "This room is locked. Only the host can let people in.")
	}
	if f.Inside >= f.Capacity {
		return 0, Errorf(EFULL, "This room is full.")
	}
	if !f.IsHost && !f.CallOpen {
		return WaitForHost, nil
	}
	return Admit, nil
}

// PassesLock reports whether someone may join the room while it is
// locked: the host always; in a group room, the group's admins too.
func PassesLock(r *Room, f Facts) bool {
	return f.IsHost || (r.Kind == GroupRoom && f.IsGroupAdmin)
}

func audienceName(k Kind) string {
	switch k {
	case GroupRoom:
		return "the group's members"
	case EventRoom:
		return "the event's guests"
	default:
		return "the host's friends"
	}
}

// LocksWhenHostLeaves reports whether the room locks itself when its host
// leaves the call: every room but a group room, so nobody new joins while
// the host is away. The people inside stay.
func LocksWhenHostLeaves(r *Room) bool { return r.Kind != GroupRoom }

// CanManage reports whether who may change the room's settings, lock or
// unlock it, remove people, mute them and end it: only its host.
func CanManage(r *Room, who Identity) bool {
	return who.UserID != "" && who.UserID == r.HostID
}

// CanSeeLink reports whether who may be given the room's link: the host
// always, the others only while link sharing is on.
func CanSeeLink(r *Room, who Identity) bool {
	return CanManage(r, who) || r.LinkSharing
}

// ShowsInDropIn reports whether an active room appears in who's drop-in
// list: the room is visible to a set who belongs to (inVisibleSet: the
// host's friends, the group's members or the event's guests, as the
// room's Visibility says) and who could join it in one click now. Rooms
// with someone who blocked who, or whom who blocked, never show: f carries
// that as BlockConflict.
func ShowsInDropIn(r *Room, who Identity, f Facts, inVisibleSet bool) bool {
	if r.Visibility == VisibleByLink || !inVisibleSet || !f.CallOpen {
		return false
	}
	v, err := Decide(r, who, f)
	return err == nil && v == Admit
}
