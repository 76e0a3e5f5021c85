package auth

import (
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/roomsdev/rooms/internal/rooms"
	"github.com/roomsdev/rooms/internal/store/sqlite"
)

// clock is a settable time source for Service.Now.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// newService returns a service on a new SQLite database, with cheap
// password hashing and a clock the test moves.
func newService(t *testing.T) (*Service, *sqlite.DB, *clock) {
	t.Helper()
	db, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "rooms.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	c := &clock{now: time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)}
	return &Service{Store: db, Now: c.Now, Params: cheap}, db, c
}

// wantCode fails the test unless err is a domain error with the given code.
func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if got := rooms.ErrorCode(err); got != code {
		t.Errorf("error code = %q, want %q (err: %v)", got, code, err)
	}
}

// identify resolves token and fails the test on a store error.
func identify(t *testing.T, s *Service, token string) rooms.Identity {
	t.Helper()
	id, err := s.Identify(t.Context(), token)
	if err != nil {
		t.Fatalf("Identify: %v", err)
	}
	return id
}

func TestSignUpSignInSignOut(t *testing.T) {
	s, _, _ := newService(t)
	ctx := t.Context()

	u, token, err := s.SignUp(ctx, "  Ada Lovelace ", " Ada@Example.com", "correct horse")
	if err != nil {
		t.Fatal(err)
	}
	if u.ID == "" || u.DisplayName != "Ada Lovelace" || u.Email != "ada@example.com" {
		t.Errorf("user = %+v", u)
	}
	if u.PasswordHash != "" {
		t.Error("SignUp returned the password hash")
	}
	if id := identify(t, s, token); id.UserID != u.ID || id.DisplayName != "Ada Lovelace" || id.IsGuest() {
		t.Errorf("identity after sign-up = %+v", id)
	}

	// Sign in from another browser: a new session, the first one still valid.
	u2, token2, err := s.SignIn(ctx, "ADA@example.com ", "correct horse")
	if err != nil {
		t.Fatal(err)
	}
	if u2.ID != u.ID || u2.PasswordHash != "" {
		t.Errorf("signed in as %+v, want %s without password hash", u2, u.ID)
	}
	if token2 == token {
		t.Error("sign-in reused the sign-up token")
	}
	if id := identify(t, s, token2); id.UserID != u.ID {
		t.Errorf("identity of second session = %+v", id)
	}

	if err := s.SignOut(ctx, token); err != nil {
		t.Fatal(err)
	}
	if id := identify(t, s, token); !id.Anonymous() {
		t.Errorf("identity after sign-out = %+v, want anonymous", id)
	}
	if id := identify(t, s, token2); id.UserID != u.ID {
		t.Errorf("other session after sign-out = %+v, want still signed in", id)
	}
	if err := s.SignOut(ctx, token); err != nil {
		t.Errorf("second sign-out: %v", err)
	}
	if err := s.SignOut(ctx, ""); err != nil {
		t.Errorf("sign-out without a token: %v", err)
	}
}

// TestEmailsAreOneAccountHoweverTyped: a letter composed or decomposed,
// and full-width forms, make the same address, so the same account.
func TestEmailsAreOneAccountHoweverTyped(t *testing.T) {
	s, _, _ := newService(t)
	ctx := t.Context()
	u, _, err := s.SignUp(ctx, "Élise", "E\u0301lise@example.com", "correct horse")
	if err != nil {
		t.Fatal(err)
	}
	if u.Email != "\u00e9lise@example.com" {
		t.Errorf("stored email %q, want the composed, lowercased form", u.Email)
	}
	_, _, err = s.SignUp(ctx, "Élise again", "\u00c9lise@example.com", "correct horse")
	wantCode(t, err, rooms.ECONFLICT)

	ada, _, err := s.SignUp(ctx, "Ada", "ada@example.com", "correct horse")
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = s.SignUp(ctx, "Ada again", "\uff21\uff24\uff21\uff20example.com", "correct horse") // ＡＤＡ＠example.com
	wantCode(t, err, rooms.ECONFLICT)
	in, _, err := s.SignIn(ctx, "\uff41\uff44\uff41@example.com", "correct horse")
	if err != nil || in.ID != ada.ID {
		t.Fatalf("sign-in with a full-width address: %+v, %v; want Ada", in, err)
	}
}

func TestSignInWrongCredentials(t *testing.T) {
	s, _, _ := newService(t)
	if _, _, err := s.SignUp(t.Context(), "Ada", "ada@example.com", "correct horse"); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ email, password string }{
		{"ada@example.com", "wrong horse"},
		{"ada@example.com", ""},
		{"nobody@example.com", "correct horse"},
		{"not an email", "correct horse"},
		{"", ""},
		{"ada@example.com", string(make([]byte, 5000))},
	} {
		u, token, err := s.SignIn(t.Context(), tt.email, tt.password)
		if u != nil || token != "" {
			t.Errorf("SignIn(%q, %.10q) returned a user or token", tt.email, tt.password)
		}
		wantCode(t, err, rooms.EUNAUTHORIZED)
		if got, want := rooms.ErrorMessage(err), "The email or password is not right."; got != want {
			t.Errorf("SignIn(%q, %.10q) message = %q, want %q", tt.email, tt.password, got, want)
		}
	}
}

func TestSignUpDuplicateEmail(t *testing.T) {
	s, _, _ := newService(t)
	if _, _, err := s.SignUp(t.Context(), "Ada", "ada@example.com", "correct horse"); err != nil {
		t.Fatal(err)
	}
	_, token, err := s.SignUp(t.Context(), "Other Ada", "ADA@Example.com", "another password")
	wantCode(t, err, rooms.ECONFLICT)
	if got, want := rooms.ErrorMessage(err), "An account with this email already exists."; got != want {
		t.Errorf("message = %q, want %q", got, want)
	}
	if token != "" {
		t.Error("a token was returned for a failed sign-up")
	}
	// The first account's password still works; the second one's does not.
	if _, _, err := s.SignIn(t.Context(), "ada@example.com", "correct horse"); err != nil {
		t.Errorf("sign in to first account: %v", err)
	}
	_, _, err = s.SignIn(t.Context(), "ada@example.com", "another password")
	wantCode(t, err, rooms.EUNAUTHORIZED)
}

func TestSignUpInvalid(t *testing.T) {
	s, db, _ := newService(t)
	for _, tt := range []struct{ name, email, password string }{
		{"", "ada@example.com", "correct horse"},
		{"Ada\x00", "ada@example.com", "correct horse"},
		{"Ada", "ada", "correct horse"},
		{"Ada", "ada@example.com", "short"},
	} {
		_, _, err := s.SignUp(t.Context(), tt.name, tt.email, tt.password)
		wantCode(t, err, rooms.EINVALID)
	}
	// Nothing was created along the way.
	_, err := db.UserByEmail(t.Context(), "ada@example.com")
	wantCode(t, err, rooms.ENOTFOUND)
}

func TestSuspendedUser(t *testing.T) {
	s, db, _ := newService(t)
	u, token, err := s.SignUp(t.Context(), "Ada", "ada@example.com", "correct horse")
	if err != nil {
		t.Fatal(err)
	}
	if err := db.SetSuspended(t.Context(), u.ID, true); err != nil {
		t.Fatal(err)
	}

	// The session the account already has counts for nobody.
	if id := identify(t, s, token); !id.Anonymous() {
		t.Errorf("identity of suspended account = %+v, want anonymous", id)
	}
	// With the right password: told the account is suspended.
	_, token2, err := s.SignIn(t.Context(), "ada@example.com", "correct horse")
	wantCode(t, err, rooms.EFORBIDDEN)
	if got, want := rooms.ErrorMessage(err), "This account is suspended."; got != want {
		t.Errorf("message = %q, want %q", got, want)
	}
	if token2 != "" {
		t.Error("a suspended account got a session")
	}
	// With a wrong password: nothing about suspension is revealed.
	_, _, err = s.SignIn(t.Context(), "ada@example.com", "wrong horse")
	wantCode(t, err, rooms.EUNAUTHORIZED)

	// Reinstated, the old session works again.
	if err := db.SetSuspended(t.Context(), u.ID, false); err != nil {
		t.Fatal(err)
	}
	if id := identify(t, s, token); id.UserID != u.ID {
		t.Errorf("identity after reinstating = %+v", id)
	}
}

func TestGuest(t *testing.T) {
	s, db, _ := newService(t)
	host, hostToken, err := s.SignUp(t.Context(), "Ada", "ada@example.com", "correct horse")
	if err != nil {
		t.Fatal(err)
	}
	room := &rooms.Room{ID: "room1", Token: "tok1", HostID: host.ID, CreatedAt: s.now()}
	if err := db.CreateRoom(t.Context(), room); err != nil {
		t.Fatal(err)
	}

	g, token, err := s.CreateGuest(t.Context(), room, " Visitor\u0301 ")
	if err != nil {
		t.Fatal(err)
	}
	// r followed by a combining acute is ŕ after NFC.
	if g.RoomID != room.ID || g.DisplayName != "Visito\u0155" {
		t.Errorf("guest = %+v", g)
	}
	id := identify(t, s, token)
	if !id.IsGuest() || id.GuestID != g.ID || id.GuestRoom != room.ID || id.DisplayName != g.DisplayName || id.UserID != "" {
		t.Errorf("guest identity = %+v, want guest %s in room %s", id, g.ID, room.ID)
	}
	if token == hostToken {
		t.Error("guest got the host's token")
	}

	_, _, err = s.CreateGuest(t.Context(), room, "\n")
	wantCode(t, err, rooms.EINVALID)
	_, _, err = s.CreateGuest(t.Context(), &rooms.Room{ID: "no-such-room"}, "Visitor")
	wantCode(t, err, rooms.ENOTFOUND)
}

func TestExpiredSession(t *testing.T) {
	s, _, c := newService(t)
	s.SessionTTL = time.Hour
	s.GuestSessionTTL = time.Minute
	u, token, err := s.SignUp(t.Context(), "Ada", "ada@example.com", "correct horse")
	if err != nil {
		t.Fatal(err)
	}

	c.Advance(time.Hour - time.Millisecond)
	if id := identify(t, s, token); id.UserID != u.ID {
		t.Errorf("identity just before expiry = %+v", id)
	}
	c.Advance(time.Millisecond)
	if id := identify(t, s, token); !id.Anonymous() {
		t.Errorf("identity at expiry = %+v, want anonymous", id)
	}
}

func TestIdentifyAnonymous(t *testing.T) {
	s, _, _ := newService(t)
	for _, token := range []string{"", "garbage", NewToken(), NewToken() + "x"} {
		if id := identify(t, s, token); !id.Anonymous() {
			t.Errorf("Identify(%q) = %+v, want anonymous", token, id)
		}
	}
}

// TestIdentifyStoreError checks that a failing store is reported, not
// mistaken for an anonymous visitor.
func TestIdentifyStoreError(t *testing.T) {
	s, db, _ := newService(t)
	db.Close()
	if _, err := s.Identify(t.Context(), NewToken()); err == nil {
		t.Error("Identify on a closed store succeeded")
	}
}

func TestDefaults(t *testing.T) {
	var s Service
	if s.params() != DefaultParams || s.sessionTTL() != DefaultSessionTTL ||
		s.guestSessionTTL() != DefaultGuestSessionTTL {
		t.Errorf("zero Service defaults: %+v, %v, %v", s.params(), s.sessionTTL(), s.guestSessionTTL())
	}
	if d := time.Since(s.now()); d < 0 || d > time.Minute {
		t.Errorf("zero Service clock is %v off", d)
	}
}
