package sfu

import (
	"sync/atomic"

	"github.com/pion/rtp"
)

// Temporal layers. A camera encoded with three temporal layers (L1T3:
// base, half and full frame rate, what browsers send in each VP8
// simulcast encoding and each VP9 spatial layer) lets a subscriber whose
// downlink cannot take even the lowest spatial layer of every tile get
// fewer frames instead of a congested, freezing stream: the allocator
// lowers the temporal layer of the least important tiles first (alloc.go),
// and the down track leaves out the frames above it.
//
// VP9 streams are renumbered for their spatial layers anyway (svc.go);
// a VP8 down track starts renumbering the first time it thins its stream,
// with the same compactor, and also takes the left-out pictures out of
// the PictureID sequence: libwebrtc's VP8 receiver waits for every
// PictureID between a frame and the one it refers to, so a gap would
// hold back every later frame until the next keyframe.

// temporalLayers is how many temporal layers a stream is measured in.
const temporalLayers = 3

// defaultTemporalShare is libwebrtc's split of a three-layer stream's
// bitrate: the base layer 40%, with the middle layer 60%, used until the
// stream's own split is measured.
var defaultTemporalShare = [temporalLayers]float64{0.4, 0.6, 1}

// temporalRates are one stream's bytes by temporal layer, and what share
// of its bitrate the layers up to each one take.
type temporalRates struct {
	bytes [temporalLayers]atomic.Uint64
	seen  atomic.Bool                  // any packet said its temporal layer
	share [temporalLayers]atomic.Int32 // per mille, cumulative; 0 until measured
	last  [temporalLayers]uint64       // room ticker only
}

// add counts one packet of temporal layer tid.
func (t *temporalRates) add(tid int32, n int) {
	t.bytes[min(max(tid, 0), temporalLayers-1)].Add(uint64(n))
	if !t.seen.Load() {
		t.seen.Store(true)
	}
}

// measure updates the shares from the bytes since the last measure.
func (t *temporalRates) measure() {
	var delta [temporalLayers]uint64
	total := uint64(0)
	for i := range t.bytes {
		b := t.bytes[i].Load()
		delta[i] = b - t.last[i]
		t.last[i] = b
		total += delta[i]
	}
	if total == 0 || delta[0] == total {
		return // idle, or no temporal layers: keep what was measured
	}
	sum := uint64(0)
	for i := range delta {
		sum += delta[i]
		sample := float64(sum) * 1000 / float64(total)
		t.share[i].Store(int32(smoothRate(int64(t.share[i].Load()), sample)))
	}
}

// fraction is the share of the stream's bitrate that its temporal layers
// up to tl take; 1 for a stream without temporal layers, which cannot be
// thinned.
func (t *temporalRates) fraction(tl int32) float64 {
	if tl >= temporalLayers-1 || !t.seen.Load() {
		return 1
	}
	tl = max(tl, 0)
	if s := t.share[tl].Load(); s > 0 {
		return float64(s) / 1000
	}
	return defaultTemporalShare[tl]
}

// temporalFraction is the share of layer i's bitrate that temporal layers
// up to tl take (1 when the track cannot be thinned).
func (u *upTrack) temporalFraction(i int, tl int32) float64 {
	if !u.vp8 && u.svc == nil {
		return 1
	}
	if u.svc != nil {
		i = 0 // one stream carries every spatial layer
	}
	l := u.layers.Load()[i]
	if l == nil {
		return 1
	}
	return l.temporal.fraction(tl)
}

// maxTemporal is the highest temporal layer the allocator lets d take.
func (d *downTrack) maxTemporal() int32 {
	if d.svc != nil {
		return d.svc.maxTemporal.Load()
	}
	if t := d.thin.Load(); t != nil {
		return t.maxTemporal.Load()
	}
	return allTemporal
}

// setMaxTemporal lets d take temporal layers up to tl (allTemporal: all).
func (d *downTrack) setMaxTemporal(tl int32) {
	thin := d.thin.Load()
	switch {
	case d.svc != nil:
		d.svc.maxTemporal.Store(tl)
	case !d.up.vp8:
	case thin != nil:
		thin.maxTemporal.Store(tl)
	case tl < allTemporal:
		t := newCompactor()
		t.maxTemporal.Store(tl)
		d.thin.Store(t)
	}
}

// writeVP8 writes one VP8 packet of the current layer, leaving out the
// temporal layers above what the allocator allows. spliced says the
// packet starts a new epoch (a layer switch): the renumbering starts
// again there. d.mu is held.
func (d *downTrack) writeVP8(p *rtp.Packet, key, spliced bool, now int64) writeResult {
	t := d.thin.Load()
	if t == nil {
		return d.writeLocked(&d.rw.cur, p, now, 0)
	}
	if spliced {
		t.started = false
	}
	if !t.started && t.maxTemporal.Load() >= allTemporal {
		return d.writeLocked(&d.rw.cur, p, now, 0) // nothing left out in this epoch
	}
	desc, ok := parseVP8(p.Payload)
	if !ok {
		return skipped
	}
	tid, sync := desc.temporal(p.Payload)
	in := p.SequenceNumber
	if !t.started {
		// Numbers before this packet stay the input's own (nothing was
		// left out yet); the rewriter's epochs of this generation now
		// need the compactor to answer NACKs.
		t.restart(in, d.rw.gen)
		d.rw.markThinned()
	}
	if int16(in-t.highest) <= 0 {
		return d.writeLateVP8(p, tid, now)
	}
	t.reserveGap(in)
	t.highest = in
	if frameStart(p.Payload) {
		// Down at any frame; up at a keyframe, or at a frame of the layer
		// above that depends on the base layer only (Y).
		want := t.maxTemporal.Load()
		switch {
		case key || want < t.temporal:
			t.temporal = want
		case tid > t.temporal && tid <= want && sync:
			t.temporal = tid
		}
	}
	if tid > t.temporal {
		t.dropped++
		if pic := desc.pictureID(p.Payload); !t.picDropValid || pic != t.lastDropPic {
			t.picsDropped++
			t.lastDropPic, t.picDropValid = pic, true
		}
		t.note(in, 0, 0, entryDropped)
		return skipped
	}
	c := in - t.dropped
	t.note(in, c, t.picsDropped, entrySent)
	return d.writeCompacted(p, c, t.picsDropped, now)
}

// writeLateVP8 is writeLateSVC for a thinned VP8 stream: a packet older
// than the newest takes the number kept for it, or padding fills that
// number when its layer is left out. d.mu is held.
func (d *downTrack) writeLateVP8(p *rtp.Packet, tid int32, now int64) writeResult {
	t := d.thin.Load()
	e := t.byIn[p.SequenceNumber%compactMapSize]
	if e.in != p.SequenceNumber || e.state != entryReserved {
		return skipped
	}
	if tid <= t.temporal {
		t.note(e.in, e.c, e.picDrop, entrySent)
		return d.writeCompacted(p, e.c, e.picDrop, now)
	}
	t.note(e.in, e.c, e.picDrop, entryDropped)
	d.padAt(e.c, p.Timestamp)
	return skipped
}

// writeCompacted writes p as compacted number c, its PictureID picDrop
// lower. p is shared by every subscriber: its header is restored. d.mu
// is held.
func (d *downTrack) writeCompacted(p *rtp.Packet, c, picDrop uint16, now int64) writeResult {
	seq := p.SequenceNumber
	p.SequenceNumber = c
	res := d.writeLocked(&d.rw.cur, p, now, picDrop)
	p.SequenceNumber = seq
	return res
}

// padAt sends a padding packet in place of compacted number c, whose
// packet this subscriber does not take, so it stops asking for it.
// d.mu is held.
func (d *downTrack) padAt(c uint16, ts uint32) {
	if !d.rw.started || int16(c-d.rw.inStart) < 0 || d.ws == nil {
		return
	}
	h := d.header(d.ssrc, d.pt, c+d.rw.cur.seqOffset, ts+d.rw.cur.tsOffset, false)
	h.Padding, h.PaddingSize = true, maxPadding
	_, _ = d.writeRTP(h, nil)
}

// originalVP8 maps a compacted number of epoch e, from a NACK, to the
// input sequence number and the PictureID shift it was sent with. ok is
// false when the epoch's renumbering is no longer known.
func (d *downTrack) originalVP8(e epoch, c uint16) (in, picDrop uint16, ok bool) {
	if !e.thinned {
		return c, 0, true
	}
	t := d.thin.Load()
	if t == nil || t.gen != e.gen {
		return 0, 0, false // an earlier layer's renumbering: gone
	}
	if int16(c-t.since) < 0 {
		return c, 0, true // before anything was left out
	}
	return t.lookup(c)
}
