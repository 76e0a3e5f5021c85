package sfu

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/pion/rtp"

	"github.com/roomsdev/rooms/internal/vp9"
)

// svcSource makes a VP9 K-SVC stream as Chrome sends it ("L3T3_KEY"):
// each picture carries spatial layers 0 to 2, each in perLayer packets,
// flexible mode, the marker only on the last packet of the picture, and
// keyframes with a scalability structure giving each layer's size.
type svcSource struct {
	seq      uint16
	ts       uint32
	pic      uint16
	perLayer int
	layers   int
}

var svcHeights = [3]uint16{180, 360, 720}

// picture returns the packets of the next picture; tid is its temporal
// layer (0, 2, 1, 2 in L3T3).
func (s *svcSource) picture(key bool, tid uint8) []rtp.Packet {
	s.pic = (s.pic + 1) & 0x7fff
	s.ts += 3000
	var out []rtp.Packet
	for sid := 0; sid < s.layers; sid++ {
		for i := 0; i < s.perLayer; i++ {
			s.seq++
			d := vp9.Descriptor{HasPictureID: true, WidePictureID: true, PictureID: s.pic, HasLayers: true, Flexible: true,
				InterPicture: !key, Begin: i == 0, End: i == s.perLayer-1, TID: tid, SID: uint8(sid), InterLayer: key && sid > 0,
				SwitchingUp: tid > 0, RefDiffs: [3]uint8{1}, RefCount: 1}
			if key && sid == 0 && i == 0 {
				d.HasSS, d.SpatialLayers, d.SizesPresent = true, s.layers, true
				for l := 0; l < s.layers; l++ {
					d.Widths[l], d.Heights[l] = svcHeights[l]*16/9, svcHeights[l]
				}
			}
			payload := make([]byte, 64)
			n := vp9.Put(payload, &d)
			// The layer and packet, after the descriptor, for checks.
			payload[n], payload[n+1] = byte(sid), byte(i)
			out = append(out, rtp.Packet{
				Header:  rtp.Header{Version: 2, PayloadType: 98, SequenceNumber: s.seq, Timestamp: s.ts, SSRC: 300, Marker: sid == s.layers-1 && i == s.perLayer-1},
				Payload: payload[:n+2],
			})
		}
	}
	return out
}

// svcTestTrack is an SVC up track with one bound down track.
func svcTestTrack(t *testing.T) (*upLayer, *downTrack, *recorder) {
	t.Helper()
	e := &Engine{stats: newStats(), cfg: Config{AudioTopN: 3, BigRoom: 8}}
	r := e.NewRoom("test", nil)
	u := &upTrack{publisher: &Peer{id: "pub", room: r}, layerCount: 1, svc: &svcTrack{}}
	layers := [maxLayers]*upLayer{}
	layers[0] = &upLayer{up: u, index: 0, ssrc: 300, cacheSize: compactMapSize}
	layers[0].cache.Store(newPacketCache(compactMapSize))
	u.layers.Store(&layers)
	sub := &Peer{id: "sub", room: r}
	sub.subUp.Store(true) // its connection is up
	d := newDownTrack(u, sub)
	rec := &recorder{}
	d.ssrc, d.pt, d.ws = 4242, 98, rec
	d.rw = newRewriter(90000, false)
	d.bound.Store(true)
	u.downs.Store(&[]*downTrack{d})
	return layers[0], d, rec
}

// feed routes packets as the layer's reader does, and reports whether any
// asked for a keyframe.
func feed(t *testing.T, l *upLayer, pkts []rtp.Packet) (wantKey bool) {
	t.Helper()
	for i := range pkts {
		p := &pkts[i]
		l.cache.Load().add(p.SequenceNumber, mustMarshal(t, p))
		var f svcFrame
		if !l.up.svc.read(p, &f, true) {
			t.Fatalf("bad test packet %x", p.Payload)
		}
		res, want := (*l.up.downs.Load())[0].writeSVC(p, &f, int64(p.Timestamp)*1e4)
		wantKey = wantKey || want || res == needsKeyframe
	}
	return wantKey
}

// received describes what the subscriber got: for each packet, its
// spatial layer, and checks the numbering is gapless.
func svcReceived(t *testing.T, rec *recorder, from int) []uint8 {
	t.Helper()
	var sids []uint8
	for i, p := range rec.packets[from:] {
		if i+from > 0 {
			if prev := rec.packets[i+from-1]; p.SequenceNumber != prev.SequenceNumber+1 {
				t.Fatalf("packet %d: sequence %d after %d", i+from, p.SequenceNumber, prev.SequenceNumber)
			}
		}
		var d vp9.Descriptor
		if !vp9.Parse(p.Payload, &d) {
			t.Fatalf("packet %d: bad descriptor", i+from)
		}
		if want := d.End && d.SID == sids0(rec, i+from); p.Marker != want {
			t.Fatalf("packet %d (SID %d, E %v): marker %v, want %v", i+from, d.SID, d.End, p.Marker, want)
		}
		sids = append(sids, d.SID)
	}
	return sids
}

// sids0 is the highest spatial layer of the picture packet i belongs to,
// as the subscriber received it.
func sids0(rec *recorder, i int) uint8 {
	ts := rec.packets[i].Timestamp
	top := uint8(0)
	for _, p := range rec.packets {
		var d vp9.Descriptor
		if p.Timestamp == ts && vp9.Parse(p.Payload, &d) && d.SID > top {
			top = d.SID
		}
	}
	return top
}

func maxSID(sids []uint8) uint8 {
	m := uint8(0)
	for _, s := range sids {
		m = max(m, s)
	}
	return m
}

func TestSVCForwardsTheTargetLayerAndBelow(t *testing.T) {
	l, d, rec := svcTestTrack(t)
	src := &svcSource{seq: 65500, perLayer: 2, layers: 3}
	d.target.Store(0)
	if !feed(t, l, src.picture(false, 0)) {
		t.Fatal("a delta picture first: no keyframe asked for")
	}
	if len(rec.packets) != 0 {
		t.Fatal("forwarded before a keyframe")
	}
	feed(t, l, src.picture(true, 0))
	for i := 0; i < 20; i++ {
		feed(t, l, src.picture(false, uint8([]int{2, 1, 2, 0}[i%4])))
	}
	sids := svcReceived(t, rec, 0)
	if len(sids) != 21*2 || maxSID(sids) != 0 {
		t.Fatalf("got %d packets, top layer %d; want 42 of layer 0 only", len(sids), maxSID(sids))
	}
	if got := l.up.layerFor(180); got != 0 {
		t.Fatalf("layerFor(180) = %d", got)
	}
	if got := l.up.layerFor(700); got != 2 {
		t.Fatalf("layerFor(700) = %d, from the keyframe's sizes", got)
	}

	// Up to layer 2: not before a keyframe, which is asked for.
	d.target.Store(2)
	if !feed(t, l, src.picture(false, 2)) {
		t.Fatal("no keyframe asked for to switch up")
	}
	if d.current.Load() != 0 {
		t.Fatal("switched up on a delta picture")
	}
	n := len(rec.packets)
	feed(t, l, src.picture(true, 0))
	feed(t, l, src.picture(false, 2))
	sids = svcReceived(t, rec, n)
	if len(sids) != 12 || maxSID(sids) != 2 {
		t.Fatalf("after the keyframe: layers %v, want all three", sids)
	}

	// Down to layer 1, at the next picture.
	d.target.Store(1)
	n = len(rec.packets)
	feed(t, l, src.picture(false, 1))
	sids = svcReceived(t, rec, n)
	if len(sids) != 4 || maxSID(sids) != 1 {
		t.Fatalf("after switching down: layers %v, want 0 and 1", sids)
	}
	svcReceived(t, rec, 0) // the whole stream: gapless, markers right
	if d.switches.Load() != 2 {
		t.Fatalf("%d switches, want 2", d.switches.Load())
	}

	// Temporal layers: only layer 0 pictures once asked.
	d.svc.maxTemporal.Store(0)
	n = len(rec.packets)
	for i := 0; i < 8; i++ {
		feed(t, l, src.picture(false, uint8([]int{2, 1, 2, 0}[i%4])))
	}
	if got := len(rec.packets) - n; got != 2*4 {
		t.Fatalf("%d packets with temporal layer 0 only, want 8", got)
	}
	svcReceived(t, rec, 0)

	// Malformed payloads are dropped, without a panic.
	for _, bad := range [][]byte{nil, {0x80}, {0xff, 0xff}} {
		p := rtp.Packet{Header: rtp.Header{Version: 2, SequenceNumber: src.seq + 1, Timestamp: src.ts}, Payload: bad}
		src.seq++
		l.route(mustMarshal(t, &p), &rtp.Packet{}, new(uint32))
	}
	n = len(rec.packets)
	feed(t, l, src.picture(false, 0))
	if len(rec.packets) != n+4 {
		t.Fatal("the stream did not go on after malformed packets")
	}
}

func TestSVCNacksFindTheCachedPacket(t *testing.T) {
	l, d, rec := svcTestTrack(t)
	src := &svcSource{seq: 1000, perLayer: 3, layers: 3}
	d.target.Store(1)
	feed(t, l, src.picture(true, 0))
	for i := 0; i < 5; i++ {
		feed(t, l, src.picture(false, 0))
	}
	// Every packet sent comes back, exactly, when NACKed.
	sent := append([]rtp.Packet(nil), rec.packets...)
	for _, want := range sent {
		n := len(rec.packets)
		d.rtxAt = [64]rtxEntry{}
		d.rtxCount = 0
		if !d.retransmit(want.SequenceNumber) {
			t.Fatalf("retransmit %d found nothing", want.SequenceNumber)
		}
		got := rec.packets[n]
		if got.SequenceNumber != want.SequenceNumber || got.Timestamp != want.Timestamp || got.Marker != want.Marker || string(got.Payload) != string(want.Payload) {
			t.Fatalf("retransmitted %d %v %x, first sent %d %v %x", got.SequenceNumber, got.Marker, got.Payload, want.SequenceNumber, want.Marker, want.Payload)
		}
	}
}

func TestSVCLatePacketsKeepTheirPlace(t *testing.T) {
	l, d, rec := svcTestTrack(t)
	src := &svcSource{seq: 7, perLayer: 2, layers: 3}
	d.target.Store(0)
	feed(t, l, src.picture(true, 0))
	// A picture whose second layer-0 packet and first layer-2 packet are
	// lost on the way, and come late (the publisher's retransmissions).
	pic := src.picture(false, 0)
	feed(t, l, append(append([]rtp.Packet{pic[0]}, pic[2:4]...), pic[5]))
	feed(t, l, src.picture(false, 0))
	n := len(rec.packets)
	feed(t, l, []rtp.Packet{pic[1], pic[4], pic[1]})
	if got := len(rec.packets) - n; got != 2 {
		t.Fatalf("%d packets for two late ones and a duplicate, want 2", got)
	}
	late, filler := rec.packets[n], rec.packets[n+1]
	if late.Padding || string(late.Payload) != string(pic[1].Payload) {
		t.Fatalf("the late layer-0 packet was not forwarded: %+v", late)
	}
	if !filler.Padding || len(filler.Payload) != 0 {
		t.Fatalf("the late layer-2 packet did not become padding: %+v", filler)
	}
	// Sorted by number, the subscriber has a gapless stream.
	seen := map[uint16]bool{}
	lo, hi := rec.packets[0].SequenceNumber, rec.packets[0].SequenceNumber
	for _, p := range rec.packets {
		if seen[p.SequenceNumber] {
			t.Fatalf("sequence %d twice", p.SequenceNumber)
		}
		seen[p.SequenceNumber] = true
		lo, hi = min(lo, p.SequenceNumber), max(hi, p.SequenceNumber)
	}
	if int(hi-lo)+1 != len(seen) {
		t.Fatalf("numbers %d..%d for %d packets: a gap", lo, hi, len(seen))
	}
}

// TestSVCRandomStream feeds an SVC down track a stream spoilt at random
// (losses, late and repeated packets, malformed payloads), with the
// target layer, temporal layer and NACKs changing at random: nothing
// panics, and no sequence number goes out twice for two packets.
func TestSVCRandomStream(t *testing.T) {
	for seed := uint64(1); seed <= 5; seed++ {
		t.Run(fmt.Sprint("seed ", seed), func(t *testing.T) { randomSVCStream(t, seed) })
	}
}

func randomSVCStream(t *testing.T, seed uint64) {
	l, d, rec := svcTestTrack(t)
	rng := rand.New(rand.NewPCG(seed, 2))
	src := &svcSource{seq: 65000, perLayer: 2, layers: 3}
	var recent []rtp.Packet
	sentAs := map[uint16]string{} // output number -> payload first sent under it
	scratch, sample := &rtp.Packet{}, new(uint32)
	for pic := 0; pic < 2000; pic++ {
		if rng.IntN(20) == 0 {
			d.target.Store(int32(rng.IntN(4) - 1))
		}
		if rng.IntN(30) == 0 {
			d.svc.maxTemporal.Store(int32(rng.IntN(3)))
		}
		pkts := src.picture(rng.IntN(15) == 0, l3t3Pattern[pic%4])
		for _, p := range pkts {
			recent = append(recent, p)
			if len(recent) > 300 {
				recent = recent[1:]
			}
			switch r := rng.IntN(100); {
			case r < 5: // lost
				continue
			case r < 8: // late: an earlier one arrives now
				p = recent[rng.IntN(len(recent))]
			case r < 9: // malformed
				p.Payload = p.Payload[:rng.IntN(3)]
			}
			n := len(rec.packets)
			l.route(mustMarshal(t, &p), scratch, sample)
			for _, out := range rec.packets[n:] {
				if out.Padding {
					continue
				}
				if first, ok := sentAs[out.SequenceNumber]; ok && first != string(out.Payload) {
					t.Fatalf("sequence %d sent for two different packets", out.SequenceNumber)
				}
				sentAs[out.SequenceNumber] = string(out.Payload)
			}
			if rng.IntN(10) == 0 && len(rec.packets) > 0 {
				// A NACK for something recent: answered with what was
				// sent under that number, or not at all.
				seq := rec.packets[len(rec.packets)-1-rng.IntN(min(len(rec.packets), 200))].SequenceNumber
				n := len(rec.packets)
				d.retransmit(seq)
				for _, out := range rec.packets[n:] {
					if first, ok := sentAs[out.SequenceNumber]; ok && first != string(out.Payload) && !out.Padding {
						t.Fatalf("NACK for %d answered with another packet", seq)
					}
				}
			}
		}
	}
	if len(sentAs) < 1000 {
		t.Fatalf("only %d packets forwarded", len(sentAs))
	}
}

var l3t3Pattern = [4]uint8{0, 2, 1, 2}
