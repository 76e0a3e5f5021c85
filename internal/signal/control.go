package signal

import (
	"context"
	"time"

	"github.com/coder/websocket"

	"github.com/roomsdev/rooms/internal/rooms"
)

// The hub's operations for the API: what the host, moderators and the
// server itself do to live calls. Each one is authorised by the caller
// (the API checks rooms.CanManage and moderator rights); the hub carries
// it out and tells the people in the call.

// Count returns the number of people in a room's call (not counting those
// waiting for the host).
func (h *Hub) Count(id rooms.RoomID) int {
	if c := h.call(id); c != nil {
		return c.len()
	}
	return 0
}

// InCall reports whether participant id is in a call now (admitted, or
// holding their place for a resume): the embedded TURN server serves
// only them.
func (h *Hub) InCall(id string) bool {
	for _, c := range h.liveCalls() {
		c.mu.Lock()
		_, ok := c.participants[id]
		c.mu.Unlock()
		if ok {
			return true
		}
	}
	return false
}

// People returns who is in a room's call, and who waits for the host.
func (h *Hub) People(id rooms.RoomID) []rooms.Presence {
	c := h.call(id)
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]rooms.Presence, 0, len(c.participants)+len(c.waiting))
	for _, p := range c.participants {
		out = append(out, rooms.Presence{ParticipantID: rooms.ParticipantID(p.id), Identity: p.identity, Host: p.isHost})
	}
	for _, p := range c.waiting {
		out = append(out, rooms.Presence{ParticipantID: rooms.ParticipantID(p.id), Identity: p.identity, Host: p.isHost, Waiting: true})
	}
	return out
}

// ActiveCalls lists the calls with people inside and the host's door open,
// for drop-in lists.
func (h *Hub) ActiveCalls() []rooms.ActiveCall {
	var out []rooms.ActiveCall
	for _, c := range h.liveCalls() {
		c.mu.Lock()
		if c.open && len(c.participants) > 0 && !c.room.Ended() {
			ac := rooms.ActiveCall{Room: *c.room}
			for _, p := range c.participants {
				ac.People = append(ac.People, p.identity)
			}
			out = append(out, ac)
		}
		c.mu.Unlock()
	}
	return out
}

// ChangeRoom changes a room's state (its settings, its lock) live and in
// the store as one step, and tells everyone in the call. change is applied
// to the live room, or to stored (the caller's copy from the store) when
// nobody is in the call; save stores the result; only then does the call
// see it. Changes of one room are taken in turn, with each other and with
// the room locking itself when its host leaves, so a change never puts
// back values read before another: a settings change made as the host
// leaves keeps the host-away lock. It returns the room as changed.
func (h *Hub) ChangeRoom(ctx context.Context, stored *rooms.Room, change func(*rooms.Room) error, save func(context.Context, *rooms.Room) error) (*rooms.Room, error) {
	c := h.call(stored.ID)
	if c == nil {
		next := *stored
		if err := change(&next); err != nil {
			return nil, err
		}
		if err := save(ctx, &next); err != nil {
			return nil, err
		}
		h.notifyChanged()
		return &next, nil
	}
	c.stateMu.Lock()
	defer c.stateMu.Unlock()
	c.mu.Lock()
	next := *c.room
	c.mu.Unlock()
	if err := change(&next); err != nil {
		return nil, err
	}
	if err := save(ctx, &next); err != nil {
		return nil, err
	}
	c.mu.Lock()
	c.room = &next
	c.broadcastRoomLocked()
	c.mu.Unlock()
	h.notifyChanged()
	return &next, nil
}

// Remove disconnects everyone in the room with the identity of the given
// participant (all their tabs), telling them they were removed. It returns
// that identity so the caller can bar it, or false if nobody has that id.
func (h *Hub) Remove(id rooms.RoomID, participantID rooms.ParticipantID) (rooms.Identity, bool) {
	c := h.call(id)
	if c == nil {
		return rooms.Identity{}, false
	}
	var who rooms.Identity
	found := false
	for _, p := range c.everyone() {
		if p.id == string(participantID) {
			who, found = p.identity, true
		}
	}
	if !found {
		return rooms.Identity{}, false
	}
	for _, p := range c.everyone() {
		if sameIdentity(p.identity, who) {
			p.leaveWith(noticeMsg{Type: typeRemoved, Message: "The host removed you from this room."}, "removed")
		}
	}
	return who, true
}

// Mute mutes a participant's microphone for everyone: the server stops
// forwarding their audio until they unmute themselves, and they are told.
func (h *Hub) Mute(id rooms.RoomID, participantID rooms.ParticipantID) bool {
	c := h.call(id)
	if c == nil {
		return false
	}
	c.mu.Lock()
	p := c.participants[string(participantID)]
	c.mu.Unlock()
	if p == nil {
		return false
	}
	p.setAudioMuted(true, true)
	p.send(noticeMsg{Type: typeMutedByHost, Message: "The host muted your microphone."})
	return true
}

// End ends the room's call: everyone, inside or waiting, is told and
// disconnected, and the call takes nobody new.
func (h *Hub) End(r *rooms.Room) {
	c := h.call(r.ID)
	if c == nil {
		return
	}
	// Only the end is taken from r: the rest of the live room (a lock
	// made meanwhile) is newer than the caller's copy.
	c.stateMu.Lock()
	c.mu.Lock()
	next := *c.room
	next.EndedAt = r.EndedAt
	c.room = &next
	c.mu.Unlock()
	c.stateMu.Unlock()
	for _, p := range c.everyone() {
		p.leaveWith(noticeMsg{Type: typeRoomEnded, Message: "This room has ended."}, "room ended")
	}
	h.notifyChanged()
}

// DisconnectUser drops an account from every call (a suspension).
func (h *Hub) DisconnectUser(u rooms.UserID, message string) {
	for _, c := range h.liveCalls() {
		for _, p := range c.everyone() {
			if p.identity.UserID == u {
				p.leaveWith(errorMsgFor(rooms.Errorf(rooms.EFORBIDDEN, "%s", message), true), "suspended")
			}
		}
	}
}

func sameIdentity(a, b rooms.Identity) bool {
	if a.UserID != "" {
		return a.UserID == b.UserID
	}
	return a.GuestID != "" && a.GuestID == b.GuestID
}

// Shutdown disconnects everyone because the server is stopping (a restart,
// a deploy). Clients are told with the WebSocket "service restart" code
// and reconnect by themselves; no room is locked or changed by it.
func (h *Hub) Shutdown() {
	h.shuttingDown.Store(true)
	for _, c := range h.liveCalls() {
		for _, p := range c.everyone() {
			p.close(websocket.StatusServiceRestart, "server restarting")
		}
	}
	// Give the writers a moment to send their close frames.
	for deadline := time.Now().Add(2 * time.Second); time.Now().Before(deadline); {
		h.mu.Lock()
		n := len(h.calls)
		h.mu.Unlock()
		if n == 0 {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
}
