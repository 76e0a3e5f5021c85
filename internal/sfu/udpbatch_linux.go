package sfu

import (
	"context"
	"net"
	"net/netip"
	"os"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// sysBatch is a batch's sendmmsg(2) arguments, kept with it so a flush
// allocates nothing: call is made once per batch, not per flush (a
// closure made per flush escapes to the heap through RawConn.Write).
type sysBatch struct {
	hdrs  [maxBatch]unix.Mmsghdr
	iovs  [maxBatch]unix.Iovec            // one per datagram, hdrs[k] taking segs[k] of them from first[k]
	names [maxBatch]unix.RawSockaddrInet6 // large enough for an IPv4 address too
	cmsgs [maxBatch][gsoCmsgSpace]byte    // UDP_SEGMENT, for a header that carries several datagrams
	first [maxBatch]int
	segs  [maxBatch]int

	off, n int        // the headers still to send: hdrs[off:n]
	sent   int        // what the last call sent
	errno  unix.Errno // and its error
	full   bool       // the last call found the send buffer full
	call   func(fd uintptr) bool
}

// sendmmsg is one sendmmsg(2) of hdrs[off:n], as RawConn.Write wants it.
func (s *sysBatch) sendmmsg(fd uintptr) bool {
	r, _, e := unix.RawSyscall6(unix.SYS_SENDMMSG, fd, uintptr(unsafe.Pointer(&s.hdrs[s.off])), uintptr(s.n-s.off), 0, 0, 0)
	if e == unix.EAGAIN {
		s.full = true
		return false // RawConn.Write waits until the socket is writable
	}
	s.sent, s.errno = int(r), e
	return true
}

// send writes bt's datagrams with sendmmsg and reports how many the
// kernel refused (a closed socket, an address it cannot reach); those
// are dropped like lost UDP packets, and the rest still go.
//
// The call is a raw syscall on the non-blocking socket: it never sleeps
// (a full buffer answers EAGAIN, and RawConn.Write then waits on the
// poller), and it keeps its P. A plain syscall.Syscall of 50 datagrams
// takes long enough that the runtime's sysmon hands the P to another
// thread during it, and the thread switches that causes cost more than
// batching saves.
func (c *batchConn) send(bt *batch) (dropped int) {
	s := &bt.sys
	if s.call == nil {
		s.call = s.sendmmsg
	}
	dropped = c.headers(bt, 0, !c.gsoOff.Load())
	for s.off < s.n {
		s.full = false
		err := c.raw.Write(s.call)
		if s.full {
			c.sendWaits.Add(1)
		}
		if err != nil { // the socket is closed
			for k := s.off; k < s.n; k++ {
				dropped += s.segs[k]
			}
			return dropped
		}
		switch {
		case s.errno == 0:
			for k := s.off; k < s.off+s.sent; k++ {
				if s.segs[k] > 1 {
					c.segmented.Add(uint64(s.segs[k]))
				}
			}
			s.off += s.sent
		case s.segs[s.off] > 1 && (s.errno == unix.EIO || s.errno == unix.EINVAL || s.errno == unix.EOPNOTSUPP):
			// The kernel cannot segment on this route (no checksum
			// offload, say): from now on each datagram goes on its own.
			// (Datagrams without a reachable address were counted already.)
			c.gsoOff.Store(true)
			c.headers(bt, s.first[s.off], false)
		default: // the first datagram was refused: skip it
			dropped += s.segs[s.off]
			s.off++
		}
	}
	return dropped
}

// UDP generic segmentation offload (GSO): datagrams for one address in a
// row, all of one size but the last (which may be shorter), go in one
// message that the kernel cuts up, paying for routing and the socket
// once for all of them. A fan-out never has two datagrams in a row for
// one subscriber; a burst of padding for probing, and the answers to one
// NACK, do (probe.go, down.go).
const (
	gsoCmsgSpace = 24 // unix.CmsgSpace(2), a constant for the array size
	// gsoMaxSegment keeps a segment within a 1,500-byte path over IPv6
	// (40 bytes of IP, 8 of UDP header), the kernel's limit for GSO.
	gsoMaxSegment = 1452
	// gsoMaxSegments is the kernel's limit (UDP_MAX_SEGMENTS) on older kernels.
	gsoMaxSegments = 64
	// gsoMaxBytes keeps one message under the 64 KiB an IP packet holds.
	gsoMaxBytes = 65000
)

// headers fills bt.sys's message headers for bt's datagrams from the
// from'th, with runs for one address sent segmented when gso, and
// reports how many datagrams have no address the socket can reach.
func (c *batchConn) headers(bt *batch, from int, gso bool) (dropped int) {
	s := &bt.sys
	n := 0
	for i := from; i < bt.n; {
		nameLen, ok := c.sockaddr(&s.names[n], bt.addrs[i])
		if !ok {
			dropped++
			i++
			continue
		}
		k := 1
		if gso {
			k = gsoRun(bt, i)
		}
		for j := i; j < i+k; j++ {
			s.iovs[j].Base = &bt.data[j*maxDatagram]
			s.iovs[j].SetLen(bt.lens[j])
		}
		h := &s.hdrs[n].Hdr
		*h = unix.Msghdr{Name: (*byte)(unsafe.Pointer(&s.names[n])), Namelen: nameLen, Iov: &s.iovs[i]}
		h.SetIovlen(k)
		if k > 1 {
			cm := (*unix.Cmsghdr)(unsafe.Pointer(&s.cmsgs[n][0]))
			cm.Level, cm.Type = unix.SOL_UDP, unix.UDP_SEGMENT
			cm.SetLen(unix.CmsgLen(2))
			*(*uint16)(unsafe.Pointer(&s.cmsgs[n][unix.CmsgLen(0)])) = uint16(bt.lens[i])
			h.Control = &s.cmsgs[n][0]
			h.SetControllen(unix.CmsgSpace(2))
		}
		s.first[n], s.segs[n] = i, k
		n++
		i += k
	}
	s.off, s.n = 0, n
	return dropped
}

// gsoRun is how many datagrams from bt's i'th can go as one segmented
// send: those after it for the same address and of its size, and one
// shorter to end the run.
func gsoRun(bt *batch, i int) int {
	size := bt.lens[i]
	if size > gsoMaxSegment {
		return 1
	}
	limit := min(gsoMaxSegments, gsoMaxBytes/size, bt.n-i)
	k := 1
	for k < limit && bt.addrs[i+k] == bt.addrs[i] && bt.lens[i+k] <= size {
		k++
		if bt.lens[i+k-1] < size {
			break
		}
	}
	return k
}

// sockaddr writes addr into sa in the socket's family: an IPv6 socket
// (dual-stack) reaches IPv4 peers at their v4-mapped address.
func (c *batchConn) sockaddr(sa *unix.RawSockaddrInet6, addr netip.AddrPort) (uint32, bool) {
	ip := addr.Addr()
	port := addr.Port()
	if !c.v6 {
		if !ip.Unmap().Is4() {
			return 0, false
		}
		sa4 := (*unix.RawSockaddrInet4)(unsafe.Pointer(sa))
		*sa4 = unix.RawSockaddrInet4{Family: unix.AF_INET, Addr: ip.Unmap().As4()}
		p := (*[2]byte)(unsafe.Pointer(&sa4.Port))
		p[0], p[1] = byte(port>>8), byte(port)
		return unix.SizeofSockaddrInet4, true
	}
	*sa = unix.RawSockaddrInet6{Family: unix.AF_INET6, Addr: ip.As16()}
	p := (*[2]byte)(unsafe.Pointer(&sa.Port))
	p[0], p[1] = byte(port>>8), byte(port)
	return unix.SizeofSockaddrInet6, true
}

// recvBatchLen is the most datagrams one recvmmsg(2) reads ahead.
const recvBatchLen = 32

// recvSlot is the room for one datagram read ahead; a longer one (none
// comes from a browser, whose packets stay under 1,300 bytes) is dropped
// as the kernel truncates it.
const recvSlot = 2048

// recvBatch is the media socket's reading side: one recvmmsg(2) reads
// every datagram waiting, up to recvBatchLen, and the mux's reads take
// them one by one. Like the sends, the call is a raw syscall on the
// non-blocking socket, so it never enters the scheduler's syscall state:
// each such entry wakes the runtime's sysmon when it sleeps, and a
// server that idles between packets (any server not at full load) then
// paid for sysmon polling every 20 µs, 8% of its CPU on the fanout shape.
type recvBatch struct {
	data  []byte
	lens  [recvBatchLen]int
	addrs [recvBatchLen]netip.AddrPort
	ats   [recvBatchLen]int64 // when each arrived (the kernel's stamp), Unix nanoseconds
	next  int                 // the next datagram to hand out
	n     int                 // datagrams read

	hdrs  [recvBatchLen]unix.Mmsghdr
	iovs  [recvBatchLen]unix.Iovec
	names [recvBatchLen]unix.RawSockaddrInet6
	ctrls [recvBatchLen][stampSpace]byte
	got   int
	errno unix.Errno
	call  func(fd uintptr) bool
}

// stampSpace is the control message room for one datagram: its arrival
// time (SCM_TIMESTAMPNS: a header and a struct timespec, 32 bytes on
// 64-bit Linux) and the socket's drop count (SO_RXQ_OVFL, 20), with room
// to spare.
const stampSpace = 80

// Arrival times are the kernel's, taken as each datagram came in
// (SO_TIMESTAMPNS), not the time a batch was read: a batch can hold a
// burst that waited while the reader was forwarding, and its datagrams'
// times feed the publishers' congestion control (transport-wide
// feedback), which reads queueing delay from the spacing of arrivals, as
// well as the forwarding-latency histogram.
//
// With forwarding on the socket's reader, the socket's buffer is where
// packets wait while the reader forwards, so the kernel also reports
// with each datagram how many it has dropped for want of room
// (SO_RXQ_OVFL): rooms_udp_receive_dropped_total.
func enableArrivalStamps(raw syscall.RawConn) {
	_ = raw.Control(func(fd uintptr) {
		_ = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_TIMESTAMPNS, 1)
		_ = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_RXQ_OVFL, 1)
	})
}

// controls reads, from one datagram's control message bytes b, the
// kernel's arrival stamp (0 if none) and the socket's count of dropped
// datagrams so far (ok false if none).
func controls(b []byte) (at int64, drops uint32, ok bool) {
	for len(b) >= unix.SizeofCmsghdr {
		h := (*unix.Cmsghdr)(unsafe.Pointer(&b[0]))
		if h.Len < unix.SizeofCmsghdr || int(h.Len) > len(b) {
			break
		}
		data := b[unix.CmsgLen(0):h.Len]
		if h.Level == unix.SOL_SOCKET {
			switch {
			case h.Type == unix.SCM_TIMESTAMPNS && len(data) >= int(unsafe.Sizeof(unix.Timespec{})):
				at = (*unix.Timespec)(unsafe.Pointer(&data[0])).Nano()
			case h.Type == unix.SO_RXQ_OVFL && len(data) >= 4:
				drops, ok = *(*uint32)(unsafe.Pointer(&data[0])), true
			}
		}
		b = b[min(unix.CmsgSpace(len(data)), len(b)):] // the next message
	}
	return at, drops, ok
}

// recvmmsg is one recvmmsg(2), as RawConn.Read wants it.
func (r *recvBatch) recvmmsg(fd uintptr) bool {
	for {
		n, _, e := unix.RawSyscall6(unix.SYS_RECVMMSG, fd, uintptr(unsafe.Pointer(&r.hdrs[0])), recvBatchLen, 0, 0, 0)
		switch e {
		case unix.EINTR:
			continue
		case unix.EAGAIN:
			return false // RawConn.Read waits until the socket is readable
		}
		r.got, r.errno = int(n), e
		return true
	}
}

// nextDatagram hands out the next datagram read ahead, reading a batch
// when none is left: the datagram, valid until the next call; who sent
// it; when it arrived, in Unix nanoseconds. One goroutine reads.
func (r *recvBatch) nextDatagram(c *batchConn) ([]byte, netip.AddrPort, int64, error) {
	for r.next == r.n {
		if err := r.fill(c); err != nil {
			return nil, netip.AddrPort{}, 0, err
		}
	}
	i := r.next
	r.next++
	return r.data[i*recvSlot : i*recvSlot+r.lens[i]], r.addrs[i], r.ats[i], nil
}

// fill reads a batch; it may hold no datagram to hand out (all truncated).
func (r *recvBatch) fill(c *batchConn) error {
	if r.call == nil {
		r.data = make([]byte, recvBatchLen*recvSlot)
		r.call = r.recvmmsg
	}
	for i := range r.hdrs {
		r.iovs[i].Base = &r.data[i*recvSlot]
		r.iovs[i].SetLen(recvSlot)
		h := &r.hdrs[i].Hdr
		*h = unix.Msghdr{Name: (*byte)(unsafe.Pointer(&r.names[i])), Namelen: unix.SizeofSockaddrInet6, Iov: &r.iovs[i], Control: &r.ctrls[i][0]}
		h.SetIovlen(1)
		h.SetControllen(stampSpace)
	}
	r.next, r.n = 0, 0
	if err := c.raw.Read(r.call); err != nil {
		return err // closed, or a deadline
	}
	read := time.Now().UnixNano()
	if r.errno != 0 {
		return &net.OpError{Op: "read", Net: "udp", Source: c.LocalAddr(), Err: os.NewSyscallError("recvmmsg", r.errno)}
	}
	for i := 0; i < r.got; i++ {
		addr, ok := fromSockaddr(&r.names[i])
		if !ok || r.hdrs[i].Hdr.Flags&unix.MSG_TRUNC != 0 {
			continue
		}
		if i != r.n {
			copy(r.data[r.n*recvSlot:], r.data[i*recvSlot:i*recvSlot+int(r.hdrs[i].Len)])
		}
		r.lens[r.n] = int(r.hdrs[i].Len)
		r.addrs[r.n] = addr
		r.ats[r.n] = read
		if h := &r.hdrs[i].Hdr; h.Controllen > 0 {
			at, drops, ok := controls(r.ctrls[i][:min(int(h.Controllen), stampSpace)])
			if at > 0 && at <= read {
				r.ats[r.n] = at
			}
			if ok {
				c.rxDropped.Store(drops)
			}
		}
		r.n++
	}
	c.received.Add(uint64(r.n))
	return nil
}

// fromSockaddr reads a sender's address as the net package gives it: an
// IPv4 address on an IPv4 socket, a (perhaps v4-mapped) IPv6 address on
// an IPv6 one.
func fromSockaddr(sa *unix.RawSockaddrInet6) (netip.AddrPort, bool) {
	switch sa.Family {
	case unix.AF_INET:
		sa4 := (*unix.RawSockaddrInet4)(unsafe.Pointer(sa))
		p := (*[2]byte)(unsafe.Pointer(&sa4.Port))
		return netip.AddrPortFrom(netip.AddrFrom4(sa4.Addr), uint16(p[0])<<8|uint16(p[1])), true
	case unix.AF_INET6:
		p := (*[2]byte)(unsafe.Pointer(&sa.Port))
		return netip.AddrPortFrom(netip.AddrFrom16(sa.Addr), uint16(p[0])<<8|uint16(p[1])), true
	}
	return netip.AddrPort{}, false
}

// setDontFragment sets the DF bit on the socket's IPv4 datagrams, as
// libwebrtc does, without the path-MTU bookkeeping (IP_PMTUDISC_PROBE).
// Besides keeping media out of IP fragments, which middleboxes drop, it
// spares the kernel a hashed, shared IP id for every datagram
// (__ip_select_ident, 2% of the server's CPU on the fanout shape): a
// datagram that may not be fragmented needs none.
func setDontFragment(raw syscall.RawConn) {
	_ = raw.Control(func(fd uintptr) {
		_ = unix.SetsockoptInt(int(fd), unix.IPPROTO_IP, unix.IP_MTU_DISCOVER, unix.IP_PMTUDISC_PROBE)
		_ = unix.SetsockoptInt(int(fd), unix.IPPROTO_IPV6, unix.IPV6_MTU_DISCOVER, unix.IPV6_PMTUDISC_PROBE)
	})
}

// listenShards opens n UDP sockets on one address, which the kernel
// spreads incoming datagrams over by sender (SO_REUSEPORT hashes the
// address pair, so one sender's datagrams stay on one socket, in order).
// A port another process holds is refused: SO_REUSEPORT alone would let
// a second server of the same user join the group and take half of
// this one's media, so the port is first bound without it.
func listenShards(addr string, n int) ([]*net.UDPConn, error) {
	probe, err := net.ListenPacket("udp", addr)
	if err != nil {
		return nil, err
	}
	if n <= 1 {
		return []*net.UDPConn{probe.(*net.UDPConn)}, nil
	}
	bound := probe.LocalAddr().String() // the port the system chose, for port 0
	_ = probe.Close()
	lc := net.ListenConfig{Control: func(_, _ string, c syscall.RawConn) error {
		var serr error
		if err := c.Control(func(fd uintptr) {
			serr = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_REUSEPORT, 1)
		}); err != nil {
			return err
		}
		return serr
	}}
	conns := make([]*net.UDPConn, 0, n)
	for range n {
		c, err := lc.ListenPacket(context.Background(), "udp", bound)
		if err != nil {
			for _, o := range conns {
				_ = o.Close()
			}
			return nil, err
		}
		conns = append(conns, c.(*net.UDPConn))
	}
	return conns, nil
}

// setReadBuffer asks for want bytes of receive buffer on c, past the
// system's cap (net.core.rmem_max) when the process may
// (SO_RCVBUFFORCE, CAP_NET_ADMIN), and returns what the socket has: the
// kernel reports double what it grants, for its bookkeeping.
func setReadBuffer(c *net.UDPConn, want int) int {
	_ = c.SetReadBuffer(want)
	raw, err := c.SyscallConn()
	if err != nil {
		return 0
	}
	got := 0
	_ = raw.Control(func(fd uintptr) {
		got, _ = unix.GetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_RCVBUF)
		if got < 2*want {
			_ = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_RCVBUFFORCE, want)
			got, _ = unix.GetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_RCVBUF)
		}
	})
	return got / 2
}
