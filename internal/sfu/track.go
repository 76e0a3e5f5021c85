package sfu

import (
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/rtcp"
	"github.com/pion/rtp"
	"github.com/pion/sdp/v3"
	"github.com/pion/webrtc/v4"

	"github.com/roomsdev/rooms/internal/depdesc"
	"github.com/roomsdev/rooms/internal/keyframe"
	"github.com/roomsdev/rooms/internal/pushbuf"
)

// keyframeInterval is the least time between two keyframe requests to one
// publisher layer while the first is unanswered: subscribers that join
// together share one keyframe, and a publisher is never flooded.
const keyframeInterval = 300 * time.Millisecond

// keyframeRetry is the least time between two requests when the first
// has been answered: a subscriber that still needs one missed it (its
// encryption was not ready yet when the keyframe passed, or it changed
// layers just after), and should not wait out the full interval.
const keyframeRetry = 100 * time.Millisecond

// maxLayers is the most simulcast layers forwarded per track (low, medium,
// high); more encodings than that are ignored.
const maxLayers = 3

// Track sources, as TrackInfo.Source names them.
const (
	SourceCamera      = "camera"
	SourceMicrophone  = "microphone"
	SourceScreen      = "screen"
	SourceScreenAudio = "screen_audio"
)

// upTrack is one track a peer publishes: one or more simulcast layers of
// the same picture (or one audio stream). Each layer has its own reader
// goroutine; they write to the subscribers' downTracks.
type upTrack struct {
	info      TrackInfo
	publisher *Peer
	codec     webrtc.RTPCodecParameters
	isKey     func([]byte) bool // nil for audio and unknown codecs
	vp8       bool
	audio     bool
	svc       *svcTrack // a VP9 or AV1 stream with spatial layers (svc.go); nil otherwise

	// layers is an immutable snapshot, by quality rank (0 = lowest);
	// absent layers are nil. Replaced under layersMu as layers arrive.
	layers   atomic.Pointer[[maxLayers]*upLayer]
	layersMu sync.Mutex
	running  int  // under layersMu: layer readers still running
	ended    bool // under layersMu: the last reader has returned

	// downs is an immutable snapshot: the forwarding loops read it without
	// a lock; writers copy it under downsMu and swap it in.
	downs   atomic.Pointer[[]*downTrack]
	downsMu sync.Mutex

	paused  atomic.Bool // forward nothing (a muted microphone)
	audible atomic.Bool // audio: among the loudest, forwarded (see speakers.go)
	levelID uint8       // audio: the negotiated id of the audio-level extension
	// rids are the negotiated encodings by quality rank, and layerCount
	// how many there are (1 without simulcast); layers may arrive later,
	// or never while the publisher's own bandwidth is short.
	rids       [maxLayers]string
	layerCount int
	published  time.Time
	level      levelMeter // audio: recent loudness
	dynacast   dynacastState
}

// upLayer is one simulcast layer (one RTP stream) of an upTrack.
type upLayer struct {
	up     *upTrack
	index  int
	rid    string
	remote *webrtc.TrackRemote
	ssrc   uint32
	// cache holds the layer's recent packets for NACKs: cacheSize of them
	// (0 for audio, which is not repaired). It is made at the layer's
	// first packet and dropped when the layer stops (dynacast turns most
	// layers off in a big room), so idle layers hold no memory.
	cache     atomic.Pointer[packetCache]
	cacheSize int
	// media is the layer's stream buffer (pushbuf): route runs only while
	// it is held, so holding it keeps the layer still (keyreplay.go).
	media atomic.Pointer[pushbuf.Buffer]
	// gop is where the latest keyframe starts in the cache; route writes
	// it and a replay reads it, both holding media.
	gop       gopStart
	idleTicks int // room ticker only: measurements in a row with no packets

	packets, bytes      atomic.Uint64
	bitrate             atomic.Int64  // bits per second, measured and smoothed by the room (smoothRate)
	lastBytes           uint64        // room ticker only
	width, height       atomic.Int32  // from the latest keyframe (VP8)
	lastKeyframeRequest atomic.Int64  // unix nanoseconds
	lastKeyframe        atomic.Int64  // when the latest keyframe arrived, unix nanoseconds
	readAt              atomic.Int64  // when the packet being forwarded arrived, if it was read directly; unix nanoseconds
	temporal            temporalRates // the bitrate by temporal layer (temporal.go)
}

// nominalBitrates are what libwebrtc aims at for 180p, 360p and 720p
// layers, used until a layer's real rate is measured.
var nominalBitrates = [maxLayers]int64{150_000, 500_000, 2_000_000}

// newUpTrack makes the track for a receiver's first layer; p.mu is held.
func newUpTrack(p *Peer, remote *webrtc.TrackRemote, recv *webrtc.RTPReceiver) *upTrack {
	mid := ""
	if tr := recv.RTPTransceiver(); tr != nil {
		mid = tr.Mid()
	}
	u := &upTrack{
		info: TrackInfo{
			Publisher: p.id,
			ID:        string(p.id) + "-" + remote.ID(),
			Kind:      remote.Kind().String(),
			Mid:       mid,
		},
		publisher: p,
		codec:     remote.Codec(),
		audio:     remote.Kind() == webrtc.RTPCodecTypeAudio,
	}
	u.info.Source = p.sourceOfLocked(mid, u.info.Kind)
	if !u.audio {
		u.isKey = keyframe.Detect(u.codec.MimeType)
		u.vp8 = u.codec.MimeType == webrtc.MimeTypeVP8
	}
	exts := recv.GetParameters().HeaderExtensions
	ddID := uint8(0)
	if u.audio {
		u.levelID = extensionID(exts, sdp.AudioLevelURI)
	} else {
		ddID = extensionID(exts, depdesc.URI)
	}
	rids := receiverRIDs(recv)
	u.layerCount = 1
	for _, rid := range rids {
		if i := layerRank(rid, rids); i >= 0 && i < maxLayers {
			u.rids[i] = rid
			if i+1 > u.layerCount {
				u.layerCount = i + 1
			}
		}
	}
	u.rids[0] = firstNonEmpty(u.rids[0], remote.RID())
	if u.layerCount == 1 && strings.EqualFold(u.codec.MimeType, webrtc.MimeTypeVP9) {
		// One VP9 stream may carry spatial layers (SVC); simulcast VP9 is
		// forwarded like any other simulcast.
		u.svc = &svcTrack{}
	}
	if u.layerCount == 1 && strings.EqualFold(u.codec.MimeType, webrtc.MimeTypeAV1) && ddID != 0 {
		// So may one AV1 stream, whose layers its dependency descriptors
		// tell (ddsvc.go).
		u.svc = &svcTrack{ddID: ddID}
	}
	u.published = time.Now()
	u.audible.Store(true)
	u.layers.Store(&[maxLayers]*upLayer{})
	u.downs.Store(&[]*downTrack{})
	return u
}

// layerRank orders simulcast encodings by quality. Browsers are asked for
// q, h and f (quarter, half, full); numeric rids count up. Other names
// take the place of their encoding in the offer.
func layerRank(rid string, rids []string) int {
	switch rid {
	case "", "q", "0":
		return 0
	case "h", "1":
		return 1
	case "f", "2":
		return 2
	}
	for i, r := range rids {
		if r == rid {
			return i
		}
	}
	return -1
}

// addLayer attaches a newly arrived RTP stream. It reports false when the
// layer is a duplicate or beyond maxLayers, or the track has ended.
func (u *upTrack) addLayer(remote *webrtc.TrackRemote, recv *webrtc.RTPReceiver) *upLayer {
	idx := layerRank(remote.RID(), receiverRIDs(recv))
	if idx < 0 || idx >= maxLayers {
		return nil
	}
	u.layersMu.Lock()
	defer u.layersMu.Unlock()
	old := u.layers.Load()
	if u.ended || old[idx] != nil {
		return nil
	}
	l := &upLayer{up: u, index: idx, rid: remote.RID(), remote: remote, ssrc: uint32(remote.SSRC())}
	if !u.audio {
		// About two seconds of each layer, for NACKs: enough on any network
		// where retransmission still helps.
		l.cacheSize = [maxLayers]int{64, 128, 256}[idx]
		if u.svc != nil {
			l.cacheSize = compactMapSize // every spatial layer in one stream
		}
	}
	next := *old
	next[idx] = l
	u.layers.Store(&next)
	u.running++
	return l
}

// layerDone records that a layer's reader returned; it reports whether
// it was the last one (the track has ended).
func (u *upTrack) layerDone() bool {
	u.layersMu.Lock()
	defer u.layersMu.Unlock()
	u.running--
	if u.running == 0 {
		u.ended = true
	}
	return u.ended
}

// topLayer returns the highest layer present, or -1.
func (u *upTrack) topLayer() int {
	ls := u.layers.Load()
	for i := maxLayers - 1; i >= 0; i-- {
		if ls[i] != nil {
			return i
		}
	}
	return -1
}

// route handles one packet from the publisher: caches it for NACKs,
// reads its audio level, and writes it to every subscriber that takes
// this layer. It is the hot path, benchmarked in forward_bench_test.go:
// it must not allocate. pkt and sample are the reader's own scratch.
func (l *upLayer) route(b []byte, pkt *rtp.Packet, sample *uint32) {
	u := l.up
	start := time.Now()
	if at := l.readAt.Swap(0); at != 0 {
		// Read directly off the socket (directrecv.go): time from its arrival.
		start = time.Unix(0, at)
	}
	l.packets.Add(1)
	l.bytes.Add(uint64(len(b)))
	if err := pkt.Unmarshal(b); err != nil {
		return
	}
	if l.cacheSize > 0 {
		c := l.cache.Load()
		if c == nil {
			// Only this reader stores a cache; the room ticker only drops it.
			c = newPacketCache(l.cacheSize)
			l.cache.Store(c)
		}
		c.add(pkt.SequenceNumber, b)
	}
	if u.paused.Load() {
		l.gop.valid = false // what the cache holds stops here
		return
	}
	if u.levelID != 0 {
		if ext := pkt.GetExtension(u.levelID); len(ext) > 0 {
			u.level.add(ext[0] & 0x7f)
		}
	}
	if u.audio && !u.audible.Load() {
		return
	}
	if u.svc != nil {
		l.routeSVC(pkt, start, sample)
		return
	}
	key := u.isKey == nil || u.isKey(pkt.Payload)
	if key && u.isKey != nil {
		l.lastKeyframe.Store(start.UnixNano())
		l.gop.keyframe(pkt.SequenceNumber, pkt.Timestamp, start.UnixNano())
	}
	l.gop.saw(pkt.SequenceNumber)
	if u.vp8 {
		if desc, ok := parseVP8(pkt.Payload); ok && desc.tidOffset >= 0 {
			tid, _ := desc.temporal(pkt.Payload)
			l.temporal.add(tid, len(b))
		}
		if key {
			if w, h, ok := vp8KeyframeSize(pkt.Payload); ok {
				l.width.Store(int32(w))
				l.height.Store(int32(h))
			}
		}
	}
	now := start.UnixNano()
	downs := *u.downs.Load()
	f := l.beginFanOut(len(downs), start, sample)
	for i, d := range downs {
		warm(downs, i)
		switch d.writeFrom(l, pkt, key, now) {
		case wrote:
			f.wrote(len(pkt.Payload) + 12)
		case needsKeyframe:
			f.wantKey = true
		}
	}
	f.end()
}

// requestKeyframe asks the publisher for a keyframe on this layer (RFC
// 4585 PLI): at most once per keyframeInterval while a request is
// unanswered, once per keyframeRetry after a keyframe came.
func (l *upLayer) requestKeyframe() {
	if l.up.isKey == nil {
		return
	}
	now := time.Now().UnixNano()
	last := l.lastKeyframeRequest.Load()
	wait := int64(keyframeInterval)
	if l.lastKeyframe.Load() > last {
		wait = int64(keyframeRetry)
	}
	if now-last < wait || !l.lastKeyframeRequest.CompareAndSwap(last, now) {
		return
	}
	l.up.publisher.room.engine.stats.plis.Add(1)
	pli := &rtcp.PictureLossIndication{MediaSSRC: l.ssrc}
	_ = l.up.publisher.pub.WriteRTCP([]rtcp.Packet{pli}) // fails only once the publisher is gone
}

// requestKeyframe asks for a keyframe on one layer (if present).
func (u *upTrack) requestKeyframe(layer int) {
	if layer < 0 || layer >= maxLayers {
		return
	}
	if u.svc != nil {
		layer = 0 // one stream carries every spatial layer
	}
	if l := u.layers.Load()[layer]; l != nil {
		l.requestKeyframe()
	}
}

func (u *upTrack) addDown(d *downTrack) {
	u.downsMu.Lock()
	defer u.downsMu.Unlock()
	old := *u.downs.Load()
	next := make([]*downTrack, len(old), len(old)+1)
	copy(next, old)
	next = append(next, d)
	u.downs.Store(&next)
}

func (u *upTrack) removeDown(d *downTrack) {
	u.downsMu.Lock()
	defer u.downsMu.Unlock()
	old := *u.downs.Load()
	next := make([]*downTrack, 0, len(old))
	for _, x := range old {
		if x != d {
			next = append(next, x)
		}
	}
	u.downs.Store(&next)
}

func (u *upTrack) clearDowns() {
	u.downsMu.Lock()
	defer u.downsMu.Unlock()
	u.downs.Store(&[]*downTrack{})
}

// extensionID is the id a connection negotiated for header extension
// uri, or 0 (not negotiated).
func extensionID(exts []webrtc.RTPHeaderExtensionParameter, uri string) uint8 {
	for _, ext := range exts {
		if ext.URI == uri {
			return uint8(ext.ID)
		}
	}
	return 0
}

// receiverRIDs lists the rids a receiver's encodings were negotiated with
// (one empty rid without simulcast).
func receiverRIDs(recv *webrtc.RTPReceiver) []string {
	tracks := recv.Tracks()
	rids := make([]string, 0, len(tracks))
	for _, t := range tracks {
		rids = append(rids, t.RID())
	}
	return rids
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
