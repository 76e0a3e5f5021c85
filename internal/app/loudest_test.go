package app_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/roomsdev/rooms/client"
	"github.com/roomsdev/rooms/internal/app"
)

// TestBigRoomForwardsOnlyTheLoudest: five bots talk at distinct levels
// in a room the server counts as big (more than BigRoom audio tracks),
// with AudioTopN 2. The soft talkers send ordinary Opus packets at a low
// level, 50 a second, not DTX silence, so a listener that hears none of
// them hears nothing the server let through. A soft talker who gets loud
// is heard at once, and the one it displaced is dropped after the hold.
func TestBigRoomForwardsOnlyTheLoudest(t *testing.T) {
	s := startServer(t, 50, func(c *app.Config) {
		c.Media.AudioTopN, c.Media.BigRoom = 2, 4
	})
	host, room := newHost(t, s)
	listener := join(t, host, room.Token, false)

	// -dBov: lower is louder.
	levels := []uint8{20, 30, 55, 60, 60}
	bots := make([]*client.Call, len(levels))
	srcs := make([]*client.Synthetic, len(levels))
	for i, level := range levels {
		src, err := client.NewSynthetic("mic")
		if err != nil {
			t.Fatal(err)
		}
		src.Video = nil
		src.SetAudioLevel(level)
		srcs[i] = src
		bots[i] = joinWith(t, s, room.Token, fmt.Sprintf("Bot %d", i), client.JoinOptions{Publish: src})
	}
	heard := func(i int) int64 {
		a, _ := listener.ReceivedFrom(bots[i].ID())
		return a
	}
	counts := func() []int64 {
		out := make([]int64, len(bots))
		for i := range bots {
			out[i] = heard(i)
		}
		return out
	}
	// Until the fifth track is up the room is small and forwards all;
	// then the soft ones stop once their hold runs out.
	eventually(t, 15*time.Second, "the soft talkers to stop reaching the listener", func() bool {
		before := counts()
		time.Sleep(time.Second)
		after := counts()
		return after[0] > before[0] && after[1] > before[1] && after[2] == before[2] && after[3] == before[3] && after[4] == before[4]
	})

	// Over several seconds: the loud ones all the time, the soft not once.
	before := counts()
	time.Sleep(4 * time.Second)
	after := counts()
	for i := range bots {
		got := after[i] - before[i]
		loud := i < 2
		switch {
		case loud && got < 100: // 200 sent
			t.Errorf("bot %d (-%d dBov, among the loudest 2) reached the listener %d times in 4 s, want about 200", i, levels[i], got)
		case !loud && got != 0:
			t.Errorf("bot %d (-%d dBov, softer than 2 others) reached the listener %d times in 4 s, want none", i, levels[i], got)
		}
	}
	t.Logf("packets heard in 4 s by level %v: %v", levels, diff(after, before))

	// Bot 3 starts talking loudest: heard within a couple of seconds;
	// bot 1, now third, is dropped once its hold is over.
	srcs[3].SetAudioLevel(10)
	from := heard(3)
	eventually(t, 2*time.Second, "bot 3 to be heard once it talks loud", func() bool { return heard(3) > from+10 })
	eventually(t, 8*time.Second, "bot 1 to be dropped for the louder bot 3", func() bool {
		b := heard(1)
		time.Sleep(time.Second)
		return heard(1) == b && heard(3) > from+50 && heard(0) > before[0]
	})
}

func diff(a, b []int64) []int64 {
	out := make([]int64, len(a))
	for i := range a {
		out[i] = a[i] - b[i]
	}
	return out
}
