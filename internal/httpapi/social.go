package httpapi

import (
	"context"
	"net/http"
	"strings"

	"github.com/roomsdev/rooms/internal/rooms"
)

// The social graph's endpoints (PRODUCT.md, "The social graph") live in
// the social*.go files: profiles and search here and in social_profiles.go,
// friends and blocks in social_friends.go, groups in social_groups.go and
// events in social_events.go. Only accounts use them; guests and anonymous
// callers get 401.
//
// Privacy rules applied throughout: another person is shown as a profile
// (display name and avatar, the email only to friends), never as an
// account; a block, either way, makes each person unknown to the other
// ("No such person."), so nobody learns who blocked whom.

// Bounds on what one request may ask for or be answered with.
const (
	// maxListed bounds every list of people or things in one answer, as a
	// safety net behind the write-time limits below.
	maxListed = 500
	// maxSearchResults is how many people a search returns.
	maxSearchResults = 20
	// maxPendingRequests bounds the friend requests one person has
	// waiting for an answer, so requests cannot be sprayed at everyone.
	maxPendingRequests = 100
	// maxBlocked bounds how many people one person may block.
	maxBlocked = 1000
	// maxGroupMembers bounds a group's size.
	maxGroupMembers = 300
	// maxGroupsPerPerson bounds how many groups one person is in.
	maxGroupsPerPerson = 200
	// maxEventGuests bounds an event's guest list.
	maxEventGuests = 200
	// maxIDLen bounds the ids accepted in paths and bodies; ours are 32
	// hex characters.
	maxIDLen = 64
)

// socialRoutes registers the social graph's endpoints: profiles, friends,
// blocks, groups and events.
func (s *Server) socialRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /api/users", s.handleSearchUsers)
	mux.HandleFunc("GET /api/users/{id}", s.handleGetUser)
	mux.HandleFunc("PATCH /api/me", s.handleUpdateMe)

	mux.HandleFunc("GET /api/friends", s.handleListFriends)
	mux.HandleFunc("POST /api/friends", s.handleRequestFriend)
	mux.HandleFunc("POST /api/friends/{id}/accept", s.handleAcceptFriend)
	mux.HandleFunc("POST /api/friends/{id}/decline", s.handleDeclineFriend)
	mux.HandleFunc("DELETE /api/friends/{id}", s.handleRemoveFriend)

	mux.HandleFunc("GET /api/blocks", s.handleListBlocks)
	mux.HandleFunc("POST /api/blocks", s.handleBlock)
	mux.HandleFunc("DELETE /api/blocks/{id}", s.handleUnblock)

	mux.HandleFunc("POST /api/groups", s.handleCreateGroup)
	mux.HandleFunc("GET /api/groups", s.handleListGroups)
	mux.HandleFunc("GET /api/groups/{id}", s.handleGetGroup)
	mux.HandleFunc("POST /api/groups/{id}/members", s.handleAddMember)
	mux.HandleFunc("DELETE /api/groups/{id}/members/{userId}", s.handleRemoveMember)
	mux.HandleFunc("POST /api/groups/{id}/admins", s.handleAddAdmin)
	mux.HandleFunc("DELETE /api/groups/{id}/admins/{userId}", s.handleRemoveAdmin)

	mux.HandleFunc("POST /api/events", s.handleCreateEvent)
	mux.HandleFunc("GET /api/events", s.handleListEvents)
	mux.HandleFunc("GET /api/events/{id}", s.handleGetEvent)
	mux.HandleFunc("POST /api/events/{id}/guests", s.handleInvite)
	mux.HandleFunc("DELETE /api/events/{id}/guests/{userId}", s.handleUninvite)
}

// signedIn returns the account making the request. For guests and
// anonymous callers it answers 401 "Sign in to <what>." and returns false.
func (s *Server) signedIn(w http.ResponseWriter, r *http.Request, what string) (rooms.UserID, bool) {
	id, ok := s.accountOnly(w, r, what)
	return id.UserID, ok
}

// signedInAbout resolves the signed-in account and the person named by
// {id}. A malformed id cannot name anyone, so it is answered with
// notFound, as an unknown one would be, without asking the store.
func (s *Server) signedInAbout(w http.ResponseWriter, r *http.Request, what string, notFound func() error) (me, other rooms.UserID, ok bool) {
	if me, ok = s.signedIn(w, r, what); !ok {
		return "", "", false
	}
	other = rooms.UserID(r.PathValue("id"))
	if !wellFormedID(string(other)) {
		s.writeError(w, r, notFound())
		return "", "", false
	}
	return me, other, true
}

// deleted answers an idempotent removal: done, whether or not there was
// anything to remove.
func (s *Server) deleted(w http.ResponseWriter, r *http.Request, err error) {
	if err != nil && rooms.ErrorCode(err) != rooms.ENOTFOUND {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// wellFormedID reports whether s is shaped like one of our ids. Anything else
// cannot name a row, so it is answered like an unknown id without asking
// the store.
func wellFormedID(s string) bool {
	if s == "" || len(s) > maxIDLen {
		return false
	}
	for _, c := range s {
		switch {
		case c >= '0' && c <= '9', c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c == '-', c == '_':
		default:
			return false
		}
	}
	return true
}

// errNoSuchPerson is the one answer about a person who does not exist, is
// suspended, or has a block with the caller either way: the caller cannot
// tell which.
func errNoSuchPerson() error { return rooms.Errorf(rooms.ENOTFOUND, "No such person.") }

// bodyUserID reads the userId of a request body: missing is a 400.
func bodyUserID(id string) (rooms.UserID, error) {
	id = strings.TrimSpace(id)
	if id == "" {
		return "", rooms.Errorf(rooms.EINVALID, "Say who: userId is missing.")
	}
	return rooms.UserID(id), nil
}

// visiblePerson loads the account other as me may deal with it: it must
// exist, not be suspended, not be me, and have no block with me either
// way; otherwise the answer is "No such person." (or 400 for myself, with
// selfMsg).
func (s *Server) visiblePerson(ctx context.Context, me, other rooms.UserID, selfMsg string) (*rooms.User, error) {
	if other == me {
		return nil, rooms.Errorf(rooms.EINVALID, "%s", selfMsg)
	}
	if !wellFormedID(string(other)) {
		return nil, errNoSuchPerson()
	}
	u, err := s.store.UserByID(ctx, other)
	if rooms.ErrorCode(err) == rooms.ENOTFOUND {
		return nil, errNoSuchPerson()
	} else if err != nil {
		return nil, err
	}
	if u.Suspended {
		return nil, errNoSuchPerson()
	}
	blocked, err := s.store.BlockBetween(ctx, me, []rooms.UserID{other})
	if err != nil {
		return nil, err
	}
	if blocked {
		return nil, errNoSuchPerson()
	}
	return u, nil
}

// profileJSON is what one person sees of another: rooms.Profile, plus how
// the two relate. The email is only there for friends.
type profileJSON struct {
	ID          string            `json:"id"`
	DisplayName string            `json:"displayName"`
	Avatar      string            `json:"avatar"`
	FriendState rooms.FriendState `json:"friendState"`
	Email       string            `json:"email,omitempty"`
}

// viewer is the person asking, with how everyone they know relates to
// them, read once per request so that listing people costs one store call
// for the relationships rather than one per person.
type viewer struct {
	id    rooms.UserID
	state map[rooms.UserID]rooms.FriendState
}

// viewerOf loads the friends and pending requests of me.
func (s *Server) viewerOf(ctx context.Context, me rooms.UserID) (*viewer, error) {
	friends, incoming, outgoing, err := s.store.Friends(ctx, me)
	if err != nil {
		return nil, err
	}
	return newViewer(me, friends, incoming, outgoing), nil
}

// newViewer is me seen with the given friends and pending requests.
func newViewer(me rooms.UserID, friends, incoming, outgoing []rooms.UserID) *viewer {
	v := &viewer{id: me, state: make(map[rooms.UserID]rooms.FriendState, len(friends)+len(incoming)+len(outgoing))}
	for _, id := range friends {
		v.state[id] = rooms.Friends
	}
	for _, id := range incoming {
		v.state[id] = rooms.RequestReceived
	}
	for _, id := range outgoing {
		v.state[id] = rooms.RequestSent
	}
	return v
}

// stateOf is how other relates to the viewer.
func (v *viewer) stateOf(other rooms.UserID) rooms.FriendState {
	if st, ok := v.state[other]; ok {
		return st
	}
	return rooms.NotFriends
}

// profileOf is what v may see of u.
func (v *viewer) profileOf(u *rooms.User) profileJSON {
	st := v.stateOf(u.ID)
	p := rooms.ProfileFor(u, st == rooms.Friends)
	return profileJSON{
		ID:          string(p.ID),
		DisplayName: p.DisplayName,
		Avatar:      p.Avatar,
		FriendState: st,
		Email:       p.Email,
	}
}

// loadProfile loads one person's profile as v sees it.
func (s *Server) loadProfile(ctx context.Context, v *viewer, id rooms.UserID) (profileJSON, error) {
	u, err := s.store.UserByID(ctx, id)
	if err != nil {
		return profileJSON{}, err
	}
	return v.profileOf(u), nil
}

// loadProfiles loads the profiles of ids as v sees them, at most maxListed.
// Accounts deleted since the list was read are left out.
func (s *Server) loadProfiles(ctx context.Context, v *viewer, ids []rooms.UserID) ([]profileJSON, error) {
	if len(ids) > maxListed {
		ids = ids[:maxListed]
	}
	out := make([]profileJSON, 0, len(ids))
	for _, id := range ids {
		p, err := s.loadProfile(ctx, v, id)
		if rooms.ErrorCode(err) == rooms.ENOTFOUND {
			continue
		} else if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}
