// Package directory answers the questions the room rules ask about people:
// is this the host, a group admin, in the room's audience, barred,
// suspended, blocked by or blocking someone inside? It reads them from the
// store; the rules themselves are rooms.Decide and friends.
package directory

import (
	"context"
	"fmt"

	"github.com/roomsdev/rooms/internal/rooms"
)

// Directory gathers facts about people from the store.
type Directory struct {
	Store rooms.Store
}

// Facts returns the relationship facts of rooms.Facts for who joining r
// while the accounts in inside are in the call. The live facts (Inside,
// Capacity, CallOpen) are the caller's to fill in.
func (d *Directory) Facts(ctx context.Context, r *rooms.Room, who rooms.Identity, inside []rooms.UserID) (rooms.Facts, error) {
	var f rooms.Facts
	var err error
	// The host is never barred: a guest the host removed may have been in
	// the room from the host's own browser.
	if who.UserID == "" || who.UserID != r.HostID {
		f.Barred, err = d.Store.IsBarred(ctx, r.ID, who.UserID, who.GuestID, who.Device)
		if err != nil {
			return f, fmt.Errorf("check bar: %w", err)
		}
	}
	if who.UserID == "" {
		return f, nil // guests have no relationships; their bar is all there is
	}
	u, err := d.Store.UserByID(ctx, who.UserID)
	if err != nil {
		return f, fmt.Errorf("load user: %w", err)
	}
	f.Suspended = u.Suspended
	f.IsHost = who.UserID == r.HostID

	// The host's blocks apply even while the host is away, so the host is
	// always among the people checked.
	others := make([]rooms.UserID, 0, len(inside)+1)
	if !f.IsHost {
		others = append(others, r.HostID)
	}
	for _, id := range inside {
		if id != who.UserID && id != "" {
			others = append(others, id)
		}
	}
	if f.BlockConflict, err = d.Store.BlockBetween(ctx, who.UserID, others); err != nil {
		return f, fmt.Errorf("check blocks: %w", err)
	}
	if f.InAudience, f.IsGroupAdmin, err = d.audience(ctx, r, who.UserID); err != nil {
		return f, err
	}
	if f.IsHost {
		f.InAudience = true
	}
	return f, nil
}

// audience reports whether u is in r's audience (the host's friends, the
// group's members, the event's guests) and, for group rooms, a group admin.
func (d *Directory) audience(ctx context.Context, r *rooms.Room, u rooms.UserID) (in, admin bool, err error) {
	switch r.Kind {
	case rooms.GroupRoom:
		in, admin, err = d.Store.Membership(ctx, r.GroupID, u)
		if err != nil {
			return false, false, fmt.Errorf("check membership: %w", err)
		}
	case rooms.EventRoom:
		in, err = d.Store.Invited(ctx, r.EventID, u)
		if err != nil {
			return false, false, fmt.Errorf("check invitation: %w", err)
		}
	default:
		state, err := d.Store.FriendState(ctx, r.HostID, u)
		if err != nil {
			return false, false, fmt.Errorf("check friendship: %w", err)
		}
		in = state == rooms.Friends
	}
	return in, admin, nil
}

// InVisibleSet reports whether u belongs to the set r's Visibility shows it
// to: the host's friends, the group's members or the event's guests.
func (d *Directory) InVisibleSet(ctx context.Context, r *rooms.Room, u rooms.UserID) (bool, error) {
	switch r.Visibility {
	case rooms.VisibleToFriends:
		if u == r.HostID {
			return true, nil
		}
		state, err := d.Store.FriendState(ctx, r.HostID, u)
		return state == rooms.Friends, err
	case rooms.VisibleToGroup:
		in, _, err := d.Store.Membership(ctx, r.GroupID, u)
		return in, err
	case rooms.VisibleToEvent:
		return d.Store.Invited(ctx, r.EventID, u)
	default:
		return false, nil
	}
}

// BlockBetween reports a block, either way, between a and any of others.
func (d *Directory) BlockBetween(ctx context.Context, a rooms.UserID, others []rooms.UserID) (bool, error) {
	return d.Store.BlockBetween(ctx, a, others)
}
