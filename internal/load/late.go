package load

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"github.com/roomsdev/rooms/client"
)

// Late joins: the join storm at the start (everyone joining within
// seconds, each join renegotiating everyone) is not what a person meets
// when they open a link to a room already in full swing. After the
// measurement, lateJoins receive-only bots join the first room one at a
// time, a few seconds apart, and each records how long after pressing
// join its first keyframe from each publisher arrived.

// lateJoinGap is the pause between two late joins, for the room to settle.
const lateJoinGap = 3 * time.Second

// lateJoinResult is what the late joins measured: over every late
// joiner and publisher, the times from join to first keyframe; and for
// each late joiner, when it passed each step of connecting. A late
// joiner process reports it as JSON.
type lateJoinResult struct {
	FirstKeys []time.Duration           `json:"first_keys"`
	Steps     [numSteps][]time.Duration `json:"steps"`
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
func runLateJoins(ctx context.Context, cfg Config, token string, publishers, n int) (lateJoinResult, error) {
	if len(cfg.LateJoiner) == 0 {
		return lateJoins(ctx, cfg, token, publishers, n, false)
	}
	args := append(cfg.LateJoiner[1:len(cfg.LateJoiner):len(cfg.LateJoiner)],
		"-server", cfg.Server, "-publishers", strconv.Itoa(publishers), "-joins", strconv.Itoa(n))
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
	var publishers, n int
	fs := flag.NewFlagSet("late joiner", flag.ContinueOnError)
	fs.SetOutput(progress)
	fs.StringVar(&cfg.Server, "server", "", "the server")
	fs.IntVar(&publishers, "publishers", 0, "publishers in the room")
	fs.IntVar(&n, "joins", 1, "late joins to measure")
	if err := fs.Parse(args); err != nil {
		return err
	}
	b, err := io.ReadAll(io.LimitReader(stdin, 256))
	if err != nil {
		return err
	}
	token := strings.TrimSpace(string(b))
	if cfg.Server == "" || token == "" || publishers < 1 || n < 1 {
		return fmt.Errorf("late joiner: -server, -publishers, -joins and a room token on stdin are required")
	}
	cfg.Progress = progress
	r, err := lateJoins(ctx, cfg, token, publishers, n, true)
	if err != nil {
		return err
	}
	return json.NewEncoder(stdout).Encode(r)
}

// lateJoins runs n late joins into the room token. warm adds one join
// first that is not measured: a fresh process's first join pays for
// faulting in code and data (the answer alone took 30 ms), which a
// browser that has shown the join page has already paid.
func lateJoins(ctx context.Context, cfg Config, token string, publishers int, n int, warm bool) (lateJoinResult, error) {
	var out lateJoinResult
	first := 0
	if warm {
		first = -1
	}
	for i := first; i < n; i++ {
		select {
		case <-ctx.Done():
			return out, ctx.Err()
		case <-time.After(lateJoinGap):
		}
		s := client.NewSession(cfg.Server)
		if err := hint(s.JoinAsGuest(ctx, token, fmt.Sprintf("Late %d", i+1))); err != nil {
			return out, err
		}
		b, err := joinBot(ctx, s, token, false, audioVideo, nil)
		if err != nil {
			return out, fmt.Errorf("late join: %w", err)
		}
		// Wait for every publisher's first keyframe (or give up after 10 s).
		deadline := time.Now().Add(10 * time.Second)
		for time.Now().Before(deadline) && b.rec.keyframesFrom() < publishers {
			time.Sleep(20 * time.Millisecond)
		}
		b.call.Leave()
		if i < 0 {
			continue // the warm-up
		}
		out.FirstKeys = append(out.FirstKeys, b.rec.firstKeyframes()...)
		out.addSteps(b.rec.joinStart, b.call.Timeline())
		fmt.Fprintf(cfg.Progress, "\rlate join %d of %d: first keyframes from %d publishers", i+1, n, b.rec.keyframesFrom())
	}
	fmt.Fprintln(cfg.Progress)
	return out, nil
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
