// Package load drives bot participants (the Go SDK) against a running
// Rooms server for a bounded time and summarises what the server did:
// packets per second and per core, CPU, memory, goroutines, what the
// receivers saw (loss, NACKs, jitter) and how fast joins got their first
// keyframe. `rooms load` is its command line.
package load

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/netip"
	"net/url"
	"sync"
	"time"

	"github.com/roomsdev/rooms/client"
)

// Shapes of load.
const (
	ShapeMeeting    = "meeting"    // N publishers, everyone sees everyone
	ShapeFanout     = "fanout"     // P publishers of 180p, S receive-only subscribers
	ShapeAudio      = "audio"      // N audio-only publishers, all listening
	ShapeLivestream = "livestream" // 1 publisher, N viewers
	ShapeRooms      = "rooms"      // N participants in rooms of 4
)

// Config says what load to make.
type Config struct {
	Server       string
	Shape        string
	Participants int // meeting, audio, livestream (viewers), rooms
	Publishers   int // fanout
	Subscribers  int // fanout
	RoomSize     int // rooms: people per room (4)
	Duration     time.Duration
	// Warmup is how long to let joins settle before measuring.
	Warmup    time.Duration
	ServerPID int // 0: found from the server's port
	// JoinConcurrency bounds joins in flight at once.
	JoinConcurrency int
	// LateJoins is how many bots join the first room one at a time after
	// the measurement (late.go). In a room where everyone publishes they
	// publish too, unless LateJoinReceiveOnly.
	LateJoins           int
	LateJoinReceiveOnly bool
	// LateJoiner, when set, is the command (and its first arguments) of
	// a process that runs the late joins, as a person on a device of
	// their own would (LateJoinerMain; late.go says why). Empty runs them
	// in this process, among the bots.
	LateJoiner []string
	// Files, when set, is what every publisher sends (a recording, played
	// in a loop) instead of the shape's synthetic media.
	Files    *client.MediaFiles
	Progress io.Writer
}

// plan is who publishes what in which room.
type plan struct {
	rooms []roomPlan
}

type roomPlan struct {
	name        string
	publishers  int
	subscribers int
	media       mediaKind
}

// mediaKind is what a shape's publishers send.
type mediaKind int

const (
	audioVideo mediaKind = iota // Opus and one 180p VP8 stream
	simulcast                   // Opus and three VP8 layers (180p, 360p, 720p)
	videoOnly                   // one 180p VP8 stream, no audio (fanout)
	audioOnly                   // Opus only
)

// mediaNames name the kinds on the late joiner's command line.
var mediaNames = [...]string{audioVideo: "audio-video", simulcast: "simulcast", videoOnly: "video", audioOnly: "audio"}

func (c *Config) plan() (plan, error) {
	var p plan
	switch c.Shape {
	case ShapeMeeting:
		p.rooms = []roomPlan{{name: "meeting", publishers: c.Participants, media: simulcast}}
	case ShapeFanout:
		p.rooms = []roomPlan{{name: "fanout", publishers: c.Publishers, subscribers: c.Subscribers, media: videoOnly}}
	case ShapeAudio:
		p.rooms = []roomPlan{{name: "audio", publishers: c.Participants, media: audioOnly}}
	case ShapeLivestream:
		p.rooms = []roomPlan{{name: "livestream", publishers: 1, subscribers: c.Participants}}
	case ShapeRooms:
		size := c.RoomSize
		if size <= 0 {
			size = 4
		}
		for left := c.Participants; left > 0; left -= size {
			p.rooms = append(p.rooms, roomPlan{name: fmt.Sprintf("room %d", len(p.rooms)+1), publishers: min(size, left)})
		}
	default:
		return p, fmt.Errorf("unknown shape %q (meeting, fanout, audio, livestream, rooms)", c.Shape)
	}
	for _, r := range p.rooms {
		if r.publishers+r.subscribers < 1 {
			return p, errors.New("no participants: set --participants (or --publishers and --subscribers)")
		}
	}
	return p, nil
}

// participant is one bot.
type participant struct {
	call      *client.Call
	rec       *bot
	pub       *client.Synthetic
	publisher bool
	joinedAt  time.Time // when Join returned
}

// maxTiles is how many small tiles a meeting bot watches besides the
// speaker, as a grid on one screen shows.
const maxTiles = 24

// watch sets what each bot of a room looks at, as the web client would:
// in a meeting, the speaker (the host's bot, who talks) large and up to
// 24 others as small tiles, the rest off screen; in a fanout, publishers
// watch nobody (only the subscribers receive).
func watch(rp roomPlan, speaker *participant, bots []*participant) error {
	switch rp.media {
	case simulcast:
		speaker.pub.SetSpeaking(true)
		for _, b := range bots {
			var settings []client.TrackSetting
			tiles := 0
			for id := range b.call.Participants() {
				s := client.TrackSetting{Participant: id}
				switch {
				case id == speaker.call.ID():
					s.Visible, s.Width, s.Height = true, 1280, 720
				case tiles < maxTiles:
					s.Visible, s.Width, s.Height = true, 320, 180
					tiles++
				}
				settings = append(settings, s)
			}
			if err := b.call.SetTrackSettings(settings...); err != nil {
				return err
			}
		}
	case audioOnly:
		// Everyone talks: the server forwards the loudest few.
		for _, b := range bots {
			if b.pub != nil {
				b.pub.SetSpeaking(true)
			}
		}
	case videoOnly:
		for _, b := range bots {
			if !b.publisher {
				continue
			}
			var settings []client.TrackSetting
			for id := range b.call.Participants() {
				settings = append(settings, client.TrackSetting{Participant: id})
			}
			if err := b.call.SetTrackSettings(settings...); err != nil {
				return err
			}
		}
	}
	return nil
}

// Run makes the load, measures, and returns the summary. Everything it
// starts is stopped before it returns.
func Run(ctx context.Context, cfg Config) (*Summary, error) {
	if cfg.Progress == nil {
		cfg.Progress = io.Discard
	}
	if cfg.JoinConcurrency <= 0 {
		cfg.JoinConcurrency = 8
	}
	if cfg.Warmup <= 0 {
		cfg.Warmup = 3 * time.Second
	}
	pl, err := cfg.plan()
	if err != nil {
		return nil, err
	}
	pid := cfg.ServerPID
	if pid == 0 {
		if pid, err = findServerPID(cfg.Server); err != nil {
			return nil, err
		}
	}
	base := baseline{goroutines: -1}
	if m, err := scrape(ctx, cfg.Server); err == nil && m != nil {
		if g, ok := gauge(m, "go_goroutines"); ok {
			base.goroutines = g
		}
	}
	if base.rssMiB, err = rssMiB(pid); err != nil {
		return nil, err
	}

	// One host account opens every room.
	host := client.NewSession(cfg.Server)
	email := fmt.Sprintf("load-%d@example.invalid", time.Now().UnixNano())
	if _, err := host.SignUp(ctx, "Load host", email, "load-test-password"); err != nil {
		return nil, fmt.Errorf("sign up the load host: %w", err)
	}

	var (
		mu        sync.Mutex
		bots      []*participant
		total     int
		firstRoom string
	)
	defer func() {
		for _, b := range bots {
			b.call.Leave()
		}
	}()
	start := time.Now()
	for _, rp := range pl.rooms {
		room, err := host.CreateRoom(ctx, "Load: "+rp.name)
		if err != nil {
			return nil, fmt.Errorf("create room: %w", err)
		}
		if firstRoom == "" {
			firstRoom = room.Token
		}
		// The host opens the call first, publishing as the first
		// publisher, so nobody waits.
		first, err := joinBot(ctx, host, room.Token, rp.publishers > 0, rp.media, cfg.Files)
		if err != nil {
			return nil, fmt.Errorf("host join: %w", err)
		}
		bots = append(bots, first)
		total++
		sem := make(chan struct{}, cfg.JoinConcurrency)
		var wg sync.WaitGroup
		var joinErr error
		for i := 1; i < rp.publishers+rp.subscribers; i++ {
			publish := i < rp.publishers
			sem <- struct{}{}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer func() { <-sem }()
				s := client.NewSession(cfg.Server)
				err := hint(s.JoinAsGuest(ctx, room.Token, fmt.Sprintf("Bot %d", i)))
				var b *participant
				if err == nil {
					b, err = joinBot(ctx, s, room.Token, publish, rp.media, cfg.Files)
				}
				mu.Lock()
				defer mu.Unlock()
				if err != nil {
					if joinErr == nil {
						joinErr = err
					}
					return
				}
				bots = append(bots, b)
				total++
				fmt.Fprintf(cfg.Progress, "\rjoined %d participants", total)
			}()
		}
		wg.Wait()
		if joinErr != nil {
			return nil, fmt.Errorf("join: %w", joinErr)
		}
		if err := watch(rp, first, bots[len(bots)-(rp.publishers+rp.subscribers):]); err != nil {
			return nil, err
		}
	}
	fmt.Fprintf(cfg.Progress, "\rjoined %d participants in %.1fs\n", total, time.Since(start).Seconds())

	select {
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-time.After(cfg.Warmup):
	}
	s, err := measure(ctx, cfg, pid, base, bots)
	if err != nil || cfg.LateJoins <= 0 || pl.rooms[0].media == audioOnly {
		return s, err // audio has no keyframes to wait for
	}
	rp := pl.rooms[0]
	late, err := runLateJoins(ctx, cfg, firstRoom, lateJoinPlan{
		publishers: rp.publishers, joins: cfg.LateJoins,
		publish: rp.subscribers == 0 && !cfg.LateJoinReceiveOnly, media: rp.media,
	})
	if err != nil {
		return nil, err
	}
	s.LateJoins = cfg.LateJoins
	if len(late.Joins) > 0 {
		// The first room's bots are the first to have joined.
		seen, unseen := seenTimes(bots[:rp.publishers+rp.subscribers], late.Joins)
		s.LateJoinSeenMs = &Percentiles{P50: percentile(seen, 50), P95: percentile(seen, 95)}
		s.LateJoinUnseen = unseen
	}
	s.LateJoinFirstKeyframeMs.P50 = percentile(late.FirstKeys, 50)
	s.LateJoinFirstKeyframeMs.P95 = percentile(late.FirstKeys, 95)
	s.LateJoinStepsMs = make(map[string]Percentiles, numSteps)
	for i, ds := range late.Steps {
		if len(ds) > 0 {
			s.LateJoinStepsMs[stepNames[i]] = Percentiles{P50: percentile(ds, 50), P95: percentile(ds, 95)}
		}
	}
	return s, nil
}

func joinBot(ctx context.Context, s *client.Session, token string, publish bool, media mediaKind, files *client.MediaFiles) (*participant, error) {
	b := &participant{rec: newBot(), publisher: publish}
	opts := client.JoinOptions{OnPacket: b.rec.onPacket, LoopbackOnly: onLoopback(s.BaseURL)}
	if publish {
		var src *client.Synthetic
		var err error
		switch {
		case files != nil:
			src, err = client.NewFileSource("load", files)
		case media == simulcast:
			src, err = client.NewSimulcastSynthetic("load")
		default:
			src, err = client.NewSynthetic("load")
		}
		if err != nil {
			return nil, err
		}
		switch {
		case files != nil:
		case media == audioOnly:
			src.Video = nil
		case media == videoOnly:
			src.Audio = nil
		}
		b.pub = src
		opts.Publish = src
	}
	b.rec.joinStart = time.Now()
	jctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	c, err := s.Join(jctx, token, opts)
	if err != nil {
		return nil, hint(err)
	}
	b.call = c
	b.joinedAt = time.Now()
	return b, nil
}

// hint explains a rate-limit refusal: the server limits guests per
// address, and every bot shares this machine's.
func hint(err error) error {
	var ae *client.APIError
	if errors.As(err, &ae) && ae.Status == http.StatusTooManyRequests {
		return fmt.Errorf("%w (start the server with -rate-limit-exempt 127.0.0.0/8 for load tests)", err)
	}
	return err
}

// onLoopback reports whether the server at base is on this machine's
// loopback: the bots then offer loopback candidates alone
// (client.JoinOptions.LoopbackOnly). Offered the machine's other
// addresses too, most pairs ended up on one of them (eth0's), and Linux
// does not cache a route to a local address on another interface than
// the loopback it is delivered through: the server's kernel allocated and
// freed a route for every datagram, a fifth of the send's cost, which no
// real, remote client costs it.
func onLoopback(base string) bool {
	u, err := url.Parse(base)
	if err != nil {
		return false
	}
	if u.Hostname() == "localhost" {
		return true
	}
	ip, err := netip.ParseAddr(u.Hostname())
	return err == nil && ip.IsLoopback()
}
