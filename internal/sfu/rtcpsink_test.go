package sfu

import (
	"testing"
	"time"

	"github.com/pion/rtcp"
	"github.com/pion/rtp"
)

// pion hands a compound packet to the sink of every SSRC it names: each
// down track acts only on what is addressed to its own SSRC.
func TestCompoundRTCPReachesOnlyItsAddressee(t *testing.T) {
	l, _ := benchTrack(t, 2, func(int) interface {
		WriteRTP(*rtp.Header, []byte) (int, error)
		Write([]byte) (int, error)
	} {
		return &countWriter{}
	})
	downs := *l.up.downs.Load()
	a, b := downs[0], downs[1]
	compound, err := rtcp.Marshal([]rtcp.Packet{
		&rtcp.ReceiverReport{SSRC: 1, Reports: []rtcp.ReceptionReport{{SSRC: a.ssrc}, {SSRC: b.ssrc}}},
		&rtcp.TransportLayerNack{SenderSSRC: 1, MediaSSRC: a.ssrc, Nacks: rtcp.NackPairsFromSequenceNumbers([]uint16{1, 2, 3})},
	})
	if err != nil {
		t.Fatal(err)
	}
	st := l.up.publisher.room.engine.stats
	var parse rtcpParse
	for _, d := range []*downTrack{a, b} {
		pkts, err := parse.parse(compound)
		if err != nil {
			t.Fatal(err)
		}
		d.handleRTCP(pkts, d.ssrc)
	}
	if got := st.nacks.Load(); got != 3 {
		t.Fatalf("%d NACKed packets handled, want the 3 asked of one track", got)
	}
}

// A compound is parsed once however many sinks it goes to, and a new one
// is parsed anew.
func TestRTCPParsedOncePerCompound(t *testing.T) {
	first, _ := rtcp.Marshal([]rtcp.Packet{&rtcp.ReceiverReport{SSRC: 1, Reports: []rtcp.ReceptionReport{{SSRC: 7, FractionLost: 9}}}})
	second, _ := rtcp.Marshal([]rtcp.Packet{&rtcp.ReceiverReport{SSRC: 1, Reports: []rtcp.ReceptionReport{{SSRC: 7, FractionLost: 10}}}})
	var c rtcpParse
	p1, err := c.parse(first)
	if err != nil {
		t.Fatal(err)
	}
	again, _ := c.parse(append([]byte(nil), first...))
	if &again[0] != &p1[0] {
		t.Fatal("the same compound was parsed again")
	}
	p2, _ := c.parse(second)
	if got := p2[0].(*rtcp.ReceiverReport).Reports[0].FractionLost; got != 10 {
		t.Fatalf("the second compound read as the first (fraction lost %d)", got)
	}
	if got := p1[0].(*rtcp.ReceiverReport).Reports[0].FractionLost; got != 9 {
		t.Fatal("parsing a new compound changed what an earlier one returned")
	}
	if _, err := c.parse([]byte{1, 2}); err == nil {
		t.Fatal("garbage parsed")
	}
	if p, _ := c.parse(first); p == nil || &p[0] == &p1[0] {
		t.Fatal("after garbage, the first compound was not parsed anew")
	}
}

// A REMB reaches the sink of every SSRC it lists and is taken once, by
// the first listed SSRC that has a down track: libwebrtc lists SSRCs in
// numeric order, so the first may be an RTX stream or a track gone.
func TestREMBTakenWhenTheFirstSSRCIsNoTrack(t *testing.T) {
	e := &Engine{stats: newStats(), cfg: Config{AudioTopN: 3, BigRoom: 8}}
	r := e.NewRoom("remb", nil)
	sub := &Peer{id: "sub", room: r}
	var ssrcs []uint32
	for i, kind := range []bool{true, false} { // audio, then video
		u := &upTrack{publisher: &Peer{id: "pub", room: r}, audio: kind, layerCount: 1}
		u.layers.Store(&[maxLayers]*upLayer{})
		u.downs.Store(&[]*downTrack{})
		d := newDownTrack(u, sub)
		d.ssrc = uint32(2000 + i)
		sub.bindSSRC(d.ssrc, d)
		ssrcs = append(ssrcs, d.ssrc)
	}
	const rtx = 17 // an RTX stream the SFU probes on: no sink of its own
	compound, err := rtcp.Marshal([]rtcp.Packet{&rtcp.ReceiverEstimatedMaximumBitrate{
		SenderSSRC: 1, Bitrate: 812_000, SSRCs: []uint32{rtx, ssrcs[1], ssrcs[0]},
	}})
	if err != nil {
		t.Fatal(err)
	}
	// As pion does: the compound to the sink of each SSRC listed.
	for _, ssrc := range []uint32{rtx, ssrcs[1], ssrcs[0]} {
		s := &rtcpSink{peer: sub, ssrc: ssrc, closed: make(chan struct{})}
		if _, err := s.Write(compound); err != nil {
			t.Fatal(err)
		}
	}
	if remb, _ := sub.bwe.signals(time.Now()); remb < 800_000 || remb > 820_000 {
		t.Fatalf("estimate %v after a REMB of 812 kbps listing an RTX SSRC first", remb)
	}
}
