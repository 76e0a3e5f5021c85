package sfu

import (
	"bytes"
	"crypto/rand"
	"encoding/binary"
	"net/netip"
	"testing"
	"time"

	"github.com/pion/rtp"
	"github.com/pion/srtp/v3"
	"github.com/pion/transport/v5/packetio"
	"github.com/pion/webrtc/v4"

	"github.com/roomsdev/rooms/internal/pushbuf"
)

// directRig is one publisher connection read directly: the publisher's
// SRTP context, the server's receiver for it, registered in an engine
// table under the publisher's address, and what reached the forwarding.
type directRig struct {
	t         *testing.T
	table     *inbound
	r         *directReceiver
	from      netip.AddrPort
	send      *srtp.Context
	forwarded [][]byte
	set       pushbuf.Set
}

func newDirectRig(t *testing.T) *directRig {
	t.Helper()
	key, salt := make([]byte, 16), make([]byte, 12)
	_, _ = rand.Read(key)
	_, _ = rand.Read(salt)
	send, err := srtp.CreateContext(key, salt, srtp.ProtectionProfileAeadAes128Gcm)
	if err != nil {
		t.Fatal(err)
	}
	ctx, err := receiveContext(key, salt, srtp.ProtectionProfileAeadAes128Gcm)
	if err != nil {
		t.Fatal(err)
	}
	g := &directRig{t: t, table: &inbound{}, r: &directReceiver{ctx: ctx}, send: send,
		from: netip.MustParseAddrPort("192.0.2.7:5004")}
	g.table.set(g.r, g.from)
	return g
}

// bind has the room forward the stream ssrc of track.
func (g *directRig) bind(ssrc uint32, track trackIDs) {
	pushBind(g.register(ssrc, track))
}

// register reads the stream directly from now on, into a pion buffer
// that pushBind binds.
func (g *directRig) register(ssrc uint32, track trackIDs) *pushbuf.Buffer {
	buf := g.set.Factory(packetio.RTPBufferPacket, ssrc).(*pushbuf.Buffer)
	g.r.bind(ssrc, track, buf, func(plain []byte, at int64) {
		g.forwarded = append(g.forwarded, bytes.Clone(plain))
	})
	return buf
}

func pushBind(buf *pushbuf.Buffer) {
	scratch := make([]byte, 1500)
	buf.Bind(func() error { _, err := buf.Read(scratch); return err }, nil)
}

// packet is one SRTP datagram from the publisher.
func (g *directRig) packet(h rtp.Header, payload []byte) []byte {
	g.t.Helper()
	h.Version = 2
	plain, err := (&rtp.Packet{Header: h, Payload: payload}).Marshal()
	if err != nil {
		g.t.Fatal(err)
	}
	enc, err := g.send.EncryptRTP(nil, plain, nil)
	if err != nil {
		g.t.Fatal(err)
	}
	return enc
}

func (g *directRig) take(b []byte) bool {
	return g.table.take(bytes.Clone(b), g.from, time.Now().UnixNano())
}

type fakeTrack struct {
	pt  webrtc.PayloadType
	rtx webrtc.SSRC
}

func (f fakeTrack) PayloadType() webrtc.PayloadType { return f.pt }
func (f fakeTrack) RtxSSRC() webrtc.SSRC            { return f.rtx }

// A bound stream's packets are decrypted and forwarded by the socket's
// reader; a replay is dropped there, never handed to pion (whose replay
// window never saw the original); everything else goes to pion.
func TestDirectReceiveForwardsAndRefusesReplays(t *testing.T) {
	g := newDirectRig(t)
	g.bind(1000, fakeTrack{pt: 96})
	pkt := g.packet(rtp.Header{PayloadType: 96, SequenceNumber: 7, Timestamp: 90, SSRC: 1000}, []byte("frame"))
	if !g.take(pkt) {
		t.Fatal("a bound stream's packet went to pion")
	}
	if len(g.forwarded) != 1 {
		t.Fatalf("forwarded %d packets, want 1", len(g.forwarded))
	}
	var got rtp.Packet
	if err := got.Unmarshal(g.forwarded[0]); err != nil {
		t.Fatal(err)
	}
	if got.SSRC != 1000 || got.SequenceNumber != 7 || string(got.Payload) != "frame" {
		t.Fatalf("forwarded %+v %q", got.Header, got.Payload)
	}

	if !g.take(pkt) {
		t.Fatal("a replay went to pion")
	}
	if len(g.forwarded) != 1 || g.table.refused.Load() != 1 {
		t.Fatalf("replay: forwarded %d, refused %d", len(g.forwarded), g.table.refused.Load())
	}

	other := g.packet(rtp.Header{PayloadType: 96, SequenceNumber: 1, SSRC: 3000}, []byte("x"))
	if g.take(other) {
		t.Error("a stream not bound was taken")
	}
	if g.table.take(bytes.Clone(pkt), netip.MustParseAddrPort("192.0.2.8:5004"), 0) {
		t.Error("a datagram from another address was taken")
	}
	rtcp := append([]byte{0x80, 200}, make([]byte, 26)...)
	if g.take(rtcp) {
		t.Error("RTCP was taken")
	}
}

// Until a stream's first packet opens here, one that does not open goes
// to pion (which read the stream's start and may know its rollover
// count); after, it is dropped, as pion would drop it.
func TestDirectReceiveLeavesFailuresToPionOnlyBeforeTheFirst(t *testing.T) {
	g := newDirectRig(t)
	g.bind(1000, fakeTrack{pt: 96})
	tamper := func(b []byte) []byte {
		b = bytes.Clone(b)
		b[len(b)-1] ^= 1
		return b
	}
	if g.take(tamper(g.packet(rtp.Header{PayloadType: 96, SequenceNumber: 1, SSRC: 1000}, []byte("a")))) {
		t.Error("a packet that does not open, before any did, was not left to pion")
	}
	if !g.take(g.packet(rtp.Header{PayloadType: 96, SequenceNumber: 2, SSRC: 1000}, []byte("b"))) {
		t.Fatal("a good packet was not taken")
	}
	if !g.take(tamper(g.packet(rtp.Header{PayloadType: 96, SequenceNumber: 3, SSRC: 1000}, []byte("c")))) {
		t.Error("a packet that does not open, after one did, was left to pion")
	}
	if len(g.forwarded) != 1 || g.table.refused.Load() != 1 {
		t.Fatalf("forwarded %d, refused %d; want 1 and 1", len(g.forwarded), g.table.refused.Load())
	}
}

// A repair (RTX) stream, once pion has named it, is read directly too
// and unwrapped into the packet it repairs (RFC 4588); padding-only
// repairs (bandwidth probes) are taken and go no further.
func TestDirectReceiveUnwrapsRepairs(t *testing.T) {
	g := newDirectRig(t)
	g.bind(1000, fakeTrack{pt: 96, rtx: 2000})
	payload := append(binary.BigEndian.AppendUint16(nil, 4242), "lost frame"...)
	rtx := g.packet(rtp.Header{PayloadType: 97, SequenceNumber: 10, Timestamp: 900, SSRC: 2000, Marker: true}, payload)
	if !g.take(rtx) {
		t.Fatal("a repair was not taken")
	}
	if len(g.forwarded) != 1 || g.table.repairs.Load() != 1 {
		t.Fatalf("forwarded %d, repairs %d", len(g.forwarded), g.table.repairs.Load())
	}
	var got rtp.Packet
	if err := got.Unmarshal(g.forwarded[0]); err != nil {
		t.Fatal(err)
	}
	if got.SSRC != 1000 || got.SequenceNumber != 4242 || got.PayloadType != 96 || !got.Marker || got.Timestamp != 900 || string(got.Payload) != "lost frame" {
		t.Fatalf("unwrapped %+v %q", got.Header, got.Payload)
	}

	probe := g.packet(rtp.Header{PayloadType: 97, SequenceNumber: 11, SSRC: 2000, Padding: true, PaddingSize: 200}, nil)
	if !g.take(probe) {
		t.Fatal("a padding-only repair was left to pion")
	}
	if len(g.forwarded) != 1 {
		t.Fatalf("a padding-only repair was forwarded")
	}
}

// A stream whose pion buffer is not bound yet is pion's: its packets are
// not even decrypted here, so none is lost to the replay window (a packet
// decrypted but not forwarded would have its retransmission refused as a
// replay, and the NACKs would go on until they gave up).
func TestDirectReceiveLeavesAStreamNotBoundYetToPion(t *testing.T) {
	g := newDirectRig(t)
	buf := g.register(1000, fakeTrack{pt: 96})
	pkt := g.packet(rtp.Header{PayloadType: 96, SequenceNumber: 5, SSRC: 1000}, []byte("early"))
	if g.take(pkt) {
		t.Fatal("a packet of a stream not bound yet was taken")
	}
	pushBind(buf)
	if !g.take(pkt) {
		t.Fatal("the same packet, once the stream is bound, was left to pion")
	}
	if len(g.forwarded) != 1 || g.table.refused.Load() != 0 {
		t.Fatalf("forwarded %d, refused %d; want 1 and 0", len(g.forwarded), g.table.refused.Load())
	}
}
