package sfu

import (
	"math"
	"testing"
	"time"

	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"
)

// recorder is a TrackLocalWriter that keeps what a down track sends.
type recorder struct {
	packets []rtp.Packet
}

func (r *recorder) WriteRTP(h *rtp.Header, payload []byte) (int, error) {
	// A copy, extensions and all: the header is the down track's, reused.
	b, err := (&rtp.Packet{Header: *h, Payload: payload}).Marshal()
	if err != nil {
		return 0, err
	}
	var p rtp.Packet
	if err := p.Unmarshal(b); err != nil {
		return 0, err
	}
	r.packets = append(r.packets, p)
	return len(payload), nil
}

func (r *recorder) Write(b []byte) (int, error) { return len(b), nil }

// vp8Packet builds a packet with a VP8 descriptor: 15-bit PictureID and a
// TL0PICIDX, then the payload header (a keyframe, or not).
func vp8Packet(ssrc uint32, seq uint16, ts uint32, pic uint16, tl0 uint8, key bool) rtp.Packet {
	payload := []byte{0x90, 0xc0, 0x80 | byte(pic>>8), byte(pic), tl0, 0x01, 0, 0, 0, 0}
	if key {
		payload[5] = 0x00
	}
	return rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: 96, SequenceNumber: seq, Timestamp: ts, SSRC: ssrc}, Payload: payload}
}

// testTrack makes an up track with three layers and one bound down
// track writing to a recorder.
func testTrack(t *testing.T) (*upTrack, *downTrack, *recorder) {
	t.Helper()
	e := &Engine{stats: newStats(), cfg: Config{AudioTopN: 3, BigRoom: 8}}
	r := e.NewRoom("test", nil)
	pub := &Peer{id: "pub", room: r}
	sub := &Peer{id: "sub", room: r}
	sub.subUp.Store(true) // its connection is up
	u := &upTrack{publisher: pub, vp8: true, layerCount: 3, isKey: func(p []byte) bool {
		d, ok := parseVP8(p)
		return ok && p[d.headerLen]&1 == 0
	}}
	layers := [maxLayers]*upLayer{}
	for i := range layers {
		layers[i] = &upLayer{up: u, index: i, ssrc: uint32(100 + i), cacheSize: 64}
		layers[i].cache.Store(newPacketCache(64))
	}
	u.layers.Store(&layers)
	u.downs.Store(&[]*downTrack{})
	d := newDownTrack(u, sub)
	rec := &recorder{}
	d.ssrc, d.pt, d.ws = 4242, 100, rec
	d.rw = newRewriter(90000, true)
	d.bound.Store(true)
	return u, d, rec
}

// source is one simulcast layer's packet generator.
type source struct {
	ssrc uint32
	seq  uint16
	ts   uint32
	pic  uint16
	tl0  uint8
}

func (s *source) next(key bool) rtp.Packet {
	s.seq++
	s.ts += 3000
	s.pic = (s.pic + 1) & 0x7fff
	s.tl0++
	return vp8Packet(s.ssrc, s.seq, s.ts, s.pic, s.tl0, key)
}

func TestLayerSwitchIsContinuous(t *testing.T) {
	u, d, rec := testTrack(t)
	// The layers' numbering has nothing in common.
	srcs := []*source{{ssrc: 100, seq: 100, ts: 1000, pic: 7}, {ssrc: 101, seq: 60000, ts: 4e9, pic: 32760, tl0: 250}, {ssrc: 102, seq: 5, ts: 77, pic: 1000, tl0: 9}}
	now := int64(1e9)
	send := func(layer int, key bool) writeResult {
		p := srcs[layer].next(key)
		now += 11e6
		l := u.layers.Load()[layer]
		l.cache.Load().add(p.SequenceNumber, mustMarshal(t, &p))
		return d.writeFrom(l, &p, key, now)
	}
	d.target.Store(0)
	// Before the subscriber's connection is up, a keyframe would be lost:
	// none is asked for (the connection asks when it comes up).
	d.sub.subUp.Store(false)
	if got := send(0, false); got != skipped {
		t.Fatalf("a delta frame before the connection is up: %v, want skipped", got)
	}
	d.sub.subUp.Store(true)
	if got := send(0, false); got != needsKeyframe {
		t.Fatalf("a delta frame before any keyframe: %v, want needsKeyframe", got)
	}
	send(0, true)
	for i := 0; i < 5; i++ {
		send(0, false)
	}
	// Switch up: layer 0 keeps flowing until layer 2 has a keyframe.
	d.target.Store(2)
	for i := 0; i < 3; i++ {
		if got := send(2, false); got != needsKeyframe {
			t.Fatalf("delta on the target layer: %v, want needsKeyframe", got)
		}
		if got := send(0, false); got != wrote {
			t.Fatalf("old layer during a switch: %v, want wrote", got)
		}
	}
	firstAfterUp := len(rec.packets)
	send(2, true)
	if got := send(0, false); got != skipped {
		t.Fatalf("old layer after the switch: %v, want skipped", got)
	}
	for i := 0; i < 5; i++ {
		send(2, false)
	}
	// And down to layer 1.
	d.target.Store(1)
	send(1, false)
	send(2, false)
	firstAfterDown := len(rec.packets)
	send(1, true)
	for i := 0; i < 5; i++ {
		send(1, false)
	}

	for i, p := range rec.packets {
		if p.SSRC != 4242 || p.PayloadType != 100 {
			t.Fatalf("packet %d: ssrc %d pt %d, want the subscriber's 4242/100", i, p.SSRC, p.PayloadType)
		}
		if i == 0 {
			continue
		}
		prev := rec.packets[i-1]
		if p.SequenceNumber != prev.SequenceNumber+1 {
			t.Fatalf("packet %d: sequence %d after %d", i, p.SequenceNumber, prev.SequenceNumber)
		}
		if int32(p.Timestamp-prev.Timestamp) <= 0 {
			t.Fatalf("packet %d: timestamp %d after %d", i, p.Timestamp, prev.Timestamp)
		}
		dp, _ := parseVP8(p.Payload)
		dq, _ := parseVP8(prev.Payload)
		if got, want := dp.pictureID(p.Payload), (dq.pictureID(prev.Payload)+1)&0x7fff; got != want {
			t.Fatalf("packet %d: PictureID %d, want %d", i, got, want)
		}
		if got, want := dp.tl0PicIdx(p.Payload), dq.tl0PicIdx(prev.Payload)+1; got != want {
			t.Fatalf("packet %d: TL0PICIDX %d, want %d", i, got, want)
		}
	}
	for _, i := range []int{0, firstAfterUp, firstAfterDown} {
		p := rec.packets[i].Payload
		dp, _ := parseVP8(p)
		if p[dp.headerLen]&1 != 0 {
			t.Fatalf("packet %d (first of its layer) is not a keyframe", i)
		}
	}
	if d.switches.Load() != 2 {
		t.Fatalf("%d switches counted, want 2", d.switches.Load())
	}

	// A NACK for a packet of the middle epoch gets it back exactly as it
	// was first sent.
	want := rec.packets[firstAfterUp+2]
	n := len(rec.packets)
	if !d.retransmit(want.SequenceNumber) {
		t.Fatal("retransmit found nothing")
	}
	got := rec.packets[n]
	if got.SequenceNumber != want.SequenceNumber || got.Timestamp != want.Timestamp || string(got.Payload) != string(want.Payload) {
		t.Fatalf("retransmitted %v %d %x, first sent %v %d %x", got.SequenceNumber, got.Timestamp, got.Payload, want.SequenceNumber, want.Timestamp, want.Payload)
	}
}

func TestPauseAndResumeStartsAtKeyframe(t *testing.T) {
	u, d, rec := testTrack(t)
	src := &source{ssrc: 100, seq: 65530}
	l := u.layers.Load()[0]
	now := int64(0)
	send := func(key bool) writeResult {
		p := src.next(key)
		now += 33e6
		return d.writeFrom(l, &p, key, now)
	}
	d.target.Store(0)
	send(true)
	send(false)
	d.target.Store(-1)
	for i := 0; i < 10; i++ {
		if got := send(false); got != skipped {
			t.Fatalf("paused: %v", got)
		}
	}
	d.target.Store(0)
	if got := send(false); got != needsKeyframe {
		t.Fatalf("resumed on a delta frame: %v", got)
	}
	send(true)
	if n := len(rec.packets); n != 3 {
		t.Fatalf("%d packets sent, want 3", n)
	}
	if a, b := rec.packets[1], rec.packets[2]; b.SequenceNumber != a.SequenceNumber+1 {
		t.Fatalf("sequence %d after pause, then %d: want no gap", a.SequenceNumber, b.SequenceNumber)
	} else if gap := b.Timestamp - a.Timestamp; gap < 11*3000 {
		t.Fatalf("timestamp advanced %d over a 12-frame pause", gap)
	}
}

func TestLateOldLayerPacketDropped(t *testing.T) {
	var rw rewriter = newRewriter(90000, false)
	h := rtp.Header{SequenceNumber: 10, Timestamp: 100}
	rw.splice(0, &h, nil, 0)
	if _, _, ok := rw.rewrite(&h, nil, 0, 0); !ok {
		t.Fatal("first packet refused")
	}
	old := rtp.Header{SequenceNumber: 9, Timestamp: 90}
	if _, _, ok := rw.rewrite(&old, nil, 0, 0); ok {
		t.Fatal("a packet from before the splice was forwarded")
	}
}

func mustMarshal(t *testing.T, p *rtp.Packet) []byte {
	t.Helper()
	b, err := p.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestVP8KeyframeSize(t *testing.T) {
	p := []byte{0x90, 0x80, 0x80, 0x01, 0x10, 0x02, 0x00, 0x9d, 0x01, 0x2a, 0x80, 0x02, 0x68, 0x01}
	w, h, ok := vp8KeyframeSize(p)
	if !ok || w != 640 || h != 360 {
		t.Fatalf("got %dx%d %v, want 640x360", w, h, ok)
	}
}

func TestPacketCache(t *testing.T) {
	c := newPacketCache(4)
	buf := make([]byte, cacheSlotSize)
	c.add(65535, []byte{1})
	c.add(0, []byte{2, 2})
	if n := c.get(65535, buf); n != 1 || buf[0] != 1 {
		t.Fatalf("get 65535: %d %v", n, buf[:n])
	}
	c.add(3, []byte{3}) // overwrites slot of 65535
	if n := c.get(65535, buf); n != 0 {
		t.Fatal("evicted packet still returned")
	}
	if n := c.get(7, buf); n != 0 {
		t.Fatal("never-stored packet returned")
	}
}

func BenchmarkDownTrackWrite(b *testing.B) {
	t := &testing.T{}
	u, d, _ := testTrack(t)
	d.ws = discard{}
	src := &source{ssrc: 100}
	l := u.layers.Load()[0]
	d.target.Store(0)
	p := src.next(true)
	d.writeFrom(l, &p, true, 0)
	p = src.next(false)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		p.SequenceNumber++
		p.Timestamp += 3000
		d.writeFrom(l, &p, false, int64(i))
	}
}

type discard struct{}

func (discard) WriteRTP(_ *rtp.Header, p []byte) (int, error) { return 12 + len(p), nil }
func (discard) Write(b []byte) (int, error)                   { return len(b), nil }

func TestLossBasedBudget(t *testing.T) {
	var e estimator
	now := time.Unix(0, 0)
	if b := e.budget(1e6, now); !math.IsInf(b, 1) {
		t.Fatalf("no feedback: budget %v, want unlimited", b)
	}
	// One publisher's stream loses 50% (its own uplink), the others none:
	// the median says the subscriber's link is fine.
	e.onLoss(0.5, 0)
	e.onLoss(0, 0)
	e.onLoss(0, 0)
	now = now.Add(time.Second)
	if b := e.budget(1e6, now); !math.IsInf(b, 1) {
		t.Fatalf("one lossy stream: budget %v, want unlimited", b)
	}
	// Everything loses 30%: cut to 85% of what is sent.
	for i := 0; i < 3; i++ {
		e.onLoss(0.3, 0)
	}
	now = now.Add(time.Second)
	if b := e.budget(1e6, now); b != 850_000 {
		t.Fatalf("30%% loss at 1 Mbps: budget %v, want 850000", b)
	}
	// Never below the floor, however bad.
	for i := 0; i < 20; i++ {
		e.onLoss(0.9, 0)
		now = now.Add(time.Second)
		e.budget(100_000, now)
	}
	if b := e.budget(100_000, now); b != lossFloor {
		t.Fatalf("budget %v after heavy loss, want the floor %v", b, lossFloor)
	}
	// Clean reports lift it.
	e.onLoss(0, 0)
	now = now.Add(time.Second)
	if b := e.budget(100_000, now); b <= lossFloor {
		t.Fatalf("budget %v after a clean second, want more than %v", b, lossFloor)
	}
}

// A layer that stops (dynacast turns it off) frees its packet cache; its
// next packet makes a new one.
func TestIdleLayerFreesItsCache(t *testing.T) {
	u, _, _ := testTrack(t)
	r := u.publisher.room
	tracks := []*upTrack{u}
	l := u.layers.Load()[0]
	now := time.Unix(100, 0)
	r.measure(now, tracks)
	l.bytes.Add(1000)
	now = now.Add(500 * time.Millisecond)
	r.measure(now, tracks)
	if l.cache.Load() == nil {
		t.Fatal("the cache of a sending layer was freed")
	}
	for i := 0; i < cacheIdleTicks; i++ {
		now = now.Add(500 * time.Millisecond)
		r.measure(now, tracks)
	}
	if l.cache.Load() != nil {
		t.Fatal("a layer idle for two seconds keeps its cache")
	}
	src := &source{ssrc: 100, seq: 1}
	p := src.next(true)
	var pkt rtp.Packet
	var sample uint32
	l.route(mustMarshal(t, &p), &pkt, &sample)
	c := l.cache.Load()
	if c == nil || c.get(p.SequenceNumber, make([]byte, cacheSlotSize)) == 0 {
		t.Fatal("the layer's next packet is not cached")
	}
}

// A publisher layer is asked for a keyframe at most once per
// keyframeInterval while a request is unanswered, but a subscriber that
// missed the answer (its encryption was not ready) asks again sooner.
func TestKeyframeRequestsWaitForTheAnswerNotLonger(t *testing.T) {
	u, _, _ := testTrack(t)
	pc, err := webrtc.NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	u.publisher.pub = pc // not connected: the PLI goes nowhere, but is counted
	l := u.layers.Load()[0]
	plis := &u.publisher.room.engine.stats.plis
	ms := func(d int) int64 { return time.Now().Add(time.Duration(d) * time.Millisecond).UnixNano() }

	l.requestKeyframe()
	l.requestKeyframe()
	if plis.Load() != 1 {
		t.Fatalf("%d requests at once, want 1", plis.Load())
	}
	// 150 ms later, unanswered: the request stands.
	l.lastKeyframeRequest.Store(ms(-150))
	l.requestKeyframe()
	if plis.Load() != 1 {
		t.Fatal("asked again within the interval while the first request was unanswered")
	}
	// 150 ms later, answered 50 ms ago: someone missed it; ask again.
	l.lastKeyframeRequest.Store(ms(-150))
	l.lastKeyframe.Store(ms(-50))
	l.requestKeyframe()
	if plis.Load() != 2 {
		t.Fatal("a subscriber that missed the keyframe must not wait out the full interval")
	}
	// Answered, but only 20 ms after the last request: not yet.
	l.lastKeyframeRequest.Store(ms(-20))
	l.lastKeyframe.Store(ms(-10))
	l.requestKeyframe()
	if plis.Load() != 2 {
		t.Fatal("asked again sooner than keyframeRetry")
	}
	// Unanswered for longer than the interval: ask again.
	l.lastKeyframeRequest.Store(ms(-350))
	l.lastKeyframe.Store(ms(-400))
	l.requestKeyframe()
	if plis.Load() != 3 {
		t.Fatal("an unanswered request is not repeated after the interval")
	}
}

// A new subscriber starts on the lowest layer the publisher is sending:
// one that dynacast turned off would wait for the allocator's next round.
func TestNewDownTrackStartsOnASendingLayer(t *testing.T) {
	e := &Engine{stats: newStats(), cfg: Config{AudioTopN: 3, BigRoom: 8}}
	r := e.NewRoom("r", nil)
	pub := &Peer{id: "pub", room: r}
	u := &upTrack{publisher: pub, vp8: true, layerCount: 3}
	var layers [maxLayers]*upLayer
	for i := range layers {
		layers[i] = &upLayer{up: u, index: i, cacheSize: 64}
	}
	u.layers.Store(&layers)
	sub := &Peer{id: "sub", room: r}

	if d := newDownTrack(u, sub); d.target.Load() != 0 || d.desired.Load() != 0 {
		t.Fatalf("nothing sending yet: target %d, desired %d, want the lowest (0)", d.target.Load(), d.desired.Load())
	}
	// Only the top layer sends (everyone watches this publisher large).
	layers[2].cache.Store(newPacketCache(64))
	if d := newDownTrack(u, sub); d.target.Load() != 2 || d.desired.Load() != 2 {
		t.Fatalf("only layer 2 sending: target %d, desired %d, want 2", d.target.Load(), d.desired.Load())
	}
	layers[1].cache.Store(newPacketCache(64))
	if d := newDownTrack(u, sub); d.target.Load() != 1 {
		t.Fatalf("layers 1 and 2 sending: target %d, want the lower (1)", d.target.Load())
	}
	audio := &upTrack{publisher: pub, audio: true, layerCount: 1}
	audio.layers.Store(&[maxLayers]*upLayer{})
	if d := newDownTrack(audio, sub); d.target.Load() != 0 {
		t.Fatalf("audio: target %d, want 0", d.target.Load())
	}
}

// Once a subscriber has sent an estimate, it stands while fresh, then
// grows slowly when no new one comes: browsers send one only when it
// moves, and their RTCP can be lost to the very congestion it reports.
func TestStaleEstimateGrowsSlowly(t *testing.T) {
	var e estimator
	now := time.Unix(0, 0)
	e.onREMB(700_000, now)
	if b := e.budget(600_000, now.Add(rembTimeout)); b != 700_000 {
		t.Fatalf("a fresh estimate of 700 kbps: budget %v", b)
	}
	// Stale: 8% a second more, not unlimited at once (which sent a
	// viewer up and down), nor stuck for good (on its lowest layer).
	b1 := e.budget(600_000, now.Add(rembTimeout+time.Second))
	b3 := e.budget(600_000, now.Add(rembTimeout+3*time.Second))
	if b1 < 750_000 || b1 > 770_000 || b3 <= b1 || math.IsInf(b3, 1) {
		t.Fatalf("a stale estimate of 700 kbps after 1 s: %v, after 3 s: %v", b1, b3)
	}
	if b := e.budget(600_000, now.Add(time.Minute)); !math.IsInf(b, 1) {
		t.Fatalf("a minute-old estimate still limits the budget to %v", b)
	}
	// Stale, it no longer judges a probe.
	if remb, _ := e.signals(now.Add(time.Minute)); remb != 0 {
		t.Fatalf("a minute-old estimate counts as fresh (%v)", remb)
	}
}
