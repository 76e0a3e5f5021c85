package app_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/roomsdev/rooms/client"
)

// TestMeasureFiftyBots measures a running server (not one started here):
// 50 bots, 25 publishing three-layer simulcast at realistic rates and all
// with a microphone (one talking), each viewing the speaker at 720p and
// the 24 other cameras at 180p. It prints the server's CPU and memory
// (from /proc) and the time from joining to the speaker's first keyframe.
// It runs only when asked:
//
//	ROOMS_MEASURE_URL=http://127.0.0.1:8080 ROOMS_MEASURE_PID=1234 go test ./internal/app -run TestMeasureFiftyBots -v
func TestMeasureFiftyBots(t *testing.T) {
	base, pidText := os.Getenv("ROOMS_MEASURE_URL"), os.Getenv("ROOMS_MEASURE_PID")
	if base == "" || pidText == "" {
		t.Skip("set ROOMS_MEASURE_URL and ROOMS_MEASURE_PID to measure a running server")
	}
	pid, _ := strconv.Atoi(pidText)
	bots, cameras := envInt("ROOMS_MEASURE_BOTS", 50), envInt("ROOMS_MEASURE_CAMERAS", 25)
	ctx := context.Background()
	host := client.NewSession(base)
	n := time.Now().UnixNano()
	if _, err := host.SignUp(ctx, "Measure Host", fmt.Sprintf("measure%d@example.com", n), "correct horse battery"); err != nil {
		t.Fatal(err)
	}
	room, err := host.CreateRoom(ctx, "Measure")
	if err != nil {
		t.Fatal(err)
	}

	type first struct {
		mu     sync.Mutex
		joined time.Time
		at     map[string]time.Time
	}
	firsts := make([]*first, bots)
	calls := make([]*client.Call, bots)
	srcs := make([]*client.Synthetic, bots)
	for i := range calls {
		f := &first{at: make(map[string]time.Time)}
		firsts[i] = f
		var src *client.Synthetic
		if i < cameras {
			src, err = client.NewSimulcastSynthetic("cam")
		} else {
			src, err = client.NewSynthetic("mic")
			src.Video = nil
		}
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			src.SetSpeaking(true)
		}
		srcs[i] = src
		sess := host
		if i > 0 {
			sess = client.NewSession(base)
			if err := sess.JoinAsGuest(ctx, room.Token, fmt.Sprintf("Bot %d", i)); err != nil {
				t.Fatal(err)
			}
		}
		f.joined = time.Now()
		c, err := sess.Join(ctx, room.Token, client.JoinOptions{Publish: src, OnPacket: func(p client.Packet) {
			if !p.Keyframe {
				return
			}
			f.mu.Lock()
			if _, ok := f.at[p.From]; !ok {
				f.at[p.From] = p.At
			}
			f.mu.Unlock()
		}})
		if err != nil {
			t.Fatal(err)
		}
		calls[i] = c
		defer c.Leave()
	}
	speaker := calls[0].ID()
	var camIDs []string
	for _, c := range calls[:cameras] {
		camIDs = append(camIDs, c.ID())
	}
	for _, c := range calls {
		var ts []client.TrackSetting
		for _, id := range camIDs {
			if id == c.ID() {
				continue
			}
			h := 180
			if id == speaker {
				h = 720
			}
			ts = append(ts, client.TrackSetting{Participant: id, Visible: true, Width: h * 16 / 9, Height: h})
		}
		if err := c.SetTrackSettings(ts...); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("%d bots joined; warming up 20 s", bots)
	if os.Getenv("ROOMS_MEASURE_DEBUG") != "" {
		defer func() {
			for _, c := range calls[1:3] {
				t.Logf("%s: %+v", c.Self.Name, c.States())
			}
			for i, src := range srcs[:3] {
				t.Logf("publisher %d sent q %d h %d f %d", i, src.SentOnLayer("q"), src.SentOnLayer("h"), src.SentOnLayer("f"))
			}
		}()
	}
	time.Sleep(20 * time.Second)

	cpu0, _ := procCPU(pid)
	self0, _ := procCPU(os.Getpid())
	fwd0 := metric(base, "rooms_forwarded_packets_total")
	var recv0 int64
	for _, c := range calls {
		for _, id := range camIDs {
			if r := c.Received(id); r != nil {
				recv0 += r.VideoPackets.Load() + r.AudioPackets.Load()
			}
		}
	}
	start := time.Now()
	time.Sleep(20 * time.Second)
	cpu1, rss := procCPU(pid)
	self1, _ := procCPU(os.Getpid())
	fwd1 := metric(base, "rooms_forwarded_packets_total")
	secs := time.Since(start).Seconds()
	var recv1 int64
	at720, at180, tiles := 0, 0, 0
	for _, c := range calls {
		for _, id := range camIDs {
			r := c.Received(id)
			if r == nil || id == c.ID() {
				continue
			}
			recv1 += r.VideoPackets.Load() + r.AudioPackets.Load()
			tiles++
			switch {
			case id == speaker && r.Height.Load() == 720:
				at720++
			case id != speaker && r.Height.Load() == 180:
				at180++
			}
		}
	}
	var waits []time.Duration
	for i, f := range firsts {
		if i == 0 {
			continue
		}
		f.mu.Lock()
		if at, ok := f.at[speaker]; ok {
			waits = append(waits, at.Sub(f.joined))
		}
		f.mu.Unlock()
	}
	sort.Slice(waits, func(i, j int) bool { return waits[i] < waits[j] })
	pct := func(p float64) time.Duration {
		if len(waits) == 0 {
			return 0
		}
		return waits[int(p*float64(len(waits)-1))]
	}
	t.Logf("server CPU %.0f%% of one core, RSS %.0f MiB (%.1f MiB per participant)", (cpu1-cpu0)/secs*100, float64(rss)/(1<<20), float64(rss)/(1<<20)/float64(bots))
	t.Logf("server forwarded %.0f packets/s; the bots' own process used %.0f%% of one core", (fwd1-fwd0)/secs, (self1-self0)/secs*100)
	t.Logf("bots received %.0f packets/s in all; speaker at 720p for %d of %d, other cameras at 180p for %d", float64(recv1-recv0)/secs, at720, bots-1, at180)
	t.Logf("join → speaker's first keyframe: p50 %v, p90 %v, max %v (%d bots)", pct(0.5), pct(0.9), pct(1), len(waits))
	_ = tiles
}

// procCPU reads a process's CPU seconds (user + system) and resident
// memory from /proc.
func procCPU(pid int) (seconds float64, rss int64) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, 0
	}
	s := string(b)
	fields := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
	utime, _ := strconv.ParseFloat(fields[11], 64)
	stime, _ := strconv.ParseFloat(fields[12], 64)
	pages, _ := strconv.ParseInt(fields[21], 10, 64)
	return (utime + stime) / 100, pages * int64(os.Getpagesize())
}

// metric reads one unlabelled value from the server's /metrics.
func metric(base, name string) float64 {
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		return 0
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, name+" "); ok {
			f, _ := strconv.ParseFloat(strings.TrimSpace(v), 64)
			return f
		}
	}
	return 0
}

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil {
		return v
	}
	return def
}
