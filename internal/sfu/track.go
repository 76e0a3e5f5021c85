package sfu

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/rtcp"
	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"

	"github.com/roomsdev/rooms/internal/keyframe"
)

// keyframeInterval is the least time between two keyframe requests to one
// publisher: subscribers that join together share one keyframe, and a
// publisher is never flooded.
const keyframeInterval = 300 * time.Millisecond

// upTrack is one track a peer publishes. One goroutine reads it and writes
// every packet to each subscriber's downTrack.
type upTrack struct {
	info      TrackInfo
	publisher *Peer
	remote    *webrtc.TrackRemote
	isKey     func([]byte) bool // nil for audio and unknown codecs

	// downs is an immutable snapshot: the forwarding loop reads it without
	// a lock; writers copy it under downsMu and swap it in.
	downs   atomic.Pointer[[]*downTrack]
	downsMu sync.Mutex

	lastKeyframeRequest atomic.Int64 // unix nanoseconds
	paused              atomic.Bool  // forward nothing (a muted microphone)
}

func newUpTrack(p *Peer, remote *webrtc.TrackRemote, _ *webrtc.RTPReceiver) *upTrack {
	u := &upTrack{
		info: TrackInfo{
			Publisher: p.id,
			ID:        string(p.id) + "-" + remote.ID(),
			Kind:      remote.Kind().String(),
		},
		publisher: p,
		remote:    remote,
	}
	if remote.Kind() == webrtc.RTPCodecTypeVideo {
		u.isKey = keyframe.Detect(remote.Codec().MimeType)
	}
	u.downs.Store(&[]*downTrack{})
	return u
}

// forward reads the publisher's packets and writes them to every
// subscriber until the track ends.
func (u *upTrack) forward() {
	buf := make([]byte, 1500)
	var pkt rtp.Packet
	for {
		n, _, err := u.remote.Read(buf)
		if err != nil {
			return
		}
		if u.paused.Load() {
			continue
		}
		if err := pkt.Unmarshal(buf[:n]); err != nil {
			continue
		}
		// Header extension ids are negotiated per connection; the
		// publisher's ids mean nothing to a subscriber, so none are
		// forwarded. The subscriber's own interceptors add theirs.
		pkt.Extension = false
		pkt.Extensions = nil
		key := u.isKey != nil && u.isKey(pkt.Payload)
		wantKey := false
		for _, d := range *u.downs.Load() {
			if !d.write(&pkt, key) {
				wantKey = true
			}
		}
		if wantKey {
			u.requestKeyframe()
		}
	}
}

// requestKeyframe asks the publisher for a keyframe (RFC 4585 PLI), at
// most once per keyframeInterval.
func (u *upTrack) requestKeyframe() {
	if u.isKey == nil {
		return
	}
	now := time.Now().UnixNano()
	last := u.lastKeyframeRequest.Load()
	if now-last < int64(keyframeInterval) || !u.lastKeyframeRequest.CompareAndSwap(last, now) {
		return
	}
	pli := &rtcp.PictureLossIndication{MediaSSRC: uint32(u.remote.SSRC())}
	_ = u.publisher.pub.WriteRTCP([]rtcp.Packet{pli}) // fails only once the publisher is gone
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

// downTrack is one subscriber's copy of an upTrack. It is the TrackLocal
// added to the subscriber's connection; it holds video back until a
// keyframe so the subscriber's decoder starts cleanly.
type downTrack struct {
	up     *upTrack
	sub    *Peer
	local  *webrtc.TrackLocalStaticRTP
	sender *webrtc.RTPSender

	bound   atomic.Bool // negotiated: packets reach the subscriber
	needKey atomic.Bool // video waiting for its first keyframe
}

var _ webrtc.TrackLocal = (*downTrack)(nil)

func newDownTrack(u *upTrack, sub *Peer) (*downTrack, error) {
	local, err := webrtc.NewTrackLocalStaticRTP(u.remote.Codec().RTPCodecCapability, u.info.ID, string(u.info.Publisher))
	if err != nil {
		return nil, err
	}
	return &downTrack{up: u, sub: sub, local: local}, nil
}

// Bind is called by pion once negotiation has agreed on a codec.
func (d *downTrack) Bind(ctx webrtc.TrackLocalContext) (webrtc.RTPCodecParameters, error) {
	params, err := d.local.Bind(ctx)
	if err != nil {
		return params, err
	}
	if d.up.isKey != nil {
		d.needKey.Store(true)
	}
	d.bound.Store(true)
	d.up.requestKeyframe()
	return params, nil
}

// Unbind is called by pion when the track is removed or the connection closes.
func (d *downTrack) Unbind(ctx webrtc.TrackLocalContext) error {
	d.bound.Store(false)
	return d.local.Unbind(ctx)
}

// ID implements webrtc.TrackLocal.
func (d *downTrack) ID() string { return d.local.ID() }

// RID implements webrtc.TrackLocal.
func (d *downTrack) RID() string { return "" }

// StreamID implements webrtc.TrackLocal: the publisher's peer id.
func (d *downTrack) StreamID() string { return d.local.StreamID() }

// Kind implements webrtc.TrackLocal.
func (d *downTrack) Kind() webrtc.RTPCodecType { return d.local.Kind() }

// write forwards one packet. It returns false when the subscriber waits
// for a keyframe that this packet is not, so the caller asks for one.
func (d *downTrack) write(p *rtp.Packet, key bool) bool {
	if !d.bound.Load() {
		return true
	}
	if d.needKey.Load() {
		if !key {
			return false
		}
		d.needKey.Store(false)
	}
	// Errors mean the subscriber's transport is gone; its peer is being
	// closed and will unsubscribe.
	_ = d.local.WriteRTP(p)
	return true
}

// readRTCP reads the subscriber's feedback for this track until the
// sender stops. Reading drives pion's interceptors (NACKs are answered
// there); picture loss is passed on to the publisher.
func (d *downTrack) readRTCP() {
	for {
		pkts, _, err := d.sender.ReadRTCP()
		if err != nil {
			return
		}
		for _, pkt := range pkts {
			switch pkt.(type) {
			case *rtcp.PictureLossIndication, *rtcp.FullIntraRequest:
				d.up.requestKeyframe()
			}
		}
	}
}

// drainRTCP reads a receiver's RTCP (sender reports) so its interceptors
// run and its buffer never fills.
func drainRTCP(recv *webrtc.RTPReceiver) {
	for {
		if _, _, err := recv.ReadRTCP(); err != nil {
			return
		}
	}
}
