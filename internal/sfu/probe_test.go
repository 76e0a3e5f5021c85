package sfu

import (
	"testing"
	"time"

	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"
)

// Padding goes only between frames, takes sequence numbers of its own
// (the stream stays continuous around it), and a NACK for a padding
// number is not answered with some other packet.
func TestPaddingBetweenFramesKeepsStreamContinuous(t *testing.T) {
	u, d, rec := testTrack(t)
	l := u.layers.Load()[0]
	src := &source{ssrc: 100, seq: 65533, ts: 1000, pic: 7}
	now := int64(1e9)
	// Each frame is two packets; the second has the marker bit.
	frame := func(key bool) {
		for i := 0; i < 2; i++ {
			p := src.next(key && i == 0)
			if i == 1 {
				src.ts -= 3000 // one timestamp per frame
				p.Timestamp = src.ts
				p.Marker = true
			}
			now += 5e6
			l.cache.Load().add(p.SequenceNumber, mustMarshal(t, &p))
			if got := d.writeFrom(l, &p, key && i == 0, now); got != wrote {
				t.Fatalf("frame packet %d: %v", i, got)
			}
			if i == 0 && d.pad(3) != 0 {
				t.Fatal("padding went out in the middle of a frame")
			}
		}
	}
	d.target.Store(0)
	if d.pad(3) != 0 {
		t.Fatal("padding went out before anything was sent")
	}
	frame(true)
	if n := d.pad(3); n != 3 {
		t.Fatalf("padded %d packets between frames, want 3", n)
	}
	frame(false)
	frame(false)
	if n := d.pad(2); n != 2 {
		t.Fatalf("padded %d, want 2", n)
	}
	frame(false)

	padding := 0
	for i, p := range rec.packets {
		isPad := p.Padding && len(p.Payload) == 0
		if isPad {
			padding++
			if p.Header.PaddingSize != maxPadding || p.Marker || p.SSRC != 4242 {
				t.Fatalf("packet %d: padding %d marker %v ssrc %d", i, p.Header.PaddingSize, p.Marker, p.SSRC)
			}
		} else if p.Padding {
			t.Fatalf("packet %d: a media packet marked as padded", i)
		}
		if i == 0 {
			continue
		}
		prev := rec.packets[i-1]
		if p.SequenceNumber != prev.SequenceNumber+1 {
			t.Fatalf("packet %d: sequence %d after %d", i, p.SequenceNumber, prev.SequenceNumber)
		}
		if isPad && p.Timestamp != prev.Timestamp {
			t.Fatalf("padding %d: timestamp %d, want the last frame's %d", i, p.Timestamp, prev.Timestamp)
		}
	}
	if padding != 5 {
		t.Fatalf("%d padding packets, want 5", padding)
	}

	// NACKs: a media packet after the padding comes back as it was sent;
	// a padding number gets nothing.
	for i, p := range rec.packets {
		if i < 4 {
			continue
		}
		n := len(rec.packets)
		ok := d.retransmit(p.SequenceNumber)
		if p.Padding {
			if ok {
				t.Fatalf("a NACK for padding %d was answered", p.SequenceNumber)
			}
			continue
		}
		if !ok {
			t.Fatalf("a NACK for media packet %d found nothing", p.SequenceNumber)
		}
		got := rec.packets[n]
		if got.SequenceNumber != p.SequenceNumber || got.Timestamp != p.Timestamp || string(got.Payload) != string(p.Payload) {
			t.Fatalf("retransmitted %d/%d, first sent %d/%d", got.SequenceNumber, got.Timestamp, p.SequenceNumber, p.Timestamp)
		}
		rec.packets = rec.packets[:n]
	}

	// A late packet from before the padding is dropped, not renumbered.
	late := rtp.Packet{Header: rtp.Header{SequenceNumber: src.seq - 3, Timestamp: src.ts - 3000}, Payload: []byte{0x90, 0xc0, 0x80, 0x01, 0x01, 0x01}}
	if got := d.writeFrom(l, &late, false, now); got != skipped {
		t.Fatalf("a late packet from before the padding: %v, want skipped", got)
	}
}

func TestProberStartsStopsAndBacksOff(t *testing.T) {
	var pr prober
	d := &downTrack{}
	t0 := time.Unix(1000, 0)
	at := func(s float64) time.Time { return t0.Add(time.Duration(s * float64(time.Second))) }

	if pr.update(at(0), nil, 0, 300e3, 400e3, false) {
		t.Fatal("a probe with nothing held back")
	}
	if pr.update(at(0), d, 300e3, 300e3, 0, false) {
		t.Fatal("a probe with no estimate to raise")
	}
	if pr.update(at(0), d, 300e3, 300e3, 400e3, true) {
		t.Fatal("a probe on a lossy link")
	}
	if !pr.update(at(0), d, 350e3, 300e3, 400e3, false) {
		t.Fatal("no probe for a track held back by the estimate")
	}
	if pr.rate != 350e3 {
		t.Fatalf("probe rate %.0f, want the next layer's 350k", pr.rate)
	}
	// The estimate keeps rising: the probe goes on past the stall time.
	for s := 1.0; s <= 6; s++ {
		if !pr.update(at(s), d, 350e3, 300e3, 400e3*(1+0.05*s), false) {
			t.Fatalf("probe ended at %vs while the estimate rose", s)
		}
	}
	// The tile goes up: the probe has done its work.
	if pr.update(at(6.5), nil, 0, 700e3, 700e3, false) {
		t.Fatal("the probe goes on with nothing held back")
	}
	// A new probe at once, then the estimate stalls: it ends, and the
	// next waits, twice as long each time.
	if !pr.update(at(7), d, 100e3, 300e3, 500e3, false) || pr.rate != 300e3 {
		t.Fatalf("probe rate %.0f, want at least what is sent (300k)", pr.rate)
	}
	if pr.update(at(10.5), d, 100e3, 300e3, 500e3, false) {
		t.Fatal("a probe that lifted nothing for 3.5 s goes on")
	}
	if pr.update(at(11.5), d, 100e3, 300e3, 500e3, false) {
		t.Fatal("a new probe within the 2 s back-off")
	}
	if !pr.update(at(12.6), d, 100e3, 300e3, 500e3, false) {
		t.Fatal("no new probe after the back-off")
	}
	if pr.update(at(16), d, 100e3, 300e3, 500e3, false) {
		t.Fatal("the stalled second probe goes on")
	}
	if pr.update(at(19), d, 100e3, 300e3, 500e3, false) || !pr.update(at(20.1), d, 100e3, 300e3, 500e3, false) {
		t.Fatal("the second back-off is not 4 s")
	}
	// Loss ends a probe.
	if pr.update(at(20.5), d, 100e3, 300e3, 500e3, true) {
		t.Fatal("a probe goes on through loss")
	}
}

// With RTX negotiated, NACK answers and padding go on the RTX stream
// (RFC 4588): the original sequence number first, then the payload; the
// media stream's numbering never sees them.
func TestRetransmissionsAndPaddingOnRTX(t *testing.T) {
	u, d, rec := testTrack(t)
	d.rtxSSRC, d.rtxPT = 5555, 97
	l := u.layers.Load()[0]
	src := &source{ssrc: 100, seq: 10, ts: 1000, pic: 7}
	now := int64(1e9)
	send := func(key bool) {
		p := src.next(key)
		p.Marker = true
		now += 33e6
		l.cache.Load().add(p.SequenceNumber, mustMarshal(t, &p))
		if got := d.writeFrom(l, &p, key, now); got != wrote {
			t.Fatalf("write: %v", got)
		}
	}
	d.target.Store(0)
	send(true)
	send(false)
	media := append([]rtp.Packet(nil), rec.packets...)
	if n := d.pad(4); n != 4 {
		t.Fatalf("padded %d, want 4", n)
	}
	if !d.retransmit(media[1].SequenceNumber) {
		t.Fatal("retransmit found nothing")
	}
	send(false)

	var rtx []rtp.Packet
	var main []rtp.Packet
	for _, p := range rec.packets {
		if p.SSRC == 5555 {
			rtx = append(rtx, p)
		} else {
			main = append(main, p)
		}
	}
	if len(main) != 3 || main[2].SequenceNumber != main[1].SequenceNumber+1 {
		t.Fatalf("media stream %v: want three packets in sequence", main)
	}
	if len(rtx) != 5 {
		t.Fatalf("%d packets on RTX, want 4 padding and 1 retransmission", len(rtx))
	}
	for i, p := range rtx {
		if p.PayloadType != 97 || (i > 0 && p.SequenceNumber != rtx[i-1].SequenceNumber+1) {
			t.Fatalf("RTX packet %d: pt %d seq %d", i, p.PayloadType, p.SequenceNumber)
		}
	}
	for _, p := range rtx[:4] {
		if !p.Padding || p.Header.PaddingSize != maxPadding || len(p.Payload) != 0 {
			t.Fatalf("RTX padding: %+v", p.Header)
		}
	}
	r := rtx[4]
	osn := uint16(r.Payload[0])<<8 | uint16(r.Payload[1])
	if osn != media[1].SequenceNumber || string(r.Payload[2:]) != string(media[1].Payload) || r.Timestamp != media[1].Timestamp {
		t.Fatalf("retransmission: osn %d ts %d payload %x; want %d %d %x", osn, r.Timestamp, r.Payload[2:], media[1].SequenceNumber, media[1].Timestamp, media[1].Payload)
	}
}

func TestRTXForMatchesTheWholePayloadType(t *testing.T) {
	have := []webrtc.RTPCodecParameters{
		{PayloadType: 97, RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeRTX, SDPFmtpLine: "apt=96"}},
		{PayloadType: 98, RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeRTX, SDPFmtpLine: "apt=9"}},
	}
	if pt, ok := rtxFor(96, have); !ok || pt != 97 {
		t.Fatalf("rtx for 96: %d %v, want 97", pt, ok)
	}
	if pt, ok := rtxFor(9, have); !ok || pt != 98 {
		t.Fatalf("rtx for 9: %d %v, want 98", pt, ok)
	}
	if _, ok := rtxFor(100, have); ok {
		t.Fatal("an RTX payload type for a codec without one")
	}
}
