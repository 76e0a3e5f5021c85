//go:build !linux

package sfu

// sysBatch needs nothing where there is no sendmmsg.
type sysBatch struct{}

// send writes bt's datagrams one at a time: only Linux has sendmmsg.
func (c *batchConn) send(bt *batch) (dropped int) {
	for i := 0; i < bt.n; i++ {
		if _, err := c.WriteToUDPAddrPort(bt.data[i*maxDatagram:i*maxDatagram+bt.lens[i]], bt.addrs[i]); err != nil {
			dropped++
		}
	}
	return dropped
}
