package client

import (
	"fmt"
	"sync"
	"time"

	"github.com/pion/interceptor"
	"github.com/pion/interceptor/pkg/nack"
	"github.com/pion/interceptor/pkg/report"
	"github.com/pion/rtcp"
	"github.com/pion/sdp/v3"
	"github.com/pion/webrtc/v4"

	"github.com/roomsdev/rooms/internal/depdesc"
	"github.com/roomsdev/rooms/internal/feedback"
)

// TrackSetting is what this client wants of one remote video tile
// (docs/protocol.md, trackSettings): its size, and whether it is on
// screen. Name the track by TrackID, or all of a participant's video by
// Participant.
type TrackSetting struct {
	TrackID     string `json:"trackId,omitempty"`
	Participant string `json:"participant,omitempty"`
	Visible     bool   `json:"visible"`
	Width       int    `json:"width,omitempty"`
	Height      int    `json:"height,omitempty"`
}

// RemoteTrack is a track someone else published, as trackPublished told.
type RemoteTrack struct {
	ID, Participant, Kind, Source string
}

// mediaState is what the call knows of media beyond the connections.
type mediaState struct {
	mu         sync.Mutex
	ssrcs      []uint32 // video received, for REMB
	limit      uint64   // bits per second announced in REMB; 0: noLimit
	reporting  bool     // REMB reports have started (LimitBandwidth)
	active     string
	speaking   []string
	tracks     map[string]RemoteTrack
	restartAt  time.Time
	restarting bool
}

func (m *mediaState) addVideoSSRC(ssrc uint32) {
	m.mu.Lock()
	m.ssrcs = append(m.ssrcs, ssrc)
	m.mu.Unlock()
}

func (m *mediaState) setSpeakers(active string, speaking []string) {
	m.mu.Lock()
	m.active, m.speaking = active, speaking
	m.mu.Unlock()
}

func (m *mediaState) trackEvent(typ, from, id, kind, source string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.tracks == nil {
		m.tracks = make(map[string]RemoteTrack)
	}
	if typ == "trackPublished" {
		m.tracks[id] = RemoteTrack{ID: id, Participant: from, Kind: kind, Source: source}
	} else {
		delete(m.tracks, id)
	}
}

// ActiveSpeaker is the participant the server last named as the active
// speaker, and who talks now, loudest first.
func (c *Call) ActiveSpeaker() (active string, speaking []string) {
	c.media.mu.Lock()
	defer c.media.mu.Unlock()
	return c.media.active, append([]string(nil), c.media.speaking...)
}

// RemoteTracks lists the tracks others publish, as announced.
func (c *Call) RemoteTracks() []RemoteTrack {
	c.media.mu.Lock()
	defer c.media.mu.Unlock()
	out := make([]RemoteTrack, 0, len(c.media.tracks))
	for _, t := range c.media.tracks {
		out = append(out, t)
	}
	return out
}

// Received returns the counters for media from one participant (nil if
// nothing has arrived yet).
func (c *Call) Received(id string) *Received {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.received[id]
}

// SetTrackSettings tells the server what this client wants of some tiles:
// it picks the simulcast layer that fits, and pauses tiles not visible.
func (c *Call) SetTrackSettings(settings ...TrackSetting) error {
	return c.send(wire{Type: "trackSettings", Tracks: settings})
}

// LimitBandwidth makes this client report a downlink of bps (in REMB, as
// a browser's receive-side estimator does) every half second, so the
// server sends no more than that. 0 lifts the limit: the reports go on,
// saying the downlink takes far more than any room sends (noLimit), as
// the server keeps a receiver's last estimate when reports stop.
func (c *Call) LimitBandwidth(bps uint64) {
	m := &c.media
	m.mu.Lock()
	defer m.mu.Unlock()
	m.limit = bps
	if !m.reporting {
		m.reporting = true
		go c.sendREMB()
	}
}

// noLimit is the estimate reported once LimitBandwidth(0) lifts a limit:
// 10 Gbit/s.
const noLimit = 10_000_000_000

func (c *Call) sendREMB() {
	t := time.NewTicker(500 * time.Millisecond)
	defer t.Stop()
	for {
		c.media.mu.Lock()
		bps, ssrcs := c.media.limit, append([]uint32(nil), c.media.ssrcs...)
		c.media.mu.Unlock()
		if bps == 0 {
			bps = noLimit
		}
		if len(ssrcs) > 0 {
			_ = c.sub.WriteRTCP([]rtcp.Packet{&rtcp.ReceiverEstimatedMaximumBitrate{Bitrate: float32(bps), SSRCs: ssrcs}})
		}
		select {
		case <-c.ctx.Done():
			return
		case <-t.C:
		}
	}
}

// RestartICE restarts ICE on both media connections, keeping the
// participant and its tracks: the publisher with a new offer, the
// subscriber by asking the server for one (restartIce). The call does it
// by itself when a connection is disconnected, unless
// JoinOptions.NoICERestart.
func (c *Call) RestartICE() error {
	c.media.mu.Lock()
	c.media.restartAt = time.Now()
	c.media.mu.Unlock()
	if c.opts.Publish != nil {
		if err := c.sendPubOffer(&webrtc.OfferOptions{ICERestart: true}); err != nil {
			return err
		}
	}
	return c.send(wire{Type: "restartIce"})
}

// watchState restarts ICE when a connection is disconnected, and again
// every few seconds until it is back (a restart made while the network is
// still down cannot succeed), as browsers are told to in the web client.
func (c *Call) watchState(name string, pc *webrtc.PeerConnection) {
	pc.OnICEConnectionStateChange(func(s webrtc.ICEConnectionState) {
		if s == webrtc.ICEConnectionStateConnected && name == "sub" {
			c.steps.mark(func(t *Timeline) *time.Time { return &t.SubICE })
		}
		if s == webrtc.ICEConnectionStateDisconnected || s == webrtc.ICEConnectionStateFailed {
			go c.restartUntilConnected(name)
		}
	})
}

// iceRetry is how long a restart has to reconnect before the next one.
const iceRetry = 3 * time.Second

func (c *Call) restartUntilConnected(name string) {
	if c.opts.NoICERestart {
		return
	}
	c.media.mu.Lock()
	busy := c.media.restarting
	c.media.restarting = true
	c.media.mu.Unlock()
	if busy {
		return
	}
	defer func() {
		c.media.mu.Lock()
		c.media.restarting = false
		c.media.mu.Unlock()
	}()
	for attempt := 0; attempt < 20 && c.ctx.Err() == nil; attempt++ {
		if c.connected() {
			return
		}
		if err := c.RestartICE(); err != nil {
			c.emit(Event{Type: "error", Code: "client", Message: name + ": " + err.Error()})
			return
		}
		select {
		case <-c.ctx.Done():
			return
		case <-time.After(iceRetry):
		}
	}
}

// connected reports whether both media connections are up.
func (c *Call) connected() bool {
	ok := func(s webrtc.ICEConnectionState) bool {
		return s == webrtc.ICEConnectionStateConnected || s == webrtc.ICEConnectionStateCompleted
	}
	return ok(c.sub.ICEConnectionState()) && (c.opts.Publish == nil || ok(c.pub.ICEConnectionState()))
}

// addTracks adds the synthetic tracks to the publisher connection: audio,
// then video, with simulcast layers as encodings of one sender.
func (c *Call) addTracks(src *Synthetic) error {
	for _, t := range src.tracks() {
		sender, err := c.pub.AddTrack(t)
		if err != nil {
			return fmt.Errorf("add track: %w", err)
		}
		if t == src.Audio {
			go func() {
				for {
					if _, _, err := sender.ReadRTCP(); err != nil {
						return
					}
				}
			}()
			continue
		}
		if src.Simulcast == nil {
			go readSenderRTCP(sender, src)
			continue
		}
		for _, l := range src.Simulcast[1:] {
			if err := sender.AddEncoding(l); err != nil {
				return fmt.Errorf("add simulcast encoding: %w", err)
			}
		}
		for _, l := range src.Layers {
			go readLayerRTCP(sender, src, l.RID)
		}
	}
	return nil
}

// readLayerRTCP reads one simulcast layer's feedback; a PLI asks for a
// keyframe of that layer only.
func readLayerRTCP(s *webrtc.RTPSender, src *Synthetic, rid string) {
	for {
		pkts, _, err := s.ReadSimulcastRTCP(rid)
		if err != nil {
			return
		}
		for _, p := range pkts {
			switch p.(type) {
			case *rtcp.PictureLossIndication, *rtcp.FullIntraRequest:
				src.requestLayerKeyframe(rid)
			}
		}
	}
}

// sources says what each published media section carries, by mid.
func (c *Call) sources() map[string]string {
	out := make(map[string]string)
	for _, tr := range c.pub.GetTransceivers() {
		if tr.Mid() == "" {
			continue
		}
		if tr.Kind() == webrtc.RTPCodecTypeAudio {
			out[tr.Mid()] = "microphone"
		} else {
			out[tr.Mid()] = "camera"
		}
	}
	return out
}

// learnAudioLevelID finds the negotiated id of the audio-level extension
// once the publisher connection is answered.
func (c *Call) learnAudioLevelID() {
	src := c.opts.Publish
	if src == nil {
		return
	}
	for _, tr := range c.pub.GetTransceivers() {
		if tr.Sender() == nil || tr.Kind() != webrtc.RTPCodecTypeAudio {
			continue
		}
		for _, ext := range tr.Sender().GetParameters().HeaderExtensions {
			if ext.URI == sdp.AudioLevelURI {
				src.levelID.Store(int32(ext.ID))
			}
		}
	}
}

// learnSimulcastIDs finds the mid of the simulcast video and the ids of
// the extensions that tell the server a packet's layer: mid and rid for
// simulcast, the dependency descriptor for AV1 SVC.
func (c *Call) learnSimulcastIDs(src *Synthetic) {
	if src.Simulcast == nil && !src.av1 {
		return
	}
	for _, tr := range c.pub.GetTransceivers() {
		if tr.Kind() != webrtc.RTPCodecTypeVideo || tr.Sender() == nil {
			continue
		}
		src.mid = tr.Mid()
		for _, ext := range tr.Sender().GetParameters().HeaderExtensions {
			switch ext.URI {
			case sdp.SDESMidURI:
				src.midID = uint8(ext.ID)
			case sdp.SDESRTPStreamIDURI:
				src.ridID = uint8(ext.ID)
			case depdesc.URI:
				src.ddID = uint8(ext.ID)
			}
		}
	}
}

// registerInterceptors adds what a browser does with RTP: NACKs both ways,
// sender and receiver reports, the rid and mid extensions, and
// transport-wide congestion feedback. What this client sends about what
// it receives (NACKs, receiver reports, congestion feedback) comes from
// fb, which the call flushes on one timer for both its connections
// (package feedback) where pion's interceptors ran three timers on a
// goroutine each, per connection. pion's statistics interceptor is left
// out: only GetStats reads it (the SDK counts what it receives itself,
// Received), and it cost a bot ~4 % of its CPU.
func registerInterceptors(m *webrtc.MediaEngine, ir *interceptor.Registry, fb *feedback.Interceptor) error {
	responder, err := nack.NewResponderInterceptor()
	if err != nil {
		return err
	}
	ir.Add(responder)
	sr, err := report.NewSenderInterceptor()
	if err != nil {
		return err
	}
	ir.Add(sr)
	ir.Add(feedback.Factory(fb))
	if err := webrtc.ConfigureSimulcastExtensionHeaders(m); err != nil {
		return err
	}
	// What pion's ConfigureNack and ConfigureTWCCSender negotiate.
	m.RegisterFeedback(webrtc.RTCPFeedback{Type: "nack"}, webrtc.RTPCodecTypeVideo)
	m.RegisterFeedback(webrtc.RTCPFeedback{Type: "nack", Parameter: "pli"}, webrtc.RTPCodecTypeVideo)
	for _, kind := range []webrtc.RTPCodecType{webrtc.RTPCodecTypeVideo, webrtc.RTPCodecTypeAudio} {
		m.RegisterFeedback(webrtc.RTCPFeedback{Type: webrtc.TypeRTCPFBTransportCC}, kind)
		if err := m.RegisterHeaderExtension(webrtc.RTPHeaderExtensionCapability{URI: sdp.TransportCCURI}, kind); err != nil {
			return err
		}
	}
	return nil
}

// registerCodecs offers Opus, VP8, H.264, VP9 and AV1, without RTX: retransmissions
// go on the original stream. (pion's RTX copies the rid extension of the
// packet it repairs, which a server then takes for a second stream of
// that simulcast layer.)
func registerCodecs(m *webrtc.MediaEngine) error {
	fb := []webrtc.RTCPFeedback{{Type: "goog-remb"}, {Type: "ccm", Parameter: "fir"}, {Type: "nack"}, {Type: "nack", Parameter: "pli"}}
	video := []webrtc.RTPCodecParameters{
		{RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeVP8, ClockRate: 90000, RTCPFeedback: fb}, PayloadType: 96},
		{RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeH264, ClockRate: 90000,
			SDPFmtpLine: "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42001f", RTCPFeedback: fb}, PayloadType: 102},
		{RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeH264, ClockRate: 90000,
			SDPFmtpLine: "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f", RTCPFeedback: fb}, PayloadType: 125},
		{RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeVP9, ClockRate: 90000, SDPFmtpLine: "profile-id=0", RTCPFeedback: fb}, PayloadType: 98},
		{RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeAV1, ClockRate: 90000, SDPFmtpLine: "level-idx=5;profile=0;tier=0", RTCPFeedback: fb}, PayloadType: 45},
	}
	// No RTX: pion's NACK generator does not count packets repaired on an
	// RTX stream as received, and would ask for them again and again. The
	// server then retransmits, and probes, on the media stream itself.
	for _, c := range video {
		if err := m.RegisterCodec(c, webrtc.RTPCodecTypeVideo); err != nil {
			return err
		}
	}
	opus := webrtc.RTPCodecParameters{RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeOpus, ClockRate: 48000, Channels: 2, SDPFmtpLine: "minptime=10;useinbandfec=1"}, PayloadType: 111}
	return m.RegisterCodec(opus, webrtc.RTPCodecTypeAudio)
}

// States describes the media connections' states, for diagnostics.
func (c *Call) States() string {
	if c.pub == nil || c.sub == nil {
		return "no media"
	}
	return fmt.Sprintf("pub %s/%s, sub %s/%s", c.pub.ICEConnectionState(), c.pub.ConnectionState(), c.sub.ICEConnectionState(), c.sub.ConnectionState())
}
