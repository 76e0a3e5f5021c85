package httpapi

import (
	"context"
	"net/http"
	"time"

	"github.com/roomsdev/rooms/internal/auth"
	"github.com/roomsdev/rooms/internal/rooms"
)

// The host's controls: settings, lock, unlock, remove, mute, bars, end.
// Each is authorised here with rooms.CanManage, stored, then pushed to the
// live call.

// hostOnly wraps a room handler so only the room's host gets through. Other
// people are told plainly; nobody learns more about the room than GET does
// (an ended room has answered 410 to everyone before this, in lookup).
func (s *Server) hostOnly(h func(w http.ResponseWriter, r *http.Request, room *rooms.Room, id rooms.Identity)) roomHandler {
	return func(w http.ResponseWriter, r *http.Request, room *rooms.Room) {
		id, err := s.identity(r.Context(), r)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		if !rooms.CanManage(room, id) {
			s.writeError(w, r, rooms.Errorf(rooms.EFORBIDDEN, "Only the host can do that."))
			return
		}
		h(w, r, room, id)
	}
}

// writeRoom answers with the room as id sees it.
func (s *Server) writeRoom(w http.ResponseWriter, r *http.Request, room *rooms.Room, id rooms.Identity) {
	out, err := s.roomJSON(r.Context(), r, room, id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"room": out})
}

func (s *Server) handleUpdateRoom(w http.ResponseWriter, r *http.Request, room *rooms.Room, id rooms.Identity) {
	var req struct {
		Name        *string `json:"name"`
		Theme       *string `json:"theme"`
		Visibility  *string `json:"visibility"`
		JoinPolicy  *string `json:"joinPolicy"`
		LinkSharing *bool   `json:"linkSharing"`
	}
	if err := decodeJSON(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	var name, theme string
	var err error
	if req.Name != nil {
		if name, err = rooms.CleanText(*req.Name, "The room name", 0, rooms.MaxRoomName); err != nil {
			s.writeError(w, r, err)
			return
		}
	}
	if req.Theme != nil {
		if theme, err = rooms.CleanText(*req.Theme, "The theme", 0, rooms.MaxTheme); err != nil {
			s.writeError(w, r, err)
			return
		}
	}
	// Applied to the room as it is live (its lock may have changed since
	// the lookup), and stored with it.
	next, err := s.calls.ChangeRoom(r.Context(), room, func(next *rooms.Room) error {
		if req.Name != nil {
			next.Name = name
		}
		if req.Theme != nil {
			next.Theme = theme
		}
		applySettings(&next.Settings, req.Visibility, req.JoinPolicy, req.LinkSharing)
		return rooms.ValidateSettings(next.Kind, next.Settings)
	}, s.store.UpdateRoom)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeRoom(w, r, next, id)
}

func (s *Server) handleLock(w http.ResponseWriter, r *http.Request, room *rooms.Room, id rooms.Identity) {
	s.setLocked(w, r, room, id, true, rooms.LockedByHost)
}

func (s *Server) handleUnlock(w http.ResponseWriter, r *http.Request, room *rooms.Room, id rooms.Identity) {
	s.setLocked(w, r, room, id, false, "")
}

func (s *Server) setLocked(w http.ResponseWriter, r *http.Request, room *rooms.Room, id rooms.Identity, locked bool, reason rooms.LockReason) {
	next, err := s.lock(r, room, locked, reason)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeRoom(w, r, next, id)
}

// lock stores the lock state and pushes it to the call, in turn with the
// room's other changes (Calls.ChangeRoom).
func (s *Server) lock(r *http.Request, room *rooms.Room, locked bool, reason rooms.LockReason) (*rooms.Room, error) {
	if !locked {
		reason = ""
	}
	return s.calls.ChangeRoom(r.Context(), room, func(next *rooms.Room) error {
		next.Locked, next.LockReason = locked, reason
		return nil
	}, func(ctx context.Context, next *rooms.Room) error {
		return s.store.SetRoomLocked(ctx, next.ID, next.Locked, next.LockReason)
	})
}

// findPresence returns the person with that participant id in the room.
func (s *Server) findPresence(room *rooms.Room, pid string) (rooms.Presence, bool) {
	for _, p := range s.calls.People(room.ID) {
		if string(p.ParticipantID) == pid {
			return p, true
		}
	}
	return rooms.Presence{}, false
}

// handleRemove removes a participant: barred from the room for good (until
// the host lifts it), disconnected at once, and the room locks itself.
func (s *Server) handleRemove(w http.ResponseWriter, r *http.Request, room *rooms.Room, id rooms.Identity) {
	p, ok := s.findPresence(room, r.PathValue("participant"))
	if !ok {
		s.writeError(w, r, rooms.Errorf(rooms.ENOTFOUND, "That person is not in the room."))
		return
	}
	if p.Host {
		s.writeError(w, r, rooms.Errorf(rooms.EINVALID, "The host cannot remove themselves; leave or end the room instead."))
		return
	}
	// Bar first, so there is no moment in which they could come back:
	// the person, and every browser they are in the room from.
	bar := &rooms.Bar{RoomID: room.ID, UserID: p.Identity.UserID, GuestID: p.Identity.GuestID,
		DisplayName: p.Identity.DisplayName, CreatedAt: time.Now().UTC()}
	for _, q := range s.calls.People(room.ID) {
		if samePerson(q.Identity, p.Identity) && q.Identity.Device != "" {
			bar.Devices = append(bar.Devices, q.Identity.Device)
		}
	}
	if err := s.store.Bar(r.Context(), bar); err != nil {
		s.writeError(w, r, err)
		return
	}
	next, err := s.lock(r, room, true, rooms.LockedByRemoval)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.calls.Remove(room.ID, p.ParticipantID)
	s.log.InfoContext(r.Context(), "participant removed", "room", room.ID, "participant", p.ParticipantID)
	s.writeRoom(w, r, next, id)
}

// samePerson reports whether two identities are the same account or the
// same guest.
func samePerson(a, b rooms.Identity) bool {
	if a.UserID != "" {
		return a.UserID == b.UserID
	}
	return a.GuestID != "" && a.GuestID == b.GuestID
}

func (s *Server) handleMuteParticipant(w http.ResponseWriter, r *http.Request, room *rooms.Room, id rooms.Identity) {
	if !s.calls.Mute(room.ID, rooms.ParticipantID(r.PathValue("participant"))) {
		s.writeError(w, r, rooms.Errorf(rooms.ENOTFOUND, "That person is not in the room."))
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

type presenceJSON struct {
	ParticipantID string `json:"participantId"`
	DisplayName   string `json:"displayName"`
	Guest         bool   `json:"guest"`
	Host          bool   `json:"host"`
	Waiting       bool   `json:"waiting"`
}

func (s *Server) handleListParticipants(w http.ResponseWriter, r *http.Request, room *rooms.Room, id rooms.Identity) {
	people := s.calls.People(room.ID)
	out := make([]presenceJSON, 0, len(people))
	for _, p := range people {
		out = append(out, presenceJSON{ParticipantID: string(p.ParticipantID), DisplayName: p.Identity.DisplayName,
			Guest: p.Identity.IsGuest(), Host: p.Host, Waiting: p.Waiting})
	}
	writeJSON(w, http.StatusOK, map[string]any{"participants": out})
}

type barJSON struct {
	UserID      string    `json:"userId,omitempty"`
	GuestID     string    `json:"guestId,omitempty"`
	DisplayName string    `json:"displayName"`
	CreatedAt   time.Time `json:"createdAt"`
}

func (s *Server) handleListBars(w http.ResponseWriter, r *http.Request, room *rooms.Room, id rooms.Identity) {
	bars, err := s.store.Bars(r.Context(), room.ID)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := make([]barJSON, 0, len(bars))
	for _, b := range bars {
		out = append(out, barJSON{UserID: string(b.UserID), GuestID: string(b.GuestID), DisplayName: b.DisplayName, CreatedAt: b.CreatedAt})
	}
	writeJSON(w, http.StatusOK, map[string]any{"bars": out})
}

func (s *Server) handleLiftBar(w http.ResponseWriter, r *http.Request, room *rooms.Room, id rooms.Identity) {
	var req struct {
		UserID  string `json:"userId"`
		GuestID string `json:"guestId"`
	}
	if err := decodeJSON(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	if (req.UserID == "") == (req.GuestID == "") {
		s.writeError(w, r, rooms.Errorf(rooms.EINVALID, "Give either userId or guestId."))
		return
	}
	if err := s.store.LiftBar(r.Context(), room.ID, rooms.UserID(req.UserID), rooms.GuestID(req.GuestID)); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// handleEnd ends the room for everyone, for good.
func (s *Server) handleEnd(w http.ResponseWriter, r *http.Request, room *rooms.Room, id rooms.Identity) {
	next, err := s.endRoom(r, room)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeRoom(w, r, next, id)
}

func (s *Server) endRoom(r *http.Request, room *rooms.Room) (*rooms.Room, error) {
	now := time.Now().UTC()
	if err := s.store.EndRoom(r.Context(), room.ID, now); err != nil {
		return nil, err
	}
	next := *room
	next.EndedAt = &now
	s.calls.End(&next)
	s.log.InfoContext(r.Context(), "room ended", "room", room.ID)
	return &next, nil
}

// handleReport records a participant's report of the room: its name and
// who is inside, never media. The host is not told who reported.
func (s *Server) handleReport(w http.ResponseWriter, r *http.Request, room *rooms.Room) {
	id, err := s.identity(r.Context(), r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var req struct {
		Reason string `json:"reason"`
	}
	if err := decodeJSON(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	reason, err := rooms.CleanText(req.Reason, "The reason", 1, rooms.MaxReportReason)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	people := s.calls.People(room.ID)
	inCall := false
	inside := make([]rooms.ReportedPerson, 0, len(people))
	for _, p := range people {
		if p.Waiting {
			continue
		}
		if !id.Anonymous() && p.Identity.UserID == id.UserID && p.Identity.GuestID == id.GuestID {
			inCall = true
		}
		inside = append(inside, rooms.ReportedPerson{UserID: p.Identity.UserID, GuestID: p.Identity.GuestID,
			DisplayName: p.Identity.DisplayName, Host: p.Host})
	}
	if !inCall {
		s.writeError(w, r, rooms.Errorf(rooms.EFORBIDDEN, "Only people in the call can report it."))
		return
	}
	rep := &rooms.Report{
		ID: rooms.ReportID(auth.NewID()), RoomID: room.ID, RoomName: room.Name, Reason: reason,
		ReporterUser: id.UserID, ReporterGuest: id.GuestID, ReporterName: id.DisplayName,
		Inside: inside, CreatedAt: time.Now().UTC(),
	}
	if err := s.store.CreateReport(r.Context(), rep); err != nil {
		s.writeError(w, r, err)
		return
	}
	s.log.InfoContext(r.Context(), "room reported", "room", room.ID, "report", rep.ID)
	writeJSON(w, http.StatusCreated, map[string]any{"report": map[string]string{"id": string(rep.ID)}})
}
