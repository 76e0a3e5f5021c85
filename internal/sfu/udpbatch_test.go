package sfu

import (
	"encoding/binary"
	"errors"
	"net"
	"net/netip"
	"os"
	"sync"
	"testing"
	"time"
)

// receiver is a UDP socket on loopback that collects what it is sent.
type receiver struct {
	conn *net.UDPConn
	mu   sync.Mutex
	got  [][]byte
	done chan struct{}
}

func newReceiver(t *testing.T, network, addr string) *receiver {
	t.Helper()
	c, err := net.ListenUDP(network, net.UDPAddrFromAddrPort(netip.MustParseAddrPort(addr)))
	if err != nil {
		t.Skipf("no %s socket here: %v", network, err)
	}
	_ = c.SetReadBuffer(4 << 20)
	r := &receiver{conn: c, done: make(chan struct{})}
	go func() {
		defer close(r.done)
		buf := make([]byte, 2048)
		for {
			n, _, err := c.ReadFromUDPAddrPort(buf)
			if err != nil {
				return
			}
			r.mu.Lock()
			r.got = append(r.got, append([]byte(nil), buf[:n]...))
			r.mu.Unlock()
		}
	}()
	t.Cleanup(func() { _ = c.Close(); <-r.done })
	return r
}

func (r *receiver) addr() netip.AddrPort { return r.conn.LocalAddr().(*net.UDPAddr).AddrPort() }

// wait returns what arrived once n datagrams have, or fails.
func (r *receiver) wait(t *testing.T, n int) [][]byte {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		r.mu.Lock()
		got := len(r.got)
		if got >= n {
			out := r.got
			r.mu.Unlock()
			return out
		}
		r.mu.Unlock()
		if time.Now().After(deadline) {
			t.Fatalf("%d datagrams arrived, want %d", got, n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func newTestBatchConn(t *testing.T, network, addr string) *batchConn {
	t.Helper()
	c, err := net.ListenUDP(network, net.UDPAddrFromAddrPort(netip.MustParseAddrPort(addr)))
	if err != nil {
		t.Skipf("no %s socket here: %v", network, err)
	}
	bc, err := newBatchConn(c)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return bc
}

// datagram is a numbered payload of a size that varies with the number.
func datagram(dest, i int) []byte {
	b := make([]byte, 100+i%900)
	binary.BigEndian.PutUint32(b, uint32(dest))
	binary.BigEndian.PutUint32(b[4:], uint32(i))
	for j := 8; j < len(b); j++ {
		b[j] = byte(i + j)
	}
	return b
}

func TestBatchConnSendsAFanOutInBatches(t *testing.T) {
	bc := newTestBatchConn(t, "udp4", "127.0.0.1:0")
	a, b := newReceiver(t, "udp4", "127.0.0.1:0"), newReceiver(t, "udp4", "127.0.0.1:0")
	rs := []*receiver{a, b}

	// Uncorked, a write goes out at once, not in a batch.
	if _, err := bc.WriteToAddrPort(datagram(0, 0), a.addr()); err != nil {
		t.Fatal(err)
	}
	a.wait(t, 1)
	if n := bc.batches.Load(); n != 0 {
		t.Fatalf("an uncorked write made %d batches", n)
	}

	// Corked, 100 datagrams: the first maxBatch leave together when the
	// batch fills, the rest at uncork.
	bc.cork()
	for i := 1; i <= 100; i++ {
		buf := datagram(i%2, i)
		if _, err := bc.WriteToAddrPort(buf, rs[i%2].addr()); err != nil {
			t.Fatal(err)
		}
		clear(buf) // the caller reuses its buffer at once, as pion does
	}
	if got := bc.datagrams.Load(); got != maxBatch {
		t.Fatalf("before uncork, %d datagrams were sent in batches, want the %d of one full batch", got, maxBatch)
	}
	bc.uncork()
	if got, want := bc.batches.Load(), uint64(2); got != want {
		t.Fatalf("%d batches, want %d", got, want)
	}
	// a has datagram 0 and the even ones, b the odd ones, each in order
	// and unchanged.
	for first, got := range map[int][][]byte{2: a.wait(t, 51)[1:], 1: b.wait(t, 50)} {
		for k, d := range got {
			i := first + 2*k
			if string(d) != string(datagram(i%2, i)) {
				t.Fatalf("datagram %d arrived changed or out of order", i)
			}
		}
	}
	if bc.dropped.Load() != 0 {
		t.Fatalf("%d datagrams dropped", bc.dropped.Load())
	}
}

func TestBatchConnDualStackReachesIPv4AndIPv6(t *testing.T) {
	bc := newTestBatchConn(t, "udp", "[::]:0")
	if !bc.v6 {
		t.Skip("the wildcard socket is IPv4 only here")
	}
	v4 := newReceiver(t, "udp4", "127.0.0.1:0")
	v6 := newReceiver(t, "udp6", "[::1]:0")
	mapped := netip.AddrPortFrom(netip.AddrFrom16(v4.addr().Addr().As16()), v4.addr().Port())
	bc.cork()
	for i := range 10 {
		_, _ = bc.WriteToAddrPort(datagram(0, i), v4.addr())
		_, _ = bc.WriteToAddrPort(datagram(0, i), mapped)
		_, _ = bc.WriteToAddrPort(datagram(1, i), v6.addr())
	}
	bc.uncork()
	v4.wait(t, 20)
	v6.wait(t, 10)
	if bc.dropped.Load() != 0 {
		t.Fatalf("%d datagrams dropped", bc.dropped.Load())
	}
}

// A datagram the kernel refuses costs only itself: the rest of the batch
// still goes.
func TestBatchConnDropsOnlyWhatCannotBeSent(t *testing.T) {
	bc := newTestBatchConn(t, "udp4", "127.0.0.1:0")
	r := newReceiver(t, "udp4", "127.0.0.1:0")
	bc.cork()
	_, _ = bc.WriteToAddrPort(datagram(0, 1), r.addr())
	_, _ = bc.WriteToAddrPort(datagram(0, 2), netip.MustParseAddrPort("[2001:db8::1]:9")) // not on an IPv4 socket
	_, _ = bc.WriteToAddrPort(datagram(0, 3), netip.MustParseAddrPort("0.0.0.0:0"))       // port 0: EINVAL
	_, _ = bc.WriteToAddrPort(datagram(0, 4), r.addr())
	bc.uncork()
	got := r.wait(t, 2)
	if len(got) != 2 || binary.BigEndian.Uint32(got[1][4:]) != 4 {
		t.Fatalf("got %d datagrams", len(got))
	}
	if d := bc.dropped.Load(); d != 2 {
		t.Fatalf("%d dropped, want 2", d)
	}
}

// Fan-outs from several goroutines at once, and writers that never cork
// (RTCP, ICE), lose nothing and leave nothing waiting in a batch.
func TestBatchConnConcurrentWritersLoseNothing(t *testing.T) {
	bc := newTestBatchConn(t, "udp4", "127.0.0.1:0")
	r := newReceiver(t, "udp4", "127.0.0.1:0")
	const loops, fanouts, width = 4, 100, 10
	var wg sync.WaitGroup
	for g := range loops {
		wg.Go(func() {
			for f := range fanouts {
				bc.cork()
				for k := range width {
					_, _ = bc.WriteToAddrPort(datagram(g, f*width+k), r.addr())
				}
				bc.uncork()
			}
		})
	}
	wg.Go(func() {
		for i := range 200 {
			_, _ = bc.WriteToAddrPort(datagram(9, i), r.addr())
		}
	})
	wg.Wait()
	r.wait(t, loops*fanouts*width+200)
	bc.mu.Lock()
	left := bc.cur.n
	bc.mu.Unlock()
	if left != 0 {
		t.Fatalf("%d datagrams left waiting in a batch", left)
	}
}

// The reading side hands out every datagram in order with its sender's
// address, as the net package would, reading many per syscall; one too
// long for a slot is dropped, not cut short; a read deadline and closing
// the socket end a read.
func TestBatchConnReadsWhatArrivesInOrder(t *testing.T) {
	for _, tc := range []struct{ network, listen, from string }{
		{"udp4", "127.0.0.1:0", "127.0.0.1:0"},
		{"udp", "[::]:0", "127.0.0.1:0"},
		{"udp", "[::]:0", "[::1]:0"},
	} {
		t.Run(tc.network+" "+tc.listen+" from "+tc.from, func(t *testing.T) {
			bc := newTestBatchConn(t, tc.network, tc.listen)
			to := netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), bc.LocalAddr().(*net.UDPAddr).AddrPort().Port())
			from := newReceiver(t, "udp", tc.from)
			if from.addr().Addr().Is6() {
				to = netip.AddrPortFrom(netip.IPv6Loopback(), to.Port())
			}
			const n = 3*recvBatchLen + 5
			for i := 0; i < n; i++ {
				b := datagram(0, i)
				if i == 7 {
					b = make([]byte, recvSlot+100) // too long: dropped
				}
				if _, err := from.conn.WriteToUDPAddrPort(b, to); err != nil {
					t.Fatal(err)
				}
			}
			buf := make([]byte, 1500)
			for i := 0; i < n; i++ {
				if i == 7 {
					continue
				}
				k, addr, err := bc.ReadFromAddrPort(buf)
				if err != nil {
					t.Fatal(err)
				}
				if want := datagram(0, i); string(buf[:k]) != string(want) {
					t.Fatalf("datagram %d: got %x, want %x", i, buf[:k], want)
				}
				if addr.Addr().Unmap() != from.addr().Addr() || addr.Port() != from.addr().Port() {
					t.Fatalf("datagram %d from %v, want %v", i, addr, from.addr())
				}
			}
			_ = bc.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
			if _, _, err := bc.ReadFromAddrPort(buf); !os.IsTimeout(err) {
				t.Fatalf("read past the deadline: %v, want a timeout", err)
			}
			_ = bc.SetReadDeadline(time.Time{})
			done := make(chan error, 1)
			go func() {
				_, _, err := bc.ReadFromAddrPort(buf)
				done <- err
			}()
			time.Sleep(20 * time.Millisecond)
			_ = bc.Close()
			if err := <-done; !errors.Is(err, net.ErrClosed) {
				t.Fatalf("read on a closed socket: %v, want net.ErrClosed", err)
			}
		})
	}
}
