package sfu

import (
	"testing"

	"github.com/pion/rtp"
)

// l1t3 is a VP8 source with three temporal layers, libwebrtc's pattern:
// TL0, TL2, TL1, TL2, each frame two packets; the frames after a base
// frame depend on it alone (Y set on TL1 and the first TL2).
type l1t3 struct {
	seq  uint16
	ts   uint32
	pic  uint16
	tl0  uint8
	n    int
	tids []int32 // of every packet made, by input sequence number order
}

var l1t3Pattern = [4]int32{0, 2, 1, 2}

// frame makes the next frame's packets.
func (s *l1t3) frame(key bool) []rtp.Packet {
	tid := l1t3Pattern[s.n%4]
	if key {
		tid = 0
		s.n = 0
	}
	sync := tid > 0 && s.n%4 != 3
	s.n++
	s.ts += 3000
	s.pic = (s.pic + 1) & 0x7fff
	if tid == 0 {
		s.tl0++
	}
	var out []rtp.Packet
	for i := 0; i < 2; i++ {
		s.seq++
		b0 := byte(0x80)
		if i == 0 {
			b0 |= 0x10 // S, partition 0
		}
		y := byte(0)
		if sync {
			y = 0x20
		}
		payload := []byte{b0, 0xe0, 0x80 | byte(s.pic>>8), byte(s.pic), s.tl0, byte(tid)<<6 | y, 0x01, 0, 0, 0}
		if key && i == 0 {
			payload[6] = 0x00
		}
		out = append(out, rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: 96, SequenceNumber: s.seq, Timestamp: s.ts, SSRC: 100, Marker: i == 1}, Payload: payload})
		s.tids = append(s.tids, tid)
	}
	return out
}

// A VP8 subscriber limited to fewer temporal layers gets only their
// frames, numbered without gaps and with PictureIDs without gaps (what
// libwebrtc's receiver needs to decode on), TL0PICIDX untouched; goes
// back up at a frame that allows it; and a NACK of a renumbered packet
// gets that packet back as first sent.
func TestTemporalThinningIsGapless(t *testing.T) {
	u, d, rec := testTrack(t)
	src := &l1t3{seq: 65500, pic: 32700, tl0: 250} // both wrap on the way
	l := u.layers.Load()[0]
	l.cache.Store(newPacketCache(256)) // all of the test's packets
	now := int64(1e9)
	send := func(key bool) {
		for _, p := range src.frame(key) {
			now += 5e6
			l.cache.Load().add(p.SequenceNumber, mustMarshal(t, &p))
			l.temporal.add(src.tids[len(src.tids)-1], len(p.Payload))
			d.writeFrom(l, &p, key, now)
		}
	}
	d.target.Store(0)
	send(true)
	for i := 0; i < 7; i++ {
		send(false)
	}
	full := len(rec.packets)
	if full != 16 {
		t.Fatalf("%d packets before thinning, want 16", full)
	}
	d.setMaxTemporal(0)
	for i := 0; i < 16; i++ {
		send(false)
	}
	base := len(rec.packets) - full
	if base != 8 { // 16 frames, one in four a base frame, two packets each
		t.Fatalf("%d packets at the base layer, want 8", base)
	}
	d.setMaxTemporal(1)
	for i := 0; i < 16; i++ {
		send(false)
	}
	half := len(rec.packets) - full - base
	if half < 14 || half > 16 { // half the frames, from the first TL1 frame on
		t.Fatalf("%d packets at the middle layer, want about 16", half)
	}
	d.setMaxTemporal(allTemporal)
	for i := 0; i < 8; i++ {
		send(false)
	}
	for i, p := range rec.packets {
		dp, ok := parseVP8(p.Payload)
		if !ok {
			t.Fatalf("packet %d: bad descriptor", i)
		}
		tid, _ := dp.temporal(p.Payload)
		switch {
		case i >= full && i < full+base && tid != 0:
			t.Fatalf("packet %d: temporal layer %d while only the base layer is taken", i, tid)
		case i >= full+base && i < full+base+half && tid > 1:
			t.Fatalf("packet %d: temporal layer %d while the middle layer is the most", i, tid)
		}
		if i == 0 {
			continue
		}
		prev := rec.packets[i-1]
		if p.SequenceNumber != prev.SequenceNumber+1 {
			t.Fatalf("packet %d: sequence %d after %d", i, p.SequenceNumber, prev.SequenceNumber)
		}
		dq, _ := parseVP8(prev.Payload)
		pic, prevPic := dp.pictureID(p.Payload), dq.pictureID(prev.Payload)
		if frameStart(p.Payload) && pic != (prevPic+1)&0x7fff {
			t.Fatalf("packet %d: PictureID %d after %d", i, pic, prevPic)
		}
		if !frameStart(p.Payload) && pic != prevPic {
			t.Fatalf("packet %d: PictureID %d within a frame of %d", i, pic, prevPic)
		}
		if tid == 0 && frameStart(p.Payload) && dp.tl0PicIdx(p.Payload) != dq.tl0PicIdx(prev.Payload)+1 {
			t.Fatalf("packet %d: TL0PICIDX %d after %d", i, dp.tl0PicIdx(p.Payload), dq.tl0PicIdx(prev.Payload))
		}
	}
	// NACKs for packets sent while thinned, and after, come back as sent.
	for _, i := range []int{full + 3, full + base + 5, len(rec.packets) - 2} {
		want := rec.packets[i]
		n := len(rec.packets)
		if !d.retransmit(want.SequenceNumber) {
			t.Fatalf("retransmit of packet %d found nothing", i)
		}
		got := rec.packets[n]
		if got.Timestamp != want.Timestamp || string(got.Payload) != string(want.Payload) {
			t.Fatalf("packet %d retransmitted as %d %x, first sent %d %x", i, got.Timestamp, got.Payload, want.Timestamp, want.Payload)
		}
	}
}

// A packet of a left-out frame that comes late (the publisher's
// retransmission) does not disturb the numbering; one of a taken frame
// whose number was kept for it fills that number.
func TestTemporalThinningLateAndLostPackets(t *testing.T) {
	u, d, rec := testTrack(t)
	src := &l1t3{seq: 10, pic: 5}
	l := u.layers.Load()[0]
	now := int64(1e9)
	d.target.Store(0)
	write := func(p rtp.Packet, key bool) {
		now += 5e6
		l.cache.Load().add(p.SequenceNumber, mustMarshal(t, &p))
		d.writeFrom(l, &p, key, now)
	}
	for _, p := range src.frame(true) {
		write(p, true)
	}
	d.setMaxTemporal(1)
	var held []rtp.Packet
	for i := 0; i < 8; i++ {
		for j, p := range src.frame(false) {
			tid := src.tids[len(src.tids)-1]
			if i == 2 && j == 1 && tid <= 1 { // lost on the way in, comes later
				held = append(held, p)
				continue
			}
			write(p, false)
		}
	}
	before := len(rec.packets)
	for _, p := range held {
		write(p, false)
	}
	if len(rec.packets) != before+len(held) {
		t.Fatalf("%d late packets forwarded, want %d", len(rec.packets)-before, len(held))
	}
	late := rec.packets[before:]
	sent := rec.packets[:before]
	seen := map[uint16]bool{}
	for _, p := range sent {
		seen[p.SequenceNumber] = true
	}
	for _, p := range late {
		if seen[p.SequenceNumber] {
			t.Fatalf("late packet took number %d, already used", p.SequenceNumber)
		}
		seen[p.SequenceNumber] = true
	}
	lo, hi := sent[0].SequenceNumber, sent[len(sent)-1].SequenceNumber
	for s := lo; s != hi+1; s++ {
		if !seen[s] {
			t.Fatalf("number %d never sent: a gap the subscriber waits on", s)
		}
	}
}

// The allocator thins the least important tracks first, one temporal
// layer at a time, only as much as the budget needs; thinned tracks come
// back, the most important first, only with headroom to spare.
func TestThinTemporalLeastImportantFirst(t *testing.T) {
	tracks := make([]allocation, 3)
	for i := range tracks {
		u := &upTrack{vp8: true, layerCount: 1}
		var layers [maxLayers]*upLayer
		layers[0] = &upLayer{up: u}
		layers[0].bitrate.Store(150_000)
		layers[0].temporal.add(1, 100) // it has temporal layers; the split is libwebrtc's
		u.layers.Store(&layers)
		tracks[i] = allocation{d: newDownTrack(u, &Peer{}), got: 0, want: 0}
	}
	tls := func() [3]int32 { return [3]int32{tracks[0].tl, tracks[1].tl, tracks[2].tl} }
	apply := func() {
		for i := range tracks {
			tracks[i].d.setMaxTemporal(tracks[i].tl)
		}
	}

	// 100 kbit/s short: each step to the middle layer saves 40% of 150k.
	left := thinTemporal(tracks, -100_000)
	if got, want := tls(), [3]int32{allTemporal, 1, 1}; got != want || left < 0 {
		t.Fatalf("100k short: layers %v, %.0f left; want %v and the budget held", got, left, want)
	}
	apply()
	// Much shorter: everyone to the middle layer, then the last to the base.
	left = thinTemporal(tracks, -200_000)
	if got, want := tls(), [3]int32{1, 1, 0}; got != want || left < 0 {
		t.Fatalf("200k short: layers %v, %.0f left; want %v", got, left, want)
	}
	apply()
	// A little short at full rate: the most important comes back first,
	// the others wait for more headroom.
	left = thinTemporal(tracks, -50_000)
	if got := tls(); got[0] != allTemporal || got[2] == allTemporal {
		t.Fatalf("50k short: layers %v, %.0f left; want the first back to all, the last still thinned", got, left)
	}
	apply()
	// Plenty: all back.
	if thinTemporal(tracks, 1_000_000); tls() != [3]int32{allTemporal, allTemporal, allTemporal} {
		t.Fatalf("plenty: layers %v", tls())
	}
	// A stream without temporal layers is never thinned.
	plain := &upTrack{vp8: true, layerCount: 1}
	var layers [maxLayers]*upLayer
	layers[0] = &upLayer{up: plain}
	layers[0].bitrate.Store(150_000)
	plain.layers.Store(&layers)
	one := []allocation{{d: newDownTrack(plain, &Peer{}), got: 0, want: 0}}
	if thinTemporal(one, -100_000); one[0].tl != allTemporal {
		t.Fatalf("a stream without temporal layers thinned to %d", one[0].tl)
	}
}
