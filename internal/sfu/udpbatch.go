package sfu

import (
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"syscall"
)

// The send syscall, not SRTP, is the forwarding path's dearest step
// (MEDIA-NOTES: sendto ≈ 5 µs a packet here, AES-GCM ≈ 0.4 µs). One
// packet from a publisher becomes up to 49 datagrams, one per subscriber,
// written one after another by the same forwarding loop; batchConn lets
// that loop hand them to the kernel in one sendmmsg instead of 49 sendto
// calls (measured on this machine's loopback: 3.4 µs instead of 4.8 µs
// a datagram).
//
// It is the media UDP socket the ICE mux reads and writes. A forwarding
// loop corks it for the length of one fan-out; while any loop has it
// corked, datagrams are copied into a batch, which is sent when the batch
// is full and when a loop uncorks. Uncorked, a write goes straight out.
// Nothing waits on a timer: a datagram is never held longer than the
// fan-out it arrived during.

// maxBatch is the most datagrams sent in one sendmmsg: a fan-out to a
// full room of 50 fits.
const maxBatch = 64

// maxDatagram is the largest datagram a batch slot holds; larger ones (none
// on a path with a 1,500-byte MTU) are sent on their own.
const maxDatagram = 1500

type batchConn struct {
	*net.UDPConn
	raw   syscall.RawConn
	v6    bool // an IPv6 socket: IPv4 peers are written as v4-mapped addresses
	corks atomic.Int32

	mu   sync.Mutex
	cur  *batch   // under mu: the datagrams waiting
	free []*batch // under mu: spare batches, so a flush sends outside mu while writers fill the next
	// (not a sync.Pool: it empties at every GC, and a batch is 100 KB)

	recv recvBatch // datagrams read ahead, for the mux's one reader

	received                    atomic.Uint64 // datagrams read
	sendWaits                   atomic.Uint64 // sends that waited for room in the socket's send buffer
	rxDropped                   atomic.Uint32 // datagrams the kernel dropped on the socket for want of room (Linux: SO_RXQ_OVFL, as last reported)
	batches, datagrams, dropped atomic.Uint64
	segmented                   atomic.Uint64 // datagrams sent as segments of one send (UDP GSO, Linux)
	gsoOff                      atomic.Bool   // the kernel refused a segmented send on this socket
}

// batch is one sendmmsg's worth of datagrams, with the space they are
// copied into (pion reuses its buffer as soon as a write returns) and the
// kernel's message headers for them (udpbatch_linux.go).
type batch struct {
	data  []byte
	lens  [maxBatch]int
	addrs [maxBatch]netip.AddrPort
	n     int
	sys   sysBatch
}

func newBatchConn(c *net.UDPConn) (*batchConn, error) {
	raw, err := c.SyscallConn()
	if err != nil {
		return nil, err
	}
	la, _ := c.LocalAddr().(*net.UDPAddr)
	bc := &batchConn{UDPConn: c, raw: raw, v6: la == nil || la.IP.To4() == nil}
	bc.cur = bc.newBatchLocked()
	setDontFragment(raw)
	enableArrivalStamps(raw)
	return bc, nil
}

// ReadFromAddrPort and WriteToAddrPort make batchConn an
// ice.AddrPortReaderWriter, so the mux uses its allocation-free path.
// Reads come from a batch of datagrams read ahead (udpbatch_linux.go).
// The engine reads through its shards instead (udpshards.go).
func (c *batchConn) ReadFromAddrPort(b []byte) (int, netip.AddrPort, error) {
	d, from, _, err := c.recv.nextDatagram(c)
	return copy(b, d), from, err
}

func (c *batchConn) WriteToAddrPort(b []byte, addr netip.AddrPort) (int, error) {
	if c.corks.Load() == 0 || len(b) > maxDatagram {
		return c.WriteToUDPAddrPort(b, addr)
	}
	c.mu.Lock()
	if c.cur.n == maxBatch {
		c.flushLocked()
		c.mu.Lock()
	}
	bt := c.cur
	copy(bt.data[bt.n*maxDatagram:], b)
	bt.lens[bt.n] = len(b)
	bt.addrs[bt.n] = addr
	bt.n++
	c.mu.Unlock()
	// The last loop may have uncorked (and flushed) between the check
	// above and the append: then nobody else will send this datagram.
	if c.corks.Load() == 0 {
		c.flush()
	}
	return len(b), nil
}

// WriteTo keeps net.PacketConn's WriteTo on the same batching path.
func (c *batchConn) WriteTo(b []byte, addr net.Addr) (int, error) {
	if ua, ok := addr.(*net.UDPAddr); ok {
		return c.WriteToAddrPort(b, ua.AddrPort())
	}
	return c.UDPConn.WriteTo(b, addr)
}

// cork starts a fan-out: writes are batched until uncork.
func (c *batchConn) cork() { c.corks.Add(1) }

// uncork ends a fan-out and sends what is waiting, the loop's own
// datagrams and any other writer's that arrived meanwhile.
func (c *batchConn) uncork() {
	c.corks.Add(-1)
	c.flush()
}

func (c *batchConn) flush() {
	c.mu.Lock()
	if c.cur.n == 0 {
		c.mu.Unlock()
		return
	}
	c.flushLocked()
}

// flushLocked swaps in an empty batch, unlocks and sends the full one,
// so other writers fill the next batch during the syscall.
func (c *batchConn) flushLocked() {
	bt := c.cur
	c.cur = c.newBatchLocked()
	c.mu.Unlock()
	c.batches.Add(1)
	c.datagrams.Add(uint64(bt.n))
	if dropped := c.send(bt); dropped > 0 {
		c.dropped.Add(uint64(dropped))
	}
	bt.n = 0
	c.mu.Lock()
	c.free = append(c.free, bt)
	c.mu.Unlock()
}

// newBatchLocked takes a spare batch, or makes one: there are as many as
// flushes ever ran at once, a handful.
func (c *batchConn) newBatchLocked() *batch {
	if n := len(c.free); n > 0 {
		bt := c.free[n-1]
		c.free = c.free[:n-1]
		return bt
	}
	return &batch{data: make([]byte, maxBatch*maxDatagram)}
}
