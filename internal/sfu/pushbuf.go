package sfu

import (
	"errors"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/rtp"
	"github.com/pion/transport/v5/packetio"
	"github.com/pion/webrtc/v4"
)

// Publisher media without a goroutine per stream. pion decrypts each
// incoming packet on its SRTP (or SRTCP) session's reading goroutine and
// writes it into a buffer per SSRC, which someone must then read:
// TrackRemote.Read for RTP, RTPReceiver.ReadRTCP for RTCP. Read the usual
// way, that is a goroutine per stream, eight for a participant who sends
// three simulcast layers and a microphone, and a hand-over between two
// goroutines for every packet.
//
// The publisher connection's buffers (SettingEngine.BufferFactory) are
// ordinary packet buffers until the SFU binds the stream, so pion can read
// them itself while it works out which track a new SSRC belongs to. Once
// bound, each write also drains the buffer through pion's own reading
// path, interceptors included (the NACK generator, receiver reports and
// transport-wide feedback must see every packet), on the goroutine that
// wrote it, which then forwards the packet. A drain reads only while the
// buffer holds packets, so it never blocks.

// maxDrain bounds one drain, so a read that fails without taking a
// packet cannot spin.
const maxDrain = 64

// pushBuffer is the buffer of one SSRC's RTP or RTCP on a publisher
// connection.
type pushBuffer struct {
	buf    *packetio.Buffer
	owner  *pushBuffers
	rtcp   bool
	ssrc   uint32
	closed atomic.Bool

	// drainMu serialises drains: the first, by bind, and each writer's.
	// Close never takes it: pion closes streams holding the receiver's
	// lock, which a drain may be waiting for.
	drainMu sync.Mutex
	drain   atomic.Pointer[func()]
	ended   atomic.Pointer[func()]
}

func (b *pushBuffer) Read(p []byte) (int, error) {
	n, _, err := b.buf.Read(p, nil)
	return n, err
}

func (b *pushBuffer) ReadWithAttributes(p []byte, a packetio.Attributes) (int, packetio.Attributes, error) {
	return b.buf.Read(p, a)
}

func (b *pushBuffer) Write(p []byte) (int, error) { return b.WriteWithAttributes(p, nil) }

// WriteWithAttributes stores one packet, then, once the stream is bound,
// hands everything stored to the SFU. It runs on pion's session reading
// goroutine.
func (b *pushBuffer) WriteWithAttributes(p []byte, a packetio.Attributes) (int, error) {
	n, err := b.buf.Write(p, a)
	if err != nil {
		return n, err
	}
	if d := b.drain.Load(); d != nil {
		b.drainMu.Lock()
		(*d)()
		b.drainMu.Unlock()
	}
	return n, nil
}

// SetReadDeadline lets pion bound its own reads (RTCP streams).
func (b *pushBuffer) SetReadDeadline(t time.Time) error { return b.buf.SetReadDeadline(t) }

// Close ends the stream: pion closes it when the track stops or the
// connection closes. What bind asked to run at the end runs once, on a
// goroutine of its own (pion holds its locks here).
func (b *pushBuffer) Close() error {
	b.closed.Store(true)
	err := b.buf.Close()
	b.drain.Store(nil)
	b.owner.forget(b)
	if e := b.ended.Swap(nil); e != nil {
		go (*e)()
	}
	return err
}

// pending reports whether the buffer holds a packet.
func (b *pushBuffer) pending() bool { return b.buf.Count() > 0 }

// bind makes the buffer push: drain runs now and after every write, and
// ended (if not nil) runs once when the stream closes, at once if it
// already has.
func (b *pushBuffer) bind(drain, ended func()) {
	b.drainMu.Lock()
	defer b.drainMu.Unlock()
	if ended != nil {
		b.ended.Store(&ended)
	}
	if b.closed.Load() {
		if e := b.ended.Swap(nil); e != nil {
			go (*e)()
		}
		return
	}
	b.drain.Store(&drain)
	drain()
}

// pushBuffers are one publisher connection's buffers, by SSRC, for the
// SFU to find when pion hands it a track.
type pushBuffers struct {
	mu   sync.Mutex
	rtp  map[uint32]*pushBuffer
	rtcp map[uint32]*pushBuffer
}

// factory is the publisher connection's SettingEngine.BufferFactory.
func (bs *pushBuffers) factory(t packetio.BufferPacketType, ssrc uint32) io.ReadWriteCloser {
	b := &pushBuffer{buf: packetio.NewBuffer(), owner: bs, rtcp: t == packetio.RTCPBufferPacket, ssrc: ssrc}
	b.buf.SetLimitSize(1 << 20) // srtp's own limit
	bs.mu.Lock()
	defer bs.mu.Unlock()
	m := bs.byKind(b.rtcp)
	if *m == nil {
		*m = make(map[uint32]*pushBuffer)
	}
	(*m)[ssrc] = b
	return b
}

func (bs *pushBuffers) byKind(rtcp bool) *map[uint32]*pushBuffer {
	if rtcp {
		return &bs.rtcp
	}
	return &bs.rtp
}

// get returns the buffer of ssrc's RTP or RTCP, or nil.
func (bs *pushBuffers) get(ssrc uint32, rtcp bool) *pushBuffer {
	bs.mu.Lock()
	defer bs.mu.Unlock()
	return (*bs.byKind(rtcp))[ssrc]
}

func (bs *pushBuffers) forget(b *pushBuffer) {
	bs.mu.Lock()
	defer bs.mu.Unlock()
	m := *bs.byKind(b.rtcp)
	if m[b.ssrc] == b {
		delete(m, b.ssrc)
	}
}

// bindLayer hands layer l's RTP and RTCP to the SFU: each packet is
// forwarded on the goroutine that decrypted it, and ended runs when the
// layer's stream closes. It reports false if the connection has no
// buffer for the layer's SSRC (it always has: pion makes one per stream).
func (bs *pushBuffers) bindLayer(l *upLayer, recv *webrtc.RTPReceiver, ended func()) bool {
	media := bs.get(l.ssrc, false)
	if media == nil {
		return false
	}
	if ctl := bs.get(l.ssrc, true); ctl != nil {
		ctl.bind(rtcpDrainer(ctl, recv, l.rid), nil)
	}
	media.bind(l.drainer(media), ended)
	return true
}

// drainer returns the function that forwards what b holds of l's RTP.
func (l *upLayer) drainer(b *pushBuffer) func() {
	buf := make([]byte, cacheSlotSize)
	var pkt rtp.Packet
	var sample uint32
	return func() {
		for range maxDrain {
			if !b.pending() {
				return
			}
			n, _, err := l.remote.Read(buf)
			if errors.Is(err, io.EOF) {
				return
			}
			if err != nil {
				continue // a packet pion refused (unknown payload type, say): the next one may do
			}
			l.route(buf[:n], &pkt, &sample)
		}
	}
}

// rtcpDrainer returns the function that reads what b holds of a layer's
// RTCP (sender reports) through the receiver, for its interceptors.
func rtcpDrainer(b *pushBuffer, recv *webrtc.RTPReceiver, rid string) func() {
	return func() {
		for range maxDrain {
			if !b.pending() {
				return
			}
			var err error
			if rid == "" {
				_, _, err = recv.ReadRTCP()
			} else {
				_, _, err = recv.ReadSimulcastRTCP(rid)
			}
			if errors.Is(err, io.EOF) {
				return
			}
		}
	}
}
