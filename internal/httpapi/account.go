package httpapi

import (
	"net/http"
	"strings"
	"time"

	"github.com/roomsdev/rooms/internal/auth"
	"github.com/roomsdev/rooms/internal/rooms"
)

// userJSON is an account as its owner sees it.
type userJSON struct {
	ID          string `json:"id"`
	DisplayName string `json:"displayName"`
	Email       string `json:"email"`
	Avatar      string `json:"avatar"`
	// Moderator is shown to the account itself, so the client knows to
	// offer the moderation page.
	Moderator bool `json:"moderator"`
}

// guestJSON is a guest as its owner sees it. RoomToken, the link, is left
// out while the room's link sharing is off: the guest is not the host
// (rooms.CanSeeLink). RoomID tells the client which room the guest is for.
type guestJSON struct {
	ID          string `json:"id"`
	DisplayName string `json:"displayName"`
	RoomID      string `json:"roomId"`
	RoomToken   string `json:"roomToken,omitempty"`
}

func toGuestJSON(id rooms.GuestID, name string, room *rooms.Room) *guestJSON {
	g := &guestJSON{ID: string(id), DisplayName: name, RoomID: string(room.ID)}
	if rooms.CanSeeLink(room, rooms.Identity{GuestID: id}) {
		g.RoomToken = string(room.Token)
	}
	return g
}

func toUserJSON(u *rooms.User) *userJSON {
	return &userJSON{ID: string(u.ID), DisplayName: u.DisplayName, Email: u.Email, Avatar: u.Avatar, Moderator: u.Moderator}
}

func (s *Server) handleSignUp(w http.ResponseWriter, r *http.Request) {
	var req struct {
		DisplayName string `json:"displayName"`
		Email       string `json:"email"`
		Password    string `json:"password"`
	}
	if err := decodeJSON(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	if ok, wait := s.signUpLimit.allow(emailKey(req.Email), time.Now()); !ok {
		s.tooMany(w, r, wait)
		return
	}
	u, token, err := s.auth.SignUp(r.Context(), req.DisplayName, req.Email, req.Password)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.replaceSession(w, r, token)
	writeJSON(w, http.StatusCreated, map[string]any{"user": toUserJSON(u)})
}

func (s *Server) handleSignIn(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Email    string `json:"email"`
		Password string `json:"password"`
	}
	if err := decodeJSON(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	if ok, wait := s.accountLimit.allow(emailKey(req.Email), time.Now()); !ok {
		s.tooMany(w, r, wait)
		return
	}
	u, token, err := s.auth.SignIn(r.Context(), req.Email, req.Password)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.replaceSession(w, r, token)
	writeJSON(w, http.StatusOK, map[string]any{"user": toUserJSON(u)})
}

// emailKey is the key of the per-email limits: the email as the account
// would store it, so that every spelling of one address shares a bucket.
func emailKey(email string) string {
	if norm, err := auth.NormalizeEmail(email); err == nil {
		return norm
	}
	return strings.ToLower(strings.TrimSpace(email))
}

// replaceSession sets the new session's cookie and ends the one the
// browser had, so a session id planted before sign-in is worthless after
// it (session fixation).
func (s *Server) replaceSession(w http.ResponseWriter, r *http.Request, token string) {
	if old := auth.TokenFromRequest(r); old != "" {
		if err := s.auth.SignOut(r.Context(), old); err != nil {
			s.log.WarnContext(r.Context(), "end previous session", "err", err)
		}
	}
	auth.SetCookie(w, token, s.cfg.SessionTTL, s.secure(r))
}

func (s *Server) handleSignOut(w http.ResponseWriter, r *http.Request) {
	if token := auth.TokenFromRequest(r); token != "" {
		if err := s.auth.SignOut(r.Context(), token); err != nil {
			s.writeError(w, r, err)
			return
		}
	}
	auth.ClearCookie(w, s.secure(r))
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) handleMe(w http.ResponseWriter, r *http.Request) {
	id, err := s.identity(r.Context(), r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	resp := struct {
		User  *userJSON  `json:"user"`
		Guest *guestJSON `json:"guest"`
	}{}
	switch {
	case id.UserID != "":
		u, err := s.store.UserByID(r.Context(), id.UserID)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		resp.User = toUserJSON(u)
	case id.IsGuest():
		room, err := s.store.RoomByID(r.Context(), id.GuestRoom)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		resp.Guest = toGuestJSON(id.GuestID, id.DisplayName, room)
	}
	writeJSON(w, http.StatusOK, resp)
}
