package app_test

import (
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/roomsdev/rooms/client"
	"github.com/roomsdev/rooms/internal/app"
)

// Loss recovery: NACKs answered from the server's packet cache on a lossy
// downlink, and asked of the publisher on a lossy uplink.

// A subscriber on a lossy downlink asks for what it missed (NACK), and the
// server sends it again from its packet cache: what reaches the video
// decoder has far fewer holes than the link loses.
func TestLossyDownlinkIsRepairedFromCache(t *testing.T) {
	s := startServer(t, 50, func(c *app.Config) { c.Metrics = true })
	host, room := newHost(t, s)
	a := join(t, host, room.Token, true)
	imp := &client.Impairment{}
	seen := &seqSet{}
	b := joinWith(t, s, room.Token, "Bea", client.JoinOptions{Impair: imp, OnPacket: seen.from(a.ID())})
	receivesFrom(t, b, a)
	lossySpell(imp)
	want, missing := seen.holes()
	if b.NACKsSent() == 0 {
		t.Fatal("no NACKs sent on a link losing 5%")
	}
	if missing > 0.01 {
		t.Fatalf("%.1f%% of %d video packets never arrived: the losses were not repaired", 100*missing, want)
	}
	resp, err := http.Get(s.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if strings.Contains(string(body), "rooms_retransmits_total 0\n") {
		t.Fatal("the server counts no retransmissions")
	}
	if metric(t, s, "rooms_nacks_total") == 0 {
		t.Error("the server counts no NACKs")
	}
	t.Logf("%d packets, %.2f%% missing after repair, %d NACKs sent", want, 100*missing, b.NACKsSent())
}

// A publisher on a lossy uplink: the server asks it for what did not
// arrive (internal/feedback's NACKs, sent by the room's heartbeat), so
// the other people get the stream with far fewer holes than the link
// loses. (The server's packet cache cannot help here: what it never got,
// it cannot forward.)
func TestLossyUplinkIsRepairedByThePublisher(t *testing.T) {
	s := startServer(t, 50, func(c *app.Config) { c.Metrics = true })
	host, room := newHost(t, s)
	join(t, host, room.Token, false) // the host opens the call
	src, err := client.NewSynthetic("ignored")
	if err != nil {
		t.Fatal(err)
	}
	imp := &client.Impairment{}
	a := joinWith(t, s, room.Token, "Ann", client.JoinOptions{Impair: imp, Publish: src})
	seen := &seqSet{}
	b := joinWith(t, s, room.Token, "Bea", client.JoinOptions{OnPacket: seen.from(a.ID())})
	receivesFrom(t, b, a)
	lossySpell(imp)
	want, missing := seen.holes()
	if missing > 0.01 {
		t.Fatalf("%.1f%% of %d video packets never arrived: the publisher was not asked again", 100*missing, want)
	}
	t.Logf("%d packets, %.2f%% missing after repair", want, 100*missing)
	// The media, retransmissions included (the Go client resends on the
	// stream's own SSRC), was read straight off the socket
	// (sfu/directrecv.go), none of it refused.
	if n := metric(t, s, "rooms_direct_received_packets_total"); n == 0 {
		t.Error("no packet was read directly")
	}
	if n := metric(t, s, "rooms_direct_refused_packets_total"); n != 0 {
		t.Errorf("%v packets refused", n)
	}
}

// lossySpell has imp's link lose 5% of its packets for 8 s, then waits
// a second for the last repairs.
func lossySpell(imp *client.Impairment) {
	imp.SetLoss(0.05)
	time.Sleep(8 * time.Second)
	imp.SetLoss(0)
	time.Sleep(time.Second)
}

// seqSet is the video sequence numbers one subscriber got from one
// publisher.
type seqSet struct {
	mu   sync.Mutex
	seen map[uint16]bool
}

// from is an OnPacket that records the video of publisher id.
func (s *seqSet) from(id string) func(client.Packet) {
	return func(p client.Packet) {
		if p.Kind != "video" || p.From != id {
			return
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.seen == nil {
			s.seen = map[uint16]bool{}
		}
		s.seen[p.Seq] = true
	}
}

// holes is how many numbers the span from the lowest to the highest seen
// has, and the fraction of them never seen.
func (s *seqSet) holes() (span int, missing float64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var lo, hi uint16
	first := true
	for seq := range s.seen {
		if first || int16(seq-lo) < 0 {
			lo = seq
		}
		if first || int16(seq-hi) > 0 {
			hi = seq
		}
		first = false
	}
	if first {
		return 0, 1
	}
	span = int(hi-lo) + 1
	return span, float64(span-len(s.seen)) / float64(span)
}
