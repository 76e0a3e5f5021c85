package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/roomsdev/rooms/internal/rooms"
)

// Drop-in: the active rooms a person may join — their friends', their
// groups', their events' — with the friends already inside, joined in one
// click. Rooms with someone they blocked, or who blocked them, never show.

type dropInJSON struct {
	ID    string   `json:"id"`
	Token string   `json:"token,omitempty"` // only while link sharing is on
	Name  string   `json:"name"`
	Theme string   `json:"theme"`
	Kind  string   `json:"kind"`
	Host  hostJSON `json:"host"`
	// ContextName is the group's name (group rooms) or the event's title
	// (event rooms), for people in that group or invited to that event:
	// what an unnamed room is known by.
	ContextName string   `json:"contextName,omitempty"`
	Friends     []string `json:"friends"` // friends inside, by name, not counting you
	Others      int      `json:"others"`  // everyone else inside, as a count, not counting you
	Count       int      `json:"count"`   // everyone inside, you included
	// SelfInside: you are in the call already (from another tab or device).
	SelfInside bool `json:"selfInside,omitempty"`
}

// dropInList computes who's drop-in list.
func (s *Server) dropInList(ctx context.Context, who rooms.Identity) ([]dropInJSON, error) {
	out := []dropInJSON{}
	for _, ac := range s.calls.ActiveCalls() {
		room := &ac.Room
		visible, err := s.dir.InVisibleSet(ctx, room, who.UserID)
		if err != nil {
			return nil, err
		}
		if !visible {
			continue
		}
		inside := make([]rooms.UserID, 0, len(ac.People))
		for _, p := range ac.People {
			if p.UserID != "" {
				inside = append(inside, p.UserID)
			}
		}
		f, err := s.dir.Facts(ctx, room, who, inside)
		if err != nil {
			return nil, err
		}
		f.Inside, f.Capacity, f.CallOpen = len(ac.People), s.cfg.Capacity, true
		if !rooms.ShowsInDropIn(room, who, f, visible) {
			continue
		}
		item, err := s.dropInItem(ctx, who, room, ac.People)
		if err != nil {
			return nil, err
		}
		out = append(out, item)
	}
	return out, nil
}

func (s *Server) dropInItem(ctx context.Context, who rooms.Identity, room *rooms.Room, people []rooms.Identity) (dropInJSON, error) {
	host, err := s.store.UserByID(ctx, room.HostID)
	if err != nil {
		return dropInJSON{}, err
	}
	item := dropInJSON{
		ID: string(room.ID), Name: room.Name, Theme: room.Theme, Kind: string(room.Kind),
		Host:    hostJSON{ID: string(host.ID), DisplayName: host.DisplayName, Avatar: host.Avatar},
		Friends: []string{}, Count: len(people),
	}
	if rooms.CanSeeLink(room, who) {
		item.Token = string(room.Token)
	}
	if item.ContextName, err = s.contextName(ctx, who, room); err != nil {
		return dropInJSON{}, err
	}
	for _, p := range people {
		if p.UserID == who.UserID {
			item.SelfInside = true // in another tab, or twice: counted once, as you
			continue
		}
		if p.UserID != "" {
			state, err := s.store.FriendState(ctx, who.UserID, p.UserID)
			if err != nil {
				return dropInJSON{}, err
			}
			if state == rooms.Friends {
				item.Friends = append(item.Friends, p.DisplayName)
				continue
			}
		}
		item.Others++
	}
	return item, nil
}

// contextName is the name of the group or event room belongs to, if who
// is in that group or invited to (or hosts) that event; "" otherwise.
func (s *Server) contextName(ctx context.Context, who rooms.Identity, room *rooms.Room) (string, error) {
	switch room.Kind {
	case rooms.GroupRoom:
		member, _, err := s.store.Membership(ctx, room.GroupID, who.UserID)
		if err != nil || !member {
			return "", err
		}
		g, err := s.store.GroupByID(ctx, room.GroupID)
		if err != nil {
			return "", fmt.Errorf("load group: %w", err)
		}
		return g.Name, nil
	case rooms.EventRoom:
		ev, err := s.store.EventByID(ctx, room.EventID)
		if err != nil {
			return "", fmt.Errorf("load event: %w", err)
		}
		if ev.HostID == who.UserID {
			return ev.Title, nil
		}
		invited, err := s.store.Invited(ctx, room.EventID, who.UserID)
		if err != nil || !invited {
			return "", err
		}
		return ev.Title, nil
	}
	return "", nil
}

// accountOnly resolves an account identity or answers 401.
func (s *Server) accountOnly(w http.ResponseWriter, r *http.Request, what string) (rooms.Identity, bool) {
	id, err := s.identity(r.Context(), r)
	if err != nil {
		s.writeError(w, r, err)
		return id, false
	}
	if id.UserID == "" {
		s.writeError(w, r, rooms.Errorf(rooms.EUNAUTHORIZED, "Sign in to %s.", what))
		return id, false
	}
	return id, true
}

func (s *Server) handleDropIn(w http.ResponseWriter, r *http.Request) {
	id, ok := s.accountOnly(w, r, "see rooms to drop in to")
	if !ok {
		return
	}
	list, err := s.dropInList(r.Context(), id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"rooms": list})
}

// handleDropInStream sends the drop-in list as server-sent events: at
// once, then whenever it changes: when anyone comes or goes, a room
// changes, or the social graph changes around this person (dropIns).
func (s *Server) handleDropInStream(w http.ResponseWriter, r *http.Request) {
	id, ok := s.accountOnly(w, r, "see rooms to drop in to")
	if !ok {
		return
	}
	rc := http.NewResponseController(w)
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	ctx := r.Context()
	heartbeat := time.NewTicker(25 * time.Second)
	defer heartbeat.Stop()
	s.dropIns.start(id.UserID)
	defer s.dropIns.stop(id.UserID)
	var last []byte
	for {
		changed, mine := s.calls.Changed(), s.dropIns.changed(id.UserID)
		list, err := s.dropInList(ctx, id)
		if err != nil {
			return
		}
		b, _ := json.Marshal(map[string]any{"rooms": list})
		if !bytes.Equal(b, last) {
			if _, err := fmt.Fprintf(w, "event: dropin\ndata: %s\n\n", b); err != nil {
				return
			}
			if err := rc.Flush(); err != nil {
				return
			}
			last = b
		}
		select {
		case <-ctx.Done():
			return
		case <-heartbeat.C:
			if _, err := fmt.Fprint(w, ": keep-alive\n\n"); err != nil || rc.Flush() != nil {
				return
			}
			continue
		case <-changed: // someone came or went, or a room changed
		case <-mine: // the graph changed around this person
		}
		// Let a burst of joins settle into one update.
		select {
		case <-ctx.Done():
			return
		case <-time.After(250 * time.Millisecond):
		}
	}
}

// dropInRoom resolves {id} for a drop-in: only people the room is shown to
// find it; everyone else gets the same 404 as an unknown room.
func (s *Server) dropInRoom(w http.ResponseWriter, r *http.Request) (*rooms.Room, rooms.Identity, bool) {
	id, ok := s.accountOnly(w, r, "drop in")
	if !ok {
		return nil, id, false
	}
	notFound := rooms.Errorf(rooms.ENOTFOUND, "This room doesn't exist.")
	room, err := s.store.RoomByID(r.Context(), rooms.RoomID(r.PathValue("id")))
	if err != nil {
		if rooms.ErrorCode(err) == rooms.ENOTFOUND {
			err = notFound
		}
		s.writeError(w, r, err)
		return nil, id, false
	}
	visible, err := s.dir.InVisibleSet(r.Context(), room, id.UserID)
	if err != nil {
		s.writeError(w, r, err)
		return nil, id, false
	}
	if !visible && !rooms.CanManage(room, id) {
		s.writeError(w, r, notFound)
		return nil, id, false
	}
	if room.Ended() {
		s.writeError(w, r, errEnded())
		return nil, id, false
	}
	return room, id, true
}

func (s *Server) handleDropInRoom(w http.ResponseWriter, r *http.Request) {
	room, id, ok := s.dropInRoom(w, r)
	if !ok {
		return
	}
	s.writeRoomForJoin(w, r, room, id)
}

func (s *Server) handleDropInWS(w http.ResponseWriter, r *http.Request) {
	room, id, ok := s.dropInRoom(w, r)
	if !ok {
		return
	}
	s.calls.ServeWS(w, r, room, id)
}

// handleDropInReport reports a room joined by drop-in, where the person
// may never have had the link.
func (s *Server) handleDropInReport(w http.ResponseWriter, r *http.Request) {
	room, _, ok := s.dropInRoom(w, r)
	if !ok {
		return
	}
	s.handleReport(w, r, room)
}
