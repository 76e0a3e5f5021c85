package sfu

import (
	"testing"

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
