package app_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/roomsdev/rooms/client"
)

// joinVerdict is what GET /api/rooms/{token} tells sess about joining.
func joinVerdict(t *testing.T, sess *client.Session, token string) (allowed bool, code, message string) {
	t.Helper()
	var out struct {
		Room struct {
			Join *struct {
				Allowed bool
				Code    string
				Message string
			}
		}
	}
	do(t, sess, http.MethodGet, "/api/rooms/"+token, nil, &out)
	if out.Room.Join == nil {
		t.Fatal("the room's info has no join verdict")
	}
	return out.Room.Join.Allowed, out.Room.Join.Code, out.Room.Join.Message
}

// TestRoomInfoSaysWhetherYouMayJoin: the room's info tells each person up
// front what a join would answer them, by the join's own rules: people
// outside a friends-only room, a full room, a locked room, a removed guest
// (who reloads the link), and the ones who may.
func TestRoomInfoSaysWhetherYouMayJoin(t *testing.T) {
	s := startServer(t, 2)
	host := signUp(t, s, "Host")
	friend, stranger := signUp(t, s, "Friend"), signUp(t, s, "Stranger")
	befriend(t, host, friend)

	want := func(who string, sess *client.Session, token string, allowed bool, code, message string) {
		t.Helper()
		a, c, m := joinVerdict(t, sess, token)
		if a != allowed || c != code || m != message {
			t.Errorf("%s: allowed=%v code=%q message=%q, want %v %q %q", who, a, c, m, allowed, code, message)
		}
	}

	// Only the host's friends: a stranger is told at once, neutrally.
	friendsOnly := createRoom(t, host, map[string]any{"name": "Friends", "joinPolicy": "audience"})
	want("a stranger", stranger.Session, friendsOnly.Token, false, "forbidden", "This room is only open to the host's friends.")
	want("a friend", friend.Session, friendsOnly.Token, true, "", "")
	want("the host", host.Session, friendsOnly.Token, true, "", "")
	anonymous := client.NewSession(s.URL)
	want("a browser with nobody signed in", anonymous, friendsOnly.Token, false, "forbidden", "This room is only open to the host's friends.")

	// A full room (capacity 2): the third person is told.
	room := createRoom(t, host, map[string]any{"name": "Small"})
	join(t, host.Session, room.Token, false)
	guest := client.NewSession(s.URL)
	if err := guest.JoinAsGuest(context.Background(), room.Token, "Gita"); err != nil {
		t.Fatal(err)
	}
	want("a guest with room to spare", guest, room.Token, true, "", "")
	g := join(t, guest, room.Token, false)
	want("a guest at a full room", guestSession(t, s, room.Token, "Late"), room.Token, false, "room_full", "This room is full.")

	// The guest is removed: reloading the link, the guest (and the
	// browser, with a new guest identity or none) is told so.
	removeAndWait(t, host, room.Token, g)
	do(t, host.Session, http.MethodPost, "/api/rooms/"+room.Token+"/unlock", nil, nil)
	want("the removed guest", guest, room.Token, false, "removed", "The host removed you from this room.")
	do(t, guest, http.MethodPost, "/api/auth/signout", nil, nil)
	want("the removed guest's browser", guest, room.Token, false, "removed", "The host removed you from this room.")

	// Locked: a newcomer is told; the host passes.
	do(t, host.Session, http.MethodPost, "/api/rooms/"+room.Token+"/lock", nil, nil)
	want("a newcomer at a locked room", client.NewSession(s.URL), room.Token, false, "room_locked", "This room is locked. Only the host can let people in.")
	want("the host at a locked room", host.Session, room.Token, true, "", "")
}
