package sfu

import (
	"testing"

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
