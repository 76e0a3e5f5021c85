package app_test

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/roomsdev/rooms/client"
)

// Each test here proves one room rule of PRODUCT.md, end to end: real
// server, real store, real signalling, real media connections.

func TestDefaultsFollowTheContext(t *testing.T) {
	s := startServer(t, 50)
	host := signUp(t, s, "Host")
	var g struct{ Group struct{ ID string } }
	do(t, host.Session, http.MethodPost, "/api/groups", map[string]string{"name": "Book club"}, &g)
	var e struct{ Event struct{ ID string } }
	do(t, host.Session, http.MethodPost, "/api/events", map[string]any{"title": "Birthday", "startsAt": time.Now().Add(time.Hour).Format(time.RFC3339)}, &e)

	for _, tt := range []struct {
		body                         map[string]any
		kind, visibility, joinPolicy string
	}{
		{map[string]any{"name": "Mine"}, "standalone", "friends", "anyone"},
		{map[string]any{"kind": "group", "groupId": g.Group.ID}, "group", "group", "audience"},
		{map[string]any{"kind": "event", "eventId": e.Event.ID}, "event", "event", "audience"},
	} {
		var out struct {
			Room struct{ Kind, Visibility, JoinPolicy string }
		}
		do(t, host.Session, http.MethodPost, "/api/rooms", tt.body, &out)
		if out.Room.Kind != tt.kind || out.Room.Visibility != tt.visibility || out.Room.JoinPolicy != tt.joinPolicy {
			t.Errorf("%v: got %+v, want %s/%s/%s", tt.body, out.Room, tt.kind, tt.visibility, tt.joinPolicy)
		}
	}
	// A group room needs a group the creator is in.
	stranger := signUp(t, s, "Stranger")
	if e := apiErr(t, stranger.Session, http.MethodPost, "/api/rooms", map[string]any{"kind": "group", "groupId": g.Group.ID}); e.Status != http.StatusNotFound {
		t.Errorf("group room by a non-member: %d, want 404", e.Status)
	}
	if e := apiErr(t, host.Session, http.MethodPost, "/api/rooms", map[string]any{"visibility": "group"}); e.Status != http.StatusBadRequest {
		t.Errorf("standalone room shown to a group: %d, want 400", e.Status)
	}
}

func TestPeopleWaitForTheHost(t *testing.T) {
	s := startServer(t, 50)
	host := signUp(t, s, "Host")
	room := createRoom(t, host, map[string]any{"name": "Early birds"})

	early := joinAsGuestWith(t, s, room.Token, "Early", true)
	if !early.Waiting() {
		t.Fatal("a guest arriving before the host was let in")
	}
	if e := apiErr(t, early.Session(), http.MethodGet, "/api/rooms/"+room.Token+"/participants", nil); e.Status != http.StatusForbidden {
		t.Fatalf("guest listing participants: %d, want 403", e.Status)
	}
	h := join(t, host.Session, room.Token, true)
	waitEvent(t, early, "joined", 5*time.Second)
	if early.Waiting() {
		t.Fatal("still waiting after the host arrived")
	}
	receivesFrom(t, h, early)
	receivesFrom(t, early, h)
}

func joinAsGuestWith(t *testing.T, s *server, token, name string, publish bool) *client.Call {
	t.Helper()
	return join(t, guestSession(t, s, token, name), token, publish)
}

// TestCapacityUnderAStampede sends 200 joins at the same instant to a
// room for 50: exactly 50 are inside, the rest are told it is full.
func TestCapacityUnderAStampede(t *testing.T) {
	s := startServer(t, 50)
	host := signUp(t, s, "Host")
	room := createRoom(t, host, map[string]any{"name": "Stampede"})
	join(t, host.Session, room.Token, false)

	const n = 200
	sessions := make([]*client.Session, n)
	for i := range sessions {
		sessions[i] = guestSession(t, s, room.Token, "Guest")
	}
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		in      int
		full    int
		other   []error
		start   = make(chan struct{})
		callsMu sync.Mutex
		calls   []*client.Call
	)
	for _, sess := range sessions {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			c, err := sess.Join(ctx, room.Token, client.JoinOptions{})
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				in++
				callsMu.Lock()
				calls = append(calls, c)
				callsMu.Unlock()
			case containsAll(err.Error(), "room_full", "This room is full."):
				full++
			default:
				other = append(other, err)
			}
		}()
	}
	close(start)
	wg.Wait()
	t.Cleanup(func() {
		for _, c := range calls {
			c.Leave()
		}
	})
	if len(other) > 0 {
		t.Fatalf("%d joins failed otherwise, first: %v", len(other), other[0])
	}
	if in != 49 || full != n-49 {
		t.Fatalf("%d let in and %d told it is full; want 49 (50 with the host) and %d", in, full, n-49)
	}
	if got := s.Hub.Count(roomID(t, s, room.Token)); got != 50 {
		t.Fatalf("hub counts %d inside, want 50", got)
	}
}

func containsAll(s string, parts ...string) bool {
	for _, p := range parts {
		if !strings.Contains(s, p) {
			return false
		}
	}
	return true
}

func TestLockAndUnlock(t *testing.T) {
	s := startServer(t, 50)
	host := signUp(t, s, "Host")
	room := createRoom(t, host, map[string]any{"name": "Lockable"})
	h := join(t, host.Session, room.Token, false)
	inside := joinAsGuestWith(t, s, room.Token, "Inside", false)

	// Only the host may lock.
	if e := apiErr(t, inside.Session(), http.MethodPost, "/api/rooms/"+room.Token+"/lock", nil); e.Status != http.StatusForbidden {
		t.Fatalf("guest locking: %d, want 403", e.Status)
	}
	do(t, host.Session, http.MethodPost, "/api/rooms/"+room.Token+"/lock", nil, nil)
	for _, c := range []*client.Call{h, inside} {
		e := waitEvent(t, c, "roomUpdated", 5*time.Second)
		if !e.Room.Locked || e.Room.LockReason != "host" {
			t.Fatalf("roomUpdated %+v, want locked by host", e.Room)
		}
	}
	refused(t, guestSession(t, s, room.Token, "Late"), room.Token, "room_locked", "This room is locked.")
	// The host always passes: a second tab of the host joins.
	if _, err := tryJoin(t, host.Session, room.Token); err != nil {
		t.Fatalf("host joining a locked room: %v", err)
	}
	// Leaving works locked or not.
	inside.Leave()
	waitEvent(t, h, "participantLeft", 5*time.Second)

	do(t, host.Session, http.MethodPost, "/api/rooms/"+room.Token+"/unlock", nil, nil)
	if _, err := tryJoin(t, guestSession(t, s, room.Token, "Later"), room.Token); err != nil {
		t.Fatalf("join after unlock: %v", err)
	}
}

func TestGroupAdminsPassTheLockOfAGroupRoom(t *testing.T) {
	s := startServer(t, 50)
	host := signUp(t, s, "Host")
	admin := signUp(t, s, "Admin")
	member := signUp(t, s, "Member")
	var g struct{ Group struct{ ID string } }
	do(t, host.Session, http.MethodPost, "/api/groups", map[string]string{"name": "Club"}, &g)
	do(t, host.Session, http.MethodPost, "/api/groups/"+g.Group.ID+"/members", map[string]any{"userId": admin.User.ID, "admin": true}, nil)
	do(t, host.Session, http.MethodPost, "/api/groups/"+g.Group.ID+"/members", map[string]any{"userId": member.User.ID}, nil)
	room := createRoom(t, host, map[string]any{"kind": "group", "groupId": g.Group.ID})
	join(t, host.Session, room.Token, false)
	do(t, host.Session, http.MethodPost, "/api/rooms/"+room.Token+"/lock", nil, nil)

	refused(t, member.Session, room.Token, "room_locked", "This room is locked.")
	if _, err := tryJoin(t, admin.Session, room.Token); err != nil {
		t.Fatalf("group admin joining the locked group room: %v", err)
	}
	// Outsiders are not the group room's audience.
	refused(t, signUp(t, s, "Outsider").Session, room.Token, "forbidden", "only open to the group's members")
}

func TestRemoveDisconnectsBarsAndLocks(t *testing.T) {
	s := startServer(t, 50)
	host := signUp(t, s, "Host")
	room := createRoom(t, host, map[string]any{"name": "Orderly"})
	h := join(t, host.Session, room.Token, true)
	troll := signUp(t, s, "Troll")
	tc := join(t, troll.Session, room.Token, true)
	other := joinAsGuestWith(t, s, room.Token, "Other", true)
	receivesFrom(t, other, tc)

	start := time.Now()
	do(t, host.Session, http.MethodPost, "/api/rooms/"+room.Token+"/participants/"+tc.ID()+"/remove", nil, nil)
	e := waitEvent(t, tc, "removed", time.Second)
	if e.Message == "" {
		t.Fatal("removed without a message")
	}
	select {
	case <-tc.Done():
	case <-time.After(time.Second):
		t.Fatal("the removed person is still connected after a second")
	}
	t.Logf("removed and disconnected in %v", time.Since(start))
	for _, c := range []*client.Call{h, other} {
		eventually(t, 2*time.Second, "the others to see the removed person leave", func() bool {
			_, ok := c.Participants()[tc.ID()]
			return !ok
		})
		eventually(t, 2*time.Second, "the room to lock itself", func() bool {
			r := c.Room()
			return r.Locked && r.LockReason == "removal"
		})
	}
	// Barred for good, even once the host unlocks.
	do(t, host.Session, http.MethodPost, "/api/rooms/"+room.Token+"/unlock", nil, nil)
	refused(t, troll.Session, room.Token, "forbidden", "You can't join this room.")
	// Until the host lifts the bar.
	var bars struct{ Bars []struct{ UserID string } }
	do(t, host.Session, http.MethodGet, "/api/rooms/"+room.Token+"/bars", nil, &bars)
	if len(bars.Bars) != 1 || bars.Bars[0].UserID != troll.User.ID {
		t.Fatalf("bars %+v, want the troll", bars.Bars)
	}
	do(t, host.Session, http.MethodPost, "/api/rooms/"+room.Token+"/bars/lift", map[string]string{"userId": troll.User.ID}, nil)
	if _, err := tryJoin(t, troll.Session, room.Token); err != nil {
		t.Fatalf("join after the bar was lifted: %v", err)
	}
	// The rest never lost their call.
	receivesFrom(t, h, other)
}

func TestHostLeavingLocksAStandaloneRoomNotAGroupRoom(t *testing.T) {
	s := startServer(t, 50)
	host := signUp(t, s, "Host")
	room := createRoom(t, host, map[string]any{"name": "Away"})
	h := join(t, host.Session, room.Token, true)
	a := joinAsGuestWith(t, s, room.Token, "A", true)
	b := joinAsGuestWith(t, s, room.Token, "B", true)
	h.Leave()
	eventually(t, 3*time.Second, "the room to lock when the host left", func() bool {
		r := a.Room()
		return r.Locked && r.LockReason == "host_away"
	})
	receivesFrom(t, a, b) // the people inside stay
	refused(t, guestSession(t, s, room.Token, "New"), room.Token, "room_locked", "This room is locked.")
	// The host comes back: the room stays locked, but nobody is told any
	// more that the host is away, the host no more than the others.
	back := join(t, host.Session, room.Token, false)
	for _, c := range []*client.Call{a, b, back} {
		eventually(t, 3*time.Second, "the lock's reason to say the host was away", func() bool {
			r := c.Room()
			return r.Locked && r.LockReason == "host_was_away"
		})
	}
	refused(t, guestSession(t, s, room.Token, "New"), room.Token, "room_locked", "This room is locked.")
	eventually(t, 3*time.Second, "the stored room to say the host was away", func() bool {
		var info struct {
			Room struct {
				Locked     bool
				LockReason string
			}
		}
		do(t, host.Session, http.MethodGet, "/api/rooms/"+room.Token, nil, &info)
		return info.Room.Locked && info.Room.LockReason == "host_was_away"
	})
	// The host unlocks.
	do(t, host.Session, http.MethodPost, "/api/rooms/"+room.Token+"/unlock", nil, nil)
	if _, err := tryJoin(t, guestSession(t, s, room.Token, "New"), room.Token); err != nil {
		t.Fatal(err)
	}

	// A group room stays open while its host is away.
	member := signUp(t, s, "Member")
	var g struct{ Group struct{ ID string } }
	do(t, host.Session, http.MethodPost, "/api/groups", map[string]string{"name": "Club"}, &g)
	do(t, host.Session, http.MethodPost, "/api/groups/"+g.Group.ID+"/members", map[string]any{"userId": member.User.ID}, nil)
	groupRoom := createRoom(t, host, map[string]any{"kind": "group", "groupId": g.Group.ID})
	gh := join(t, host.Session, groupRoom.Token, false)
	gm := join(t, member.Session, groupRoom.Token, false)
	gh.Leave()
	waitEvent(t, gm, "participantLeft", 3*time.Second)
	time.Sleep(200 * time.Millisecond)
	if gm.Room().Locked {
		t.Fatal("a group room locked when its host left")
	}
}

func TestEndIsForGood(t *testing.T) {
	s := startServer(t, 50)
	host := signUp(t, s, "Host")
	room := createRoom(t, host, map[string]any{"name": "Finale"})
	h := join(t, host.Session, room.Token, false)
	g := joinAsGuestWith(t, s, room.Token, "G", false)

	if e := apiErr(t, g.Session(), http.MethodPost, "/api/rooms/"+room.Token+"/end", nil); e.Status != http.StatusForbidden {
		t.Fatalf("guest ending the room: %d, want 403", e.Status)
	}
	do(t, host.Session, http.MethodPost, "/api/rooms/"+room.Token+"/end", nil, nil)
	for _, c := range []*client.Call{h, g} {
		waitEvent(t, c, "roomEnded", 2*time.Second)
		select {
		case <-c.Done():
		case <-time.After(2 * time.Second):
			t.Fatal("still connected after the room ended")
		}
	}
	if e := apiErr(t, host.Session, http.MethodGet, "/api/rooms/"+room.Token, nil); e.Status != http.StatusGone || e.Message != "This room has ended." {
		t.Fatalf("GET ended room: %+v, want 410 with a message", e)
	}
	resp, err := http.Get(s.URL + "/r/" + room.Token)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusGone {
		t.Fatalf("link page of an ended room: %d, want 410", resp.StatusCode)
	}
	if _, err := tryJoin(t, host.Session, room.Token); err == nil {
		t.Fatal("an ended room opened again")
	}
	// Every endpoint of the room answers 410, to the host and to everyone
	// else, before anything else is checked.
	other := signUp(t, s, "Other")
	base := "/api/rooms/" + room.Token
	for _, ep := range []struct {
		method, path string
		body         any
	}{
		{http.MethodGet, base, nil},
		{http.MethodPatch, base, map[string]any{"name": "Again"}},
		{http.MethodPost, base + "/lock", nil},
		{http.MethodPost, base + "/unlock", nil},
		{http.MethodPost, base + "/end", nil},
		{http.MethodGet, base + "/participants", nil},
		{http.MethodPost, base + "/participants/" + g.ID() + "/remove", nil},
		{http.MethodPost, base + "/participants/" + g.ID() + "/mute", nil},
		{http.MethodGet, base + "/bars", nil},
		{http.MethodPost, base + "/bars/lift", map[string]string{"userId": other.User.ID}},
		{http.MethodPost, base + "/report", map[string]string{"reason": "Spam"}},
		{http.MethodPost, base + "/guest", map[string]string{"displayName": "Late"}},
		{http.MethodGet, base + "/ws", nil},
	} {
		for who, sess := range map[string]*client.Session{"host": host.Session, "guest": g.Session(), "account": other.Session} {
			if e := apiErr(t, sess, ep.method, ep.path, ep.body); e.Status != http.StatusGone || e.Code != "room_ended" {
				t.Errorf("%s %s by the %s: %d %s, want 410 room_ended", ep.method, ep.path, who, e.Status, e.Code)
			}
		}
	}
}

func TestSettingsAreHostOnlyAndPushedLive(t *testing.T) {
	s := startServer(t, 50)
	host := signUp(t, s, "Host")
	room := createRoom(t, host, map[string]any{"name": "Before"})
	h := join(t, host.Session, room.Token, false)
	g := joinAsGuestWith(t, s, room.Token, "G", false)
	if g.Room().Token != room.Token {
		t.Fatal("with link sharing on, participants are given the link")
	}
	if e := apiErr(t, g.Session(), http.MethodPatch, "/api/rooms/"+room.Token, map[string]any{"name": "Hijacked"}); e.Status != http.StatusForbidden {
		t.Fatalf("guest changing settings: %d, want 403", e.Status)
	}
	do(t, host.Session, http.MethodPatch, "/api/rooms/"+room.Token, map[string]any{"name": "After", "theme": "🎂 birthday", "linkSharing": false}, nil)
	e := waitEvent(t, g, "roomUpdated", 3*time.Second)
	if e.Room.Name != "After" || e.Room.Theme != "🎂 birthday" || e.Room.LinkSharing || e.Room.Token != "" {
		t.Fatalf("guest's roomUpdated %+v: want the new name and theme, and no link", e.Room)
	}
	if e := waitEvent(t, h, "roomUpdated", 3*time.Second); e.Room.Token != room.Token {
		t.Fatalf("host's roomUpdated %+v lost the link", e.Room)
	}
	var got struct{ Room map[string]any }
	do(t, g.Session(), http.MethodGet, "/api/rooms/"+room.Token, nil, &got)
	if _, ok := got.Room["token"]; ok {
		t.Fatal("GET room gave the link to a guest while link sharing is off")
	}
	if _, ok := got.Room["url"]; ok {
		t.Fatal("GET room gave the url to a guest while link sharing is off")
	}
	if e := apiErr(t, host.Session, http.MethodPatch, "/api/rooms/"+room.Token, map[string]any{"joinPolicy": "everyone"}); e.Status != http.StatusBadRequest {
		t.Fatalf("bad join policy: %d, want 400", e.Status)
	}
}

func TestJoinPolicies(t *testing.T) {
	s := startServer(t, 50)
	host := signUp(t, s, "Host")
	room := createRoom(t, host, map[string]any{"name": "Accounts only", "joinPolicy": "signed_in"})
	join(t, host.Session, room.Token, false)
	refused(t, guestSession(t, s, room.Token, "Guest"), room.Token, "unauthorized", "Sign in to join this room.")
	if _, err := tryJoin(t, signUp(t, s, "Member").Session, room.Token); err != nil {
		t.Fatal(err)
	}

	friendsOnly := createRoom(t, host, map[string]any{"name": "Friends", "joinPolicy": "audience"})
	join(t, host.Session, friendsOnly.Token, false)
	friend, stranger := signUp(t, s, "Friend"), signUp(t, s, "Stranger")
	befriend(t, host, friend)
	refused(t, stranger.Session, friendsOnly.Token, "forbidden", "only open to the host's friends")
	if _, err := tryJoin(t, friend.Session, friendsOnly.Token); err != nil {
		t.Fatal(err)
	}
}

func TestBlockedPeopleNeverShareARoom(t *testing.T) {
	s := startServer(t, 50)
	host, alice, bob := signUp(t, s, "Host"), signUp(t, s, "Alice"), signUp(t, s, "Bob")
	room := createRoom(t, host, map[string]any{"name": "Party"})
	join(t, host.Session, room.Token, false)
	join(t, alice.Session, room.Token, false)

	// Alice blocked Bob: Bob can't join while she is inside, and the
	// message is the same as for any other refusal of who he is.
	block(t, alice, bob)
	refused(t, bob.Session, room.Token, "forbidden", "You can't join this room.")
	// Either direction: Bob blocks Carol, Carol can't join where Bob is.
	carol := signUp(t, s, "Carol")
	room2 := createRoom(t, host, map[string]any{"name": "Other"})
	join(t, host.Session, room2.Token, false)
	join(t, bob.Session, room2.Token, false)
	block(t, bob, carol)
	refused(t, carol.Session, room2.Token, "forbidden", "You can't join this room.")

	// The host's blocks apply even while the host is away (a group room,
	// which stays open without its host).
	dave := signUp(t, s, "Dave")
	var g struct{ Group struct{ ID string } }
	do(t, host.Session, http.MethodPost, "/api/groups", map[string]string{"name": "G"}, &g)
	do(t, host.Session, http.MethodPost, "/api/groups/"+g.Group.ID+"/members", map[string]any{"userId": dave.User.ID}, nil)
	gr := createRoom(t, host, map[string]any{"kind": "group", "groupId": g.Group.ID})
	hc := join(t, host.Session, gr.Token, false)
	block(t, host, dave)
	hc.Leave()
	refused(t, dave.Session, gr.Token, "forbidden", "You can't join this room.")
}

// TestNewcomersLearnTheTracksAlreadyPublished: someone joining is told of
// every track already there, with its source, not only of those that
// start later.
func TestNewcomersLearnTheTracksAlreadyPublished(t *testing.T) {
	s := startServer(t, 50)
	host := signUp(t, s, "Host")
	room := createRoom(t, host, map[string]any{"name": "Tracks"})
	h := join(t, host.Session, room.Token, true)
	first := joinAsGuestWith(t, s, room.Token, "First", false)
	receivesFrom(t, first, h) // the host's tracks are published by now
	late := joinAsGuestWith(t, s, room.Token, "Late", false)
	eventually(t, 5*time.Second, "the newcomer to be told of the host's audio and video", func() bool {
		kinds := map[string]string{}
		for _, tr := range late.RemoteTracks() {
			if tr.Participant == h.ID() {
				kinds[tr.Kind] = tr.Source
			}
		}
		return kinds["audio"] == "microphone" && kinds["video"] == "camera"
	})
}
