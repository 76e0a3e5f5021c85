package app_test

import (
	"context"
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

	watch := watchDropIn(t, s, friend)
	next := func() dropInList { return watch(15 * time.Second) }
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

// TestDropInNamesTheContextAndLeavesYouOut: an unnamed group room is
// listed with the group's name, to the group's members only; someone
// already inside is not among the people the list names or counts for
// them, and is told they are inside.
func TestDropInNamesTheContextAndLeavesYouOut(t *testing.T) {
	s := startServer(t, 50)
	ada, ben, cy, pal := signUp(t, s, "Ada"), signUp(t, s, "Ben"), signUp(t, s, "Cy"), signUp(t, s, "Pal")
	befriend(t, ben, cy)
	befriend(t, ada, pal)
	var g struct{ Group struct{ ID string } }
	do(t, ada.Session, http.MethodPost, "/api/groups", map[string]string{"name": "Book nerds"}, &g)
	for _, m := range []*account{ben, cy} {
		do(t, ada.Session, http.MethodPost, "/api/groups/"+g.Group.ID+"/members", map[string]any{"userId": m.User.ID}, nil)
	}
	room := createRoom(t, ada, map[string]any{"kind": "group", "groupId": g.Group.ID})
	join(t, ada.Session, room.Token, false)
	join(t, ben.Session, room.Token, false)
	// Another of the group's rooms, shown to the host's friends: Pal sees
	// it, but not the group's name.
	shown := createRoom(t, ada, map[string]any{"kind": "group", "groupId": g.Group.ID, "visibility": "friends", "joinPolicy": "anyone"})
	join(t, ada.Session, shown.Token, false)

	type item struct {
		Name, ContextName string
		Friends           []string
		Others, Count     int
		SelfInside        bool
	}
	listOf := func(a *account) []item {
		var list struct{ Rooms []item }
		do(t, a.Session, http.MethodGet, "/api/dropin", nil, &list)
		return list.Rooms
	}
	eventually(t, 5*time.Second, "Ben's list to show the room", func() bool { return len(listOf(ben)) == 1 && listOf(ben)[0].Count == 2 })
	if got := listOf(ben)[0]; got.ContextName != "Book nerds" || !got.SelfInside || len(got.Friends) != 0 || got.Others != 1 || got.Count != 2 {
		t.Errorf("Ben, inside, sees %+v; want the group's name, himself left out (Ada as the one other) and told he is inside", got)
	}
	if got := listOf(cy); len(got) != 1 || got[0].ContextName != "Book nerds" || got[0].SelfInside || strings.Join(got[0].Friends, ",") != "Ben" || got[0].Others != 1 || got[0].Count != 2 {
		t.Errorf("Cy sees %+v; want the group's name, Ben by name and one other", got)
	}
	if got := listOf(pal); len(got) != 1 || got[0].ContextName != "" || got[0].SelfInside {
		t.Errorf("Pal, outside the group, sees %+v; want the room without the group's name", got)
	}
}
