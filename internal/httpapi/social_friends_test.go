package httpapi

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/roomsdev/rooms/internal/rooms"
)

// TestSocialNeedsAccount checks that anonymous callers and guests get 401
// with a "Sign in" message on every social endpoint.
func TestSocialNeedsAccount(t *testing.T) {
	env := newSocialEnv(t)
	host := env.signUp("Hana")
	callers := map[string]*socialPerson{"anonymous": env.anonymous(), "guest": env.guest(host)}
	x := host.id
	requests := []struct {
		method, path string
		body         any
	}{
		{"GET", "/api/users/" + x, nil},
		{"GET", "/api/users?q=hana", nil},
		{"PATCH", "/api/me", map[string]any{"displayName": "X"}},
		{"GET", "/api/friends", nil},
		{"POST", "/api/friends", map[string]any{"userId": x}},
		{"POST", "/api/friends/" + x + "/accept", nil},
		{"POST", "/api/friends/" + x + "/decline", nil},
		{"DELETE", "/api/friends/" + x, nil},
		{"GET", "/api/blocks", nil},
		{"POST", "/api/blocks", map[string]any{"userId": x}},
		{"DELETE", "/api/blocks/" + x, nil},
		{"POST", "/api/groups", map[string]any{"name": "G"}},
		{"GET", "/api/groups", nil},
		{"GET", "/api/groups/abc", nil},
		{"POST", "/api/groups/abc/members", map[string]any{"userId": x}},
		{"DELETE", "/api/groups/abc/members/" + x, nil},
		{"POST", "/api/groups/abc/admins", map[string]any{"userId": x}},
		{"POST", "/api/events", map[string]any{"title": "T", "startsAt": "2030-01-01T10:00:00Z"}},
		{"GET", "/api/events", nil},
		{"GET", "/api/events/abc", nil},
		{"POST", "/api/events/abc/guests", map[string]any{"userId": x}},
		{"DELETE", "/api/events/abc/guests/" + x, nil},
	}
	for who, c := range callers {
		for _, r := range requests {
			msg := c.refused(http.StatusUnauthorized, r.method, r.path, r.body)
			if !strings.HasPrefix(msg, "Sign in to ") {
				t.Errorf("%s %s as %s: message %q", r.method, r.path, who, msg)
			}
		}
	}
}

// TestProfilePrivacy checks that only friends see the email, and that a
// profile holds nothing but its documented fields.
func TestProfilePrivacy(t *testing.T) {
	env := newSocialEnv(t)
	ada, bob := env.signUp("Ada"), env.signUp("Bob")

	status, raw := bob.do("GET", "/api/users/"+ada.id, nil)
	if status != http.StatusOK {
		t.Fatalf("status %d: %s", status, raw)
	}
	var fields struct {
		User map[string]any `json:"user"`
	}
	if err := json.Unmarshal(raw, &fields); err != nil {
		t.Fatal(err)
	}
	for k := range fields.User {
		if !slices.Contains([]string{"id", "displayName", "avatar", "friendState"}, k) {
			t.Errorf("a stranger's profile has %q: %s", k, raw)
		}
	}
	if strings.Contains(string(raw), ada.email) {
		t.Errorf("a stranger sees the email: %s", raw)
	}

	ada.befriend(bob)
	var got struct {
		User socialProfile `json:"user"`
	}
	bob.must(http.StatusOK, "GET", "/api/users/"+ada.id, nil, &got)
	if got.User.Email != ada.email || got.User.FriendState != rooms.Friends || got.User.DisplayName != "Ada" {
		t.Errorf("a friend sees %+v", got.User)
	}

	bob.refused(http.StatusNotFound, "GET", "/api/users/nobody", nil)
	bob.refused(http.StatusNotFound, "GET", "/api/users/"+strings.Repeat("a", 100), nil)
}

// TestFriendFlow walks a request through accept, remove, decline and a
// mutual request.
func TestFriendFlow(t *testing.T) {
	env := newSocialEnv(t)
	ada, bob, cat, dan := env.signUp("Ada"), env.signUp("Bob"), env.signUp("Cat"), env.signUp("Dan")

	var st struct {
		State rooms.FriendState `json:"state"`
	}
	ada.must(http.StatusOK, "POST", "/api/friends", map[string]any{"userId": bob.id}, &st)
	if st.State != rooms.RequestSent {
		t.Fatalf("state after request %q", st.State)
	}
	ada.must(http.StatusOK, "POST", "/api/friends", map[string]any{"userId": bob.id}, &st)
	if st.State != rooms.RequestSent {
		t.Fatalf("state after asking twice %q", st.State)
	}
	if l := ada.friends(); !slices.Equal(profileIDs(l.Outgoing), []string{bob.id}) || len(l.Friends)+len(l.Incoming) != 0 {
		t.Fatalf("ada's lists %+v", l)
	}
	l := bob.friends()
	if !slices.Equal(profileIDs(l.Incoming), []string{ada.id}) || l.Incoming[0].FriendState != rooms.RequestReceived {
		t.Fatalf("bob's lists %+v", l)
	}
	if l.Incoming[0].Email != "" {
		t.Errorf("a request shows the asker's email")
	}

	// Only the one asked can accept.
	ada.refused(http.StatusNotFound, "POST", "/api/friends/"+bob.id+"/accept", nil)
	bob.must(http.StatusNoContent, "POST", "/api/friends/"+ada.id+"/accept", nil, nil)
	for _, p := range []*socialPerson{ada, bob} {
		l := p.friends()
		if len(l.Friends) != 1 || l.Friends[0].FriendState != rooms.Friends || l.Friends[0].Email == "" {
			t.Fatalf("%s's friends %+v", p.name, l)
		}
	}

	// Removing ends it for both; removing again is fine.
	bob.must(http.StatusNoContent, "DELETE", "/api/friends/"+ada.id, nil, nil)
	bob.must(http.StatusNoContent, "DELETE", "/api/friends/"+ada.id, nil, nil)
	if l := ada.friends(); len(l.Friends) != 0 {
		t.Fatalf("still friends after removal: %+v", l)
	}

	// Declining drops the request without a trace.
	cat.must(http.StatusOK, "POST", "/api/friends", map[string]any{"userId": ada.id}, nil)
	cat.refused(http.StatusNotFound, "POST", "/api/friends/"+ada.id+"/decline", nil) // not cat's to decline
	ada.must(http.StatusNoContent, "POST", "/api/friends/"+cat.id+"/decline", nil, nil)
	ada.refused(http.StatusNotFound, "POST", "/api/friends/"+cat.id+"/decline", nil)
	if l := cat.friends(); len(l.Outgoing)+len(l.Friends) != 0 {
		t.Fatalf("cat's lists after decline %+v", l)
	}
	ada.refused(http.StatusNotFound, "POST", "/api/friends/"+cat.id+"/accept", nil)

	// Asking someone who already asked you makes you friends.
	dan.must(http.StatusOK, "POST", "/api/friends", map[string]any{"userId": ada.id}, nil)
	ada.must(http.StatusOK, "POST", "/api/friends", map[string]any{"userId": dan.id}, &st)
	if st.State != rooms.Friends {
		t.Fatalf("mutual request gave %q", st.State)
	}

	if msg := ada.refused(http.StatusBadRequest, "POST", "/api/friends", map[string]any{"userId": ada.id}); !strings.Contains(msg, "yourself") {
		t.Errorf("request to self: %q", msg)
	}
	ada.refused(http.StatusBadRequest, "POST", "/api/friends", map[string]any{})
	ada.refused(http.StatusBadRequest, "POST", "/api/friends", map[string]any{"userId": bob.id, "extra": 1})
	ada.refused(http.StatusNotFound, "POST", "/api/friends", map[string]any{"userId": "0123456789abcdef0123456789abcdef"})
}

// TestBlocks checks that a block hides each person from the other's
// search and profile, turns friend requests into "No such person." either
// way, ends a friendship, and shows only in the blocker's list.
func TestBlocks(t *testing.T) {
	env := newSocialEnv(t)
	ada, bob, cat := env.signUp("Ada"), env.signUp("Bob"), env.signUp("Cat")
	ada.befriend(bob)
	if got := profileIDs(bob.search(ada.email)); !slices.Equal(got, []string{ada.id}) {
		t.Fatalf("search before the block: %v", got)
	}

	ada.must(http.StatusNoContent, "POST", "/api/blocks", map[string]any{"userId": bob.id}, nil)
	ada.must(http.StatusNoContent, "POST", "/api/blocks", map[string]any{"userId": bob.id}, nil) // twice is fine
	if l := ada.friends(); len(l.Friends) != 0 {
		t.Errorf("still friends after a block: %+v", l)
	}
	if got := bob.search(ada.email); len(got) != 0 {
		t.Errorf("the blocked person finds the blocker: %v", got)
	}
	if got := ada.search("Bob"); len(got) != 0 {
		t.Errorf("the blocker finds the blocked person: %v", got)
	}
	if got := profileIDs(cat.search("Bob")); !slices.Equal(got, []string{bob.id}) {
		t.Errorf("others still find bob: %v", got)
	}
	noSuch := bob.refused(http.StatusNotFound, "POST", "/api/friends", map[string]any{"userId": ada.id})
	if other := ada.refused(http.StatusNotFound, "POST", "/api/friends", map[string]any{"userId": bob.id}); other != noSuch {
		t.Errorf("the two sides of a block get different answers: %q and %q", noSuch, other)
	}
	unknown := bob.refused(http.StatusNotFound, "POST", "/api/friends", map[string]any{"userId": "0123456789abcdef0123456789abcdef"})
	if unknown != noSuch {
		t.Errorf("a block answers %q, an unknown account %q", noSuch, unknown)
	}
	bob.refused(http.StatusNotFound, "GET", "/api/users/"+ada.id, nil)

	var list struct {
		Blocked []socialProfile `json:"blocked"`
	}
	ada.must(http.StatusOK, "GET", "/api/blocks", nil, &list)
	if !slices.Equal(profileIDs(list.Blocked), []string{bob.id}) || list.Blocked[0].Email != "" {
		t.Errorf("ada's blocked list %+v", list.Blocked)
	}
	bob.must(http.StatusOK, "GET", "/api/blocks", nil, &list)
	if len(list.Blocked) != 0 {
		t.Errorf("bob sees who blocked him: %+v", list.Blocked)
	}

	ada.refused(http.StatusBadRequest, "POST", "/api/blocks", map[string]any{"userId": ada.id})
	ada.refused(http.StatusNotFound, "POST", "/api/blocks", map[string]any{"userId": "nobody"})

	ada.must(http.StatusNoContent, "DELETE", "/api/blocks/"+bob.id, nil, nil)
	if got := profileIDs(bob.search(ada.email)); !slices.Equal(got, []string{ada.id}) {
		t.Errorf("search after unblocking: %v", got)
	}
	bob.must(http.StatusOK, "POST", "/api/friends", map[string]any{"userId": ada.id}, nil)
}

// TestSearch checks the bounds of a search and that it leaves out the
// searcher.
func TestSearch(t *testing.T) {
	env := newSocialEnv(t)
	ada := env.signUp("Ada")
	env.signUp("Adam")
	env.signUp("Bea")
	if got := ada.search("  ada  "); len(got) != 1 || got[0].DisplayName != "Adam" {
		t.Errorf("search for ada: %+v", got)
	}
	ada.refused(http.StatusBadRequest, "GET", "/api/users?q=ad", nil)
	ada.refused(http.StatusBadRequest, "GET", "/api/users?q=%20%20ad%20%20", nil)
	ada.refused(http.StatusBadRequest, "GET", "/api/users?q="+strings.Repeat("a", 255), nil)

	// Searches are rate limited per account; another account is not slowed.
	bea := env.signUp("Bea")
	status := http.StatusOK
	for i := 0; i < 100 && status == http.StatusOK; i++ {
		status, _ = bea.do("GET", "/api/users?q=ada", nil)
	}
	if status != http.StatusTooManyRequests {
		t.Errorf("100 searches in a row: last status %d", status)
	}
	ada.search("ada")
}

// TestUpdateMe checks changing one's name and avatar.
func TestUpdateMe(t *testing.T) {
	env := newSocialEnv(t)
	ada := env.signUp("Ada")
	var got struct {
		User accountJSON `json:"user"`
	}
	ada.must(http.StatusOK, "PATCH", "/api/me", map[string]any{"displayName": "  Ada L.  ", "avatar": "🦊"}, &got)
	if got.User.DisplayName != "Ada L." || got.User.Avatar != "🦊" || got.User.Email != ada.email {
		t.Fatalf("after update %+v", got.User)
	}
	ada.must(http.StatusOK, "PATCH", "/api/me", map[string]any{"avatar": ""}, &got)
	if got.User.DisplayName != "Ada L." || got.User.Avatar != "" {
		t.Fatalf("clearing the avatar kept the name? %+v", got.User)
	}
	bob := env.signUp("Bob")
	var p struct {
		User socialProfile `json:"user"`
	}
	bob.must(http.StatusOK, "GET", "/api/users/"+ada.id, nil, &p)
	if p.User.DisplayName != "Ada L." {
		t.Errorf("others see %+v", p.User)
	}
	for _, body := range []map[string]any{
		{"displayName": ""},
		{"displayName": "a\u202eb"},
		{"avatar": "ab"},
		{"avatar": "😀😀"},
		{"email": "x@example.com"},
	} {
		if msg := ada.refused(http.StatusBadRequest, "PATCH", "/api/me", body); strings.Contains(msg, "rooms error") {
			t.Errorf("%v: message %q", body, msg)
		}
	}
}

// TestCleanAvatar is the table of avatars accepted and refused.
func TestCleanAvatar(t *testing.T) {
	good := []string{"", "🦊", "❤️", "👍🏽", "👩‍💻", "🏳️‍🌈", "🇫🇷", "☕", " 🦊 "}
	bad := []string{"a", "1", "#️⃣", "😀😀", "🦊a", "\u200d🦊", "🦊\u200d", "🇫", "🇫🇷🇩🇪", "\u202e🦊", "👨‍👩‍👧‍👦", "^", "🦊^", "\x00"}
	for _, s := range good {
		if _, err := cleanAvatar(s); err != nil {
			t.Errorf("cleanAvatar(%q) refused: %v", s, err)
		}
	}
	for _, s := range bad {
		if _, err := cleanAvatar(s); rooms.ErrorCode(err) != rooms.EINVALID {
			t.Errorf("cleanAvatar(%q) accepted", s)
		}
	}
}
