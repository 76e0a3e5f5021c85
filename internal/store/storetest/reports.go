package storetest

import (
	"slices"
	"testing"
	"time"

	"github.com/roomsdev/rooms/internal/rooms"
)

// sameReport compares every field of two reports.
func sameReport(t *testing.T, got, want *rooms.Report) {
	t.Helper()
	if got.ID != want.ID || got.RoomID != want.RoomID || got.RoomName != want.RoomName ||
		got.Reason != want.Reason || got.ReporterUser != want.ReporterUser ||
		got.ReporterGuest != want.ReporterGuest || got.ReporterName != want.ReporterName {
		t.Errorf("report = %+v, want %+v", got, want)
	}
	if !slices.Equal(got.Inside, want.Inside) {
		t.Errorf("report %s Inside = %+v, want %+v", want.ID, got.Inside, want.Inside)
	}
	sameTime(t, "CreatedAt", got.CreatedAt, want.CreatedAt)
	switch {
	case (got.ResolvedAt == nil) != (want.ResolvedAt == nil):
		t.Errorf("report %s ResolvedAt = %v, want %v", want.ID, got.ResolvedAt, want.ResolvedAt)
	case got.ResolvedAt != nil:
		sameTime(t, "ResolvedAt", *got.ResolvedAt, *want.ResolvedAt)
	}
}

func testReportRoundTrip(t *testing.T, s rooms.Store) {
	host := mustPerson(t, s, "ada@example.com", "Ada")
	member := mustPerson(t, s, "grace@example.com", "Grace")
	r := mustRoom(t, s, host.ID, t0)
	g := mustGuest(t, s, r.ID)
	byGuest := &rooms.Report{
		ID: rooms.ReportID(newID("report")), RoomID: r.ID, RoomName: "Standup ☕",
		Reason: "Shouting \"in quotes\", and <markup>", ReporterGuest: g.ID, ReporterName: "Visitor",
		Inside: []rooms.ReportedPerson{
			{UserID: host.ID, DisplayName: "Ada", Host: true},
			{UserID: member.ID, DisplayName: "Grace"},
			{GuestID: g.ID, DisplayName: "Visitor 🙂"},
		},
		CreatedAt: t0,
	}
	byUser := &rooms.Report{
		ID: rooms.ReportID(newID("report")), RoomID: r.ID, RoomName: "Standup ☕",
		Reason: "Spam", ReporterUser: member.ID, ReporterName: "Grace",
		Inside:    []rooms.ReportedPerson{},
		CreatedAt: t0.Add(time.Minute),
	}
	for _, rep := range []*rooms.Report{byGuest, byUser} {
		if err := s.CreateReport(t.Context(), rep); err != nil {
			t.Fatal(err)
		}
	}
	list, err := s.Reports(t.Context(), false, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 {
		t.Fatalf("Reports = %d, want 2", len(list))
	}
	sameReport(t, list[0], byUser)
	sameReport(t, list[1], byGuest)

	// A report without anyone inside reads back as an empty list.
	empty := &rooms.Report{
		ID: rooms.ReportID(newID("report")), RoomID: r.ID, RoomName: "Standup",
		Reason: "Empty", ReporterUser: host.ID, ReporterName: "Ada", CreatedAt: t0.Add(time.Hour),
	}
	if err := s.CreateReport(t.Context(), empty); err != nil {
		t.Fatal(err)
	}
	if list, err := s.Reports(t.Context(), false, 1); err != nil || len(list) != 1 || list[0].ID != empty.ID || len(list[0].Inside) != 0 {
		t.Errorf("Reports(limit 1) = %+v, %v; want the empty report", list, err)
	}

	wantCode(t, s.CreateReport(t.Context(), byUser), rooms.ECONFLICT)
	unknown := *byUser
	unknown.ID, unknown.RoomID = rooms.ReportID(newID("report")), "no-such-room"
	wantCode(t, s.CreateReport(t.Context(), &unknown), rooms.ENOTFOUND)
}

func testResolveReport(t *testing.T, s rooms.Store) {
	host := mustUser(t, s, "ada@example.com")
	r := mustRoom(t, s, host.ID, t0)
	reports := make([]*rooms.Report, 3)
	// Created newest first, so insertion order cannot pass for time order.
	for i := len(reports) - 1; i >= 0; i-- {
		reports[i] = &rooms.Report{
			ID: rooms.ReportID(newID("report")), RoomID: r.ID, RoomName: "Standup",
			Reason: "Reason", ReporterUser: host.ID, ReporterName: "Ada",
			CreatedAt: t0.Add(time.Duration(i) * time.Minute),
		}
		if err := s.CreateReport(t.Context(), reports[i]); err != nil {
			t.Fatal(err)
		}
	}
	resolved := t0.Add(time.Hour)
	if err := s.ResolveReport(t.Context(), reports[1].ID, resolved); err != nil {
		t.Fatal(err)
	}
	// Resolving again keeps the first time.
	if err := s.ResolveReport(t.Context(), reports[1].ID, resolved.Add(time.Hour)); err != nil {
		t.Errorf("resolve again: %v", err)
	}
	reports[1].ResolvedAt = &resolved

	ids := func(all bool, limit int) []rooms.ReportID {
		t.Helper()
		list, err := s.Reports(t.Context(), all, limit)
		if err != nil {
			t.Fatal(err)
		}
		var out []rooms.ReportID
		for _, rep := range list {
			out = append(out, rep.ID)
			if rep.ID == reports[1].ID {
				sameReport(t, rep, reports[1])
			}
		}
		return out
	}
	if got, want := ids(false, 10), []rooms.ReportID{reports[2].ID, reports[0].ID}; !equal(got, want) {
		t.Errorf("open reports = %v, want %v", got, want)
	}
	if got, want := ids(true, 10), []rooms.ReportID{reports[2].ID, reports[1].ID, reports[0].ID}; !equal(got, want) {
		t.Errorf("all reports = %v, want %v", got, want)
	}
	if got, want := ids(true, 2), []rooms.ReportID{reports[2].ID, reports[1].ID}; !equal(got, want) {
		t.Errorf("all reports, limit 2 = %v, want %v", got, want)
	}
	if got := ids(true, 0); len(got) != 0 {
		t.Errorf("limit 0 = %v, want none", got)
	}
	wantCode(t, s.ResolveReport(t.Context(), "no-such-report", resolved), rooms.ENOTFOUND)
}
