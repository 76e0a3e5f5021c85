package sfu

import (
	"time"

	"github.com/pion/sdp/v3"
)

// A publisher's tracks reach the others together. Each track is
// published when its first packet arrives, and every other participant
// then renegotiates (one offer, one answer, a hundred media sections in a
// full room). A person joining sends their microphone's first packet at
// once and their camera's when its first frame is encoded, often more
// than negotiateDelay later; published one by one, the two would cost
// everyone two renegotiations, the second waiting behind the first, and
// the newcomer's video would come alive later on every screen. So the
// first tracks wait, for at most publishHold, until every track the
// publisher's offer announced has arrived.

// publishHold is the longest a track waits for the others its
// publisher announced.
const publishHold = 100 * time.Millisecond

// sendingSections counts the audio and video sections of a publisher's
// offer that send: the tracks it announces (a simulcast track is one).
func sendingSections(sd *sdp.SessionDescription) int {
	n := 0
	for _, m := range sd.MediaDescriptions {
		if (m.MediaName.Media != "audio" && m.MediaName.Media != "video") || m.MediaName.Port.Value == 0 {
			continue
		}
		sends := true // sendrecv when none is said (RFC 8866)
		for _, a := range m.Attributes {
			switch a.Key {
			case "recvonly", "inactive":
				sends = false
			}
		}
		if sends {
			n++
		}
	}
	return n
}

// announce records how many tracks the publisher's latest offer sends.
func (p *Peer) announce(offer *sdp.SessionDescription) {
	n := sendingSections(offer)
	p.mu.Lock()
	p.announced = n
	p.mu.Unlock()
}

// publishTrack publishes u, a new track, with the others its publisher
// announced: at once if they are all here, else when the last comes or
// publishHold has passed.
func (p *Peer) publishTrack(u *upTrack) {
	p.mu.Lock()
	p.held = append(p.held, u)
	if len(p.ups) < p.announced {
		if p.holdTimer == nil {
			p.holdTimer = time.AfterFunc(publishHold, p.publishHeld)
		}
		p.mu.Unlock()
		return
	}
	p.mu.Unlock()
	p.publishHeld()
}

// publishHeld publishes the tracks that wait, but those that ended
// meanwhile.
func (p *Peer) publishHeld() {
	p.publishMu.Lock()
	defer p.publishMu.Unlock()
	p.mu.Lock()
	held := p.held
	p.held = nil
	p.stopHoldLocked()
	closed := p.closed
	for i, u := range held {
		if _, live := p.ups[u]; !live {
			held[i] = nil
		}
	}
	p.mu.Unlock()
	if closed {
		return
	}
	for _, u := range held {
		if u == nil {
			continue
		}
		p.room.publish(u)
		p.h.Published(u.info)
		p.log.Debug("track published", "track", u.info.ID, "kind", u.info.Kind, "source", u.info.Source, "codec", u.codec.MimeType)
	}
}

// stopHoldLocked stops the timer that publishes held tracks; p.mu is held.
func (p *Peer) stopHoldLocked() {
	if p.holdTimer != nil {
		p.holdTimer.Stop()
		p.holdTimer = nil
	}
}
