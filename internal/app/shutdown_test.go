package app_test

import (
	"context"
	"testing"
	"time"
)

// TestShutdownLocksNothing: when the server stops, people leave because
// the server goes, not the host; the room must not lock itself, or nobody
// could come back after the restart.
func TestShutdownLocksNothing(t *testing.T) {
	s := startServer(t, 50)
	host := signUp(t, s, "Host")
	room := createRoom(t, host, map[string]any{"name": "Restart"})
	h := join(t, host.Session, room.Token, false)
	g := joinAsGuestWith(t, s, room.Token, "Guest", false)

	s.Hub.Shutdown()
	for _, c := range []interface{ Done() <-chan struct{} }{h, g} {
		select {
		case <-c.Done():
		case <-time.After(3 * time.Second):
			t.Fatal("still connected after shutdown")
		}
	}
	r, err := s.Store.RoomByToken(context.Background(), roomToken(room.Token))
	if err != nil {
		t.Fatal(err)
	}
	if r.Locked {
		t.Fatalf("the room locked itself when the server shut down (%s)", r.LockReason)
	}
}
