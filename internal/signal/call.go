package signal

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/roomsdev/rooms/internal/rooms"
	"github.com/roomsdev/rooms/internal/sfu"
)

// call is one room's live call: who is in it, who waits for the host, and
// their media. The room rules (rooms.Decide) are applied under mu with the
// live facts, so capacity and locks hold however many join at once.
type call struct {
	hub   *Hub
	id    rooms.RoomID
	log   *slog.Logger
	media *sfu.Room

	refs int // under hub.mu: connections holding this call

	// stateMu serializes the changes of the room's state (settings, lock,
	// end), live and stored: each reads the live room, stores its result
	// and makes it live before the next starts, so none overwrites
	// another with values read before it. Taken before mu.
	stateMu sync.Mutex

	mu           sync.Mutex
	room         *rooms.Room // the live room; replaced, never modified
	open         bool        // the host has arrived since the call started
	participants map[string]*participant
	waiting      []*participant // arrived before the host, in order
}

// accountsLocked lists the accounts in the room, waiting or inside: a
// block keeps two people out of each other's waiting screen too.
func (c *call) accountsLocked() map[rooms.UserID]bool {
	ids := make(map[rooms.UserID]bool, len(c.participants)+len(c.waiting))
	for _, p := range c.participants {
		if p.identity.UserID != "" {
			ids[p.identity.UserID] = true
		}
	}
	for _, p := range c.waiting {
		if p.identity.UserID != "" {
			ids[p.identity.UserID] = true
		}
	}
	return ids
}

// join applies the room rules to p and puts it in the call or in the
// waiting screen. The relationship facts come from the store without the
// lock held; people who arrived meanwhile are checked for blocks before
// the decision, which is taken under the lock, and so is everyone again
// if a block was made meanwhile (blockGen). The host is never refused over
// a block: the people inside who have one with the host leave instead.
func (c *call) join(ctx context.Context, p *participant) error {
	gen := c.hub.blockGen.Load()
	c.mu.Lock()
	room := c.room
	checked := c.accountsLocked()
	c.mu.Unlock()

	inside := make([]rooms.UserID, 0, len(checked))
	for id := range checked {
		inside = append(inside, id)
	}
	facts, err := c.hub.dir.Facts(ctx, room, p.identity, inside)
	if err != nil {
		return err
	}
	var clashes []rooms.UserID // accounts the arriving host sends off
	if facts.IsHost && facts.BlockConflict {
		facts.BlockConflict = false
		if clashes, err = c.blockClashes(ctx, p.identity.UserID, inside); err != nil {
			return err
		}
	}
	for {
		c.mu.Lock()
		var unchecked []rooms.UserID
		if p.identity.UserID != "" && !facts.BlockConflict {
			if g := c.hub.blockGen.Load(); g != gen {
				gen, checked = g, make(map[rooms.UserID]bool)
				if !facts.IsHost {
					unchecked = append(unchecked, c.room.HostID)
				}
			}
			for id := range c.accountsLocked() {
				if !checked[id] {
					unchecked = append(unchecked, id)
					checked[id] = true
				}
			}
		}
		if len(unchecked) == 0 {
			break // decide with c.mu held
		}
		c.mu.Unlock()
		if facts.IsHost {
			more, err := c.blockClashes(ctx, p.identity.UserID, unchecked)
			if err != nil {
				return err
			}
			clashes = append(clashes, more...)
			continue
		}
		conflict, err := c.hub.dir.BlockBetween(ctx, p.identity.UserID, unchecked)
		if err != nil {
			return err
		}
		facts.BlockConflict = facts.BlockConflict || conflict
	}
	var gone []*participant
	for _, id := range clashes {
		gone = append(gone, c.dropAccountLocked(id)...)
	}
	facts.Inside = len(c.participants)
	facts.Capacity = c.hub.cfg.Capacity
	facts.CallOpen = c.open
	verdict, err := rooms.Decide(c.room, p.identity, facts)
	if err != nil {
		c.mu.Unlock()
		c.sendOff(gone, rooms.ErrCantJoin(), "blocked")
		return err
	}
	p.isHost = facts.IsHost
	if verdict == rooms.WaitForHost {
		c.waiting = append(c.waiting, p)
		p.send(waitingMsg{Type: typeWaiting, Reason: "host", Room: c.roomInfoLocked(p)})
		c.mu.Unlock()
		c.hub.notifyChanged()
		return nil
	}
	admitted := []*participant{p}
	c.admitLocked(p)
	if p.isHost && !c.open {
		c.open = true
		admitted = append(admitted, c.admitWaitingLocked()...)
	}
	c.mu.Unlock()

	c.sendOff(gone, rooms.ErrCantJoin(), "blocked")
	if p.isHost {
		c.hostReturned()
	}
	c.touch()
	c.hub.notifyChanged()
	for _, a := range admitted {
		if a == p {
			if err := a.startMedia(); err != nil {
				return err
			}
			continue
		}
		go func() {
			if err := a.startMedia(); err != nil {
				a.fail(err)
			}
		}()
	}
	return nil
}

// admitLocked puts p in the call. It queues `joined` for p and
// `participantJoined` for everyone else under the lock, so every pair of
// people learns of each other exactly once and in order.
func (c *call) admitLocked(p *participant) {
	others := make([]Participant, 0, len(c.participants))
	joined := participantMsg{Type: typeParticipantJoined, Participant: p.view()}
	for _, o := range c.participants {
		others = append(others, o.view())
		o.send(joined)
	}
	c.participants[p.id] = p
	p.mu.Lock()
	p.admitted = true
	p.mu.Unlock()
	p.send(joinedMsg{
		Type:         typeJoined,
		Self:         p.view(),
		Participants: others,
		Room:         c.roomInfoLocked(p),
		ICEServers:   c.hub.iceServersFor(p.id),
		VideoCodec:   c.hub.media.VideoCodec(),
		ResumeToken:  p.resumeToken,
	})
}

// admitWaitingLocked lets in the people waiting for the host, in the order
// they came, while there is room; the others are told the room is full.
func (c *call) admitWaitingLocked() []*participant {
	var in []*participant
	for _, w := range c.waiting {
		if len(c.participants) >= c.hub.cfg.Capacity {
			w.sendError(rooms.Errorf(rooms.EFULL, "This room is full."), true)
			go w.close(closeNormal, "room full")
			continue
		}
		c.admitLocked(w)
		in = append(in, w)
	}
	c.waiting = nil
	return in
}

// remove takes p out of the call (or the waiting screen) and tells the
// others. When the host leaves a room that is not a group room and no
// other connection of the host is inside, the room locks itself.
func (c *call) remove(p *participant) {
	if p.isHost {
		// The host leaving may lock the room: a change of its state,
		// taken in turn with the host's own (Hub.ChangeRoom).
		c.stateMu.Lock()
		defer c.stateMu.Unlock()
	}
	c.mu.Lock()
	for i, w := range c.waiting {
		if w == p {
			c.waiting = append(c.waiting[:i], c.waiting[i+1:]...)
			c.mu.Unlock()
			c.hub.notifyChanged()
			return
		}
	}
	if c.participants[p.id] != p {
		c.mu.Unlock()
		return
	}
	delete(c.participants, p.id)
	// While the server stops, everyone goes at once and comes back after
	// the restart: telling each that the others left would only flicker.
	if !c.hub.shuttingDown.Load() {
		left := participantLeftMsg{Type: typeParticipantLeft, ID: p.id}
		for _, o := range c.participants {
			o.send(left)
		}
	}
	lock := p.isHost && !c.hub.shuttingDown.Load() && !c.room.Locked && !c.room.Ended() && rooms.LocksWhenHostLeaves(c.room) && !c.hostInsideLocked()
	if lock {
		c.setLockedLocked(true, rooms.LockedHostAway)
	}
	c.mu.Unlock()

	c.touch()
	if lock {
		c.persistLock(true, rooms.LockedHostAway)
	}
	c.hub.notifyChanged()
}

// hostReturned changes the reason of a lock made while the host was away,
// now that the host is back: the room stays locked until the host unlocks
// it (PRODUCT.md, "Host away"), but the host is no longer away. A change
// of the room's state, taken in turn with the others (Hub.ChangeRoom).
func (c *call) hostReturned() {
	c.stateMu.Lock()
	defer c.stateMu.Unlock()
	c.mu.Lock()
	change := c.room.Locked && c.room.LockReason == rooms.LockedHostAway && c.hostInsideLocked()
	if change {
		c.setLockedLocked(true, rooms.LockedHostWasAway)
	}
	c.mu.Unlock()
	if change {
		c.persistLock(true, rooms.LockedHostWasAway)
	}
}

func (c *call) hostInsideLocked() bool {
	for _, o := range c.participants {
		if o.isHost {
			return true
		}
	}
	return false
}

// setLockedLocked changes the live room's lock and tells everyone.
func (c *call) setLockedLocked(locked bool, reason rooms.LockReason) {
	r := *c.room
	r.Locked, r.LockReason = locked, reason
	if !locked {
		r.LockReason = ""
	}
	c.room = &r
	c.broadcastRoomLocked()
}

func (c *call) persistLock(locked bool, reason rooms.LockReason) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := c.hub.state.SetRoomLocked(ctx, c.id, locked, reason); err != nil {
		c.log.Error("persist lock", "err", err)
	}
}

// touch records that the room is in use, for idle expiry.
func (c *call) touch() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := c.hub.state.TouchRoom(ctx, c.id, time.Now().UTC()); err != nil {
		c.log.Warn("touch room", "err", err)
	}
}

// broadcastRoomLocked tells everyone, waiting or inside, the room's state;
// each gets the link only if they may see it.
func (c *call) broadcastRoomLocked() {
	for _, o := range c.participants {
		o.send(roomUpdatedMsg{Type: typeRoomUpdated, Room: c.roomInfoLocked(o)})
	}
	for _, o := range c.waiting {
		o.send(roomUpdatedMsg{Type: typeRoomUpdated, Room: c.roomInfoLocked(o)})
	}
}

// roomInfoLocked is the room as p may see it.
func (c *call) roomInfoLocked(p *participant) RoomInfo {
	r := c.room
	info := RoomInfo{
		Name:        r.Name,
		Theme:       r.Theme,
		Kind:        string(r.Kind),
		Locked:      r.Locked,
		LockReason:  string(r.LockReason),
		LinkSharing: r.LinkSharing,
		Visibility:  string(r.Visibility),
		JoinPolicy:  string(r.JoinPolicy),
	}
	if rooms.CanSeeLink(r, p.identity) {
		info.Token = string(r.Token)
	}
	return info
}

// broadcast queues msg for everyone in the call but except (which may be
// nil).
func (c *call) broadcast(msg any, except *participant) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, o := range c.participants {
		if o != except {
			o.send(msg)
		}
	}
}

func (c *call) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.participants)
}

// everyone returns everyone in the room, inside or waiting.
func (c *call) everyone() []*participant {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]*participant, 0, len(c.participants)+len(c.waiting))
	for _, p := range c.participants {
		out = append(out, p)
	}
	return append(out, c.waiting...)
}
