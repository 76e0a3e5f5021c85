package app_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/roomsdev/rooms/internal/rooms"
)

func makeModerator(t *testing.T, s *server, a *account) {
	t.Helper()
	if err := s.Store.SetModerator(context.Background(), rooms.UserID(a.User.ID), true); err != nil {
		t.Fatal(err)
	}
}

type reportList struct {
	Reports []struct {
		ID, RoomID, RoomName, Reason, ReporterName string
		Inside                                     []struct {
			DisplayName string
			Host        bool
		}
	}
}

func TestReportsReachModeratorsWithoutMediaOrTheReportersName(t *testing.T) {
	s := startServer(t, 50)
	host := signUp(t, s, "Host")
	mod := signUp(t, s, "Mod")
	makeModerator(t, s, mod)
	room := createRoom(t, host, map[string]any{"name": "Reported room"})
	h := join(t, host.Session, room.Token, false)
	g := joinAsGuestWith(t, s, room.Token, "Witness", false)

	// Only people in the call may report.
	outsider := signUp(t, s, "Outsider")
	if e := apiErr(t, outsider.Session, http.MethodPost, "/api/rooms/"+room.Token+"/report", map[string]string{"reason": "spam"}); e.Status != http.StatusForbidden {
		t.Fatalf("report by someone not in the call: %d, want 403", e.Status)
	}
	if e := apiErr(t, g.Session(), http.MethodPost, "/api/rooms/"+room.Token+"/report", map[string]string{"reason": " "}); e.Status != http.StatusBadRequest {
		t.Fatalf("report without a reason: %d, want 400", e.Status)
	}
	do(t, g.Session(), http.MethodPost, "/api/rooms/"+room.Token+"/report", map[string]string{"reason": "Offensive room name"}, nil)

	// The host is told nothing and cannot read reports.
	select {
	case e := <-h.Events():
		if e.Type == "error" || e.Type == "roomUpdated" {
			t.Fatalf("the host got %+v after a report", e)
		}
	case <-time.After(300 * time.Millisecond):
	}
	if e := apiErr(t, host.Session, http.MethodGet, "/api/mod/reports", nil); e.Status != http.StatusForbidden {
		t.Fatalf("host reading reports: %d, want 403", e.Status)
	}

	var list reportList
	do(t, mod.Session, http.MethodGet, "/api/mod/reports", nil, &list)
	if len(list.Reports) != 1 {
		t.Fatalf("%d reports, want 1", len(list.Reports))
	}
	r := list.Reports[0]
	if r.RoomName != "Reported room" || r.Reason != "Offensive room name" || r.ReporterName != "Witness" || len(r.Inside) != 2 {
		t.Fatalf("report %+v: want the room name, the reason, the reporter and the two inside", r)
	}

	// The moderator ends the room: everyone is told and it never opens.
	do(t, mod.Session, http.MethodPost, "/api/mod/rooms/"+r.RoomID+"/end", nil, nil)
	waitEvent(t, h, "roomEnded", 2*time.Second)
	waitEvent(t, g, "roomEnded", 2*time.Second)
	do(t, mod.Session, http.MethodPost, "/api/mod/reports/"+r.ID+"/resolve", nil, nil)
	do(t, mod.Session, http.MethodGet, "/api/mod/reports", nil, &list)
	if len(list.Reports) != 0 {
		t.Fatalf("resolved report still listed as open: %+v", list.Reports)
	}
}

func TestSuspendedAccountsAreDroppedAndShutOut(t *testing.T) {
	s := startServer(t, 50)
	host := signUp(t, s, "Host")
	mod := signUp(t, s, "Mod")
	makeModerator(t, s, mod)
	bad := signUp(t, s, "Bad")
	room := createRoom(t, host, map[string]any{"name": "R"})
	h := join(t, host.Session, room.Token, false)
	b := join(t, bad.Session, room.Token, false)

	if e := apiErr(t, bad.Session, http.MethodPost, "/api/mod/users/"+host.User.ID+"/suspend", nil); e.Status != http.StatusForbidden {
		t.Fatalf("non-moderator suspending: %d, want 403", e.Status)
	}
	do(t, mod.Session, http.MethodPost, "/api/mod/users/"+bad.User.ID+"/suspend", nil, nil)
	e := waitEvent(t, b, "error", 2*time.Second)
	for !e.Fatal {
		e = waitEvent(t, b, "error", 2*time.Second)
	}
	if e.Message != "Your account has been suspended." {
		t.Fatalf("suspended participant got %+v", e)
	}
	eventually(t, 2*time.Second, "the host to see them gone", func() bool { return len(h.Participants()) == 0 })
	// Signed out everywhere, and cannot sign in again.
	var me struct{ User *struct{ ID string } }
	do(t, bad.Session, http.MethodGet, "/api/me", nil, &me)
	if me.User != nil {
		t.Fatal("the suspended account's session still works")
	}
	if _, err := bad.SignIn(context.Background(), bad.User.Email, "correct horse battery"); err == nil {
		t.Fatal("a suspended account signed in")
	}
	// Lifting the suspension lets them back.
	do(t, mod.Session, http.MethodPost, "/api/mod/users/"+bad.User.ID+"/unsuspend", nil, nil)
	if _, err := bad.SignIn(context.Background(), bad.User.Email, "correct horse battery"); err != nil {
		t.Fatal(err)
	}
}
