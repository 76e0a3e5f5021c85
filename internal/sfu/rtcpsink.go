package sfu

import (
	"bytes"
	"io"
	"sync"

	"github.com/pion/rtcp"
	"github.com/pion/transport/v5/packetio"
	"github.com/pion/webrtc/v4"
)

// Subscriber feedback without a goroutine per track. pion hands each
// incoming RTCP packet, decrypted, to a buffer per SSRC, which someone must
// read (RTPSender.ReadRTCP): a goroutine per track a subscriber receives,
// 98 of them for each person in a room of 50. Instead the subscriber
// connection gets its own buffer factory (SettingEngine.BufferFactory, as
// LiveKit does): its RTCP "buffers" are sinks that hand each packet to the
// down track with that SSRC at once, on pion's SRTCP reading goroutine,
// and keep nothing. Nothing reads them.

// rtcpSink receives the RTCP addressed to one SSRC of a subscriber
// connection.
type rtcpSink struct {
	peer   *Peer
	ssrc   uint32
	once   sync.Once
	closed chan struct{}
}

// Write handles one RTCP compound packet. pion writes the whole compound
// to the sink of every SSRC it names, so the down track takes only what
// is addressed to its own. b is pion's buffer: not kept.
func (s *rtcpSink) Write(b []byte) (int, error) {
	if d := s.peer.downBySSRC(s.ssrc); d != nil {
		if pkts, err := s.peer.rtcpIn.parse(b); err == nil {
			d.handleRTCP(pkts, s.ssrc)
		}
	}
	return len(b), nil
}

// rtcpParse parses each compound packet once for all the sinks it goes
// to. A subscriber's receiver report names every stream it receives, so
// pion hands it to as many sinks, one after another, on the connection's
// one SRTCP reading goroutine: on fanout, 25 parses of the same 25
// report blocks, 1,850 parses a second and most of the server's garbage.
type rtcpParse struct {
	mu   sync.Mutex
	raw  []byte        // the last compound, copied
	pkts []rtcp.Packet // and what it parsed to; never changed once returned
}

// parse returns b's packets, parsing b unless it is the last compound
// again. Equal bytes parse to equal packets, so a later compound that
// happens to repeat the last one byte for byte is served correctly too.
func (c *rtcpParse) parse(b []byte) ([]rtcp.Packet, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.pkts != nil && bytes.Equal(b, c.raw) {
		return c.pkts, nil
	}
	pkts, err := rtcp.Unmarshal(b)
	if err != nil {
		c.pkts = nil
		return nil, err
	}
	c.raw = append(c.raw[:0], b...)
	c.pkts = pkts
	return pkts, nil
}

// Read blocks until the sink is closed: nobody reads a sink.
func (s *rtcpSink) Read([]byte) (int, error) {
	<-s.closed
	return 0, io.EOF
}

func (s *rtcpSink) Close() error {
	s.once.Do(func() { close(s.closed) })
	return nil
}

// rtpBuffer is an ordinary packet buffer, for the RTP streams (a
// subscriber connection receives none, but pion asks the same factory).
type rtpBuffer struct{ *packetio.Buffer }

func (b rtpBuffer) Read(p []byte) (int, error) {
	n, _, err := b.Buffer.Read(p, nil)
	return n, err
}

func (b rtpBuffer) Write(p []byte) (int, error) { return b.Buffer.Write(p, nil) }

// bufferFactory is the subscriber connection's SettingEngine.BufferFactory.
func (p *Peer) bufferFactory(t packetio.BufferPacketType, ssrc uint32) io.ReadWriteCloser {
	if t == packetio.RTCPBufferPacket {
		return &rtcpSink{peer: p, ssrc: ssrc, closed: make(chan struct{})}
	}
	b := packetio.NewBuffer()
	b.SetLimitSize(1 << 20) // srtp's own limit
	return rtpBuffer{b}
}

// downBySSRC finds the down track sending on ssrc.
func (p *Peer) downBySSRC(ssrc uint32) *downTrack {
	p.ssrcMu.RLock()
	defer p.ssrcMu.RUnlock()
	return p.bySSRC[ssrc]
}

// firstBoundSSRC returns the first of ssrcs that a down track sends on,
// or 0 when none is.
func (p *Peer) firstBoundSSRC(ssrcs []uint32) uint32 {
	p.ssrcMu.RLock()
	defer p.ssrcMu.RUnlock()
	for _, s := range ssrcs {
		if p.bySSRC[s] != nil {
			return s
		}
	}
	return 0
}

// bindSSRC records which down track sends on ssrc (nil: none any more).
func (p *Peer) bindSSRC(ssrc uint32, d *downTrack) {
	p.ssrcMu.Lock()
	defer p.ssrcMu.Unlock()
	if d == nil {
		delete(p.bySSRC, ssrc)
		return
	}
	if p.bySSRC == nil {
		p.bySSRC = make(map[uint32]*downTrack)
	}
	p.bySSRC[ssrc] = d
}

// subscriberSettings are the engine's settings with p's buffer factory,
// and the DTLS hooks that give p's direct sends their keys (direct.go).
func (e *Engine) subscriberSettings(p *Peer) webrtc.SettingEngine {
	s := e.settings
	s.BufferFactory = p.bufferFactory
	s.SetDTLSKeyLogWriter(&p.out.keys)
	s.SetDTLSServerHelloMessageHook(p.out.keys.serverHello)
	return s
}
