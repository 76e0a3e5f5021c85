package storetest

import (
	"testing"
	"time"

	"github.com/roomsdev/rooms/internal/rooms"
)

// sameRoom compares every field of two rooms.
func sameRoom(t *testing.T, what string, got, want *rooms.Room) {
	t.Helper()
	if got.ID != want.ID || got.Token != want.Token || got.HostID != want.HostID ||
		got.Name != want.Name || got.Theme != want.Theme ||
		got.Kind != want.Kind || got.GroupID != want.GroupID || got.EventID != want.EventID ||
		got.Settings != want.Settings ||
		got.Locked != want.Locked || got.LockReason != want.LockReason {
		t.Errorf("%s = %+v, want %+v", what, got, want)
	}
	sameTime(t, what+" CreatedAt", got.CreatedAt, want.CreatedAt)
	if got.ActiveAt.IsZero() != want.ActiveAt.IsZero() || !got.ActiveAt.Equal(want.ActiveAt) {
		t.Errorf("%s ActiveAt = %v, want %v", what, got.ActiveAt, want.ActiveAt)
	}
	switch {
	case got.Ended() != want.Ended():
		t.Errorf("%s EndedAt = %v, want %v", what, got.EndedAt, want.EndedAt)
	case got.Ended():
		sameTime(t, what+" EndedAt", *got.EndedAt, *want.EndedAt)
	}
}

// testRoomSettingsRoundTrip stores a room of each kind with settings other
// than the defaults and reads every field back by each lookup.
func testRoomSettingsRoundTrip(t *testing.T, s rooms.Store) {
	host := mustUser(t, s, "ada@example.com")
	g := mustGroup(t, s, host.ID, "Book club")
	e := mustEvent(t, s, host.ID, t0.Add(24*time.Hour))
	ended := t0.Add(3 * time.Hour)
	want := []*rooms.Room{
		{
			Kind: rooms.Standalone, Name: "Just us", Theme: "hangout 🍕",
			Settings: rooms.Settings{Visibility: rooms.VisibleByLink, JoinPolicy: rooms.SignedInWithLink, LinkSharing: false},
			Locked:   true, LockReason: rooms.LockedByRemoval,
			CreatedAt: t0, ActiveAt: t0.Add(90*time.Minute + 7*time.Millisecond),
		},
		{
			Kind: rooms.GroupRoom, GroupID: g.ID, Name: "Chapter 3", Theme: "book club 📚",
			Settings:  rooms.Settings{Visibility: rooms.VisibleToFriends, JoinPolicy: rooms.AnyoneWithLink, LinkSharing: true},
			CreatedAt: t0.Add(time.Minute),
		},
		{
			Kind: rooms.EventRoom, EventID: e.ID, Name: "Party", Theme: "birthday 🎂",
			Settings: rooms.Settings{Visibility: rooms.VisibleToEvent, JoinPolicy: rooms.AudienceOnly, LinkSharing: false},
			Locked:   true, LockReason: rooms.LockedHostAway,
			CreatedAt: t0.Add(2 * time.Minute), ActiveAt: t0.Add(2 * time.Hour), EndedAt: &ended,
		},
	}
	for _, r := range want {
		r.ID, r.Token, r.HostID = rooms.RoomID(newID("room")), rooms.Token(newID("tok")), host.ID
		if err := s.CreateRoom(t.Context(), r); err != nil {
			t.Fatalf("create %s room: %v", r.Kind, err)
		}
	}
	for _, r := range want {
		got, err := s.RoomByID(t.Context(), r.ID)
		if err != nil {
			t.Fatal(err)
		}
		sameRoom(t, "RoomByID", got, r)
		if got, err = s.RoomByToken(t.Context(), r.Token); err != nil {
			t.Fatal(err)
		}
		sameRoom(t, "RoomByToken", got, r)
	}
	list, err := s.RoomsByHost(t.Context(), host.ID, 10)
	if err != nil || len(list) != len(want) {
		t.Fatalf("RoomsByHost = %d rooms, %v; want %d", len(list), err, len(want))
	}
	for i, got := range list {
		sameRoom(t, "RoomsByHost", got, want[len(want)-1-i])
	}
}

// testRoomDefaults: a room created without a kind is standalone, and a room
// created with zero settings gets its kind's defaults, also on the struct
// the caller passed.
func testRoomDefaults(t *testing.T, s rooms.Store) {
	host := mustUser(t, s, "ada@example.com")
	plain := mustRoom(t, s, host.ID, t0)
	g := mustGroup(t, s, host.ID, "Book club")
	grouped := &rooms.Room{
		ID: rooms.RoomID(newID("room")), Token: rooms.Token(newID("tok")), HostID: host.ID,
		Kind: rooms.GroupRoom, GroupID: g.ID, CreatedAt: t0,
	}
	if err := s.CreateRoom(t.Context(), grouped); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		room *rooms.Room
		kind rooms.Kind
	}{
		{plain, rooms.Standalone},
		{grouped, rooms.GroupRoom},
	} {
		got, err := s.RoomByID(t.Context(), tt.room.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Kind != tt.kind || got.Settings != rooms.DefaultSettings(tt.kind) {
			t.Errorf("stored %s room = kind %q, %+v; want defaults %+v", tt.kind, got.Kind, got.Settings, rooms.DefaultSettings(tt.kind))
		}
		if tt.room.Kind != got.Kind || tt.room.Settings != got.Settings {
			t.Errorf("caller's %s room = kind %q, %+v; want what was stored", tt.kind, tt.room.Kind, tt.room.Settings)
		}
		if !got.ActiveAt.IsZero() || got.LockReason != "" || got.Locked {
			t.Errorf("new room = %+v; want never active, unlocked", got)
		}
	}
}

func testRoomKindMismatch(t *testing.T, s rooms.Store) {
	host := mustUser(t, s, "ada@example.com")
	g := mustGroup(t, s, host.ID, "Book club")
	e := mustEvent(t, s, host.ID, t0)
	for _, tt := range []struct {
		name  string
		kind  rooms.Kind
		group rooms.GroupID
		event rooms.EventID
		code  string
	}{
		{"standalone with a group", rooms.Standalone, g.ID, "", rooms.EINVALID},
		{"standalone with an event", rooms.Standalone, "", e.ID, rooms.EINVALID},
		{"group room without a group", rooms.GroupRoom, "", "", rooms.EINVALID},
		{"group room with an event", rooms.GroupRoom, g.ID, e.ID, rooms.EINVALID},
		{"event room without an event", rooms.EventRoom, "", "", rooms.EINVALID},
		{"unknown kind", "party", "", "", rooms.EINVALID},
		{"unknown group", rooms.GroupRoom, "no-such-group", "", rooms.ENOTFOUND},
		{"unknown event", rooms.EventRoom, "", "no-such-event", rooms.ENOTFOUND},
	} {
		err := s.CreateRoom(t.Context(), &rooms.Room{
			ID: rooms.RoomID(newID("room")), Token: rooms.Token(newID("tok")), HostID: host.ID,
			Kind: tt.kind, GroupID: tt.group, EventID: tt.event, CreatedAt: t0,
		})
		if got := rooms.ErrorCode(err); got != tt.code {
			t.Errorf("%s: code %q, want %q (err: %v)", tt.name, got, tt.code, err)
		}
	}
	if list, err := s.RoomsByHost(t.Context(), host.ID, 10); err != nil || len(list) != 0 {
		t.Errorf("RoomsByHost = %d rooms, %v; want none created", len(list), err)
	}
}

func testUpdateRoom(t *testing.T, s rooms.Store) {
	host := mustUser(t, s, "ada@example.com")
	other := mustUser(t, s, "grace@example.com")
	r := mustRoom(t, s, host.ID, t0)
	if err := s.SetRoomLocked(t.Context(), r.ID, true, rooms.LockedByHost); err != nil {
		t.Fatal(err)
	}
	untouched := mustRoom(t, s, host.ID, t0)

	// Only the name, theme and settings change, whatever else the caller
	// passes.
	change := *r
	change.Name, change.Theme = "Renamed", "work 💼"
	change.Settings = rooms.Settings{Visibility: rooms.VisibleByLink, JoinPolicy: rooms.AudienceOnly, LinkSharing: false}
	change.HostID, change.Token, change.Locked, change.Kind = other.ID, "other-token", false, rooms.EventRoom
	if err := s.UpdateRoom(t.Context(), &change); err != nil {
		t.Fatal(err)
	}
	want := *r
	want.Name, want.Theme, want.Settings = change.Name, change.Theme, change.Settings
	want.Locked, want.LockReason = true, rooms.LockedByHost
	got, err := s.RoomByID(t.Context(), r.ID)
	if err != nil {
		t.Fatal(err)
	}
	sameRoom(t, "updated room", got, &want)
	if got, err := s.RoomByID(t.Context(), untouched.ID); err != nil {
		t.Fatal(err)
	} else {
		sameRoom(t, "other room", got, untouched)
	}
	wantCode(t, s.UpdateRoom(t.Context(), &rooms.Room{ID: "no-such-room", Settings: change.Settings}), rooms.ENOTFOUND)
}

func testLockReasons(t *testing.T, s rooms.Store) {
	host := mustUser(t, s, "ada@example.com")
	r := mustRoom(t, s, host.ID, t0)
	for _, tt := range []struct {
		locked bool
		reason rooms.LockReason
		want   rooms.LockReason
	}{
		{true, rooms.LockedByRemoval, rooms.LockedByRemoval},
		{true, rooms.LockedHostAway, rooms.LockedHostAway},
		{false, "", ""},
		{true, rooms.LockedByHost, rooms.LockedByHost},
		{false, rooms.LockedByHost, ""}, // unlocking clears the reason
	} {
		if err := s.SetRoomLocked(t.Context(), r.ID, tt.locked, tt.reason); err != nil {
			t.Fatal(err)
		}
		got, err := s.RoomByID(t.Context(), r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Locked != tt.locked || got.LockReason != tt.want {
			t.Errorf("SetRoomLocked(%v, %q): room locked %v for %q, want %v for %q",
				tt.locked, tt.reason, got.Locked, got.LockReason, tt.locked, tt.want)
		}
	}
	// A room created unlocked keeps no reason either.
	unlocked := &rooms.Room{ID: rooms.RoomID(newID("room")), Token: rooms.Token(newID("tok")),
		HostID: host.ID, LockReason: rooms.LockedByHost, CreatedAt: t0}
	if err := s.CreateRoom(t.Context(), unlocked); err != nil {
		t.Fatal(err)
	}
	if got, err := s.RoomByID(t.Context(), unlocked.ID); err != nil || got.LockReason != "" {
		t.Errorf("unlocked room = %+v, %v; want no lock reason", got, err)
	}
}

func testTouchRoom(t *testing.T, s rooms.Store) {
	host := mustUser(t, s, "ada@example.com")
	r := mustRoom(t, s, host.ID, t0)
	other := mustRoom(t, s, host.ID, t0)
	for _, tt := range []struct{ at, want time.Time }{
		{t0.Add(time.Hour), t0.Add(time.Hour)},
		{t0.Add(30 * time.Minute), t0.Add(time.Hour)}, // never goes back
		{t0.Add(2*time.Hour + time.Millisecond), t0.Add(2*time.Hour + time.Millisecond)},
	} {
		if err := s.TouchRoom(t.Context(), r.ID, tt.at); err != nil {
			t.Fatal(err)
		}
		got, err := s.RoomByID(t.Context(), r.ID)
		if err != nil {
			t.Fatal(err)
		}
		sameTime(t, "ActiveAt", got.ActiveAt, tt.want)
	}
	if got, err := s.RoomByID(t.Context(), other.ID); err != nil || !got.ActiveAt.IsZero() {
		t.Errorf("other room = %+v, %v; want never active", got, err)
	}
	wantCode(t, s.TouchRoom(t.Context(), "no-such-room", t0), rooms.ENOTFOUND)
}

func testIdleRooms(t *testing.T, s rooms.Store) {
	host := mustUser(t, s, "ada@example.com")
	cutoff := t0.Add(time.Hour)
	never := mustRoom(t, s, host.ID, t0)                      // idle since t0
	busy := mustRoom(t, s, host.ID, t0)                       // active after the cutoff
	fresh := mustRoom(t, s, host.ID, cutoff)                  // created at the cutoff: not before it
	ended := mustRoom(t, s, host.ID, t0)                      // ended rooms never expire again
	quiet := mustRoom(t, s, host.ID, t0)                      // active, then idle since t0+30m
	edge := mustRoom(t, s, host.ID, t0.Add(-time.Hour))       // active exactly at the cutoff
	justBefore := mustRoom(t, s, host.ID, t0.Add(-time.Hour)) // active 1 ms before the cutoff
	for _, touch := range []struct {
		r  *rooms.Room
		at time.Time
	}{
		{busy, cutoff.Add(time.Hour)},
		{quiet, t0.Add(30 * time.Minute)},
		{edge, cutoff},
		{justBefore, cutoff.Add(-time.Millisecond)},
	} {
		if err := s.TouchRoom(t.Context(), touch.r.ID, touch.at); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.EndRoom(t.Context(), ended.ID, t0.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}

	// Longest idle first.
	got, err := s.IdleRooms(t.Context(), cutoff, 10)
	if err != nil {
		t.Fatal(err)
	}
	sameRooms(t, got, []*rooms.Room{never, quiet, justBefore})
	got, err = s.IdleRooms(t.Context(), cutoff.Add(time.Millisecond), 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 5 || got[3].ID == got[4].ID ||
		(got[3].ID != fresh.ID && got[3].ID != edge.ID) || (got[4].ID != fresh.ID && got[4].ID != edge.ID) {
		t.Errorf("idle 1 ms after the cutoff = %d rooms; want also the two at the cutoff", len(got))
	}
	got, err = s.IdleRooms(t.Context(), cutoff, 1)
	if err != nil {
		t.Fatal(err)
	}
	sameRooms(t, got, []*rooms.Room{never})
	if got, err := s.IdleRooms(t.Context(), t0, 10); err != nil || len(got) != 0 {
		t.Errorf("IdleRooms(t0) = %d rooms, %v; want none", len(got), err)
	}
	if got, err := s.IdleRooms(t.Context(), cutoff, 0); err != nil || len(got) != 0 {
		t.Errorf("IdleRooms(limit 0) = %d rooms, %v; want none", len(got), err)
	}
}
