package sfu

import (
	"errors"
	"testing"

	"github.com/pion/rtp"
	"github.com/pion/srtp/v3"
)

// A down track sends through its connection's direct route; without one,
// through pion, but only while pion's SRTP would number the stream as
// the subscriber expects: once the stream's sequence numbers have wrapped
// under the direct sender, packets are dropped instead.
func TestDirectSendFallsBackOnlyBeforeAWrap(t *testing.T) {
	_, d, rec := testTrack(t)
	recv := newReceiver(t, "udp4", "127.0.0.1:0")
	bc := newTestBatchConn(t, "udp4", "127.0.0.1:0")
	key, salt := make([]byte, 16), make([]byte, 12)
	ctx, err := srtp.CreateContext(key, salt, srtp.ProtectionProfileAeadAes128Gcm)
	if err != nil {
		t.Fatal(err)
	}
	out := &d.sub.out
	out.ctx = ctx
	route := &directRoute{batch: bc, udp: recv.addr()}
	out.route.Store(route)

	payload := make([]byte, 100)
	h := rtp.Header{Version: 2, PayloadType: 96, SSRC: 4242, SequenceNumber: 65530}
	for i := 0; i < 3; i++ {
		h.SequenceNumber++
		if _, err := d.writeRTP(&h, payload); err != nil {
			t.Fatal(err)
		}
	}
	got := recv.wait(t, 3)
	// What arrived is SRTP the subscriber's context (the same keys) opens.
	dec, err := srtp.CreateContext(key, salt, srtp.ProtectionProfileAeadAes128Gcm)
	if err != nil {
		t.Fatal(err)
	}
	for i, b := range got {
		plain, err := dec.DecryptRTP(nil, b, nil)
		if err != nil {
			t.Fatalf("datagram %d: %v", i, err)
		}
		var p rtp.Packet
		if err := p.Unmarshal(plain); err != nil || len(p.Payload) != len(payload) || p.SequenceNumber != 65531+uint16(i) {
			t.Fatalf("datagram %d: %v, seq %d, %d bytes", i, err, p.SequenceNumber, len(p.Payload))
		}
	}

	// No route, before any wrap: pion's path takes it.
	out.route.Store(nil)
	h.SequenceNumber++
	if _, err := d.writeRTP(&h, payload); err != nil || len(rec.packets) != 1 {
		t.Fatalf("without a route before a wrap: %v, %d packets to pion", err, len(rec.packets))
	}
	// The stream wraps under the direct sender; then no route: dropped.
	out.route.Store(route)
	for i := 0; i < 10; i++ {
		h.SequenceNumber++
		if _, err := d.writeRTP(&h, payload); err != nil {
			t.Fatal(err)
		}
	}
	out.route.Store(nil)
	h.SequenceNumber++
	if _, err := d.writeRTP(&h, payload); !errors.Is(err, errNoRoute) || len(rec.packets) != 1 {
		t.Fatalf("without a route after a wrap: %v, %d packets to pion; want errNoRoute and none", err, len(rec.packets))
	}
}
