package app_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/roomsdev/rooms/client"
	"github.com/roomsdev/rooms/internal/app"
	"github.com/roomsdev/rooms/internal/sfu"
)

// joinWith joins as a new guest with the given options.
func joinWith(t *testing.T, s *server, token, name string, opts client.JoinOptions) *client.Call {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	c, err := guestSession(t, s, token, name).Join(ctx, token, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Leave)
	return c
}

func simulcast(t *testing.T) *client.Synthetic {
	t.Helper()
	src, err := client.NewSimulcastSynthetic("cam")
	if err != nil {
		t.Fatal(err)
	}
	return src
}

// videoLog records the video packets one subscriber gets from one
// publisher.
type videoLog struct {
	mu      sync.Mutex
	from    string
	packets []client.Packet
}

func (l *videoLog) add(p client.Packet) {
	if p.Kind != "video" {
		return
	}
	l.mu.Lock()
	if l.from == "" || p.From == l.from {
		l.packets = append(l.packets, p)
	}
	l.mu.Unlock()
}

func (l *videoLog) snapshot() []client.Packet {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]client.Packet(nil), l.packets...)
}

// waitHeight waits until c receives video from id at the given height.
func waitHeight(t *testing.T, c *client.Call, id string, height int32, within time.Duration) {
	t.Helper()
	eventually(t, within, fmt.Sprintf("video from %s at %dp", id, height), func() bool {
		r := c.Received(id)
		return r != nil && r.Height.Load() == height
	})
	// And it keeps flowing.
	r := c.Received(id)
	v0 := r.VideoPackets.Load()
	eventually(t, 5*time.Second, "video to keep flowing", func() bool { return r.VideoPackets.Load() > v0+10 })
}

func TestSimulcastLayerSwitchIsContinuous(t *testing.T) {
	s := startServer(t, 50, func(c *app.Config) { c.Metrics = true })
	pub, viewer, log := publisherAndViewer(t, s, simulcast(t))

	// Without a word from the viewer, the highest layer; then each size.
	for _, h := range []int{180, 360, 720, 180} {
		if err := viewer.SetTrackSettings(client.TrackSetting{Participant: pub.Self.ID, Visible: true, Width: h * 16 / 9, Height: h}); err != nil {
			t.Fatal(err)
		}
		waitHeight(t, viewer, pub.Self.ID, int32(h), 10*time.Second)
	}

	pkts := log.snapshot()
	switches := checkContinuous(t, pkts)
	if switches < 4 {
		t.Fatalf("%d layer switches seen, want at least 4", switches)
	}
	t.Logf("%d packets, %d switches, first keyframe after %v", len(pkts), switches, time.Duration(viewer.Received(pub.Self.ID).FirstKeyframe.Load()))
	// What /metrics says of it: the switches, the keyframes they asked
	// the publisher for, and the bytes forwarded.
	if n := metric(t, s, "rooms_layer_switches_total"); n < float64(switches) {
		t.Errorf("rooms_layer_switches_total %v, want at least the %d switches seen", n, switches)
	}
	if metric(t, s, "rooms_plis_total") == 0 {
		t.Error("rooms_plis_total is 0 after layer switches")
	}
	var bytes int
	for _, p := range pkts {
		bytes += p.Size
	}
	if n := metric(t, s, "rooms_forwarded_bytes_total"); n < float64(bytes) {
		t.Errorf("rooms_forwarded_bytes_total %v, want at least the %d bytes of video the viewer got", n, bytes)
	}
}

// checkStep fails unless p follows q in one continuous stream: the same
// SSRC, the next sequence number, a timestamp that does not go back.
func checkStep(t *testing.T, i int, q, p client.Packet) {
	t.Helper()
	if p.SSRC != q.SSRC {
		t.Fatalf("packet %d: SSRC changed from %d to %d", i, q.SSRC, p.SSRC)
	}
	if p.Seq != q.Seq+1 {
		t.Fatalf("packet %d: sequence %d after %d (a gap or a duplicate)", i, p.Seq, q.Seq)
	}
	if int32(p.Timestamp-q.Timestamp) < 0 {
		t.Fatalf("packet %d: timestamp went back from %d to %d", i, q.Timestamp, p.Timestamp)
	}
}

// checkContinuous checks one subscriber's video from one publisher is one
// continuous stream: one SSRC, sequence numbers without gaps or repeats,
// timestamps that never go back, a keyframe first and after every layer
// switch, and padding (probes) only between frames. It returns the number
// of layer switches.
func checkContinuous(t *testing.T, pkts []client.Packet) (switches int) {
	t.Helper()
	if len(pkts) == 0 {
		t.Fatal("no video received")
	}
	media := -1 // the last media packet (not padding)
	for i, p := range pkts {
		if i > 0 {
			checkStep(t, i, pkts[i-1], p)
		}
		if p.Padding {
			continue
		}
		if media < 0 {
			if p.SyntheticLayer >= 0 && !p.Keyframe {
				t.Fatal("the first packet is not a keyframe")
			}
		} else {
			m := pkts[media]
			if media < i-1 && p.Timestamp == m.Timestamp {
				t.Fatalf("packet %d: padding inside a frame (timestamp %d)", i, p.Timestamp)
			}
			if p.SyntheticLayer != m.SyntheticLayer {
				switches++
				if !p.Keyframe {
					t.Fatalf("packet %d: switched from layer %d to %d on a delta frame", i, m.SyntheticLayer, p.SyntheticLayer)
				}
			}
		}
		media = i
	}
	return switches
}

func TestConstrainedSubscriberGetsLowerLayer(t *testing.T) {
	s := startServer(t, 50)
	host, room := newHost(t, s)
	pub := join(t, host, room.Token, false) // the host, receiving only
	pub = joinWith(t, s, room.Token, "Pub", client.JoinOptions{Publish: simulcast(t)})
	viewer := joinWith(t, s, room.Token, "Viewer", client.JoinOptions{})
	waitHeight(t, viewer, pub.Self.ID, 720, 15*time.Second)

	// The viewer's downlink estimate falls to 400 kbps: only 180p fits.
	viewer.LimitBandwidth(400_000)
	waitHeight(t, viewer, pub.Self.ID, 180, 10*time.Second)
	// 1.2 Mbps: 360p.
	viewer.LimitBandwidth(1_200_000)
	waitHeight(t, viewer, pub.Self.ID, 360, 10*time.Second)
	// The constraint lifts (no more estimates): back to 720p.
	viewer.LimitBandwidth(0)
	waitHeight(t, viewer, pub.Self.ID, 720, 15*time.Second)
}

// A subscriber held at a low layer by its own estimate is probed: the
// server sends padding (on the RTX stream when negotiated, as browsers do;
// here on the media stream), so a browser's estimate (which only grows with what
// arrives) can climb; once the estimate allows it the tile goes up and the
// padding stops. The media stream stays one continuous stream throughout.
func TestHeldBackSubscriberIsProbed(t *testing.T) {
	s := startServer(t, 50, func(c *app.Config) { c.Metrics = true })
	pub, viewer, log := publisherAndViewer(t, s, simulcast(t))
	if n := metric(t, s, "rooms_probe_padding_bytes_total"); n != 0 {
		t.Fatalf("%v bytes of padding while nothing held the viewer back", n)
	}

	viewer.LimitBandwidth(300_000)
	waitHeight(t, viewer, pub.Self.ID, 180, 10*time.Second)
	eventually(t, 10*time.Second, "padding to probe the viewer's downlink", func() bool {
		return metric(t, s, "rooms_probe_padding_bytes_total") > 20*267
	})

	// The estimate grows, as a browser's does: up to 720p, and no more padding.
	viewer.LimitBandwidth(20_000_000)
	waitHeight(t, viewer, pub.Self.ID, 720, 15*time.Second)
	eventually(t, 5*time.Second, "the padding to stop", func() bool {
		n := metric(t, s, "rooms_probe_padding_bytes_total")
		time.Sleep(time.Second)
		return metric(t, s, "rooms_probe_padding_bytes_total") == n
	})
	if sw := checkContinuous(t, log.snapshot()); sw < 2 {
		t.Fatalf("%d layer switches, want at least 2", sw)
	}
	// Without RTX (the SDK does not negotiate it) the padding came on the
	// media stream, between frames (checkContinuous).
	if n := viewer.Received(pub.Self.ID).PaddingPackets.Load(); n == 0 {
		t.Fatal("no padding packets reached the viewer")
	}
}

// metric reads one counter or gauge without labels from /metrics.
func metric(t *testing.T, s *server, name string) float64 {
	t.Helper()
	resp, err := http.Get(s.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	for _, line := range strings.Split(string(body), "\n") {
		if v, ok := strings.CutPrefix(line, name+" "); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				t.Fatalf("%s: %v", line, err)
			}
			return f
		}
	}
	t.Fatalf("/metrics has no %s", name)
	return 0
}

// hostPublishesVideo has the host of a new room join its call publishing
// the video of the source newSource makes (no audio).
func hostPublishesVideo(t *testing.T, s *server, newSource func(string) (*client.Synthetic, error)) (*client.Call, *client.Room, *client.Synthetic) {
	t.Helper()
	host, room := newHost(t, s)
	src, err := newSource("cam")
	if err != nil {
		t.Fatal(err)
	}
	src.Audio = nil
	return hostPublishes(t, host, room, src), room, src
}

// publisherAndViewer has a host publish src in a new room and a viewer,
// whose video from the host log records, receive it at 720p.
func publisherAndViewer(t *testing.T, s *server, src *client.Synthetic) (pub, viewer *client.Call, log *videoLog) {
	t.Helper()
	host, room := newHost(t, s)
	pub = hostPublishes(t, host, room, src)
	log = &videoLog{from: pub.Self.ID}
	viewer = joinWith(t, s, room.Token, "Viewer", client.JoinOptions{OnPacket: log.add})
	waitHeight(t, viewer, pub.Self.ID, 720, 15*time.Second)
	return pub, viewer, log
}

// hostPublishes has the host join the room's call publishing src.
func hostPublishes(t *testing.T, host *client.Session, room *client.Room, src *client.Synthetic) *client.Call {
	t.Helper()
	pub, err := host.Join(context.Background(), room.Token, client.JoinOptions{Publish: src})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pub.Leave)
	return pub
}

func TestOffscreenTilePausesAndPublisherStopsLayers(t *testing.T) {
	s := startServer(t, 50)
	host, room := newHost(t, s)
	src := simulcast(t)
	pub := hostPublishes(t, host, room, src)
	viewer := joinWith(t, s, room.Token, "Viewer", client.JoinOptions{})
	waitHeight(t, viewer, pub.Self.ID, 720, 15*time.Second)

	// The tile scrolls away: no more video, and nobody takes any layer.
	off := client.TrackSetting{Participant: pub.Self.ID, Visible: false}
	if err := viewer.SetTrackSettings(off); err != nil {
		t.Fatal(err)
	}
	r := viewer.Received(pub.Self.ID)
	eventually(t, 5*time.Second, "video to stop", func() bool {
		v := r.VideoPackets.Load()
		time.Sleep(300 * time.Millisecond)
		return r.VideoPackets.Load() == v
	})
	eventually(t, 10*time.Second, "the publisher to stop every layer", func() bool {
		return !src.LayerActive("q") && !src.LayerActive("h") && !src.LayerActive("f")
	})
	a0 := r.AudioPackets.Load()
	eventually(t, 5*time.Second, "audio to keep flowing", func() bool { return r.AudioPackets.Load() > a0 })

	// Back on screen as a small tile: 180p resumes at a keyframe, and the
	// publisher is told to send only that layer.
	if err := viewer.SetTrackSettings(client.TrackSetting{Participant: pub.Self.ID, Visible: true, Width: 320, Height: 180}); err != nil {
		t.Fatal(err)
	}
	waitHeight(t, viewer, pub.Self.ID, 180, 10*time.Second)
	eventually(t, 10*time.Second, "the publisher to send only 180p", func() bool {
		return src.LayerActive("q") && !src.LayerActive("h") && !src.LayerActive("f")
	})
	f0 := src.SentOnLayer("f")
	time.Sleep(500 * time.Millisecond)
	if f := src.SentOnLayer("f"); f != f0 {
		t.Fatalf("the 720p layer is still being sent: %d then %d packets", f0, f)
	}
}

// hostAndBea starts a call of two who publish and hear each other: the
// host (a) and Bea, a guest who joins with opts (and a synthetic camera
// and microphone).
func hostAndBea(t *testing.T, s *server, opts client.JoinOptions) (a, b *client.Call, room *client.Room) {
	t.Helper()
	host, room := newHost(t, s)
	a = join(t, host, room.Token, true)
	src, err := client.NewSynthetic("bea")
	if err != nil {
		t.Fatal(err)
	}
	opts.Publish = src
	b = joinWith(t, s, room.Token, "Bea", opts)
	receivesFrom(t, b, a)
	receivesFrom(t, a, b)
	return a, b, room
}

func TestTransportCutAndRestoredKeepsIdentity(t *testing.T) {
	s := startServer(t, 50)
	imp := &client.Impairment{}
	a, b, room := hostAndBea(t, s, client.JoinOptions{Impair: imp})
	id := b.ID()

	heardByA := listen(t, a) // what a hears about people from now on

	imp.Cut(true)
	time.Sleep(5 * time.Second) // past the client's "disconnected" and its ICE restart
	imp.Cut(false)

	_, v0 := b.ReceivedFrom(a.Self.ID)
	eventually(t, 15*time.Second, "media from a to Bea again", func() bool {
		_, v := b.ReceivedFrom(a.Self.ID)
		return v > v0+10
	})
	_, w0 := a.ReceivedFrom(id)
	eventually(t, 15*time.Second, "media from Bea to a again", func() bool {
		_, w := a.ReceivedFrom(id)
		return w > w0+10
	})
	if b.ID() != id {
		t.Fatalf("Bea's id changed from %s to %s", id, b.ID())
	}
	if got := a.Participants(); len(got) != 1 || got[id].Name != "Bea" {
		t.Fatalf("a sees %+v, want Bea (%s) only", got, id)
	}
	if got := s.Hub.Count(roomID(t, s, room.Token)); got != 2 {
		t.Fatalf("hub counts %d people, want 2", got)
	}
	if news := heardByA.people(); len(news) > 0 {
		t.Fatalf("a was told %v during the cut", news)
	}
}

func TestDeadTransportLeavesWithinTenSeconds(t *testing.T) {
	s := startServer(t, 50)
	host, room := newHost(t, s)
	a := join(t, host, room.Token, true)
	imp := &client.Impairment{}
	src, err := client.NewSynthetic("c")
	if err != nil {
		t.Fatal(err)
	}
	c := joinWith(t, s, room.Token, "Cy", client.JoinOptions{Publish: src, Impair: imp, NoICERestart: true})
	receivesFrom(t, a, c)

	imp.Cut(true)
	start := time.Now()
	eventually(t, 10*time.Second, "Cy to leave a's grid", func() bool {
		_, ok := a.Participants()[c.Self.ID]
		return !ok
	})
	t.Logf("Cy left a's grid %v after the cut", time.Since(start).Round(100*time.Millisecond))
}

// TestFiftyBots fills a room: one speaker publishing three-layer simulcast
// and talking, a few more camera publishers, and everyone else with a
// silent microphone. Every bot asks for the speaker's video large and the
// other cameras as small tiles, and must get exactly that, and hear the
// speaker.
func TestFiftyBots(t *testing.T) {
	const bots = 50
	cameras, speakerHeight, fps := 4, int32(720), 30
	switch {
	case raceEnabled:
		// pion runs several times slower under the race detector: the
		// same fifty people, fewer cameras and frames.
		cameras, speakerHeight, fps = 2, 360, 10
	case testing.Short():
		cameras, speakerHeight, fps = 3, 360, 10
	}
	// The machine may be busy (race detector, other tests): give media
	// connections more time than production does before they count as dead.
	s := startServer(t, bots, func(c *app.Config) {
		c.Media.ICEDisconnected, c.Media.ICEFailed = 15*time.Second, 30*time.Second
	})
	host, room := newHost(t, s)
	ctx := context.Background()

	speakerSrc := simulcast(t)
	speakerSrc.FrameRate = fps
	speakerSrc.SetSpeaking(true)
	speaker, err := host.Join(ctx, room.Token, client.JoinOptions{Publish: speakerSrc, NoICERestart: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(speaker.Leave)

	start := time.Now()
	calls := make([]*client.Call, bots-1)
	var wg sync.WaitGroup
	sem := make(chan struct{}, 3)
	errs := make(chan error, bots)
	for i := range calls {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			var src *client.Synthetic
			var err error
			if i < cameras-1 {
				src, err = client.NewSimulcastSynthetic("cam")
				if src != nil {
					src.FrameRate = fps
				}
			} else {
				src, err = client.NewSynthetic("mic")
				if src != nil {
					src.Video = nil
				}
			}
			if err != nil {
				errs <- err
				return
			}
			sess := guestSession(t, s, room.Token, fmt.Sprintf("Bot %d", i))
			jctx, cancel := context.WithTimeout(ctx, 30*time.Second)
			defer cancel()
			c, err := sess.Join(jctx, room.Token, client.JoinOptions{Publish: src, NoICERestart: true})
			if err != nil {
				errs <- err
				return
			}
			calls[i] = c
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	// Leaving one by one takes long under the race detector: all at once.
	t.Cleanup(func() {
		var wg sync.WaitGroup
		for _, c := range calls {
			wg.Add(1)
			go func() {
				defer wg.Done()
				c.Leave()
			}()
		}
		wg.Wait()
	})
	t.Logf("%d bots joined after %v", bots, time.Since(start).Round(time.Millisecond))
	all := append([]*client.Call{speaker}, calls...)
	var cams []string
	for _, c := range all[:cameras] {
		cams = append(cams, c.ID())
	}
	for _, c := range all {
		var settings []client.TrackSetting
		for _, id := range cams {
			h := 180
			if id == speaker.ID() {
				h = int(speakerHeight)
			}
			if id != c.ID() {
				settings = append(settings, client.TrackSetting{Participant: id, Visible: true, Width: h * 16 / 9, Height: int(h)})
			}
		}
		if err := c.SetTrackSettings(settings...); err != nil {
			t.Fatal(err)
		}
	}

	for _, c := range calls {
		// Exactly what was asked, in every mode: under the race detector
		// the room is made lighter (above), not the bar lower.
		if !within(30*time.Second, func() bool {
			r := c.Received(speaker.ID())
			return r != nil && r.Height.Load() == speakerHeight && r.AudioPackets.Load() > 10
		}) {
			r := c.Received(speaker.ID())
			if r == nil {
				t.Fatalf("%s got nothing from the speaker; pc states %s", c.Self.Name, c.States())
			}
			t.Fatalf("%s gets the speaker at %dp (%d video packets, %d keyframes, %d audio packets), want %dp; pc states %s",
				c.Self.Name, r.Height.Load(), r.VideoPackets.Load(), r.Keyframes.Load(), r.AudioPackets.Load(), speakerHeight, c.States())
		}
		for _, id := range cams[1:] {
			if id == c.ID() {
				continue
			}
			ok := within(30*time.Second, func() bool {
				r := c.Received(id)
				return r != nil && r.Height.Load() == 180
			})
			if !ok {
				r := c.Received(id)
				if r == nil {
					t.Fatalf("%s got nothing from %s", c.Self.Name, id)
				}
				t.Fatalf("%s gets %s at %dp (%d video packets, %d keyframes), want 180p; server: %s", c.Self.Name, id, r.Height.Load(), r.VideoPackets.Load(), r.Keyframes.Load(), s.Media.Describe(sfu.PeerID(c.ID())))
			}
		}
	}
	t.Logf("everyone gets what they asked for after %v", time.Since(start).Round(time.Millisecond))
	defer func() { t.Logf("checks done after %v", time.Since(start).Round(time.Millisecond)) }()
	for _, c := range calls {
		eventually(t, 10*time.Second, c.Self.Name+" to be told who speaks", func() bool {
			active, _ := c.ActiveSpeaker()
			return active == speaker.ID()
		})
	}
	// Nobody hears the silent: the room forwards the loudest few.
	quiet := calls[len(calls)-1].ID()
	r := calls[0].Received(quiet)
	var q0 int64
	if r != nil {
		q0 = r.AudioPackets.Load()
	}
	time.Sleep(time.Second)
	if r != nil && r.AudioPackets.Load() > q0+3 {
		t.Errorf("a silent bot's audio still flows: %d then %d packets", q0, r.AudioPackets.Load())
	}
}

// within polls cond until it holds or the time is up, and says which.
func within(d time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(50 * time.Millisecond)
	}
	return true
}

func TestTURNRelaysMediaAndMetricsCount(t *testing.T) {
	s := startServer(t, 50, func(c *app.Config) {
		c.TURNPort = -1
		c.Metrics = true
	})
	// Bea's media may only go through the embedded TURN server, with the
	// credentials `joined` gave her.
	a, b, _ := hostAndBea(t, s, client.JoinOptions{RelayOnly: true})
	sendsDirect(t, s, a, b)

	resp, err := http.Get(s.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{"rooms_participants 2", `rooms_tracks{kind="video"} 2`, "rooms_forwarded_packets_total ", "rooms_forward_latency_seconds_bucket", "rooms_fanout_seconds_bucket", "rooms_udp_segmented_datagrams_total", "rooms_udp_receive_dropped_total", "rooms_direct_received_packets_total", "rooms_room_bitrate_bps{room="} {
		if !strings.Contains(string(body), want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
}

// Where UDP is blocked, media goes over ICE-TCP: a client that may use
// TCP alone reaches the server's passive TCP candidates on the media TCP
// port, and media flows both ways.
func TestICETCPWhenUDPIsBlocked(t *testing.T) {
	s := startServer(t, 50, func(c *app.Config) {
		c.Media.TCPPort = -1
		c.Metrics = true
	})
	a, b, _ := hostAndBea(t, s, client.JoinOptions{TCPOnly: true})
	sendsDirect(t, s, a, b)
}

// sendsDirect checks that the server encrypts and writes a's and b's
// media itself (sfu/direct.go), and that what it writes is what their
// SRTP expects: video keeps reaching both after that.
func sendsDirect(t *testing.T, s *server, a, b *client.Call) {
	t.Helper()
	eventually(t, 5*time.Second, "both connections sending directly", func() bool {
		return metric(t, s, "rooms_direct_send_participants") == 2
	})
	receivesFrom(t, a, b)
	receivesFrom(t, b, a)
}

// /metrics shows how busy every room is: only this machine asking
// directly reads it, or a scraper with the token when one is set.
func TestMetricsAreNotPublic(t *testing.T) {
	get := func(s *server, header, value string) string {
		req, _ := http.NewRequest(http.MethodGet, s.URL+"/metrics", nil)
		if header != "" {
			req.Header.Set(header, value)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	open := startServer(t, 50, func(c *app.Config) { c.Metrics = true })
	if !strings.Contains(get(open, "", ""), "rooms_participants") {
		t.Fatal("this machine cannot read /metrics")
	}
	for _, h := range []string{"X-Forwarded-For", "X-Real-Ip", "Forwarded"} {
		if strings.Contains(get(open, h, "203.0.113.7"), "rooms_participants") {
			t.Fatalf("a request through a proxy (%s) read /metrics", h)
		}
	}
	locked := startServer(t, 50, func(c *app.Config) { c.Metrics, c.MetricsToken = true, "s3cret-token" })
	if strings.Contains(get(locked, "", ""), "rooms_participants") || strings.Contains(get(locked, "Authorization", "Bearer wrong"), "rooms_participants") {
		t.Fatal("/metrics answered without the token")
	}
	if !strings.Contains(get(locked, "Authorization", "Bearer s3cret-token"), "rooms_participants") {
		t.Fatal("/metrics refused the token")
	}
}

// Every stream a subscriber receives gets RTCP sender reports (the room
// makes them, not an interceptor on the packet path), and they map the
// stream's RTP clock to wall-clock time as its packets do: browsers line
// up a person's audio and video with them.
func TestSubscribersGetSenderReports(t *testing.T) {
	s := startServer(t, 50)
	type seen struct {
		ts    uint32
		at    time.Time
		clock uint32
		kind  string
	}
	var mu sync.Mutex
	last := map[uint32]seen{}
	_, b, _ := hostAndBea(t, s, client.JoinOptions{OnPacket: func(p client.Packet) {
		if p.Padding || p.From == "" {
			return
		}
		mu.Lock()
		last[p.SSRC] = seen{p.Timestamp, p.At, p.ClockRate, p.Kind}
		mu.Unlock()
	}})
	var srs map[uint32]client.SenderReport
	eventually(t, 10*time.Second, "sender reports for the video and audio Bea receives", func() bool {
		srs = b.SenderReports()
		mu.Lock()
		defer mu.Unlock()
		kinds := map[string]bool{}
		for ssrc, p := range last {
			if _, ok := srs[ssrc]; ok {
				kinds[p.kind] = true
			}
		}
		return kinds["video"] && kinds["audio"]
	})
	mu.Lock()
	defer mu.Unlock()
	for ssrc, sr := range srs {
		p, ok := last[ssrc]
		if !ok {
			t.Fatalf("a sender report for SSRC %d, which Bea receives nothing on", ssrc)
		}
		if sr.Packets == 0 || sr.Octets == 0 {
			t.Fatalf("%s SSRC %d: a report of %d packets, %d bytes", p.kind, ssrc, sr.Packets, sr.Octets)
		}
		if d := sr.At.Sub(sr.NTPTime); d < -time.Second || d > time.Second {
			t.Fatalf("%s: the report's NTP time is %v off the clock", p.kind, d)
		}
		// Where the packets say the RTP clock was when the report came.
		want := int64(p.ts) + int64(sr.At.Sub(p.at))*int64(p.clock)/int64(time.Second)
		if off := time.Duration((int64(sr.RTPTime) - want) * int64(time.Second) / int64(p.clock)); off < -100*time.Millisecond || off > 100*time.Millisecond {
			t.Fatalf("%s: the report's RTP time is %v off the packets' clock", p.kind, off)
		}
	}
}
