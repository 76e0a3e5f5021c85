package pushbuf

import (
	"bytes"
	"errors"
	"io"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pion/transport/v5/packetio"
)

// reader reads one packet of b the way pion does for a bound stream,
// recording it.
func reader(b *Buffer, got *[][]byte) func() error {
	return func() error {
		p := make([]byte, 1500)
		n, err := b.Read(p)
		if err == nil {
			*got = append(*got, p[:n])
		}
		return err
	}
}

func TestPushBufferHoldsUntilBoundThenPushes(t *testing.T) {
	var bs Set
	b := bs.Factory(packetio.RTPBufferPacket, 42).(*Buffer)
	if bs.RTP(42) != b || bs.RTCP(42) != nil {
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
	b.Bind(reader(b, &got), func() { ends.Add(1) })
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
	if bs.RTP(42) != nil {
		t.Fatal("a closed buffer is still found")
	}
	if _, err := b.Write([]byte("late")); err == nil {
		t.Fatal("a write to a closed buffer succeeded")
	}
}

func TestPushBufferClosedBeforeBindEndsAtOnce(t *testing.T) {
	var bs Set
	b := bs.Factory(packetio.RTCPBufferPacket, 7).(*Buffer)
	if bs.RTCP(7) != b {
		t.Fatal("the RTCP buffer is not found")
	}
	_ = b.Close()
	var ends atomic.Int32
	drained := false
	b.Bind(func() error { drained = true; return nil }, func() { ends.Add(1) })
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

// A drain whose reads fail without taking a packet stops after a bound
// instead of spinning on the writer's goroutine; one that meets the end
// of the stream stops at once.
func TestDrainIsBounded(t *testing.T) {
	var bs Set
	b := bs.Factory(packetio.RTPBufferPacket, 9).(*Buffer)
	if _, err := b.Write([]byte("stuck")); err != nil {
		t.Fatal(err)
	}
	tries := 0
	drain(b, func() error { tries++; return errors.New("refused") })
	if tries != maxDrain {
		t.Fatalf("%d tries, want %d", tries, maxDrain)
	}
	tries = 0
	drain(b, func() error { tries++; return io.EOF })
	if tries != 1 {
		t.Fatalf("%d tries after the end, want 1", tries)
	}
}
