package httpapi

import (
	"net/http"
	"slices"
	"time"

	"github.com/roomsdev/rooms/internal/rooms"
)

// userIDRequest is the body of the requests that name one person.
type userIDRequest struct {
	UserID string `json:"userId"`
}

// errNoRequest answers accepting or declining a request that is not there.
func errNoRequest() error {
	return rooms.Errorf(rooms.ENOTFOUND, "There is no friend request from this person.")
}

// handleListFriends lists the caller's friends and the friend requests
// waiting either way.
func (s *Server) handleListFriends(w http.ResponseWriter, r *http.Request) {
	me, ok := s.signedIn(w, r, "see your friends")
	if !ok {
		return
	}
	ctx := r.Context()
	friends, incoming, outgoing, err := s.store.Friends(ctx, me)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	v := newViewer(me, friends, incoming, outgoing)
	var resp struct {
		Friends  []profileJSON `json:"friends"`
		Incoming []profileJSON `json:"incoming"`
		Outgoing []profileJSON `json:"outgoing"`
	}
	if resp.Friends, err = s.loadProfiles(ctx, v, friends); err != nil {
		s.writeError(w, r, err)
		return
	}
	if resp.Incoming, err = s.loadProfiles(ctx, v, incoming); err != nil {
		s.writeError(w, r, err)
		return
	}
	if resp.Outgoing, err = s.loadProfiles(ctx, v, outgoing); err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, resp)
}

// handleRequestFriend sends a friend request, or accepts the other's
// request if they had already sent one. Asking again is harmless. A block
// either way answers "No such person.", like an unknown account.
func (s *Server) handleRequestFriend(w http.ResponseWriter, r *http.Request) {
	me, ok := s.signedIn(w, r, "add friends")
	if !ok {
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
	ctx := r.Context()
	if _, err := s.visiblePerson(ctx, me, other, "You can't send a friend request to yourself."); err != nil {
		s.writeError(w, r, err)
		return
	}
	st, err := s.store.FriendState(ctx, me, other)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	switch st {
	case rooms.Friends, rooms.RequestSent:
		// Nothing to do: asking twice is not an error.
	default:
		if st == rooms.NotFriends {
			_, _, outgoing, err := s.store.Friends(ctx, me)
			if err != nil {
				s.writeError(w, r, err)
				return
			}
			if len(outgoing) >= maxPendingRequests {
				s.writeError(w, r, rooms.Errorf(rooms.ECONFLICT,
					"You have %d friend requests waiting for an answer. Cancel some before sending more.", maxPendingRequests))
				return
			}
		}
		err := s.store.RequestFriend(ctx, me, other, time.Now().UTC())
		if rooms.ErrorCode(err) == rooms.EFORBIDDEN {
			// A block made since the check above: the same neutral answer.
			err = errNoSuchPerson()
		}
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		s.dropIns.notify(me, other) // asking may have made them friends
		if st, err = s.store.FriendState(ctx, me, other); err != nil {
			s.writeError(w, r, err)
			return
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"state": st})
}

// handleAcceptFriend accepts the friend request from {id}.
func (s *Server) handleAcceptFriend(w http.ResponseWriter, r *http.Request) {
	me, other, ok := s.signedInAbout(w, r, "accept friend requests", errNoRequest)
	if !ok {
		return
	}
	err := s.store.AcceptFriend(r.Context(), other, me, time.Now().UTC())
	if rooms.ErrorCode(err) == rooms.ENOTFOUND {
		err = errNoRequest()
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.dropIns.notify(me, other)
	w.WriteHeader(http.StatusNoContent)
}

// handleDeclineFriend declines the friend request from {id}. The other
// person is not told; their request simply stops waiting.
func (s *Server) handleDeclineFriend(w http.ResponseWriter, r *http.Request) {
	me, other, ok := s.signedInAbout(w, r, "decline friend requests", errNoRequest)
	if !ok {
		return
	}
	ctx := r.Context()
	st, err := s.store.FriendState(ctx, me, other)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if st != rooms.RequestReceived {
		s.writeError(w, r, errNoRequest())
		return
	}
	if err := s.store.RemoveFriend(ctx, me, other); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// handleRemoveFriend ends a friendship with {id}, or cancels a request
// either way. Removing what is not there is not an error.
func (s *Server) handleRemoveFriend(w http.ResponseWriter, r *http.Request) {
	me, other, ok := s.signedInAbout(w, r, "remove friends", errNoSuchPerson)
	if !ok {
		return
	}
	err := s.store.RemoveFriend(r.Context(), me, other)
	s.dropIns.notify(me, other)
	s.deleted(w, r, err)
}

// handleListBlocks lists the people the caller has blocked. Who has
// blocked the caller is never shown.
func (s *Server) handleListBlocks(w http.ResponseWriter, r *http.Request) {
	me, ok := s.signedIn(w, r, "see whom you blocked")
	if !ok {
		return
	}
	ctx := r.Context()
	ids, err := s.store.Blocked(ctx, me)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	// A block ends any friendship, so blocked people are never friends:
	// an empty viewer is exact and spares a store call.
	out, err := s.loadProfiles(ctx, newViewer(me, nil, nil, nil), ids)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"blocked": out})
}

// handleBlock blocks a person, ending any friendship or request between
// the two. Blocking works whoever the other is (even someone who blocked
// the caller), so its answer tells nothing.
func (s *Server) handleBlock(w http.ResponseWriter, r *http.Request) {
	me, ok := s.signedIn(w, r, "block people")
	if !ok {
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
	if other == me {
		s.writeError(w, r, rooms.Errorf(rooms.EINVALID, "You can't block yourself."))
		return
	}
	if !wellFormedID(string(other)) {
		s.writeError(w, r, errNoSuchPerson())
		return
	}
	ctx := r.Context()
	if _, err := s.store.UserByID(ctx, other); rooms.ErrorCode(err) == rooms.ENOTFOUND {
		s.writeError(w, r, errNoSuchPerson())
		return
	} else if err != nil {
		s.writeError(w, r, err)
		return
	}
	blocked, err := s.store.Blocked(ctx, me)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if len(blocked) >= maxBlocked && !slices.Contains(blocked, other) {
		s.writeError(w, r, rooms.Errorf(rooms.ECONFLICT, "You have blocked %d people, the most there can be.", maxBlocked))
		return
	}
	if err := s.store.Block(ctx, me, other, time.Now().UTC()); err != nil {
		s.writeError(w, r, err)
		return
	}
	// Stored first, so that no join decided from now on lets the two
	// meet; then whoever is already in a call with the other leaves it.
	s.calls.BlockMade(me, other)
	s.dropIns.notify(me, other)
	w.WriteHeader(http.StatusNoContent)
}

// handleUnblock lifts the caller's block of {id}. Lifting a block that is
// not there is not an error.
func (s *Server) handleUnblock(w http.ResponseWriter, r *http.Request) {
	me, other, ok := s.signedInAbout(w, r, "unblock people", errNoSuchPerson)
	if !ok {
		return
	}
	err := s.store.Unblock(r.Context(), me, other)
	s.dropIns.notify(me, other)
	s.deleted(w, r, err)
}
