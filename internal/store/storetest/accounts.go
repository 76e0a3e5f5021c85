package storetest

import (
	"testing"
	"time"

	"github.com/roomsdev/rooms/internal/rooms"
)

// mustPerson creates an account with the given email and display name.
func mustPerson(t *testing.T, s rooms.Store, email, name string) *rooms.User {
	t.Helper()
	u := &rooms.User{
		ID:           rooms.UserID(newID("user")),
		Email:        email,
		DisplayName:  name,
		PasswordHash: "x",
		CreatedAt:    t0,
	}
	if err := s.CreateUser(t.Context(), u); err != nil {
		t.Fatalf("create user %s: %v", email, err)
	}
	return u
}

func testAvatarRoundTrip(t *testing.T, s rooms.Store) {
	want := &rooms.User{
		ID: rooms.UserID(newID("user")), Email: "ada@example.com", DisplayName: "Ada",
		Avatar: "🦊", PasswordHash: "x", CreatedAt: t0,
	}
	if err := s.CreateUser(t.Context(), want); err != nil {
		t.Fatal(err)
	}
	got, err := s.UserByID(t.Context(), want.ID)
	if err != nil || got.Avatar != want.Avatar {
		t.Errorf("user = %+v, %v; want avatar %q", got, err, want.Avatar)
	}
}

func testUpdateProfile(t *testing.T, s rooms.Store) {
	u := mustPerson(t, s, "ada@example.com", "Ada")
	other := mustPerson(t, s, "grace@example.com", "Grace")
	if err := s.UpdateProfile(t.Context(), u.ID, "Ada Lovelace", "🧮"); err != nil {
		t.Fatal(err)
	}
	got, err := s.UserByID(t.Context(), u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.DisplayName != "Ada Lovelace" || got.Avatar != "🧮" || got.Email != u.Email {
		t.Errorf("user after update = %+v", got)
	}
	// Clearing the avatar goes back to initials.
	if err := s.UpdateProfile(t.Context(), u.ID, "Ada", ""); err != nil {
		t.Fatal(err)
	}
	if got, err := s.UserByID(t.Context(), u.ID); err != nil || got.DisplayName != "Ada" || got.Avatar != "" {
		t.Errorf("user after second update = %+v, %v", got, err)
	}
	if got, err := s.UserByID(t.Context(), other.ID); err != nil || got.DisplayName != "Grace" {
		t.Errorf("other user = %+v, %v; want untouched", got, err)
	}
	wantCode(t, s.UpdateProfile(t.Context(), "no-such-user", "X", ""), rooms.ENOTFOUND)
}

func testSearchUsers(t *testing.T, s rooms.Store) {
	people := map[string]*rooms.User{}
	for _, p := range []struct{ email, name string }{
		{"ada@example.com", "Ada Lovelace"},
		{"adam@example.com", "adam Smith"},
		{"grace@example.com", "Grace Hopper"},
		{"elodie@example.com", "Élodie"},
		{"percent@example.com", "100% Real"},
		{"thousand@example.com", "1000 Real"},
		{"under@example.com", "a_b"},
		{"axb@example.com", "axb"},
		{"slash@example.com", `\o/ Yay`},
		{"sus@example.com", "Ada Suspended"},
	} {
		people[p.name] = mustPerson(t, s, p.email, p.name)
	}
	if err := s.SetSuspended(t.Context(), people["Ada Suspended"].ID, true); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		q     string
		limit int
		want  []string // display names, in order
	}{
		{"ada", 10, []string{"Ada Lovelace", "adam Smith"}},
		{"ADA", 10, []string{"Ada Lovelace", "adam Smith"}},
		{"  ada  ", 10, []string{"Ada Lovelace", "adam Smith"}},
		{"ada", 1, []string{"Ada Lovelace"}},
		{"ada", 0, nil},
		{"GRACE@example.COM", 10, []string{"Grace Hopper"}},
		{"grace@example", 10, nil}, // emails match whole
		{"hopper", 10, nil},        // names match from the start
		{"élo", 10, []string{"Élodie"}},
		{"ÉLO", 10, []string{"Élodie"}},
		{"100%", 10, []string{"100% Real"}}, // % is literal
		{"%", 10, nil},
		{"a_", 10, []string{"a_b"}}, // _ is literal
		{"_", 10, nil},
		{`\`, 10, []string{`\o/ Yay`}},
		{"sus@example.com", 10, nil}, // suspended accounts never show
		{"Ada Susp", 10, nil},
		{"", 10, nil},
		{"   ", 10, nil},
	} {
		got, err := s.SearchUsers(t.Context(), tt.q, tt.limit)
		if err != nil {
			t.Errorf("SearchUsers(%q, %d): %v", tt.q, tt.limit, err)
			continue
		}
		var names []string
		for _, u := range got {
			names = append(names, u.DisplayName)
			if want := people[u.DisplayName]; want == nil || u.ID != want.ID || u.Email != want.Email {
				t.Errorf("SearchUsers(%q) returned %+v", tt.q, u)
			}
		}
		if !equal(names, tt.want) {
			t.Errorf("SearchUsers(%q, %d) = %q, want %q", tt.q, tt.limit, names, tt.want)
		}
	}
}

func testSetSuspended(t *testing.T, s rooms.Store) {
	u := mustUser(t, s, "ada@example.com")
	other := mustUser(t, s, "grace@example.com")
	for _, suspended := range []bool{true, true, false} {
		if err := s.SetSuspended(t.Context(), u.ID, suspended); err != nil {
			t.Fatal(err)
		}
		if got, err := s.UserByID(t.Context(), u.ID); err != nil || got.Suspended != suspended {
			t.Errorf("user = %+v, %v; want suspended %v", got, err, suspended)
		}
	}
	if err := s.SetSuspended(t.Context(), u.ID, true); err != nil {
		t.Fatal(err)
	}
	if got, err := s.UserByID(t.Context(), other.ID); err != nil || got.Suspended {
		t.Errorf("other user = %+v, %v; want not suspended", got, err)
	}
	wantCode(t, s.SetSuspended(t.Context(), "no-such-user", true), rooms.ENOTFOUND)
}

func testDeleteUserSessions(t *testing.T, s rooms.Store) {
	u := mustUser(t, s, "ada@example.com")
	other := mustUser(t, s, "grace@example.com")
	room := mustRoom(t, s, u.ID, t0)
	g := mustGuest(t, s, room.ID)
	session := func(user rooms.UserID, guest rooms.GuestID) []byte {
		sess := &rooms.Session{TokenHash: newHash(), UserID: user, GuestID: guest, CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)}
		if err := s.CreateSession(t.Context(), sess); err != nil {
			t.Fatal(err)
		}
		return sess.TokenHash
	}
	mine := [][]byte{session(u.ID, ""), session(u.ID, "")}
	theirs := [][]byte{session(other.ID, ""), session("", g.ID)}

	if err := s.DeleteUserSessions(t.Context(), u.ID); err != nil {
		t.Fatal(err)
	}
	for _, h := range mine {
		_, err := s.SessionByHash(t.Context(), h, t0)
		wantCode(t, err, rooms.ENOTFOUND)
	}
	for _, h := range theirs {
		if _, err := s.SessionByHash(t.Context(), h, t0); err != nil {
			t.Errorf("someone else's session: %v", err)
		}
	}
	// Signing out everywhere again, or an unknown account, is not an error.
	if err := s.DeleteUserSessions(t.Context(), u.ID); err != nil {
		t.Errorf("again: %v", err)
	}
	if err := s.DeleteUserSessions(t.Context(), "no-such-user"); err != nil {
		t.Errorf("unknown account: %v", err)
	}
}

// equal compares two lists, treating nil and empty alike.
func equal[T comparable](a, b []T) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
