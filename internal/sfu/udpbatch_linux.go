package sfu

import (
	"net/netip"
	"unsafe"

	"golang.org/x/sys/unix"
)

// sysBatch is a batch's sendmmsg(2) arguments, kept with it so a flush
// allocates nothing.
type sysBatch struct {
	hdrs  [maxBatch]unix.Mmsghdr
	iovs  [maxBatch]unix.Iovec
	names [maxBatch]unix.RawSockaddrInet6 // large enough for an IPv4 address too
}

// send writes bt's datagrams with sendmmsg and reports how many the
// kernel refused (a closed socket, an address it cannot reach); those
// are dropped like lost UDP packets, and the rest still go.
//
// The call is a raw syscall on the non-blocking socket: it never sleeps
// (a full buffer answers EAGAIN, and RawConn.Write then waits on the
// poller), and it keeps its P. A plain syscall.Syscall of 50 datagrams
// takes long enough that the runtime's sysmon hands the P to another
// thread during it and wakes every 20 µs to check again; the thread
// switches that causes cost more than batching saves.
func (c *batchConn) send(bt *batch) (dropped int) {
	s := &bt.sys
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
	for off := 0; off < n; {
		var sent int
		var errno unix.Errno
		err := c.raw.Write(func(fd uintptr) bool {
			r, _, e := unix.RawSyscall6(unix.SYS_SENDMMSG, fd, uintptr(unsafe.Pointer(&s.hdrs[off])), uintptr(n-off), 0, 0, 0)
			if e == unix.EAGAIN {
				return false
			}
			sent, errno = int(r), e
			return true
		})
		switch {
		case err != nil: // the socket is closed
			return dropped + n - off
		case errno != 0: // the first datagram was refused: skip it
			dropped++
			off++
		default:
			off += sent
		}
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
