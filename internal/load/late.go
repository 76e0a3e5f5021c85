package load

import (
	"context"
	"fmt"
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
// each late joiner, when it passed each step of connecting.
type lateJoinResult struct {
	firstKeys []time.Duration
	steps     [numSteps][]time.Duration
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
			r.steps[i] = append(r.steps[i], at.Sub(start))
		}
	}
}

// lateJoins runs n late joins into the room token.
func lateJoins(ctx context.Context, cfg Config, token string, publishers int, n int) (lateJoinResult, error) {
	var out lateJoinResult
	for i := 0; i < n; i++ {
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
		out.firstKeys = append(out.firstKeys, b.rec.firstKeyframes()...)
		out.addSteps(b.rec.joinStart, b.call.Timeline())
		b.call.Leave()
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
