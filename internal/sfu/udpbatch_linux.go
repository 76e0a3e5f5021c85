package sfu

import (
	"net/netip"
	"unsafe"

	"golang.org/x/sys/unix"
)

// sysBatch is a batch's sendmmsg(2) arguments, kept with it so a flush
// allocates nothing: call is made once per batch, not per flush (a
// closure made per flush escapes to the heap through RawConn.Write).
type sysBatch struct {
	hdrs  [maxBatch]unix.Mmsghdr
	iovs  [maxBatch]unix.Iovec
	names [maxBatch]unix.RawSockaddrInet6 // large enough for an IPv4 address too

	off, n int        // the headers still to send: hdrs[off:n]
	sent   int        // what the last call sent
	errno  unix.Errno // and its error
	call   func(fd uintptr) bool
}

// sendmmsg is one sendmmsg(2) of hdrs[off:n], as RawConn.Write wants it.
func (s *sysBatch) sendmmsg(fd uintptr) bool {
	r, _, e := unix.RawSyscall6(unix.SYS_SENDMMSG, fd, uintptr(unsafe.Pointer(&s.hdrs[s.off])), uintptr(s.n-s.off), 0, 0, 0)
	if e == unix.EAGAIN {
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
	n := 0
	for i := 0; i < bt.n; i++ {
		nameLen, ok := c.sockaddr(&s.names[n], bt.addrs[i])
		if !ok {
			dropped++
			continue
		}
		s.iovs[n].Base = &bt.data[i*maxDatagram]
		s.iovs[n].SetLen(bt.lens[i])
		h := &s.hdrs[n].Hdr
		*h = unix.Msghdr{Name: (*byte)(unsafe.Pointer(&s.names[n])), Namelen: nameLen, Iov: &s.iovs[n]}
		h.SetIovlen(1)
		n++
	}
	s.off, s.n = 0, n
	for s.off < s.n {
		if err := c.raw.Write(s.call); err != nil { // the socket is closed
			return dropped + s.n - s.off
		}
		if s.errno != 0 { // the first datagram was refused: skip it
			dropped++
			s.off++
			continue
		}
		s.off += s.sent
	}
	return dropped
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
