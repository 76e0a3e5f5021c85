package sfu

import (
	"sync"
	"time"
)

// Probing. A browser's receive-side estimate (REMB) grows only while it
// receives more: it never exceeds about 1.5 times what arrives. A
// subscriber held at a low layer by its estimate (after a dip, or after
// its tile was small for a while) would stay there for good, since the
// higher layer is never sent and so never measured. So, as mediasoup and
// LiveKit do, the SFU probes: it sends padding-only packets, between the
// frames of the held-back track, at the rate the next layer would add and
// at least what is sent already. If the link takes it, the estimate
// climbs until the allocator's ordinary rule moves the tile up, and the
// probe ends; if the estimate stops rising or packets are lost, the probe
// ends and the next waits longer (backing off up to maxProbeBackoff), so a
// link that is truly full is not kept full with padding.
const (
	minProbeRate    = 200_000   // bits per second
	maxProbeRate    = 2_500_000 // bits per second
	probeStall      = 3 * time.Second
	maxProbeTime    = 30 * time.Second
	minProbeBackoff = 2 * time.Second
	maxProbeBackoff = 30 * time.Second
	// paddingPacketBytes is one padding packet's RTP size (header and
	// padding), what the probe rate counts.
	paddingPacketBytes = 12 + maxPadding
	// maxPaddingBurst bounds the padding packets sent between two frames.
	maxPaddingBurst = 40
)

// prober is one subscriber's probe. The allocator starts, steers and ends
// it (update); the room ticker sends its padding (tick).
type prober struct {
	mu       sync.Mutex
	track    *downTrack // padding goes between this track's frames; nil: not probing
	rate     float64    // bits per second of padding
	owed     float64    // bytes due and not yet sent
	start    time.Time
	lastRise time.Time // when the estimate last grew by 2% or more
	best     float64   // the highest estimate seen during this probe
	nextAt   time.Time // no new probe before then
	backoff  time.Duration
	lastTick time.Time
}

// update is the allocator's word after each allocation: held is the
// highest-priority track kept below its wish by the budget (nil if none),
// extra what its next layer would add and sending what the subscriber
// receives now (bits per second), remb the
// subscriber's current estimate (0 when none), lossy whether it reports
// loss. It returns whether a probe runs.
func (pr *prober) update(now time.Time, held *downTrack, extra, sending, remb float64, lossy bool) bool {
	pr.mu.Lock()
	defer pr.mu.Unlock()
	if pr.backoff == 0 {
		pr.backoff = minProbeBackoff
	}
	probing := pr.track != nil
	switch {
	case held == nil:
		// Nothing held back: the probe worked, or the wish shrank.
		if probing {
			pr.stop(now, true)
		}
		return false
	case lossy || remb <= 0:
		// Loss, not the estimate, holds the track back: padding would
		// only add to it.
		if probing {
			pr.stop(now, false)
		}
		return false
	case !probing:
		if now.Before(pr.nextAt) {
			return false
		}
		pr.start, pr.lastRise, pr.best, pr.owed = now, now, remb, 0
	case remb >= pr.best*1.02:
		pr.best, pr.lastRise = remb, now
	case now.Sub(pr.lastRise) > probeStall || now.Sub(pr.start) > maxProbeTime:
		pr.stop(now, false)
		return false
	}
	pr.track = held
	// At least double what is sent: a browser's estimator climbs quickly
	// (8% a second) only once what arrives exceeds the capacity it last
	// measured, and slowly (a packet per round trip) below it.
	pr.rate = min(max(extra, sending, minProbeRate), maxProbeRate)
	return true
}

// stop ends a probe; pr.mu is held. A probe that did not lift the
// estimate makes the next one wait twice as long.
func (pr *prober) stop(now time.Time, worked bool) {
	pr.track, pr.rate, pr.owed = nil, 0, 0
	if worked {
		pr.backoff = minProbeBackoff
		pr.nextAt = now
		return
	}
	pr.nextAt = now.Add(pr.backoff)
	pr.backoff = min(2*pr.backoff, maxProbeBackoff)
}

// tick sends the padding due since the last tick, and returns the bytes
// sent. Run by the room ticker.
func (pr *prober) tick(now time.Time) int {
	pr.mu.Lock()
	d, rate := pr.track, pr.rate
	dt := now.Sub(pr.lastTick).Seconds()
	pr.lastTick = now
	if d == nil {
		pr.mu.Unlock()
		return 0
	}
	// Owe at most two ticks' worth: a track that was not between frames
	// for a while does not get a burst to make up for it.
	pr.owed = min(pr.owed+rate/8*min(dt, 2*tickInterval.Seconds()), rate/8*2*tickInterval.Seconds())
	n := min(int(pr.owed/paddingPacketBytes), maxPaddingBurst)
	pr.mu.Unlock()
	e := d.sub.room.engine
	e.cork()
	sent := d.pad(n)
	e.uncork()
	if sent > 0 {
		pr.mu.Lock()
		pr.owed -= float64(sent * paddingPacketBytes)
		pr.mu.Unlock()
	}
	return sent * paddingPacketBytes
}
