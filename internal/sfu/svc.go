package sfu

import (
	"sync/atomic"
	"time"

	"github.com/pion/rtp"

	"github.com/roomsdev/rooms/internal/vp9"
)

// VP9 SVC (RFC 9628): the publisher sends one RTP stream that carries
// every spatial layer of each picture (K-SVC, Chrome's "L3T3_KEY": the
// layers depend on each other only at keyframes) and temporal layers. The
// SFU treats the spatial layers as the track's layers, as it does
// simulcast encodings: the allocator chooses one per subscriber, and the
// subscriber gets the packets of that layer and those below it, renumbered
// so that it sees one gapless stream.
//
// Unlike simulcast, everything comes from one stream, so timestamps and
// picture ids need no rewriting; only the sequence numbers do, because of
// the packets left out, and the marker bit, which the publisher sets only
// at the end of the whole picture.

// svcTrack is what an upTrack knows of the spatial layers of its SVC
// stream. The stream's one reader writes the counters; the room ticker
// measures them.
type svcTrack struct {
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

// learn takes the layer sizes from a scalability structure (keyframes).
func (s *svcTrack) learn(d *vp9.Descriptor) {
	if !d.HasSS {
		return
	}
	n := min(d.SpatialLayers, maxLayers)
	s.spatial.Store(int32(n))
	if int32(n) > s.most.Load() {
		s.most.Store(int32(n))
	}
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
	var desc vp9.Descriptor
	if !vp9.Parse(pkt.Payload, &desc) {
		return // malformed: nobody could decode it anyway
	}
	s := u.svc
	s.bytes[svcLayer(desc.SID)].Add(uint64(len(pkt.Payload) + 12))
	if desc.HasLayers {
		l.temporal.add(int32(desc.TID), len(pkt.Payload)+12)
	}
	key := desc.Keyframe()
	if key {
		l.lastKeyframe.Store(start.UnixNano())
	}
	if key && desc.HasSS {
		s.learn(&desc)
		l.width.Store(s.width[0].Load())
		l.height.Store(s.height[0].Load())
	}
	now := start.UnixNano()
	wantKey := false
	var sent, bytes uint64
	downs := *u.downs.Load()
	l.beginFanOut(len(downs))
	for _, d := range downs {
		res, want := d.writeSVC(pkt, &desc, key, now)
		if res == wrote {
			sent++
			bytes += uint64(len(pkt.Payload) + 12)
		}
		wantKey = wantKey || want || res == needsKeyframe
	}
	l.endFanOut(len(downs), sent, bytes, wantKey, start, sample)
}

// writeSVC forwards one packet of an SVC stream if this subscriber takes
// its layer. It reports, besides what it did, whether a keyframe is
// wanted to move the subscriber up. Switching down happens at the next
// picture; switching up at a keyframe only, since in K-SVC an upper layer
// depends on its own earlier frames, which this subscriber never got.
func (d *downTrack) writeSVC(p *rtp.Packet, desc *vp9.Descriptor, key bool, now int64) (writeResult, bool) {
	if !d.bound.Load() {
		return skipped, false
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	s := d.svc
	in := p.SequenceNumber
	if s.started && int16(in-s.highest) <= 0 {
		return d.writeLateSVC(p, desc, now), false
	}
	s.reserveGap(in)
	s.started, s.highest = true, in

	res, wantKey := skipped, false
	tgt, cur := d.target.Load(), d.current.Load()
	pictureStart := desc.Begin && desc.SID == 0
	splice := false
	switch {
	case tgt < 0:
		cur = -1 // paused; resuming waits for a keyframe
	case cur < 0:
		if key {
			cur, splice = tgt, true
		} else {
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
		case int32(desc.TID) > s.temporal && int32(desc.TID) <= want && desc.SwitchingUp:
			s.temporal = int32(desc.TID)
		}
	}
	if cur < 0 || int32(desc.SID) > cur || int32(desc.TID) > s.temporal {
		s.dropped++
		s.note(in, 0, 0, entryDropped)
		return res, wantKey
	}
	c := in - s.dropped
	s.note(in, c, 0, entrySent)
	return d.sendSVC(p, desc, c, cur, splice, now), wantKey
}

// sendSVC writes p as compacted number c, with the marker on the last
// packet of the highest layer the subscriber takes. p is shared by every
// subscriber: its header is restored before returning. d.mu is held.
func (d *downTrack) sendSVC(p *rtp.Packet, desc *vp9.Descriptor, c uint16, cur int32, splice bool, now int64) writeResult {
	seq, marker := p.SequenceNumber, p.Marker
	p.SequenceNumber = c
	p.Marker = marker || (desc.End && int32(desc.SID) == cur)
	if splice {
		d.rw.splice(0, &p.Header, p.Payload, now)
	}
	res := d.writeLocked(&d.rw.cur, p, now, 0)
	p.SequenceNumber, p.Marker = seq, marker
	return res
}

// writeLateSVC handles a packet older than the newest seen: one whose
// number was kept for it is forwarded under it, or, if this subscriber
// does not take its layer, a padding packet fills its place so the
// subscriber stops asking. Others (duplicates) are dropped. d.mu is held.
func (d *downTrack) writeLateSVC(p *rtp.Packet, desc *vp9.Descriptor, now int64) writeResult {
	s := d.svc
	in := p.SequenceNumber
	e := s.byIn[in%compactMapSize]
	if e.in != in || e.state != entryReserved {
		return skipped
	}
	cur := d.current.Load()
	if cur >= 0 && int32(desc.SID) <= cur && int32(desc.TID) <= s.temporal {
		s.note(in, e.c, 0, entrySent)
		return d.sendSVC(p, desc, e.c, cur, false, now)
	}
	s.note(in, e.c, 0, entryDropped)
	d.padAt(e.c, p.Timestamp)
	return skipped
}

// svcTakes reports whether a retransmission of payload is for this
// subscriber, and sets its marker as writeSVC did. d.mu is held.
func (d *downTrack) svcTakes(p *rtp.Packet) bool {
	var desc vp9.Descriptor
	if !vp9.Parse(p.Payload, &desc) {
		return false
	}
	cur := d.current.Load()
	if cur < 0 || int32(desc.SID) > cur || int32(desc.TID) > d.svc.temporal {
		return false
	}
	p.Marker = p.Marker || (desc.End && int32(desc.SID) == cur)
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
