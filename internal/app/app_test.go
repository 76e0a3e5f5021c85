package app_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"testing/fstest"
	"time"

	"github.com/roomsdev/rooms/client"
	"github.com/roomsdev/rooms/internal/app"
	"github.com/roomsdev/rooms/internal/auth"
	"github.com/roomsdev/rooms/internal/httpapi"
	"github.com/roomsdev/rooms/internal/rooms"
)

// server is a real Rooms server on loopback: real SQLite in a temp dir,
// real media on a UDP port, real HTTP.
type server struct {
	*app.App
	URL string
}

var userSeq atomic.Int64

func startServer(t *testing.T, capacity int, tune ...func(*app.Config)) *server {
	t.Helper()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if testing.Verbose() {
		log = slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelInfo}))
	}
	cfg := app.Config{
		DataDir:   t.TempDir(),
		MediaHost: "127.0.0.1",
		Capacity:  capacity,
		Web:       fstest.MapFS{"index.html": {Data: []byte("<!doctype html><title>Rooms</title>")}},
		// Cheap hashing keeps the suite fast; production cost is tested in auth.
		PasswordParams: &auth.Params{Memory: 64, Time: 1, Threads: 1},
		// Every test client shares one address; the stampede test sends
		// hundreds of lookups at once. The miss limit stays as shipped.
		Limits: httpapi.Limits{Lookup: httpapi.Rate{Every: time.Millisecond, Burst: 1000}},
	}
	for _, f := range tune {
		f(&cfg)
	}
	a, err := app.Open(context.Background(), cfg, log)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(a.Handler())
	t.Cleanup(func() {
		hs.CloseClientConnections()
		hs.Close()
		a.Close()
	})
	return &server{App: a, URL: hs.URL}
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// newHost signs up a fresh account and creates a room.
func newHost(t *testing.T, s *server) (*client.Session, *client.Room) {
	t.Helper()
	ctx := context.Background()
	sess := client.NewSession(s.URL)
	n := userSeq.Add(1)
	if _, err := sess.SignUp(ctx, fmt.Sprintf("Host %d", n), fmt.Sprintf("host%d@example.com", n), "correct horse battery"); err != nil {
		t.Fatal(err)
	}
	room, err := sess.CreateRoom(ctx, "Test room")
	if err != nil {
		t.Fatal(err)
	}
	return sess, room
}

// joinGuest joins the room as a guest publishing synthetic media.
func joinGuest(t *testing.T, s *server, token, name string, publish bool) *client.Call {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	sess := client.NewSession(s.URL)
	if err := sess.JoinAsGuest(ctx, token, name); err != nil {
		t.Fatal(err)
	}
	return join(t, sess, token, publish)
}

func join(t *testing.T, sess *client.Session, token string, publish bool) *client.Call {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var opts client.JoinOptions
	if publish {
		src, err := client.NewSynthetic("ignored")
		if err != nil {
			t.Fatal(err)
		}
		opts.Publish = src
	}
	c, err := sess.Join(ctx, token, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Leave)
	return c
}

// eventually polls cond until it holds or the deadline passes.
func eventually(t *testing.T, within time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", within, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// receivesFrom waits until c has audio and video from each of the others,
// and the counts keep growing.
func receivesFrom(t *testing.T, c *client.Call, others ...*client.Call) {
	t.Helper()
	for _, o := range others {
		id := o.Self.ID
		eventually(t, 15*time.Second, fmt.Sprintf("%s to receive %s's media", c.Self.Name, o.Self.Name), func() bool {
			a, v := c.ReceivedFrom(id)
			return a > 5 && v > 5
		})
		a0, v0 := c.ReceivedFrom(id)
		eventually(t, 5*time.Second, "media to keep flowing", func() bool {
			a, v := c.ReceivedFrom(id)
			return a > a0 && v > v0
		})
	}
}

func TestTwoThenFourParticipantsExchangeMedia(t *testing.T) {
	s := startServer(t, 50)
	host, room := newHost(t, s)
	a := join(t, host, room.Token, true)
	b := joinGuest(t, s, room.Token, "Bea", true)

	if got := b.Participants(); len(got) != 1 || got[a.Self.ID].Name != a.Self.Name || !got[a.Self.ID].Host {
		t.Fatalf("Bea sees %+v, want the host %q only", got, a.Self.Name)
	}
	receivesFrom(t, a, b)
	receivesFrom(t, b, a)

	c := joinGuest(t, s, room.Token, "Cy", true)
	d := joinGuest(t, s, room.Token, "Dee", true)
	all := []*client.Call{a, b, c, d}
	for _, x := range all {
		var others []*client.Call
		for _, y := range all {
			if y != x {
				others = append(others, y)
			}
		}
		eventually(t, 5*time.Second, x.Self.Name+" to see three others", func() bool { return len(x.Participants()) == 3 })
		receivesFrom(t, x, others...)
	}
	if got := s.Hub.Count(roomID(t, s, room.Token)); got != 4 {
		t.Fatalf("hub counts %d people, want 4", got)
	}

	// Dee leaves: the others are told, and her media stops.
	d.Leave()
	for _, x := range []*client.Call{a, b, c} {
		eventually(t, 5*time.Second, x.Self.Name+" to be told Dee left", func() bool {
			_, ok := x.Participants()[d.Self.ID]
			return !ok
		})
	}
	_, v0 := a.ReceivedFrom(d.Self.ID)
	time.Sleep(500 * time.Millisecond)
	if _, v1 := a.ReceivedFrom(d.Self.ID); v1 != v0 {
		t.Fatalf("video from Dee still arriving after she left: %d then %d packets", v0, v1)
	}
	// The rest still talk.
	receivesFrom(t, a, b, c)
}

func roomID(t *testing.T, s *server, token string) rooms.RoomID {
	t.Helper()
	r, err := s.Store.RoomByToken(context.Background(), rooms.Token(token))
	if err != nil {
		t.Fatal(err)
	}
	return r.ID
}

func TestCapacity(t *testing.T) {
	s := startServer(t, 2)
	host, room := newHost(t, s)
	join(t, host, room.Token, false)
	joinGuest(t, s, room.Token, "Two", false)

	sess := client.NewSession(s.URL)
	ctx := context.Background()
	if err := sess.JoinAsGuest(ctx, room.Token, "Three"); err != nil {
		t.Fatal(err)
	}
	_, err := sess.Join(ctx, room.Token, client.JoinOptions{})
	if err == nil || !strings.Contains(err.Error(), "room_full") || !strings.Contains(err.Error(), "This room is full.") {
		t.Fatalf("third join: %v, want room_full with a plain message", err)
	}
}

func TestUnknownRoomTokens(t *testing.T) {
	s := startServer(t, 50)
	for _, path := range []string{
		"/api/rooms/AAAAAAAAAAAAAAAAAAAAAA", // well formed, unknown
		"/api/rooms/short",                  // malformed
		"/r/AAAAAAAAAAAAAAAAAAAAAA",
		"/r/%00%01",
	} {
		resp, err := http.Get(s.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s = %d, want 404", path, resp.StatusCode)
		}
		if strings.HasPrefix(path, "/api/") && !strings.Contains(string(body), "This room doesn't exist.") {
			t.Errorf("GET %s body %s, want the plain not-found message", path, body)
		}
	}
}

func TestRoomLookupMissesAreRateLimited(t *testing.T) {
	s := startServer(t, 50)
	_, room := newHost(t, s)
	var limited *http.Response
	for i := 0; i < 30 && limited == nil; i++ {
		resp, err := http.Get(fmt.Sprintf("%s/api/rooms/AAAAAAAAAAAAAAAAAAAA%02d", s.URL, i))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode == http.StatusTooManyRequests {
			limited = resp
		}
	}
	if limited == nil {
		t.Fatal("30 misses in a row were never rate limited")
	}
	if ra := limited.Header.Get("Retry-After"); ra == "" || ra == "0" {
		t.Fatalf("limited lookup: Retry-After %q, want a number of seconds", ra)
	}
	// Once limited, even a real link waits: guessing gains nothing. Every
	// way to a room says so, and when to try again.
	for _, path := range []string{
		"/api/rooms/" + room.Token,
		"/r/" + room.Token,
		"/api/rooms/" + room.Token + "/ws",
	} {
		resp, err := http.Get(s.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusTooManyRequests {
			t.Fatalf("GET %s after many misses = %d, want 429", path, resp.StatusCode)
		}
		if ra := resp.Header.Get("Retry-After"); ra == "" || ra == "0" {
			t.Fatalf("GET %s: 429 with Retry-After %q, want a number of seconds", path, ra)
		}
	}
}
