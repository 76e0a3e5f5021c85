package signal

import (
	"context"

	"github.com/roomsdev/rooms/internal/rooms"
)

// Blocks and live calls (PRODUCT.md): two people with a block between them
// are never in the same room at the same time, and the host's blocks apply
// even while the host is away. Joins are checked in call.join; this file
// keeps the rule for the people already inside when a block is made, and
// for people inside when their host arrives.

// BlockMade applies a block the API has just stored to the live calls. In
// every room where the two are both inside (or waiting), or where one of
// them is there and the other is the room's host (present or away), one of
// them leaves the call. The host's block drops the blocked person, with the
// same neutral words a refused join gets; anyone else's block takes the
// blocker out, telling them why: they made the block, and the person they
// blocked must learn nothing from it. Nobody is barred and nothing locks.
func (h *Hub) BlockMade(blocker, blocked rooms.UserID) {
	// Joins deciding right now re-check their blocks (see call.join).
	h.blockGen.Add(1)
	for _, c := range h.liveCalls() {
		c.applyBlock(blocker, blocked)
	}
}

func (c *call) applyBlock(blocker, blocked rooms.UserID) {
	c.mu.Lock()
	here := c.accountsLocked()
	var gone []*participant
	var why error
	switch {
	case blocker == c.room.HostID && here[blocked]:
		gone, why = c.dropAccountLocked(blocked), rooms.ErrCantJoin()
	case here[blocker] && (here[blocked] || blocked == c.room.HostID):
		gone, why = c.dropAccountLocked(blocker), errBlockedLeave
	}
	c.mu.Unlock()
	c.sendOff(gone, why, "blocked")
}

// dropAccountLocked takes every presence of account u (all their tabs,
// inside or waiting) out of the call at once and tells the others, so
// that from this moment the two people of a block never share the room.
// The caller sends the dropped people off with sendOff once c.mu is
// released. u is never the host: the host is never dropped over a block.
func (c *call) dropAccountLocked(u rooms.UserID) []*participant {
	var gone []*participant
	kept := c.waiting[:0]
	for _, w := range c.waiting {
		if w.identity.UserID == u {
			gone = append(gone, w)
		} else {
			kept = append(kept, w)
		}
	}
	c.waiting = kept
	for id, p := range c.participants {
		if p.identity.UserID != u {
			continue
		}
		delete(c.participants, id)
		gone = append(gone, p)
		left := participantLeftMsg{Type: typeParticipantLeft, ID: p.id}
		for _, o := range c.participants {
			o.send(left)
		}
	}
	return gone
}

// sendOff tells people already out of the call's lists why they left, and
// closes their connections.
func (c *call) sendOff(gone []*participant, why error, reason string) {
	if len(gone) == 0 {
		return
	}
	for _, p := range gone {
		p.leaveWith(errorMsgFor(why, true), reason)
	}
	c.touch()
	c.hub.notifyChanged()
}

// blockClashes returns which of the accounts in ids have a block, either
// way, with the host: the people a host arriving sends off rather than be
// refused.
func (c *call) blockClashes(ctx context.Context, host rooms.UserID, ids []rooms.UserID) ([]rooms.UserID, error) {
	var out []rooms.UserID
	for _, id := range ids {
		if id == host || id == "" {
			continue
		}
		clash, err := c.hub.dir.BlockBetween(ctx, host, []rooms.UserID{id})
		if err != nil {
			return nil, err
		}
		if clash {
			out = append(out, id)
		}
	}
	return out, nil
}
