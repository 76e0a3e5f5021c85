package app_test

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"
)

// watchDropIn opens a's live drop-in list and returns a function that
// waits up to within for its next update.
func watchDropIn(t *testing.T, s *server, a *account) func(within time.Duration) dropInList {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.URL+"/api/dropin/stream", nil)
	resp, err := a.HTTP.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Fatalf("content type %q", ct)
	}
	events := make(chan dropInList, 16)
	go func() {
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			if data, ok := strings.CutPrefix(sc.Text(), "data: "); ok {
				var l dropInList
				if json.Unmarshal([]byte(data), &l) == nil {
					events <- l
				}
			}
		}
	}()
	return func(within time.Duration) dropInList {
		t.Helper()
		select {
		case l := <-events:
			return l
		case <-time.After(within):
			t.Fatalf("no drop-in update within %v", within)
			return dropInList{}
		}
	}
}

// TestDropInStreamFollowsTheGraph: a live drop-in list drops a room as
// soon as the graph says so, though nobody came or went: the host blocks
// one friend, and unfriends another.
func TestDropInStreamFollowsTheGraph(t *testing.T) {
	s := startServer(t, 50)
	host, blocked, unfriended := signUp(t, s, "Host"), signUp(t, s, "Blocked"), signUp(t, s, "Unfriended")
	befriend(t, host, blocked)
	befriend(t, host, unfriended)
	room := createRoom(t, host, map[string]any{"name": "Live"})
	join(t, host.Session, room.Token, false)

	for _, tt := range []struct {
		who    *account
		change func()
	}{
		{blocked, func() { block(t, host, blocked) }},
		{unfriended, func() {
			do(t, host.Session, http.MethodDelete, "/api/friends/"+unfriended.User.ID, nil, nil)
		}},
	} {
		next := watchDropIn(t, s, tt.who)
		if l := next(5 * time.Second); len(l.Rooms) != 1 {
			t.Fatalf("%s's list before: %+v, want the host's room", tt.who.User.DisplayName, l)
		}
		tt.change()
		if l := next(2 * time.Second); len(l.Rooms) != 0 {
			t.Fatalf("%s's list after: %+v, want none", tt.who.User.DisplayName, l)
		}
	}
}
