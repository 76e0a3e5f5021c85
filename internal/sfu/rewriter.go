package sfu

import "github.com/pion/rtp"

// maxEpochs is how many past splices and padding runs a rewriter
// remembers, to map a subscriber's NACK back to the packet it names. A
// probe adds two epochs every 100 ms, so this keeps well over a second.
const maxEpochs = 32

// paddingLayer marks an epoch of padding packets: nothing to retransmit.
const paddingLayer = -1

// epoch is a stretch of one down track's output taken from one source
// layer with one set of offsets. A new epoch starts at every layer switch
// and after every pause.
type epoch struct {
	layer     int
	outStart  uint16 // first output sequence number of the epoch
	seqOffset uint16 // output = input + seqOffset
	tsOffset  uint32
	picOffset uint16
	tl0Offset uint8
	// gen counts the rewriter's splices: the epochs of one splice, and
	// the padding runs within it, share it. thinned says a compactor
	// renumbered the input during it (temporal.go).
	gen     uint16
	thinned bool
}

// rewriter turns packets from several source streams (simulcast layers,
// or one stream with pauses) into one continuous output stream: sequence
// numbers without gaps or repeats other than the source's own losses,
// timestamps that keep advancing across switches, and, for VP8, PictureID
// and TL0PICIDX that continue where the previous layer stopped, so the
// subscriber's jitter buffer and decoder never see a discontinuity.
//
// It is not safe for concurrent use; its down track serialises calls.
type rewriter struct {
	clockRate uint32
	vp8       bool

	started bool
	cur     epoch
	inStart uint16 // first input sequence number of the current epoch

	lastSeq uint16 // newest output sequence number
	lastTS  uint32 // its timestamp
	lastAt  int64  // when it was sent, unix nanoseconds
	lastPic uint16 // its PictureID
	lastTL0 uint8  // its TL0PICIDX
	lastEnd bool   // it ended a frame (marker bit): padding may follow

	gen    uint16 // splices so far
	epochs [maxEpochs]epoch
	next   int // where the next epoch goes in epochs
	count  int // epochs recorded, up to maxEpochs
}

func newRewriter(clockRate uint32, vp8 bool) rewriter {
	if clockRate == 0 {
		clockRate = 90000
	}
	return rewriter{clockRate: clockRate, vp8: vp8}
}

// splice starts a new epoch at h, the first packet taken from layer (for
// video, the start of a keyframe). The first epoch keeps the source's own
// numbering, so a subscriber that never switches needs no payload copies.
func (r *rewriter) splice(layer int, h *rtp.Header, payload []byte, now int64) {
	r.gen++
	e := epoch{layer: layer, gen: r.gen}
	var pic uint16
	var tl0 uint8
	var desc vp8Descriptor
	haveDesc := false
	if r.vp8 {
		desc, haveDesc = parseVP8(payload)
		if haveDesc {
			pic, tl0 = desc.pictureID(payload), desc.tl0PicIdx(payload)
		}
	}
	if r.started {
		e.outStart = r.lastSeq + 1
		e.seqOffset = e.outStart - h.SequenceNumber
		// The gap in wall-clock time since the last packet becomes the gap
		// in media time, so playout continues at the right pace.
		delta := uint32(1)
		if now > r.lastAt {
			if d := uint64(now-r.lastAt) * uint64(r.clockRate) / 1e9; d > 1 {
				delta = uint32(d)
			}
		}
		e.tsOffset = r.lastTS + delta - h.Timestamp
		if haveDesc {
			mask := uint16(0x7fff)
			if !desc.picWide {
				mask = 0x7f
			}
			e.picOffset = (r.lastPic + 1 - pic) & mask
			e.tl0Offset = r.lastTL0 + 1 - tl0
		}
	} else {
		e.outStart = h.SequenceNumber
	}
	r.started = true
	r.cur = e
	r.inStart = h.SequenceNumber
	r.record(e)
}

func (r *rewriter) record(e epoch) {
	r.epochs[r.next] = e
	r.next = (r.next + 1) % maxEpochs
	if r.count < maxEpochs {
		r.count++
	}
}

// canPad reports whether padding packets may go out now: something has
// been sent and the last packet ended a frame, so padding never splits a
// frame's run of sequence numbers (which would leave it incomplete).
func (r *rewriter) canPad() bool { return r.started && r.lastEnd }

// pad takes n output sequence numbers for padding packets, which carry the
// last frame's timestamp, and shifts the current epoch past them: the
// source's next packet follows the padding without a gap. It returns the
// first of the n numbers and the timestamp.
func (r *rewriter) pad(n int) (first uint16, ts uint32) {
	first = r.lastSeq + 1
	r.record(epoch{layer: paddingLayer, outStart: first, gen: r.gen})
	r.lastSeq += uint16(n)
	e := r.cur
	e.outStart = r.lastSeq + 1
	e.seqOffset += uint16(n)
	r.inStart = r.lastSeq - r.cur.seqOffset - uint16(n) + 1 // the source's next packet
	r.cur = e
	r.record(e)
	return first, r.lastTS
}

// markThinned records that the current generation's input is renumbered
// by a compactor from now on: its NACKs need the compactor's map.
func (r *rewriter) markThinned() {
	r.cur.thinned = true
	for i := 0; i < r.count; i++ {
		if r.epochs[i].gen == r.gen {
			r.epochs[i].thinned = true
		}
	}
}

// rewrite maps a packet of the current epoch to its output sequence number
// and timestamp, and records it as sent; picDrop is how far a compactor
// lowered its VP8 PictureID besides. ok is false for a packet from before
// the epoch began (a late packet of the old layer): drop it.
func (r *rewriter) rewrite(h *rtp.Header, payload []byte, now int64, picDrop uint16) (seq uint16, ts uint32, ok bool) {
	if !r.started || int16(h.SequenceNumber-r.inStart) < 0 {
		return 0, 0, false
	}
	seq = h.SequenceNumber + r.cur.seqOffset
	ts = h.Timestamp + r.cur.tsOffset
	if int16(seq-r.lastSeq) > 0 || seq == r.cur.outStart {
		r.lastSeq, r.lastTS, r.lastAt, r.lastEnd = seq, ts, now, h.Marker
		if r.vp8 {
			if d, ok := parseVP8(payload); ok {
				r.lastPic = d.pictureID(payload) + r.cur.picOffset - picDrop
				r.lastTL0 = d.tl0PicIdx(payload) + r.cur.tl0Offset
			}
		}
	}
	return seq, ts, true
}

// needsPayloadRewrite reports whether packets of the current epoch need
// their VP8 descriptor changed (and so a private copy of the payload).
func (r *rewriter) needsPayloadRewrite() bool {
	return r.vp8 && (r.cur.picOffset != 0 || r.cur.tl0Offset != 0)
}

// rewritePayload applies an epoch's VP8 offsets to a private copy of a
// payload.
func rewritePayload(e *epoch, p []byte) {
	d, ok := parseVP8(p)
	if !ok {
		return
	}
	if d.picOffset >= 0 {
		d.setPictureID(p, d.pictureID(p)+e.picOffset)
	}
	if d.tl0Offset >= 0 {
		p[d.tl0Offset] += e.tl0Offset
	}
}

// lookup finds where an output sequence number came from, for answering a
// NACK: the epoch, and the input sequence number in its layer.
func (r *rewriter) lookup(out uint16) (e epoch, in uint16, ok bool) {
	if !r.started || int16(r.lastSeq-out) < 0 {
		return epoch{}, 0, false
	}
	for i := 1; i <= r.count; i++ {
		c := r.epochs[(r.next-i+maxEpochs)%maxEpochs]
		if int16(out-c.outStart) >= 0 {
			if c.layer == paddingLayer {
				return epoch{}, 0, false
			}
			return c, out - c.seqOffset, true
		}
	}
	return epoch{}, 0, false
}
