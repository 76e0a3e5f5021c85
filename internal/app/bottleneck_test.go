package app_test

import (
	"testing"
	"time"

	"github.com/roomsdev/rooms/client"
)

// TestBottleneckedViewerGetsALowerLayer: a viewer's downlink becomes a
// real bottleneck (client.Impairment.SetDownlink: 400 kbit/s with a
// 100 ms queue, tail drop), far below the publisher's 720p layer of
// about 1.5 Mbit/s. The viewer sends no estimate of its own (the SDK has
// no receive-side estimator), so what moves the server is the loss in
// its receiver reports: it must end up sending a lower layer, and go
// back up once the bottleneck is gone.
func TestBottleneckedViewerGetsALowerLayer(t *testing.T) {
	s := startServer(t, 50)
	host, room := newHost(t, s)
	pub := hostPublishes(t, host, room, simulcast(t))
	imp := &client.Impairment{}
	viewer := joinWith(t, s, room.Token, "Viewer", client.JoinOptions{Impair: imp})
	waitHeight(t, viewer, pub.Self.ID, 720, 15*time.Second)
	r := viewer.Received(pub.Self.ID)

	imp.SetDownlink(400_000, 100*time.Millisecond)
	start := time.Now()
	eventually(t, 15*time.Second, "a layer below 720p through the bottleneck", func() bool {
		return r.Height.Load() < 720
	})
	t.Logf("down to %dp %v after the bottleneck", r.Height.Load(), time.Since(start).Round(100*time.Millisecond))
	v0 := r.VideoPackets.Load()
	eventually(t, 5*time.Second, "video to keep flowing through the bottleneck", func() bool {
		return r.VideoPackets.Load() > v0+10
	})

	// Loss alone lifts the limit slowly: 8% a second while reports are
	// clean, as libwebrtc's loss-based controller does (about 25 s from
	// 180p's rate to 720p here).
	imp.SetDownlink(0, 0)
	start = time.Now()
	waitHeight(t, viewer, pub.Self.ID, 720, 45*time.Second)
	t.Logf("back to 720p %v after the bottleneck went", time.Since(start).Round(100*time.Millisecond))
}
