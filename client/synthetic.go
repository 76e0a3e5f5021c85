package client

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"

	"github.com/roomsdev/rooms/internal/depdesc"
)

// Layer describes one simulcast layer a Synthetic source sends.
type Layer struct {
	RID           string
	Width, Height int
	// Bitrate of the layer's delta frames, bits per second, at 30 frames
	// a second, in PacketsPerFrame packets a frame.
	Bitrate         int
	PacketsPerFrame int
}

// SimulcastLayers are libwebrtc's three layers for a 720p camera: 180p at
// ~150 kbps (one packet a frame), 360p at ~500 kbps, 720p at ~1.5 Mbps
// (about 180 packets a second).
var SimulcastLayers = []Layer{
	{RID: "q", Width: 320, Height: 180, Bitrate: 150_000, PacketsPerFrame: 1},
	{RID: "h", Width: 640, Height: 360, Bitrate: 500_000, PacketsPerFrame: 2},
	{RID: "f", Width: 1280, Height: 720, Bitrate: 1_500_000, PacketsPerFrame: 6},
}

// Audio levels (RFC 6464, -dBov) a Synthetic source sends.
const (
	LevelSilent   = 127
	LevelSpeaking = 30
)

// Synthetic publishes generated media at realistic rates: Opus-sized audio
// packets every 20 ms with an audio level, and VP8 video at 30 frames a
// second, either one stream (NewSynthetic: one ~600-byte packet a frame)
// or three simulcast layers (NewSimulcastSynthetic). Video starts with a
// keyframe and sends another on each request (PLI, per layer) and every
// few seconds, as browsers do. The payloads are not decodable pictures;
// they carry valid VP8 payload descriptors and key frame headers (with
// the layer's size) so the SFU and receivers see keyframes and sizes.
type Synthetic struct {
	// Audio is the microphone; set it to nil before joining to publish
	// video only.
	Audio *webrtc.TrackLocalStaticRTP
	// Video is the single video stream; nil for simulcast (see Layers), or
	// set to nil before joining to publish audio only.
	Video *webrtc.TrackLocalStaticRTP
	// Simulcast holds one track per layer of Layers, lowest first.
	Simulcast []*webrtc.TrackLocalStaticRTP
	Layers    []Layer
	// FrameRate of the video, 30 when zero; tests on a busy machine may
	// send fewer frames (each layer's packets per frame stay the same).
	FrameRate int
	// VideoDelay holds back the first video frame after the media starts,
	// as a camera's first frame takes a while to be captured and encoded
	// while the microphone's first packet leaves at once. Set it before
	// joining.
	VideoDelay time.Duration
	// TemporalLayers, when 3, encodes each VP8 layer in three temporal
	// layers as browsers do (L1T3): frames of layers 0, 2, 1, 2 in turn,
	// the TL1 frame and the first TL2 frame depending on the base layer
	// alone (Y set), the base frames counted in TL0PICIDX. Set it before
	// joining; 0 or 1 sends no temporal layers.
	TemporalLayers int

	wantKey [4]atomic.Bool // per layer; single video uses [0]
	tframe  [4]int         // per layer: frames since its keyframe, for the temporal pattern
	tl0     [4]uint8       // per layer: TL0PICIDX
	paused  [4]atomic.Bool // per layer: the server said nobody takes it
	sentBy  [4]atomic.Int64
	sent    atomic.Int64
	level   atomic.Int32
	levelID atomic.Int32 // negotiated audio-level extension id

	// av1: the simulcast layers are AV1 (av1.go), not VP8.
	av1 bool
	// svc: Video is one VP9 stream with Layers as spatial layers (svc.go),
	// or with av1 one AV1 stream, whose packets carry dependency
	// descriptors under ddID (their structure, frame number).
	svc       bool
	spatial   atomic.Int32 // spatial layers sent now (dynacast), svc only
	pictures  int          // svc: pictures sent, for the temporal pattern
	ddID      uint8
	structure *depdesc.Structure
	frames    uint16
	ddBuf     []byte

	// files, when set, are played instead of generated media (files.go),
	// on the sample tracks fileAudio and fileVideo.
	files                *MediaFiles
	fileAudio, fileVideo *webrtc.TrackLocalStaticSample

	// Simulcast streams say which layer they are in header extensions
	// (RFC 8852 rid, RFC 8843 mid), set before run starts.
	mid          string
	midID, ridID uint8
}

// Sent is how many packets this source has written.
func (s *Synthetic) Sent() int64 { return s.sent.Load() }

// SentOnLayer is how many video packets this source has written on one
// simulcast layer (by rid; "" for single video).
func (s *Synthetic) SentOnLayer(rid string) int64 {
	if i := s.layerIndex(rid); i >= 0 {
		return s.sentBy[i].Load()
	}
	return 0
}

// LayerActive reports whether the source sends a layer: the server turns
// layers nobody receives off (publishLayers).
func (s *Synthetic) LayerActive(rid string) bool {
	if i := s.layerIndex(rid); i >= 0 {
		return !s.paused[i].Load()
	}
	return false
}

// NewSynthetic returns audio and one video track with the given stream id.
func NewSynthetic(streamID string) (*Synthetic, error) {
	s, err := newSynthetic(streamID)
	if err != nil {
		return nil, err
	}
	if s.Video, err = webrtc.NewTrackLocalStaticRTP(vp8, "video", streamID); err != nil {
		return nil, err
	}
	s.Layers = []Layer{{Width: 320, Height: 180, Bitrate: 150_000, PacketsPerFrame: 1}}
	return s, nil
}

// NewSimulcastSynthetic returns audio and three-layer simulcast video
// (SimulcastLayers).
func NewSimulcastSynthetic(streamID string) (*Synthetic, error) {
	return newSimulcastSynthetic(streamID, vp8)
}

// newSimulcastSynthetic is audio and a track per SimulcastLayers layer in
// codec.
func newSimulcastSynthetic(streamID string, codec webrtc.RTPCodecCapability) (*Synthetic, error) {
	s, err := newSynthetic(streamID)
	if err != nil {
		return nil, err
	}
	s.Layers = SimulcastLayers
	for _, l := range s.Layers {
		t, err := webrtc.NewTrackLocalStaticRTP(codec, "video", streamID, webrtc.WithRTPStreamID(l.RID))
		if err != nil {
			return nil, err
		}
		s.Simulcast = append(s.Simulcast, t)
	}
	return s, nil
}

var vp8 = webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeVP8, ClockRate: 90000}

func newSynthetic(streamID string) (*Synthetic, error) {
	a, err := webrtc.NewTrackLocalStaticRTP(webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeOpus, ClockRate: 48000, Channels: 2}, "audio", streamID)
	if err != nil {
		return nil, err
	}
	s := &Synthetic{Audio: a}
	for i := range s.wantKey {
		s.wantKey[i].Store(true)
	}
	s.level.Store(LevelSilent)
	return s, nil
}

// SetSpeaking makes the audio loud (speech level) or silent.
func (s *Synthetic) SetSpeaking(on bool) {
	if on {
		s.level.Store(LevelSpeaking)
	} else {
		s.level.Store(LevelSilent)
	}
}

// SetAudioLevel makes the audio carry level (RFC 6464, -dBov: 0 is the
// loudest, LevelSilent silence) in its audio-level extension. Any level
// below LevelSilent sends ordinary packets every 20 ms, as a microphone
// picking up a soft voice or background noise does; only LevelSilent
// turns to DTX.
func (s *Synthetic) SetAudioLevel(level uint8) {
	s.level.Store(int32(min(level, LevelSilent)))
}

// RequestKeyframe makes the next frame of every layer a keyframe.
func (s *Synthetic) RequestKeyframe() {
	for i := range s.wantKey {
		s.wantKey[i].Store(true)
	}
}

// requestLayerKeyframe makes the next frame of one layer a keyframe.
func (s *Synthetic) requestLayerKeyframe(rid string) {
	if i := s.layerIndex(rid); i >= 0 {
		s.wantKey[i].Store(true)
	}
}

// setActive applies the server's publishLayers: layers not listed pause.
func (s *Synthetic) setActive(active []string) {
	on := make(map[string]bool, len(active))
	for _, rid := range active {
		on[rid] = true
	}
	if s.svc {
		// One stream: "" stands for all of it.
		was := s.paused[0].Swap(!on[""])
		if was && on[""] {
			s.wantKey[0].Store(true)
		}
		return
	}
	for i, l := range s.Layers {
		was := s.paused[i].Load()
		s.paused[i].Store(!on[l.RID])
		if was && on[l.RID] {
			s.wantKey[i].Store(true) // a layer that starts again starts with a keyframe
		}
	}
}

func (s *Synthetic) layerIndex(rid string) int {
	for i, l := range s.Layers {
		if l.RID == rid {
			return i
		}
	}
	return -1
}

// videoTracks are the video tracks, one per layer.
func (s *Synthetic) videoTracks() []*webrtc.TrackLocalStaticRTP {
	if s.Simulcast != nil {
		return s.Simulcast
	}
	if s.Video != nil {
		return []*webrtc.TrackLocalStaticRTP{s.Video}
	}
	return nil
}

// tracks are the tracks to publish with AddTrack (the first simulcast
// layer stands for all of them; the others are added as encodings).
func (s *Synthetic) tracks() []webrtc.TrackLocal {
	var out []webrtc.TrackLocal
	if s.Audio != nil {
		out = append(out, s.Audio)
	}
	if v := s.videoTracks(); len(v) > 0 {
		out = append(out, v[0])
	}
	if s.fileAudio != nil {
		out = append(out, s.fileAudio)
	}
	if s.fileVideo != nil {
		out = append(out, s.fileVideo)
	}
	return out
}

// run sends media until ctx ends.
func (s *Synthetic) run(ctx context.Context) {
	if s.files != nil {
		s.playFiles(ctx)
		return
	}
	audioTick := time.NewTicker(20 * time.Millisecond)
	defer audioTick.Stop()
	fps := s.FrameRate
	if fps <= 0 {
		fps = 30
	}
	videoTick := time.NewTicker(time.Second / time.Duration(fps))
	defer videoTick.Stop()
	videoFrom := time.Now().Add(s.VideoDelay)
	keyEvery := time.NewTicker(3 * time.Second)
	defer keyEvery.Stop()

	// Opus at 32 kbps is 80 bytes every 20 ms; with DTX, silence is a
	// 3-byte packet every 400 ms, once libopus has seen ten frames of it
	// (NB_SPEECH_FRAMES_BEFORE_DTX): a stream starts, and speech ends,
	// with 200 ms of ordinary packets.
	const framesBeforeDTX = 10
	voice, dtx := make([]byte, 80), make([]byte, 3)
	audio := rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: 111}}
	silent := 0 // frames of silence in a row
	tracks := s.videoTracks()
	video := make([]rtp.Packet, len(tracks))
	for i := range video {
		video[i] = rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: 96}}
	}
	payload := make([]byte, cacheSize)
	var picture uint16
	for {
		select {
		case <-ctx.Done():
			return
		case <-keyEvery.C:
			s.RequestKeyframe()
		case <-audioTick.C:
			if s.Audio == nil {
				continue // video only
			}
			audio.Timestamp += 960
			level := byte(s.level.Load())
			audio.Payload = voice
			if level < LevelSilent {
				silent = 0
			} else if silent++; silent > framesBeforeDTX {
				if (silent-framesBeforeDTX)%20 != 0 {
					continue
				}
				audio.Payload = dtx
			}
			audio.SequenceNumber++
			if id := s.levelID.Load(); id > 0 {
				if level < LevelSilent {
					level |= 0x80 // V: voice activity
				}
				_ = audio.Header.SetExtension(uint8(id), []byte{level})
			}
			_ = s.Audio.WriteRTP(&audio)
			s.sent.Add(1)
		case now := <-videoTick.C:
			if now.Before(videoFrom) {
				continue
			}
			picture = (picture + 1) & 0x7fff
			if s.svc {
				s.writePicture(&video[0], payload, picture)
				continue
			}
			for i, t := range tracks {
				if s.paused[i].Load() {
					continue
				}
				key := s.wantKey[i].CompareAndSwap(true, false)
				n := s.writeFrame(t, &video[i], payload, i, s.Layers[i], picture, key)
				s.sentBy[i].Add(int64(n))
				s.sent.Add(int64(n))
			}
		}
	}
}

// writeFrame sends one frame of a layer and returns its packet count.
// Keyframes are three times larger, as real ones are.
func (s *Synthetic) writeFrame(t *webrtc.TrackLocalStaticRTP, p *rtp.Packet, payload []byte, layer int, l Layer, picture uint16, key bool) int {
	n := l.PacketsPerFrame
	if n < 1 {
		n = 1
	}
	if key {
		n *= 3
	}
	size := l.Bitrate / (30 * 8 * max(l.PacketsPerFrame, 1)) // the size at 30 frames a second
	size = min(max(size, 40), len(payload))
	fps := s.FrameRate
	if fps <= 0 {
		fps = 30
	}
	p.Timestamp += uint32(90000 / fps)
	for i := 0; i < n; i++ {
		p.SequenceNumber++
		p.Marker = i == n-1
		if s.av1 {
			av1Header(payload, i == 0, i == n-1, key)
		} else {
			vp8Header(payload, i == 0, picture, key, l, s.temporalOf(layer, key, i == 0))
		}
		// A tag after the header names the layer, for receivers that check
		// what they get (Packet.SyntheticLayer).
		payload[tagAt], payload[tagAt+1], payload[tagAt+2] = syntheticTag[0], syntheticTag[1], byte(layer)
		p.Payload = payload[:size]
		if s.ridID != 0 {
			_ = p.Header.SetExtension(s.midID, []byte(s.mid))
			_ = p.Header.SetExtension(s.ridID, []byte(l.RID))
		}
		if err := t.WriteRTP(p); err != nil {
			return i
		}
	}
	return n
}

// vp8Temporal is one frame's place in the temporal layers.
type vp8Temporal struct {
	on   bool  // the stream has temporal layers
	tid  uint8 // its layer
	sync bool  // Y: it depends on base-layer frames only
	tl0  uint8 // TL0PICIDX
}

// l1t3 is libwebrtc's three-layer pattern.
var l1t3 = [4]uint8{0, 2, 1, 2}

// temporalOf is the temporal layer of simulcast layer's next frame, and
// moves the pattern on at the frame's first packet.
func (s *Synthetic) temporalOf(layer int, key, first bool) vp8Temporal {
	if s.TemporalLayers < 3 {
		return vp8Temporal{}
	}
	if key && first {
		s.tframe[layer] = 0
	}
	n := s.tframe[layer]
	if !first {
		n-- // the frame's later packets: the pattern moved at its first
	}
	t := vp8Temporal{on: true, tid: l1t3[n%4], sync: n%4 == 1 || n%4 == 2}
	if first {
		s.tframe[layer]++
		if t.tid == 0 {
			s.tl0[layer]++
		}
	}
	t.tl0 = s.tl0[layer]
	return t
}

// tagAt is where the layer tag goes in a Synthetic VP8 or AV1 payload:
// after the longest descriptor and key frame header.
const tagAt = 17

// vp8Header writes a VP8 payload descriptor (RFC 7741) and payload header.
func vp8Header(payload []byte, first bool, picture uint16, key bool, l Layer, tl vp8Temporal) {
	// VP8 payload descriptor (RFC 7741): X set, S on the first
	// packet, PID 0; I set with a 15-bit PictureID; with temporal
	// layers, L and T with TL0PICIDX, TID and Y.
	payload[0] = 0x80
	if first {
		payload[0] |= 0x10
	}
	payload[1] = 0x80
	payload[2] = 0x80 | byte(picture>>8)
	payload[3] = byte(picture)
	h := payload[4:]
	if tl.on {
		payload[1] |= 0x60
		payload[4] = tl.tl0
		payload[5] = tl.tid << 6
		if tl.sync {
			payload[5] |= 0x20
		}
		h = payload[6:]
	}
	// The VP8 payload header (RFC 6386 §9.1): the frame tag's lowest
	// bit is 0 for a key frame, which then carries its size.
	h[0] = 0x11 // delta frame, shown
	if key {
		h[0] = 0x10
		h[3], h[4], h[5] = 0x9d, 0x01, 0x2a
		h[6], h[7] = byte(l.Width), byte(l.Width>>8)
		h[8], h[9] = byte(l.Height), byte(l.Height>>8)
	}
}

// cacheSize is the largest synthetic packet payload.
const cacheSize = 1200

// syntheticTag marks the layer byte of Synthetic video payloads.
var syntheticTag = [2]byte{0x5a, 0xa5}

// syntheticLayer reads the layer tag of a Synthetic video payload, or -1.
func syntheticLayer(payload []byte) int {
	if len(payload) < tagAt+3 || payload[tagAt] != syntheticTag[0] || payload[tagAt+1] != syntheticTag[1] {
		return -1
	}
	return int(payload[tagAt+2])
}
