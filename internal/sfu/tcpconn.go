package sfu

import (
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
)

// ICE-TCP connections that never hold forwarding back. A write to a UDP
// socket returns at once; a write to a TCP connection waits while the
// peer's window is full. pion writes each packet of an ICE-TCP
// subscriber straight to its connection from the goroutine that reads
// the publisher, so one subscriber on a bad TCP link would stall that
// publisher for everyone. Each accepted connection therefore gets a
// bounded queue and its own writer: a packet that finds the queue full is
// dropped, as a congested UDP path drops it, and the subscriber's NACK or
// PLI recovers.

// tcpQueueLen bounds the packets waiting for one TCP connection: about a
// second of a 720p layer.
const tcpQueueLen = 256

// tcpSendBuffer is the kernel send buffer asked for on each connection:
// what it holds is latency the queue's dropping cannot shorten.
const tcpSendBuffer = 256 << 10

// tcpListener makes every accepted connection a queuedConn.
type tcpListener struct {
	net.Listener
	dropped *atomic.Uint64
	conns   *tcpConns // where direct sends find them (direct.go); may be nil
}

func (l tcpListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	if tc, ok := c.(*net.TCPConn); ok {
		_ = tc.SetWriteBuffer(tcpSendBuffer)
		_ = tc.SetNoDelay(true)
	}
	qc := newQueuedConn(c, l.dropped)
	if l.conns != nil {
		qc.conns = l.conns
		l.conns.add(qc)
	}
	return qc, nil
}

// queuedConn is a connection whose writes never block (see above). Each
// Write must be one whole framed packet (RFC 4571), as pion writes them,
// so dropping one never breaks the framing.
type queuedConn struct {
	net.Conn
	q       chan *[]byte
	closed  chan struct{}
	once    sync.Once
	dropped *atomic.Uint64
	conns   *tcpConns
}

var tcpBufs = sync.Pool{New: func() any {
	b := make([]byte, 0, cacheSlotSize+2)
	return &b
}}

func newQueuedConn(c net.Conn, dropped *atomic.Uint64) *queuedConn {
	qc := &queuedConn{Conn: c, q: make(chan *[]byte, tcpQueueLen), closed: make(chan struct{}), dropped: dropped}
	go qc.writeLoop()
	return qc
}

// Write queues a copy of b, or drops it when the queue is full.
func (c *queuedConn) Write(b []byte) (int, error) {
	select {
	case <-c.closed:
		return 0, net.ErrClosed
	default:
	}
	buf := tcpBufs.Get().(*[]byte)
	*buf = append((*buf)[:0], b...)
	select {
	case c.q <- buf:
	default:
		tcpBufs.Put(buf)
		c.dropped.Add(1)
	}
	return len(b), nil
}

func (c *queuedConn) writeLoop() {
	for {
		select {
		case <-c.closed:
			return
		case b := <-c.q:
			_, err := c.Conn.Write(*b)
			tcpBufs.Put(b)
			if err != nil {
				_ = c.Close()
				return
			}
		}
	}
}

func (c *queuedConn) Close() error {
	c.once.Do(func() {
		close(c.closed)
		if c.conns != nil {
			c.conns.remove(c)
		}
	})
	return c.Conn.Close()
}

// remoteAddrPort is c's remote address as a candidate pair names it.
func remoteAddrPort(c net.Conn) (netip.AddrPort, bool) {
	ta, ok := c.RemoteAddr().(*net.TCPAddr)
	if !ok {
		return netip.AddrPort{}, false
	}
	a := ta.AddrPort()
	return netip.AddrPortFrom(a.Addr().Unmap(), a.Port()), true
}

// tcpConns finds the accepted ICE-TCP connection a candidate pair uses,
// by the remote address.
type tcpConns struct {
	mu    sync.Mutex
	conns map[netip.AddrPort]*queuedConn
}

func (t *tcpConns) add(c *queuedConn) {
	a, ok := remoteAddrPort(c)
	if !ok {
		return
	}
	t.mu.Lock()
	if t.conns == nil {
		t.conns = make(map[netip.AddrPort]*queuedConn)
	}
	t.conns[a] = c
	t.mu.Unlock()
}

func (t *tcpConns) remove(c *queuedConn) {
	a, ok := remoteAddrPort(c)
	if !ok {
		return
	}
	t.mu.Lock()
	if t.conns[a] == c {
		delete(t.conns, a)
	}
	t.mu.Unlock()
}

func (t *tcpConns) get(a netip.AddrPort) *queuedConn {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.conns[a]
}
