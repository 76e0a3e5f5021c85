package app_test

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/roomsdev/rooms/client"
)

// heard is what one call hears about people coming and going, and the
// chat, from when it starts listening.
type heard struct {
	mu    sync.Mutex
	news  []string
	chats []string
	// marks: "true"/"false" for each participantUpdated's reconnecting,
	// by participant id.
	marks map[string][]bool
}

// reconnecting lists what a was told, in order, of id's reconnecting.
func (h *heard) reconnecting(id string) []bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]bool(nil), h.marks[id]...)
}

func (h *heard) people() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.news...)
}

func (h *heard) chat(text string) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, c := range h.chats {
		if c == text {
			return true
		}
	}
	return false
}

// listen starts recording what c hears (it takes c's events from now on).
func listen(t *testing.T, c *client.Call) *heard {
	t.Helper()
	for drained := false; !drained; {
		select {
		case <-c.Events():
		default:
			drained = true
		}
	}
	h := &heard{marks: make(map[string][]bool)}
	stop := make(chan struct{})
	t.Cleanup(func() { close(stop) })
	go func() {
		for {
			select {
			case <-stop:
				return
			case e := <-c.Events():
				h.mu.Lock()
				switch e.Type {
				case "participantLeft", "participantJoined":
					h.news = append(h.news, e.Type+" "+e.ID)
				case "chat":
					h.chats = append(h.chats, e.Text)
				case "participantUpdated":
					h.marks[e.Participant.ID] = append(h.marks[e.Participant.ID], e.Participant.Reconnecting)
				}
				h.mu.Unlock()
			}
		}
	}()
	return h
}

// The signalling socket drops (a network switch, a proxy timing out):
// the client resumes on a new socket as the same participant. Nobody sees
// it leave, its media keeps flowing, and the new socket carries messages
// both ways. Then the socket and the media drop together, as when the
// network goes away for a few seconds, and both come back.
func TestSignallingDropResumesSameParticipant(t *testing.T) {
	s := startServer(t, 50)
	imp := &client.Impairment{}
	a, b, room := hostAndBea(t, s, client.JoinOptions{Impair: imp})
	id := b.ID()
	heardByA := listen(t, a)

	for round, cutMedia := range []bool{false, true} {
		if cutMedia {
			imp.Cut(true)
		}
		b.DropSignalling()
		if cutMedia {
			time.Sleep(3 * time.Second)
			imp.Cut(false)
		}
		// Bea's new socket works: her chat reaches a, and a's hand reaches her.
		text := "still here " + string(rune('A'+round))
		eventually(t, 10*time.Second, "Bea's chat on the new socket", func() bool { return b.Chat(text) == nil })
		eventually(t, 10*time.Second, "Bea's chat to reach a", func() bool { return heardByA.chat(text) })
		if err := a.RaiseHand(round == 0); err != nil {
			t.Fatal(err)
		}
		eventually(t, 5*time.Second, "a's hand to reach Bea", func() bool { return b.Participants()[a.ID()].HandRaised == (round == 0) })

		_, v0 := a.ReceivedFrom(id)
		eventually(t, 15*time.Second, "media from Bea to a", func() bool {
			_, v := a.ReceivedFrom(id)
			return v > v0+10
		})
		_, w0 := b.ReceivedFrom(a.ID())
		eventually(t, 15*time.Second, "media from a to Bea", func() bool {
			_, w := b.ReceivedFrom(a.ID())
			return w > w0+10
		})
		if b.ID() != id {
			t.Fatalf("Bea's id changed from %s to %s", id, b.ID())
		}
		if got := s.Hub.Count(roomID(t, s, room.Token)); got != 2 {
			t.Fatalf("round %d: hub counts %d people, want 2", round, got)
		}
		if n := heardByA.people(); len(n) > 0 {
			t.Fatalf("round %d: a was told %v", round, n)
		}
		// Meanwhile a saw Bea as reconnecting, then back: never gone.
		marks := heardByA.reconnecting(id)
		if len(marks) < 2*(round+1) || !marks[2*round] || marks[len(marks)-1] {
			t.Fatalf("round %d: a was told of Bea's reconnecting %v, want true then false each round", round, marks)
		}
		if p, ok := a.Participants()[id]; !ok || p.Reconnecting {
			t.Fatalf("round %d: a's list has Bea as %+v (present %v), want her back", round, p, ok)
		}
	}
}

// The socket goes silent without closing, as when the network has just
// gone away and nobody has noticed, while the server offers the
// subscriber connection something new (Cy joins with a camera): the offer
// is lost. When Bea resumes on a new socket, the server must send that
// offer again, since pion cannot make a second one while the first is
// unanswered, and Cy's media must reach her.
func TestResumeSendsTheUnansweredOfferAgain(t *testing.T) {
	s := startServer(t, 50)
	a, b, room := hostAndBea(t, s, client.JoinOptions{})
	id := b.ID()
	b.StallSignalling()
	src, err := client.NewSynthetic("cy")
	if err != nil {
		t.Fatal(err)
	}
	cy := joinWith(t, s, room.Token, "Cy", client.JoinOptions{Publish: src})
	receivesFrom(t, a, cy) // Cy is published: Bea's offer has gone out, and is lost
	if _, v := b.ReceivedFrom(cy.ID()); v != 0 {
		t.Fatalf("Bea received %d of Cy's video packets over a silent socket", v)
	}
	b.DropSignalling()
	receivesFrom(t, b, cy)
	receivesFrom(t, b, a)
	if b.ID() != id {
		t.Fatalf("Bea's id changed from %s to %s: she joined again instead of resuming", id, b.ID())
	}
}

// A dropped socket that is never resumed leaves the call within ten
// seconds, like any dead connection.
func TestUnresumedSocketLeavesWithinTenSeconds(t *testing.T) {
	s := startServer(t, 50)
	host, room := newHost(t, s)
	a := join(t, host, room.Token, false)
	b := joinWith(t, s, room.Token, "Bea", client.JoinOptions{NoResume: true})
	heardByA := listen(t, a)
	b.DropSignalling()
	start := time.Now()
	eventually(t, 10*time.Second, "a to be told Bea left", func() bool {
		// (a may also hear of Bea's join, if it came after a began listening)
		return slices.Contains(heardByA.people(), "participantLeft "+b.ID())
	})
	t.Logf("left after %v", time.Since(start).Round(100*time.Millisecond))
}

// Only the same person with the participant's secret resumes it: a wrong
// token, or someone else's session with the right one, is refused with
// cannot_resume and the participant stays as it was.
func TestResumeNeedsTheTokenAndThePerson(t *testing.T) {
	s := startServer(t, 50)
	host, room := newHost(t, s)
	a := join(t, host, room.Token, false)
	heardByA := listen(t, a)

	bea := guestSession(t, s, room.Token, "Bea")
	ws := dialAs(t, s, bea, room.Token)
	joined := exchange(t, ws, `{"type":"join"}`)
	var j struct {
		Type        string `json:"type"`
		Self        struct{ ID string }
		ResumeToken string `json:"resumeToken"`
	}
	if err := json.Unmarshal(joined, &j); err != nil || j.Type != "joined" || len(j.ResumeToken) < 22 {
		t.Fatalf("joined: %s (%v), want a resume token of 128 bits or more", joined, err)
	}
	ws.CloseNow() // dropped: Bea may resume for a few seconds

	resume := func(token string) string {
		b, _ := json.Marshal(map[string]string{"type": "resume", "participant": j.Self.ID, "token": token})
		return string(b)
	}
	mallory := guestSession(t, s, room.Token, "Mallory")
	for what, try := range map[string]struct {
		sess *client.Session
		msg  string
	}{
		"a wrong token":              {bea, resume(strings.Repeat("A", len(j.ResumeToken)))},
		"someone else's session":     {mallory, resume(j.ResumeToken)},
		"an unknown participant":     {bea, `{"type":"resume","participant":"nobody","token":"x"}`},
		"a malformed resume message": {bea, `{"type":"resume","participant":7}`},
	} {
		got := exchange(t, dialAs(t, s, try.sess, room.Token), try.msg)
		if !strings.Contains(string(got), `"code":"cannot_resume"`) && !strings.Contains(string(got), `"code":"bad_message"`) {
			t.Fatalf("%s: got %s, want a refusal", what, got)
		}
		if !strings.Contains(string(got), `"fatal":true`) {
			t.Fatalf("%s: got %s, want a fatal error", what, got)
		}
	}
	// Bea herself, with her token, is let back in: the same participant.
	got := exchange(t, dialAs(t, s, bea, room.Token), resume(j.ResumeToken))
	if !strings.Contains(string(got), `"type":"resumed"`) || !strings.Contains(string(got), j.Self.ID) {
		t.Fatalf("Bea's own resume: got %s", got)
	}
	for _, n := range heardByA.people() {
		if strings.HasPrefix(n, "participantLeft") {
			t.Fatalf("a was told %v", n)
		}
	}
	if _, ok := a.Participants()[j.Self.ID]; !ok {
		t.Fatal("a no longer sees Bea")
	}
}

// dialAs opens a signalling socket with sess's cookies.
func dialAs(t *testing.T, s *server, sess *client.Session, token string) *websocket.Conn {
	t.Helper()
	ws, _, err := websocket.Dial(context.Background(), "ws"+strings.TrimPrefix(s.URL, "http")+"/api/rooms/"+token+"/ws", &websocket.DialOptions{
		HTTPClient: sess.HTTP,
		HTTPHeader: http.Header{"Origin": {s.URL}},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ws.CloseNow() })
	return ws
}

// exchange sends one message and returns the first answer.
func exchange(t *testing.T, ws *websocket.Conn, msg string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := ws.Write(ctx, websocket.MessageText, []byte(msg)); err != nil {
		t.Fatal(err)
	}
	_, b, err := ws.Read(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestRemovedWhileAwayIsToldOnResume: the host removes someone whose
// socket has dropped; when their client resumes, it is told it was
// removed (not only that its place is gone), and the socket closes.
func TestRemovedWhileAwayIsToldOnResume(t *testing.T) {
	s := startServer(t, 50)
	host := signUp(t, s, "Host")
	room := createRoom(t, host, map[string]any{"name": "Orderly"})
	join(t, host.Session, room.Token, false)

	bea := guestSession(t, s, room.Token, "Bea")
	ws := dialAs(t, s, bea, room.Token)
	var j struct {
		Self        struct{ ID string }
		ResumeToken string `json:"resumeToken"`
	}
	if err := json.Unmarshal(exchange(t, ws, `{"type":"join"}`), &j); err != nil || j.ResumeToken == "" {
		t.Fatalf("joined: %+v, %v", j, err)
	}
	ws.CloseNow() // dropped: Bea may resume for a few seconds
	do(t, host.Session, http.MethodPost, "/api/rooms/"+room.Token+"/participants/"+j.Self.ID+"/remove", nil, nil)

	b, _ := json.Marshal(map[string]string{"type": "resume", "participant": j.Self.ID, "token": j.ResumeToken})
	again := dialAs(t, s, bea, room.Token)
	got := exchange(t, again, string(b))
	if !strings.Contains(string(got), `"type":"removed"`) || !strings.Contains(string(got), "The host removed you") {
		t.Fatalf("resume after removal: %s, want removed", got)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if _, _, err := again.Read(ctx); websocket.CloseStatus(err) != websocket.StatusNormalClosure {
		t.Fatalf("after removed: %v, want the socket closed normally", err)
	}
}
