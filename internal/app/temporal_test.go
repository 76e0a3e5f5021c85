package app_test

import (
	"testing"
	"time"

	"github.com/roomsdev/rooms/client"
)

// A subscriber whose downlink cannot take even the lowest simulcast layer
// at full frame rate gets fewer frames of it (the temporal layers above
// the base are left out) instead of a congested stream, and all of them
// again when the downlink recovers. Throughout, what it receives is one
// stream a VP8 decoder takes: sequence numbers without gaps, and a
// PictureID one more at each new frame.
func TestShortDownlinkGetsFewerFrames(t *testing.T) {
	s := startServer(t, 50)
	src := simulcast(t)
	src.TemporalLayers = 3
	pub, viewer, log := publisherAndViewer(t, s, src)
	if top := topTemporal(log.snapshot(), time.Second); top != 2 {
		t.Fatalf("temporal layers up to %d arrive at full bandwidth, want all three", top)
	}

	// 100 kbit/s: less than the 180p layer's 150, more than its base layer.
	viewer.LimitBandwidth(100_000)
	waitHeight(t, viewer, pub.Self.ID, 180, 10*time.Second)
	eventually(t, 10*time.Second, "only the lower temporal layers", func() bool {
		top := topTemporal(log.snapshot(), time.Second)
		return top >= 0 && top < 2
	})
	r := viewer.Received(pub.Self.ID)
	v0 := r.VideoPackets.Load()
	eventually(t, 5*time.Second, "the thinned video to keep flowing", func() bool { return r.VideoPackets.Load() > v0+10 })

	viewer.LimitBandwidth(0)
	eventually(t, 15*time.Second, "every temporal layer again", func() bool {
		return topTemporal(log.snapshot(), time.Second) == 2
	})

	pkts := log.snapshot()
	for i := 1; i < len(pkts); i++ {
		p, q := pkts[i], pkts[i-1]
		if p.Seq != q.Seq+1 {
			t.Fatalf("packet %d: sequence %d after %d", i, p.Seq, q.Seq)
		}
	}
	last, lastTS, frames := -1, uint32(0), 0
	for i, p := range pkts {
		if p.Padding || p.PictureID < 0 {
			continue
		}
		switch {
		case last < 0:
		case p.Timestamp != lastTS && p.PictureID != (last+1)&0x7fff:
			t.Fatalf("packet %d: PictureID %d at a new frame after %d", i, p.PictureID, last)
		case p.Timestamp == lastTS && p.PictureID != last:
			t.Fatalf("packet %d: PictureID %d within the frame of %d", i, p.PictureID, last)
		}
		if p.Timestamp != lastTS {
			frames++
		}
		last, lastTS = p.PictureID, p.Timestamp
	}
	if frames < 40 { // 2 s at 30 frames a second, the rest at 7.5 to 15
		t.Fatalf("%d frames checked, want a few seconds' worth", frames)
	}
}

// topTemporal is the highest temporal layer among the packets of the last
// span, or -1 when none came.
func topTemporal(pkts []client.Packet, span time.Duration) int {
	top := -1
	since := time.Now().Add(-span)
	for _, p := range pkts {
		if p.At.After(since) && !p.Padding {
			top = max(top, p.TemporalLayer)
		}
	}
	return top
}
