package httpapi

import (
	"context"
	"crypto/rand"
	"net/http"
	"time"

	"github.com/roomsdev/rooms/internal/auth"
	"github.com/roomsdev/rooms/internal/rooms"
)

// roomJSON is a room as the API shows it.
type roomJSON struct {
	Token            string   `json:"token"`
	URL              string   `json:"url"`
	Name             string   `json:"name"`
	Theme            string   `json:"theme"`
	Host             hostJSON `json:"host"`
	IsHost           bool     `json:"isHost"`
	ParticipantCount int      `json:"participantCount"`
	Locked           bool     `json:"locked"`
	Ended            bool     `json:"ended"`
}

type hostJSON struct {
	ID          string `json:"id"`
	DisplayName string `json:"displayName"`
}

func (s *Server) roomJSON(ctx context.Context, r *http.Request, room *rooms.Room, id rooms.Identity) (*roomJSON, error) {
	host, err := s.store.UserByID(ctx, room.HostID)
	if err != nil {
		return nil, err
	}
	return &roomJSON{
		Token:            string(room.Token),
		URL:              baseURL(r) + "/r/" + string(room.Token),
		Name:             room.Name,
		Theme:            room.Theme,
		Host:             hostJSON{ID: string(host.ID), DisplayName: host.DisplayName},
		IsHost:           id.UserID != "" && id.UserID == room.HostID,
		ParticipantCount: s.calls.Count(room.ID),
		Locked:           room.Locked,
		Ended:            room.Ended(),
	}, nil
}

// maxTokenAttempts bounds the retries on a token collision, which with 130
// random bits never happens in practice.
const maxTokenAttempts = 3

func (s *Server) handleCreateRoom(w http.ResponseWriter, r *http.Request) {
	id, err := s.identity(r.Context(), r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if id.UserID == "" {
		s.writeError(w, r, rooms.Errorf(rooms.EUNAUTHORIZED, "Sign in to create a room."))
		return
	}
	var req struct {
		Name  string `json:"name"`
		Theme string `json:"theme"`
	}
	if err := decodeJSON(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	name, err := rooms.CleanText(req.Name, "The room name", 0, rooms.MaxRoomName)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	theme, err := rooms.CleanText(req.Theme, "The theme", 0, rooms.MaxTheme)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	room := &rooms.Room{HostID: id.UserID, Name: name, Theme: theme, CreatedAt: time.Now().UTC()}
	for attempt := 0; ; attempt++ {
		if room.Token, err = rooms.NewToken(rand.Reader); err != nil {
			s.writeError(w, r, err)
			return
		}
		room.ID = rooms.RoomID(auth.NewID())
		err = s.store.CreateRoom(r.Context(), room)
		if err == nil || rooms.ErrorCode(err) != rooms.ECONFLICT || attempt == maxTokenAttempts {
			break
		}
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out, err := s.roomJSON(r.Context(), r, room, id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.log.InfoContext(r.Context(), "room created", "room", room.ID)
	writeJSON(w, http.StatusCreated, map[string]any{"room": out})
}

func (s *Server) handleListRooms(w http.ResponseWriter, r *http.Request) {
	id, err := s.identity(r.Context(), r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if id.UserID == "" {
		s.writeError(w, r, rooms.Errorf(rooms.EUNAUTHORIZED, "Sign in to see your rooms."))
		return
	}
	list, err := s.store.RoomsByHost(r.Context(), id.UserID, 100)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := make([]*roomJSON, 0, len(list))
	for _, room := range list {
		j, err := s.roomJSON(r.Context(), r, room, id)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		out = append(out, j)
	}
	writeJSON(w, http.StatusOK, map[string]any{"rooms": out})
}

// roomHandler handles a request about the room named by {token}.
type roomHandler func(w http.ResponseWriter, r *http.Request, room *rooms.Room)

// lookup resolves {token} to a room for h. Malformed and unknown tokens get
// the same 404; clients that miss too often are slowed down (429), so
// guessing links is hopeless even before the 130 bits.
func (s *Server) lookup(h roomHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		room, err := s.findRoom(r)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		h(w, r, room)
	}
}

// findRoom resolves {token}, applying the lookup limits.
func (s *Server) findRoom(r *http.Request) (*rooms.Room, error) {
	addr, now := clientAddr(r), time.Now()
	if ok, _ := s.missLimit.peek(addr, now); !ok {
		return nil, errTooMany
	}
	if ok, _ := s.lookupLimit.allow(addr, now); !ok {
		return nil, errTooMany
	}
	token := r.PathValue("token")
	var room *rooms.Room
	var err error = rooms.Errorf(rooms.ENOTFOUND, "This room doesn't exist.")
	if rooms.ValidToken(token) {
		room, err = s.store.RoomByToken(r.Context(), rooms.Token(token))
	}
	if rooms.ErrorCode(err) == rooms.ENOTFOUND {
		s.missLimit.allow(addr, now)
		return nil, rooms.Errorf(rooms.ENOTFOUND, "This room doesn't exist.")
	}
	return room, err
}

func (s *Server) handleGetRoom(w http.ResponseWriter, r *http.Request, room *rooms.Room) {
	if room.Ended() {
		s.writeError(w, r, rooms.Errorf(rooms.EENDED, "This room has ended."))
		return
	}
	id, err := s.identity(r.Context(), r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out, err := s.roomJSON(r.Context(), r, room, id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"room": out})
}

func (s *Server) handleCreateGuest(w http.ResponseWriter, r *http.Request, room *rooms.Room) {
	if room.Ended() {
		s.writeError(w, r, rooms.Errorf(rooms.EENDED, "This room has ended."))
		return
	}
	id, err := s.identity(r.Context(), r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if id.UserID != "" {
		s.writeError(w, r, rooms.Errorf(rooms.ECONFLICT, "You are signed in; join as yourself."))
		return
	}
	var req struct {
		DisplayName string `json:"displayName"`
	}
	if err := decodeJSON(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	g, token, err := s.auth.CreateGuest(r.Context(), room, req.DisplayName)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.replaceSession(w, r, token)
	writeJSON(w, http.StatusCreated, map[string]any{
		"guest": guestJSON{ID: string(g.ID), DisplayName: g.DisplayName, RoomToken: string(room.Token)},
	})
}

func (s *Server) handleWS(w http.ResponseWriter, r *http.Request, room *rooms.Room) {
	if room.Ended() {
		s.writeError(w, r, rooms.Errorf(rooms.EENDED, "This room has ended."))
		return
	}
	id, err := s.identity(r.Context(), r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if id.Anonymous() || (id.IsGuest() && id.GuestRoom != room.ID) {
		s.writeError(w, r, rooms.Errorf(rooms.EUNAUTHORIZED, "Sign in or enter your name to join."))
		return
	}
	s.calls.ServeWS(w, r, room, id)
}
