package sfu

import (
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/webrtc/v4"

	"github.com/roomsdev/rooms/internal/feedback"
	"github.com/roomsdev/rooms/internal/pushbuf"
	"github.com/roomsdev/rooms/internal/trickle"
)

// ICECandidate is a trickled candidate as browsers exchange it
// (RTCIceCandidateInit).
type ICECandidate = webrtc.ICECandidateInit

// maxPublishedSections bounds the media sections of a publisher offer:
// microphone, camera, screen and screen audio, with room to spare. A
// client asking for hundreds would cost the server memory for nothing.
const maxPublishedSections = 8

// Peer is one participant's media: a publisher and a subscriber
// PeerConnection, the tracks it publishes and the ones it receives.
type Peer struct {
	id   PeerID
	room *Room
	h    Handler
	log  *slog.Logger

	pub, sub *webrtc.PeerConnection
	subUp    atomic.Bool           // the subscriber connection is connected: its SRTP keys are made
	out      directSender          // the subscriber connection's own SRTP sends (direct.go)
	fb       *feedback.Interceptor // the publisher connection's RTCP feedback, flushed by Room.run

	// pubMu serialises publisher negotiation (offer in, answer out).
	pubMu sync.Mutex
	// publishMu serialises publishing a track with its end (publish.go).
	publishMu sync.Mutex

	// cands keeps trickled candidates behind their description.
	cands trickle.Gate[Target, ICECandidate]

	// negMu serialises subscriber negotiation; the fields below it are
	// what it guards.
	negMu          sync.Mutex
	awaitingAnswer bool        // an offer is out, its answer not yet in
	offerPending   bool        // something changed while awaiting an answer
	iceRestart     bool        // the next offer restarts ICE
	negTimer       *time.Timer // an offer is about to be made
	offered        bool        // an offer has been sent

	mu      sync.Mutex
	closed  bool
	downs   map[*upTrack]*downTrack          // what this peer receives
	ups     map[*upTrack]struct{}            // what this peer publishes
	byRecv  map[*webrtc.RTPReceiver]*upTrack // simulcast layers of one track share a receiver
	paused  map[string]bool                  // kinds whose forwarding is paused
	sources map[string]string                // declared source by mid
	early   map[Target][]ICECandidate        // candidates that came before their description
	// Tracks wait to be published together (publish.go).
	announced int         // tracks the latest publisher offer sends
	held      []*upTrack  // new tracks not published yet
	holdTimer *time.Timer // publishes them if the rest are late

	// allocMu serialises layer allocation; settings and allocBuf (the
	// slice allocate fills, kept between calls) are what it guards.
	allocMu  sync.Mutex
	settings map[string]TrackSettings
	allocBuf []allocation
	// reportBufs is the room heartbeat's, for sendReports.
	reportBufs reportBufs

	bwe   estimator
	probe prober

	// in holds the publisher connection's incoming streams (package pushbuf).
	in pushbuf.Set
	// recv reads the publisher connection's media straight off the
	// socket once it is up (directrecv.go).
	recv directReceiver

	// ssrcMu guards bySSRC: which down track sends on each SSRC of the
	// subscriber connection, for its RTCP (rtcpsink.go).
	ssrcMu sync.RWMutex
	bySSRC map[uint32]*downTrack
	rtcpIn rtcpParse // the subscriber connection's last RTCP compound, parsed
}

func newPeer(r *Room, id PeerID, h Handler) (*Peer, error) {
	p := &Peer{
		id:       id,
		room:     r,
		h:        h,
		log:      r.log.With("peer", id),
		downs:    make(map[*upTrack]*downTrack),
		ups:      make(map[*upTrack]struct{}),
		byRecv:   make(map[*webrtc.RTPReceiver]*upTrack),
		paused:   make(map[string]bool),
		sources:  make(map[string]string),
		early:    make(map[Target][]ICECandidate),
		settings: make(map[string]TrackSettings),
	}
	var err error
	if p.pub, err = r.engine.newPeerConnection(Pub, p); err != nil {
		return nil, err
	}
	p.recv.fb = p.fb
	if p.sub, err = r.engine.newPeerConnection(Sub, p); err != nil {
		_ = p.pub.Close()
		return nil, err
	}
	// An audio section that receives nothing gives the subscriber
	// connection something to negotiate before any track exists, so its
	// ICE and DTLS are done by the time the first remote track arrives.
	// (The client answers it inactive, and it stays so: pion does not
	// send on a section the other side made inactive.) A data channel
	// would do it too, but its SCTP association costs four goroutines
	// and its buffers per participant, for nothing.
	if _, err := p.sub.AddTransceiverFromKind(webrtc.RTPCodecTypeAudio, webrtc.RTPTransceiverInit{Direction: webrtc.RTPTransceiverDirectionRecvonly}); err != nil {
		p.closeConnections()
		return nil, fmt.Errorf("add placeholder transceiver: %w", err)
	}
	p.watch(Pub, p.pub)
	p.watch(Sub, p.sub)
	p.subICE().OnSelectedCandidatePairChange(func(pair *webrtc.ICECandidatePair) {
		p.out.setPair(r.engine, pair)
	})
	p.pubICE().OnSelectedCandidatePairChange(func(pair *webrtc.ICECandidatePair) {
		p.recv.setPair(&r.engine.inbound, pair)
	})
	p.pub.OnTrack(p.onTrack)
	return p, nil
}

// sendCandidate sends candidates of connection t to the client.
func (p *Peer) sendCandidate(t Target) func(ICECandidate) {
	return func(c ICECandidate) { p.h.Candidate(t, c) }
}

// ID returns the peer's id.
func (p *Peer) ID() PeerID { return p.id }

func (p *Peer) watch(t Target, pc *webrtc.PeerConnection) {
	pc.OnICECandidate(func(c *webrtc.ICECandidate) {
		if c != nil {
			p.cands.Candidate(t, c.ToJSON(), p.sendCandidate(t))
		}
	})
	pc.OnConnectionStateChange(func(s webrtc.PeerConnectionState) {
		p.log.Debug("connection state", "pc", t, "state", s.String())
		if t == Sub {
			up := s == webrtc.PeerConnectionStateConnected
			if up {
				p.startDirect()
			}
			p.subUp.Store(up)
			if up {
				p.requestKeyframes()
			}
		}
		if t == Pub {
			switch s {
			case webrtc.PeerConnectionStateConnected:
				p.startDirectReceive()
			case webrtc.PeerConnectionStateFailed, webrtc.PeerConnectionStateClosed:
				p.recv.stop(&p.room.engine.inbound)
			}
		}
		if s == webrtc.PeerConnectionStateFailed {
			p.h.Failed()
		}
	})
}

// requestKeyframes starts every video p receives on a keyframe: its
// subscriber connection has just come up (first, or again after a
// network cut), and each decoder needs one to start. A recent one in the
// cache is sent at once (keyreplay.go); otherwise the publisher is asked.
func (p *Peer) requestKeyframes() {
	for _, d := range p.downList() {
		if !d.up.audio && d.bound.Load() && !d.startFromCache() {
			d.up.requestKeyframe(int(d.target.Load()))
		}
	}
}

// downList is what p receives now, none once p is closed.
func (p *Peer) downList() []*downTrack {
	return p.appendDowns(nil)
}

// appendDowns is downList appending to downs.
func (p *Peer) appendDowns(downs []*downTrack) []*downTrack {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return downs
	}
	for _, d := range p.downs {
		downs = append(downs, d)
	}
	return downs
}

// PublisherOffer applies the client's offer for the publisher connection
// and sends the answer (Handler.PublisherAnswer).
func (p *Peer) PublisherOffer(sdp string) error {
	if n := strings.Count(sdp, "\nm="); n > maxPublishedSections {
		return fmt.Errorf("%w: %d media sections, at most %d", ErrTooManyTracks, n, maxPublishedSections)
	}
	p.pubMu.Lock()
	defer p.pubMu.Unlock()
	if p.isClosed() {
		return ErrClosed
	}
	// An ICE restart in the offer regathers at once (in
	// SetRemoteDescription): from here, candidates wait for the answer.
	p.cands.Hold(Pub)
	defer p.cands.Release(Pub, p.sendCandidate(Pub))
	offer := webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: sdp}
	if err := p.pub.SetRemoteDescription(offer); err != nil {
		return fmt.Errorf("%w: set publisher offer: %w", ErrNegotiation, err)
	}
	if parsed, err := offer.Unmarshal(); err == nil { // it is: pion took it
		p.announce(parsed)
	}
	answer, err := p.pub.CreateAnswer(nil)
	if err != nil {
		return fmt.Errorf("%w: create publisher answer: %w", ErrNegotiation, err)
	}
	if err := p.pub.SetLocalDescription(answer); err != nil {
		return fmt.Errorf("%w: set publisher answer: %w", ErrNegotiation, err)
	}
	p.addEarlyCandidates(Pub, p.pub)
	p.h.PublisherAnswer(withOpusParams(answer.SDP))
	return nil
}

// SubscriberAnswer applies the client's answer to the latest subscriber
// offer, then sends the next offer if anything changed meanwhile.
func (p *Peer) SubscriberAnswer(sdp string) error {
	p.negMu.Lock()
	if !p.awaitingAnswer {
		p.negMu.Unlock()
		return ErrNoOffer
	}
	err := p.sub.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: sdp})
	if err != nil {
		// The offer stays pending: the client may send a corrected answer.
		p.negMu.Unlock()
		return fmt.Errorf("%w: set subscriber answer: %w", ErrNegotiation, err)
	}
	p.awaitingAnswer = false
	again := p.offerPending
	p.offerPending = false
	p.negMu.Unlock()
	p.addEarlyCandidates(Sub, p.sub)
	if p.subUp.Load() {
		// The tracks the answer bound start now, from a cached keyframe
		// where there is one: when someone joins a full room, the others'
		// answers arrive over a few hundred milliseconds, and asking the
		// newcomer for a keyframe each time would leave most of them
		// waiting out keyframeRetry, some several times.
		p.requestKeyframes()
	}
	if again {
		p.negotiate()
	}
	return nil
}

// maxEarlyCandidates bounds the candidates kept for a connection whose
// remote description has not arrived.
const maxEarlyCandidates = 32

// AddCandidate adds a client's trickled ICE candidate. A candidate may
// overtake its description (a client's gathering runs beside its
// signalling); such candidates wait, a bounded few, until it arrives.
func (p *Peer) AddCandidate(t Target, c ICECandidate) error {
	var pc *webrtc.PeerConnection
	switch t {
	case Pub:
		pc = p.pub
	case Sub:
		pc = p.sub
	default:
		return fmt.Errorf("%w: unknown connection %q", ErrNegotiation, t)
	}
	if pc.RemoteDescription() == nil {
		p.mu.Lock()
		defer p.mu.Unlock()
		if len(p.early[t]) >= maxEarlyCandidates {
			return fmt.Errorf("%w: too many candidates before the description on %s", ErrNegotiation, t)
		}
		p.early[t] = append(p.early[t], c)
		return nil
	}
	if err := pc.AddICECandidate(c); err != nil {
		return fmt.Errorf("%w: add candidate: %w", ErrNegotiation, err)
	}
	return nil
}

// addEarlyCandidates applies the candidates that came before pc's remote
// description, now that it is set.
func (p *Peer) addEarlyCandidates(t Target, pc *webrtc.PeerConnection) {
	p.mu.Lock()
	cands := p.early[t]
	delete(p.early, t)
	p.mu.Unlock()
	for _, c := range cands {
		if err := pc.AddICECandidate(c); err != nil {
			p.log.Debug("early candidate refused", "pc", t, "err", err)
		}
	}
}

// RestartICE renegotiates the subscriber connection with fresh ICE
// credentials, after the client lost its network (RFC 8445 §2.4): the
// connection, and every track on it, survives.
func (p *Peer) RestartICE() {
	p.negMu.Lock()
	p.iceRestart = true
	p.negMu.Unlock()
	p.negotiate()
}

// Resync sends the subscriber offer again after the client resumed on a
// new signalling connection: the one it went out on was lost, so its
// answer may never come. An offer still unanswered goes again as it was
// (with the candidates gathered since): pion cannot replace a local
// offer (no have-local-offer → have-local-offer, no local rollback), and
// the client may already have applied it. Otherwise a new offer says
// what changed meanwhile.
func (p *Peer) Resync() {
	p.negMu.Lock()
	if p.awaitingAnswer && !p.isClosed() {
		if d := p.sub.PendingLocalDescription(); d != nil && d.Type == webrtc.SDPTypeOffer {
			p.h.SubscriberOffer(d.SDP)
			p.negMu.Unlock()
			return
		}
	}
	p.awaitingAnswer = false
	p.negMu.Unlock()
	p.negotiate()
}

// negotiateDelay gathers changes that come together into one subscriber
// offer: a newcomer's audio and video arrive as two tracks, and in a busy
// room several people join at once. Every offer costs the server and the
// client a parse of an SDP with a section per track, so in a full room
// two offers where one does makes every join slower for everyone.
const negotiateDelay = 30 * time.Millisecond

// negotiate sends a subscriber offer shortly (negotiateDelay), or right
// after the pending answer arrives.
func (p *Peer) negotiate() {
	p.negMu.Lock()
	defer p.negMu.Unlock()
	if p.isClosed() {
		return
	}
	if p.awaitingAnswer {
		p.offerPending = true
		return
	}
	if p.negTimer == nil {
		delay := negotiateDelay
		if !p.offered {
			delay = 0 // a newcomer's first offer: nothing to gather, no time to lose
		}
		p.negTimer = time.AfterFunc(delay, p.sendOffer)
	}
}

// sendOffer makes and sends the subscriber offer negotiate scheduled.
func (p *Peer) sendOffer() {
	p.negMu.Lock()
	defer p.negMu.Unlock()
	p.negTimer = nil
	if p.isClosed() {
		return
	}
	if p.awaitingAnswer {
		p.offerPending = true
		return
	}
	var opts *webrtc.OfferOptions
	if p.iceRestart {
		opts = &webrtc.OfferOptions{ICERestart: true}
		p.iceRestart = false
	}
	p.log.Debug("subscriber offer", "ice_restart", opts != nil)
	// An ICE restart regathers in CreateOffer: from here, candidates
	// wait for the offer.
	p.cands.Hold(Sub)
	defer p.cands.Release(Sub, p.sendCandidate(Sub))
	offer, err := p.sub.CreateOffer(opts)
	if err == nil {
		err = p.sub.SetLocalDescription(offer)
	}
	if err != nil {
		if !p.isClosed() {
			p.log.Warn("subscriber offer failed", "err", err)
		}
		return
	}
	p.awaitingAnswer = true
	p.offered = true
	p.room.engine.stats.offers.Add(1)
	// Sent while holding negMu so offers leave in the order they were made.
	p.h.SubscriberOffer(offer.SDP)
}

// subscribe starts forwarding u to p. It reports whether anything changed
// (the caller then renegotiates).
func (p *Peer) subscribe(u *upTrack) bool {
	p.mu.Lock()
	if p.closed || p.downs[u] != nil {
		p.mu.Unlock()
		return false
	}
	d := newDownTrack(u, p)
	var err error
	d.sender, err = p.sub.AddTrack(d)
	if err != nil {
		p.mu.Unlock()
		p.log.Warn("subscribe failed", "track", u.info.ID, "err", err)
		return false
	}
	p.downs[u] = d
	p.mu.Unlock()
	if !u.audio {
		p.preferCodec(d)
	}

	u.addDown(d)
	if !u.audio && u.svc == nil && !p.subUp.Load() {
		// Ahead of the connection: the keyframe waits in the cache for
		// it (keyreplay.go). One that is up asks once pion binds d. An
		// SVC stream is not replayed (its layers are picked per packet),
		// and a keyframe now would only hold back the one it asks for
		// when it is up (keyframeRetry).
		u.requestKeyframe(int(d.target.Load()))
	}
	return true
}

// preferCodec offers only the publisher's codec (and its RTX) in d's
// media section, rather than every video codec the server knows: in a
// full room the subscriber's SDP has a hundred sections and every join
// renegotiates it, so its size is what a join costs everyone.
func (p *Peer) preferCodec(d *downTrack) {
	c := d.up.codec
	for _, v := range videoCodecs {
		if !strings.EqualFold(v.mime, c.MimeType) || (v.fmtp != "" && !sameProfile(v.fmtp, c.SDPFmtpLine)) {
			continue
		}
		codec, rtx := v.params(Sub)
		for _, tr := range p.sub.GetTransceivers() {
			if tr.Sender() == d.sender {
				if err := tr.SetCodecPreferences([]webrtc.RTPCodecParameters{codec, rtx}); err != nil {
					p.log.Debug("codec preference", "track", d.up.info.ID, "err", err)
				}
				return
			}
		}
		return
	}
}

// sameProfile reports whether two H.264 fmtp lines name the same
// profile-level-id (the part that must match).
func sameProfile(a, b string) bool {
	return strings.EqualFold(fmtpValue(a, "profile-level-id"), fmtpValue(b, "profile-level-id"))
}

func fmtpValue(fmtp, key string) string {
	for _, kv := range strings.Split(fmtp, ";") {
		if k, v, ok := strings.Cut(strings.TrimSpace(kv), "="); ok && strings.EqualFold(k, key) {
			return v
		}
	}
	return ""
}

// unsubscribe stops forwarding u to p. It reports whether anything changed.
func (p *Peer) unsubscribe(u *upTrack) bool {
	p.mu.Lock()
	d := p.downs[u]
	delete(p.downs, u)
	closed := p.closed
	p.mu.Unlock()
	if d == nil {
		return false
	}
	u.removeDown(d)
	if closed {
		return false
	}
	if err := p.sub.RemoveTrack(d.sender); err != nil {
		p.log.Debug("remove track", "track", u.info.ID, "err", err)
	}
	return true
}

func (p *Peer) onTrack(remote *webrtc.TrackRemote, recv *webrtc.RTPReceiver) {
	// Simulcast layers arrive one by one, each with its own OnTrack, on
	// the same receiver: the first makes the track, the others join it.
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return
	}
	u, known := p.byRecv[recv]
	if !known {
		if len(p.ups) >= maxPublishedSections {
			p.mu.Unlock()
			return
		}
		u = newUpTrack(p, remote, recv)
		p.ups[u] = struct{}{}
		p.byRecv[recv] = u
		u.paused.Store(p.paused[u.info.Kind])
	}
	p.mu.Unlock()

	l := u.addLayer(remote, recv)
	if l == nil {
		return
	}
	if !known {
		p.publishTrack(u)
	}
	// Ask for a keyframe of the new layer at once: a subscriber may be
	// waiting to switch to it.
	l.requestKeyframe()

	// From here the layer's packets are forwarded as pion decrypts them
	// (package pushbuf); this goroutine ends.
	ended := func() { p.layerEnded(u, recv) }
	if !bindLayer(&p.in, l, recv, ended) {
		p.log.Warn("no buffer for a published stream", "track", u.info.ID, "ssrc", l.ssrc)
		ended()
	}
}

// layerEnded runs when one of u's layers stops; the last one to stop
// takes u out of the room.
func (p *Peer) layerEnded(u *upTrack, recv *webrtc.RTPReceiver) {
	if !u.layerDone() {
		return
	}
	p.publishMu.Lock()
	defer p.publishMu.Unlock()
	p.room.unpublish(u)
	u.clearDowns()
	p.h.Unpublished(u.info)
	p.mu.Lock()
	delete(p.ups, u)
	delete(p.byRecv, recv)
	p.mu.Unlock()
}

// SetSources records what the publisher says its media sections carry
// (camera, microphone, screen, screen_audio), by mid, before its offer is
// applied; tracks published later carry it in TrackInfo.Source.
func (p *Peer) SetSources(sources map[string]string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for mid, src := range sources {
		switch src {
		case SourceCamera, SourceMicrophone, SourceScreen, SourceScreenAudio:
			p.sources[mid] = src
		}
	}
}

// sourceOfLocked is the declared source of a mid, or the kind's
// default. p.mu is held.
func (p *Peer) sourceOfLocked(mid, kind string) string {
	if src := p.sources[mid]; src != "" {
		return src
	}
	if kind == KindAudio {
		return SourceMicrophone
	}
	return SourceCamera
}

// Media kinds, as TrackInfo.Kind names them.
const (
	KindAudio = "audio"
	KindVideo = "video"
)

// SetPaused stops (or resumes) forwarding this peer's tracks of one kind
// to everyone: a muted microphone reaches nobody even if the client keeps
// sending. It applies to tracks published later too.
func (p *Peer) SetPaused(kind string, paused bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.paused[kind] = paused
	for u := range p.ups {
		if u.info.Kind == kind {
			u.paused.Store(paused)
		}
	}
}

func (p *Peer) isClosed() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.closed
}

// Close takes the peer out of the room: its tracks stop reaching the
// others, and both its connections close. It is idempotent.
func (p *Peer) Close() {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return
	}
	p.closed = true
	downs := p.downs
	p.downs = make(map[*upTrack]*downTrack)
	p.stopHoldLocked()
	p.mu.Unlock()

	for _, u := range p.room.remove(p) {
		p.room.unpublish(u)
	}
	for u, d := range downs {
		u.removeDown(d)
	}
	p.closeConnections()
}

func (p *Peer) closeConnections() {
	p.recv.stop(&p.room.engine.inbound)
	if err := p.pub.Close(); err != nil {
		p.log.Debug("close publisher", "err", err)
	}
	if err := p.sub.Close(); err != nil {
		p.log.Debug("close subscriber", "err", err)
	}
}
