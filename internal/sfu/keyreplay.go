package sfu

import (
	"time"

	"github.com/pion/rtp"
)

// A subscriber shows nothing of a video until a keyframe of it arrives.
// Asked for when the subscriber's connection comes up, a keyframe costs
// a round trip to the publisher and the publisher's wait for its next
// frame: 17 ms on average at 30 frames a second, up to 33, and a person
// joining a meeting waits for the slowest of two dozen publishers.
//
// So the keyframe is asked for as soon as the subscription starts
// (Peer.subscribe), while the connection is still being set up, and the
// layer's packet cache (cache.go), which holds the keyframe and what
// followed it, is replayed to the newcomer the moment its connection is
// up (Peer.requestKeyframes); live packets follow on. A replay sends only
// a recent keyframe whose every packet since is still cached, so the
// burst is short and the stream has no holes; otherwise the subscriber
// waits for a keyframe as before.

// replayMaxAge is the oldest keyframe a replay sends: its decoder has
// to catch up on every frame since, at once.
const replayMaxAge = 500 * time.Millisecond

// gopStart is where a layer's latest keyframe starts in its packet cache:
// the first packet of the latest keyframe and the newest packet since.
// Only route writes it and startFromCache reads it, both holding the
// layer's media buffer.
type gopStart struct {
	seq    uint16 // the keyframe's first packet
	ts     uint32 // its timestamp: more packets of the same frame may test as key (H.264)
	at     int64  // when it arrived, unix nanoseconds
	newest uint16
	valid  bool
}

// keyframe records a packet that starts (or continues) a keyframe.
func (g *gopStart) keyframe(seq uint16, ts uint32, at int64) {
	if g.valid && ts == g.ts {
		return
	}
	*g = gopStart{seq: seq, ts: ts, at: at, newest: seq, valid: true}
}

// saw records a packet routed after the keyframe (late ones change nothing).
func (g *gopStart) saw(seq uint16) {
	if int16(seq-g.newest) > 0 {
		g.newest = seq
	}
}

// startFromCache starts d, which has not started yet, on its target layer
// from the layer's cached keyframe and what followed it. It reports
// whether it did; if not, the caller asks the publisher for a keyframe.
func (d *downTrack) startFromCache() bool {
	u := d.up
	if u.svc != nil || u.isKey == nil || u.paused.Load() || !d.bound.Load() || d.current.Load() >= 0 {
		return false
	}
	tgt := d.target.Load()
	if tgt < 0 || int(tgt) >= maxLayers {
		return false
	}
	l := u.layers.Load()[tgt]
	if l == nil {
		return false
	}
	media, c := l.media.Load(), l.cache.Load()
	if media == nil || c == nil || !media.Hold() {
		return false
	}
	defer media.Release()
	// Held, the layer forwards nothing, so the cache and d stand still
	// but for another layer's reader, which d's target keeps out.
	g := l.gop
	now := time.Now().UnixNano()
	n := int(g.newest-g.seq) + 1
	if !g.valid || now-g.at > int64(replayMaxAge) || n > l.cacheSize/2 ||
		d.current.Load() >= 0 || d.target.Load() != tgt || !c.holds(g.seq, n) {
		return false
	}
	e := d.sub.room.engine
	e.cork()
	defer e.uncork()
	buf := slots.Get().(*[]byte)
	defer slots.Put(buf)
	var pkt rtp.Packet
	sent, bytes := 0, 0
	for i := range n {
		m := c.get(g.seq+uint16(i), *buf)
		if m == 0 || pkt.Unmarshal((*buf)[:m]) != nil {
			break // cannot happen while held: holds said so
		}
		if d.writeFrom(l, &pkt, i == 0 || u.isKey(pkt.Payload), now) != wrote {
			if i == 0 {
				return false
			}
			continue // a temporal layer the subscriber does not take
		}
		sent++
		bytes += len(pkt.Payload) + 12
	}
	st := e.stats
	st.replays.Add(1)
	st.forwarded(uint64(sent), uint64(bytes))
	d.sub.room.forwardedBytes.Add(uint64(bytes))
	return true
}
