package app_test

import (
	"testing"
	"time"

	"github.com/roomsdev/rooms/client"
	"github.com/roomsdev/rooms/internal/app"
)

func withMetrics(c *app.Config) { c.Metrics = true }

// insideTwo opens a room whose host and one viewer are in the call,
// receiving only, both connected.
func insideTwo(t *testing.T, s *server) (token string, inside []*client.Call) {
	t.Helper()
	host, room := newHost(t, s)
	hostCall := hostPublishes(t, host, room, nil)
	viewer := joinWith(t, s, room.Token, "Viewer", client.JoinOptions{})
	inside = []*client.Call{hostCall, viewer}
	eventually(t, 10*time.Second, "both connected", func() bool {
		return !hostCall.Timeline().SubConnected.IsZero() && !viewer.Timeline().SubConnected.IsZero()
	})
	return room.Token, inside
}

// receives reports whether every call in cs has had a keyframe from id,
// and audio too when audio is set.
func receives(cs []*client.Call, id string, audio bool) bool {
	for _, c := range cs {
		r := c.Received(id)
		if r == nil || r.Keyframes.Load() == 0 || (audio && r.AudioPackets.Load() == 0) {
			return false
		}
	}
	return true
}

// A newcomer's microphone and camera reach the people inside in one
// renegotiation each, though the camera's first frame leaves 70 ms after
// the microphone's first packet (internal/sfu/publish.go): published as
// each arrived, they would cost everyone two, the camera's waiting behind
// the microphone's. The count is the newcomer's own first offer and one
// per person inside. A loaded machine may outlast the hold, so one of
// three newcomers doing it right is enough; published one by one, none
// does.
func TestNewcomersTracksArriveInOneRenegotiation(t *testing.T) {
	s := startServer(t, 50, withMetrics)
	token, inside := insideTwo(t, s)
	together := 0
	for _, name := range []string{"New 1", "New 2", "New 3"} {
		before := metric(t, s, "rooms_subscriber_offers_total")
		src, err := client.NewSynthetic("cam")
		if err != nil {
			t.Fatal(err)
		}
		src.VideoDelay = 70 * time.Millisecond
		n := joinWith(t, s, token, name, client.JoinOptions{Publish: src})
		eventually(t, 10*time.Second, "everyone inside hears and sees "+name, func() bool { return receives(inside, n.Self.ID, true) })
		offers := metric(t, s, "rooms_subscriber_offers_total") - before
		t.Logf("%s: %v subscriber offers", name, offers)
		if offers == float64(1+len(inside)) {
			together++
		}
		// Its leaving renegotiates everyone inside once more; let that
		// pass before the next count starts.
		left := metric(t, s, "rooms_subscriber_offers_total")
		n.Leave()
		eventually(t, 10*time.Second, name+"'s leaving renegotiated", func() bool {
			return metric(t, s, "rooms_subscriber_offers_total") >= left+float64(len(inside))
		})
	}
	if together == 0 {
		t.Fatal("no newcomer's microphone and camera reached those inside in one renegotiation")
	}
}

// The people inside are started on a newcomer's video from the keyframe
// the server holds, the moment their answer adds the track
// (Peer.SubscriberAnswer, internal/sfu/keyreplay.go), rather than each
// asking the newcomer for one and most of them waiting out the interval
// between two requests. The people inside publish nothing, so no replay
// is anyone else's; one of three newcomers replayed is enough (a
// replayed keyframe must be under half a second old).
func TestThoseInsideStartFromTheNewcomersCachedKeyframe(t *testing.T) {
	s := startServer(t, 50, withMetrics)
	token, inside := insideTwo(t, s)
	before := metric(t, s, "rooms_keyframe_replays_total")
	for _, name := range []string{"New 1", "New 2", "New 3"} {
		src, err := client.NewSynthetic("cam")
		if err != nil {
			t.Fatal(err)
		}
		src.Audio = nil
		n := joinWith(t, s, token, name, client.JoinOptions{Publish: src})
		eventually(t, 10*time.Second, "everyone inside sees "+name, func() bool { return receives(inside, n.Self.ID, false) })
		n.Leave()
	}
	got := metric(t, s, "rooms_keyframe_replays_total") - before
	t.Logf("%v of %d starts were replays", got, 3*len(inside))
	if got < 1 {
		t.Fatal("nobody inside was started on a newcomer's video from the cached keyframe")
	}
}
