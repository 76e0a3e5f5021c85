package sfu

import (
	"sync/atomic"
	"time"

	"github.com/pion/rtp"

	"github.com/roomsdev/rooms/internal/vp9"
)

// SVC, VP9 (RFC 9628) or AV1 (with the dependency descriptor, ddsvc.go):
// the publisher sends one RTP stream that carries every spatial layer of
// each picture (K-SVC, Chrome's "L3T3_KEY": the layers depend on each
// other only at keyframes) and temporal layers. The SFU treats the spatial
// layers as the track's layers, as it does simulcast encodings: the
// allocator chooses one per subscriber, and the subscriber gets the
// packets of that layer and those below it, renumbered so that it sees
// one gapless stream. Taking the layers below too makes going down
// instant: a K-SVC layer depends on its own earlier frames, which a
// subscriber of the layer above would otherwise not have.
//
// Unlike simulcast, everything comes from one stream, so timestamps and
// picture ids need no rewriting; only the sequence numbers do, because of
// the packets left out, and the marker bit, which the publisher sets only
// at the end of the whole picture.

// svcTrack is what an upTrack knows of the spatial layers of its SVC
// stream. The stream's one reader writes the counters; the room ticker
// measures them.
type svcTrack struct {
	// ddID is the publisher's id of the dependency descriptor extension
	// for an AV1 stream, which says the layers (0 for VP9, whose payload
	// descriptor does); dd is the structure in force (ddsvc.go).
	ddID uint8
	dd   atomic.Pointer[ddStructure]

	// spatial is the number of spatial layers in the latest scalability
	// structure, and most the largest ever seen: the layers the publisher
	// can send when asked (dynacast may have turned some off).
	spatial, most atomic.Int32
	bytes         [maxLayers]atomic.Uint64 // by spatial layer id
	// bitrate[i] is what a subscriber of layer i takes: layers 0 to i.
	bitrate       [maxLayers]atomic.Int64
	width, height [maxLayers]atomic.Int32
	idle          [maxLayers]atomic.Int32 // measurements in a row without packets

	lastBytes [maxLayers]uint64 // room ticker only
}

// svcLayer is the layer index a spatial layer id counts in.
func svcLayer(sid uint8) int { return min(int(sid), maxLayers-1) }

// svcFrame is what the SFU reads of one packet of an SVC stream, from the
// VP9 payload descriptor or the AV1 dependency descriptor.
type svcFrame struct {
	sid, tid   uint8
	hasLayers  bool // the layer ids were in the packet (else 0, 0)
	begin, end bool // the packet is the first, the last of its layer frame
	key        bool // the first packet of a keyframe
	// switchUp: a frame from which on the temporal layer tid can be added
	// (VP9's U; AV1's Switch indication).
	switchUp bool
	// ext is the AV1 dependency descriptor as received: the subscriber's
	// decoder needs it on every packet, under its own extension id.
	ext []byte
}

// pictureStart: the packet begins a picture (its lowest layer's frame).
func (f *svcFrame) pictureStart() bool { return f.begin && f.sid == 0 }

// read fills f from packet p; learn (the stream's reader only) takes the
// sizes and structure of a keyframe as the stream's. It reports false for
// a packet whose descriptor is malformed: nobody could decode it.
func (s *svcTrack) read(p *rtp.Packet, f *svcFrame, learn bool) bool {
	if s.ddID != 0 {
		return s.readDD(p, f, learn)
	}
	var d vp9.Descriptor
	if !vp9.Parse(p.Payload, &d) {
		return false
	}
	*f = svcFrame{sid: d.SID, tid: d.TID, hasLayers: d.HasLayers, begin: d.Begin, end: d.End,
		key: d.Keyframe(), switchUp: d.SwitchingUp}
	if learn && f.key {
		s.learn(&d)
	}
	return true
}

// setLayers records a structure's spatial layer count (a publisher sends
// fewer when nobody takes the upper ones).
func (s *svcTrack) setLayers(n int) {
	s.spatial.Store(int32(n))
	if int32(n) > s.most.Load() {
		s.most.Store(int32(n))
	}
}

// learn takes the layer sizes from a scalability structure (keyframes).
func (s *svcTrack) learn(d *vp9.Descriptor) {
	if !d.HasSS {
		return
	}
	n := min(d.SpatialLayers, maxLayers)
	s.setLayers(n)
	if !d.SizesPresent {
		return
	}
	for i := 0; i < n; i++ {
		s.width[i].Store(int32(d.Widths[i]))
		s.height[i].Store(int32(d.Heights[i]))
	}
}

// count is the number of spatial layers the publisher can send (1 until
// a scalability structure says more).
func (s *svcTrack) count() int { return max(int(s.most.Load()), 1) }

// present reports whether spatial layer i is being sent now.
func (s *svcTrack) present(i int) bool {
	if i == 0 {
		return true
	}
	return i < int(s.spatial.Load()) && s.idle[i].Load() < cacheIdleTicks
}

// measure updates the layers' rates, cumulative, over secs seconds.
func (s *svcTrack) measure(secs float64) {
	total := 0.0
	for i := range s.bytes {
		b := s.bytes[i].Load()
		sample := float64(b-s.lastBytes[i]) * 8 / secs
		if b == s.lastBytes[i] {
			s.idle[i].Add(1)
		} else {
			s.idle[i].Store(0)
		}
		s.lastBytes[i] = b
		total += sample
		s.bitrate[i].Store(smoothRate(s.bitrate[i].Load(), total))
	}
}

// routeSVC forwards one packet of an SVC stream to every subscriber, each
// the layers it takes. It is route's continuation for SVC tracks, and as
// hot: no allocations.
func (l *upLayer) routeSVC(pkt *rtp.Packet, start time.Time, sample *uint32) {
	u := l.up
	s := u.svc
	var f svcFrame
	if !s.read(pkt, &f, true) {
		return // malformed: nobody could decode it anyway
	}
	s.bytes[svcLayer(f.sid)].Add(uint64(len(pkt.Payload) + 12))
	if f.hasLayers {
		l.temporal.add(int32(f.tid), len(pkt.Payload)+12)
	}
	key := f.key
	if key {
		l.lastKeyframe.Store(start.UnixNano())
		l.width.Store(s.width[0].Load())
		l.height.Store(s.height[0].Load())
	}
	now := start.UnixNano()
	downs := *u.downs.Load()
	out := l.beginFanOut(len(downs), start, sample)
	for i, d := range downs {
		warm(downs, i)
		res, want := d.writeSVC(pkt, &f, now)
		if res == wrote {
			out.wrote(len(pkt.Payload) + 12)
		}
		out.wantKey = out.wantKey || want || res == needsKeyframe
	}
	out.end()
}

// writeSVC forwards one packet of an SVC stream if this subscriber takes
// its layer. It reports, besides what it did, whether a keyframe is
// wanted to move the subscriber up. Switching down happens at the next
// picture; switching up at a keyframe only, since in K-SVC an upper layer
// depends on its own earlier frames, which this subscriber never got.
func (d *downTrack) writeSVC(p *rtp.Packet, f *svcFrame, now int64) (writeResult, bool) {
	if !d.bound.Load() {
		return skipped, false
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	s := d.svc
	in := p.SequenceNumber
	if s.started && int16(in-s.highest) <= 0 {
		return d.writeLateSVC(p, f, now), false
	}
	s.reserveGap(in)
	s.started, s.highest = true, in

	res, wantKey := skipped, false
	tgt, cur := d.target.Load(), d.current.Load()
	key, pictureStart := f.key, f.pictureStart()
	splice := false
	switch {
	case tgt < 0:
		cur = -1 // paused; resuming waits for a keyframe
	case cur < 0:
		if key {
			cur, splice = tgt, true
		} else if d.sub.subUp.Load() { // see writeFrom
			res = needsKeyframe
		}
	case tgt < cur && pictureStart:
		cur = tgt
		d.switched()
	case tgt > cur:
		if key {
			cur = tgt
			d.switched()
		} else {
			wantKey = true
		}
	}
	d.current.Store(cur)
	if pictureStart {
		// Temporal layers go down at any picture, up at a keyframe or a
		// switching-up point of the layer above (RFC 9628 §4.2, U).
		want := s.maxTemporal.Load()
		switch {
		case key || want < s.temporal:
			s.temporal = want
		case int32(f.tid) > s.temporal && int32(f.tid) <= want && f.switchUp:
			s.temporal = int32(f.tid)
		}
	}
	if cur < 0 || int32(f.sid) > cur || int32(f.tid) > s.temporal {
		s.dropped++
		s.note(in, 0, 0, entryDropped)
		return res, wantKey
	}
	c := in - s.dropped
	s.note(in, c, 0, entrySent)
	return d.sendSVC(p, f, c, cur, splice, now), wantKey
}

// sendSVC writes p as compacted number c, with the marker on the last
// packet of the highest layer the subscriber takes. p is shared by every
// subscriber: its header is restored before returning. d.mu is held.
func (d *downTrack) sendSVC(p *rtp.Packet, f *svcFrame, c uint16, cur int32, splice bool, now int64) writeResult {
	seq, marker := p.SequenceNumber, p.Marker
	p.SequenceNumber = c
	p.Marker = marker || (f.end && int32(f.sid) == cur)
	if splice {
		d.rw.splice(0, &p.Header, p.Payload, now)
	}
	d.ext = f.ext
	res := d.writeLocked(&d.rw.cur, p, now, 0)
	d.ext = nil
	p.SequenceNumber, p.Marker = seq, marker
	return res
}

// writeLateSVC handles a packet older than the newest seen: one whose
// number was kept for it is forwarded under it, or, if this subscriber
// does not take its layer, a padding packet fills its place so the
// subscriber stops asking. Others (duplicates) are dropped. d.mu is held.
func (d *downTrack) writeLateSVC(p *rtp.Packet, f *svcFrame, now int64) writeResult {
	s := d.svc
	in := p.SequenceNumber
	e := s.byIn[in%compactMapSize]
	if e.in != in || e.state != entryReserved {
		return skipped
	}
	cur := d.current.Load()
	if cur >= 0 && int32(f.sid) <= cur && int32(f.tid) <= s.temporal {
		s.note(in, e.c, 0, entrySent)
		return d.sendSVC(p, f, e.c, cur, false, now)
	}
	s.note(in, e.c, 0, entryDropped)
	d.padAt(e.c, p.Timestamp)
	return skipped
}

// svcTakes reports whether a retransmission of p is for this subscriber,
// sets its marker as writeSVC did, and d.ext to its dependency
// descriptor. d.mu is held.
func (d *downTrack) svcTakes(p *rtp.Packet) bool {
	var f svcFrame
	if !d.up.svc.read(p, &f, false) {
		return false
	}
	cur := d.current.Load()
	if cur < 0 || int32(f.sid) > cur || int32(f.tid) > d.svc.temporal {
		return false
	}
	p.Marker = p.Marker || (f.end && int32(f.sid) == cur)
	d.ext = f.ext
	return true
}

// switched counts a layer switch.
func (d *downTrack) switched() {
	d.switches.Add(1)
	d.sub.room.engine.stats.switches.Add(1)
}

// layerFor is upTrack.layerFor for spatial layers: the lowest at least
// as tall as height, by the sizes of the latest scalability structure.
func (s *svcTrack) layerFor(height int) int {
	top := s.count() - 1
	if height <= 0 {
		return top
	}
	for i := 0; i <= top; i++ {
		h := 720 >> (top - i) // K-SVC halves each layer below the top
		if v := s.height[i].Load(); v > 0 {
			h = int(v)
		}
		if h*10 >= height*9 {
			return i
		}
	}
	return top
}

// rate is what a subscriber of spatial layer i takes, measured, or
// libwebrtc's targets until measured.
func (s *svcTrack) rate(i int) float64 {
	if b := s.bitrate[i].Load(); b > 0 {
		return float64(b)
	}
	sum := int64(0)
	for j := 0; j <= i; j++ {
		sum += nominalBitrates[j]
	}
	return float64(sum)
}

// wanted is how many spatial layers anyone has taken within dynacastHold
// (all of them in the track's first moments), for dynacast.
func (s *svcTrack) wanted(now time.Time, st *dynacastState, published time.Time) int {
	if now.Sub(published) < dynacastHold {
		return s.count()
	}
	n := 1
	for i := 0; i < s.count(); i++ {
		if now.Sub(st.lastWanted[i]) < dynacastHold {
			n = i + 1
		}
	}
	return n
}
