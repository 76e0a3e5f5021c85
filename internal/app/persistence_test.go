package app_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/roomsdev/rooms/client"
	"github.com/roomsdev/rooms/internal/app"
	"github.com/roomsdev/rooms/internal/auth"
)

// TestEverythingSurvivesARestart stops the server and starts a new one on
// the same data directory: accounts, the graph, rooms, settings, bars and
// reports are all still there.
func TestEverythingSurvivesARestart(t *testing.T) {
	dir := t.TempDir()
	open := func() (*app.App, *httptest.Server) {
		a, err := app.Open(context.Background(), app.Config{
			DataDir: dir, MediaHost: "127.0.0.1", Capacity: 50,
			Web:            fstest.MapFS{"index.html": {Data: []byte("x")}},
			PasswordParams: &auth.Params{Memory: 64, Time: 1, Threads: 1},
		}, slog.New(slog.NewTextHandler(io.Discard, nil)))
		if err != nil {
			t.Fatal(err)
		}
		return a, httptest.NewServer(a.Handler())
	}
	a1, hs1 := open()
	s1 := &server{App: a1, URL: hs1.URL}
	host, friend, troll, pest := signUp(t, s1, "Host"), signUp(t, s1, "Friend"), signUp(t, s1, "Troll"), signUp(t, s1, "Pest")
	befriend(t, host, friend)
	do(t, host.Session, http.MethodPost, "/api/blocks", map[string]string{"userId": pest.User.ID}, nil)
	var made struct{ Group struct{ ID string } }
	do(t, host.Session, http.MethodPost, "/api/groups", map[string]string{"name": "Book club"}, &made)
	do(t, host.Session, http.MethodPost, "/api/groups/"+made.Group.ID+"/members", map[string]any{"userId": friend.User.ID, "admin": true}, nil)
	var ev struct{ Event struct{ ID string } }
	do(t, host.Session, http.MethodPost, "/api/events", map[string]any{"title": "Launch", "startsAt": time.Now().Add(24 * time.Hour).UTC().Format(time.RFC3339), "guests": []string{friend.User.ID}}, &ev)
	room := createRoom(t, host, map[string]any{"name": "Lasting", "joinPolicy": "signed_in"})
	join(t, host.Session, room.Token, false)
	tc := join(t, troll.Session, room.Token, false)
	do(t, troll.Session, http.MethodPost, "/api/rooms/"+room.Token+"/report", map[string]string{"reason": "test"}, nil)
	do(t, host.Session, http.MethodPost, "/api/rooms/"+room.Token+"/participants/"+tc.ID()+"/remove", nil, nil)
	hs1.CloseClientConnections()
	hs1.Close()
	a1.Close()

	a2, hs2 := open()
	t.Cleanup(func() { hs2.CloseClientConnections(); hs2.Close(); a2.Close() })
	s2 := &server{App: a2, URL: hs2.URL}
	relogin := client.NewSession(s2.URL)
	if _, err := relogin.SignIn(context.Background(), host.User.Email, "correct horse battery"); err != nil {
		t.Fatal(err)
	}
	var got struct {
		Room struct {
			Name, JoinPolicy, LockReason string
			Locked                       bool
		}
	}
	do(t, relogin, http.MethodGet, "/api/rooms/"+room.Token, nil, &got)
	if got.Room.Name != "Lasting" || got.Room.JoinPolicy != "signed_in" || !got.Room.Locked || got.Room.LockReason != "removal" {
		t.Fatalf("room after restart: %+v", got.Room)
	}
	var friends struct{ Friends []struct{ ID string } }
	do(t, relogin, http.MethodGet, "/api/friends", nil, &friends)
	if len(friends.Friends) != 1 || friends.Friends[0].ID != friend.User.ID {
		t.Fatalf("friends after restart: %+v", friends)
	}
	var bars struct{ Bars []struct{ UserID string } }
	do(t, relogin, http.MethodGet, "/api/rooms/"+room.Token+"/bars", nil, &bars)
	if len(bars.Bars) != 1 || bars.Bars[0].UserID != troll.User.ID {
		t.Fatalf("bars after restart: %+v", bars)
	}
	// The graph: a block, a group with an admin, an event with its guest.
	var blocked struct{ Blocked []struct{ ID string } }
	do(t, relogin, http.MethodGet, "/api/blocks", nil, &blocked)
	if len(blocked.Blocked) != 1 || blocked.Blocked[0].ID != pest.User.ID {
		t.Fatalf("blocks after restart: %+v", blocked)
	}
	var group struct {
		Group struct {
			Name    string
			Members []struct {
				ID    string
				Admin bool
			}
		}
	}
	do(t, relogin, http.MethodGet, "/api/groups/"+made.Group.ID, nil, &group)
	if group.Group.Name != "Book club" || len(group.Group.Members) != 2 {
		t.Fatalf("group after restart: %+v", group.Group)
	}
	for _, m := range group.Group.Members {
		if !m.Admin {
			t.Fatalf("group after restart: %s is no longer an admin", m.ID)
		}
	}
	var event struct {
		Event struct {
			Title  string
			Guests []struct{ ID string }
		}
	}
	do(t, relogin, http.MethodGet, "/api/events/"+ev.Event.ID, nil, &event)
	if event.Event.Title != "Launch" || len(event.Event.Guests) != 1 || event.Event.Guests[0].ID != friend.User.ID {
		t.Fatalf("event after restart: %+v", event.Event)
	}
	reps, err := a2.Store.Reports(context.Background(), false, 10)
	if err != nil || len(reps) != 1 {
		t.Fatalf("reports after restart: %d, %v", len(reps), err)
	}
}

func TestIdleRoomsExpire(t *testing.T) {
	s := startServer(t, 50)
	host := signUp(t, s, "Host")
	idle := createRoom(t, host, map[string]any{"name": "Idle"})
	busy := createRoom(t, host, map[string]any{"name": "Busy"})
	join(t, host.Session, busy.Token, false)

	// An operator setting of 30 days, 31 days on.
	s.SetRoomIdleExpiry(30 * 24 * time.Hour)
	s.Sweep(context.Background(), time.Now().Add(31*24*time.Hour))
	if e := apiErr(t, host.Session, http.MethodGet, "/api/rooms/"+idle.Token, nil); e.Status != http.StatusGone {
		t.Fatalf("idle room after expiry: %d, want 410", e.Status)
	}
	var out struct{ Room struct{ Ended bool } }
	do(t, host.Session, http.MethodGet, "/api/rooms/"+busy.Token, nil, &out)
	if out.Room.Ended {
		t.Fatal("a room with people inside expired")
	}
}

func TestSessionsRotateAndEnd(t *testing.T) {
	s := startServer(t, 50)
	a := signUp(t, s, "Ada")
	ctx := context.Background()
	cookieBefore := sessionCookies(a.HTTP.Jar.Cookies(mustURL(t, s.URL)))
	if _, err := a.SignIn(ctx, a.User.Email, "correct horse battery"); err != nil {
		t.Fatal(err)
	}
	cookieAfter := sessionCookies(a.HTTP.Jar.Cookies(mustURL(t, s.URL)))
	if len(cookieBefore) != 1 || len(cookieAfter) != 1 || cookieBefore[0].Value == cookieAfter[0].Value {
		t.Fatal("sign-in did not give a new session")
	}
	// The old session ended at sign-in.
	old := client.NewSession(s.URL)
	old.HTTP.Jar.SetCookies(mustURL(t, s.URL), cookieBefore)
	var me struct{ User *struct{ ID string } }
	do(t, old, http.MethodGet, "/api/me", nil, &me)
	if me.User != nil {
		t.Fatal("the session from before sign-in still works")
	}
	// Sign-out ends the session on the server, not only in the browser.
	kept := client.NewSession(s.URL)
	kept.HTTP.Jar.SetCookies(mustURL(t, s.URL), cookieAfter)
	do(t, a.Session, http.MethodPost, "/api/auth/signout", nil, nil)
	do(t, kept, http.MethodGet, "/api/me", nil, &me)
	if me.User != nil {
		t.Fatal("a signed-out session still works")
	}
	// Cookies are HttpOnly and SameSite.
	resp, err := http.Post(s.URL+"/api/auth/signin", "application/json", stringsReader(`{"email":"`+a.User.Email+`","password":"correct horse battery"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	c := sessionCookies(resp.Cookies())
	if len(c) != 1 || !c[0].HttpOnly || c[0].SameSite != http.SameSiteLaxMode {
		t.Fatalf("session cookie %+v, want HttpOnly and SameSite=Lax", c)
	}
	// So is the device cookie, which lasts, and carries 256 random bits.
	var dev *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == auth.DeviceCookieName {
			dev = c
		}
	}
	if dev == nil || !dev.HttpOnly || dev.SameSite != http.SameSiteLaxMode || dev.MaxAge < 365*24*3600 || len(dev.Value) < 43 {
		t.Fatalf("device cookie %+v, want a long-lived HttpOnly SameSite=Lax one of 256 bits", dev)
	}
}

// sessionCookies keeps the session cookies of a list.
func sessionCookies(cs []*http.Cookie) []*http.Cookie {
	var out []*http.Cookie
	for _, c := range cs {
		if c.Name == auth.CookieName {
			out = append(out, c)
		}
	}
	return out
}

// TestSignInIsRateLimitedPerAccount: guessing one account's password is
// slowed even when every guess comes from another address, so only the
// per-account limit can stop it (the per-address one never trips).
func TestSignInIsRateLimitedPerAccount(t *testing.T) {
	s := startServer(t, 50)
	a := signUp(t, s, "Ada")
	h := s.Handler()
	signIn := func(i int) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodPost, "/api/auth/signin", stringsReader(`{"email":"`+a.User.Email+`","password":"wrong password"}`))
		req.Header.Set("Content-Type", "application/json")
		req.RemoteAddr = fmt.Sprintf("198.51.100.%d:4000", i+1) // a new address every time
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	var limited *httptest.ResponseRecorder
	for i := 0; i < 10 && limited == nil; i++ {
		rec := signIn(i)
		switch {
		case rec.Code == http.StatusTooManyRequests:
			limited = rec
		case rec.Code != http.StatusUnauthorized || !strings.Contains(rec.Body.String(), "The email or password is not right."):
			t.Fatalf("wrong password: %d %s", rec.Code, rec.Body)
		}
	}
	if limited == nil {
		t.Fatal("ten wrong passwords from ten addresses were never rate limited")
	}
	if limited.Header().Get("Retry-After") == "" {
		t.Fatal("limited sign-in without Retry-After")
	}
}

// TestLookupMissesAreLimitedPerAccountToo: one account guessing links is
// slowed even when every guess comes from another address.
func TestLookupMissesAreLimitedPerAccountToo(t *testing.T) {
	s := startServer(t, 50)
	a := signUp(t, s, "Guesser")
	cookies := a.HTTP.Jar.Cookies(mustURL(t, s.URL))
	h := s.Handler()
	limited := false
	for i := 0; i < 30 && !limited; i++ {
		req := httptest.NewRequest(http.MethodGet, fmt.Sprintf("/api/rooms/AAAAAAAAAAAAAAAAAAAA%02d", i), nil)
		req.RemoteAddr = fmt.Sprintf("192.0.2.%d:4000", i+1) // a new address every time
		for _, c := range cookies {
			req.AddCookie(c)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		limited = rec.Code == http.StatusTooManyRequests
	}
	if !limited {
		t.Fatal("30 misses by one account from 30 addresses were never rate limited")
	}
}

// TestSignUpIsRateLimitedPerEmail: asking again and again whether an email
// has an account (its 409) is slowed even from a new address each time;
// other emails are not held back.
func TestSignUpIsRateLimitedPerEmail(t *testing.T) {
	s := startServer(t, 50)
	a := signUp(t, s, "Ada")
	h := s.Handler()
	signUp := func(i int, email string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodPost, "/api/auth/signup",
			stringsReader(`{"displayName":"Eve","email":"`+email+`","password":"correct horse battery"}`))
		req.Header.Set("Content-Type", "application/json")
		req.RemoteAddr = fmt.Sprintf("203.0.113.%d:4000", i+1) // a new address every time
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	var limited *httptest.ResponseRecorder
	for i := 0; i < 10 && limited == nil; i++ {
		// Another spelling of the same address counts against it too.
		email := a.User.Email
		if i%2 == 1 {
			email = " " + strings.ToUpper(email)
		}
		switch rec := signUp(i, email); rec.Code {
		case http.StatusTooManyRequests:
			limited = rec
		case http.StatusConflict:
		default:
			t.Fatalf("sign-up with a taken email: %d %s", rec.Code, rec.Body)
		}
	}
	if limited == nil {
		t.Fatal("ten sign-ups with one email from ten addresses were never rate limited")
	}
	if limited.Header().Get("Retry-After") == "" {
		t.Fatal("limited sign-up without Retry-After")
	}
	if rec := signUp(100, "someone-else@example.com"); rec.Code != http.StatusCreated {
		t.Fatalf("sign-up with another email: %d %s", rec.Code, rec.Body)
	}
}
