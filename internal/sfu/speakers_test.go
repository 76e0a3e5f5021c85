package sfu

import (
	"fmt"
	"testing"
	"time"
)

// speakerRig is a room's speaker detection fed by hand: audio tracks
// with the audio-level extension, and a clock that moves a tick at a time.
type speakerRig struct {
	r      *Room
	tracks []*upTrack
	levels []uint8 // each track's level (-dBov) for the next ticks
	now    time.Time
}

func newSpeakerRig(topN, bigRoom int, levels ...uint8) *speakerRig {
	e := &Engine{stats: newStats(), cfg: Config{AudioTopN: topN, BigRoom: bigRoom}}
	g := &speakerRig{r: e.NewRoom("speakers", nil), levels: levels, now: time.Unix(1000, 0)}
	for i := range levels {
		u := &upTrack{audio: true, levelID: 1}
		u.info.Publisher = PeerID(fmt.Sprint("p", i))
		u.audible.Store(true) // as a new track starts (track.go)
		g.tracks = append(g.tracks, u)
	}
	return g
}

// run feeds d of audio: a packet every 20 ms per track at its level, and
// a room tick every tickInterval.
func (g *speakerRig) run(d time.Duration) {
	for end := g.now.Add(d); g.now.Before(end); g.now = g.now.Add(tickInterval) {
		for i, u := range g.tracks {
			for range tickInterval / (20 * time.Millisecond) {
				u.level.add(g.levels[i])
			}
		}
		g.r.updateSpeakers(g.now, g.tracks, nil)
	}
}

// audible lists the tracks forwarded now, by index.
func (g *speakerRig) audible() []int {
	var out []int
	for i, u := range g.tracks {
		if u.audible.Load() {
			out = append(out, i)
		}
	}
	return out
}

func (g *speakerRig) want(t *testing.T, when string, want ...int) {
	t.Helper()
	if got := g.audible(); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("%s: forwarded %v, want %v", when, got, want)
	}
}

// TestLoudestAudioAndItsHold: in a room with more audio tracks than
// BigRoom, only the loudest AudioTopN are forwarded; one that stops being
// among them stays forwarded for audibleHold (not longer), and a quiet
// one that starts talking is forwarded at once.
func TestLoudestAudioAndItsHold(t *testing.T) {
	// Five people: two talking loud, two talking softly (real packets at
	// a low level, not DTX silence), one silent.
	g := newSpeakerRig(2, 3, 25, 35, 55, 60, levelSilent)
	g.run(3 * time.Second) // past the hold every new track starts with
	g.want(t, "two loud and two soft talkers", 0, 1)

	// The loudest falls silent: the next loudest takes its place within
	// a few ticks, and it stays forwarded for the hold, then not.
	g.levels[0] = levelSilent
	g.run(500 * time.Millisecond)
	g.want(t, "0.5 s after the loudest stopped", 0, 1, 2)
	g.run(time.Second)
	g.want(t, "1.5 s after the loudest stopped", 0, 1, 2)
	g.run(time.Second)
	g.want(t, "2.5 s after the loudest stopped", 1, 2)

	// A soft talker gets loud: forwarded within a few ticks.
	g.levels[3] = 20
	g.run(3 * tickInterval)
	g.want(t, "0.3 s after a soft talker got loud", 1, 2, 3)
	g.run(3 * time.Second)
	g.want(t, "after the hold", 1, 3)

	// Nobody is forwarded for long in silence, even with room in the
	// top n.
	for i := range g.levels {
		g.levels[i] = levelSilent
	}
	// Their loudness decays below audibleEnergy in about a second, then
	// the hold runs out.
	g.run(4 * time.Second)
	g.want(t, "everyone silent for 4 s")
}

// TestSmallRoomAndLevellessAudioAlwaysForwarded: up to BigRoom audio
// tracks all are forwarded, however quiet; and a stream without the
// audio-level extension cannot be ranked, so it always is.
func TestSmallRoomAndLevellessAudioAlwaysForwarded(t *testing.T) {
	g := newSpeakerRig(2, 3, 25, 35, levelSilent)
	g.run(3 * time.Second)
	g.want(t, "three tracks, BigRoom 3", 0, 1, 2)

	g = newSpeakerRig(2, 3, 25, 35, 40, levelSilent)
	g.tracks[3].levelID = 0
	g.run(3 * time.Second)
	g.want(t, "a track without levels", 0, 1, 3)
}

// levelSilent is RFC 6464's silence (-127 dBov).
const levelSilent = 127
