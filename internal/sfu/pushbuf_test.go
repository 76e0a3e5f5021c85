package sfu

import (
	"bytes"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pion/transport/v5/packetio"
)

// reader drains b the way a bound stream does, recording what it read.
func reader(b *pushBuffer, got *[][]byte) func() {
	return func() {
		for range maxDrain {
			if !b.pending() {
				return
			}
			p := make([]byte, 1500)
			n, err := b.Read(p)
			if err != nil {
				return
			}
			*got = append(*got, p[:n])
		}
	}
}

func TestPushBufferHoldsUntilBoundThenPushes(t *testing.T) {
	var bs pushBuffers
	b := bs.factory(packetio.RTPBufferPacket, 42).(*pushBuffer)
	if bs.get(42, false) != b || bs.get(42, true) != nil {
		t.Fatal("the factory does not record the buffer by SSRC and kind")
	}
	// Before it is bound, the buffer keeps what is written, and an
	// ordinary blocking read (pion's, while it probes a new SSRC) works.
	for _, p := range []string{"one", "two"} {
		if _, err := b.Write([]byte(p)); err != nil {
			t.Fatal(err)
		}
	}
	p := make([]byte, 10)
	if n, err := b.Read(p); err != nil || string(p[:n]) != "one" {
		t.Fatalf("read before binding: %q, %v", p[:n], err)
	}

	// Binding hands over what is held, and every later write at once,
	// on the writer's goroutine.
	var got [][]byte
	var ends atomic.Int32
	b.bind(reader(b, &got), func() { ends.Add(1) })
	if len(got) != 1 || string(got[0]) != "two" {
		t.Fatalf("bind drained %q, want [two]", got)
	}
	if _, err := b.WriteWithAttributes([]byte("three"), packetio.Attributes{}); err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || !bytes.Equal(got[1], []byte("three")) {
		t.Fatalf("a write after binding was not pushed: %q", got)
	}

	// Closing runs the end once, and forgets the buffer.
	_ = b.Close()
	_ = b.Close()
	waitFor(t, func() bool { return ends.Load() == 1 })
	time.Sleep(20 * time.Millisecond)
	if n := ends.Load(); n != 1 {
		t.Fatalf("the end ran %d times", n)
	}
	if bs.get(42, false) != nil {
		t.Fatal("a closed buffer is still found")
	}
	if _, err := b.Write([]byte("late")); err == nil {
		t.Fatal("a write to a closed buffer succeeded")
	}
}

func TestPushBufferClosedBeforeBindEndsAtOnce(t *testing.T) {
	var bs pushBuffers
	b := bs.factory(packetio.RTCPBufferPacket, 7).(*pushBuffer)
	if bs.get(7, true) != b {
		t.Fatal("the RTCP buffer is not found")
	}
	_ = b.Close()
	var ends atomic.Int32
	drained := false
	b.bind(func() { drained = true }, func() { ends.Add(1) })
	waitFor(t, func() bool { return ends.Load() == 1 })
	if drained {
		t.Fatal("a closed stream was drained")
	}
}

func waitFor(t *testing.T, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatal("timed out")
		}
		time.Sleep(time.Millisecond)
	}
}
