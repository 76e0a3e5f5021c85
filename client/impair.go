package client

import (
	"math/rand/v2"
	"net"
	"sync/atomic"

	"github.com/pion/transport/v5"
	"github.com/pion/transport/v5/stdnet"
)

// Impairment spoils this client's media transport on purpose, for tests
// of loss recovery and reconnection on one machine (no netem needed): the
// whole transport can be cut, or a share of packets lost, both ways.
type Impairment struct {
	cut  atomic.Bool
	loss atomic.Uint32 // per 65536
}

// Cut stops (true) or restores (false) every media packet.
func (i *Impairment) Cut(on bool) { i.cut.Store(on) }

// SetLoss drops a fraction (0 to 1) of media packets at random.
func (i *Impairment) SetLoss(fraction float64) {
	i.loss.Store(uint32(fraction * 65536))
}

func (i *Impairment) drop() bool {
	if i == nil {
		return false
	}
	if i.cut.Load() {
		return true
	}
	l := i.loss.Load()
	return l > 0 && rand.Uint32N(65536) < l
}

// socketBuffer is what the client asks the kernel for on each media socket:
// the default (about 200 KiB) overflows when a program runs many clients
// that receive a room's worth of video each (the load tool, tests).
const socketBuffer = 1 << 20

// impairedNet is the network pion uses: every UDP socket gets a larger
// receive buffer, and the impairment, if any.
type impairedNet struct {
	*stdnet.Net
	imp *Impairment
}

func newImpairedNet(imp *Impairment) (transport.Net, error) {
	n, err := stdnet.NewNet()
	if err != nil {
		return nil, err
	}
	return impairedNet{Net: n, imp: imp}, nil
}

func (n impairedNet) ListenUDP(network string, laddr *net.UDPAddr) (transport.UDPConn, error) {
	c, err := n.Net.ListenUDP(network, laddr)
	if err != nil {
		return nil, err
	}
	_ = c.SetReadBuffer(socketBuffer) // the system may cap it; fine
	if n.imp == nil {
		return c, nil
	}
	return &impairedConn{UDPConn: c, imp: n.imp}, nil
}

type impairedConn struct {
	transport.UDPConn
	imp *Impairment
}

func (c *impairedConn) ReadFrom(b []byte) (int, net.Addr, error) {
	for {
		n, addr, err := c.UDPConn.ReadFrom(b)
		if err != nil || !c.imp.drop() {
			return n, addr, err
		}
	}
}

func (c *impairedConn) ReadFromUDP(b []byte) (int, *net.UDPAddr, error) {
	for {
		n, addr, err := c.UDPConn.ReadFromUDP(b)
		if err != nil || !c.imp.drop() {
			return n, addr, err
		}
	}
}

func (c *impairedConn) WriteTo(b []byte, addr net.Addr) (int, error) {
	if c.imp.drop() {
		return len(b), nil
	}
	return c.UDPConn.WriteTo(b, addr)
}

func (c *impairedConn) WriteToUDP(b []byte, addr *net.UDPAddr) (int, error) {
	if c.imp.drop() {
		return len(b), nil
	}
	return c.UDPConn.WriteToUDP(b, addr)
}
