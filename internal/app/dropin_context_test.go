package app_test

import (
	"net/http"
	"testing"
	"time"
)

// A group room shows in its members' drop-in lists and an event room in
// its guests', and in nobody else's, even the host's friends': each is
// for its audience. Each audience joins in one click (by the room's id,
// as the tray does), and the others may not.
func TestDropInShowsGroupAndEventRoomsToTheirAudience(t *testing.T) {
	s := startServer(t, 50)
	host, member, guest, friend := signUp(t, s, "Host"), signUp(t, s, "Member"), signUp(t, s, "Guest"), signUp(t, s, "Friend")
	befriend(t, host, friend)
	var g struct{ Group struct{ ID string } }
	do(t, host.Session, http.MethodPost, "/api/groups", map[string]string{"name": "Book club"}, &g)
	do(t, host.Session, http.MethodPost, "/api/groups/"+g.Group.ID+"/members", map[string]any{"userId": member.User.ID}, nil)
	var e struct{ Event struct{ ID string } }
	do(t, host.Session, http.MethodPost, "/api/events", map[string]any{"title": "Launch", "startsAt": time.Now().Add(time.Hour).Format(time.RFC3339), "guests": []string{guest.User.ID}}, &e)
	groupRoom := createRoom(t, host, map[string]any{"kind": "group", "groupId": g.Group.ID, "name": "Club night"})
	eventRoom := createRoom(t, host, map[string]any{"kind": "event", "eventId": e.Event.ID, "name": "Launch party"})
	join(t, host.Session, groupRoom.Token, false)
	join(t, host.Session, eventRoom.Token, false)

	names := func(a *account) map[string]string {
		var list dropInList
		do(t, a.Session, http.MethodGet, "/api/dropin", nil, &list)
		out := map[string]string{}
		for _, r := range list.Rooms {
			out[r.Name] = r.ID
		}
		return out
	}
	var memberSees, guestSees map[string]string
	eventually(t, 5*time.Second, "the member and the guest to see their rooms", func() bool {
		memberSees, guestSees = names(member), names(guest)
		return memberSees["Club night"] != "" && guestSees["Launch party"] != ""
	})
	if len(memberSees) != 1 || len(guestSees) != 1 {
		t.Fatalf("the member sees %v and the guest %v: each should see their own room alone", memberSees, guestSees)
	}
	if got := names(friend); len(got) != 0 {
		t.Fatalf("the host's friend sees %v: group and event rooms are for their audience", got)
	}
	for _, tt := range []struct {
		who  *account
		id   string
		want int
	}{
		{member, memberSees["Club night"], http.StatusOK},
		{guest, guestSees["Launch party"], http.StatusOK},
		{friend, memberSees["Club night"], http.StatusNotFound},
		{guest, memberSees["Club night"], http.StatusNotFound},
		{member, guestSees["Launch party"], http.StatusNotFound},
	} {
		if tt.want == http.StatusOK {
			do(t, tt.who.Session, http.MethodGet, "/api/dropin/"+tt.id, nil, nil)
		} else if e := apiErr(t, tt.who.Session, http.MethodGet, "/api/dropin/"+tt.id, nil); e.Status != tt.want {
			t.Errorf("%s asking for drop-in room %s: %d, want %d", tt.who.User.DisplayName, tt.id, e.Status, tt.want)
		}
	}
}
