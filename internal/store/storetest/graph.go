package storetest

import (
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/roomsdev/rooms/internal/rooms"
)

// people creates n accounts.
func people(t *testing.T, s rooms.Store, n int) []rooms.UserID {
	t.Helper()
	ids := make([]rooms.UserID, n)
	for i := range ids {
		ids[i] = mustPerson(t, s, fmt.Sprintf("person%d@example.com", i), fmt.Sprintf("Person %d", i)).ID
	}
	return ids
}

// wantState checks how b relates to a, from a's side.
func wantState(t *testing.T, s rooms.Store, a, b rooms.UserID, want rooms.FriendState) {
	t.Helper()
	got, err := s.FriendState(t.Context(), a, b)
	if err != nil || got != want {
		t.Errorf("FriendState(%s, %s) = %q, %v; want %q", a, b, got, err, want)
	}
}

// wantFriends checks a's three lists, in any order.
func wantFriends(t *testing.T, s rooms.Store, a rooms.UserID, friends, incoming, outgoing []rooms.UserID) {
	t.Helper()
	f, in, out, err := s.Friends(t.Context(), a)
	if err != nil {
		t.Fatalf("Friends(%s): %v", a, err)
	}
	for _, l := range []struct {
		name      string
		got, want []rooms.UserID
	}{{"friends", f, friends}, {"incoming", in, incoming}, {"outgoing", out, outgoing}} {
		got, want := slices.Clone(l.got), slices.Clone(l.want)
		slices.Sort(got)
		slices.Sort(want)
		if !equal(got, want) {
			t.Errorf("Friends(%s) %s = %v, want %v", a, l.name, l.got, l.want)
		}
	}
}

func testFriendRequest(t *testing.T, s rooms.Store) {
	p := people(t, s, 3)
	a, b, c := p[0], p[1], p[2]
	wantState(t, s, a, b, rooms.NotFriends)
	if err := s.RequestFriend(t.Context(), a, b, t0); err != nil {
		t.Fatal(err)
	}
	wantState(t, s, a, b, rooms.RequestSent)
	wantState(t, s, b, a, rooms.RequestReceived)
	wantState(t, s, a, c, rooms.NotFriends)
	// Asking again changes nothing.
	if err := s.RequestFriend(t.Context(), a, b, t0.Add(1)); err != nil {
		t.Fatal(err)
	}
	wantFriends(t, s, a, nil, nil, []rooms.UserID{b})
	wantFriends(t, s, b, nil, []rooms.UserID{a}, nil)

	// The wrong side cannot accept.
	wantCode(t, s.AcceptFriend(t.Context(), b, a, t0), rooms.ENOTFOUND)
	wantState(t, s, a, b, rooms.RequestSent)
	if err := s.AcceptFriend(t.Context(), a, b, t0); err != nil {
		t.Fatal(err)
	}
	wantState(t, s, a, b, rooms.Friends)
	wantState(t, s, b, a, rooms.Friends)
	wantFriends(t, s, a, []rooms.UserID{b}, nil, nil)
	wantFriends(t, s, b, []rooms.UserID{a}, nil, nil)
	// A second click on "accept", or asking a friend, changes nothing.
	if err := s.AcceptFriend(t.Context(), a, b, t0); err != nil {
		t.Errorf("accept again: %v", err)
	}
	for _, pair := range [][2]rooms.UserID{{a, b}, {b, a}} {
		if err := s.RequestFriend(t.Context(), pair[0], pair[1], t0); err != nil {
			t.Errorf("RequestFriend(%s, %s) between friends: %v", pair[0], pair[1], err)
		}
		wantState(t, s, pair[0], pair[1], rooms.Friends)
	}
}

// testMutualRequest: when the other already asked, asking back makes the
// two friends at once.
func testMutualRequest(t *testing.T, s rooms.Store) {
	p := people(t, s, 2)
	a, b := p[0], p[1]
	if err := s.RequestFriend(t.Context(), a, b, t0); err != nil {
		t.Fatal(err)
	}
	if err := s.RequestFriend(t.Context(), b, a, t0); err != nil {
		t.Fatal(err)
	}
	wantState(t, s, a, b, rooms.Friends)
	wantState(t, s, b, a, rooms.Friends)
	wantFriends(t, s, a, []rooms.UserID{b}, nil, nil)
}

func testFriendEdgeCases(t *testing.T, s rooms.Store) {
	p := people(t, s, 2)
	a, b := p[0], p[1]
	wantCode(t, s.RequestFriend(t.Context(), a, a, t0), rooms.EINVALID)
	wantState(t, s, a, a, rooms.NotFriends)
	wantCode(t, s.RequestFriend(t.Context(), a, "no-such-user", t0), rooms.ENOTFOUND)
	wantCode(t, s.RequestFriend(t.Context(), "no-such-user", a, t0), rooms.ENOTFOUND)
	wantCode(t, s.AcceptFriend(t.Context(), a, b, t0), rooms.ENOTFOUND)
	wantCode(t, s.AcceptFriend(t.Context(), a, a, t0), rooms.ENOTFOUND)
	wantFriends(t, s, a, nil, nil, nil)
	wantFriends(t, s, "no-such-user", nil, nil, nil)
}

func testRemoveFriend(t *testing.T, s rooms.Store) {
	p := people(t, s, 5)
	a, b, c, d, e := p[0], p[1], p[2], p[3], p[4]
	for _, req := range [][2]rooms.UserID{{a, b}, {c, a}, {a, d}, {e, a}} {
		if err := s.RequestFriend(t.Context(), req[0], req[1], t0); err != nil {
			t.Fatal(err)
		}
	}
	for _, acc := range [][2]rooms.UserID{{a, b}, {c, a}} {
		if err := s.AcceptFriend(t.Context(), acc[0], acc[1], t0); err != nil {
			t.Fatal(err)
		}
	}
	wantFriends(t, s, a, []rooms.UserID{b, c}, []rooms.UserID{e}, []rooms.UserID{d})

	// A friendship ends from either side; the requester withdraws a
	// request, the other declines it, with the same call.
	for _, rm := range [][2]rooms.UserID{{b, a}, {a, c}, {a, d}, {a, e}} {
		if err := s.RemoveFriend(t.Context(), rm[0], rm[1]); err != nil {
			t.Fatal(err)
		}
		wantState(t, s, rm[0], rm[1], rooms.NotFriends)
		wantState(t, s, rm[1], rm[0], rooms.NotFriends)
	}
	wantFriends(t, s, a, nil, nil, nil)
	if err := s.RemoveFriend(t.Context(), a, b); err != nil {
		t.Errorf("remove again: %v", err)
	}
	// Once removed, either may ask again.
	if err := s.RequestFriend(t.Context(), b, a, t0); err != nil {
		t.Fatal(err)
	}
	wantState(t, s, a, b, rooms.RequestReceived)
}

func testBlock(t *testing.T, s rooms.Store) {
	p := people(t, s, 4)
	a, b, c, d := p[0], p[1], p[2], p[3]
	for _, req := range [][2]rooms.UserID{{a, b}, {b, a}, {c, a}, {a, d}} {
		if err := s.RequestFriend(t.Context(), req[0], req[1], t0); err != nil {
			t.Fatal(err)
		}
	}
	// Blocking removes the friendship and any request, whichever way.
	for _, other := range []rooms.UserID{b, c, d} {
		if err := s.Block(t.Context(), a, other, t0.Add(1)); err != nil {
			t.Fatal(err)
		}
		wantState(t, s, a, other, rooms.NotFriends)
		wantState(t, s, other, a, rooms.NotFriends)
	}
	wantFriends(t, s, a, nil, nil, nil)
	if err := s.Block(t.Context(), a, b, t0.Add(2)); err != nil {
		t.Errorf("block again: %v", err)
	}
	blocked, err := s.Blocked(t.Context(), a)
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(blocked)
	want := []rooms.UserID{b, c, d}
	slices.Sort(want)
	if !equal(blocked, want) {
		t.Errorf("Blocked(a) = %v, want %v", blocked, want)
	}
	if got, err := s.Blocked(t.Context(), b); err != nil || len(got) != 0 {
		t.Errorf("Blocked(b) = %v, %v; want none (b blocked nobody)", got, err)
	}

	// No friend request crosses a block, either way, and the refusal is
	// the same both ways.
	toBlocked := s.RequestFriend(t.Context(), a, b, t0)
	fromBlocked := s.RequestFriend(t.Context(), b, a, t0)
	wantCode(t, toBlocked, rooms.EFORBIDDEN)
	wantCode(t, fromBlocked, rooms.EFORBIDDEN)
	if rooms.ErrorMessage(toBlocked) != rooms.ErrorMessage(fromBlocked) {
		t.Errorf("refusals differ: %q and %q", rooms.ErrorMessage(toBlocked), rooms.ErrorMessage(fromBlocked))
	}
	wantState(t, s, a, b, rooms.NotFriends)

	// Unblocking does not bring the friendship back.
	if err := s.Unblock(t.Context(), a, b); err != nil {
		t.Fatal(err)
	}
	if err := s.Unblock(t.Context(), a, b); err != nil {
		t.Errorf("unblock again: %v", err)
	}
	if err := s.Unblock(t.Context(), b, a); err != nil {
		t.Errorf("unblock by the one who did not block: %v", err)
	}
	wantState(t, s, a, b, rooms.NotFriends)
	if got, err := s.Blocked(t.Context(), a); err != nil || len(got) != 2 || slices.Contains(got, b) {
		t.Errorf("Blocked(a) after unblocking b = %v, %v", got, err)
	}
	if err := s.RequestFriend(t.Context(), b, a, t0); err != nil {
		t.Errorf("request after unblock: %v", err)
	}
}

func testBlockEdgeCases(t *testing.T, s rooms.Store) {
	a := mustUser(t, s, "ada@example.com").ID
	wantCode(t, s.Block(t.Context(), a, a, t0), rooms.EINVALID)
	wantCode(t, s.Block(t.Context(), a, "no-such-user", t0), rooms.ENOTFOUND)
	wantCode(t, s.Block(t.Context(), "no-such-user", a, t0), rooms.ENOTFOUND)
	if got, err := s.Blocked(t.Context(), a); err != nil || len(got) != 0 {
		t.Errorf("Blocked = %v, %v; want none", got, err)
	}
}

func testBlockBetween(t *testing.T, s rooms.Store) {
	p := people(t, s, 6)
	a, b, c, d, e, f := p[0], p[1], p[2], p[3], p[4], p[5]
	for _, blk := range [][2]rooms.UserID{{a, b}, {c, d}} {
		if err := s.Block(t.Context(), blk[0], blk[1], t0); err != nil {
			t.Fatal(err)
		}
	}
	// Many ids, the blocking one last: a store that splits long lists
	// into batches must look at every batch.
	many := make([]rooms.UserID, 0, 1201)
	for i := range 1200 {
		many = append(many, rooms.UserID(fmt.Sprintf("stranger-%d", i)))
	}
	many = append(many, c)
	for _, tt := range []struct {
		name   string
		a      rooms.UserID
		others []rooms.UserID
		want   bool
	}{
		{"blocker's side", a, []rooms.UserID{b}, true},
		{"blocked side", b, []rooms.UserID{a}, true},
		{"a block between two others", e, []rooms.UserID{f, a, b}, false},
		{"among others", d, []rooms.UserID{e, f, c}, true},
		{"blocked among others", c, []rooms.UserID{e, d}, true},
		{"unrelated", e, []rooms.UserID{a, b, c, d, f}, false},
		{"unrelated blocker", a, []rooms.UserID{c, d, e}, false},
		{"empty", a, []rooms.UserID{}, false},
		{"nil", a, nil, false},
		{"self", a, []rooms.UserID{a}, false},
		{"unknown ids", a, []rooms.UserID{"no-such-user"}, false},
		{"long list", d, many, true},
		{"long list without a block", e, many, false},
	} {
		got, err := s.BlockBetween(t.Context(), tt.a, tt.others)
		if err != nil || got != tt.want {
			t.Errorf("%s: BlockBetween = %v, %v; want %v", tt.name, got, err, tt.want)
		}
	}
}

// testConcurrentFriendRequests has pairs of people ask each other at the
// same instant: every pair ends up friends, and nobody sees an error.
func testConcurrentFriendRequests(t *testing.T, s rooms.Store) {
	p := people(t, s, workers)
	var wg sync.WaitGroup
	for i := range workers {
		wg.Go(func() {
			me, them := p[i], p[i^1]
			if err := s.RequestFriend(t.Context(), me, them, t0); err != nil {
				t.Errorf("worker %d: %v", i, err)
			}
		})
	}
	wg.Wait()
	for i := 0; i < workers; i += 2 {
		wantState(t, s, p[i], p[i+1], rooms.Friends)
	}
}
