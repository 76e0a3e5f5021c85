package sfu

import (
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// Active-speaker detection and "loudest N" audio forwarding, from the
// audio-level header extension (RFC 6464): each audio packet carries the
// sender's level in -dBov (0 loudest, 127 silence), so the SFU knows who
// talks without decoding anything.

const (
	// quietLevel is the level (-dBov) below which a packet counts as no
	// sound at all; speech is typically -20 to -45 dBov.
	quietLevel = 70
	// speakingEnergy is the smoothed loudness above which someone is
	// talking (about -55 dBov on average).
	speakingEnergy = 15
	// audibleEnergy is the smoothed loudness below which a stream is not
	// worth forwarding in a big room (about -69 dBov): the smoothing
	// decays towards zero without reaching it for minutes, so the last
	// people to talk would otherwise stay among the loudest long after
	// they fell silent.
	audibleEnergy = 1
	// audibleHold keeps a stream forwarded this long after it last was
	// among the loudest, so a speaker's pauses between words don't cut
	// them off and the set never flickers.
	audibleHold = 2 * time.Second
	// speakersEvery is the least time between two speaker messages.
	speakersEvery = 300 * time.Millisecond
	// speakerMargin is how much louder someone must be than the active
	// speaker, who is still talking, to take over.
	speakerMargin = 1.3
)

// levelMeter gathers one audio stream's levels between two room ticks.
// The reader goroutine adds; the room ticker takes.
type levelMeter struct {
	packets atomic.Uint64
	energy  atomic.Uint64

	// The room ticker's own state.
	smoothed   float64
	selectedAt time.Time
}

func (m *levelMeter) add(level uint8) {
	m.packets.Add(1)
	if level < quietLevel {
		m.energy.Add(uint64(quietLevel - level))
	}
}

// tick folds the last period into the smoothed loudness (an exponential
// average with a time constant of about 300 ms at 100 ms ticks).
func (m *levelMeter) tick() float64 {
	n := m.packets.Swap(0)
	e := m.energy.Swap(0)
	avg := 0.0
	if n > 0 {
		avg = float64(e) / float64(n)
	}
	m.smoothed = 0.7*m.smoothed + 0.3*avg
	return m.smoothed
}

// speakerState is the room's view of who talks; the room ticker owns it.
type speakerState struct {
	active   PeerID
	speaking []PeerID
	sentAt   time.Time
	dirty    bool
	told     map[*Peer]bool // peers that have the latest state
}

// updateSpeakers runs every room tick: it refreshes the loudness of every
// audio track, chooses the audio forwarded when the room has more than
// topN audio tracks, and tells everyone who speaks when that changed.
func (r *Room) updateSpeakers(now time.Time, tracks []*upTrack, peers []*Peer) {
	type loud struct {
		u      *upTrack
		energy float64
	}
	var audio []loud
	byPeer := make(map[PeerID]float64)
	for _, u := range tracks {
		if !u.audio {
			continue
		}
		e := u.level.tick()
		audio = append(audio, loud{u, e})
		if e > byPeer[u.info.Publisher] {
			byPeer[u.info.Publisher] = e
		}
	}
	sort.SliceStable(audio, func(i, j int) bool { return audio[i].energy > audio[j].energy })
	// Small rooms forward all audio. In big ones the loudest n are
	// forwarded, and each stays so for audibleHold after it last was: a
	// new speaker is heard at once, a pause does not cut anyone off.
	// Streams without levels cannot be ranked and are always forwarded.
	n := r.engine.cfg.AudioTopN
	all := n <= 0 || len(audio) <= r.engine.cfg.BigRoom
	for i, a := range audio {
		if all || a.u.levelID == 0 || (i < n && a.energy >= audibleEnergy) {
			a.u.level.selectedAt = now
		}
		a.u.audible.Store(now.Sub(a.u.level.selectedAt) < audibleHold)
	}

	s := &r.speakers
	var speaking []PeerID
	for id, e := range byPeer {
		if e >= speakingEnergy {
			speaking = append(speaking, id)
		}
	}
	sort.Slice(speaking, func(i, j int) bool {
		if byPeer[speaking[i]] != byPeer[speaking[j]] {
			return byPeer[speaking[i]] > byPeer[speaking[j]]
		}
		return speaking[i] < speaking[j]
	})
	active := s.active
	if len(speaking) > 0 {
		top := speaking[0]
		if active == "" || byPeer[active] < speakingEnergy || byPeer[top] > byPeer[active]*speakerMargin {
			active = top
		}
	}
	if _, ok := byPeer[active]; !ok {
		active = "" // the active speaker left
	}
	if active != s.active || !slices.Equal(speaking, s.speaking) {
		s.active, s.speaking, s.dirty = active, speaking, true
		r.activeSpeakerID.Store(string(active))
	}
	if s.dirty && now.Sub(s.sentAt) >= speakersEvery {
		s.dirty = false
		s.sentAt = now
		s.told = make(map[*Peer]bool, len(peers))
	}
	// Everyone who has not heard the latest state hears it, newcomers too.
	if s.active == "" && len(s.speaking) == 0 {
		return
	}
	if s.told == nil {
		s.told = make(map[*Peer]bool, len(peers))
	}
	var list []PeerID
	for _, p := range peers {
		if s.told[p] {
			continue
		}
		if list == nil {
			list = slices.Clone(s.speaking)
		}
		s.told[p] = true
		p.h.Speakers(s.active, list)
	}
	if len(s.told) > 2*len(peers)+16 {
		s.told = nil // forget those who left; they are told again, harmlessly
	}
}

// activeSpeaker is the peer heard most recently above the others.
func (r *Room) activeSpeaker() PeerID {
	if v, ok := r.activeSpeakerID.Load().(string); ok {
		return PeerID(v)
	}
	return ""
}

// dynacastState is what a publisher has been told to send of one track.
type dynacastState struct {
	lastWanted [maxLayers]time.Time
	announced  string
	told       bool
}

// dynacastHold keeps a layer on this long after its last subscriber went,
// so a tile resized back and forth does not make the publisher stop and
// start (each start costs a keyframe).
const dynacastHold = 3 * time.Second

// updateDynacast tells the publisher of u which layers anyone still
// takes, so that it stops encoding the others (the browser sets
// encodings[i].active). Run by the room ticker.
func (u *upTrack) updateDynacast(now time.Time) {
	if u.audio {
		return
	}
	st := &u.dynacast
	for _, d := range *u.downs.Load() {
		for _, l := range [...]int32{d.desired.Load(), d.target.Load(), d.current.Load()} {
			if l >= 0 && int(l) < maxLayers {
				st.lastWanted[l] = now
				if u.svc != nil {
					// Any spatial layer of an SVC track is its one
					// stream: that stays on.
					st.lastWanted[0] = now
				}
			}
		}
	}
	var active []string
	for i := 0; i < u.layerCount; i++ {
		if now.Sub(u.published) < dynacastHold || now.Sub(st.lastWanted[i]) < dynacastHold {
			active = append(active, u.rids[i])
		}
	}
	spatial := 0 // simulcast: the rids say it all
	if u.svc != nil {
		spatial = u.svc.wanted(now, st, u.published)
	}
	key := strconv.Itoa(len(active)) + ":" + strings.Join(active, ",") + ":" + strconv.Itoa(spatial)
	if st.told && key == st.announced {
		return
	}
	if !st.told && len(active) == u.layerCount && (u.svc == nil || spatial == u.svc.count()) {
		return // the publisher sends everything until told otherwise
	}
	st.told, st.announced = true, key
	u.publisher.h.PublishLayers(u.info, active, spatial)
}
