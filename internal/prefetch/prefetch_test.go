package prefetch

import (
	"testing"
	"unsafe"
)

// Prefetching changes no memory and never faults, whatever the address.
func TestLinesChangeNothing(t *testing.T) {
	b := make([]byte, 1000)
	for i := range b {
		b[i] = byte(i)
	}
	Lines(unsafe.Pointer(&b[0]), uintptr(len(b)))
	Lines(unsafe.Pointer(&b[999]), 1)
	Lines(nil, 4*Line)
	for i := range b {
		if b[i] != byte(i) {
			t.Fatalf("byte %d changed", i)
		}
	}
}

func BenchmarkLines(b *testing.B) {
	buf := make([]byte, 4*Line)
	for b.Loop() {
		Lines(unsafe.Pointer(&buf[0]), uintptr(len(buf)))
	}
}
