package load

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/roomsdev/rooms/client"
)

// Late joins: the join storm at the start (everyone joining within
// seconds, each join renegotiating everyone) is not what a person meets
// when they open a link to a room already in full swing. After the
// measurement, late joiners join the first room one at a time, a few
// seconds apart, and each records how long after pressing join its first
// keyframe from each publisher arrived. In a room where everyone
// publishes (meeting, rooms) the late joiner publishes too, as a person
// with their camera on, and the bots already inside record when they
// first saw it: the other half of a join, the newcomer's tile coming
// alive on everyone else's screen.

// lateJoinGap is the pause between two late joins, for the room to settle.
const lateJoinGap = 3 * time.Second

// seenWait is how long a publishing late joiner stays after joining, for
// the others to see it; one they have not seen by then counts as unseen.
const seenWait = 2 * time.Second

// lateJoinPlan is what the late joins do.
type lateJoinPlan struct {
	publishers int       // publishers in the room, each awaited
	joins      int       // late joins to measure
	publish    bool      // whether the late joiner publishes
	media      mediaKind // what it publishes, if it does
}

// lateJoinResult is what the late joins measured: over every late
// joiner and publisher, the times from join to first keyframe; and for
// each late joiner, when it passed each step of connecting. A late
// joiner process reports it as JSON.
type lateJoinResult struct {
	FirstKeys []time.Duration           `json:"first_keys"`
	Steps     [numSteps][]time.Duration `json:"steps"`
	// Joins are the late joiners that published, for the bots inside to
	// say when they first saw each (seenTimes).
	Joins []lateJoiner `json:"joins,omitempty"`
}

// lateJoiner is one publishing late joiner: who, and when it pressed
// join (the wall clock, which both processes share).
type lateJoiner struct {
	ID    string    `json:"id"`
	Start time.Time `json:"start"`
}

// The steps of a late join, in the order they happen (client.Timeline).
const (
	stepJoined = iota
	stepSubOffer
	stepSubAnswered
	stepSubICE
	stepSubConnected
	stepFirstTrack
	numSteps
)

var stepNames = [numSteps]string{"joined", "sub_offer", "sub_answered", "sub_ice", "sub_connected", "first_track"}

// addSteps records one late joiner's steps, from its join.
func (r *lateJoinResult) addSteps(start time.Time, t client.Timeline) {
	for i, at := range [numSteps]time.Time{t.Joined, t.SubOffer, t.SubAnswered, t.SubICE, t.SubConnected, t.FirstTrack} {
		if !at.IsZero() {
			r.Steps[i] = append(r.Steps[i], at.Sub(start))
		}
	}
}

// runLateJoins runs the late joins in their own process when the config
// names one (Config.LateJoiner), else in this one.
//
// A person opening the link has a device of their own. A late joiner in
// this process waits for the Go scheduler's one processor behind the
// fifty bots' goroutines at every step of connecting (answer, ICE, DTLS),
// each receiving and decrypting its share of the room: in a 50-person
// meeting 4 to 20 ms per step, most of the time it took to join. In a
// process of its own, it shares the bots' core only through the kernel's
// scheduler, which runs a task that mostly sleeps soon after it wakes.
func runLateJoins(ctx context.Context, cfg Config, token string, lp lateJoinPlan) (lateJoinResult, error) {
	if len(cfg.LateJoiner) == 0 {
		return lateJoins(ctx, cfg, token, lp, false)
	}
	publish := ""
	if lp.publish {
		publish = mediaNames[lp.media]
	}
	args := append(cfg.LateJoiner[1:len(cfg.LateJoiner):len(cfg.LateJoiner)],
		"-server", cfg.Server, "-publishers", strconv.Itoa(lp.publishers), "-joins", strconv.Itoa(lp.joins),
		"-publish", publish)
	cmd := exec.CommandContext(ctx, cfg.LateJoiner[0], args...)
	var stdout bytes.Buffer
	// The room's link goes on stdin: a command line is anyone's to read.
	cmd.Stdin, cmd.Stdout, cmd.Stderr = strings.NewReader(token), &stdout, cfg.Progress
	if err := cmd.Run(); err != nil {
		return lateJoinResult{}, fmt.Errorf("late joiner process: %w", err)
	}
	var r lateJoinResult
	if err := json.Unmarshal(stdout.Bytes(), &r); err != nil {
		return r, fmt.Errorf("late joiner process: %w", err)
	}
	return r, nil
}

// LateJoinerMain is the late joiner process (Config.LateJoiner): it
// parses its flags from args and the room's link token from stdin, joins,
// and writes what it measured as JSON to stdout, its progress to
// progress.
func LateJoinerMain(ctx context.Context, args []string, stdin io.Reader, stdout, progress io.Writer) error {
	var cfg Config
	var lp lateJoinPlan
	var publish string
	fs := flag.NewFlagSet("late joiner", flag.ContinueOnError)
	fs.SetOutput(progress)
	fs.StringVar(&cfg.Server, "server", "", "the server")
	fs.IntVar(&lp.publishers, "publishers", 0, "publishers in the room")
	fs.IntVar(&lp.joins, "joins", 1, "late joins to measure")
	fs.StringVar(&publish, "publish", "", "what the late joiner publishes: "+strings.Join(mediaNames[:], ", ")+"; empty for nothing")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if publish != "" {
		i := slices.Index(mediaNames[:], publish)
		if i < 0 {
			return fmt.Errorf("late joiner: -publish %q: want one of %s", publish, strings.Join(mediaNames[:], ", "))
		}
		lp.publish, lp.media = true, mediaKind(i)
	}
	b, err := io.ReadAll(io.LimitReader(stdin, 256))
	if err != nil {
		return err
	}
	token := strings.TrimSpace(string(b))
	if cfg.Server == "" || token == "" || lp.publishers < 1 || lp.joins < 1 {
		return fmt.Errorf("late joiner: -server, -publishers, -joins and a room token on stdin are required")
	}
	cfg.Progress = progress
	r, err := lateJoins(ctx, cfg, token, lp, true)
	if err != nil {
		return err
	}
	return json.NewEncoder(stdout).Encode(r)
}

// lateJoins runs n late joins into the room token. warm adds one join
// first that is not measured: a fresh process's first join pays for
// faulting in code and data (the answer alone took 30 ms), which a
// browser that has shown the join page has already paid.
func lateJoins(ctx context.Context, cfg Config, token string, lp lateJoinPlan, warm bool) (lateJoinResult, error) {
	var out lateJoinResult
	first := 0
	if warm {
		first = -1
	}
	for i := first; i < lp.joins; i++ {
		select {
		case <-ctx.Done():
			return out, ctx.Err()
		case <-time.After(lateJoinGap):
		}
		s := client.NewSession(cfg.Server)
		if err := hint(s.JoinAsGuest(ctx, token, fmt.Sprintf("Late %d", i+1))); err != nil {
			return out, err
		}
		b, err := joinBot(ctx, s, token, lp.publish, lp.media, nil)
		if err != nil {
			return out, fmt.Errorf("late join: %w", err)
		}
		// Wait for every publisher's first keyframe (or give up after 10 s).
		deadline := time.Now().Add(10 * time.Second)
		for time.Now().Before(deadline) && b.rec.keyframesFrom() < lp.publishers {
			time.Sleep(20 * time.Millisecond)
		}
		if lp.publish {
			// Stay for the others to see this one.
			time.Sleep(time.Until(b.rec.joinStart.Add(seenWait)))
		}
		b.call.Leave()
		if i < 0 {
			continue // the warm-up
		}
		out.FirstKeys = append(out.FirstKeys, b.rec.firstKeyframes()...)
		out.addSteps(b.rec.joinStart, b.call.Timeline())
		if lp.publish {
			out.Joins = append(out.Joins, lateJoiner{ID: b.call.ID(), Start: b.rec.joinStart})
		}
		fmt.Fprintf(cfg.Progress, "\rlate join %d of %d: first keyframes from %d publishers", i+1, lp.joins, b.rec.keyframesFrom())
	}
	fmt.Fprintln(cfg.Progress)
	return out, nil
}

// seenTimes are, for each publishing late joiner and each bot that was
// in the room, the time from the joiner pressing join to the bot's first
// keyframe from it; unseen counts the pairs with none.
func seenTimes(bots []*participant, joins []lateJoiner) (seen []time.Duration, unseen int) {
	for _, j := range joins {
		for _, p := range bots {
			if at, ok := p.rec.firstKeyFrom(j.ID); ok {
				seen = append(seen, at.Sub(j.Start))
			} else {
				unseen++
			}
		}
	}
	return seen, unseen
}

// firstKeyFrom is when b had its first keyframe from the publisher id.
func (b *bot) firstKeyFrom(id string) (time.Time, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	at, ok := b.firstKey[id]
	return at, ok
}

// keyframesFrom is how many publishers b has had a keyframe from.
func (b *bot) keyframesFrom() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.firstKey)
}

// firstKeyframes are the times from b's join to each publisher's first
// keyframe.
func (b *bot) firstKeyframes() []time.Duration {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := make([]time.Duration, 0, len(b.firstKey))
	for _, at := range b.firstKey {
		out = append(out, at.Sub(b.joinStart))
	}
	return out
}
