package sfu

import "sync/atomic"

// compactMapSize is how many recent packets a compactor remembers the
// renumbering of, for NACKs: about two seconds of a 720p stream.
const compactMapSize = 512

// allTemporal takes every temporal layer.
const allTemporal = 7

// Where an input packet stands in a compactor's renumbering.
const (
	entryUnseen   uint8 = iota
	entrySent           // forwarded under its number
	entryDropped        // a layer this subscriber does not take
	entryReserved       // never arrived: its number waits for it (a gap the subscriber sees, and NACKs)
)

type compactEntry struct {
	in, c   uint16
	picDrop uint16 // VP8: how far its PictureID was lowered (temporal.go)
	state   uint8
}

// compactor is one subscriber's renumbering of a stream some of whose
// packets it leaves out: the spatial and temporal layers above what it
// takes of an SVC stream (svc.go), the temporal layers of a thinned VP8
// stream (temporal.go). Packets left out are left out of a "compacted"
// numbering (input minus the packets dropped so far), which the down
// track's rewriter then treats like any gapless source: padding, pauses
// and NACK lookups work as for simulcast. byIn and byC map between the
// two numberings, so that a NACK finds the cached packet, and a packet
// that arrives late (a publisher's retransmission) finds the number kept
// for it. Guarded by the down track's mu, but for maxTemporal.
type compactor struct {
	started  bool
	highest  uint16 // newest input sequence number seen
	dropped  uint16 // packets left out so far
	temporal int32  // the temporal layer forwarded
	// maxTemporal is the highest temporal layer wanted (allTemporal
	// for all); set by the allocator, read without d.mu.
	maxTemporal atomic.Int32

	// VP8 (temporal.go): the rewriter generation this renumbering is of,
	// the first number it gave, and the pictures left out.
	gen          uint16
	since        uint16
	picsDropped  uint16
	lastDropPic  uint16
	picDropValid bool

	byIn [compactMapSize]compactEntry
	byC  [compactMapSize]compactEntry
}

func newCompactor() *compactor {
	s := &compactor{temporal: allTemporal}
	s.maxTemporal.Store(allTemporal)
	return s
}

// restart begins a renumbering at input packet in, of rewriter
// generation gen: nothing left out yet.
func (s *compactor) restart(in, gen uint16) {
	s.started, s.highest = true, in-1
	s.dropped, s.picsDropped, s.picDropValid = 0, 0, false
	s.gen, s.since = gen, in
	s.temporal = allTemporal
}

// reserveGap keeps the numbers of packets never seen between the newest
// and in, so that the subscriber sees the loss and asks for them.
func (s *compactor) reserveGap(in uint16) {
	if !s.started {
		return
	}
	gap := in - s.highest - 1
	for x := in - min(gap, compactMapSize); x != in; x++ {
		s.note(x, x-s.dropped, s.picsDropped, entryReserved)
	}
}

// note records input packet in as state, numbered c.
func (s *compactor) note(in, c, picDrop uint16, state uint8) {
	e := compactEntry{in: in, c: c, picDrop: picDrop, state: state}
	s.byIn[in%compactMapSize] = e
	if state != entryDropped {
		s.byC[c%compactMapSize] = e
	}
}

// original maps a compacted number (from a NACK) back to the input
// sequence number, the one the packet cache holds it under.
func (s *compactor) original(c uint16) (uint16, bool) {
	in, _, ok := s.lookup(c)
	return in, ok
}

// lookup is original with the PictureID shift the packet was sent with.
func (s *compactor) lookup(c uint16) (in, picDrop uint16, ok bool) {
	e := s.byC[c%compactMapSize]
	if e.state == entryUnseen || e.c != c {
		return 0, 0, false
	}
	return e.in, e.picDrop, true
}
