package sfu

import (
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"
)

// allocRig is one subscriber receiving simulcast video tracks, each with
// libwebrtc's three layers at their measured rates, and a downlink
// estimate (REMB) set by hand.
type allocRig struct {
	sub    *Peer
	tracks map[string]*downTrack // by name
	names  []string
	now    time.Time
}

func newAllocRig() *allocRig {
	e := &Engine{stats: newStats(), cfg: Config{AudioTopN: 3, BigRoom: 8}}
	r := e.NewRoom("alloc", nil)
	sub := &Peer{id: "sub", room: r, log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		downs: map[*upTrack]*downTrack{}, settings: map[string]TrackSettings{}}
	return &allocRig{sub: sub, tracks: map[string]*downTrack{}, now: time.Unix(1000, 0)}
}

// add publishes a three-layer track from publisher name (source camera
// or screen) at 150 kbps, 500 kbps and 1.5 Mbps, and shows it in a tile
// of w×h.
func (g *allocRig) add(name, source string, w, h int) {
	u := &upTrack{publisher: &Peer{id: PeerID(name)}, layerCount: 3,
		info: TrackInfo{Publisher: PeerID(name), ID: name + "-video", Kind: "video", Source: source}}
	layers := [maxLayers]*upLayer{}
	for i, rate := range []int64{150_000, 500_000, 1_500_000} {
		layers[i] = &upLayer{up: u, index: i, cacheSize: 8}
		layers[i].bitrate.Store(rate)
		layers[i].height.Store(int32(180 << i))
	}
	u.layers.Store(&layers)
	u.downs.Store(&[]*downTrack{})
	g.sub.downs[u] = newDownTrack(u, g.sub)
	g.sub.settings[u.info.ID] = TrackSettings{Visible: true, Width: w, Height: h}
	g.tracks[name] = g.sub.downs[u]
	g.names = append(g.names, name)
}

// layers runs the allocator with the downlink at remb and returns the
// layer each track gets, by name, in the order added.
func (g *allocRig) layers(remb float64, speaker PeerID) string {
	g.sub.bwe.onREMB(remb, g.now)
	g.sub.allocate(g.now, speaker)
	var out []string
	for _, n := range g.names {
		out = append(out, fmt.Sprintf("%s=%d", n, g.tracks[n].target.Load()))
	}
	return strings.Join(out, " ")
}

// TestBudgetGoesToScreenThenSpeakerThenLargestTile: a subscriber shows a
// screen share, the active speaker and four other cameras, all in tiles
// big enough for the top layer, on a downlink too short for all of that.
// Every tile gets the lowest layer; what is left goes first to the screen
// share, then to the active speaker, then to the other tiles, largest
// first. The screen share is added last and the speaker's tile is the
// smallest, so neither wins by size; the tracks sit in a map, so nobody
// wins by the order they were added.
func TestBudgetGoesToScreenThenSpeakerThenLargestTile(t *testing.T) {
	for _, tt := range []struct {
		remb float64
		want string
	}{
		// 6 × 150k at the bottom (900k); the rest goes up with 15%
		// headroom: 402.5k to go up to 500k, 1.15M to go on to 1.5M.
		{600_000, "bob=0 carol=0 dan=0 erin=0 alice=0 screen=0"},
		{1_400_000, "bob=0 carol=0 dan=0 erin=0 alice=0 screen=1"},
		{2_450_000, "bob=0 carol=0 dan=0 erin=0 alice=0 screen=2"},
		{2_700_000, "bob=0 carol=0 dan=0 erin=0 alice=1 screen=2"},
		{3_800_000, "bob=0 carol=0 dan=0 erin=0 alice=2 screen=2"},
		{4_100_000, "bob=1 carol=0 dan=0 erin=0 alice=2 screen=2"},
		{4_450_000, "bob=1 carol=1 dan=0 erin=0 alice=2 screen=2"},
		{4_800_000, "bob=1 carol=1 dan=1 erin=0 alice=2 screen=2"},
		{100_000_000, "bob=2 carol=2 dan=2 erin=2 alice=2 screen=2"},
	} {
		// Map order differs each time: a few rounds make an order that
		// happens to be right unlikely to hide a wrong sort.
		for range 5 {
			g := newAllocRig()
			g.add("bob", SourceCamera, 1280, 720)
			g.add("carol", SourceCamera, 1120, 720)
			g.add("dan", SourceCamera, 960, 720)
			g.add("erin", SourceCamera, 800, 720)
			g.add("alice", SourceCamera, 640, 720) // the speaker
			g.add("screen", SourceScreen, 1280, 720)
			if got := g.layers(tt.remb, "alice"); got != tt.want {
				t.Fatalf("downlink %.2f Mbps: layers %s, want %s", tt.remb/1e6, got, tt.want)
			}
		}
	}
}
