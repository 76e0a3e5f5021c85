package sfu

import "time"

// A publisher's packet becomes one copy per subscriber, each rewritten and
// encrypted for its subscriber in turn by the reader that got the packet
// (route). The copies leave in batches (udpbatch.go), but not in a single
// one: the first subscribers' copies would then wait for the last one's
// encryption and the kernel's delivery of all of them, about 2.7 µs a copy
// on this machine, so 130 µs for a full room. Sending every fanOutChunk
// copies halves what the average subscriber waits, for one more sendmmsg
// per chunk (a fraction of a microsecond; the per-datagram cost dominates).
const fanOutChunk = 16

// fanOut is one packet on its way to its subscribers: what left, when,
// and whether one of them waits for a keyframe. It lives on the reader's
// stack.
type fanOut struct {
	l       *upLayer
	start   time.Time // when the packet was read
	every   int       // copies per batch: the fan-out split evenly into chunks of at most fanOutChunk
	corked  bool
	timed   bool // one packet in sixteen has its copies timed
	pending int  // copies written since the last send
	sent    int
	bytes   uint64
	wantKey bool
}

// beginFanOut starts writing one packet, read at start, to n subscribers.
func (l *upLayer) beginFanOut(n int, start time.Time, sample *uint32) fanOut {
	f := fanOut{l: l, start: start, corked: n > 1}
	if f.corked {
		chunks := (n + fanOutChunk - 1) / fanOutChunk
		f.every = (n + chunks - 1) / chunks
		l.up.publisher.room.engine.cork()
	}
	// Timing every packet would cost more than it tells; one in sixteen
	// is plenty for a histogram.
	*sample++
	f.timed = *sample&15 == 0
	return f
}

// wrote counts a copy of size bytes handed to the send path, and sends
// the batch when a chunk is complete.
func (f *fanOut) wrote(size int) {
	f.sent++
	f.bytes += uint64(size)
	f.pending++
	if f.corked && f.pending == f.every {
		f.l.up.publisher.room.engine.flush()
		f.sentPending()
	}
}

// sentPending records the time the copies written since the last send
// took from the socket read to leaving.
func (f *fanOut) sentPending() {
	if f.timed && f.pending > 0 {
		lat := f.l.up.publisher.room.engine.stats.latency
		d := time.Since(f.start).Seconds()
		for range f.pending {
			lat.Observe(d)
		}
	}
	f.pending = 0
}

// end sends what is left of the batch, asks for a keyframe if a
// subscriber waits for one, and counts what went out.
func (f *fanOut) end() {
	room := f.l.up.publisher.room
	if f.corked {
		room.engine.uncork()
	}
	f.sentPending()
	if f.wantKey {
		f.l.requestKeyframe()
	}
	if f.sent > 0 {
		st := room.engine.stats
		room.forwardedBytes.Add(f.bytes)
		st.forwarded(uint64(f.sent), f.bytes)
		if f.timed {
			st.fanOut.Observe(time.Since(f.start).Seconds())
		}
	}
}
