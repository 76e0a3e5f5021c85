package storetest

import (
	"testing"
	"time"

	"github.com/roomsdev/rooms/internal/rooms"
)

func testBars(t *testing.T, s rooms.Store) {
	host := mustUser(t, s, "ada@example.com")
	user := mustPerson(t, s, "grace@example.com", "Grace")
	bystander := mustUser(t, s, "linus@example.com")
	r := mustRoom(t, s, host.ID, t0)
	otherRoom := mustRoom(t, s, host.ID, t0)
	guest := mustGuest(t, s, r.ID)
	otherGuest := mustGuest(t, s, r.ID)

	// Created newest first, so insertion order cannot pass for time order.
	guestBar := &rooms.Bar{RoomID: r.ID, GuestID: guest.ID, DisplayName: "Visitor", CreatedAt: t0.Add(2 * time.Minute)}
	userBar := &rooms.Bar{RoomID: r.ID, UserID: user.ID, DisplayName: "Grace", CreatedAt: t0.Add(time.Minute)}
	for _, b := range []*rooms.Bar{guestBar, userBar} {
		if err := s.Bar(t.Context(), b); err != nil {
			t.Fatal(err)
		}
	}
	// Barring again is fine and keeps the first bar.
	again := *userBar
	again.CreatedAt, again.DisplayName = t0.Add(time.Hour), "Grace again"
	if err := s.Bar(t.Context(), &again); err != nil {
		t.Errorf("bar again: %v", err)
	}

	list, err := s.Bars(t.Context(), r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 {
		t.Fatalf("Bars = %d bars, want 2", len(list))
	}
	for i, want := range []*rooms.Bar{userBar, guestBar} {
		got := list[i]
		if got.RoomID != want.RoomID || got.UserID != want.UserID || got.GuestID != want.GuestID ||
			got.DisplayName != want.DisplayName {
			t.Errorf("bar %d = %+v, want %+v", i, got, want)
		}
		sameTime(t, "CreatedAt", got.CreatedAt, want.CreatedAt)
	}

	barred := func(room rooms.RoomID, u rooms.UserID, g rooms.GuestID, want bool) {
		t.Helper()
		got, err := s.IsBarred(t.Context(), room, u, g, "")
		if err != nil || got != want {
			t.Errorf("IsBarred(%s, %q, %q) = %v, %v; want %v", room, u, g, got, err, want)
		}
	}
	barred(r.ID, user.ID, "", true)
	barred(r.ID, "", guest.ID, true)
	barred(r.ID, bystander.ID, "", false)
	barred(r.ID, "", otherGuest.ID, false)
	barred(r.ID, "", "", false)
	barred(otherRoom.ID, user.ID, "", false) // a bar holds for its room only
	barred("no-such-room", user.ID, "", false)

	if err := s.LiftBar(t.Context(), r.ID, user.ID, ""); err != nil {
		t.Fatal(err)
	}
	barred(r.ID, user.ID, "", false)
	barred(r.ID, "", guest.ID, true)
	if err := s.LiftBar(t.Context(), r.ID, "", guest.ID); err != nil {
		t.Fatal(err)
	}
	barred(r.ID, "", guest.ID, false)
	// Lifting what is not there, or nothing, is not an error.
	for _, lift := range []struct {
		u rooms.UserID
		g rooms.GuestID
	}{{user.ID, ""}, {"", guest.ID}, {"", ""}} {
		if err := s.LiftBar(t.Context(), r.ID, lift.u, lift.g); err != nil {
			t.Errorf("LiftBar(%q, %q) again: %v", lift.u, lift.g, err)
		}
	}
	if list, err := s.Bars(t.Context(), r.ID); err != nil || len(list) != 0 {
		t.Errorf("Bars after lifting = %d, %v; want none", len(list), err)
	}

	// Barred again after a lift: the bar is new.
	if err := s.Bar(t.Context(), &again); err != nil {
		t.Fatal(err)
	}
	if list, err := s.Bars(t.Context(), r.ID); err != nil || len(list) != 1 || list[0].DisplayName != again.DisplayName {
		t.Errorf("Bars after barring again = %+v, %v", list, err)
	}
}

func testBarNotFound(t *testing.T, s rooms.Store) {
	host := mustUser(t, s, "ada@example.com")
	r := mustRoom(t, s, host.ID, t0)
	for _, b := range []*rooms.Bar{
		{RoomID: "no-such-room", UserID: host.ID, DisplayName: "Ada", CreatedAt: t0},
		{RoomID: r.ID, UserID: "no-such-user", DisplayName: "Nobody", CreatedAt: t0},
		{RoomID: r.ID, GuestID: "no-such-guest", DisplayName: "Nobody", CreatedAt: t0},
	} {
		wantCode(t, s.Bar(t.Context(), b), rooms.ENOTFOUND)
	}
	// Exactly one of the account and the guest is barred.
	g := mustGuest(t, s, r.ID)
	for _, b := range []*rooms.Bar{
		{RoomID: r.ID, DisplayName: "Nobody", CreatedAt: t0},
		{RoomID: r.ID, UserID: host.ID, GuestID: g.ID, DisplayName: "Both", CreatedAt: t0},
	} {
		if err := s.Bar(t.Context(), b); err == nil {
			t.Errorf("Bar(%+v) succeeded, want an error", b)
		}
	}
	if list, err := s.Bars(t.Context(), r.ID); err != nil || len(list) != 0 {
		t.Errorf("Bars = %d, %v; want none", len(list), err)
	}
}

// testDeviceBars: a bar carries the browsers the person came from; they
// are barred from that room only, for anyone using them, until the
// person's bar is lifted.
func testDeviceBars(t *testing.T, s rooms.Store) {
	host := mustUser(t, s, "ada@example.com")
	user := mustPerson(t, s, "grace@example.com", "Grace")
	r := mustRoom(t, s, host.ID, t0)
	otherRoom := mustRoom(t, s, host.ID, t0)
	guest := mustGuest(t, s, r.ID)
	laptop, phone, shared := rooms.DeviceID("aa01"), rooms.DeviceID("bb02"), rooms.DeviceID("cc03")

	for _, b := range []*rooms.Bar{
		{RoomID: r.ID, UserID: user.ID, Devices: []rooms.DeviceID{laptop, shared}, DisplayName: "Grace", CreatedAt: t0},
		{RoomID: r.ID, GuestID: guest.ID, Devices: []rooms.DeviceID{shared}, DisplayName: "Visitor", CreatedAt: t0},
		// Barred again from another browser: the bar stays, the browser is added.
		{RoomID: r.ID, UserID: user.ID, Devices: []rooms.DeviceID{phone}, DisplayName: "Grace", CreatedAt: t0.Add(time.Minute)},
	} {
		if err := s.Bar(t.Context(), b); err != nil {
			t.Fatal(err)
		}
	}
	barred := func(room rooms.RoomID, d rooms.DeviceID, want bool) {
		t.Helper()
		got, err := s.IsBarred(t.Context(), room, "", "", d)
		if err != nil || got != want {
			t.Errorf("IsBarred(%s, device %q) = %v, %v; want %v", room, d, got, err, want)
		}
	}
	barred(r.ID, laptop, true)
	barred(r.ID, phone, true)
	barred(r.ID, shared, true)
	barred(r.ID, "dd04", false)
	barred(r.ID, "", false)
	barred(otherRoom.ID, laptop, false)
	if list, err := s.Bars(t.Context(), r.ID); err != nil || len(list) != 2 {
		t.Errorf("Bars = %d, %v; want 2 (devices are not bars of their own)", len(list), err)
	}

	// Lifting Grace's bar frees her browsers, but not the one the guest
	// was barred from too.
	if err := s.LiftBar(t.Context(), r.ID, user.ID, ""); err != nil {
		t.Fatal(err)
	}
	barred(r.ID, laptop, false)
	barred(r.ID, phone, false)
	barred(r.ID, shared, true)
	if err := s.LiftBar(t.Context(), r.ID, "", guest.ID); err != nil {
		t.Fatal(err)
	}
	barred(r.ID, shared, false)
}
