package sfu

import (
	"errors"
	"net"
	"net/netip"
	"runtime"
	"testing"
	"time"
)

// The media port's sockets share one port, the kernel spreads senders
// over them, and everything not read directly reaches pion's mux through
// the one queue, from whichever socket read it.
func TestShardsShareThePortAndFeedPion(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("one socket where SO_REUSEPORT does not spread by sender")
	}
	conns, err := listenShards("127.0.0.1:0", 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(conns) != 2 || conns[0].LocalAddr().String() != conns[1].LocalAddr().String() {
		t.Fatalf("sockets %v", conns)
	}
	socks := make([]*batchConn, len(conns))
	for i, c := range conns {
		if socks[i], err = newBatchConn(c); err != nil {
			t.Fatal(err)
		}
	}
	s := newUDPShards(socks, &inbound{})
	pc := &pionConn{batchConn: socks[0], s: s}
	to := conns[0].LocalAddr().(*net.UDPAddr).AddrPort()

	// 32 senders: the chance that the kernel's hash put them all on one
	// socket is 2^-31.
	const senders = 32
	want := make(map[netip.AddrPort]bool)
	for i := range senders {
		c, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if _, err := c.WriteToUDPAddrPort(datagram(0, i), to); err != nil {
			t.Fatal(err)
		}
		want[c.LocalAddr().(*net.UDPAddr).AddrPort()] = true
	}
	buf := make([]byte, 2048)
	for range senders {
		n, from, err := pc.ReadFromAddrPort(buf)
		if err != nil {
			t.Fatal(err)
		}
		if !want[from] || n < 100 {
			t.Fatalf("%d bytes from %v: not one of the senders' datagrams", n, from)
		}
		delete(want, from)
	}
	// Each socket was read by its own goroutine; both got some.
	for i, c := range socks {
		if c.received.Load() == 0 {
			t.Errorf("socket %d read nothing: the port is not shared", i)
		}
	}

	done := make(chan error, 1)
	go func() {
		_, _, err := pc.ReadFromAddrPort(buf)
		done <- err
	}()
	time.Sleep(20 * time.Millisecond)
	if err := pc.Close(); err != nil {
		t.Fatal(err)
	}
	if err := <-done; !errors.Is(err, net.ErrClosed) {
		t.Fatalf("read after close: %v, want net.ErrClosed", err)
	}
}

// A port another process (or socket) holds is refused, even though the
// shards' own sockets share theirs.
func TestShardsRefuseAPortInUse(t *testing.T) {
	held, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	if conns, err := listenShards(held.LocalAddr().String(), 2); err == nil {
		for _, c := range conns {
			_ = c.Close()
		}
		t.Fatal("listened on a port in use")
	}
}
