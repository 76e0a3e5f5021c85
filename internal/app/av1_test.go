package app_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/roomsdev/rooms/client"
)

// TestAV1SimulcastLayerSwitch: AV1 simulcast is forwarded like VP8's:
// the layer follows the tile, switching only at keyframes (found by the
// aggregation header's N bit), as one continuous stream.
func TestAV1SimulcastLayerSwitch(t *testing.T) {
	s := startServer(t, 50)
	pub, room, _ := hostPublishesVideo(t, s, client.NewAV1SimulcastSynthetic)
	log := &videoLog{from: pub.Self.ID}
	viewer := joinWith(t, s, room.Token, "Viewer", client.JoinOptions{OnPacket: log.add})

	waitLayer := func(layer int) {
		t.Helper()
		eventually(t, 15*time.Second, fmt.Sprintf("AV1 layer %d", layer), func() bool {
			pkts := log.snapshot()
			for i := len(pkts) - 1; i >= 0; i-- {
				if !pkts[i].Padding {
					return pkts[i].SyntheticLayer == layer && len(pkts)-i < 5
				}
			}
			return false
		})
		n := len(log.snapshot())
		eventually(t, 5*time.Second, "video to keep flowing", func() bool { return len(log.snapshot()) > n+10 })
	}
	waitLayer(2) // one video, nothing said: the highest
	for _, h := range []int{180, 720, 360} {
		if err := viewer.SetTrackSettings(client.TrackSetting{Participant: pub.Self.ID, Visible: true, Width: h * 16 / 9, Height: h}); err != nil {
			t.Fatal(err)
		}
		waitLayer(map[int]int{180: 0, 360: 1, 720: 2}[h])
	}
	pkts := log.snapshot()
	if switches := checkContinuous(t, pkts); switches < 3 {
		t.Fatalf("%d layer switches seen, want at least 3", switches)
	}
	if k := viewer.Received(pub.Self.ID).Keyframes.Load(); k < 4 {
		t.Fatalf("%d keyframes seen, want one per switch", k)
	}
}
