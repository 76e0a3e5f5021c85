package app_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/roomsdev/rooms/client"
)

// removeAndWait has the host remove c and waits until it is gone.
func removeAndWait(t *testing.T, host *account, token string, c *client.Call) {
	t.Helper()
	do(t, host.Session, http.MethodPost, "/api/rooms/"+token+"/participants/"+c.ID()+"/remove", nil, nil)
	waitEvent(t, c, "removed", 2*time.Second)
	<-c.Done()
}

// TestRemovalBarsTheBrowserToo: the removed person cannot come back from
// the same browser with another identity: a new guest, or a guest after
// signing out. Lifting the bar frees the browser too.
func TestRemovalBarsTheBrowserToo(t *testing.T) {
	s := startServer(t, 50)
	ctx := context.Background()
	host := signUp(t, s, "Host")
	room := createRoom(t, host, map[string]any{"name": "Orderly"})
	join(t, host.Session, room.Token, false)

	// A guest is removed, and tries again as a new guest.
	browser := client.NewSession(s.URL)
	if err := browser.JoinAsGuest(ctx, room.Token, "Troll"); err != nil {
		t.Fatal(err)
	}
	var me struct{ Guest struct{ ID string } }
	do(t, browser, http.MethodGet, "/api/me", nil, &me)
	removeAndWait(t, host, room.Token, join(t, browser, room.Token, false))
	do(t, host.Session, http.MethodPost, "/api/rooms/"+room.Token+"/unlock", nil, nil)
	if e := apiErr(t, browser, http.MethodPost, "/api/rooms/"+room.Token+"/guest", map[string]string{"displayName": "Not a troll"}); e.Status != http.StatusForbidden || e.Message != "You can't join this room." {
		t.Fatalf("a new guest from the removed guest's browser: %+v, want 403 You can't join this room.", e)
	}

	// An account is removed, signs out, and tries as a guest.
	acct := signUp(t, s, "Account")
	removeAndWait(t, host, room.Token, join(t, acct.Session, room.Token, false))
	do(t, host.Session, http.MethodPost, "/api/rooms/"+room.Token+"/unlock", nil, nil)
	do(t, acct.Session, http.MethodPost, "/api/auth/signout", nil, nil)
	if e := apiErr(t, acct.Session, http.MethodPost, "/api/rooms/"+room.Token+"/guest", map[string]string{"displayName": "Someone else"}); e.Status != http.StatusForbidden || e.Message != "You can't join this room." {
		t.Fatalf("a guest from the removed account's browser: %+v, want 403", e)
	}
	// Another account from that browser is turned away at the door.
	if _, err := acct.SignUp(ctx, "Second", "second-"+acct.User.Email, "correct horse battery"); err != nil {
		t.Fatal(err)
	}
	refused(t, acct.Session, room.Token, "forbidden", "You can't join this room.")
	do(t, acct.Session, http.MethodPost, "/api/auth/signout", nil, nil)

	// Other browsers are not touched.
	if _, err := tryJoin(t, guestSession(t, s, room.Token, "Bystander"), room.Token); err != nil {
		t.Fatalf("a bystander: %v", err)
	}

	// The host lifts both bars: both browsers may come back.
	do(t, host.Session, http.MethodPost, "/api/rooms/"+room.Token+"/bars/lift", map[string]string{"guestId": me.Guest.ID}, nil)
	do(t, host.Session, http.MethodPost, "/api/rooms/"+room.Token+"/bars/lift", map[string]string{"userId": acct.User.ID}, nil)
	for _, b := range []*client.Session{browser, acct.Session} {
		if err := b.JoinAsGuest(ctx, room.Token, "Back"); err != nil {
			t.Fatalf("a guest after the bar was lifted: %v", err)
		}
		if _, err := tryJoin(t, b, room.Token); err != nil {
			t.Fatalf("joining after the bar was lifted: %v", err)
		}
	}
}
