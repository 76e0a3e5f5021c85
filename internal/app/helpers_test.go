package app_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/roomsdev/rooms/client"
	"github.com/roomsdev/rooms/internal/auth"
	"github.com/roomsdev/rooms/internal/rooms"
)

// account is a signed-up person with a session.
type account struct {
	*client.Session
	User *client.User
}

// signUp creates an account through the API.
func signUp(t *testing.T, s *server, name string) *account {
	t.Helper()
	sess := client.NewSession(s.URL)
	n := userSeq.Add(1)
	u, err := sess.SignUp(context.Background(), name, fmt.Sprintf("user%d@example.com", n), "correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	return &account{Session: sess, User: u}
}

// guestSession makes a guest of the room straight through the auth
// service (the API's guest endpoint is rate limited per address, and
// tests make hundreds).
func guestSession(t *testing.T, s *server, token, name string) *client.Session {
	t.Helper()
	ctx := context.Background()
	room, err := s.Store.RoomByToken(ctx, rooms.Token(token))
	if err != nil {
		t.Fatal(err)
	}
	_, tok, err := s.Auth.CreateGuest(ctx, room, name)
	if err != nil {
		t.Fatal(err)
	}
	sess := client.NewSession(s.URL)
	u, _ := url.Parse(s.URL)
	sess.HTTP.Jar.SetCookies(u, []*http.Cookie{{Name: auth.CookieName, Value: tok, Path: "/"}})
	return sess
}

// do calls the API and fails the test on an error.
func do(t *testing.T, sess *client.Session, method, path string, in, out any) {
	t.Helper()
	if err := sess.Do(context.Background(), method, path, in, out); err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
}

// apiErr calls the API and returns its error, which must be an API error.
func apiErr(t *testing.T, sess *client.Session, method, path string, in any) *client.APIError {
	t.Helper()
	err := sess.Do(context.Background(), method, path, in, nil)
	var ae *client.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("%s %s: got %v, want an API error", method, path, err)
	}
	return ae
}

// createRoom creates a room with the given body.
func createRoom(t *testing.T, a *account, body map[string]any) *client.Room {
	t.Helper()
	var out struct{ Room *client.Room }
	do(t, a.Session, http.MethodPost, "/api/rooms", body, &out)
	return out.Room
}

// tryJoin joins and returns the refusal, if any.
func tryJoin(t *testing.T, sess *client.Session, token string) (*client.Call, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := sess.Join(ctx, token, client.JoinOptions{})
	if c != nil {
		t.Cleanup(c.Leave)
	}
	return c, err
}

// refused asserts a join is refused with the code and message.
func refused(t *testing.T, sess *client.Session, token, code, message string) {
	t.Helper()
	_, err := tryJoin(t, sess, token)
	if err == nil || !strings.Contains(err.Error(), code) || !strings.Contains(err.Error(), message) {
		t.Fatalf("join: %v, want refusal %s %q", err, code, message)
	}
}

// waitEvent waits for an event of the type on c.
func waitEvent(t *testing.T, c *client.Call, typ string, within time.Duration) client.Event {
	t.Helper()
	timeout := time.After(within)
	for {
		select {
		case e := <-c.Events():
			if e.Type == typ {
				return e
			}
		case <-timeout:
			t.Fatalf("no %s event within %v", typ, within)
		}
	}
}

// befriend makes a and b friends through the API.
func befriend(t *testing.T, a, b *account) {
	t.Helper()
	do(t, a.Session, http.MethodPost, "/api/friends", map[string]string{"userId": b.User.ID}, nil)
	do(t, b.Session, http.MethodPost, "/api/friends/"+a.User.ID+"/accept", nil, nil)
}

// block makes a block b through the API.
func block(t *testing.T, a, b *account) {
	t.Helper()
	do(t, a.Session, http.MethodPost, "/api/blocks", map[string]string{"userId": b.User.ID}, nil)
}

func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func stringsReader(s string) *strings.Reader { return strings.NewReader(s) }

func roomToken(s string) rooms.Token { return rooms.Token(s) }
