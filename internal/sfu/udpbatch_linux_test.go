package sfu

import (
	"fmt"
	"net"
	"net/netip"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// The media socket sends IPv4 datagrams with DF set and no path-MTU
// bookkeeping (setDontFragment).
func TestBatchConnSetsDontFragment(t *testing.T) {
	bc := newTestBatchConn(t, "udp4", "127.0.0.1:0")
	var got int
	var gerr error
	if err := bc.raw.Control(func(fd uintptr) {
		got, gerr = unix.GetsockoptInt(int(fd), unix.IPPROTO_IP, unix.IP_MTU_DISCOVER)
	}); err != nil {
		t.Fatal(err)
	}
	if gerr != nil {
		t.Fatal(gerr)
	}
	if got != unix.IP_PMTUDISC_PROBE {
		t.Fatalf("IP_MTU_DISCOVER = %d, want IP_PMTUDISC_PROBE (%d)", got, unix.IP_PMTUDISC_PROBE)
	}
}

// sized is datagram i for dest, size bytes long.
func sized(dest, i, size int) []byte {
	b := datagram(dest, i)
	for len(b) < size {
		b = append(b, byte(len(b)))
	}
	return b[:size]
}

// gsoBatch writes, corked: a run of 5 equal datagrams to a ended by a
// shorter one, one more to a, 3 equal to b, one to a, then sends.
// Each receiver must get its datagrams in order and unchanged.
func gsoBatch(t *testing.T, bc *batchConn) {
	t.Helper()
	a, b := newReceiver(t, "udp4", "127.0.0.1:0"), newReceiver(t, "udp4", "127.0.0.1:0")
	want := map[*receiver][][]byte{}
	write := func(r *receiver, d []byte) {
		if _, err := bc.WriteToAddrPort(d, r.addr()); err != nil {
			t.Fatal(err)
		}
		want[r] = append(want[r], d)
	}
	bc.cork()
	for i := range 5 {
		write(a, sized(0, i, 1000))
	}
	write(a, sized(0, 5, 400))
	write(a, sized(0, 6, 1000))
	for i := range 3 {
		write(b, sized(1, i, 700))
	}
	write(a, sized(0, 7, 1000))
	bc.uncork()
	for r, ds := range want {
		got := r.wait(t, len(ds))
		for i := range ds {
			if string(got[i]) != string(ds[i]) {
				t.Fatalf("datagram %d of %d arrived changed or out of order (%d bytes, want %d)", i, len(ds), len(got[i]), len(ds[i]))
			}
		}
	}
	if bc.dropped.Load() != 0 {
		t.Fatalf("%d datagrams dropped", bc.dropped.Load())
	}
}

// Datagrams for one address in a row go as one segmented send.
func TestBatchConnSegmentsRunsForOneAddress(t *testing.T) {
	if unix.CmsgSpace(2) > gsoCmsgSpace {
		t.Fatalf("a UDP_SEGMENT control message takes %d bytes, gsoCmsgSpace is %d", unix.CmsgSpace(2), gsoCmsgSpace)
	}
	for _, network := range []string{"udp4", "udp"} { // "udp": dual-stack, IPv4 peers v4-mapped
		addr := map[string]string{"udp4": "127.0.0.1:0", "udp": "[::]:0"}[network]
		bc := newTestBatchConn(t, network, addr)
		gsoBatch(t, bc)
		// The run of six to a (the shorter one ends it) and the three to b.
		if got := bc.segmented.Load(); got != 9 {
			t.Fatalf("%s: %d datagrams went segmented, want 9", network, got)
		}
	}
}

// A socket on which the kernel refuses to segment (here: one sending
// without UDP checksums, which GSO needs) still delivers everything.
func TestBatchConnWithoutSegmentationLosesNothing(t *testing.T) {
	bc := newTestBatchConn(t, "udp4", "127.0.0.1:0")
	var serr error
	if err := bc.raw.Control(func(fd uintptr) {
		serr = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_NO_CHECK, 1)
	}); err != nil || serr != nil {
		t.Fatal(err, serr)
	}
	gsoBatch(t, bc)
	if !bc.gsoOff.Load() || bc.segmented.Load() != 0 {
		t.Fatalf("segmentation off %v, %d datagrams segmented", bc.gsoOff.Load(), bc.segmented.Load())
	}
}

func TestGSORunLimits(t *testing.T) {
	a, b := netip.MustParseAddrPort("127.0.0.1:1"), netip.MustParseAddrPort("127.0.0.1:2")
	bt := &batch{}
	set := func(lens []int, addrs []netip.AddrPort) {
		bt.n = len(lens)
		copy(bt.lens[:], lens)
		copy(bt.addrs[:], addrs)
	}
	for _, tc := range []struct {
		lens  []int
		addrs []netip.AddrPort
		from  int
		want  int
	}{
		{[]int{100, 100, 100}, []netip.AddrPort{a, a, a}, 0, 3},
		{[]int{100, 100, 100}, []netip.AddrPort{a, b, a}, 0, 1},
		{[]int{100, 50, 100}, []netip.AddrPort{a, a, a}, 0, 2},  // a shorter one ends a run
		{[]int{100, 150, 150}, []netip.AddrPort{a, a, a}, 0, 1}, // a longer one cannot follow
		{[]int{1460, 1460}, []netip.AddrPort{a, a}, 0, 1},       // too big for a segment on a 1,500-byte path
		{[]int{9, 100, 100}, []netip.AddrPort{b, a, a}, 1, 2},
	} {
		set(tc.lens, tc.addrs)
		if got := gsoRun(bt, tc.from); got != tc.want {
			t.Errorf("lens %v addrs %v from %d: run of %d, want %d", tc.lens, tc.addrs, tc.from, got, tc.want)
		}
	}
	// Limits: 64 segments, and 65,000 bytes.
	lens, addrs := make([]int, maxBatch), make([]netip.AddrPort, maxBatch)
	for i := range lens {
		lens[i], addrs[i] = 100, a
	}
	set(lens, addrs)
	if got := gsoRun(bt, 0); got != gsoMaxSegments {
		t.Errorf("run of %d small datagrams, want %d", got, gsoMaxSegments)
	}
	for i := range lens {
		lens[i] = 1400
	}
	set(lens, addrs)
	if got := gsoRun(bt, 0); got != 65000/1400 {
		t.Errorf("run of %d 1,400-byte datagrams, want %d", got, 65000/1400)
	}
}

// BenchmarkBurstToOneAddress is a burst of ten 1,200-byte datagrams to one
// subscriber (a probe's padding, the answers to one NACK), on loopback to
// a socket nobody reads: one segmented send against a sendmmsg of ten.
func BenchmarkBurstToOneAddress(b *testing.B) {
	recv, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		b.Fatal(err)
	}
	defer recv.Close()
	to := recv.LocalAddr().(*net.UDPAddr).AddrPort()
	payload := make([]byte, 1200)
	for _, gso := range []bool{false, true} {
		b.Run(fmt.Sprintf("gso=%v", gso), func(b *testing.B) {
			c, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
			if err != nil {
				b.Fatal(err)
			}
			defer c.Close()
			bc, err := newBatchConn(c)
			if err != nil {
				b.Fatal(err)
			}
			bc.gsoOff.Store(!gso)
			b.ReportAllocs()
			for b.Loop() {
				bc.cork()
				for range 10 {
					_, _ = bc.WriteToAddrPort(payload, to)
				}
				bc.uncork()
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*10), "ns/datagram")
		})
	}
}

// Each datagram carries the kernel's arrival time, not the time its
// batch was read: two datagrams sent 30 ms apart and read together are
// stamped 30 ms apart.
func TestReadsCarryArrivalTimes(t *testing.T) {
	bc := newTestBatchConn(t, "udp4", "127.0.0.1:0")
	from := newReceiver(t, "udp4", "127.0.0.1:0")
	to := bc.LocalAddr().(*net.UDPAddr).AddrPort()
	sent := time.Now()
	if _, err := from.conn.WriteToUDPAddrPort(datagram(0, 1), to); err != nil {
		t.Fatal(err)
	}
	time.Sleep(30 * time.Millisecond)
	if _, err := from.conn.WriteToUDPAddrPort(datagram(0, 2), to); err != nil {
		t.Fatal(err)
	}
	time.Sleep(30 * time.Millisecond)
	_, _, first, err := bc.recv.nextDatagram(bc)
	if err != nil {
		t.Fatal(err)
	}
	_, _, second, err := bc.recv.nextDatagram(bc)
	if err != nil {
		t.Fatal(err)
	}
	read := time.Now()
	if first < sent.UnixNano() || second > read.UnixNano() {
		t.Fatalf("arrivals %v and %v outside the test's %v..%v", first, second, sent.UnixNano(), read.UnixNano())
	}
	if gap := time.Duration(second - first); gap < 25*time.Millisecond {
		t.Fatalf("arrivals %v apart, want the 30 ms between the sends", gap)
	}
}

// The kernel's count of datagrams dropped for want of buffer room comes
// with the datagrams queued after the drops: a socket with a tiny
// buffer, sent far more than it holds, reports them.
func TestReadsReportTheSocketsDrops(t *testing.T) {
	bc := newTestBatchConn(t, "udp4", "127.0.0.1:0")
	if err := bc.SetReadBuffer(4096); err != nil {
		t.Fatal(err)
	}
	from := newReceiver(t, "udp4", "127.0.0.1:0")
	to := bc.LocalAddr().(*net.UDPAddr).AddrPort()
	const sent = 200
	for i := range sent {
		if _, err := from.conn.WriteToUDPAddrPort(datagram(0, 900+i%50), to); err != nil {
			t.Fatal(err)
		}
	}
	_ = bc.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
	read := 0
	for {
		if _, _, _, err := bc.recv.nextDatagram(bc); err != nil {
			break
		}
		read++
	}
	// The count rides on datagrams queued after the drops.
	_ = bc.SetReadDeadline(time.Time{})
	if _, err := from.conn.WriteToUDPAddrPort(datagram(0, 1), to); err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := bc.recv.nextDatagram(bc); err != nil {
		t.Fatal(err)
	}
	dropped := int(bc.rxDropped.Load())
	if dropped == 0 || read+dropped != sent {
		t.Fatalf("read %d, the kernel reported %d dropped, of %d sent", read, dropped, sent)
	}
}
