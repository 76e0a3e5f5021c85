package httpapi

import (
	"sync"

	"github.com/roomsdev/rooms/internal/rooms"
)

// dropInWatchers wakes the live drop-in lists (handleDropInStream) of the
// people a change of the social graph concerns. The calls tell of people
// coming and going (Calls.Changed); a block, an ended friendship, leaving
// a group or an event's guest list change who sees which room without
// anyone moving, so the handlers that make those changes say whom they
// touch here.
type dropInWatchers struct {
	mu     sync.Mutex
	byUser map[rooms.UserID]*dropInWatch
}

// dropInWatch is one person's open streams (n) and the channel closed at
// the next change that concerns them.
type dropInWatch struct {
	n  int
	ch chan struct{}
}

// start registers a stream of u's list; stop ends it.
func (d *dropInWatchers) start(u rooms.UserID) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.byUser == nil {
		d.byUser = make(map[rooms.UserID]*dropInWatch)
	}
	w := d.byUser[u]
	if w == nil {
		w = &dropInWatch{ch: make(chan struct{})}
		d.byUser[u] = w
	}
	w.n++
}

func (d *dropInWatchers) stop(u rooms.UserID) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if w := d.byUser[u]; w != nil {
		if w.n--; w.n == 0 {
			delete(d.byUser, u)
		}
	}
}

// changed returns the channel closed at the next change concerning u,
// who must have a stream started.
func (d *dropInWatchers) changed(u rooms.UserID) <-chan struct{} {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.byUser[u].ch
}

// notify wakes the streams of the given people. Nobody watching costs
// nothing.
func (d *dropInWatchers) notify(users ...rooms.UserID) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, u := range users {
		if w := d.byUser[u]; w != nil {
			close(w.ch)
			w.ch = make(chan struct{})
		}
	}
}
