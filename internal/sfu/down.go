package sfu

import (
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/rtcp"
	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"

	"github.com/roomsdev/rooms/internal/depdesc"
)

// writeResult says what a down track did with one packet.
type writeResult int

const (
	skipped       writeResult = iota // not for this subscriber (another layer, paused, not bound)
	wrote                            // forwarded
	needsKeyframe                    // waiting for a keyframe of this layer
)

// downTrack is one subscriber's copy of an upTrack: the TrackLocal added to
// the subscriber's connection. It forwards one layer at a time, switching
// only at a keyframe of the target layer, and rewrites SSRC, sequence
// numbers, timestamps and VP8 picture ids so the subscriber sees one
// continuous stream whatever the layer (see rewriter).
type downTrack struct {
	up     *upTrack
	sub    *Peer
	sender *webrtc.RTPSender

	// target is the layer the allocator wants forwarded (-1: none, the
	// track is paused); current is the layer being forwarded (-1: none).
	// The forwarding loops read both without a lock.
	target  atomic.Int32
	current atomic.Int32
	desired atomic.Int32 // what the subscriber asked for, before the budget (for dynacast)
	svc     *compactor   // the renumbering of an SVC stream (svc.go); nil otherwise
	// thin is a VP8 stream's renumbering once the allocator has lowered
	// its temporal layer (temporal.go); nil until then.
	thin  atomic.Pointer[compactor]
	bound atomic.Bool

	// mu serialises writes: the current and the target layer's readers
	// may both write during a switch, and NACK answers write too. The
	// fields below it are what it guards.
	mu   sync.Mutex
	ssrc uint32
	pt   uint8
	// RTX (RFC 4588), when the subscriber takes it: NACK answers and
	// probing padding go on their own SSRC, so they never touch the
	// stream's sequence numbers.
	rtxSSRC uint32
	rtxPT   uint8
	rtxSeq  uint16
	// ddID is the subscriber's id of the dependency descriptor extension
	// (0: not negotiated), and ext the descriptor header() puts on the
	// next packet under it (ddsvc.go).
	ddID uint8
	ext  []byte
	ws   webrtc.TrackLocalWriter
	srtp [2]sendStream // the direct sender's state for ssrc and rtxSSRC (direct.go)
	sent bool          // anything has reached the subscriber's transport
	// What the sender reports count (reports.go): media packets and
	// payload bytes sent on ssrc.
	srPackets, srOctets uint32
	// Every copy touches the fields from bound to here and the head of rw
	// (the struct is over 2 KB, cold in the cache at each copy, and each
	// further 64-byte line touched is a miss): keep them together.
	hdr    rtp.Header
	rw     rewriter
	rtxPkt rtp.Packet
	// Retransmission limits: each sequence number at most once per
	// rtxRepeat, and at most rtxPerSecond a second, so a receiver that
	// keeps asking (or a link losing everything) cannot multiply the load.
	rtxAt     [64]rtxEntry
	rtxWindow int64 // unix second of the current count
	rtxCount  int

	// Allocation state, used only by the owning peer's allocator (under
	// sub.allocMu).
	settings TrackSettings
	switches atomic.Uint64
}

var _ webrtc.TrackLocal = (*downTrack)(nil)

func newDownTrack(u *upTrack, sub *Peer) *downTrack {
	d := &downTrack{up: u, sub: sub}
	if u.svc != nil {
		d.svc = newCompactor()
	}
	d.target.Store(int32(u.defaultLayer()))
	d.current.Store(-1)
	d.desired.Store(int32(u.defaultLayer()))
	return d
}

// defaultLayer is what a new down track starts with, until the allocator
// (within half a second) chooses: the lowest layer the publisher is
// sending, the cheapest that can start at once. A layer dynacast has
// turned off (nobody took it, as nobody takes the speaker's smallest in
// speaker view) would first wait for the allocator's next round to turn
// it on again: a person joining a room in full swing waited up to half a
// second longer for the speaker than for anyone else.
func (u *upTrack) defaultLayer() int {
	if u.audio || u.svc != nil {
		return 0 // one stream
	}
	for i, l := range u.layers.Load() {
		// A layer has a packet cache while it sends (dropped after two
		// seconds of silence).
		if l != nil && l.cache.Load() != nil {
			return i
		}
	}
	return 0
}

// Bind is called by pion once negotiation has agreed on a codec.
func (d *downTrack) Bind(ctx webrtc.TrackLocalContext) (webrtc.RTPCodecParameters, error) {
	codec, err := matchCodec(d.up.codec, ctx.CodecParameters())
	if err != nil {
		return codec, err
	}
	d.mu.Lock()
	d.ssrc = uint32(ctx.SSRC())
	d.pt = uint8(codec.PayloadType)
	d.rtxSSRC, d.rtxPT = 0, 0
	if rtxPT, ok := rtxFor(codec.PayloadType, ctx.CodecParameters()); ok && ctx.SSRCRetransmission() != 0 {
		d.rtxSSRC, d.rtxPT = uint32(ctx.SSRCRetransmission()), rtxPT
	}
	d.ws = ctx.WriteStream()
	d.ddID = extensionID(ctx.HeaderExtensions(), depdesc.URI)
	d.rw = newRewriter(codec.ClockRate, d.up.vp8)
	d.mu.Unlock()
	d.sub.bindSSRC(uint32(ctx.SSRC()), d)
	d.current.Store(-1)
	d.bound.Store(true)
	// A connection not up yet (a newcomer's first offer) asked when it
	// subscribed, and gets the keyframe from the cache when it comes up;
	// on one that is up, the answer that bound d starts it from the cache
	// or asks (Peer.SubscriberAnswer, keyreplay.go).
	return codec, nil
}

// rtxFor finds the negotiated RTX payload type for payload type pt.
func rtxFor(pt webrtc.PayloadType, have []webrtc.RTPCodecParameters) (uint8, bool) {
	apt := strconv.Itoa(int(pt))
	for _, c := range have {
		if strings.EqualFold(c.MimeType, webrtc.MimeTypeRTX) && fmtpValue(c.SDPFmtpLine, "apt") == apt {
			return uint8(c.PayloadType), true
		}
	}
	return 0, false
}

// matchCodec finds the negotiated codec for what the publisher sends.
func matchCodec(want webrtc.RTPCodecParameters, have []webrtc.RTPCodecParameters) (webrtc.RTPCodecParameters, error) {
	var byName *webrtc.RTPCodecParameters
	for i, c := range have {
		if !strings.EqualFold(c.MimeType, want.MimeType) {
			continue
		}
		if c.SDPFmtpLine == want.SDPFmtpLine {
			return c, nil
		}
		if byName == nil {
			byName = &have[i]
		}
	}
	if byName != nil {
		return *byName, nil
	}
	return webrtc.RTPCodecParameters{}, webrtc.ErrUnsupportedCodec
}

// Unbind is called by pion when the track is removed or the connection closes.
func (d *downTrack) Unbind(ctx webrtc.TrackLocalContext) error {
	d.bound.Store(false)
	if d.sub.downBySSRC(uint32(ctx.SSRC())) == d {
		d.sub.bindSSRC(uint32(ctx.SSRC()), nil)
	}
	return nil
}

// ID implements webrtc.TrackLocal: the track id every subscriber sees.
func (d *downTrack) ID() string { return d.up.info.ID }

// RID implements webrtc.TrackLocal: subscribers get one plain stream.
func (d *downTrack) RID() string { return "" }

// StreamID implements webrtc.TrackLocal: the publisher's peer id.
func (d *downTrack) StreamID() string { return string(d.up.info.Publisher) }

// Kind implements webrtc.TrackLocal.
func (d *downTrack) Kind() webrtc.RTPCodecType {
	if d.up.audio {
		return webrtc.RTPCodecTypeAudio
	}
	return webrtc.RTPCodecTypeVideo
}

// writeFrom forwards one packet of layer l if this subscriber takes that
// layer. A switch happens here, at the first keyframe of the target layer.
func (d *downTrack) writeFrom(l *upLayer, p *rtp.Packet, key bool, now int64) writeResult {
	if !d.bound.Load() {
		return skipped
	}
	idx := int32(l.index)
	tgt, cur := d.target.Load(), d.current.Load()
	if idx != tgt && idx != cur {
		return skipped
	}
	d.mu.Lock()
	cur = d.current.Load()
	spliced := false
	switch {
	case idx == tgt && idx != cur:
		if !key {
			// Until the target layer's keyframe comes, the old layer (if
			// any) keeps flowing; the caller asks for that keyframe. Not
			// before the subscriber's connection is up, though: it asked
			// when it subscribed, and when it comes up it takes the
			// keyframe from the cache or asks again (Peer.requestKeyframes).
			d.mu.Unlock()
			if cur < 0 && !d.sub.subUp.Load() {
				return skipped
			}
			return needsKeyframe
		}
		d.rw.splice(l.index, &p.Header, p.Payload, now)
		spliced = true
		d.current.Store(idx)
		if cur >= 0 {
			d.switches.Add(1)
			d.sub.room.engine.stats.switches.Add(1)
		}
	case idx == cur && tgt < 0:
		// Paused: stop here; resuming starts a new epoch at a keyframe.
		d.current.Store(-1)
		d.mu.Unlock()
		return skipped
	case idx != cur:
		d.mu.Unlock()
		return skipped
	}
	var res writeResult
	if d.up.vp8 {
		res = d.writeVP8(p, key, spliced, now)
	} else {
		res = d.writeLocked(&d.rw.cur, p, now, 0)
	}
	d.mu.Unlock()
	return res
}

// writeLocked rewrites and sends one packet of epoch e, its VP8
// PictureID lowered by picDrop besides (temporal.go). d.mu is held.
func (d *downTrack) writeLocked(e *epoch, p *rtp.Packet, now int64, picDrop uint16) writeResult {
	seq, ts, ok := d.rw.rewrite(&p.Header, p.Payload, now, picDrop)
	if !ok {
		return skipped
	}
	d.fillHeader(p, seq, ts)
	payload := p.Payload
	if d.rw.needsPayloadRewrite() || picDrop != 0 {
		// A private copy to change: the payload is shared by every
		// subscriber. Pooled, not one per down track: a big room has
		// thousands of down tracks and few write at once.
		scratch := slots.Get().(*[]byte)
		defer slots.Put(scratch)
		n := copy(*scratch, payload)
		payload = (*scratch)[:n]
		shifted := *e
		shifted.picOffset -= picDrop
		rewritePayload(&shifted, payload)
	}
	n, err := d.writeRTP(&d.hdr, payload)
	if err != nil {
		// The subscriber's transport is gone; its peer is being closed
		// and will unsubscribe.
		return skipped
	}
	if n == 0 {
		// pion drops packets, silently, until DTLS has made the SRTP keys.
		// Start again at the next keyframe so the subscriber's first
		// packet is one.
		if !d.sent {
			d.rw = newRewriter(d.rw.clockRate, d.rw.vp8)
		}
		d.current.Store(-1)
		if !d.sub.subUp.Load() {
			return skipped // the keyframe is asked for once the connection is up
		}
		return needsKeyframe
	}
	d.sent = true
	d.srPackets++
	d.srOctets += uint32(len(payload))
	return wrote
}

func (d *downTrack) fillHeader(p *rtp.Packet, seq uint16, ts uint32) {
	d.header(d.ssrc, d.pt, seq, ts, p.Marker)
}

// header resets d.hdr for one outgoing packet: no CSRCs, no padding, no
// extensions but the dependency descriptor in d.ext, which it takes (an
// SVC stream's, svc.go). d.mu is held.
func (d *downTrack) header(ssrc uint32, pt uint8, seq uint16, ts uint32, marker bool) *rtp.Header {
	h := &d.hdr
	h.Version = 2
	h.Padding, h.PaddingSize = false, 0
	h.Extension = false
	h.Extensions = h.Extensions[:0]
	if ext := d.ext; ext != nil {
		d.ext = nil
		if d.ddID != 0 {
			_ = h.SetExtension(d.ddID, ext) // fails only for ids or sizes no browser negotiates
		}
	}
	h.CSRC = nil
	h.Marker = marker
	h.PayloadType = pt
	h.SequenceNumber = seq
	h.Timestamp = ts
	h.SSRC = ssrc
	return h
}

// maxPadding is the padding one RTP packet carries (its last byte counts
// the padding, RFC 3550 5.1).
const maxPadding = 255

// pad sends up to n padding-only packets, between two frames of the
// stream, to probe the subscriber's downlink (see prober). It returns how
// many went out: none when the stream is not between frames right now.
func (d *downTrack) pad(n int) int {
	if n <= 0 || !d.bound.Load() || d.current.Load() < 0 {
		return 0
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.ws == nil || !d.sent {
		return 0
	}
	if d.rtxSSRC != 0 {
		return d.padRTX(n)
	}
	if !d.rw.canPad() {
		return 0
	}
	seq, ts := d.rw.pad(n)
	h := d.header(d.ssrc, d.pt, seq, ts, false)
	h.Padding, h.PaddingSize = true, maxPadding
	for i := 0; i < n; i++ {
		h.SequenceNumber = seq + uint16(i)
		if _, err := d.writeRTP(h, nil); err != nil {
			// The sequence numbers are taken: the subscriber sees a gap,
			// which is what a lost packet looks like too.
			return i
		}
	}
	return n
}

// slots are packet-sized buffers for private payload copies.
var slots = sync.Pool{New: func() any {
	b := make([]byte, cacheSlotSize)
	return &b
}}

// padRTX sends n padding-only packets on the RTX stream, as libwebrtc
// probes: they take no sequence number of the media stream, so they may
// go at any moment. d.mu is held.
func (d *downTrack) padRTX(n int) int {
	h := d.header(d.rtxSSRC, d.rtxPT, 0, d.rw.lastTS, false)
	h.Padding, h.PaddingSize = true, maxPadding
	for i := 0; i < n; i++ {
		h.SequenceNumber = d.rtxSeq
		d.rtxSeq++
		if _, err := d.writeRTP(h, nil); err != nil {
			return i
		}
	}
	return n
}

type rtxEntry struct {
	seq uint16
	at  int64
}

const (
	rtxRepeat    = 250 * time.Millisecond
	rtxPerSecond = 200
)

// retransmit answers a NACK for one output sequence number from the
// publisher layer's packet cache, rewritten as it was first sent.
func (d *downTrack) retransmit(seq uint16) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.ws == nil {
		return false
	}
	now := time.Now().UnixNano()
	slot := &d.rtxAt[seq&63]
	if slot.seq == seq && now-slot.at < int64(rtxRepeat) {
		return false
	}
	if sec := now / 1e9; sec != d.rtxWindow {
		d.rtxWindow, d.rtxCount = sec, 0
	}
	if d.rtxCount >= rtxPerSecond {
		return false
	}
	e, in, ok := d.rw.lookup(seq)
	picDrop := uint16(0)
	switch {
	case !ok:
	case d.svc != nil:
		in, ok = d.svc.original(in)
	case d.up.vp8:
		in, picDrop, ok = d.originalVP8(e, in)
	}
	if !ok {
		return false
	}
	l := d.up.layers.Load()[e.layer]
	if l == nil {
		return false
	}
	c := l.cache.Load()
	if c == nil {
		return false
	}
	buf := slots.Get().(*[]byte)
	defer slots.Put(buf)
	n := c.get(in, *buf)
	if n == 0 || d.rtxPkt.Unmarshal((*buf)[:n]) != nil {
		return false
	}
	p := &d.rtxPkt
	if d.svc != nil && !d.svcTakes(p) {
		return false
	}
	payload := p.Payload
	if d.up.vp8 && (e.picOffset != picDrop || e.tl0Offset != 0) {
		e.picOffset -= picDrop
		rewritePayload(&e, payload) // buf is private: rewrite in place
	}
	ts := p.Timestamp + e.tsOffset
	if d.rtxSSRC != 0 {
		// RFC 4588: the original sequence number, then the payload, on the
		// RTX stream's own numbering.
		rtx := slots.Get().(*[]byte)
		defer slots.Put(rtx)
		if len(payload)+2 > len(*rtx) {
			d.ext = nil
			return false
		}
		(*rtx)[0], (*rtx)[1] = byte(seq>>8), byte(seq)
		n := 2 + copy((*rtx)[2:], payload)
		d.header(d.rtxSSRC, d.rtxPT, d.rtxSeq, ts, p.Marker)
		d.rtxSeq++
		payload = (*rtx)[:n]
	} else {
		d.fillHeader(p, seq, ts)
	}
	if _, err := d.writeRTP(&d.hdr, payload); err != nil {
		return false
	}
	*slot = rtxEntry{seq: seq, at: now}
	d.rtxCount++
	return true
}

// keyframeLayer is the layer whose keyframe the subscriber's request is
// for: the one it receives, or the one it waits to start on.
func (d *downTrack) keyframeLayer() int {
	if cur := d.current.Load(); cur >= 0 {
		return int(cur)
	}
	return int(d.target.Load())
}

// handleRTCP acts on the subscriber's feedback for this track (see
// rtcpSink): picture loss goes to the publisher, NACKs are answered from
// the packet cache, bandwidth estimates and loss reports feed the
// subscriber's allocator. It runs on pion's SRTCP reading goroutine.
func (d *downTrack) handleRTCP(pkts []rtcp.Packet, ssrc uint32) {
	st := d.sub.room.engine.stats
	for _, pkt := range pkts {
		switch p := pkt.(type) {
		case *rtcp.PictureLossIndication:
			if p.MediaSSRC == ssrc {
				d.up.requestKeyframe(d.keyframeLayer())
			}
		case *rtcp.FullIntraRequest:
			if slices.ContainsFunc(p.FIR, func(e rtcp.FIREntry) bool { return e.SSRC == ssrc }) {
				d.up.requestKeyframe(d.keyframeLayer())
			}
		case *rtcp.TransportLayerNack:
			if p.MediaSSRC != ssrc {
				continue
			}
			// The answers to one NACK leave in one batch.
			d.sub.room.engine.cork()
			for _, pair := range p.Nacks {
				pair.Range(func(seq uint16) bool {
					st.nacks.Add(1)
					if d.retransmit(seq) {
						st.retransmits.Add(1)
					}
					return true
				})
			}
			d.sub.room.engine.uncork()
		case *rtcp.ReceiverEstimatedMaximumBitrate:
			// One estimate for the connection, handed to the sink of
			// each SSRC it lists: taken once, by the first of them that
			// is a down track's. Not simply the first listed: libwebrtc
			// lists every SSRC its estimator has seen, in numeric order,
			// so the first may be an RTX stream (retransmissions, probing
			// padding) or a track just removed, whose sink takes nothing.
			if len(p.SSRCs) == 0 || d.sub.firstBoundSSRC(p.SSRCs) == ssrc {
				d.sub.bwe.onREMB(float64(p.Bitrate), time.Now())
			}
		case *rtcp.ReceiverReport:
			d.onReports(p.Reports, ssrc)
		case *rtcp.SenderReport:
			d.onReports(p.Reports, ssrc)
		}
	}
}

// onReports takes the loss a report block gives for the stream on ssrc,
// when that is this track's media stream.
func (d *downTrack) onReports(reports []rtcp.ReceptionReport, ssrc uint32) {
	if d.up.audio {
		return
	}
	d.mu.Lock()
	own := d.ssrc
	d.mu.Unlock()
	if ssrc != own {
		return
	}
	for _, r := range reports {
		if r.SSRC == own {
			d.sub.bwe.onLoss(float64(r.FractionLost)/256, d.bitrate())
		}
	}
}

// bitrate is what this down track currently forwards, in bits per second.
func (d *downTrack) bitrate() float64 {
	cur := d.current.Load()
	if cur < 0 {
		return 0
	}
	if s := d.up.svc; s != nil && cur < maxLayers {
		return float64(s.bitrate[cur].Load())
	}
	if l := d.up.layers.Load()[cur]; l != nil {
		return float64(l.bitrate.Load())
	}
	return 0
}
