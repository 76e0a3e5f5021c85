package client

import (
	"sync"
	"time"

	"github.com/pion/webrtc/v4"
)

// Timeline is when a call passed each step of connecting its receiving
// side: where the time from pressing join to the first picture goes (the
// load tool reports it for its late joins). A step not reached is zero.
type Timeline struct {
	Joined       time.Time // the server said joined
	SubOffer     time.Time // the server's first offer for the subscriber connection arrived
	SubAnswered  time.Time // our answer went out
	SubICE       time.Time // ICE connected the subscriber connection
	SubConnected time.Time // DTLS too: media may flow
	FirstTrack   time.Time // the first remote track arrived (pion has read its first packet)
}

// timeline records a call's Timeline.
type timeline struct {
	mu sync.Mutex
	t  Timeline
}

// mark sets the step field selects to now, the first time only.
func (tl *timeline) mark(field func(*Timeline) *time.Time) {
	now := time.Now()
	tl.mu.Lock()
	defer tl.mu.Unlock()
	if f := field(&tl.t); f.IsZero() {
		*f = now
	}
}

// Timeline returns when the call passed each step of connecting.
func (c *Call) Timeline() Timeline {
	c.steps.mu.Lock()
	defer c.steps.mu.Unlock()
	return c.steps.t
}

// watchSubSteps records the subscriber connection's ICE and DTLS steps.
func (c *Call) watchSubSteps() {
	c.sub.OnConnectionStateChange(func(s webrtc.PeerConnectionState) {
		if s == webrtc.PeerConnectionStateConnected {
			c.steps.mark(func(t *Timeline) *time.Time { return &t.SubConnected })
		}
	})
}
