package app_test

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/roomsdev/rooms/internal/rooms"
)

// TestSettingsChangedAsTheHostLeavesKeepTheLock: the host changes the
// room's name at the moment they leave it. The room locks itself for the
// host's absence, and the change, which read the room before that, must
// not unlock it again: the live room and the stored one end up the same,
// locked. Run under -race, many times over, since the two interleave
// differently each time.
func TestSettingsChangedAsTheHostLeavesKeepTheLock(t *testing.T) {
	s := startServer(t, 50)
	host := signUp(t, s, "Host")
	for i := range 12 {
		room := createRoom(t, host, map[string]any{"name": "Busy"})
		id := roomID(t, s, room.Token)
		h := join(t, host.Session, room.Token, false)
		joinAsGuestWith(t, s, room.Token, "Stays", false)

		var wg sync.WaitGroup
		start := make(chan struct{})
		for n := range 3 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				_ = host.Do(context.Background(), http.MethodPatch, "/api/rooms/"+room.Token, map[string]any{"name": "Renamed " + string(rune('a'+n))}, nil)
			}()
		}
		close(start)
		h.Leave()
		wg.Wait()

		eventually(t, 3*time.Second, "the stored room to lock", func() bool {
			r, err := s.Store.RoomByID(context.Background(), id)
			return err == nil && r.Locked
		})
		stored, err := s.Store.RoomByID(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		live := liveRoom(s, id)
		if live == nil || !live.Locked || live.LockReason != rooms.LockedHostAway || live.Name != stored.Name {
			t.Fatalf("round %d: live room %+v, stored %+v: want both locked for the host's absence, with one name", i, live, stored)
		}
	}
}

// liveRoom is the room as its call holds it, or nil.
func liveRoom(s *server, id rooms.RoomID) *rooms.Room {
	for _, ac := range s.Hub.ActiveCalls() {
		if ac.Room.ID == id {
			return &ac.Room
		}
	}
	return nil
}
