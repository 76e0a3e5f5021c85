package sfu

import (
	"math"
	"sort"
	"sync"
	"time"
)

// rembTimeout is how long a receiver's estimate (REMB) counts as fresh
// without a new one: browsers send one about every second. A stale
// estimate still limits the budget (see estimator.budget); freshness
// only decides whether probing can be judged by it.
const rembTimeout = 5 * time.Second

// lossFloor is the least the loss-based rule cuts a subscriber to: the
// lowest layer of a few tiles and the audio always fit.
const lossFloor = 300_000

// maxLossSamples bounds the reports kept between two updates.
const maxLossSamples = 64

// estimator is one subscriber's available downlink bandwidth, from what the
// subscriber reports: its own estimate (REMB, draft-alvestrand-rmcat-remb,
// which browsers compute when transport-cc is not negotiated), and the loss
// in its receiver reports, with the classic loss-based rule (as in
// libwebrtc's send-side controller): above 10% loss cut to the rate sent
// times (1 - loss/2), never below lossFloor; below 2% grow by 8% a second.
// The loss is the median over the subscriber's video streams, so one
// publisher's own losses (which the SFU passes on) do not cut everything
// the subscriber receives. With no feedback at all the budget is unlimited;
// once an estimate has come, the latest stands until the next, growing
// slowly once it is stale (see budget).
type estimator struct {
	mu       sync.Mutex
	remb     float64 // bits per second; 0 when none
	rembAt   time.Time
	lossCap  float64 // bits per second; 0 when loss imposes no limit
	losses   []float64
	lastLoss time.Time
	loss     float64 // the median loss at the last update
}

func (e *estimator) onREMB(bps float64, now time.Time) {
	e.mu.Lock()
	e.remb, e.rembAt = bps, now
	e.mu.Unlock()
}

// onLoss records one stream's reported loss fraction.
func (e *estimator) onLoss(fraction, _ float64) {
	e.mu.Lock()
	if len(e.losses) < maxLossSamples {
		e.losses = append(e.losses, fraction)
	}
	e.mu.Unlock()
}

// budget returns the bandwidth the subscriber can take, given what it is
// being sent now (bits per second). It folds in the loss reports gathered
// since the last call, at most once a second.
func (e *estimator) budget(sending float64, now time.Time) float64 {
	e.mu.Lock()
	defer e.mu.Unlock()
	if len(e.losses) > 0 && now.Sub(e.lastLoss) >= time.Second {
		sort.Float64s(e.losses)
		loss := e.losses[len(e.losses)/2]
		e.loss = loss
		e.losses = e.losses[:0]
		e.lastLoss = now
		switch {
		case loss > 0.10:
			base := sending
			if e.lossCap > 0 && e.lossCap < base {
				base = e.lossCap
			}
			e.lossCap = math.Max(lossFloor, base*(1-loss/2))
		case loss < 0.02 && e.lossCap > 0:
			e.lossCap *= 1.08
			if e.lossCap > 2*sending+500_000 {
				e.lossCap = 0 // far above what we send: no longer a limit
			}
		}
	}
	b := math.Inf(1)
	if e.remb > 0 {
		b = e.remb
		if stale := now.Sub(e.rembAt) - rembTimeout; stale > 0 {
			// No news: allow 8% more a second, as the loss rule grows
			// on a clean link. Browsers send REMB only when their
			// estimate moves, and a stale estimate cannot judge a probe,
			// so one that stood for good would hold a viewer on its
			// lowest layer; one that lapsed at once (to unlimited) sent
			// the viewer straight to 720p and back, again and again.
			b *= math.Pow(1.08, stale.Seconds())
			if b > 2*sending+500_000 {
				b = math.Inf(1) // far above what we send: no longer a limit
			}
		}
	}
	if e.lossCap > 0 && e.lossCap < b {
		b = e.lossCap
	}
	return b
}

// signals returns the subscriber's current estimate (0 when none is
// fresh), and whether it reports loss or loss limits its budget: what
// decides whether probing may help (see prober).
func (e *estimator) signals(now time.Time) (remb float64, lossy bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.remb > 0 && now.Sub(e.rembAt) < rembTimeout {
		remb = e.remb
	}
	return remb, e.loss >= 0.02 || e.lossCap > 0
}
