package sfu

import (
	"bytes"
	"io"
	"net"
	"sync/atomic"
	"testing"
	"time"
)

// A subscriber's TCP connection that stops reading never blocks the
// writer: packets beyond the queue are dropped whole, and what was queued
// arrives intact and in order once the peer reads again.
func TestStalledTCPConnNeverBlocksWrites(t *testing.T) {
	server, peer := net.Pipe() // a pipe's Write waits for its Read: a peer that stalls
	var dropped atomic.Uint64
	c := newQueuedConn(server, &dropped)
	t.Cleanup(func() { _ = c.Close(); _ = peer.Close() })

	const n = tcpQueueLen * 3
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; i < n; i++ {
			frame := []byte{0, 3, byte(i >> 8), byte(i), 0xaa} // a 2-byte length, then 3 bytes
			if k, err := c.Write(frame); k != len(frame) || err != nil {
				t.Errorf("write %d: %d, %v", i, k, err)
				return
			}
		}
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("writes blocked on a peer that does not read")
	}
	if d := dropped.Load(); d < n-tcpQueueLen-2 {
		t.Fatalf("%d packets dropped, want about %d", d, n-tcpQueueLen)
	}

	// The peer reads again: whole frames, in order, none twice.
	_ = peer.SetReadDeadline(time.Now().Add(2 * time.Second))
	last := -1
	got := 0
	frame := make([]byte, 5)
	for {
		if _, err := io.ReadFull(peer, frame); err != nil {
			break
		}
		if !bytes.Equal(frame[:2], []byte{0, 3}) || frame[4] != 0xaa {
			t.Fatalf("frame %d broken: %x", got, frame)
		}
		i := int(frame[2])<<8 | int(frame[3])
		if i <= last {
			t.Fatalf("frame %d after %d", i, last)
		}
		last = i
		got++
	}
	if got+int(dropped.Load()) != n {
		t.Fatalf("%d arrived and %d dropped of %d", got, dropped.Load(), n)
	}
}
