package httpapi

import (
	"context"
	"crypto/rand"
	"net/http"
	"time"

	"github.com/roomsdev/rooms/internal/auth"
	"github.com/roomsdev/rooms/internal/rooms"
)

// roomJSON is a room as the API shows it to one person. Token and URL
// are left out for everyone but the host while link sharing is off.
type roomJSON struct {
	ID               string   `json:"id"`
	Token            string   `json:"token,omitempty"`
	URL              string   `json:"url,omitempty"`
	Name             string   `json:"name"`
	Theme            string   `json:"theme"`
	Kind             string   `json:"kind"`
	GroupID          string   `json:"groupId,omitempty"`
	EventID          string   `json:"eventId,omitempty"`
	Visibility       string   `json:"visibility"`
	JoinPolicy       string   `json:"joinPolicy"`
	LinkSharing      bool     `json:"linkSharing"`
	Host             hostJSON `json:"host"`
	IsHost           bool     `json:"isHost"`
	ParticipantCount int      `json:"participantCount"`
	Locked           bool     `json:"locked"`
	LockReason       string   `json:"lockReason,omitempty"`
	Ended            bool     `json:"ended"`
	// Join: whether the person asking may join now (GET only).
	Join *joinJSON `json:"join,omitempty"`
}

type hostJSON struct {
	ID          string `json:"id"`
	DisplayName string `json:"displayName"`
	Avatar      string `json:"avatar,omitempty"`
}

func (s *Server) roomJSON(ctx context.Context, r *http.Request, room *rooms.Room, id rooms.Identity) (*roomJSON, error) {
	host, err := s.store.UserByID(ctx, room.HostID)
	if err != nil {
		return nil, err
	}
	out := &roomJSON{
		ID:               string(room.ID),
		Name:             room.Name,
		Theme:            room.Theme,
		Kind:             string(room.Kind),
		GroupID:          string(room.GroupID),
		EventID:          string(room.EventID),
		Visibility:       string(room.Visibility),
		JoinPolicy:       string(room.JoinPolicy),
		LinkSharing:      room.LinkSharing,
		Host:             hostJSON{ID: string(host.ID), DisplayName: host.DisplayName, Avatar: host.Avatar},
		IsHost:           rooms.CanManage(room, id),
		ParticipantCount: s.calls.Count(room.ID),
		Locked:           room.Locked,
		LockReason:       string(room.LockReason),
		Ended:            room.Ended(),
	}
	if rooms.CanSeeLink(room, id) {
		out.Token = string(room.Token)
		out.URL = baseURL(r) + "/r/" + string(room.Token)
	}
	return out, nil
}

// maxTokenAttempts bounds the retries on a token collision, which with 130
// random bits never happens in practice.
const maxTokenAttempts = 3

// createRoomRequest is the body of POST /api/rooms. Settings left out
// take the defaults of the room's kind.
type createRoomRequest struct {
	Name        string  `json:"name"`
	Theme       string  `json:"theme"`
	Kind        string  `json:"kind"`
	GroupID     string  `json:"groupId"`
	EventID     string  `json:"eventId"`
	Visibility  *string `json:"visibility"`
	JoinPolicy  *string `json:"joinPolicy"`
	LinkSharing *bool   `json:"linkSharing"`
}

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
	var req createRoomRequest
	if err := decodeJSON(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	room, err := s.newRoom(r.Context(), id, &req)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
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
	s.log.InfoContext(r.Context(), "room created", "room", room.ID, "kind", room.Kind)
	writeJSON(w, http.StatusCreated, map[string]any{"room": out})
}

// newRoom validates a create request: the texts, the context (a group the
// creator belongs to, an event the creator hosts) and the settings.
func (s *Server) newRoom(ctx context.Context, id rooms.Identity, req *createRoomRequest) (*rooms.Room, error) {
	name, err := rooms.CleanText(req.Name, "The room name", 0, rooms.MaxRoomName)
	if err != nil {
		return nil, err
	}
	theme, err := rooms.CleanText(req.Theme, "The theme", 0, rooms.MaxTheme)
	if err != nil {
		return nil, err
	}
	now := time.Now().UTC()
	room := &rooms.Room{HostID: id.UserID, Name: name, Theme: theme, Kind: rooms.Kind(req.Kind), CreatedAt: now}
	switch room.Kind {
	case "", rooms.Standalone:
		room.Kind = rooms.Standalone
	case rooms.GroupRoom:
		member, _, err := s.store.Membership(ctx, rooms.GroupID(req.GroupID), id.UserID)
		if err != nil {
			return nil, err
		}
		if !member {
			return nil, rooms.Errorf(rooms.ENOTFOUND, "There is no such group.")
		}
		room.GroupID = rooms.GroupID(req.GroupID)
	case rooms.EventRoom:
		ev, err := s.store.EventByID(ctx, rooms.EventID(req.EventID))
		if err != nil || ev.HostID != id.UserID {
			return nil, rooms.Errorf(rooms.ENOTFOUND, "There is no such event that you host.")
		}
		room.EventID = ev.ID
	default:
		return nil, rooms.Errorf(rooms.EINVALID, "The kind must be standalone, group or event.")
	}
	room.Settings = rooms.DefaultSettings(room.Kind)
	applySettings(&room.Settings, req.Visibility, req.JoinPolicy, req.LinkSharing)
	if err := rooms.ValidateSettings(room.Kind, room.Settings); err != nil {
		return nil, err
	}
	return room, nil
}

func applySettings(st *rooms.Settings, visibility, joinPolicy *string, linkSharing *bool) {
	if visibility != nil {
		st.Visibility = rooms.Visibility(*visibility)
	}
	if joinPolicy != nil {
		st.JoinPolicy = rooms.JoinPolicy(*joinPolicy)
	}
	if linkSharing != nil {
		st.LinkSharing = *linkSharing
	}
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
// guessing links is hopeless even before the 130 bits. An ended room
// answers 410 on every endpoint, to everyone, before anything else is
// asked: it never opens again, whoever asks and whatever for.
func (s *Server) lookup(h roomHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		room, err := s.findRoom(r)
		if err == nil && room.Ended() {
			err = errEnded()
		}
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		h(w, r, room)
	}
}

// errEnded answers anything asked of an ended room.
func errEnded() error { return rooms.Errorf(rooms.EENDED, "This room has ended.") }

// findRoom resolves {token}, applying the lookup limits: all lookups per
// client address, and misses per address and per signed-in account too,
// so guessing from many addresses with one account is slowed as well.
func (s *Server) findRoom(r *http.Request) (*rooms.Room, error) {
	addr, now := clientAddr(r), time.Now()
	missKeys := []string{addr}
	if id, err := s.identity(r.Context(), r); err == nil && id.UserID != "" {
		missKeys = append(missKeys, "account:"+string(id.UserID))
	}
	for _, k := range missKeys {
		if ok, wait := s.missLimit.peek(k, now); !ok {
			return nil, tooManyFor(wait)
		}
	}
	if ok, wait := s.lookupLimit.allow(addr, now); !ok {
		return nil, tooManyFor(wait)
	}
	token := r.PathValue("token")
	var room *rooms.Room
	var err error = rooms.Errorf(rooms.ENOTFOUND, "This room doesn't exist.")
	if rooms.ValidToken(token) {
		room, err = s.store.RoomByToken(r.Context(), rooms.Token(token))
	}
	if rooms.ErrorCode(err) == rooms.ENOTFOUND {
		for _, k := range missKeys {
			s.missLimit.allow(k, now)
		}
		return nil, rooms.Errorf(rooms.ENOTFOUND, "This room doesn't exist.")
	}
	return room, err
}

func (s *Server) handleGetRoom(w http.ResponseWriter, r *http.Request, room *rooms.Room) {
	id, err := s.identity(r.Context(), r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeRoomForJoin(w, r, room, id)
}

func (s *Server) handleCreateGuest(w http.ResponseWriter, r *http.Request, room *rooms.Room) {
	id, err := s.identity(r.Context(), r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if id.UserID != "" {
		s.writeError(w, r, rooms.Errorf(rooms.ECONFLICT, "You are signed in; join as yourself."))
		return
	}
	// A browser the host removed someone from (or a barred guest) gets
	// no new guest identity: the same answer as a barred join.
	barred, err := s.store.IsBarred(r.Context(), room.ID, "", id.GuestID, id.Device)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if barred {
		s.writeError(w, r, rooms.ErrCantJoin())
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
		"guest": toGuestJSON(g.ID, g.DisplayName, room),
	})
}

func (s *Server) handleWS(w http.ResponseWriter, r *http.Request, room *rooms.Room) {
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
