//go:build !linux

package sfu

import (
	"net"
	"net/netip"
	"syscall"
	"time"
)

// setDontFragment is left to the system where it is not Linux.
func setDontFragment(syscall.RawConn) {}

// enableArrivalStamps: arrival times are the reads' where it is not Linux.
func enableArrivalStamps(syscall.RawConn) {}

// sysBatch needs nothing where there is no sendmmsg.
type sysBatch struct{}

// recvBatch reads one datagram at a time: only Linux has recvmmsg.
type recvBatch struct{ buf []byte }

func (r *recvBatch) nextDatagram(c *batchConn) ([]byte, netip.AddrPort, int64, error) {
	if r.buf == nil {
		r.buf = make([]byte, recvSlot)
	}
	n, from, err := c.ReadFromUDPAddrPort(r.buf)
	if err == nil {
		c.received.Add(1)
	}
	return r.buf[:n], from, time.Now().UnixNano(), err
}

// setReadBuffer asks for want bytes of receive buffer on c.
func setReadBuffer(c *net.UDPConn, want int) int {
	_ = c.SetReadBuffer(want)
	return want
}

// recvSlot is the longest datagram read.
const recvSlot = 2048

// listenShards opens one socket: SO_REUSEPORT's spreading of datagrams
// by sender is Linux's.
func listenShards(addr string, _ int) ([]*net.UDPConn, error) {
	c, err := net.ListenPacket("udp", addr)
	if err != nil {
		return nil, err
	}
	return []*net.UDPConn{c.(*net.UDPConn)}, nil
}

// send writes bt's datagrams one at a time: only Linux has sendmmsg.
func (c *batchConn) send(bt *batch) (dropped int) {
	for i := 0; i < bt.n; i++ {
		if _, err := c.WriteToUDPAddrPort(bt.data[i*maxDatagram:i*maxDatagram+bt.lens[i]], bt.addrs[i]); err != nil {
			dropped++
		}
	}
	return dropped
}
