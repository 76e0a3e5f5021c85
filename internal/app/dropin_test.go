package app_test

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/roomsdev/rooms/client"
)

type dropInList struct {
	Rooms []struct {
		ID, Token, Name string
		Friends         []string
		Others, Count   int
	}
}

func TestDropIn(t *testing.T) {
	s := startServer(t, 50)
	host, friend, pal, stranger, blocker := signUp(t, s, "Host"), signUp(t, s, "Friend"), signUp(t, s, "Pal"), signUp(t, s, "Stranger"), signUp(t, s, "Blocker")
	befriend(t, host, friend)
	befriend(t, host, pal)
	befriend(t, friend, pal)
	befriend(t, host, blocker)
	room := createRoom(t, host, map[string]any{"name": "Hangout", "theme": "🛋️ hangout"})
	hidden := createRoom(t, host, map[string]any{"name": "Link only", "visibility": "link"})

	// Not active yet: nothing to drop in to.
	var list dropInList
	do(t, friend.Session, http.MethodGet, "/api/dropin", nil, &list)
	if len(list.Rooms) != 0 {
		t.Fatalf("drop-in lists %+v before anyone is inside", list.Rooms)
	}
	join(t, host.Session, room.Token, false)
	join(t, host.Session, hidden.Token, false)
	join(t, pal.Session, room.Token, false)
	joinAsGuestWith(t, s, room.Token, "Some guest", false)

	do(t, friend.Session, http.MethodGet, "/api/dropin", nil, &list)
	if len(list.Rooms) != 1 || list.Rooms[0].Name != "Hangout" {
		t.Fatalf("friend's drop-in: %+v, want the hangout only", list.Rooms)
	}
	got := list.Rooms[0]
	// Host and Pal are friends (by name); the guest is a count.
	if strings.Join(got.Friends, ",") != "Host,Pal" && strings.Join(got.Friends, ",") != "Pal,Host" || got.Others != 1 || got.Count != 3 {
		t.Fatalf("friend's view of the room: %+v", got)
	}
	do(t, stranger.Session, http.MethodGet, "/api/dropin", nil, &list)
	if len(list.Rooms) != 0 {
		t.Fatalf("a stranger sees %+v", list.Rooms)
	}
	// Blocker blocks Pal, who is inside: the room disappears from
	// Blocker's list, and would from Pal's for the same reason.
	block(t, blocker, pal)
	do(t, blocker.Session, http.MethodGet, "/api/dropin", nil, &list)
	if len(list.Rooms) != 0 {
		t.Fatalf("a room with someone blocked still shows: %+v", list.Rooms)
	}

	// One click joins, even without the link when link sharing is off.
	do(t, host.Session, http.MethodPatch, "/api/rooms/"+room.Token, map[string]any{"linkSharing": false}, nil)
	do(t, friend.Session, http.MethodGet, "/api/dropin", nil, &list)
	if len(list.Rooms) != 1 || list.Rooms[0].Token != "" {
		t.Fatalf("with link sharing off the drop-in list gave %+v", list.Rooms)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := friend.DropIn(ctx, list.Rooms[0].ID, client.JoinOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Leave()
	if c.Room().Token != "" {
		t.Fatal("a drop-in participant was given the link while sharing is off")
	}
	// Without the link, they can still report the room.
	do(t, friend.Session, http.MethodPost, "/api/dropin/"+list.Rooms[0].ID+"/report", map[string]string{"reason": "spam"}, nil)
	if e := apiErr(t, stranger.Session, http.MethodPost, "/api/dropin/"+list.Rooms[0].ID+"/report", map[string]string{"reason": "spam"}); e.Status != http.StatusNotFound {
		t.Fatalf("a stranger reporting by id: %d, want 404", e.Status)
	}
	if _, err := stranger.DropIn(ctx, list.Rooms[0].ID, client.JoinOptions{}); err == nil {
		t.Fatal("a stranger dropped in")
	}
}

func TestDropInUpdatesLive(t *testing.T) {
	s := startServer(t, 50)
	host, friend := signUp(t, s, "Host"), signUp(t, s, "Friend")
	befriend(t, host, friend)
	room := createRoom(t, host, map[string]any{"name": "Live"})

	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.URL+"/api/dropin/stream", nil)
	resp, err := friend.HTTP.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
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
	next := func() dropInList {
		select {
		case l := <-events:
			return l
		case <-ctx.Done():
			t.Fatal("no drop-in update")
			return dropInList{}
		}
	}
	if l := next(); len(l.Rooms) != 0 {
		t.Fatalf("first event %+v, want an empty list", l)
	}
	h := join(t, host.Session, room.Token, false)
	if l := next(); len(l.Rooms) != 1 || l.Rooms[0].Friends[0] != "Host" {
		t.Fatalf("after the host joined: %+v", l)
	}
	h.Leave()
	if l := next(); len(l.Rooms) != 0 {
		t.Fatalf("after the host left: %+v", l)
	}
}
