package sfu

import (
	"time"
	"unsafe"

	"github.com/roomsdev/rooms/internal/prefetch"
	"github.com/roomsdev/rooms/internal/srtpgcm"
)

// A publisher's packet becomes one copy per subscriber, each rewritten and
// encrypted for its subscriber in turn by the reader that got the packet
// (route). The copies leave in batches (udpbatch.go), but not in a single
// one: the first subscribers' copies would then wait for the last one's
// encryption and the kernel's delivery of all of them, about 2.7 µs a copy
// on this machine, so 130 µs for a full room. Sending every fanOutChunk
// copies has the median subscriber's copy leave a quarter to a third
// sooner (BENCHMARKS.md), for one more sendmmsg per chunk (a fraction of
// a microsecond; the per-datagram cost dominates).
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
// took from the packet's arrival (or pion's hand-over) to leaving.
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

// What a copy touches, by the time it is made, has usually left the
// caches: the kernel's sends in between evict it. The first touch of each
// piece of a subscriber's state then waits for memory, and a profile of
// fanout put 5.5 % of the server's time on the first read of a down track
// alone. So the fan-out asks for the memory of later copies ahead, in
// three steps a copy apart, each reading only what the step before made
// ready (a prefetch never waits; reading a pointer not yet loaded would):
//
//   - three copies ahead, the down track's hot fields;
//   - two ahead, its connection's sender, its SRTP stream and its cipher,
//     found from pointers in those fields;
//   - one ahead, the cipher's key schedule and tables, found from the
//     cipher.
var (
	// downTrackHot runs from the start of a down track through the head
	// of its rewriter: the fields every copy touches (down.go keeps them
	// together).
	downTrackHot = unsafe.Offsetof(downTrack{}.rw) + 2*prefetch.Line
	// senderHot is the direct sender's fields from route through the
	// cipher pointers.
	senderHot = unsafe.Offsetof(directSender{}.hdr) - unsafe.Offsetof(directSender{}.route)
)

// warm asks for what the copies after downs[i] will touch, as above.
func warm(downs []*downTrack, i int) {
	n := len(downs)
	if i+3 < n {
		prefetch.Lines(unsafe.Pointer(downs[i+3]), downTrackHot)
	}
	if i+2 < n {
		d := downs[i+2]
		prefetch.Lines(unsafe.Pointer(&d.sub.out.route), senderHot)
		prefetch.Lines(unsafe.Pointer(d.srtp[0].st.Load()), unsafe.Sizeof(srtpgcm.Stream{}))
		prefetch.Lines(unsafe.Pointer(d.srtp[0].warmGCM.Load()), unsafe.Sizeof(srtpgcm.Cipher{}))
	}
	if i+1 < n {
		if c := downs[i+1].srtp[0].warmGCM.Load(); c != nil {
			c.Prefetch()
		}
	}
}
