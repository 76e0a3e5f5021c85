package storetest

import (
	"bytes"
	"testing"
	"time"

	"github.com/roomsdev/rooms/internal/rooms"
)

func testUserSession(t *testing.T, s rooms.Store) {
	u := mustUser(t, s, "ada@example.com")
	want := &rooms.Session{
		TokenHash: newHash(),
		UserID:    u.ID,
		CreatedAt: t0,
		ExpiresAt: t0.Add(24 * time.Hour),
	}
	if err := s.CreateSession(t.Context(), want); err != nil {
		t.Fatal(err)
	}
	got, err := s.SessionByHash(t.Context(), want.TokenHash, t0)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.TokenHash, want.TokenHash) || got.UserID != u.ID || got.GuestID != "" {
		t.Errorf("session = %+v, want %+v", got, want)
	}
	sameTime(t, "CreatedAt", got.CreatedAt, want.CreatedAt)
	sameTime(t, "ExpiresAt", got.ExpiresAt, want.ExpiresAt)
}

func testGuestSession(t *testing.T, s rooms.Store) {
	host := mustUser(t, s, "ada@example.com")
	room := mustRoom(t, s, host.ID, t0)
	g := mustGuest(t, s, room.ID)
	want := &rooms.Session{
		TokenHash: newHash(),
		GuestID:   g.ID,
		CreatedAt: t0,
		ExpiresAt: t0.Add(time.Hour),
	}
	if err := s.CreateSession(t.Context(), want); err != nil {
		t.Fatal(err)
	}
	got, err := s.SessionByHash(t.Context(), want.TokenHash, t0)
	if err != nil {
		t.Fatal(err)
	}
	if got.GuestID != g.ID || got.UserID != "" {
		t.Errorf("session = %+v, want guest %s and no user", got, g.ID)
	}
}

func testSessionExpiry(t *testing.T, s rooms.Store) {
	u := mustUser(t, s, "ada@example.com")
	sess := &rooms.Session{
		TokenHash: newHash(),
		UserID:    u.ID,
		CreatedAt: t0,
		ExpiresAt: t0.Add(time.Hour),
	}
	if err := s.CreateSession(t.Context(), sess); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		now   time.Time
		found bool
	}{
		{t0, true},
		{sess.ExpiresAt.Add(-time.Millisecond), true},
		{sess.ExpiresAt, false}, // a session expires at its ExpiresAt instant
		{sess.ExpiresAt.Add(time.Millisecond), false},
		{sess.ExpiresAt.Add(365 * 24 * time.Hour), false},
	} {
		_, err := s.SessionByHash(t.Context(), sess.TokenHash, tt.now)
		if tt.found && err != nil {
			t.Errorf("at %v: %v, want found", tt.now, err)
		} else if !tt.found {
			wantCode(t, err, rooms.ENOTFOUND)
		}
	}
}

func testDeleteSession(t *testing.T, s rooms.Store) {
	u := mustUser(t, s, "ada@example.com")
	keep := &rooms.Session{TokenHash: newHash(), UserID: u.ID, CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)}
	drop := &rooms.Session{TokenHash: newHash(), UserID: u.ID, CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)}
	for _, sess := range []*rooms.Session{keep, drop} {
		if err := s.CreateSession(t.Context(), sess); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.DeleteSession(t.Context(), drop.TokenHash); err != nil {
		t.Fatal(err)
	}
	_, err := s.SessionByHash(t.Context(), drop.TokenHash, t0)
	wantCode(t, err, rooms.ENOTFOUND)
	if _, err := s.SessionByHash(t.Context(), keep.TokenHash, t0); err != nil {
		t.Errorf("other session of the same user: %v", err)
	}
	// Signing out twice, or with a token never seen, is not an error.
	if err := s.DeleteSession(t.Context(), drop.TokenHash); err != nil {
		t.Errorf("delete again: %v", err)
	}
	if err := s.DeleteSession(t.Context(), newHash()); err != nil {
		t.Errorf("delete unknown: %v", err)
	}
}

func testSessionNotFound(t *testing.T, s rooms.Store) {
	_, err := s.SessionByHash(t.Context(), newHash(), t0)
	wantCode(t, err, rooms.ENOTFOUND)
	_, err = s.SessionByHash(t.Context(), nil, t0)
	wantCode(t, err, rooms.ENOTFOUND)
}

func testSessionUnknownOwner(t *testing.T, s rooms.Store) {
	err := s.CreateSession(t.Context(), &rooms.Session{
		TokenHash: newHash(), UserID: "no-such-user", CreatedAt: t0, ExpiresAt: t0.Add(time.Hour),
	})
	wantCode(t, err, rooms.ENOTFOUND)
	err = s.CreateSession(t.Context(), &rooms.Session{
		TokenHash: newHash(), GuestID: "no-such-guest", CreatedAt: t0, ExpiresAt: t0.Add(time.Hour),
	})
	wantCode(t, err, rooms.ENOTFOUND)
}

func testSessionDuplicateHash(t *testing.T, s rooms.Store) {
	u := mustUser(t, s, "ada@example.com")
	sess := &rooms.Session{TokenHash: newHash(), UserID: u.ID, CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)}
	if err := s.CreateSession(t.Context(), sess); err != nil {
		t.Fatal(err)
	}
	err := s.CreateSession(t.Context(), sess)
	wantCode(t, err, rooms.ECONFLICT)
}

func testGuestRoundTrip(t *testing.T, s rooms.Store) {
	host := mustUser(t, s, "ada@example.com")
	room := mustRoom(t, s, host.ID, t0)
	want := mustGuest(t, s, room.ID)
	got, err := s.GuestByID(t.Context(), want.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != want.ID || got.RoomID != room.ID || got.DisplayName != want.DisplayName {
		t.Errorf("guest = %+v, want %+v", got, want)
	}
	sameTime(t, "CreatedAt", got.CreatedAt, want.CreatedAt)
}

func testGuestNotFound(t *testing.T, s rooms.Store) {
	_, err := s.GuestByID(t.Context(), "no-such-guest")
	wantCode(t, err, rooms.ENOTFOUND)
	// A guest is bound to a room, which must exist.
	err = s.CreateGuest(t.Context(), &rooms.Guest{
		ID: rooms.GuestID(newID("guest")), RoomID: "no-such-room", DisplayName: "Visitor", CreatedAt: t0,
	})
	wantCode(t, err, rooms.ENOTFOUND)
}
