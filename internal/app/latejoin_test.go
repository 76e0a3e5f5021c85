package app_test

import (
	"testing"
	"time"

	"github.com/roomsdev/rooms/client"
	"github.com/roomsdev/rooms/internal/app"
)

// A person joining a call in full swing is started on a keyframe the
// server already holds (internal/sfu/keyreplay.go): the video they get
// begins with it and runs on into the live stream without a gap or a
// repeat. Before each late join the publisher sends a fresh keyframe
// (the first viewer has seen it, so the server has it), so the newcomer
// can be started from it. Each late joiner checks its stream; the replay
// itself must have happened for at least one of them (each depends on its
// connection coming up within half a second of that keyframe, which a
// loaded machine may miss).
func TestLateJoinerStartsFromCachedKeyframe(t *testing.T) {
	s := startServer(t, 50, func(c *app.Config) { c.Metrics = true })
	host, room := newHost(t, s)
	src := simulcast(t)
	src.Audio = nil
	pub := hostPublishes(t, host, room, src)
	first := joinWith(t, s, room.Token, "First", client.JoinOptions{})
	waitHeight(t, first, pub.Self.ID, 720, 15*time.Second)

	before := metric(t, s, "rooms_keyframe_replays_total")
	for i, name := range []string{"Late 1", "Late 2", "Late 3"} {
		seen := first.Received(pub.Self.ID)
		keys := seen.Keyframes.Load()
		src.RequestKeyframe()
		eventually(t, 5*time.Second, "a fresh keyframe", func() bool { return seen.Keyframes.Load() > keys })
		log := &videoLog{from: pub.Self.ID}
		late := joinWith(t, s, room.Token, name, client.JoinOptions{OnPacket: log.add})
		eventually(t, 10*time.Second, name+"'s video", func() bool { return len(log.snapshot()) >= 60 })
		pkts := log.snapshot()
		checkContinuous(t, pkts)
		r := late.Received(pub.Self.ID)
		t.Logf("late joiner %d: first keyframe %v after its track arrived, %d packets checked", i+1, time.Duration(r.FirstKeyframe.Load()), len(pkts))
		late.Leave()
	}
	got := metric(t, s, "rooms_keyframe_replays_total") - before
	t.Logf("%v of 3 late joiners started from a cached keyframe", got)
	if got < 1 {
		t.Fatalf("no late joiner was started from a cached keyframe (rooms_keyframe_replays_total went up by %v)", got)
	}
}
