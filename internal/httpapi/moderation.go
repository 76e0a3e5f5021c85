package httpapi

import (
	"net/http"
	"strconv"
	"time"

	"github.com/roomsdev/rooms/internal/rooms"
)

// Moderation: accounts an operator made moderators (rooms admin
// grant-moderator) review reports, end rooms and suspend accounts.

// moderatorOnly wraps h so only moderators get through.
func (s *Server) moderatorOnly(h func(w http.ResponseWriter, r *http.Request, mod *rooms.User)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, err := s.identity(r.Context(), r)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		if id.UserID == "" {
			s.writeError(w, r, rooms.Errorf(rooms.EUNAUTHORIZED, "Sign in as a moderator."))
			return
		}
		u, err := s.store.UserByID(r.Context(), id.UserID)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		if !u.Moderator {
			s.writeError(w, r, rooms.Errorf(rooms.EFORBIDDEN, "Only moderators can do that."))
			return
		}
		h(w, r, u)
	}
}

type reportJSON struct {
	ID           string                 `json:"id"`
	RoomID       string                 `json:"roomId"`
	RoomName     string                 `json:"roomName"`
	RoomEnded    bool                   `json:"roomEnded"`
	Reason       string                 `json:"reason"`
	ReporterName string                 `json:"reporterName"`
	ReporterUser string                 `json:"reporterUserId,omitempty"`
	Inside       []rooms.ReportedPerson `json:"inside"`
	CreatedAt    time.Time              `json:"createdAt"`
	Resolved     bool                   `json:"resolved"`
}

func (s *Server) handleListReports(w http.ResponseWriter, r *http.Request, _ *rooms.User) {
	all, _ := strconv.ParseBool(r.URL.Query().Get("all"))
	reps, err := s.store.Reports(r.Context(), all, 200)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := make([]reportJSON, 0, len(reps))
	for _, rep := range reps {
		j := reportJSON{ID: string(rep.ID), RoomID: string(rep.RoomID), RoomName: rep.RoomName, Reason: rep.Reason,
			ReporterName: rep.ReporterName, ReporterUser: string(rep.ReporterUser), Inside: rep.Inside,
			CreatedAt: rep.CreatedAt, Resolved: rep.ResolvedAt != nil}
		if room, err := s.store.RoomByID(r.Context(), rep.RoomID); err == nil {
			j.RoomEnded = room.Ended()
		}
		out = append(out, j)
	}
	writeJSON(w, http.StatusOK, map[string]any{"reports": out})
}

func (s *Server) handleResolveReport(w http.ResponseWriter, r *http.Request, _ *rooms.User) {
	if err := s.store.ResolveReport(r.Context(), rooms.ReportID(r.PathValue("id")), time.Now().UTC()); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) handleModEndRoom(w http.ResponseWriter, r *http.Request, mod *rooms.User) {
	room, err := s.store.RoomByID(r.Context(), rooms.RoomID(r.PathValue("id")))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if !room.Ended() {
		if room, err = s.endRoom(r, room); err != nil {
			s.writeError(w, r, err)
			return
		}
	}
	s.log.InfoContext(r.Context(), "room ended by moderator", "room", room.ID, "moderator", mod.ID)
	w.WriteHeader(http.StatusNoContent)
}

// handleSuspend suspends (or lifts the suspension of) an account: it is
// signed out everywhere and dropped from every call at once.
func (s *Server) handleSuspend(suspend bool) func(w http.ResponseWriter, r *http.Request, mod *rooms.User) {
	return func(w http.ResponseWriter, r *http.Request, mod *rooms.User) {
		target := rooms.UserID(r.PathValue("id"))
		if target == mod.ID {
			s.writeError(w, r, rooms.Errorf(rooms.EINVALID, "You cannot suspend yourself."))
			return
		}
		if _, err := s.store.UserByID(r.Context(), target); err != nil {
			s.writeError(w, r, err)
			return
		}
		if err := s.store.SetSuspended(r.Context(), target, suspend); err != nil {
			s.writeError(w, r, err)
			return
		}
		if suspend {
			if err := s.store.DeleteUserSessions(r.Context(), target); err != nil {
				s.writeError(w, r, err)
				return
			}
			s.calls.DisconnectUser(target, "Your account has been suspended.")
		}
		s.log.InfoContext(r.Context(), "suspension changed", "user", target, "suspended", suspend, "moderator", mod.ID)
		w.WriteHeader(http.StatusNoContent)
	}
}
