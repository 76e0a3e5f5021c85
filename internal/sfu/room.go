package sfu

import (
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"
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
	// Source is what the track shows: camera, microphone, screen or
	// screen_audio, as the publisher declared it (camera or microphone when
	// it did not).
	Source string
	// Mid is the media section of the publisher's connection that carries
	// the track: the publisher's own name for it.
	Mid string
}

// Handler receives what the SFU needs to tell one client. The SFU calls it
// from its own goroutines; implementations must not block (queue and
// return).
type Handler interface {
	// SubscriberOffer carries a (re)negotiation offer for the Sub
	// connection. The SFU sends no other offer until SubscriberAnswer.
	SubscriberOffer(sdp string)
	// PublisherAnswer carries the answer to the client's offer for the
	// Pub connection (Peer.PublisherOffer).
	PublisherAnswer(sdp string)
	// Candidate carries one of the SFU's trickled ICE candidates, never
	// before the description whose ICE credentials it goes with.
	Candidate(t Target, c ICECandidate)
	// Published says this peer's track is now forwarded to the others.
	Published(t TrackInfo)
	// Unpublished says this peer's track has ended.
	Unpublished(t TrackInfo)
	// PublishLayers tells this peer which simulcast layers (by rid) of
	// its track anyone receives: it may stop encoding the others.
	// For a VP9 SVC track, spatialLayers is how many spatial layers
	// anyone takes (the publisher may encode fewer); 0 otherwise.
	PublishLayers(t TrackInfo, active []string, spatialLayers int)
	// Speakers tells who is talking, loudest first, and who is the
	// active speaker ("" when nobody has spoken yet).
	Speakers(active PeerID, speaking []PeerID)
	// Failed says the peer's media transport failed for good.
	Failed()
}

// tickInterval is the room's heartbeat: speaker detection runs every
// tick, bandwidth allocation and dynacast every allocEvery ticks.
const (
	tickInterval = 100 * time.Millisecond
	allocEvery   = 5
)

// Room is one call's media: its peers and the tracks they publish. Tracks
// and peers are kept under one lock so a track being published and a peer
// joining at the same moment always meet: whichever comes second sees the
// first.
type Room struct {
	engine *Engine
	id     string
	log    *slog.Logger

	forwardedBytes  atomic.Uint64
	bitrate         atomic.Int64 // bits per second out, measured each allocation tick
	activeSpeakerID atomic.Value // string

	mu     sync.Mutex
	peers  map[PeerID]*Peer
	tracks map[*upTrack]struct{}
	stop   chan struct{} // closes the ticker; nil while the room is empty

	// Owned by the ticker goroutine.
	speakers  speakerState
	lastBytes uint64
	lastTick  time.Time
}

// NewRoom returns an empty media room; id names it in metrics and logs.
func (e *Engine) NewRoom(id string, log *slog.Logger) *Room {
	return &Room{
		engine: e,
		id:     id,
		log:    log,
		peers:  make(map[PeerID]*Peer),
		tracks: make(map[*upTrack]struct{}),
	}
}

// Tracks describes every track published in the room now.
func (r *Room) Tracks() []TrackInfo {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]TrackInfo, 0, len(r.tracks))
	for u := range r.tracks {
		out = append(out, u.info)
	}
	return out
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
	if len(r.peers) == 1 {
		r.engine.addRoom(r)
		r.stop = make(chan struct{})
		go r.run(r.stop)
	}
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
		if len(r.peers) == 0 && r.stop != nil {
			close(r.stop)
			r.stop = nil
			r.engine.removeRoom(r)
		}
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

// snapshot returns the room's tracks and peers.
func (r *Room) snapshot() ([]*upTrack, []*Peer) {
	return r.appendSnapshot(nil, nil)
}

// appendSnapshot is snapshot appending to tracks and peers: the
// heartbeat reuses its slices from tick to tick.
func (r *Room) appendSnapshot(tracks []*upTrack, peers []*Peer) ([]*upTrack, []*Peer) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for u := range r.tracks {
		tracks = append(tracks, u)
	}
	for _, p := range r.peers {
		peers = append(peers, p)
	}
	return tracks, peers
}

// run is the room's heartbeat, while anyone is in it: speakers every tick;
// layer bitrates, each subscriber's allocation and dynacast every
// allocEvery ticks. None of it touches the packet path but through atomics.
// It allocates next to nothing in a room that does not change, for the
// collector to run seldom: each collection stretches over tens of
// milliseconds on a busy core, and the forwarding waits in them.
func (r *Room) run(stop chan struct{}) {
	t := time.NewTicker(tickInterval)
	defer t.Stop()
	var tracks []*upTrack
	var peers []*Peer
	for i := 0; ; i++ {
		var now time.Time
		select {
		case <-stop:
			return
		case now = <-t.C:
		}
		clear(tracks) // no pointer kept to whoever left
		clear(peers)
		tracks, peers = r.appendSnapshot(tracks[:0], peers[:0])
		r.updateSpeakers(now, tracks, peers)
		for j, p := range peers {
			if p.fb != nil {
				p.fb.Flush(now)
			}
			if n := p.probe.tick(now); n > 0 {
				r.engine.stats.padding.Add(uint64(n))
			}
			// Each subscriber's reports once a second, spread over the
			// ticks rather than all at once.
			if (i+j)%reportEvery == 0 {
				p.sendReports(now)
			}
		}
		if i%allocEvery != 0 {
			continue
		}
		r.measure(now, tracks)
		speaker := r.activeSpeaker()
		for _, p := range peers {
			p.allocate(now, speaker)
		}
		for _, u := range tracks {
			u.updateDynacast(now)
		}
	}
}

// cacheIdleTicks is how many measurements (half a second apart) a layer
// sends nothing before its packet cache is freed.
const cacheIdleTicks = 4

// rateSmoothing is the weight of a new measurement in a layer's bitrate:
// a keyframe doubles a layer's rate for one measurement, and the
// allocator would otherwise move subscribers down and up again on it.
const rateSmoothing = 0.3

// smoothRate folds one measurement (bits per second) into a layer's rate.
// A layer that sent nothing (paused, as dynacast does) keeps its last
// rate: it is what the layer will take when it resumes, a better guess
// than the nominal rate.
func smoothRate(old int64, sample float64) int64 {
	switch {
	case sample <= 0:
		return old
	case old <= 0:
		return int64(sample)
	}
	return int64(float64(old) + rateSmoothing*(sample-float64(old)))
}

// measure updates every layer's bitrate and the room's.
func (r *Room) measure(now time.Time, tracks []*upTrack) {
	if r.lastTick.IsZero() {
		r.lastTick = now
		return
	}
	secs := now.Sub(r.lastTick).Seconds()
	r.lastTick = now
	if secs <= 0 {
		return
	}
	for _, u := range tracks {
		if u.svc != nil {
			u.svc.measure(secs)
		}
		for _, l := range u.layers.Load() {
			if l == nil {
				continue
			}
			b := l.bytes.Load()
			l.bitrate.Store(smoothRate(l.bitrate.Load(), float64(b-l.lastBytes)*8/secs))
			if b == l.lastBytes {
				if l.idleTicks++; l.idleTicks == cacheIdleTicks {
					l.cache.Store(nil) // stopped: free its packets
				}
			} else {
				l.idleTicks = 0
			}
			l.lastBytes = b
			l.temporal.measure()
		}
	}
	b := r.forwardedBytes.Load()
	r.bitrate.Store(int64(float64(b-r.lastBytes) * 8 / secs))
	r.lastBytes = b
}

// Describe summarises what one peer receives, for diagnostics: each down
// track's layers (desired, target, current) and its publisher's layers.
func (e *Engine) Describe(id PeerID) string {
	var b strings.Builder
	for _, r := range e.liveRooms() {
		r.mu.Lock()
		p := r.peers[id]
		r.mu.Unlock()
		if p == nil {
			continue
		}
		p.mu.Lock()
		for u, d := range p.downs {
			if u.audio {
				continue
			}
			fmt.Fprintf(&b, "%s: desired %d target %d current %d bound %v; layers", u.info.ID, d.desired.Load(), d.target.Load(), d.current.Load(), d.bound.Load())
			for i, l := range u.layers.Load() {
				if l != nil {
					fmt.Fprintf(&b, " %d:%s %dbps %dp", i, l.rid, l.bitrate.Load(), l.height.Load())
				}
			}
			if s := u.svc; s != nil {
				fmt.Fprintf(&b, "; VP9 SVC, %d of %d spatial layers:", s.spatial.Load(), s.count())
				for i := 0; i < s.count(); i++ {
					fmt.Fprintf(&b, " %d:%dbps %dp", i, s.bitrate[i].Load(), s.height[i].Load())
				}
			}
			fmt.Fprintf(&b, " (of %d)\n", u.layerCount)
		}
		p.mu.Unlock()
		b.WriteString(fmt.Sprintf("budget %.0f\n", p.bwe.budget(0, time.Now())))
	}
	return b.String()
}
