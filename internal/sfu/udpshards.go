package sfu

import (
	"errors"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
)

// The media port is one UDP socket per core (SO_REUSEPORT, Linux), each
// read by its own goroutine. A publisher's media is forwarded by the
// goroutine that reads it (directrecv.go), so the sockets are how the
// forwarding spreads over the cores: the kernel keeps each sender on one
// socket, so each stream's packets stay in order. What is not read
// directly (STUN, DTLS, RTCP, media not yet bound) goes to pion's ICE
// mux, which reads every socket's through one queue. Sends all leave by
// the first socket, whose batch (udpbatch.go) collects them: the port is
// the same.

// pionQueue is how many datagrams may wait for pion's mux; a reader
// waits when it is full, as it would on the socket.
const pionQueue = 1024

// udpShards is the media port's sockets and their readers.
type udpShards struct {
	socks  []*batchConn
	in     *inbound
	toPion chan *heldDatagram
	done   chan struct{}
	once   sync.Once
	wg     sync.WaitGroup
	errors atomic.Uint64 // reads that failed other than by closing
}

// heldDatagram is a datagram on its way to pion.
type heldDatagram struct {
	b    [recvSlot]byte
	n    int
	from netip.AddrPort
}

var heldDatagrams = sync.Pool{New: func() any { return new(heldDatagram) }}

// newUDPShards starts reading socks, handing in what it reads directly.
func newUDPShards(socks []*batchConn, in *inbound) *udpShards {
	s := &udpShards{socks: socks, in: in, toPion: make(chan *heldDatagram, pionQueue), done: make(chan struct{})}
	s.wg.Add(len(socks))
	for _, c := range socks {
		go s.read(c)
	}
	return s
}

// read is one socket's reader.
func (s *udpShards) read(c *batchConn) {
	defer s.wg.Done()
	for {
		d, from, at, err := c.recv.nextDatagram(c)
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			// An ICMP error reported on the socket, say: the next read
			// goes on; a socket that only fails is closed soon by Close.
			s.errors.Add(1)
			select {
			case <-s.done:
				return
			default:
			}
			continue
		}
		if s.in.take(d, from, at) {
			continue
		}
		h := heldDatagrams.Get().(*heldDatagram)
		h.n, h.from = copy(h.b[:], d), from
		select {
		case s.toPion <- h:
		case <-s.done:
			return
		}
	}
}

// close closes every socket and waits for the readers.
func (s *udpShards) close() error {
	var err error
	s.once.Do(func() {
		close(s.done)
		for _, c := range s.socks {
			err = errors.Join(err, c.Close())
		}
		s.wg.Wait()
	})
	return err
}

// pionConn is the media port as pion's ICE mux sees it: reads from the
// shards' queue, writes, deadlines and the address of the first socket.
type pionConn struct {
	*batchConn
	s *udpShards
}

func (c *pionConn) ReadFromAddrPort(b []byte) (int, netip.AddrPort, error) {
	select {
	case h := <-c.s.toPion:
		n, from := copy(b, h.b[:h.n]), h.from
		heldDatagrams.Put(h)
		return n, from, nil
	case <-c.s.done:
		return 0, netip.AddrPort{}, net.ErrClosed
	}
}

func (c *pionConn) ReadFrom(b []byte) (int, net.Addr, error) {
	n, from, err := c.ReadFromAddrPort(b)
	if err != nil {
		return 0, nil, err
	}
	return n, net.UDPAddrFromAddrPort(from), nil
}

// Close closes every socket of the port.
func (c *pionConn) Close() error { return c.s.close() }
