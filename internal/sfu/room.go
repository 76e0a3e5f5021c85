package sfu

import (
	"log/slog"
	"sync"
)

// PeerID identifies a peer in a room; the signalling layer chooses it (it is
// the participant's id) and it is the stream id of every track the peer
// publishes, so clients map received tracks to people.
type PeerID string

// Target names one of a peer's two PeerConnections.
type Target string

// The two PeerConnections of a peer.
const (
	// Pub is the publisher connection: the client offers, the SFU answers.
	Pub Target = "pub"
	// Sub is the subscriber connection: the SFU offers, the client answers.
	Sub Target = "sub"
)

// TrackInfo describes a published track.
type TrackInfo struct {
	Publisher PeerID
	// ID is the track's id as subscribers see it (unique in the room).
	ID   string
	Kind string // "audio" or "video"
}

// Handler receives what the SFU needs to tell one client. The SFU calls it
// from its own goroutines; implementations must not block (queue and
// return).
type Handler interface {
	// SubscriberOffer carries a (re)negotiation offer for the Sub
	// connection. The SFU sends no other offer until SubscriberAnswer.
	SubscriberOffer(sdp string)
	// Candidate carries one of the SFU's trickled ICE candidates.
	Candidate(t Target, c ICECandidate)
	// Published says this peer's track is now forwarded to the others.
	Published(t TrackInfo)
	// Unpublished says this peer's track has ended.
	Unpublished(t TrackInfo)
	// Failed says the peer's media transport failed for good.
	Failed()
}

// Room is one call's media: its peers and the tracks they publish. Tracks
// and peers are kept under one lock so a track being published and a peer
// joining at the same moment always meet: whichever comes second sees the
// first.
type Room struct {
	engine *Engine
	log    *slog.Logger

	mu     sync.Mutex
	peers  map[PeerID]*Peer
	tracks map[*upTrack]struct{}
}

// NewRoom returns an empty media room.
func (e *Engine) NewRoom(log *slog.Logger) *Room {
	return &Room{
		engine: e,
		log:    log,
		peers:  make(map[PeerID]*Peer),
		tracks: make(map[*upTrack]struct{}),
	}
}

// Len returns the number of peers in the room.
func (r *Room) Len() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.peers)
}

// Join adds a peer with both its PeerConnections and subscribes it to every
// track already published. The first subscriber offer follows through h.
func (r *Room) Join(id PeerID, h Handler) (*Peer, error) {
	p, err := newPeer(r, id, h)
	if err != nil {
		return nil, err
	}
	r.mu.Lock()
	if old := r.peers[id]; old != nil {
		r.mu.Unlock()
		p.closeConnections()
		return nil, ErrDuplicatePeer
	}
	r.peers[id] = p
	tracks := make([]*upTrack, 0, len(r.tracks))
	for u := range r.tracks {
		tracks = append(tracks, u)
	}
	r.mu.Unlock()

	for _, u := range tracks {
		p.subscribe(u)
	}
	p.negotiate()
	return p, nil
}

// publish makes u available to every other peer.
func (r *Room) publish(u *upTrack) {
	r.mu.Lock()
	if _, ok := r.peers[u.publisher.id]; !ok {
		r.mu.Unlock()
		return // the publisher left while the track was arriving
	}
	r.tracks[u] = struct{}{}
	peers := r.otherPeersLocked(u.publisher.id)
	r.mu.Unlock()

	for _, p := range peers {
		if p.subscribe(u) {
			p.negotiate()
		}
	}
}

// unpublish removes u from every subscriber. It is idempotent.
func (r *Room) unpublish(u *upTrack) {
	r.mu.Lock()
	_, ok := r.tracks[u]
	delete(r.tracks, u)
	peers := r.otherPeersLocked(u.publisher.id)
	r.mu.Unlock()
	if !ok {
		return
	}
	for _, p := range peers {
		if p.unsubscribe(u) {
			p.negotiate()
		}
	}
}

// remove takes p out of the room and returns the tracks it published.
func (r *Room) remove(p *Peer) []*upTrack {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.peers[p.id] == p {
		delete(r.peers, p.id)
	}
	var ups []*upTrack
	for u := range r.tracks {
		if u.publisher == p {
			ups = append(ups, u)
		}
	}
	return ups
}

func (r *Room) otherPeersLocked(except PeerID) []*Peer {
	peers := make([]*Peer, 0, len(r.peers))
	for id, p := range r.peers {
		if id != except {
			peers = append(peers, p)
		}
	}
	return peers
}
