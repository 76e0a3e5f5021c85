package httpapi

import (
	"context"
	"fmt"
	"net/http"

	"github.com/roomsdev/rooms/internal/rooms"
)

// joinJSON tells the person asking for a room whether they may join it
// now, so that the join page can say so before anyone clicks Join (and
// before it starts their camera). The rules are those of a join
// (rooms.Decide, with the facts of directory.Facts and the live call);
// the server decides again at the join itself, since a lock or a full
// room may change at any moment.
type joinJSON struct {
	Allowed bool `json:"allowed"`
	// Code says why not: removed (the host removed this person or
	// browser), forbidden (the neutral refusal of blocks, suspensions and
	// rooms only open to an audience), unauthorized (sign in first),
	// room_locked, room_full.
	Code    string `json:"code,omitempty"`
	Message string `json:"message,omitempty"`
}

// codeRemoved is joinJSON's code for someone the host removed. They were
// told so in the call, so saying it again on the join page tells them
// nothing new; a join is still refused with the neutral rooms.ErrCantJoin.
const codeRemoved = "removed"

// joinCheck applies the join rules to id and room as the call stands now.
func (s *Server) joinCheck(ctx context.Context, room *rooms.Room, id rooms.Identity) (*joinJSON, error) {
	if id.IsGuest() && id.GuestRoom != room.ID {
		// A guest of another room joins this one as a new guest: only the
		// browser's bar applies to it.
		id = rooms.Identity{Device: id.Device}
	}
	people := s.calls.People(room.ID)
	accounts := make([]rooms.UserID, 0, len(people))
	inside := 0
	for _, p := range people {
		if p.Identity.UserID != "" {
			accounts = append(accounts, p.Identity.UserID)
		}
		if !p.Waiting {
			inside++
		}
	}
	f, err := s.dir.Facts(ctx, room, id, accounts)
	if err != nil {
		return nil, fmt.Errorf("join facts: %w", err)
	}
	if f.Barred {
		return &joinJSON{Code: codeRemoved, Message: "The host removed you from this room."}, nil
	}
	// People are let in only once the host has opened the call.
	f.Inside, f.Capacity, f.CallOpen = inside, s.cfg.Capacity, inside > 0
	if _, err := rooms.Decide(room, id, f); err != nil {
		if rooms.ErrorCode(err) == rooms.EINTERNAL {
			return nil, err
		}
		return &joinJSON{Code: rooms.ErrorCode(err), Message: rooms.ErrorMessage(err)}, nil
	}
	return &joinJSON{Allowed: true}, nil
}

// writeRoomForJoin answers with the room as id sees it and whether id may
// join it now.
func (s *Server) writeRoomForJoin(w http.ResponseWriter, r *http.Request, room *rooms.Room, id rooms.Identity) {
	out, err := s.roomJSON(r.Context(), r, room, id)
	if err == nil {
		out.Join, err = s.joinCheck(r.Context(), room, id)
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"room": out})
}
