package client

import (
	"math/rand/v2"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/transport/v5"
	"github.com/pion/transport/v5/stdnet"
	"github.com/pion/webrtc/v4"
)

// Impairment spoils this client's media transport on purpose, for tests
// of loss recovery and reconnection on one machine (no netem needed): the
// whole transport can be cut, or a share of packets lost, both ways, and
// the downlink can be a bottleneck of limited rate.
type Impairment struct {
	cut  atomic.Bool
	loss atomic.Uint32 // per 65536

	// The downlink bottleneck: a FIFO drained at rate, holding at most
	// queue's worth of it; mu guards these.
	mu        sync.Mutex
	rate      float64       // bits per second; 0: no bottleneck
	queue     time.Duration // the longest a packet may wait
	busyUntil time.Time     // when the queue has drained what it holds
}

// Cut stops (true) or restores (false) every media packet.
func (i *Impairment) Cut(on bool) { i.cut.Store(on) }

// SetLoss drops a fraction (0 to 1) of media packets at random.
func (i *Impairment) SetLoss(fraction float64) {
	i.loss.Store(uint32(fraction * 65536))
}

// SetDownlink makes what this client receives pass a bottleneck of bps
// bits per second with a queue of queue (its length in time at that
// rate): a packet that finds the queue full is dropped, as a router's
// tail drop does, so a downlink asked for more than bps loses what does
// not fit, in bursts where the sender bursts. Packets are handed on at
// once rather than after their wait in the queue: which packets are lost
// is exactly as at a real bottleneck, but the delay is not simulated
// (the SDK has no delay-based estimator to notice it). 0 lifts it.
func (i *Impairment) SetDownlink(bps int64, queue time.Duration) {
	i.mu.Lock()
	defer i.mu.Unlock()
	i.rate, i.queue, i.busyUntil = float64(bps), queue, time.Time{}
}

// overflows reports whether a received packet of n bytes arriving now
// finds the bottleneck's queue full, and queues it if not.
func (i *Impairment) overflows(n int, now time.Time) bool {
	if i == nil {
		return false
	}
	i.mu.Lock()
	defer i.mu.Unlock()
	if i.rate <= 0 {
		return false
	}
	start := i.busyUntil
	if start.Before(now) {
		start = now // the queue is empty
	}
	if start.Sub(now) > i.queue {
		return true
	}
	i.busyUntil = start.Add(time.Duration(float64(n*8) / i.rate * float64(time.Second)))
	return false
}

// dropReceived reports whether a received packet of n bytes is lost.
func (i *Impairment) dropReceived(n int) bool {
	return i.drop() || i.overflows(n, time.Now())
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
		if err != nil || !c.imp.dropReceived(n) {
			return n, addr, err
		}
	}
}

func (c *impairedConn) ReadFromUDP(b []byte) (int, *net.UDPAddr, error) {
	for {
		n, addr, err := c.UDPConn.ReadFromUDP(b)
		if err != nil || !c.imp.dropReceived(n) {
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

// relayServers keeps the URLs of servers that use transport ("udp",
// "tcp" or "tls"; "" keeps all), and the servers left with any.
func relayServers(servers []webrtc.ICEServer, transport string) []webrtc.ICEServer {
	if transport == "" {
		return servers
	}
	var out []webrtc.ICEServer
	for _, s := range servers {
		var urls []string
		for _, u := range s.URLs {
			tcp := strings.Contains(u, "transport=tcp")
			tls := strings.HasPrefix(u, "turns:")
			if (transport == "tls" && tls) || (transport == "tcp" && tcp && !tls) || (transport == "udp" && !tcp && !tls) {
				urls = append(urls, u)
			}
		}
		if len(urls) > 0 {
			s.URLs = urls
			out = append(out, s)
		}
	}
	return out
}
