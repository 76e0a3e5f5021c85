package client

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
	"github.com/pion/rtcp"
	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"

	"github.com/roomsdev/rooms/internal/depdesc"
	"github.com/roomsdev/rooms/internal/feedback"
	"github.com/roomsdev/rooms/internal/keyframe"
	"github.com/roomsdev/rooms/internal/pushbuf"
	"github.com/roomsdev/rooms/internal/trickle"
)

// Participant is someone in the call, as the server describes them.
type Participant struct {
	ID         string `json:"id"`
	Name       string `json:"name"`
	Guest      bool   `json:"guest"`
	Host       bool   `json:"host"`
	AudioMuted bool   `json:"audioMuted"`
	VideoMuted bool   `json:"videoMuted"`
	HandRaised bool   `json:"handRaised"`
	// Reconnecting: their signalling connection dropped; the server keeps
	// their place while they come back.
	Reconnecting bool `json:"reconnecting,omitempty"`
}

// RoomInfo is the room as the server shows it to this participant.
type RoomInfo struct {
	Token       string `json:"token"`
	Name        string `json:"name"`
	Theme       string `json:"theme"`
	Kind        string `json:"kind"`
	Locked      bool   `json:"locked"`
	LockReason  string `json:"lockReason"`
	LinkSharing bool   `json:"linkSharing"`
	Visibility  string `json:"visibility"`
	JoinPolicy  string `json:"joinPolicy"`
}

// Event is a server message that changes what the call looks like.
type Event struct {
	// Type is the message type: joined (let in after waiting),
	// participantJoined, participantLeft, participantUpdated,
	// trackPublished, trackUnpublished, roomUpdated, removed, roomEnded,
	// mutedByHost, publishLayers, speakers or error.
	Type        string
	Participant Participant // joined, updated
	ID          string      // left: the participant's id; track events: the publisher's
	Code        string      // error
	Message     string      // error
	Fatal       bool        // error
	Room        RoomInfo    // roomUpdated
	From        string      // chat, reaction: the sender's participant id
	Name        string      // chat: the sender's name
	Text        string      // chat
	Emoji       string      // reaction
	TrackID     string      // track events, publishLayers
	Kind        string      // trackPublished: audio or video
	Source      string      // trackPublished: camera, microphone, screen, screen_audio
	Layers      []string    // publishLayers: the rids anyone receives
	// SpatialLayers, publishLayers of an SVC track: how many spatial
	// layers anyone receives.
	SpatialLayers int
	Speaking      []string // speakers: who talks, loudest first (ID is the active speaker)
}

// Received counts what arrived from one publisher.
type Received struct {
	AudioPackets atomic.Int64
	VideoPackets atomic.Int64
	VideoBytes   atomic.Int64
	// Width and Height are the size of the latest video keyframe: which
	// simulcast layer the server forwards.
	Width, Height atomic.Int32
	Keyframes     atomic.Int64
	// FirstKeyframe is the time from the video track's arrival to its
	// first keyframe, in nanoseconds (0 until then).
	FirstKeyframe atomic.Int64
	// PaddingPackets are padding-only packets: the server probing this
	// client's downlink. They count in neither VideoPackets nor VideoBytes.
	PaddingPackets atomic.Int64
	// SpatialPackets counts VP9 and AV1 SVC video packets by spatial layer (0 to 2;
	// higher layers count in 2).
	SpatialPackets [3]atomic.Int64
}

// JoinOptions says what to publish.
type JoinOptions struct {
	// Publish is sent on the publisher connection; nil joins receive-only.
	Publish *Synthetic
	// OnPacket, when set, is called for every packet received, on the
	// goroutine that decrypts the subscriber connection's packets: keep it
	// quick, and never block (the connection's other tracks wait).
	OnPacket func(Packet)
	// Impair, when set, spoils the media transport on purpose (tests).
	Impair *Impairment
	// NoICERestart turns off the automatic ICE restart when a media
	// connection is disconnected.
	NoICERestart bool
	// NoResume turns off resuming the call on a new signalling socket
	// when the socket drops.
	NoResume bool
	// TCPOnly uses ICE over TCP alone, as where UDP is blocked: the
	// server's passive TCP candidates (ICE-TCP, RFC 6544).
	TCPOnly bool
	// RelayOnly sends all media through the TURN servers of
	// joined.iceServers (ICE transport policy "relay").
	RelayOnly bool
	// RelayTransport keeps only the TURN URLs of joined.iceServers that
	// reach the server over "udp", "tcp" (turn:…?transport=tcp) or "tls"
	// (turns:), as on a network that lets only that through; "" keeps all.
	RelayTransport string
	// RelayRootCAs, when set, are the roots a turns: server's certificate
	// must chain to (a test's self-signed one); nil trusts the system's.
	RelayRootCAs *x509.CertPool
	// LoopbackOnly offers loopback ICE candidates alone, for clients on
	// the server's machine (the load tool's bots; see internal/load).
	LoopbackOnly bool
}

// ErrJoinRefused wraps the server's refusal of a join (full, locked, ...).
var ErrJoinRefused = errors.New("join refused")

// Call is one presence in a room's call.
type Call struct {
	session *Session
	wsURL   string
	wsMu    sync.Mutex
	stalled atomic.Bool     // StallSignalling: the socket carries nothing either way
	ws      *websocket.Conn // replaced when the call resumes on a new socket
	in      pushbuf.Set     // the subscriber connection's incoming streams
	ctx     context.Context
	cancel  context.CancelFunc

	Self Participant
	// VideoCodec is the codec the server asks publishers to send their
	// camera in (joined.videoCodec): vp8, vp9, av1 or h264.
	VideoCodec string

	opts     JoinOptions
	pub, sub *webrtc.PeerConnection
	events   chan Event
	done     chan struct{}
	rtcp     rtcpStats
	media    mediaState
	steps    timeline

	iceServers  []webrtc.ICEServer // from joined
	resumeToken string             // from joined

	mu           sync.Mutex
	waiting      bool
	room         RoomInfo
	participants map[string]Participant
	received     map[string]*Received
	pending      map[string][]webrtc.ICECandidateInit          // by "pub"/"sub", before the remote description
	announced    []string                                      // the server's trickled candidates (ServerCandidates)
	cands        trickle.Gate[string, webrtc.ICECandidateInit] // ours, behind our descriptions
}

type wire struct {
	Type          string                   `json:"type"`
	SDP           string                   `json:"sdp,omitempty"`
	PC            string                   `json:"pc,omitempty"`
	Candidate     *webrtc.ICECandidateInit `json:"candidate,omitempty"`
	Self          *Participant             `json:"self,omitempty"`
	Participants  []Participant            `json:"participants,omitempty"`
	Participant   json.RawMessage          `json:"participant,omitempty"`
	ID            string                   `json:"id,omitempty"`
	Code          string                   `json:"code,omitempty"`
	Message       string                   `json:"message,omitempty"`
	Fatal         bool                     `json:"fatal,omitempty"`
	Room          *RoomInfo                `json:"room,omitempty"`
	From          string                   `json:"from,omitempty"`
	Name          string                   `json:"name,omitempty"`
	Text          string                   `json:"text,omitempty"`
	Emoji         string                   `json:"emoji,omitempty"`
	Raised        *bool                    `json:"raised,omitempty"`
	Audio         *bool                    `json:"audio,omitempty"`
	Video         *bool                    `json:"video,omitempty"`
	TrackID       string                   `json:"trackId,omitempty"`
	Mid           string                   `json:"mid,omitempty"`
	Kind          string                   `json:"kind,omitempty"`
	Source        string                   `json:"source,omitempty"`
	Active        json.RawMessage          `json:"active,omitempty"`
	SpatialLayers int                      `json:"spatialLayers,omitempty"`
	VideoCodec    string                   `json:"videoCodec,omitempty"`
	Speaking      []string                 `json:"speaking,omitempty"`
	Sources       map[string]string        `json:"sources,omitempty"`
	Tracks        []TrackSetting           `json:"tracks,omitempty"`
	ICEServers    []webrtc.ICEServer       `json:"iceServers,omitempty"`
	ResumeToken   string                   `json:"resumeToken,omitempty"`
	Token         string                   `json:"token,omitempty"`
}

// Join enters the room's call with this session's identity (an account, or
// a guest made with JoinAsGuest). It returns once the server has said
// `joined` (media then connects in the background) or `waiting` (Waiting
// is true until the host arrives; a `joined` event follows).
func (s *Session) Join(ctx context.Context, token string, opts JoinOptions) (*Call, error) {
	return s.join(ctx, "/api/rooms/"+token+"/ws", opts)
}

// DropIn joins an active room from the drop-in list by its id, without
// the link.
func (s *Session) DropIn(ctx context.Context, roomID string, opts JoinOptions) (*Call, error) {
	return s.join(ctx, "/api/dropin/"+roomID+"/ws", opts)
}

func (s *Session) join(ctx context.Context, path string, opts JoinOptions) (*Call, error) {
	wsURL := "ws" + strings.TrimPrefix(s.BaseURL, "http") + path
	ws, err := s.dial(ctx, wsURL)
	if err != nil {
		return nil, err
	}
	cctx, cancel := context.WithCancel(context.Background())
	c := &Call{
		session:      s,
		wsURL:        wsURL,
		opts:         opts,
		ws:           ws,
		ctx:          cctx,
		cancel:       cancel,
		events:       make(chan Event, 1024),
		done:         make(chan struct{}),
		participants: make(map[string]Participant),
		received:     make(map[string]*Received),
		pending:      make(map[string][]webrtc.ICECandidateInit),
	}
	c.rtcp.srs = make(map[uint32]SenderReport)
	if err := c.send(wire{Type: "join"}); err != nil {
		c.Leave()
		return nil, err
	}
	var m wire
	if err := c.read(ctx, &m); err != nil {
		c.Leave()
		return nil, fmt.Errorf("read joined: %w", err)
	}
	if m.Type == "error" {
		c.Leave()
		return nil, fmt.Errorf("%w: %s: %s", ErrJoinRefused, m.Code, m.Message)
	}
	switch {
	case m.Type == "waiting":
		c.waiting = true
		if m.Room != nil {
			c.room = *m.Room
		}
	case m.Type == "joined" && m.Self != nil:
		if err := c.onJoined(&m); err != nil {
			c.Leave()
			return nil, err
		}
	default:
		c.Leave()
		return nil, fmt.Errorf("expected joined or waiting, got %q", m.Type)
	}
	go c.readLoop()
	return c, nil
}

func (c *Call) onJoined(m *wire) error {
	c.steps.mark(func(t *Timeline) *time.Time { return &t.Joined })
	c.mu.Lock()
	c.Self = *m.Self
	c.VideoCodec = m.VideoCodec
	c.waiting = false
	if m.Room != nil {
		c.room = *m.Room
	}
	for _, p := range m.Participants {
		c.participants[p.ID] = p
	}
	c.iceServers = m.ICEServers
	c.resumeToken = m.ResumeToken
	c.mu.Unlock()
	return c.setupMedia(c.opts)
}

// Waiting reports whether the call waits for the host to arrive.
func (c *Call) Waiting() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.waiting
}

// Room returns the room as last described by the server.
func (c *Call) Room() RoomInfo {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.room
}

// ID returns this participant's id (empty while waiting).
func (c *Call) ID() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.Self.ID
}

func (c *Call) setupMedia(opts JoinOptions) error {
	var err error
	pcfg := webrtc.Configuration{ICEServers: relayServers(c.iceServers, opts.RelayTransport)}
	if opts.RelayOnly {
		pcfg.ICETransportPolicy = webrtc.ICETransportPolicyRelay
	}
	pubFB, subFB := feedback.New(), feedback.New()
	if c.pub, err = newPeerConnection(&c.rtcp, pubFB, opts, pcfg, nil); err != nil {
		return err
	}
	if c.sub, err = newPeerConnection(&c.rtcp, subFB, opts, pcfg, &c.in); err != nil {
		return err
	}
	go flushFeedback(c.ctx, pubFB, subFB)
	c.watchCandidates("pub", c.pub)
	c.watchCandidates("sub", c.sub)
	c.watchState("pub", c.pub)
	c.watchState("sub", c.sub)
	c.sub.OnTrack(c.onTrack)
	c.watchSubSteps()
	if opts.Publish == nil {
		return nil
	}
	if err := c.addTracks(opts.Publish); err != nil {
		return err
	}
	if err := c.sendPubOffer(nil); err != nil {
		return err
	}
	c.learnSimulcastIDs(opts.Publish)
	go opts.Publish.run(c.ctx)
	return nil
}

// sendPubOffer makes an offer for the publisher connection (opts may ask
// for an ICE restart), sets it and sends it, its trickled candidates
// after it (trickle.Gate; an ICE restart regathers in CreateOffer).
func (c *Call) sendPubOffer(opts *webrtc.OfferOptions) error {
	c.cands.Hold("pub")
	defer c.cands.Release("pub", c.sendCandidate("pub"))
	offer, err := c.pub.CreateOffer(opts)
	if err != nil {
		return fmt.Errorf("create offer: %w", err)
	}
	if err := c.pub.SetLocalDescription(offer); err != nil {
		return fmt.Errorf("set offer: %w", err)
	}
	return c.send(wire{Type: "pubOffer", SDP: offer.SDP, Sources: c.sources()})
}

func (c *Call) watchCandidates(pc string, conn *webrtc.PeerConnection) {
	conn.OnICECandidate(func(cand *webrtc.ICECandidate) {
		if cand != nil {
			c.cands.Candidate(pc, cand.ToJSON(), c.sendCandidate(pc))
		}
	})
}

// sendCandidate sends candidates of connection pc ("pub" or "sub").
func (c *Call) sendCandidate(pc string) func(webrtc.ICECandidateInit) {
	return func(init webrtc.ICECandidateInit) {
		_ = c.send(wire{Type: "candidate", PC: pc, Candidate: &init})
	}
}

func (c *Call) onTrack(t *webrtc.TrackRemote, recv *webrtc.RTPReceiver) {
	// The track's packets and its RTCP (the server's sender reports,
	// which reach the interceptors only when read) are handled as pion
	// decrypts them, without a goroutine each (package pushbuf).
	ssrc := uint32(t.SSRC())
	if ctl := c.in.RTCP(ssrc); ctl != nil {
		ctl.Bind(func() error {
			_, _, err := recv.ReadRTCP()
			return err
		}, nil)
	}
	from := t.StreamID()
	arrived := time.Now()
	c.steps.mark(func(t *Timeline) *time.Time { return &t.FirstTrack })
	if t.Kind() == webrtc.RTPCodecTypeVideo {
		c.media.addVideoSSRC(uint32(t.SSRC()))
	}
	c.mu.Lock()
	r := c.received[from]
	if r == nil {
		r = &Received{}
		c.received[from] = r
	}
	c.mu.Unlock()
	buf := make([]byte, 1500)
	onPacket := c.opts.OnPacket
	kind := t.Kind().String()
	isKey := isKeyframe(t.Codec().MimeType)
	clock := t.Codec().ClockRate
	isVP9 := strings.EqualFold(t.Codec().MimeType, webrtc.MimeTypeVP9)
	isVP8 := strings.EqualFold(t.Codec().MimeType, webrtc.MimeTypeVP8)
	isAV1 := strings.EqualFold(t.Codec().MimeType, webrtc.MimeTypeAV1)
	var svc svcReceiver
	for _, ext := range recv.GetParameters().HeaderExtensions {
		if ext.URI == depdesc.URI {
			svc.ddID = uint8(ext.ID)
		}
	}
	var pkt rtp.Packet
	var asked time.Time // the latest keyframe request (askKeyframe)
	handle := func(n int) {
		if pkt.Unmarshal(buf[:n]) != nil {
			return
		}
		padding := pkt.Padding && len(pkt.Payload) == 0
		key := !padding && isKey != nil && isKey(pkt.Payload)
		if !key && !padding && isKey != nil && r.Keyframes.Load() == 0 && time.Since(asked) >= keyframeAskEvery {
			asked = time.Now()
			c.askKeyframe(pkt.SSRC)
		}
		var w, h int
		sid, tid, pic := -1, -1, -1
		layer := syntheticLayer(pkt.Payload)
		switch {
		case padding:
		case isVP9:
			sid, tid = svc.add(r, &pkt)
			layer = sid // a Synthetic SVC source's layer is the spatial one
		case isAV1 && svc.ddID != 0:
			if ext := pkt.GetExtension(svc.ddID); ext != nil {
				sid, tid = svc.addAV1(r, &pkt, ext)
				layer = sid
			}
		case isVP8:
			pic, tid = vp8Layers(pkt.Payload)
		}
		if key {
			var ok bool
			if w, h, ok = keyframe.VP8Size(pkt.Payload); ok {
				r.Width.Store(int32(w))
				r.Height.Store(int32(h))
			}
			if r.Keyframes.Add(1) == 1 {
				r.FirstKeyframe.Store(int64(time.Since(arrived)))
			}
		}
		if onPacket != nil {
			onPacket(Packet{
				From: from, Kind: kind, SSRC: pkt.SSRC, Seq: pkt.SequenceNumber, Timestamp: pkt.Timestamp,
				ClockRate: clock, Size: n, Keyframe: key, Width: w, Height: h, SyntheticLayer: layer, Padding: padding,
				Marker: pkt.Marker, SpatialLayer: sid, TemporalLayer: tid, PictureID: pic, At: time.Now(),
			})
		}
		switch {
		case padding:
			r.PaddingPackets.Add(1)
		case t.Kind() == webrtc.RTPCodecTypeAudio:
			r.AudioPackets.Add(1)
		default:
			r.VideoPackets.Add(1)
			r.VideoBytes.Add(int64(n))
		}
	}
	read := func() error {
		n, _, err := t.Read(buf)
		if err == nil {
			handle(n)
		}
		return err
	}
	media := c.in.RTP(ssrc)
	if media == nil {
		// pion makes a buffer for every stream; read the usual way if not.
		for read() == nil {
		}
		return
	}
	media.Bind(read, nil)
}

func readSenderRTCP(s *webrtc.RTPSender, src *Synthetic) {
	for {
		pkts, _, err := s.ReadRTCP()
		if err != nil {
			return
		}
		for _, p := range pkts {
			switch p.(type) {
			case *rtcp.PictureLossIndication, *rtcp.FullIntraRequest:
				src.RequestKeyframe()
			}
		}
	}
}

func (c *Call) readLoop() {
	defer close(c.done)
	for {
		var m wire
		if err := c.read(c.ctx, &m); err != nil {
			// A socket the server closed (with a status) was closed on
			// purpose: the call is over. One that broke may resume.
			if websocket.CloseStatus(err) == -1 && c.resume() {
				continue
			}
			return
		}
		if c.stalled.Load() {
			continue // lost on the way, as on a network that went away
		}
		if err := c.handle(&m); err != nil {
			c.emit(Event{Type: "error", Code: "client", Message: err.Error()})
		}
	}
}

func (c *Call) handle(m *wire) error {
	switch m.Type {
	case "subOffer":
		c.steps.mark(func(t *Timeline) *time.Time { return &t.SubOffer })
		defer c.steps.mark(func(t *Timeline) *time.Time { return &t.SubAnswered })
		// An ICE restart in the offer regathers at once: from here, our
		// candidates wait for the answer (trickle.Gate).
		c.cands.Hold("sub")
		defer c.cands.Release("sub", c.sendCandidate("sub"))
		if err := c.sub.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: m.SDP}); err != nil {
			return err
		}
		answer, err := c.sub.CreateAnswer(nil)
		if err != nil {
			return err
		}
		if err := c.sub.SetLocalDescription(answer); err != nil {
			return err
		}
		c.flushCandidates("sub", c.sub)
		return c.send(wire{Type: "subAnswer", SDP: answer.SDP})
	case "pubAnswer":
		if err := c.pub.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: m.SDP}); err != nil {
			return err
		}
		c.learnAudioLevelID()
		c.flushCandidates("pub", c.pub)
	case "candidate":
		if m.Candidate == nil {
			return nil
		}
		pc := c.pub
		if m.PC == "sub" {
			pc = c.sub
		}
		c.mu.Lock()
		c.announced = append(c.announced, m.Candidate.Candidate)
		if pc.RemoteDescription() == nil {
			c.pending[m.PC] = append(c.pending[m.PC], *m.Candidate)
			c.mu.Unlock()
			return nil
		}
		c.mu.Unlock()
		return pc.AddICECandidate(*m.Candidate)
	case "participantJoined", "participantUpdated":
		var p Participant
		if err := json.Unmarshal(m.Participant, &p); err != nil {
			return err
		}
		c.mu.Lock()
		c.participants[p.ID] = p
		c.mu.Unlock()
		c.emit(Event{Type: m.Type, Participant: p, ID: p.ID})
	case "participantLeft":
		c.mu.Lock()
		delete(c.participants, m.ID)
		c.mu.Unlock()
		c.emit(Event{Type: m.Type, ID: m.ID})
	case "trackPublished", "trackUnpublished":
		var from string
		_ = json.Unmarshal(m.Participant, &from)
		c.media.trackEvent(m.Type, from, m.TrackID, m.Kind, m.Source)
		c.emit(Event{Type: m.Type, ID: from, TrackID: m.TrackID, Kind: m.Kind, Source: m.Source})
	case "publishLayers":
		var active []string
		if err := json.Unmarshal(m.Active, &active); err != nil {
			return err
		}
		if c.opts.Publish != nil {
			c.opts.Publish.setActive(active)
			if m.SpatialLayers > 0 {
				c.opts.Publish.setSpatial(m.SpatialLayers)
			}
		}
		c.emit(Event{Type: m.Type, TrackID: m.TrackID, Layers: active, SpatialLayers: m.SpatialLayers})
	case "speakers":
		var active string
		_ = json.Unmarshal(m.Active, &active)
		c.media.setSpeakers(active, m.Speaking)
		c.emit(Event{Type: m.Type, ID: active, Speaking: m.Speaking})
	case "joined":
		if m.Self == nil {
			return nil
		}
		if err := c.onJoined(m); err != nil {
			return err
		}
		c.emit(Event{Type: m.Type, ID: m.Self.ID})
	case "roomUpdated", "waiting":
		if m.Room != nil {
			c.mu.Lock()
			c.room = *m.Room
			c.mu.Unlock()
			c.emit(Event{Type: m.Type, Room: *m.Room})
		}
	case "chat", "reaction":
		c.emit(Event{Type: m.Type, From: m.From, Name: m.Name, Text: m.Text, Emoji: m.Emoji})
	case "removed", "roomEnded", "mutedByHost":
		c.emit(Event{Type: m.Type, Message: m.Message})
	case "error":
		c.emit(Event{Type: m.Type, Code: m.Code, Message: m.Message, Fatal: m.Fatal})
	}
	return nil
}

func (c *Call) flushCandidates(name string, pc *webrtc.PeerConnection) {
	c.mu.Lock()
	cands := c.pending[name]
	delete(c.pending, name)
	c.mu.Unlock()
	for _, cand := range cands {
		_ = pc.AddICECandidate(cand)
	}
}

func (c *Call) emit(e Event) {
	select {
	case c.events <- e:
	default: // nobody is reading events; the state maps stay current
	}
}

func (c *Call) send(m wire) error {
	b, err := json.Marshal(m)
	if err != nil {
		return err
	}
	return c.SendRaw(b)
}

// SendRaw sends one text frame as it is: tests use it to send malformed
// messages.
func (c *Call) SendRaw(b []byte) error {
	if c.stalled.Load() {
		return nil // lost on the way
	}
	ctx, cancel := context.WithTimeout(c.ctx, 5*time.Second)
	defer cancel()
	return c.socket().Write(ctx, websocket.MessageText, b)
}

func (c *Call) socket() *websocket.Conn {
	c.wsMu.Lock()
	defer c.wsMu.Unlock()
	return c.ws
}

func (c *Call) read(ctx context.Context, m *wire) error {
	_, b, err := c.socket().Read(ctx)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, m)
}

// ServerCandidates returns the ICE candidates the server has trickled so
// far ("candidate:… typ host", as in SDP): where it says media reaches it.
func (c *Call) ServerCandidates() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.announced)
}

// Events delivers participant and error events as they arrive.
func (c *Call) Events() <-chan Event { return c.events }

// Done is closed when the signalling connection ends.
func (c *Call) Done() <-chan struct{} { return c.done }

// Participants returns the others in the call, by id.
func (c *Call) Participants() map[string]Participant {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make(map[string]Participant, len(c.participants))
	for k, v := range c.participants {
		out[k] = v
	}
	return out
}

// ReceivedFrom returns the counters for media from one participant (zero
// counters if nothing has arrived).
func (c *Call) ReceivedFrom(id string) (audio, video int64) {
	c.mu.Lock()
	r := c.received[id]
	c.mu.Unlock()
	if r == nil {
		return 0, 0
	}
	return r.AudioPackets.Load(), r.VideoPackets.Load()
}

// SetMuted tells the others this participant's microphone and camera state.
func (c *Call) SetMuted(audio, video bool) error {
	return c.send(wire{Type: "mute", Audio: &audio, Video: &video})
}

// Leave leaves the call and closes everything. It is idempotent.
func (c *Call) Leave() {
	if ws := c.socket(); ws != nil {
		_ = c.send(wire{Type: "leave"})
		_ = ws.Close(websocket.StatusNormalClosure, "")
	}
	c.cancel()
	if c.pub != nil {
		_ = c.pub.Close()
	}
	if c.sub != nil {
		_ = c.sub.Close()
	}
}

// flushFeedback sends the connections' RTCP feedback as it falls due,
// until ctx ends or both connections have closed.
func flushFeedback(ctx context.Context, fbs ...*feedback.Interceptor) {
	t := time.NewTicker(feedback.NACKInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			open := false
			for _, fb := range fbs {
				fb.Flush(now)
				open = open || !fb.Closed()
			}
			if !open {
				return
			}
		}
	}
}

// Session returns the session this call was joined with.
func (c *Call) Session() *Session { return c.session }

// Chat sends a chat message to everyone in the call.
func (c *Call) Chat(text string) error { return c.send(wire{Type: "chat", Text: text}) }

// React shows a reaction to everyone in the call.
func (c *Call) React(emoji string) error { return c.send(wire{Type: "reaction", Emoji: emoji}) }

// RaiseHand raises or lowers this participant's hand.
func (c *Call) RaiseHand(raised bool) error { return c.send(wire{Type: "hand", Raised: &raised}) }
