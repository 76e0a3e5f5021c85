package storetest

import (
	"testing"
	"time"

	"github.com/roomsdev/rooms/internal/rooms"
)

// mustGroup creates a group named name, created by creator at t0.
func mustGroup(t *testing.T, s rooms.Store, creator rooms.UserID, name string) *rooms.Group {
	t.Helper()
	g := &rooms.Group{ID: rooms.GroupID(newID("group")), Name: name, CreatedBy: creator, CreatedAt: t0}
	if err := s.CreateGroup(t.Context(), g); err != nil {
		t.Fatalf("create group: %v", err)
	}
	return g
}

// mustEvent creates an event hosted by host, starting at starts.
func mustEvent(t *testing.T, s rooms.Store, host rooms.UserID, starts time.Time) *rooms.Event {
	t.Helper()
	e := &rooms.Event{ID: rooms.EventID(newID("event")), HostID: host, Title: "Party", StartsAt: starts, CreatedAt: t0}
	if err := s.CreateEvent(t.Context(), e); err != nil {
		t.Fatalf("create event: %v", err)
	}
	return e
}

// wantMembership checks whether a is a member of g, and an admin.
func wantMembership(t *testing.T, s rooms.Store, g rooms.GroupID, a rooms.UserID, member, admin bool) {
	t.Helper()
	m, ad, err := s.Membership(t.Context(), g, a)
	if err != nil || m != member || ad != admin {
		t.Errorf("Membership(%s, %s) = %v, %v, %v; want %v, %v", g, a, m, ad, err, member, admin)
	}
}

func testGroupRoundTrip(t *testing.T, s rooms.Store) {
	creator := mustUser(t, s, "ada@example.com")
	want := &rooms.Group{ID: rooms.GroupID(newID("group")), Name: "Book club 📚", CreatedBy: creator.ID, CreatedAt: t0}
	if err := s.CreateGroup(t.Context(), want); err != nil {
		t.Fatal(err)
	}
	got, err := s.GroupByID(t.Context(), want.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != want.ID || got.Name != want.Name || got.CreatedBy != want.CreatedBy {
		t.Errorf("group = %+v, want %+v", got, want)
	}
	sameTime(t, "CreatedAt", got.CreatedAt, want.CreatedAt)
	// The creator is the first admin.
	wantMembership(t, s, want.ID, creator.ID, true, true)
	members, err := s.Members(t.Context(), want.ID)
	if err != nil || len(members) != 1 || members[0] != (rooms.Member{UserID: creator.ID, Admin: true}) {
		t.Errorf("Members = %+v, %v; want the creator as admin", members, err)
	}

	dup := *want
	dup.Name = "Another"
	wantCode(t, s.CreateGroup(t.Context(), &dup), rooms.ECONFLICT)
	wantCode(t, s.CreateGroup(t.Context(), &rooms.Group{
		ID: rooms.GroupID(newID("group")), Name: "Orphans", CreatedBy: "no-such-user", CreatedAt: t0,
	}), rooms.ENOTFOUND)
	_, err = s.GroupByID(t.Context(), "no-such-group")
	wantCode(t, err, rooms.ENOTFOUND)
	if got, err := s.GroupByID(t.Context(), want.ID); err != nil || got.Name != want.Name {
		t.Errorf("group after conflict = %+v, %v", got, err)
	}
}

func testGroupMembers(t *testing.T, s rooms.Store) {
	p := people(t, s, 4)
	creator, b, c, outsider := p[0], p[1], p[2], p[3]
	g := mustGroup(t, s, creator, "Book club")
	if err := s.AddMember(t.Context(), g.ID, b, false); err != nil {
		t.Fatal(err)
	}
	if err := s.AddMember(t.Context(), g.ID, c, true); err != nil {
		t.Fatal(err)
	}
	wantMembership(t, s, g.ID, b, true, false)
	wantMembership(t, s, g.ID, c, true, true)
	wantMembership(t, s, g.ID, outsider, false, false)
	wantMembership(t, s, "no-such-group", creator, false, false)

	// Admins first, the creator (added first) before the other admin.
	members, err := s.Members(t.Context(), g.ID)
	if err != nil {
		t.Fatal(err)
	}
	wantMembers := []rooms.Member{{UserID: creator, Admin: true}, {UserID: c, Admin: true}, {UserID: b}}
	if !equal(members, wantMembers) {
		t.Errorf("Members = %+v, want %+v", members, wantMembers)
	}

	// Adding a member again changes their admin flag only.
	if err := s.AddMember(t.Context(), g.ID, b, true); err != nil {
		t.Fatal(err)
	}
	wantMembership(t, s, g.ID, b, true, true)
	if err := s.AddMember(t.Context(), g.ID, c, false); err != nil {
		t.Fatal(err)
	}
	wantMembership(t, s, g.ID, c, true, false)
	if members, err := s.Members(t.Context(), g.ID); err != nil || len(members) != 3 {
		t.Errorf("Members after changing flags = %+v, %v; want 3", members, err)
	}

	if err := s.RemoveMember(t.Context(), g.ID, c); err != nil {
		t.Fatal(err)
	}
	wantMembership(t, s, g.ID, c, false, false)
	if err := s.RemoveMember(t.Context(), g.ID, c); err != nil {
		t.Errorf("remove again: %v", err)
	}
	if err := s.RemoveMember(t.Context(), g.ID, outsider); err != nil {
		t.Errorf("remove someone never a member: %v", err)
	}

	wantCode(t, s.AddMember(t.Context(), "no-such-group", b, false), rooms.ENOTFOUND)
	wantCode(t, s.AddMember(t.Context(), g.ID, "no-such-user", false), rooms.ENOTFOUND)
	if members, err := s.Members(t.Context(), "no-such-group"); err != nil || len(members) != 0 {
		t.Errorf("Members(unknown group) = %+v, %v; want none", members, err)
	}
}

func testGroupsOf(t *testing.T, s rooms.Store) {
	p := people(t, s, 3)
	a, b, loner := p[0], p[1], p[2]
	club := mustGroup(t, s, a, "Book club")
	alpha := mustGroup(t, s, b, "Alpha team")
	mustGroup(t, s, b, "Zebra fans") // a is not in it
	if err := s.AddMember(t.Context(), alpha.ID, a, false); err != nil {
		t.Fatal(err)
	}
	groups, err := s.GroupsOf(t.Context(), a)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, g := range groups {
		names = append(names, g.Name)
	}
	if !equal(names, []string{"Alpha team", "Book club"}) {
		t.Errorf("GroupsOf(a) = %q, want [Alpha team, Book club] by name", names)
	}
	if len(groups) == 2 && (groups[1].ID != club.ID || groups[1].CreatedBy != a) {
		t.Errorf("GroupsOf(a)[1] = %+v, want %+v", groups[1], club)
	}
	if groups, err := s.GroupsOf(t.Context(), loner); err != nil || len(groups) != 0 {
		t.Errorf("GroupsOf(loner) = %+v, %v; want none", groups, err)
	}
	if err := s.RemoveMember(t.Context(), alpha.ID, a); err != nil {
		t.Fatal(err)
	}
	if groups, err := s.GroupsOf(t.Context(), a); err != nil || len(groups) != 1 || groups[0].ID != club.ID {
		t.Errorf("GroupsOf(a) after leaving = %+v, %v; want the book club only", groups, err)
	}
}

func testEventRoundTrip(t *testing.T, s rooms.Store) {
	host := mustUser(t, s, "ada@example.com")
	want := &rooms.Event{
		ID: rooms.EventID(newID("event")), HostID: host.ID, Title: "Birthday 🎂",
		StartsAt: t0.Add(48*time.Hour + 5*time.Millisecond), CreatedAt: t0,
	}
	if err := s.CreateEvent(t.Context(), want); err != nil {
		t.Fatal(err)
	}
	got, err := s.EventByID(t.Context(), want.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != want.ID || got.HostID != want.HostID || got.Title != want.Title {
		t.Errorf("event = %+v, want %+v", got, want)
	}
	sameTime(t, "StartsAt", got.StartsAt, want.StartsAt)
	sameTime(t, "CreatedAt", got.CreatedAt, want.CreatedAt)

	wantCode(t, s.CreateEvent(t.Context(), want), rooms.ECONFLICT)
	wantCode(t, s.CreateEvent(t.Context(), &rooms.Event{
		ID: rooms.EventID(newID("event")), HostID: "no-such-user", Title: "X", StartsAt: t0, CreatedAt: t0,
	}), rooms.ENOTFOUND)
	_, err = s.EventByID(t.Context(), "no-such-event")
	wantCode(t, err, rooms.ENOTFOUND)
}

func testEventGuests(t *testing.T, s rooms.Store) {
	p := people(t, s, 4)
	host, other, guest, stranger := p[0], p[1], p[2], p[3]
	mine := mustEvent(t, s, host, t0.Add(48*time.Hour))
	soon := mustEvent(t, s, other, t0.Add(24*time.Hour))
	later := mustEvent(t, s, other, t0.Add(72*time.Hour))
	mustEvent(t, s, other, t0.Add(time.Hour)) // host is not invited

	invited := func(e rooms.EventID, a rooms.UserID, want bool) {
		t.Helper()
		got, err := s.Invited(t.Context(), e, a)
		if err != nil || got != want {
			t.Errorf("Invited(%s, %s) = %v, %v; want %v", e, a, got, err, want)
		}
	}
	invited(mine.ID, host, true) // the host counts as invited
	invited(mine.ID, guest, false)
	invited("no-such-event", host, false)

	for _, inv := range []struct {
		e rooms.EventID
		a rooms.UserID
	}{{later.ID, host}, {soon.ID, host}, {soon.ID, guest}, {soon.ID, guest}, {mine.ID, host}} {
		if err := s.Invite(t.Context(), inv.e, inv.a); err != nil {
			t.Fatalf("Invite(%s, %s): %v", inv.e, inv.a, err)
		}
	}
	invited(soon.ID, host, true)
	invited(soon.ID, guest, true)
	invited(soon.ID, stranger, false)
	invited(later.ID, guest, false)

	// Soonest first, each event once (host invited to their own event too).
	events, err := s.EventsOf(t.Context(), host)
	if err != nil {
		t.Fatal(err)
	}
	var ids []rooms.EventID
	for _, e := range events {
		ids = append(ids, e.ID)
	}
	if want := []rooms.EventID{soon.ID, mine.ID, later.ID}; !equal(ids, want) {
		t.Errorf("EventsOf(host) = %v, want %v", ids, want)
	}
	if events, err := s.EventsOf(t.Context(), stranger); err != nil || len(events) != 0 {
		t.Errorf("EventsOf(stranger) = %+v, %v; want none", events, err)
	}

	guests, err := s.Guests(t.Context(), soon.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(guests) != 2 || !(guests[0] == host && guests[1] == guest || guests[0] == guest && guests[1] == host) {
		t.Errorf("Guests(soon) = %v, want %s and %s", guests, host, guest)
	}
	if guests, err := s.Guests(t.Context(), "no-such-event"); err != nil || len(guests) != 0 {
		t.Errorf("Guests(unknown) = %v, %v; want none", guests, err)
	}

	if err := s.Uninvite(t.Context(), soon.ID, host); err != nil {
		t.Fatal(err)
	}
	invited(soon.ID, host, false)
	if err := s.Uninvite(t.Context(), soon.ID, host); err != nil {
		t.Errorf("uninvite again: %v", err)
	}
	if events, err := s.EventsOf(t.Context(), host); err != nil || len(events) != 2 {
		t.Errorf("EventsOf(host) after uninvite = %d events, %v; want 2", len(events), err)
	}
	wantCode(t, s.Invite(t.Context(), "no-such-event", guest), rooms.ENOTFOUND)
	wantCode(t, s.Invite(t.Context(), soon.ID, "no-such-user"), rooms.ENOTFOUND)
}
