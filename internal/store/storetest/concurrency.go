package storetest

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/roomsdev/rooms/internal/rooms"
)

// workers is how many goroutines the concurrency tests run at once: enough
// to make writers queue for SQLite's single write lock.
const workers = 24

// testConcurrency has many goroutines sign up, sign in and create rooms at
// once, as a burst of visitors would. Nothing may fail with a "database is
// busy" error, and every write must be readable afterwards.
func testConcurrency(t *testing.T, s rooms.Store) {
	ctx := t.Context()
	var wg sync.WaitGroup
	for i := range workers {
		wg.Go(func() {
			u := &rooms.User{
				ID:           rooms.UserID(newID("user")),
				Email:        fmt.Sprintf("person%d@example.com", i),
				DisplayName:  fmt.Sprintf("Person %d", i),
				PasswordHash: "x",
				CreatedAt:    t0,
			}
			if err := s.CreateUser(ctx, u); err != nil {
				t.Errorf("worker %d: create user: %v", i, err)
				return
			}
			for range 3 {
				sess := &rooms.Session{
					TokenHash: newHash(), UserID: u.ID, CreatedAt: t0, ExpiresAt: t0.Add(time.Hour),
				}
				if err := s.CreateSession(ctx, sess); err != nil {
					t.Errorf("worker %d: create session: %v", i, err)
					return
				}
				got, err := s.SessionByHash(ctx, sess.TokenHash, t0)
				if err != nil || got.UserID != u.ID {
					t.Errorf("worker %d: session by hash = %v, %v", i, got, err)
					return
				}
			}
			r := &rooms.Room{
				ID: rooms.RoomID(newID("room")), Token: rooms.Token(newID("tok")),
				HostID: u.ID, CreatedAt: t0,
			}
			if err := s.CreateRoom(ctx, r); err != nil {
				t.Errorf("worker %d: create room: %v", i, err)
				return
			}
			if err := s.CreateGuest(ctx, &rooms.Guest{
				ID: rooms.GuestID(newID("guest")), RoomID: r.ID, DisplayName: "Visitor", CreatedAt: t0,
			}); err != nil {
				t.Errorf("worker %d: create guest: %v", i, err)
			}
		})
	}
	wg.Wait()

	for i := range workers {
		u, err := s.UserByEmail(ctx, fmt.Sprintf("PERSON%d@example.com", i))
		if err != nil {
			t.Errorf("user %d: %v", i, err)
			continue
		}
		list, err := s.RoomsByHost(ctx, u.ID, 10)
		if err != nil || len(list) != 1 {
			t.Errorf("rooms of user %d = %d rooms, %v; want 1", i, len(list), err)
		}
	}
}

// testConcurrentDuplicateEmail races sign-ups for one email: exactly one
// wins, every other one gets ECONFLICT (not an internal error).
func testConcurrentDuplicateEmail(t *testing.T, s rooms.Store) {
	// The same address, in different letter cases.
	emails := []string{"same@example.com", "SAME@example.com", "Same@Example.Com"}
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for i := range workers {
		wg.Go(func() {
			errs[i] = s.CreateUser(t.Context(), &rooms.User{
				ID:           rooms.UserID(newID("user")),
				Email:        emails[i%len(emails)],
				DisplayName:  "Same",
				PasswordHash: "x",
				CreatedAt:    t0,
			})
		})
	}
	wg.Wait()
	won := 0
	for _, err := range errs {
		if err == nil {
			won++
		} else {
			wantCode(t, err, rooms.ECONFLICT)
		}
	}
	if won != 1 {
		t.Errorf("%d sign-ups succeeded, want exactly 1", won)
	}
}

// testConcurrentReadWrite has readers look a room up while writers lock,
// unlock and finally end it.
func testConcurrentReadWrite(t *testing.T, s rooms.Store) {
	host := mustUser(t, s, "ada@example.com")
	r := mustRoom(t, s, host.ID, t0)
	var wg sync.WaitGroup
	for i := range workers {
		wg.Go(func() {
			for j := range 5 {
				var err error
				if i%2 == 0 {
					err = s.SetRoomLocked(t.Context(), r.ID, (i+j)%2 == 0, rooms.LockedByHost)
				} else {
					_, err = s.RoomByToken(t.Context(), r.Token)
				}
				if err != nil {
					t.Errorf("worker %d: %v", i, err)
					return
				}
			}
		})
	}
	wg.Wait()
	if err := s.EndRoom(t.Context(), r.ID, t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	got, err := s.RoomByID(t.Context(), r.ID)
	if err != nil || !got.Ended() {
		t.Errorf("room after end = %+v, %v; want ended", got, err)
	}
}
