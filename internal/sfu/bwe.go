package sfu

import (
	"math"
	"sync"
	"time"
)

// rembTimeout is how long a receiver's estimate (REMB) stays valid
// without a fresh one: browsers send one about every second.
const rembTimeout = 5 * time.Second

// estimator is one subscriber's available downlink bandwidth, from what the
// subscriber reports: its own estimate (REMB, RFC draft-alvestrand-rmcat-
// remb, which browsers compute when transport-cc is not negotiated), and
// the loss in its receiver reports, with the classic loss-based rule
// (RFC 8698 §5, as in libwebrtc's send-side controller): above 10% loss cut
// to the rate actually sent times (1 - loss/2), below 2% grow by 8% a
// second. With no feedback at all the budget is unlimited.
type estimator struct {
	mu       sync.Mutex
	remb     float64 // bits per second; 0 when none
	rembAt   time.Time
	lossCap  float64 // bits per second; 0 when loss imposes no limit
	lossSum  float64 // weighted loss fractions since the last update
	lossW    float64
	lastLoss time.Time
}

func (e *estimator) onREMB(bps float64, now time.Time) {
	e.mu.Lock()
	e.remb, e.rembAt = bps, now
	e.mu.Unlock()
}

// onLoss records one report's loss fraction for a stream of weight bps.
func (e *estimator) onLoss(fraction, weight float64) {
	if weight <= 0 {
		weight = 1
	}
	e.mu.Lock()
	e.lossSum += fraction * weight
	e.lossW += weight
	e.mu.Unlock()
}

// budget returns the bandwidth the subscriber can take, given what it is
// being sent now (bits per second). It folds in the loss reports gathered
// since the last call, at most once a second.
func (e *estimator) budget(sending float64, now time.Time) float64 {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.lossW > 0 && now.Sub(e.lastLoss) >= time.Second {
		loss := e.lossSum / e.lossW
		e.lossSum, e.lossW = 0, 0
		e.lastLoss = now
		switch {
		case loss > 0.10:
			capped := sending * (1 - loss/2)
			if e.lossCap == 0 || capped < e.lossCap {
				e.lossCap = capped
			}
		case loss < 0.02 && e.lossCap > 0:
			e.lossCap *= 1.08
			if e.lossCap > 2*sending+500_000 {
				e.lossCap = 0 // far above what we send: no longer a limit
			}
		}
	}
	b := math.Inf(1)
	if e.remb > 0 && now.Sub(e.rembAt) < rembTimeout {
		b = e.remb
	}
	if e.lossCap > 0 && e.lossCap < b {
		b = e.lossCap
	}
	return b
}
