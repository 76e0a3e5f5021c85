package app_test

import (
	"strings"
	"testing"
	"time"
)

func TestChatReactionsAndHands(t *testing.T) {
	s := startServer(t, 50)
	host := signUp(t, s, "Host")
	room := createRoom(t, host, map[string]any{"name": "Chatty"})
	h := join(t, host.Session, room.Token, false)
	g := joinAsGuestWith(t, s, room.Token, "Guest", false)

	if err := g.Chat("  Hello e\u0301veryone\nsecond line  "); err != nil {
		t.Fatal(err)
	}
	e := waitEvent(t, h, "chat", 3*time.Second)
	if e.Text != "Hello éveryone\nsecond line" || e.Name != "Guest" || e.From != g.ID() {
		t.Fatalf("host got chat %+v", e)
	}
	if e := waitEvent(t, g, "chat", 3*time.Second); e.From != g.ID() {
		t.Fatalf("the sender's own chat echo: %+v", e)
	}
	if err := g.React("🎉"); err != nil {
		t.Fatal(err)
	}
	if e := waitEvent(t, h, "reaction", 3*time.Second); e.Emoji != "🎉" || e.From != g.ID() {
		t.Fatalf("host got reaction %+v", e)
	}
	if err := g.RaiseHand(true); err != nil {
		t.Fatal(err)
	}
	eventually(t, 3*time.Second, "the host to see the raised hand", func() bool { return h.Participants()[g.ID()].HandRaised })

	for _, bad := range []string{
		`{"type":"chat","text":""}`,
		`{"type":"chat","text":"` + strings.Repeat("a", 1001) + `"}`,
		`{"type":"chat","text":"bell\u0007"}`,
		`{"type":"reaction","emoji":"💩"}`,
		`{"type":"hand"}`,
	} {
		if err := g.SendRaw([]byte(bad)); err != nil {
			t.Fatal(err)
		}
		if e := nextError(t, g); e.Code != "bad_message" {
			t.Errorf("%s: %+v, want bad_message", bad, e)
		}
	}
}
