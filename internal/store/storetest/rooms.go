package storetest

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/roomsdev/rooms/internal/rooms"
)

func testRoomRoundTrip(t *testing.T, s rooms.Store) {
	host := mustUser(t, s, "ada@example.com")
	want := &rooms.Room{
		ID:        rooms.RoomID(newID("room")),
		Token:     rooms.Token(newID("tok")),
		HostID:    host.ID,
		Name:      "Friday retro ☕",
		Theme:     "forest",
		Locked:    true,
		CreatedAt: t0,
	}
	if err := s.CreateRoom(t.Context(), want); err != nil {
		t.Fatal(err)
	}
	for _, lookup := range []struct {
		name string
		get  func() (*rooms.Room, error)
	}{
		{"RoomByID", func() (*rooms.Room, error) { return s.RoomByID(t.Context(), want.ID) }},
		{"RoomByToken", func() (*rooms.Room, error) { return s.RoomByToken(t.Context(), want.Token) }},
	} {
		got, err := lookup.get()
		if err != nil {
			t.Fatalf("%s: %v", lookup.name, err)
		}
		if got.ID != want.ID || got.Token != want.Token || got.HostID != want.HostID ||
			got.Name != want.Name || got.Theme != want.Theme || got.Locked != want.Locked {
			t.Errorf("%s = %+v, want %+v", lookup.name, got, want)
		}
		sameTime(t, lookup.name+" CreatedAt", got.CreatedAt, want.CreatedAt)
		if got.Ended() {
			t.Errorf("%s: new room has ended at %v", lookup.name, *got.EndedAt)
		}
	}
}

func testRoomDuplicateToken(t *testing.T, s rooms.Store) {
	host := mustUser(t, s, "ada@example.com")
	first := mustRoom(t, s, host.ID, t0)
	err := s.CreateRoom(t.Context(), &rooms.Room{
		ID:        rooms.RoomID(newID("room")),
		Token:     first.Token,
		HostID:    host.ID,
		CreatedAt: t0,
	})
	wantCode(t, err, rooms.ECONFLICT)
	got, err := s.RoomByToken(t.Context(), first.Token)
	if err != nil || got.ID != first.ID {
		t.Errorf("RoomByToken after conflict = %v, %v; want %s", got, err, first.ID)
	}
}

func testRoomUnknownHost(t *testing.T, s rooms.Store) {
	err := s.CreateRoom(t.Context(), &rooms.Room{
		ID:        rooms.RoomID(newID("room")),
		Token:     rooms.Token(newID("tok")),
		HostID:    "no-such-user",
		CreatedAt: t0,
	})
	wantCode(t, err, rooms.ENOTFOUND)
}

func testRoomNotFound(t *testing.T, s rooms.Store) {
	host := mustUser(t, s, "ada@example.com")
	mustRoom(t, s, host.ID, t0)
	_, err := s.RoomByID(t.Context(), "no-such-room")
	wantCode(t, err, rooms.ENOTFOUND)
	_, err = s.RoomByToken(t.Context(), "no-such-token")
	wantCode(t, err, rooms.ENOTFOUND)
	wantCode(t, s.SetRoomLocked(t.Context(), "no-such-room", true, rooms.LockedByHost), rooms.ENOTFOUND)
	wantCode(t, s.EndRoom(t.Context(), "no-such-room", t0), rooms.ENOTFOUND)
}

// hostRooms creates n rooms for host, one minute apart starting at t0, in
// shuffled order so that insertion order cannot pass for time order. It
// returns them newest first.
func hostRooms(t *testing.T, s rooms.Store, host rooms.UserID, n int) []*rooms.Room {
	t.Helper()
	created := make([]*rooms.Room, n)
	for _, i := range rand.Perm(n) {
		created[i] = mustRoom(t, s, host, t0.Add(time.Duration(i)*time.Minute))
	}
	newest := make([]*rooms.Room, n)
	for i, r := range created {
		newest[n-1-i] = r
	}
	return newest
}

// sameRooms compares room lists by id, in order.
func sameRooms(t *testing.T, got, want []*rooms.Room) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d rooms, want %d", len(got), len(want))
	}
	for i := range got {
		if got[i].ID != want[i].ID {
			t.Errorf("room %d = %s (created %v), want %s (created %v)",
				i, got[i].ID, got[i].CreatedAt, want[i].ID, want[i].CreatedAt)
		}
	}
}

func testRoomsByHost(t *testing.T, s rooms.Store) {
	host := mustUser(t, s, "ada@example.com")
	other := mustUser(t, s, "grace@example.com")
	want := hostRooms(t, s, host.ID, 5)
	hostRooms(t, s, other.ID, 3)
	got, err := s.RoomsByHost(t.Context(), host.ID, 100)
	if err != nil {
		t.Fatal(err)
	}
	sameRooms(t, got, want)
	for _, r := range got {
		if r.HostID != host.ID {
			t.Errorf("room %s has host %s, want %s", r.ID, r.HostID, host.ID)
		}
	}
}

func testRoomsByHostLimit(t *testing.T, s rooms.Store) {
	host := mustUser(t, s, "ada@example.com")
	all := hostRooms(t, s, host.ID, 6)
	got, err := s.RoomsByHost(t.Context(), host.ID, 4)
	if err != nil {
		t.Fatal(err)
	}
	sameRooms(t, got, all[:4])
	got, err = s.RoomsByHost(t.Context(), host.ID, 1)
	if err != nil {
		t.Fatal(err)
	}
	sameRooms(t, got, all[:1])
}

func testRoomsByHostEmpty(t *testing.T, s rooms.Store) {
	host := mustUser(t, s, "ada@example.com")
	got, err := s.RoomsByHost(t.Context(), host.ID, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 0 {
		t.Errorf("got %d rooms for a host without rooms", len(got))
	}
	got, err = s.RoomsByHost(t.Context(), "no-such-user", 10)
	if err != nil || len(got) != 0 {
		t.Errorf("RoomsByHost(unknown host) = %d rooms, %v; want none, nil", len(got), err)
	}
}

func testSetRoomLocked(t *testing.T, s rooms.Store) {
	host := mustUser(t, s, "ada@example.com")
	r := mustRoom(t, s, host.ID, t0)
	other := mustRoom(t, s, host.ID, t0)
	for _, locked := range []bool{true, true, false, true} {
		if err := s.SetRoomLocked(t.Context(), r.ID, locked, rooms.LockedByHost); err != nil {
			t.Fatalf("SetRoomLocked(%v): %v", locked, err)
		}
		got, err := s.RoomByID(t.Context(), r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Locked != locked {
			t.Errorf("Locked = %v, want %v", got.Locked, locked)
		}
	}
	if got, err := s.RoomByID(t.Context(), other.ID); err != nil || got.Locked {
		t.Errorf("other room = %+v, %v; want unlocked", got, err)
	}
}

func testEndRoom(t *testing.T, s rooms.Store) {
	host := mustUser(t, s, "ada@example.com")
	r := mustRoom(t, s, host.ID, t0)
	other := mustRoom(t, s, host.ID, t0)
	end := t0.Add(90 * time.Minute)
	if err := s.EndRoom(t.Context(), r.ID, end); err != nil {
		t.Fatal(err)
	}
	got, err := s.RoomByToken(t.Context(), r.Token)
	if err != nil {
		t.Fatal(err)
	}
	if !got.Ended() {
		t.Fatal("room has not ended")
	}
	sameTime(t, "EndedAt", *got.EndedAt, end)

	// Ending again succeeds and keeps the first end time.
	if err := s.EndRoom(t.Context(), r.ID, end.Add(time.Hour)); err != nil {
		t.Fatalf("end again: %v", err)
	}
	got, err = s.RoomByID(t.Context(), r.ID)
	if err != nil {
		t.Fatal(err)
	}
	sameTime(t, "EndedAt after second end", *got.EndedAt, end)

	if got, err := s.RoomByID(t.Context(), other.ID); err != nil || got.Ended() {
		t.Errorf("other room = %+v, %v; want not ended", got, err)
	}
	list, err := s.RoomsByHost(t.Context(), host.ID, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 {
		t.Errorf("RoomsByHost lists %d rooms, want ended rooms listed too (2)", len(list))
	}
}
