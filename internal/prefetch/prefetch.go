// Package prefetch asks the CPU to start loading memory that will be
// needed soon, so that the wait for it overlaps with other work.
//
// The forwarding loop writes one packet to each subscriber in turn, and
// each subscriber's state (its down track, its connection's sender and
// cipher) has been pushed out of the caches since the last packet by
// everything in between, the kernel's sends above all: the first touch of
// each costs a trip to memory, a few hundred nanoseconds in a virtual
// machine. Go has no prefetch of its own (the runtime's is internal), so
// this is a few lines of assembly; on other architectures it does nothing.
package prefetch

import "unsafe"

// Line is the cache line size assumed: 64 bytes on every CPU the server
// runs on.
const Line = 64

// Lines asks for the n bytes from p, a line at a time. It never faults:
// a prefetch of a bad address is ignored.
func Lines(p unsafe.Pointer, n uintptr) {
	if n > 0 {
		span(p, n)
	}
}
