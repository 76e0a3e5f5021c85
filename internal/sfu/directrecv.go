package sfu

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/rtp"
	"github.com/pion/srtp/v3"
	"github.com/pion/webrtc/v4"

	"github.com/roomsdev/rooms/internal/feedback"
	"github.com/roomsdev/rooms/internal/pushbuf"
)

// Direct receives, the mirror of direct sends (direct.go). A publisher's
// packet used to pass three goroutines after the media socket's reader:
// the UDP mux handed it to its connection's buffer, the ICE agent's
// reader moved it to the agent's buffer, pion's DTLS/SRTP demultiplexer
// moved it to the SRTP session's, and only that session's reader
// decrypted and forwarded it (package pushbuf). Each hand-over is a
// copy, a lock and a goroutine woken; together they were a tenth of the
// server's CPU on the fanout shape, and the time a packet spent in them
// was not even in the forwarding-latency histogram, which started at
// the SRTP session.
//
// So once a publisher connection is up, the goroutine that reads the
// socket (one per core, udpshards.go) decrypts its RTP itself, with keys
// made from the same DTLS handshake, does what pion's reading did (the
// feedback interceptor records the packet for NACKs, receiver reports
// and transport-wide congestion feedback, with the kernel's arrival
// time) and forwards it on the spot, holding the stream's pion buffer so
// that what pion read before (its first packets) drains in order. Repair
// (RTX) streams are unwrapped here too, once pion has named them. The
// forwarding-latency histogram then starts at the packet's arrival.
//
// Only RTP of a stream the room has bound (a layer it forwards), or of
// its repair stream, is taken; everything else still goes to pion: STUN,
// DTLS, RTCP, a stream pion has not identified yet (it must read its
// first packets to learn the RID), ICE-TCP. The ICE agent no longer sees
// the media, but it checks the selected pair every two seconds (the
// keepalive) and the publisher's RTCP reaches it, so it keeps knowing
// the path is alive.

// inbound is the engine's table of publisher connections read directly,
// by the remote address of their selected candidate pair.
type inbound struct {
	mu     sync.Mutex // serialises changes; reads go through byAddr
	byAddr atomic.Pointer[map[netip.AddrPort]*directReceiver]

	packets atomic.Uint64 // RTP packets read directly
	repairs atomic.Uint64 // of those, repairs (RTX)
	refused atomic.Uint64 // of those, dropped: replayed, or failing authentication
}

// set routes datagrams from addr to r, and no longer those from r's
// previous address. An invalid addr only removes.
func (t *inbound) set(r *directReceiver, addr netip.AddrPort) {
	t.mu.Lock()
	defer t.mu.Unlock()
	old := t.byAddr.Load()
	m := make(map[netip.AddrPort]*directReceiver, 1)
	if old != nil {
		for a, o := range *old {
			if o != r {
				m[a] = o
			}
		}
	}
	if addr.IsValid() {
		m[addr] = r
	}
	t.byAddr.Store(&m)
}

// take reads one datagram from the media socket if it is SRTP of a
// stream read directly, and reports whether it did; if not, the datagram
// goes to pion. at is when it arrived, in Unix nanoseconds.
func (t *inbound) take(b []byte, from netip.AddrPort, at int64) bool {
	m := t.byAddr.Load()
	if m == nil || len(*m) == 0 || !isRTP(b) {
		return false
	}
	r := (*m)[netip.AddrPortFrom(from.Addr().Unmap(), from.Port())]
	if r == nil {
		return false
	}
	res := r.receive(b, at)
	if res == notMine {
		return false
	}
	t.packets.Add(1)
	switch res {
	case repaired:
		t.repairs.Add(1)
	case refused:
		t.refused.Add(1)
	}
	return true
}

// isRTP tells RTP from everything else on the socket (RFC 7983: the
// first byte; RFC 5761: RTCP's packet types, 192 to 223, where RTP has
// its marker bit and payload type).
func isRTP(b []byte) bool {
	return len(b) >= 12 && b[0]>>6 == 2 && (b[1] < 192 || b[1] > 223)
}

// directReceiver is one publisher connection's direct receive state.
type directReceiver struct {
	keys keyCatcher
	fb   *feedback.Interceptor // the connection's NACKs, reports and congestion feedback

	// streams are the SSRCs read directly: those of bound layers, and
	// their repair (RTX) streams once pion has named them. Copied on
	// write; the socket's reader only loads it.
	streams atomic.Pointer[map[uint32]*inStream]

	// mu guards what follows. One socket's reader takes a connection's
	// datagrams (the kernel keeps a sender on one socket), so it is
	// hardly ever contended; it keeps the SRTP state safe when a
	// connection's address, and so its socket, changes.
	mu    sync.Mutex
	ctx   *srtp.Context
	hdr   rtp.Header
	plain [recvSlot]byte
	// pair is the selected candidate pair last reported, kept until the
	// keys are ready (pairs are chosen before DTLS finishes), and addr
	// where the engine routes datagrams to this receiver from.
	pair *webrtc.ICECandidatePair
	addr netip.AddrPort
}

// trackIDs is what a stream read directly needs of its pion track (a
// *webrtc.TrackRemote): the numbers its repairs are told apart and
// unwrapped by.
type trackIDs interface {
	PayloadType() webrtc.PayloadType
	RtxSSRC() webrtc.SSRC
}

// inStream is one stream read directly.
type inStream struct {
	ssrc   uint32
	remote trackIDs // nil for a repair stream
	// buf is the stream's buffer in pion's SRTP session, where pion put
	// its first packets; holding it serialises forward with its drain.
	buf *pushbuf.Buffer
	// forward takes one decrypted packet, read at at (Unix nanoseconds).
	forward func(plain []byte, at int64)
	// repairs is, for a repair stream, the stream it repairs.
	repairs *inStream
	// synced: a packet of the stream has been decrypted here. Until then
	// a packet that fails goes to pion, which has read the stream's first
	// packets and may know its rollover count better (its sequence
	// numbers wrapped before the stream was bound); after, it is dropped,
	// as pion would drop it (a replay, or not authentic). The replay
	// window cannot be dodged that way: before the first success, nothing
	// was taken here that pion did not see. Under the receiver's mu.
	synced bool
}

// primary is the stream whose packets s carries: s itself, or the one
// it repairs.
func (s *inStream) primary() *inStream {
	if s.repairs != nil {
		return s.repairs
	}
	return s
}

type receiveResult int

const (
	notMine  receiveResult = iota // pion reads it
	received                      // decrypted and forwarded
	repaired                      // a repair (RTX), decrypted and forwarded
	refused                       // dropped: a replay, or not authentic
)

// receive decrypts one RTP datagram and forwards it.
func (r *directReceiver) receive(b []byte, at int64) receiveResult {
	ssrc := binary.BigEndian.Uint32(b[8:12])
	var s *inStream
	if streams := r.streams.Load(); streams != nil {
		s = (*streams)[ssrc]
	}
	if s == nil {
		if s = r.learnRepair(ssrc); s == nil {
			return notMine
		}
	}
	primary := s.primary()
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.ctx == nil {
		return notMine
	}
	// Hold the stream before decrypting: a packet decrypted here is in
	// the replay window, so one that could then not be forwarded would
	// be lost for good (its retransmission refused as a replay). A stream
	// whose pion buffer is not bound yet, or has ended, is pion's.
	if !primary.buf.Hold() {
		return notMine
	}
	defer primary.buf.Release()
	plain, err := r.ctx.DecryptRTP(r.plain[:0], b, &r.hdr)
	if err != nil {
		if !s.synced {
			return notMine
		}
		return refused
	}
	s.synced = true
	now := time.Unix(0, at)
	if r.fb != nil {
		// What pion's interceptors did with the packet: the transport-wide
		// sequence number (repairs have one too), the NACK log, reports.
		r.fb.Received(&r.hdr, now)
	}
	if s.repairs != nil {
		var osn uint16
		if plain, osn = unwrapRTX(plain, primary); plain == nil {
			return repaired // padding only: a bandwidth probe
		}
		if r.fb != nil {
			r.fb.Repaired(primary.ssrc, osn)
		}
	}
	primary.forward(plain, at)
	if s.repairs != nil {
		return repaired
	}
	return received
}

// unwrapRTX turns a decrypted RTX packet (RFC 4588) back into the packet
// it repairs, in place, as pion's repair reader does: the original
// sequence number (the first two bytes of the payload) into the header,
// the primary's payload type and SSRC. It returns nil for a packet that
// is padding only (or too short to be anything).
func unwrapRTX(b []byte, primary *inStream) ([]byte, uint16) {
	hdrLen := rtpHeaderLen(b)
	padding := 0
	if len(b) > 0 && b[0]&0x20 != 0 {
		padding = int(b[len(b)-1])
	}
	if hdrLen == 0 || len(b)-hdrLen-padding < 2 {
		return nil, 0
	}
	osn := binary.BigEndian.Uint16(b[hdrLen:])
	b[1] = b[1]&0x80 | uint8(primary.remote.PayloadType())
	binary.BigEndian.PutUint16(b[2:4], osn)
	binary.BigEndian.PutUint32(b[8:12], primary.ssrc)
	copy(b[hdrLen:], b[hdrLen+2:])
	return b[:len(b)-2], osn
}

// rtpHeaderLen is the length of b's RTP header as it is on the wire
// (fixed part, CSRCs, extension block), or 0 if b is shorter.
func rtpHeaderLen(b []byte) int {
	if len(b) < 12 {
		return 0
	}
	n := 12 + 4*int(b[0]&0x0f)
	if b[0]&0x10 != 0 {
		if len(b) < n+4 {
			return 0
		}
		n += 4 + 4*int(binary.BigEndian.Uint16(b[n+2:]))
	}
	if n > len(b) {
		return 0
	}
	return n
}

// learnRepair finds, for an SSRC not read directly, the bound stream it
// repairs, once pion has named it (from the offer's SSRC groups, or from
// the first repair packet it read itself), and reads it directly from
// then on. nil: not a repair stream, or not known yet.
func (r *directReceiver) learnRepair(ssrc uint32) *inStream {
	streams := r.streams.Load()
	if streams == nil {
		return nil
	}
	for _, p := range *streams {
		if p.repairs == nil && p.remote != nil && uint32(p.remote.RtxSSRC()) == ssrc {
			s := &inStream{ssrc: ssrc, repairs: p}
			r.add(s)
			return s
		}
	}
	return nil
}

// bind reads the stream ssrc of remote directly from now on (see
// inStream).
func (r *directReceiver) bind(ssrc uint32, remote trackIDs, buf *pushbuf.Buffer, forward func(plain []byte, at int64)) {
	r.add(&inStream{ssrc: ssrc, remote: remote, buf: buf, forward: forward})
}

// add reads s directly, and forgets the streams that ended.
func (r *directReceiver) add(s *inStream) {
	r.mu.Lock()
	defer r.mu.Unlock()
	m := make(map[uint32]*inStream)
	if old := r.streams.Load(); old != nil {
		for k, v := range *old {
			if !v.primary().buf.Closed() {
				m[k] = v
			}
		}
	}
	m[s.ssrc] = s
	r.streams.Store(&m)
}

// setPair records the connection's selected candidate pair and, when the
// keys are ready, takes datagrams from its remote address.
func (r *directReceiver) setPair(t *inbound, pair *webrtc.ICECandidatePair) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.pair = pair
	if r.ctx != nil {
		r.routeLocked(t)
	}
}

// routeLocked takes datagrams from the selected pair's remote address,
// when it is on the UDP socket. r.mu is held.
func (r *directReceiver) routeLocked(t *inbound) {
	addr := udpRemote(r.pair)
	if addr == r.addr {
		return
	}
	r.addr = addr
	t.set(r, addr)
}

// udpRemote is the remote address of a UDP candidate pair, or the zero
// address.
func udpRemote(pair *webrtc.ICECandidatePair) netip.AddrPort {
	if addr, ok := pairRemote(pair); ok && pair.Local.Protocol == webrtc.ICEProtocolUDP {
		return addr
	}
	return netip.AddrPort{}
}

// start makes the SRTP context once the connection is up, and takes
// datagrams from the selected pair (current, if none was reported yet).
func (r *directReceiver) start(t *inbound, current *webrtc.ICECandidatePair) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.ctx == nil {
		key, salt, profile, err := r.keys.clientKeys()
		if err != nil {
			return err
		}
		ctx, err := receiveContext(key, salt, profile)
		if err != nil {
			return err
		}
		r.ctx = ctx
		r.keys.forget()
	}
	if r.pair == nil {
		r.pair = current
	}
	r.routeLocked(t)
	return nil
}

// receiveContext is the SRTP context that opens what a publisher sends:
// pion's own replay window for incoming SRTP (srtp.SessionSRTP), and
// header extensions encrypted or not (RFC 9335 cryptex, which pion
// offers and the Go client uses).
func receiveContext(key, salt []byte, profile srtp.ProtectionProfile) (*srtp.Context, error) {
	ctx, err := srtp.CreateContext(key, salt, profile, srtp.SRTPReplayProtection(64), srtp.Cryptex(srtp.CryptexModeEnabled))
	if err != nil {
		return nil, fmt.Errorf("srtp context: %w", err)
	}
	return ctx, nil
}

// stop gives the connection's datagrams back to pion: it closed, or
// failed (a restart starts again when it is up).
func (r *directReceiver) stop(t *inbound) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.addr = netip.AddrPort{}
	t.set(r, r.addr)
}

// publisherSettings are the engine's settings with p's push buffers
// (package pushbuf), and the DTLS hooks that give p's direct receives
// their keys (directrecv.go). The server answers the publisher's offer
// as the DTLS server, so that it sees the handshake's keys.
func (e *Engine) publisherSettings(p *Peer) webrtc.SettingEngine {
	s := e.settings
	s.BufferFactory = p.in.Factory
	s.SetDTLSKeyLogWriter(&p.recv.keys)
	s.SetDTLSServerHelloMessageHook(p.recv.keys.serverHello)
	_ = s.SetAnsweringDTLSRole(webrtc.DTLSRoleServer) // a valid role: never an error
	return s
}

// startDirectReceive turns direct receives on for p's publisher
// connection, which has just come up. Where it cannot (no keys: the
// server was not the DTLS server), pion reads everything, as before.
func (p *Peer) startDirectReceive() {
	// Asked before start takes its lock, as in startDirect.
	pair, _ := p.pubICE().GetSelectedCandidatePair()
	if err := p.recv.start(&p.room.engine.inbound, pair); err != nil {
		p.log.Debug("direct receives off", "err", err)
	}
}

// pubICE is the ICE transport of p's publisher connection.
func (p *Peer) pubICE() *webrtc.ICETransport {
	return p.pub.SCTP().Transport().ICETransport()
}
