package client

import (
	"testing"
	"time"
)

// The bottleneck passes its rate and drops the rest once its queue is
// full; below its rate it drops nothing.
func TestDownlinkBottleneck(t *testing.T) {
	var imp Impairment
	imp.SetDownlink(1_000_000, 100*time.Millisecond)
	now := time.Unix(0, 0)
	passed := func(bps int, d time.Duration) (bits int) {
		const size = 1250 // 10,000 bits
		gap := time.Duration(float64(size*8) / float64(bps) * float64(time.Second))
		for end := now.Add(d); now.Before(end); now = now.Add(gap) {
			if !imp.overflows(size, now) {
				bits += size * 8
			}
		}
		return bits
	}
	if got := passed(800_000, 2*time.Second); got != 1_600_000 {
		t.Fatalf("800 kbit/s into 1 Mbit/s: %d bits passed in 2 s, want all 1,600,000", got)
	}
	// Twice the rate for 2 s: the rate, plus the queue's worth once.
	if got := passed(2_000_000, 2*time.Second); got < 2_000_000 || got > 2_000_000+100_000+10_000 {
		t.Fatalf("2 Mbit/s into 1 Mbit/s: %d bits passed in 2 s, want 2,000,000 and the 100 ms queue", got)
	}
	imp.SetDownlink(0, 0)
	if got := passed(5_000_000, time.Second); got != 5_000_000 {
		t.Fatalf("no bottleneck: %d of 5,000,000 bits passed", got)
	}
}
