package sfu

import (
	"cmp"
	"math"
	"slices"
	"time"
)

// TrackSettings is what a subscriber wants of one remote video track: the
// size of the tile that shows it, and whether it is on screen at all.
type TrackSettings struct {
	// Visible is false for a tile nobody can see (scrolled away, another
	// page, a minimised window): its video is paused.
	Visible bool
	// Width and Height are the tile's size in pixels; zero means "as
	// large as there is".
	Width, Height int
}

// defaultSettings apply to tracks a subscriber has said nothing about:
// the highest layer while it receives a few videos, the lowest in a big
// grid (where tiles are small), so a crowd joining at once does not start
// everyone at 720p before their clients say what they show.
var defaultSettings = TrackSettings{Visible: true}

// smallGrid is the most videos a subscriber receives before its tracks'
// default is the lowest layer.
const smallGrid = 4

// upgradeHeadroom is how much more bandwidth than a higher layer needs
// must be available before a subscriber is moved up to it, so that a
// budget hovering near a layer's rate does not flip layers back and forth.
const upgradeHeadroom = 1.15

// audioReserve is what one forwarded audio stream takes off the budget.
const audioReserve = 40_000

// SetTrackSettings records what the subscriber wants of a track. key is
// a track id (TrackInfo.ID), or a publisher's peer id for all of that
// publisher's video. The layers are chosen again at once.
func (p *Peer) SetTrackSettings(key string, s TrackSettings) {
	p.allocMu.Lock()
	if s == defaultSettings {
		delete(p.settings, key)
	} else {
		p.settings[key] = s
	}
	p.allocMu.Unlock()
	p.allocate(time.Now(), p.room.activeSpeaker())
}

// layerFor returns the lowest layer at least as tall as height (or the
// highest there is), counting every negotiated layer, present or not.
func (u *upTrack) layerFor(height int) int {
	if u.svc != nil {
		return u.svc.layerFor(height)
	}
	top := u.layerCount - 1
	if top < 0 {
		return 0
	}
	if height <= 0 {
		return top
	}
	ls := u.layers.Load()
	for i := 0; i <= top; i++ {
		h := 180 << i // libwebrtc's ladder for a 720p camera
		if top == 0 {
			h = 720
		}
		if l := ls[i]; l != nil && l.height.Load() > 0 {
			h = int(l.height.Load())
		}
		if h*10 >= height*9 {
			return i
		}
	}
	return top
}

// rate is what layer i of u takes, measured, or libwebrtc's target until
// it has been measured.
func (u *upTrack) rate(i int) float64 {
	if u.svc != nil {
		return u.svc.rate(i)
	}
	if l := u.layers.Load()[i]; l != nil {
		if b := l.bitrate.Load(); b > 0 {
			return float64(b)
		}
	}
	if u.layerCount == 1 {
		return float64(nominalBitrates[maxLayers-1])
	}
	return float64(nominalBitrates[i])
}

// allocation is one video down track's share of the budget.
type allocation struct {
	d        *downTrack
	want     int // wanted layer; -1 for a tile off screen
	priority int // lower goes first
	area     int
	got      int
	tl       int32 // the highest temporal layer it takes (allTemporal: all)
}

// allocate chooses the layer of every video track p receives: each tile's
// wish, within what p's downlink takes. Screen shares come first, then the
// active speaker, then the other tiles, largest first; everyone visible
// gets the lowest layer before anyone gets more.
func (p *Peer) allocate(now time.Time, speaker PeerID) {
	p.allocMu.Lock()
	defer p.allocMu.Unlock()
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return
	}
	allocs := p.allocBuf[:0]
	defer func() { clear(allocs); p.allocBuf = allocs[:0] }()
	sending := 0.0
	audio := 0
	for u, d := range p.downs {
		sending += d.bitrate()
		if u.audio {
			if u.audible.Load() {
				audio++
			}
			continue
		}
		allocs = append(allocs, allocation{d: d})
	}
	p.mu.Unlock()

	budget := p.bwe.budget(sending, now) - float64(audio*audioReserve)
	for i := range allocs {
		a := &allocs[i]
		u := a.d.up
		s, ok := p.settings[u.info.ID]
		if !ok {
			s, ok = p.settings[string(u.info.Publisher)]
		}
		a.want = -1
		switch {
		case !ok && len(allocs) > smallGrid:
			a.want = 0
		case !ok:
			a.want = u.layerFor(0)
		case s.Visible:
			a.want = u.layerFor(s.Height)
		}
		a.d.desired.Store(int32(a.want))
		a.area = s.Width * s.Height
		a.priority = 2
		switch {
		case u.info.Source == SourceScreen:
			a.priority = 0
		case u.info.Publisher == speaker:
			a.priority = 1
		}
		a.got = -1
	}
	slices.SortStableFunc(allocs, func(a, b allocation) int {
		if a.priority != b.priority {
			return cmp.Compare(a.priority, b.priority)
		}
		return cmp.Compare(b.area, a.area)
	})
	// Everyone visible gets the lowest layer present, whatever the budget:
	// a receiver's estimate only grows with what it is sent, so pausing a
	// track because the estimate is short would starve the estimate and
	// never resume (a single-layer camera froze for good this way). What
	// the budget decides is who goes up; tiles off screen and pages not
	// shown are what keep a big room within a small downlink.
	for i := range allocs {
		a := &allocs[i]
		if a.want < 0 {
			continue
		}
		low := nextPresent(a.d.up, -1)
		if low < 0 {
			continue
		}
		a.got = low
		budget -= a.d.up.rate(low)
	}
	// A downlink too short even for that gets fewer frames of the least
	// important tiles (temporal layers) rather than congestion for all.
	budget = thinTemporal(allocs, budget)
	// Then each goes up towards its wish, in the same order.
	headroom := 1.0
	if !math.IsInf(budget, 1) {
		headroom = upgradeHeadroom
	}
	var held *downTrack // the first track the budget keeps below its wish
	heldExtra := 0.0
	for i := range allocs {
		a := &allocs[i]
		for a.got >= 0 && a.got < a.want && a.tl == allTemporal {
			next := nextPresent(a.d.up, a.got)
			if next < 0 || next > a.want {
				break
			}
			extra := a.d.up.rate(next) - a.d.up.rate(a.got)
			if (extra*headroom > budget && a.d.target.Load() < int32(next)) || extra > budget {
				if held == nil {
					held, heldExtra = a.d, extra
				}
				break
			}
			a.got = next
			budget -= extra
		}
	}
	if held == nil {
		// Nobody waits to go up a spatial layer, but a thinned tile
		// waits for its frames: probing is how the estimate can grow.
		for i := range allocs {
			if a := &allocs[i]; a.got >= 0 && a.tl < allTemporal {
				held, heldExtra = a.d, temporalStep(a)
				break
			}
		}
	}
	remb, lossy := p.bwe.signals(now)
	if p.probe.update(now, held, heldExtra, sending, remb, lossy) && held != nil {
		p.log.Debug("probing", "track", held.up.info.ID, "extra", heldExtra, "remb", remb)
	}
	for i := range allocs {
		a := &allocs[i]
		if old := a.d.maxTemporal(); old != a.tl {
			p.log.Debug("temporal layer chosen", "track", a.d.up.info.ID, "from", old, "to", a.tl, "budget_left", budget)
			a.d.setMaxTemporal(a.tl)
		}
		if old := a.d.target.Swap(int32(a.got)); old != int32(a.got) {
			p.log.Debug("layer chosen", "track", a.d.up.info.ID, "from", old, "to", a.got, "want", a.want, "budget_left", budget, "sending", sending)
			// An SVC subscriber moves down at the next picture, without
			// a keyframe (everyone would pay for one). A subscriber whose
			// connection is not up yet asks when it is (Peer.watch): a
			// keyframe now would pass before it could be decrypted, and
			// hold back the next request.
			if a.got >= 0 && (a.d.up.svc == nil || int32(a.got) > old) && p.subUp.Load() {
				a.d.up.requestKeyframe(a.got)
			}
		}
	}
}

// nextPresent returns the first layer above after that has arrived, or -1.
func nextPresent(u *upTrack, after int) int {
	ls := u.layers.Load()
	if u.svc != nil {
		if ls[0] == nil {
			return -1
		}
		for i := after + 1; i < u.svc.count(); i++ {
			if u.svc.present(i) {
				return i
			}
		}
		return -1
	}
	for i := after + 1; i < maxLayers; i++ {
		if ls[i] != nil {
			return i
		}
	}
	return -1
}

// thinTemporal lowers the temporal layer of tracks while the budget is
// short, the least important first and one layer at a time for all of
// them, and returns what is left of the budget. A track already thinned
// starts where it is, and goes back up, the most important first, only
// with upgradeHeadroom to spare, so a budget near the line does not make
// frame rates flap.
func thinTemporal(allocs []allocation, budget float64) float64 {
	for i := range allocs {
		a := &allocs[i]
		a.tl = allTemporal
		if a.got < 0 {
			continue
		}
		if cur := a.d.maxTemporal(); cur < allTemporal {
			a.tl = cur
			budget += temporalCost(a, cur, allTemporal)
		}
	}
	for tl := int32(temporalLayers - 2); tl >= 0 && budget < 0; tl-- {
		for i := len(allocs) - 1; i >= 0 && budget < 0; i-- {
			a := &allocs[i]
			if a.got < 0 || a.tl <= tl {
				continue
			}
			saved := temporalCost(a, tl, a.tl)
			if saved <= 0 {
				continue // no temporal layers to leave out
			}
			a.tl = tl
			budget += saved
		}
	}
	for i := range allocs {
		a := &allocs[i]
		for a.got >= 0 && a.tl < allTemporal {
			extra := temporalStep(a)
			if extra*upgradeHeadroom > budget {
				break
			}
			a.tl = nextTemporal(a.tl)
			budget -= extra
		}
	}
	return budget
}

// nextTemporal is the temporal layer above tl; above the middle one, all.
func nextTemporal(tl int32) int32 {
	if tl+1 >= temporalLayers-1 {
		return allTemporal
	}
	return tl + 1
}

// temporalStep is what taking one more temporal layer costs a.
func temporalStep(a *allocation) float64 { return temporalCost(a, a.tl, nextTemporal(a.tl)) }

// temporalCost is what taking temporal layers up to to rather than up to
// from costs a, at its spatial layer.
func temporalCost(a *allocation, from, to int32) float64 {
	u := a.d.up
	return u.rate(a.got) * (u.temporalFraction(a.got, to) - u.temporalFraction(a.got, from))
}
