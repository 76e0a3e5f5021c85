package load

import (
	"math"
	"sort"
	"sync"
	"time"

	"github.com/roomsdev/rooms/client"
)

// stream is what one bot received from one publisher's track: counts, loss
// from sequence numbers, and interarrival jitter (RFC 3550 §6.4.1).
type stream struct {
	packets, bytes int64
	maxExt         int64 // highest extended sequence number seen
	firstExt       int64
	cycles         int64
	lastSeq        uint16
	started        bool

	transit  float64 // last relative transit time, in RTP units
	jitter   float64 // RFC 3550 estimate, in RTP units
	clock    uint32
	haveLast bool
}

func (s *stream) add(p client.Packet) {
	s.packets++
	s.bytes += int64(p.Size)
	if !s.started {
		s.started = true
		s.lastSeq = p.Seq
		s.firstExt = int64(p.Seq)
		s.maxExt = int64(p.Seq)
	} else {
		// RFC 3550 A.1: a sequence number that wraps starts a new cycle.
		if p.Seq < s.lastSeq && s.lastSeq-p.Seq > 0x8000 {
			s.cycles += 1 << 16
		}
		if ext := s.cycles + int64(p.Seq); ext > s.maxExt {
			s.maxExt = ext
		}
		s.lastSeq = p.Seq
	}
	if p.ClockRate == 0 {
		return
	}
	s.clock = p.ClockRate
	arrival := float64(p.At.UnixNano()) * float64(p.ClockRate) / 1e9
	transit := arrival - float64(p.Timestamp)
	if s.haveLast {
		d := math.Abs(transit - s.transit)
		// Transit differences above a second are a stream restart, not
		// jitter.
		if d < float64(p.ClockRate) {
			s.jitter += (d - s.jitter) / 16
		}
	}
	s.transit, s.haveLast = transit, true
}

func (s *stream) expected() int64 { return s.maxExt - s.firstExt + 1 }

func (s *stream) jitterMs() float64 {
	if s.clock == 0 {
		return 0
	}
	return s.jitter / float64(s.clock) * 1000
}

// bot records what one bot received, stream by stream.
type bot struct {
	mu        sync.Mutex
	joinStart time.Time
	streams   map[streamKey]*stream
	firstKey  map[string]time.Time // publisher → first keyframe from it
}

type streamKey struct {
	from string
	ssrc uint32
}

func newBot() *bot {
	return &bot{streams: make(map[streamKey]*stream), firstKey: make(map[string]time.Time)}
}

func (b *bot) onPacket(p client.Packet) {
	b.mu.Lock()
	defer b.mu.Unlock()
	k := streamKey{p.From, p.SSRC}
	s := b.streams[k]
	if s == nil {
		s = &stream{}
		b.streams[k] = s
	}
	s.add(p)
	if p.Keyframe {
		if _, ok := b.firstKey[p.From]; !ok {
			b.firstKey[p.From] = p.At
		}
	}
}

// totals sums a bot's streams.
type totals struct {
	packets, bytes, expected int64
	jitterSum                float64
	jitterN                  int
	firstKeys                []time.Duration
	// publishedAt is when each publisher (by participant id) had joined.
	publishedAt map[string]time.Time
}

func (b *bot) snapshot(t *totals) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, s := range b.streams {
		t.packets += s.packets
		t.bytes += s.bytes
		t.expected += s.expected()
		t.jitterSum += s.jitterMs()
		t.jitterN++
	}
	for from, at := range b.firstKey {
		// From whichever came last, this bot's join or the publisher's:
		// a publisher who joins later cannot be seen sooner.
		start := b.joinStart
		if p, ok := t.publishedAt[from]; ok && p.After(start) {
			start = p
		}
		t.firstKeys = append(t.firstKeys, at.Sub(start))
	}
}

// percentile returns the p-th percentile (0–100) of ds, in milliseconds.
func percentile(ds []time.Duration, p float64) float64 {
	if len(ds) == 0 {
		return 0
	}
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	i := int(math.Ceil(p/100*float64(len(s)))) - 1
	if i < 0 {
		i = 0
	}
	return float64(s[i].Microseconds()) / 1000
}
