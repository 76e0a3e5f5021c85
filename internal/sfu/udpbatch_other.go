//go:build !linux

package sfu

import (
	"net/netip"
	"syscall"
	"time"
)

// setDontFragment is left to the system where it is not Linux.
func setDontFragment(syscall.RawConn) {}

// sysBatch needs nothing where there is no sendmmsg.
type sysBatch struct{}

// recvBatch reads one datagram at a time: only Linux has recvmmsg.
type recvBatch struct{}

func (recvBatch) read(c *batchConn, b []byte) (int, netip.AddrPort, error) {
	for {
		n, from, err := c.ReadFromUDPAddrPort(b)
		if err != nil || c.in == nil || !c.in.take(b[:n], from, time.Now().UnixNano()) {
			return n, from, err
		}
	}
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
