// Package trickle keeps trickled ICE candidates behind the description
// they go with.
//
// pion gathers on its own goroutine, and for an ICE restart it starts
// before the new description even exists: in CreateOffer for the side that
// restarts, in SetRemoteDescription for the side that answers. A candidate
// with the new credentials then reaches the other side before the offer
// or answer that carries them; the other side, still holding the old
// credentials, drops it, and when every candidate is dropped on both
// sides ICE never connects again (one reconnect in three failed that way
// in the tests). A Gate holds a connection's candidates from the start of
// a negotiation step until its description has been sent, then lets them
// follow in order.
package trickle

import "sync"

// Gate holds candidates of type C for connections named by K. The zero
// value is ready to use.
type Gate[K comparable, C any] struct {
	mu      sync.Mutex
	holding map[K]bool
	held    map[K][]C
}

// Hold starts keeping k's candidates back: its description is coming.
func (g *Gate[K, C]) Hold(k K) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.holding == nil {
		g.holding = make(map[K]bool)
	}
	g.holding[k] = true
}

// Release sends, with send, what was kept back for k, now that its
// description is out, and lets later candidates through.
func (g *Gate[K, C]) Release(k K, send func(C)) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.holding[k] = false
	for _, c := range g.held[k] {
		send(c)
	}
	delete(g.held, k)
}

// Candidate sends c with send, or keeps it until k's description is out.
// Sending under the lock keeps candidates in the order they came.
func (g *Gate[K, C]) Candidate(k K, c C, send func(C)) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.holding[k] {
		if g.held == nil {
			g.held = make(map[K][]C)
		}
		g.held[k] = append(g.held[k], c)
		return
	}
	send(c)
}
