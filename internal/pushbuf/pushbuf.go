// Package pushbuf reads incoming media without a goroutine per stream.
//
// pion decrypts each incoming packet on its SRTP (or SRTCP) session's
// reading goroutine and writes it into a buffer per SSRC, which someone
// must then read: TrackRemote.Read for RTP, RTPReceiver.ReadRTCP or
// RTPSender.ReadRTCP for RTCP. Read the usual way, that is a goroutine per
// stream, and a hand-over between two goroutines for every packet.
//
// A connection whose SettingEngine.BufferFactory is a Set's Factory gets
// buffers that are ordinary packet buffers until they are bound, so pion
// can read them itself while it works out which track a new SSRC belongs
// to. Once bound, each write also drains the buffer through pion's own
// reading path, interceptors included (NACKs, reports and transport-wide
// feedback must see every packet), on the goroutine that wrote it. A drain
// reads only while the buffer holds packets, so it never blocks.
package pushbuf

import (
	"errors"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/transport/v5/packetio"
)

// maxDrain bounds one drain, so a read that fails without taking a
// packet cannot spin.
const maxDrain = 64

// limit is srtp's own limit on what one stream's buffer holds.
const limit = 1 << 20

// Buffer is the buffer of one SSRC's RTP or RTCP.
type Buffer struct {
	buf    *packetio.Buffer
	owner  *Set
	rtcp   bool
	ssrc   uint32
	closed atomic.Bool

	// drainMu serialises drains: the first, by Bind, and each writer's.
	// Close never takes it: pion closes streams holding a receiver's lock,
	// which a drain may be waiting for.
	drainMu sync.Mutex
	drain   atomic.Pointer[func()]
	ended   atomic.Pointer[func()]
}

func (b *Buffer) Read(p []byte) (int, error) {
	n, _, err := b.buf.Read(p, nil)
	return n, err
}

// ReadWithAttributes is what srtp calls when a buffer has it.
func (b *Buffer) ReadWithAttributes(p []byte, a packetio.Attributes) (int, packetio.Attributes, error) {
	return b.buf.Read(p, a)
}

func (b *Buffer) Write(p []byte) (int, error) { return b.WriteWithAttributes(p, nil) }

// WriteWithAttributes stores one packet, then, once the buffer is bound,
// drains it. It runs on pion's session reading goroutine.
func (b *Buffer) WriteWithAttributes(p []byte, a packetio.Attributes) (int, error) {
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

// Hold lets the caller hand the stream's reader a packet pion never saw
// (read past pion, as the SFU does once a connection is up): it reports
// whether the buffer is bound and open, and if so holds off every other
// drain until Release, which then drains what pion queued meanwhile.
func (b *Buffer) Hold() bool {
	b.drainMu.Lock()
	if b.drain.Load() == nil || b.closed.Load() {
		b.drainMu.Unlock()
		return false
	}
	return true
}

// Release ends a Hold that succeeded.
func (b *Buffer) Release() {
	if d := b.drain.Load(); d != nil && b.buf.Count() > 0 {
		(*d)()
	}
	b.drainMu.Unlock()
}

// Closed reports whether the stream has ended.
func (b *Buffer) Closed() bool { return b.closed.Load() }

// SetReadDeadline lets pion bound its own reads (RTCP streams).
func (b *Buffer) SetReadDeadline(t time.Time) error { return b.buf.SetReadDeadline(t) }

// Close ends the stream: pion closes it when the track stops or the
// connection closes. What Bind asked to run at the end runs once, on a
// goroutine of its own (pion holds its locks here).
func (b *Buffer) Close() error {
	b.closed.Store(true)
	err := b.buf.Close()
	b.drain.Store(nil)
	b.owner.forget(b)
	if e := b.ended.Swap(nil); e != nil {
		go (*e)()
	}
	return err
}

// Bind makes the buffer push: from now on, and at once for what it holds,
// each packet written is taken by read, which must read one through pion
// (TrackRemote.Read, RTPReceiver.ReadRTCP, ...), on the writer's
// goroutine. ended (if not nil) runs once when the stream closes, at once
// if it already has.
func (b *Buffer) Bind(read func() error, ended func()) {
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
	d := func() { drain(b, read) }
	b.drain.Store(&d)
	d()
}

// drain calls read while b holds packets, up to a bound, and stops at the
// end of the stream. A read that fails otherwise (pion refused one
// packet) does not stop it.
func drain(b *Buffer, read func() error) {
	for range maxDrain {
		if b.buf.Count() == 0 {
			return
		}
		if err := read(); errors.Is(err, io.EOF) {
			return
		}
	}
}

// Set is one connection's buffers, by SSRC, for whoever binds them when
// pion hands over a track. The zero Set is ready to use.
type Set struct {
	mu   sync.Mutex
	rtp  map[uint32]*Buffer
	rtcp map[uint32]*Buffer
}

// Factory is the connection's SettingEngine.BufferFactory.
func (s *Set) Factory(t packetio.BufferPacketType, ssrc uint32) io.ReadWriteCloser {
	b := &Buffer{buf: packetio.NewBuffer(), owner: s, rtcp: t == packetio.RTCPBufferPacket, ssrc: ssrc}
	b.buf.SetLimitSize(limit)
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.byKind(b.rtcp)
	if *m == nil {
		*m = make(map[uint32]*Buffer)
	}
	(*m)[ssrc] = b
	return b
}

func (s *Set) byKind(rtcp bool) *map[uint32]*Buffer {
	if rtcp {
		return &s.rtcp
	}
	return &s.rtp
}

// RTP returns the buffer of ssrc's RTP, or nil.
func (s *Set) RTP(ssrc uint32) *Buffer { return s.get(ssrc, false) }

// RTCP returns the buffer of ssrc's RTCP, or nil.
func (s *Set) RTCP(ssrc uint32) *Buffer { return s.get(ssrc, true) }

func (s *Set) get(ssrc uint32, rtcp bool) *Buffer {
	s.mu.Lock()
	defer s.mu.Unlock()
	return (*s.byKind(rtcp))[ssrc]
}

func (s *Set) forget(b *Buffer) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := *s.byKind(b.rtcp)
	if m[b.ssrc] == b {
		delete(m, b.ssrc)
	}
}
