package app_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/roomsdev/rooms/client"
	"github.com/roomsdev/rooms/internal/rooms"
)

// Blocks made while people are in a call: the two are never in the same
// room at the same time, and the one who is blocked learns nothing.

// sentOff waits for c to be told it must leave, with the code and message,
// and to be disconnected.
func sentOff(t *testing.T, c *client.Call, code, message string) {
	t.Helper()
	e := waitEvent(t, c, "error", 2*time.Second)
	if e.Code != code || e.Message != message || !e.Fatal {
		t.Fatalf("told %+v, want a fatal %s %q", e, code, message)
	}
	select {
	case <-c.Done():
	case <-time.After(2 * time.Second):
		t.Fatal("still connected after being sent off")
	}
}

// stays checks that c is still in the call, was told nothing of a block,
// and sees gone leave.
func stays(t *testing.T, c *client.Call, gone string) {
	t.Helper()
	eventually(t, 2*time.Second, "the others to see the person leave", func() bool {
		_, ok := c.Participants()[gone]
		return !ok
	})
	for {
		select {
		case e := <-c.Events():
			if e.Type == "error" || e.Type == "removed" {
				t.Fatalf("the person who stays was told %+v", e)
			}
			continue
		case <-c.Done():
			t.Fatal("the person who stays was disconnected")
		default:
		}
		return
	}
}

func TestBlockMadeDuringACallTakesTheBlockerOut(t *testing.T) {
	s := startServer(t, 50)
	host, alice, bob := signUp(t, s, "Host"), signUp(t, s, "Alice"), signUp(t, s, "Bob")
	room := createRoom(t, host, map[string]any{"name": "Party"})
	h := join(t, host.Session, room.Token, false)
	a := join(t, alice.Session, room.Token, false)
	b := join(t, bob.Session, room.Token, false)

	block(t, alice, bob)
	sentOff(t, a, "blocked_leave", "You left this room because you blocked someone in it.")
	stays(t, b, a.ID())
	stays(t, h, a.ID())
	// Not a bar: Alice may come back once Bob has gone.
	b.Leave()
	eventually(t, 2*time.Second, "Bob to be gone", func() bool { return len(h.Participants()) == 0 })
	if _, err := tryJoin(t, alice.Session, room.Token); err != nil {
		t.Fatalf("Alice joining after Bob left: %v", err)
	}
}

func TestHostBlockDuringACallDropsTheBlocked(t *testing.T) {
	s := startServer(t, 50)
	host, bob := signUp(t, s, "Host"), signUp(t, s, "Bob")
	room := createRoom(t, host, map[string]any{"name": "Party"})
	h := join(t, host.Session, room.Token, false)
	b := join(t, bob.Session, room.Token, false)

	block(t, host, bob)
	sentOff(t, b, "forbidden", "You can't join this room.")
	stays(t, h, b.ID())
	if r := h.Room(); r.Locked {
		t.Fatalf("a block locked the room: %+v", r)
	}
}

func TestBlockingTheAwayHostTakesTheBlockerOut(t *testing.T) {
	s := startServer(t, 50)
	host, alice := signUp(t, s, "Host"), signUp(t, s, "Alice")
	room := createRoom(t, host, map[string]any{"name": "Away"})
	h := join(t, host.Session, room.Token, false)
	a := join(t, alice.Session, room.Token, false)
	g := joinAsGuestWith(t, s, room.Token, "G", false)
	h.Leave()
	eventually(t, 3*time.Second, "the room to lock when the host left", func() bool { return a.Room().Locked })

	block(t, alice, host)
	sentOff(t, a, "blocked_leave", "You left this room because you blocked someone in it.")
	stays(t, g, a.ID())
	if _, err := tryJoin(t, host.Session, room.Token); err != nil {
		t.Fatalf("the host coming back: %v", err)
	}
}

// TestArrivingHostIsNeverRefusedOverABlock: a block the calls never heard
// of (stored behind the API's back, as a race between a block and a join
// could leave it) does not keep the host out of their own room: the
// person inside with the block leaves, with the neutral words.
func TestArrivingHostIsNeverRefusedOverABlock(t *testing.T) {
	s := startServer(t, 50)
	host, member := signUp(t, s, "Host"), signUp(t, s, "Member")
	var grp struct{ Group struct{ ID string } }
	do(t, host.Session, http.MethodPost, "/api/groups", map[string]string{"name": "Club"}, &grp)
	do(t, host.Session, http.MethodPost, "/api/groups/"+grp.Group.ID+"/members", map[string]any{"userId": member.User.ID}, nil)
	room := createRoom(t, host, map[string]any{"kind": "group", "groupId": grp.Group.ID, "joinPolicy": "anyone"})
	h := join(t, host.Session, room.Token, false)
	m := join(t, member.Session, room.Token, false)
	g := joinAsGuestWith(t, s, room.Token, "G", false)
	h.Leave()
	eventually(t, 2*time.Second, "the host to be gone", func() bool { _, ok := m.Participants()[h.ID()]; return !ok })

	if err := s.Store.Block(context.Background(), rooms.UserID(member.User.ID), rooms.UserID(host.User.ID), time.Now()); err != nil {
		t.Fatal(err)
	}
	if _, err := tryJoin(t, host.Session, room.Token); err != nil {
		t.Fatalf("the host was refused: %v", err)
	}
	sentOff(t, m, "forbidden", "You can't join this room.")
	stays(t, g, m.ID())
}
