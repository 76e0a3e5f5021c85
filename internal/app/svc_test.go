package app_test

import (
	"testing"
	"time"

	"github.com/roomsdev/rooms/client"
	"github.com/roomsdev/rooms/internal/app"
)

// TestVP9SVCLayerFollowsTile: a publisher sends one VP9 stream with three
// spatial layers (K-SVC); a viewer with a small tile gets spatial layer 0
// only, renumbered without gaps and with the marker on each picture's
// last packet; the publisher is told to encode one layer; a large tile
// brings layer 2 back after a keyframe.
func TestVP9SVCLayerFollowsTile(t *testing.T) {
	svcLayerFollowsTile(t, "vp9", client.NewSVCSynthetic)
}

// TestAV1SVCLayerFollowsTile is the same with AV1, whose layers the
// dependency descriptor header extension tells: the viewer's packets
// carry it, so their layers are known here too.
func TestAV1SVCLayerFollowsTile(t *testing.T) {
	svcLayerFollowsTile(t, "av1", client.NewAV1SVCSynthetic)
}

func svcLayerFollowsTile(t *testing.T, codec string, newSource func(string) (*client.Synthetic, error)) {
	s := startServer(t, 50, func(c *app.Config) { c.Media.VideoCodec = codec })
	pub, room, src := hostPublishesVideo(t, s, newSource)
	if pub.VideoCodec != codec {
		t.Fatalf("joined.videoCodec %q, want the server's %s", pub.VideoCodec, codec)
	}
	// The stream is never paused while someone watches it, whatever layer.
	paused := make(chan []string, 1)
	go func() {
		for e := range pub.Events() {
			if e.Type == "publishLayers" && len(e.Layers) == 0 {
				select {
				case paused <- e.Layers:
				default:
				}
			}
		}
	}()
	log := &videoLog{from: pub.Self.ID}
	viewer := joinWith(t, s, room.Token, "Viewer", client.JoinOptions{OnPacket: log.add})
	tile := func(h int) {
		t.Helper()
		if err := viewer.SetTrackSettings(client.TrackSetting{Participant: pub.Self.ID, Visible: true, Width: h * 16 / 9, Height: h}); err != nil {
			t.Fatal(err)
		}
	}

	tile(180)
	waitHeight(t, viewer, pub.Self.ID, 180, 15*time.Second)
	small := len(log.snapshot())
	eventually(t, 10*time.Second, "the publisher to be told to send one spatial layer", func() bool { return src.SpatialLayers() == 1 })
	time.Sleep(time.Second)
	for i, p := range log.snapshot()[small:] {
		if !p.Padding && p.SpatialLayer != 0 { // -1: no descriptor
			t.Fatalf("packet %d after settling on 180p: spatial layer %d", small+i, p.SpatialLayer)
		}
	}

	tile(720)
	eventually(t, 10*time.Second, "the publisher to send three spatial layers again", func() bool { return src.SpatialLayers() == 3 })
	waitHeight(t, viewer, pub.Self.ID, 720, 15*time.Second)
	pkts := log.snapshot()
	var got [3]int
	firstUp := -1
	for i, p := range pkts[small:] {
		if p.SpatialLayer >= 0 && p.SpatialLayer < 3 {
			got[p.SpatialLayer]++
		}
		if p.SpatialLayer > 0 && firstUp < 0 {
			firstUp = small + i
		}
	}
	if got[1] == 0 || got[2] == 0 {
		t.Fatalf("after the large tile: packets by spatial layer %v", got)
	}
	// The first packet above layer 0 belongs to a keyframe.
	keyTS, found := uint32(0), false
	for _, p := range pkts[:firstUp] {
		if p.Keyframe {
			keyTS, found = p.Timestamp, true
		}
	}
	if !found || keyTS != pkts[firstUp].Timestamp {
		t.Fatalf("the switch up (packet %d, timestamp %d) is not at a keyframe (last keyframe timestamp %d)", firstUp, pkts[firstUp].Timestamp, keyTS)
	}
	checkPictures(t, pkts)
	r := viewer.Received(pub.Self.ID)

	// Long after anyone took layer 0 alone, the stream still flows: the
	// layer-2 subscriber takes it too.
	time.Sleep(4 * time.Second)
	v0 := r.VideoPackets.Load()
	eventually(t, 3*time.Second, "video to keep flowing at 720p", func() bool { return r.VideoPackets.Load() > v0+30 && r.Height.Load() == 720 })
	select {
	case <-paused:
		t.Fatal("the publisher was told to pause a track someone watches")
	default:
	}
	t.Logf("%d packets; by spatial layer %d/%d/%d", len(pkts), r.SpatialPackets[0].Load(), r.SpatialPackets[1].Load(), r.SpatialPackets[2].Load())
}

// checkPictures checks an SVC subscriber's stream: one SSRC, sequence
// numbers without gaps or repeats, timestamps that never go back, a
// keyframe first, and the marker on the last packet of each picture (the
// last before the timestamp changes) and on no other.
func checkPictures(t *testing.T, pkts []client.Packet) {
	t.Helper()
	if len(pkts) == 0 {
		t.Fatal("no video received")
	}
	if !pkts[0].Keyframe {
		t.Fatal("the first packet is not a keyframe")
	}
	last := -1 // the last media packet (not padding)
	for i, p := range pkts {
		if i > 0 {
			checkStep(t, i, pkts[i-1], p)
		}
		if p.Padding {
			continue
		}
		if last >= 0 {
			m := pkts[last]
			if ends := p.Timestamp != m.Timestamp; m.Marker != ends {
				t.Fatalf("packet %d (spatial layer %d): marker %v, but the next picture starts: %v", last, m.SpatialLayer, m.Marker, ends)
			}
		}
		last = i
	}
}

// TestVP9SVCLossIsRepaired: a viewer of spatial layers 0 and 1, on a
// link losing 5%, gets its losses back: NACKs for the renumbered stream
// find the right packets (never of layer 2) in the publisher's cache.
func TestVP9SVCLossIsRepaired(t *testing.T) {
	svcLossIsRepaired(t, client.NewSVCSynthetic)
}

// TestAV1SVCLossIsRepaired is the same with AV1: the retransmissions
// carry their dependency descriptors too.
func TestAV1SVCLossIsRepaired(t *testing.T) {
	svcLossIsRepaired(t, client.NewAV1SVCSynthetic)
}

func svcLossIsRepaired(t *testing.T, newSource func(string) (*client.Synthetic, error)) {
	s := startServer(t, 50)
	pub, room, _ := hostPublishesVideo(t, s, newSource)
	imp := &client.Impairment{}
	log := &videoLog{from: pub.Self.ID}
	viewer := joinWith(t, s, room.Token, "Viewer", client.JoinOptions{Impair: imp, OnPacket: log.add})
	if err := viewer.SetTrackSettings(client.TrackSetting{Participant: pub.Self.ID, Visible: true, Width: 640, Height: 360}); err != nil {
		t.Fatal(err)
	}
	waitHeight(t, viewer, pub.Self.ID, 360, 15*time.Second)
	from := len(log.snapshot())
	imp.SetLoss(0.05)
	time.Sleep(5 * time.Second)
	imp.SetLoss(0)
	time.Sleep(time.Second) // the last repairs

	seen := map[uint16]bool{}
	pkts := log.snapshot()[from:]
	lo, hi := pkts[0].Seq, pkts[0].Seq
	for i, p := range pkts {
		if !p.Padding && (p.SpatialLayer > 1 || p.SpatialLayer < 0) {
			t.Fatalf("packet %d (sequence %d): spatial layer %d, to a viewer of layer 1", from+i, p.Seq, p.SpatialLayer)
		}
		seen[p.Seq] = true
		if int16(p.Seq-lo) < 0 {
			lo = p.Seq
		}
		if int16(p.Seq-hi) > 0 {
			hi = p.Seq
		}
	}
	want := int(hi-lo) + 1
	missing := float64(want-len(seen)) / float64(want)
	if viewer.NACKsSent() == 0 {
		t.Fatal("no NACKs sent on a link losing 5%")
	}
	if missing > 0.01 {
		t.Fatalf("%d of %d packets never arrived (%.1f%%): the losses were not repaired", want-len(seen), want, 100*missing)
	}
	t.Logf("%d packets, %d missing after repair, %d NACKs sent", want, want-len(seen), viewer.NACKsSent())
}
