// Package storetest is the conformance suite every rooms.Store passes. A
// store's own test calls Run with a function that opens a new, empty store:
//
//	func TestConformance(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) rooms.Store {
//			db, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "rooms.db"))
//			if err != nil {
//				t.Fatal(err)
//			}
//			return db
//		})
//	}
//
// The suite checks behaviour through the rooms.Store interface only: what
// is found, what is not, which error codes come back, in which order.
package storetest

import (
	"crypto/rand"
	"encoding/hex"
	"testing"
	"time"

	"github.com/roomsdev/rooms/internal/rooms"
)

// t0 is the suite's "now". Stores may keep times to the millisecond only,
// so every time the suite writes is a whole number of milliseconds.
var t0 = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

// Run runs the conformance suite. open is called once per subtest and must
// return a new, empty store; the suite closes it when the subtest ends.
func Run(t *testing.T, open func(t *testing.T) rooms.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s rooms.Store)
	}{
		{"UserRoundTrip", testUserRoundTrip},
		{"UserByEmailIgnoresCase", testUserByEmailIgnoresCase},
		{"UserDuplicateEmail", testUserDuplicateEmail},
		{"UserNotFound", testUserNotFound},
		{"SetModerator", testSetModerator},
		{"UserSession", testUserSession},
		{"GuestSession", testGuestSession},
		{"SessionExpiry", testSessionExpiry},
		{"DeleteSession", testDeleteSession},
		{"SessionNotFound", testSessionNotFound},
		{"SessionUnknownOwner", testSessionUnknownOwner},
		{"SessionDuplicateHash", testSessionDuplicateHash},
		{"GuestRoundTrip", testGuestRoundTrip},
		{"GuestNotFound", testGuestNotFound},
		{"RoomRoundTrip", testRoomRoundTrip},
		{"RoomDuplicateToken", testRoomDuplicateToken},
		{"RoomUnknownHost", testRoomUnknownHost},
		{"RoomNotFound", testRoomNotFound},
		{"RoomsByHost", testRoomsByHost},
		{"RoomsByHostLimit", testRoomsByHostLimit},
		{"RoomsByHostEmpty", testRoomsByHostEmpty},
		{"SetRoomLocked", testSetRoomLocked},
		{"EndRoom", testEndRoom},
		{"AvatarRoundTrip", testAvatarRoundTrip},
		{"UpdateProfile", testUpdateProfile},
		{"SearchUsers", testSearchUsers},
		{"SetSuspended", testSetSuspended},
		{"DeleteUserSessions", testDeleteUserSessions},
		{"RoomSettingsRoundTrip", testRoomSettingsRoundTrip},
		{"RoomDefaults", testRoomDefaults},
		{"RoomKindMismatch", testRoomKindMismatch},
		{"UpdateRoom", testUpdateRoom},
		{"LockReasons", testLockReasons},
		{"TouchRoom", testTouchRoom},
		{"IdleRooms", testIdleRooms},
		{"Bars", testBars},
		{"BarNotFound", testBarNotFound},
		{"DeviceBars", testDeviceBars},
		{"FriendRequest", testFriendRequest},
		{"MutualRequest", testMutualRequest},
		{"FriendEdgeCases", testFriendEdgeCases},
		{"RemoveFriend", testRemoveFriend},
		{"Block", testBlock},
		{"BlockEdgeCases", testBlockEdgeCases},
		{"BlockBetween", testBlockBetween},
		{"GroupRoundTrip", testGroupRoundTrip},
		{"GroupMembers", testGroupMembers},
		{"GroupsOf", testGroupsOf},
		{"EventRoundTrip", testEventRoundTrip},
		{"EventGuests", testEventGuests},
		{"ReportRoundTrip", testReportRoundTrip},
		{"ResolveReport", testResolveReport},
		{"Concurrency", testConcurrency},
		{"ConcurrentDuplicateEmail", testConcurrentDuplicateEmail},
		{"ConcurrentReadWrite", testConcurrentReadWrite},
		{"ConcurrentFriendRequests", testConcurrentFriendRequests},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := open(t)
			t.Cleanup(func() {
				if err := s.Close(); err != nil {
					t.Errorf("close store: %v", err)
				}
			})
			tt.fn(t, s)
		})
	}
}

// newID returns a random id with a readable prefix.
func newID(prefix string) string {
	b := make([]byte, 8)
	rand.Read(b)
	return prefix + "-" + hex.EncodeToString(b)
}

// newHash returns a random 32-byte session token hash.
func newHash() []byte {
	b := make([]byte, 32)
	rand.Read(b)
	return b
}

// mustUser creates an account with the given email.
func mustUser(t *testing.T, s rooms.Store, email string) *rooms.User {
	t.Helper()
	u := &rooms.User{
		ID:           rooms.UserID(newID("user")),
		Email:        email,
		DisplayName:  "Ada Lovelace",
		PasswordHash: "$argon2id$v=19$m=64,t=1,p=1$c2FsdA$aGFzaA",
		CreatedAt:    t0,
	}
	if err := s.CreateUser(t.Context(), u); err != nil {
		t.Fatalf("create user %s: %v", email, err)
	}
	return u
}

// mustRoom creates a room hosted by host, created at the given time.
func mustRoom(t *testing.T, s rooms.Store, host rooms.UserID, created time.Time) *rooms.Room {
	t.Helper()
	r := &rooms.Room{
		ID:        rooms.RoomID(newID("room")),
		Token:     rooms.Token(newID("tok")),
		HostID:    host,
		Name:      "Standup",
		Theme:     "ocean",
		CreatedAt: created,
	}
	if err := s.CreateRoom(t.Context(), r); err != nil {
		t.Fatalf("create room: %v", err)
	}
	return r
}

// mustGuest creates a guest in room.
func mustGuest(t *testing.T, s rooms.Store, room rooms.RoomID) *rooms.Guest {
	t.Helper()
	g := &rooms.Guest{
		ID:          rooms.GuestID(newID("guest")),
		RoomID:      room,
		DisplayName: "Visitor",
		CreatedAt:   t0,
	}
	if err := s.CreateGuest(t.Context(), g); err != nil {
		t.Fatalf("create guest: %v", err)
	}
	return g
}

// wantCode fails the test unless err is a domain error with the given code.
func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if got := rooms.ErrorCode(err); got != code {
		t.Errorf("error code = %q, want %q (err: %v)", got, code, err)
	}
}

// sameTime compares times by instant, ignoring location.
func sameTime(t *testing.T, what string, got, want time.Time) {
	t.Helper()
	if !got.Equal(want) {
		t.Errorf("%s = %v, want %v", what, got, want)
	}
}
