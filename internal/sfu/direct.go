package sfu

import (
	"crypto/sha256"
	"crypto/sha512"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/pion/dtls/v3"
	"github.com/pion/dtls/v3/pkg/crypto/prf"
	"github.com/pion/dtls/v3/pkg/protocol/extension"
	"github.com/pion/dtls/v3/pkg/protocol/handshake"
	"github.com/pion/rtp"
	"github.com/pion/srtp/v3"
	"github.com/pion/webrtc/v4"

	"github.com/roomsdev/rooms/internal/srtpgcm"
)

// Direct sends. Every packet forwarded to a subscriber used to pass
// through pion's writer chain: the track's writer, the RTP sender, the
// SRTP session (its lock, a pooled buffer, a marshal), the DTLS mux
// endpoint, the ICE connection (a clock read per packet for its
// statistics), the candidate pair and the UDP mux's per-connection
// wrapper, before reaching the socket. On the fanout shape that chain
// was a fifth of the server's CPU, as much as the encryption and
// batching it leads to.
//
// So a subscriber connection, once it is up, encrypts its RTP itself
// with keys made from the same DTLS handshake (the AES-GCM profiles
// through internal/srtpgcm, the others through pion's SRTP context), and
// writes the result straight to the media socket's send batch
// (udpbatch.go), or to the ICE-TCP connection of its selected candidate
// pair (tcpconn.go). RTCP still goes through pion, on its own SRTCP
// context.
//
// pion does not hand out a connection's SRTP keys, but it lets its
// settings watch the DTLS handshake: the key log gives the client's
// random and the master secret, and the ServerHello hook the server's
// random, the cipher suite and the SRTP profile. From those the keys
// are the RFC 5764 exporter, as pion computes them. This works when the
// server is the DTLS server, which it is on every subscriber connection
// it offers (browsers and the Go client answer "active"); otherwise,
// and until the connection is up, packets take pion's path.
//
// The keys never leave this struct; they are what pion itself holds in
// memory for the same connection.

// directSender is one subscriber connection's direct send state.
type directSender struct {
	keys keyCatcher

	// route is where packets go now; nil while they take pion's path.
	route atomic.Pointer[directRoute]

	// mu guards what follows: the streams' SRTP state is not safe for
	// concurrent use, and every down track of the connection shares the
	// sender. With the AES-GCM profiles (every browser's) gcm seals and
	// each stream's state is in streams, found once by each down track
	// (sendStream); with the others pion's context (ctx) does it all.
	mu      sync.Mutex
	gcm     *srtpgcm.Cipher
	streams map[uint32]*srtpgcm.Stream
	ctx     *srtp.Context
	hdr     rtp.Header // scratch: EncryptRTP parses the header into it
	// pair is the selected candidate pair last reported, kept for when
	// the keys are ready (pairs are chosen before DTLS finishes).
	pair *webrtc.ICECandidatePair
}

// directRoute is a destination on the engine's own sockets.
type directRoute struct {
	batch *batchConn
	udp   netip.AddrPort // when tcp is nil
	tcp   *queuedConn
}

// directBufs hold one packet being marshalled and encrypted: room for
// the ICE-TCP length, a full datagram, padding and the tag.
var directBufs = sync.Pool{New: func() any {
	b := make([]byte, 2048)
	return &b
}}

// tcpFrame is the RFC 4571 length before each packet on ICE-TCP.
const tcpFrame = 2

// sendStream is a down track's handle on the sender's state for one of
// its SSRCs: filled on its first direct send, so later ones need no
// lookup. The down track's lock guards it.
type sendStream struct {
	ssrc uint32
	// st is the stream's state. It is atomic only so that the fan-out can
	// prefetch it without the sender's lock (fanout.go), as it does
	// warmGCM, the cipher that last sealed it: a stale one costs a wasted
	// prefetch, nothing more.
	st      atomic.Pointer[srtpgcm.Stream]
	warmGCM atomic.Pointer[srtpgcm.Cipher]
}

// send encrypts one RTP packet and writes it on route r. ok is false
// when it cannot (the packet does not fit, or the context refuses it);
// the caller then uses pion's path. ss is the down track's handle on the
// packet's stream.
func (s *directSender) send(r *directRoute, h *rtp.Header, payload []byte, ss *sendStream) (n int, ok bool) {
	bp := directBufs.Get().(*[]byte)
	defer directBufs.Put(bp)
	buf := (*bp)[tcpFrame:]
	size, hdrLen := marshalRTP(buf, h, payload)
	if size == 0 {
		return 0, false
	}
	var enc []byte
	var err error
	s.mu.Lock()
	switch {
	case s.gcm != nil:
		st := ss.st.Load()
		if st == nil || ss.ssrc != h.SSRC {
			st = s.streamLocked(h.SSRC)
			ss.ssrc = h.SSRC
			ss.st.Store(st)
		}
		if ss.warmGCM.Load() != s.gcm {
			ss.warmGCM.Store(s.gcm)
		}
		enc, err = s.gcm.Seal(buf[:size], hdrLen, st)
	case s.ctx != nil:
		enc, err = s.ctx.EncryptRTP(buf[:0], buf[:size], &s.hdr)
	default:
		s.mu.Unlock()
		return 0, false
	}
	s.mu.Unlock()
	if err != nil || len(enc) > len(buf) || &enc[0] != &buf[0] {
		return 0, false
	}
	if r.tcp != nil {
		frame := (*bp)[:tcpFrame+len(enc)]
		binary.BigEndian.PutUint16(frame, uint16(len(enc)))
		if _, err := r.tcp.Write(frame); err != nil {
			return 0, false
		}
		return size, true
	}
	if _, err := r.batch.WriteToAddrPort(enc, r.udp); err != nil {
		return 0, false
	}
	return size, true
}

// streamLocked is stream ssrc's state, made on its first packet. It
// outlives the down track that sent it, as a receiver's SRTP state
// outlives a transceiver being reused for another track: both must keep
// numbering the SSRC's packets alike. s.mu is held.
func (s *directSender) streamLocked(ssrc uint32) *srtpgcm.Stream {
	st := s.streams[ssrc]
	if st == nil {
		if s.streams == nil {
			s.streams = make(map[uint32]*srtpgcm.Stream)
		}
		st = new(srtpgcm.Stream)
		s.streams[ssrc] = st
	}
	return st
}

// marshalRTP writes header h, payload and h's padding into buf, and
// returns the packet's length and its header's, or 0 when it (and the
// tag after it) would not fit.
func marshalRTP(buf []byte, h *rtp.Header, payload []byte) (size, hdrLen int) {
	pad := 0
	if h.Padding {
		pad = int(h.PaddingSize)
	}
	size = h.MarshalSize() + len(payload) + pad
	if size+srtpMaxTag > len(buf) || (h.Padding && pad == 0) {
		return 0, 0
	}
	n, err := h.MarshalTo(buf)
	if err != nil {
		return 0, 0
	}
	hdrLen = n
	n += copy(buf[n:], payload)
	if pad > 0 {
		clear(buf[n : n+pad-1])
		buf[n+pad-1] = byte(pad)
		n += pad
	}
	return n, hdrLen
}

// srtpMaxTag is the longest authentication tag of the SRTP profiles
// (AES-GCM's 16 bytes; HMAC-SHA1-80 is 10).
const srtpMaxTag = 16

// setPair records the connection's selected candidate pair and, when the
// keys are ready, routes packets to it.
func (s *directSender) setPair(e *Engine, pair *webrtc.ICECandidatePair) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pair = pair
	if s.keyedLocked() {
		s.route.Store(e.routeFor(pair))
	}
}

// keyedLocked reports whether the SRTP keys are made. s.mu is held.
func (s *directSender) keyedLocked() bool { return s.gcm != nil || s.ctx != nil }

// start makes the SRTP context once the connection is up, and routes
// packets to the selected pair (current, if none was reported yet).
func (s *directSender) start(e *Engine, current *webrtc.ICECandidatePair) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.keyedLocked() {
		key, salt, profile, err := s.keys.serverKeys()
		if err != nil {
			return err
		}
		if err := s.setKeysLocked(key, salt, profile); err != nil {
			return err
		}
		s.keys.forget()
	}
	if s.pair == nil {
		s.pair = current
	}
	s.route.Store(e.routeFor(s.pair))
	return nil
}

// setKeysLocked makes the sending side's SRTP from the connection's
// server write key and salt: our own AES-GCM sealing for the GCM
// profiles, pion's context for the others. s.mu is held.
func (s *directSender) setKeysLocked(key, salt []byte, profile srtp.ProtectionProfile) error {
	var err error
	switch profile {
	case srtp.ProtectionProfileAeadAes128Gcm, srtp.ProtectionProfileAeadAes256Gcm:
		s.gcm, err = srtpgcm.New(key, salt)
	default:
		s.ctx, err = srtp.CreateContext(key, salt, profile)
	}
	if err != nil {
		return fmt.Errorf("srtp context: %w", err)
	}
	return nil
}

// routeFor is where the engine's sockets reach the remote end of pair,
// or nil: no pair, a candidate on another socket, an address that is not
// an IP.
func (e *Engine) routeFor(pair *webrtc.ICECandidatePair) *directRoute {
	to, ok := pairRemote(pair)
	if !ok {
		return nil
	}
	switch pair.Local.Protocol {
	case webrtc.ICEProtocolUDP:
		if e.batch == nil {
			return nil
		}
		return &directRoute{batch: e.batch, udp: to}
	case webrtc.ICEProtocolTCP:
		if c := e.tcpConns.get(to); c != nil {
			return &directRoute{tcp: c}
		}
	}
	return nil
}

// pairRemote is the remote address of a candidate pair, as the engine's
// sockets see it; false if there is no pair or its address is not an IP.
func pairRemote(pair *webrtc.ICECandidatePair) (netip.AddrPort, bool) {
	if pair == nil || pair.Local == nil || pair.Remote == nil {
		return netip.AddrPort{}, false
	}
	ip, err := netip.ParseAddr(pair.Remote.Address)
	if err != nil {
		return netip.AddrPort{}, false
	}
	return netip.AddrPortFrom(ip.Unmap(), pair.Remote.Port), true
}

// keyCatcher collects, from one DTLS handshake, what the SRTP keys are
// made from (see the comment at the top).
type keyCatcher struct {
	mu           sync.Mutex
	clientRandom []byte
	master       []byte
	serverRandom []byte
	suite        uint16
	profile      dtls.SRTPProtectionProfile
}

// Write takes the key log's line: "CLIENT_RANDOM <hex> <hex>".
func (k *keyCatcher) Write(line []byte) (int, error) {
	f := strings.Fields(string(line))
	if len(f) == 3 && f[0] == "CLIENT_RANDOM" {
		cr, err1 := hex.DecodeString(f[1])
		ms, err2 := hex.DecodeString(f[2])
		if err1 == nil && err2 == nil {
			k.mu.Lock()
			k.clientRandom, k.master = cr, ms
			k.mu.Unlock()
		}
	}
	return len(line), nil
}

// serverHello is the DTLS ServerHello hook: it reads the message and
// sends it unchanged.
func (k *keyCatcher) serverHello(m handshake.MessageServerHello) handshake.Message {
	r := m.Random.MarshalFixed()
	k.mu.Lock()
	k.serverRandom = r[:]
	if m.CipherSuiteID != nil {
		k.suite = *m.CipherSuiteID
	}
	k.profile = 0
	for _, ext := range m.Extensions {
		if u, ok := ext.(*extension.UseSRTP); ok && len(u.ProtectionProfiles) == 1 {
			k.profile = dtls.SRTPProtectionProfile(u.ProtectionProfiles[0])
		}
	}
	k.mu.Unlock()
	return &m
}

// forget drops the master secret once the keys are made: nothing needs
// it again, and a secret not held cannot leak.
func (k *keyCatcher) forget() {
	k.mu.Lock()
	clear(k.master)
	k.master = nil
	k.mu.Unlock()
}

var errNoKeys = errors.New("the DTLS handshake was not seen from the server side")

// exporterLabel is RFC 5764's label for SRTP keys.
const exporterLabel = "EXTRACTOR-dtls_srtp"

// serverKeys are the server's SRTP write key, salt and profile: what it
// sends with.
func (k *keyCatcher) serverKeys() (key, salt []byte, profile srtp.ProtectionProfile, err error) {
	return k.writeKeys(true)
}

// clientKeys are the DTLS client's write key, salt and profile: what the
// server receives with (directrecv.go).
func (k *keyCatcher) clientKeys() (key, salt []byte, profile srtp.ProtectionProfile, err error) {
	return k.writeKeys(false)
}

// writeKeys are one side's SRTP write key, salt and profile.
func (k *keyCatcher) writeKeys(server bool) (key, salt []byte, profile srtp.ProtectionProfile, err error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.master == nil || k.serverRandom == nil || k.profile == 0 {
		return nil, nil, 0, errNoKeys
	}
	switch k.profile {
	case dtls.SRTP_AEAD_AES_128_GCM:
		profile = srtp.ProtectionProfileAeadAes128Gcm
	case dtls.SRTP_AEAD_AES_256_GCM:
		profile = srtp.ProtectionProfileAeadAes256Gcm
	case dtls.SRTP_AES128_CM_HMAC_SHA1_80:
		profile = srtp.ProtectionProfileAes128CmHmacSha1_80
	case dtls.SRTP_AES128_CM_HMAC_SHA1_32:
		profile = srtp.ProtectionProfileAes128CmHmacSha1_32
	default:
		return nil, nil, 0, fmt.Errorf("srtp profile %#x", uint16(k.profile))
	}
	keyLen, err := profile.KeyLen()
	if err != nil {
		return nil, nil, 0, err
	}
	saltLen, err := profile.SaltLen()
	if err != nil {
		return nil, nil, 0, err
	}
	seed := append([]byte(exporterLabel), k.clientRandom...)
	seed = append(seed, k.serverRandom...)
	// RFC 5764 4.2: client key, server key, client salt, server salt.
	m, err := prf.PHash(k.master, seed, 2*(keyLen+saltLen), k.prfHash())
	if err != nil {
		return nil, nil, 0, err
	}
	if server {
		return m[keyLen : 2*keyLen], m[2*keyLen+saltLen:], profile, nil
	}
	return m[:keyLen], m[2*keyLen : 2*keyLen+saltLen], profile, nil
}

// prfHash is the cipher suite's PRF hash: SHA-384 for the AES-256-GCM
// suites, SHA-256 for every other suite pion offers.
func (k *keyCatcher) prfHash() prf.HashFunc {
	switch dtls.CipherSuiteID(k.suite) {
	case dtls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, dtls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384:
		return func() hash.Hash { return sha512.New384() }
	}
	return sha256.New
}

// startDirect turns direct sends on for p's subscriber connection, which
// has just come up. Where it cannot, packets keep taking pion's path.
func (p *Peer) startDirect() {
	// Asked before start takes its lock: the ICE agent holds its own
	// while it reports a pair change, which takes that lock.
	pair, _ := p.subICE().GetSelectedCandidatePair()
	if err := p.out.start(p.room.engine, pair); err != nil {
		p.log.Debug("direct sends off", "err", err)
	}
}

// subICE is the ICE transport of p's subscriber connection.
func (p *Peer) subICE() *webrtc.ICETransport {
	return p.sub.SCTP().Transport().ICETransport()
}

// writeRTP sends one packet of the down track: directly once the
// subscriber connection is up, through pion until then.
func (d *downTrack) writeRTP(h *rtp.Header, payload []byte) (int, error) {
	if r := d.sub.out.route.Load(); r != nil {
		ss := &d.srtp[0]
		if h.SSRC != d.ssrc {
			ss = &d.srtp[1] // RTX
		}
		if n, ok := d.sub.out.send(r, h, payload, ss); ok {
			return n, nil
		}
	}
	if d.sub.out.wrapped(h.SSRC) {
		return 0, errNoRoute
	}
	return d.ws.WriteRTP(h, payload)
}

// errNoRoute: the packet could not be sent directly, and pion's path
// cannot take it either.
var errNoRoute = errors.New("no direct route, and pion's SRTP would number this stream wrong")

// wrapped reports whether the stream ssrc has been sent directly for
// long enough that its sequence numbers wrapped. pion's own SRTP context
// has never seen the stream, so it would encrypt with a rollover count
// of 0 where the subscriber expects more, and every packet would fail
// its authentication: such a packet is better dropped (lost, as on a
// path that is down) while no direct route exists, which is rare: a
// connection that moved to ICE-TCP and whose connection is not known.
func (s *directSender) wrapped(ssrc uint32) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.gcm != nil {
		st := s.streams[ssrc]
		return st != nil && st.ROC() > 0
	}
	if s.ctx == nil {
		return false
	}
	roc, ok := s.ctx.ROC(ssrc)
	return ok && roc > 0
}
