package httpapi

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/roomsdev/rooms/internal/auth"
	"github.com/roomsdev/rooms/internal/rooms"
)

// Bounds on events.
const (
	// maxEventTitle bounds an event's title, in characters.
	maxEventTitle = 100
	// maxUpcomingHosted bounds the events one person hosts that have not
	// started yet.
	maxUpcomingHosted = 100
	// eventPast is how far in the past an event may start: a host may
	// record one that began a moment ago, not rewrite history.
	eventPast = 24 * time.Hour
	// eventAhead is how far ahead an event may start.
	eventAhead = 5 * 365 * 24 * time.Hour
)

// eventJSON is an event as its host or a guest sees it.
type eventJSON struct {
	ID       string      `json:"id"`
	Title    string      `json:"title"`
	StartsAt time.Time   `json:"startsAt"`
	Host     profileJSON `json:"host"`
	IsHost   bool        `json:"isHost"`
}

// eventWithGuestsJSON is one event with its guest list, as answered when
// one event is asked for (lists leave guests out).
type eventWithGuestsJSON struct {
	eventJSON
	Guests []profileJSON `json:"guests"`
}

func errNoSuchEvent() error { return rooms.Errorf(rooms.ENOTFOUND, "No such event.") }

// eventFor loads the event {id} for me, who must be its host or a guest:
// to anyone else it does not exist.
func (s *Server) eventFor(ctx context.Context, r *http.Request, me rooms.UserID) (*rooms.Event, error) {
	id := rooms.EventID(r.PathValue("id"))
	if !wellFormedID(string(id)) {
		return nil, errNoSuchEvent()
	}
	e, err := s.store.EventByID(ctx, id)
	if rooms.ErrorCode(err) == rooms.ENOTFOUND {
		return nil, errNoSuchEvent()
	} else if err != nil {
		return nil, err
	}
	if e.HostID == me {
		return e, nil
	}
	invited, err := s.store.Invited(ctx, e.ID, me)
	if err != nil {
		return nil, err
	}
	if !invited {
		return nil, errNoSuchEvent()
	}
	return e, nil
}

// eventSummary builds the event as v sees it, without guests.
func (s *Server) eventSummary(ctx context.Context, v *viewer, e *rooms.Event) (eventJSON, error) {
	host, err := s.loadProfile(ctx, v, e.HostID)
	if err != nil {
		return eventJSON{}, err
	}
	return eventJSON{
		ID: string(e.ID), Title: e.Title, StartsAt: e.StartsAt.UTC(), Host: host, IsHost: e.HostID == v.id,
	}, nil
}

// eventWithGuests builds the event as v sees it, with its guests (the
// host is not listed among them).
func (s *Server) eventWithGuests(ctx context.Context, v *viewer, e *rooms.Event) (*eventWithGuestsJSON, error) {
	base, err := s.eventSummary(ctx, v, e)
	if err != nil {
		return nil, err
	}
	ids, err := s.store.Guests(ctx, e.ID)
	if err != nil {
		return nil, err
	}
	ids = slices.DeleteFunc(ids, func(id rooms.UserID) bool { return id == e.HostID })
	guests, err := s.loadProfiles(ctx, v, ids)
	if err != nil {
		return nil, err
	}
	return &eventWithGuestsJSON{eventJSON: base, Guests: guests}, nil
}

// parseStartsAt reads an event's start time: RFC 3339, within bounds.
func parseStartsAt(s string, now time.Time) (time.Time, error) {
	t, err := time.Parse(time.RFC3339, strings.TrimSpace(s))
	if err != nil {
		return time.Time{}, rooms.Errorf(rooms.EINVALID,
			"The start time must be a date and time such as 2030-06-01T18:00:00Z (RFC 3339).")
	}
	if t.Before(now.Add(-eventPast)) || t.After(now.Add(eventAhead)) {
		return time.Time{}, rooms.Errorf(rooms.EINVALID,
			"The start time must be no more than a day in the past and no more than five years ahead.")
	}
	return t.UTC(), nil
}

// handleCreateEvent creates an event hosted by the caller, with the
// guests it names. Every guest is checked before anything is stored.
func (s *Server) handleCreateEvent(w http.ResponseWriter, r *http.Request) {
	me, ok := s.signedIn(w, r, "create an event")
	if !ok {
		return
	}
	var req struct {
		Title    string   `json:"title"`
		StartsAt string   `json:"startsAt"`
		Guests   []string `json:"guests"`
	}
	if err := decodeJSON(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	title, err := rooms.CleanText(req.Title, "The title", 1, maxEventTitle)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	now := time.Now().UTC()
	startsAt, err := parseStartsAt(req.StartsAt, now)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	ctx := r.Context()
	guests, err := s.checkGuests(ctx, me, req.Guests)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := s.checkUpcomingHosted(ctx, me, now); err != nil {
		s.writeError(w, r, err)
		return
	}
	e := &rooms.Event{ID: rooms.EventID(auth.NewID()), HostID: me, Title: title, StartsAt: startsAt, CreatedAt: now}
	if err := s.store.CreateEvent(ctx, e); err != nil {
		s.writeError(w, r, err)
		return
	}
	for _, g := range guests {
		if err := s.store.Invite(ctx, e.ID, g); err != nil {
			s.writeError(w, r, err)
			return
		}
	}
	s.dropIns.notify(guests...)
	v, err := s.viewerOf(ctx, me)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out, err := s.eventWithGuests(ctx, v, e)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.log.InfoContext(ctx, "event created", "event", e.ID)
	writeJSON(w, http.StatusCreated, map[string]any{"event": out})
}

// checkGuests checks a new event's guest list: at most maxEventGuests
// people the host may deal with. Duplicates and the host are dropped.
func (s *Server) checkGuests(ctx context.Context, me rooms.UserID, ids []string) ([]rooms.UserID, error) {
	if len(ids) > maxEventGuests {
		return nil, rooms.Errorf(rooms.EINVALID, "An event can have at most %d guests.", maxEventGuests)
	}
	var out []rooms.UserID
	for _, raw := range ids {
		id, err := bodyUserID(raw)
		if err != nil {
			return nil, rooms.Errorf(rooms.EINVALID, "A guest's id is empty.")
		}
		if id == me || slices.Contains(out, id) {
			continue
		}
		if _, err := s.visiblePerson(ctx, me, id, ""); err != nil {
			if rooms.ErrorCode(err) == rooms.ENOTFOUND && wellFormedID(string(id)) {
				err = rooms.Errorf(rooms.ENOTFOUND, "No such person: %s.", id)
			}
			return nil, err
		}
		out = append(out, id)
	}
	return out, nil
}

// checkUpcomingHosted checks that me may host one more upcoming event.
func (s *Server) checkUpcomingHosted(ctx context.Context, me rooms.UserID, now time.Time) error {
	events, err := s.store.EventsOf(ctx, me)
	if err != nil {
		return err
	}
	n := 0
	for _, e := range events {
		if e.HostID == me && e.StartsAt.After(now) {
			n++
		}
	}
	if n >= maxUpcomingHosted {
		return rooms.Errorf(rooms.ECONFLICT, "You are hosting %d upcoming events, the most there can be.", maxUpcomingHosted)
	}
	return nil
}

// handleListEvents lists the events the caller hosts or is invited to,
// soonest first, without their guests.
func (s *Server) handleListEvents(w http.ResponseWriter, r *http.Request) {
	me, ok := s.signedIn(w, r, "see your events")
	if !ok {
		return
	}
	ctx := r.Context()
	events, err := s.store.EventsOf(ctx, me)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if len(events) > maxListed {
		events = events[:maxListed]
	}
	v, err := s.viewerOf(ctx, me)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := make([]eventJSON, 0, len(events))
	for _, e := range events {
		j, err := s.eventSummary(ctx, v, e)
		if rooms.ErrorCode(err) == rooms.ENOTFOUND {
			continue // the host's account is gone
		} else if err != nil {
			s.writeError(w, r, err)
			return
		}
		out = append(out, j)
	}
	writeJSON(w, http.StatusOK, map[string]any{"events": out})
}

// handleGetEvent answers an event with its guests, to its host and guests
// only.
func (s *Server) handleGetEvent(w http.ResponseWriter, r *http.Request) {
	me, ok := s.signedIn(w, r, "see your events")
	if !ok {
		return
	}
	ctx := r.Context()
	e, err := s.eventFor(ctx, r, me)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	v, err := s.viewerOf(ctx, me)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out, err := s.eventWithGuests(ctx, v, e)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"event": out})
}

// handleInvite invites a person to the event; only its host may.
func (s *Server) handleInvite(w http.ResponseWriter, r *http.Request) {
	me, ok := s.signedIn(w, r, "invite guests")
	if !ok {
		return
	}
	ctx := r.Context()
	e, err := s.eventFor(ctx, r, me)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if e.HostID != me {
		s.writeError(w, r, rooms.Errorf(rooms.EFORBIDDEN, "Only the host can invite guests."))
		return
	}
	var req userIDRequest
	if err := decodeJSON(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	other, err := bodyUserID(req.UserID)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	u, err := s.visiblePerson(ctx, me, other, "You are the host of this event.")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	invited, err := s.store.Invited(ctx, e.ID, other)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	status := http.StatusOK
	if !invited {
		guests, err := s.store.Guests(ctx, e.ID)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		if len(guests) >= maxEventGuests {
			s.writeError(w, r, rooms.Errorf(rooms.ECONFLICT, "An event can have at most %d guests.", maxEventGuests))
			return
		}
		if err := s.store.Invite(ctx, e.ID, other); err != nil {
			s.writeError(w, r, err)
			return
		}
		s.dropIns.notify(other)
		status = http.StatusCreated
	}
	v, err := s.viewerOf(ctx, me)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, status, map[string]any{"guest": v.profileOf(u)})
}

// handleUninvite takes {userId} off the guest list: the host may remove
// anyone, a guest only themselves.
func (s *Server) handleUninvite(w http.ResponseWriter, r *http.Request) {
	me, ok := s.signedIn(w, r, "manage your events")
	if !ok {
		return
	}
	ctx := r.Context()
	e, err := s.eventFor(ctx, r, me)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	other := rooms.UserID(r.PathValue("userId"))
	switch {
	case other == e.HostID:
		s.writeError(w, r, rooms.Errorf(rooms.EINVALID, "The host can't be taken off their own event."))
		return
	case other != me && e.HostID != me:
		s.writeError(w, r, rooms.Errorf(rooms.EFORBIDDEN, "Only the host can remove guests."))
		return
	case !wellFormedID(string(other)):
		s.writeError(w, r, errNoSuchPerson())
		return
	}
	err = s.store.Uninvite(ctx, e.ID, other)
	s.dropIns.notify(other)
	s.deleted(w, r, err)
}
