package storetest

import (
	"testing"

	"github.com/roomsdev/rooms/internal/rooms"
)

func testUserRoundTrip(t *testing.T, s rooms.Store) {
	want := &rooms.User{
		ID:           rooms.UserID(newID("user")),
		Email:        "grace@example.com",
		DisplayName:  "Grace Hopper",
		PasswordHash: "$argon2id$v=19$m=64,t=1,p=1$c2FsdA$aGFzaA",
		Moderator:    true,
		Suspended:    true,
		CreatedAt:    t0,
	}
	if err := s.CreateUser(t.Context(), want); err != nil {
		t.Fatal(err)
	}
	for _, lookup := range []struct {
		name string
		get  func() (*rooms.User, error)
	}{
		{"UserByID", func() (*rooms.User, error) { return s.UserByID(t.Context(), want.ID) }},
		{"UserByEmail", func() (*rooms.User, error) { return s.UserByEmail(t.Context(), want.Email) }},
	} {
		got, err := lookup.get()
		if err != nil {
			t.Fatalf("%s: %v", lookup.name, err)
		}
		if got.ID != want.ID || got.Email != want.Email || got.DisplayName != want.DisplayName ||
			got.PasswordHash != want.PasswordHash || got.Moderator != want.Moderator ||
			got.Suspended != want.Suspended {
			t.Errorf("%s = %+v, want %+v", lookup.name, got, want)
		}
		sameTime(t, lookup.name+" CreatedAt", got.CreatedAt, want.CreatedAt)
	}
}

func testUserByEmailIgnoresCase(t *testing.T, s rooms.Store) {
	u := mustUser(t, s, "Ada@Example.COM")
	for _, email := range []string{"Ada@Example.COM", "ada@example.com", "ADA@EXAMPLE.COM"} {
		got, err := s.UserByEmail(t.Context(), email)
		if err != nil {
			t.Errorf("UserByEmail(%q): %v", email, err)
			continue
		}
		if got.ID != u.ID {
			t.Errorf("UserByEmail(%q) = %s, want %s", email, got.ID, u.ID)
		}
	}
}

func testUserDuplicateEmail(t *testing.T, s rooms.Store) {
	first := mustUser(t, s, "ada@example.com")
	dup := &rooms.User{
		ID:           rooms.UserID(newID("user")),
		Email:        "ADA@example.com",
		DisplayName:  "Someone Else",
		PasswordHash: "x",
		CreatedAt:    t0,
	}
	err := s.CreateUser(t.Context(), dup)
	wantCode(t, err, rooms.ECONFLICT)
	if got, want := rooms.ErrorMessage(err), "An account with this email already exists."; got != want {
		t.Errorf("message = %q, want %q", got, want)
	}
	// The first account is untouched and the second was not created.
	if got, err := s.UserByEmail(t.Context(), "ada@example.com"); err != nil || got.ID != first.ID {
		t.Errorf("UserByEmail after conflict = %v, %v; want %s", got, err, first.ID)
	}
	_, err = s.UserByID(t.Context(), dup.ID)
	wantCode(t, err, rooms.ENOTFOUND)
}

func testUserNotFound(t *testing.T, s rooms.Store) {
	mustUser(t, s, "ada@example.com")
	_, err := s.UserByID(t.Context(), "no-such-user")
	wantCode(t, err, rooms.ENOTFOUND)
	_, err = s.UserByEmail(t.Context(), "nobody@example.com")
	wantCode(t, err, rooms.ENOTFOUND)
	err = s.SetModerator(t.Context(), "no-such-user", true)
	wantCode(t, err, rooms.ENOTFOUND)
}

func testSetModerator(t *testing.T, s rooms.Store) {
	u := mustUser(t, s, "ada@example.com")
	other := mustUser(t, s, "grace@example.com")
	for _, moderator := range []bool{true, true, false} {
		if err := s.SetModerator(t.Context(), u.ID, moderator); err != nil {
			t.Fatalf("SetModerator(%v): %v", moderator, err)
		}
		got, err := s.UserByID(t.Context(), u.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Moderator != moderator {
			t.Errorf("Moderator = %v, want %v", got.Moderator, moderator)
		}
	}
	if got, err := s.UserByID(t.Context(), other.ID); err != nil || got.Moderator {
		t.Errorf("other user = %+v, %v; want not a moderator", got, err)
	}
}
