package app_test

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/roomsdev/rooms/client"
)

// nextError waits for the next error event on c.
func nextError(t *testing.T, c *client.Call) client.Event {
	t.Helper()
	timeout := time.After(5 * time.Second)
	for {
		select {
		case e := <-c.Events():
			if e.Type == "error" {
				return e
			}
		case <-timeout:
			t.Fatal("no error event within 5s")
		}
	}
}

// TestMalformedSignalling sends every kind of bad message on one
// connection: each gets a clear error, the connection stays open, and the
// others in the call keep their media.
func TestMalformedSignalling(t *testing.T) {
	s := startServer(t, 50)
	host, room := newHost(t, s)
	a := join(t, host, room.Token, true)
	b := joinGuest(t, s, room.Token, "Bea", true)
	receivesFrom(t, a, b)

	tests := []struct {
		name, msg, code string
	}{
		{"not json", `{"type": "mute", `, "bad_message"},
		{"not an object", `[1, 2, 3]`, "bad_message"},
		{"unknown type", `{"type": "teleport"}`, "bad_message"},
		{"no type", `{"sdp": "x"}`, "bad_message"},
		{"wrong field type", `{"type": "mute", "audio": "yes", "video": false}`, "bad_message"},
		{"missing fields", `{"type": "mute"}`, "bad_message"},
		{"second join", `{"type": "join"}`, "out_of_order"},
		{"answer with no offer pending", `{"type": "subAnswer", "sdp": "v=0\r\n"}`, "out_of_order"},
		{"garbage offer", `{"type": "pubOffer", "sdp": "this is not sdp"}`, "negotiation_failed"},
		{"empty offer", `{"type": "pubOffer", "sdp": ""}`, "bad_message"},
		{"candidate for no connection", `{"type": "candidate", "pc": "side", "candidate": {"candidate": "x"}}`, "bad_message"},
		{"candidate without candidate", `{"type": "candidate", "pc": "pub"}`, "bad_message"},
		{"too many tracks", `{"type": "pubOffer", "sdp": "` + strings.Repeat(`\nm=audio 9 UDP/TLS/RTP/SAVPF 111`, 20) + `"}`, "bad_message"},
	}
	// Drain what the joins queued, so the next error is ours.
	time.Sleep(200 * time.Millisecond)
	for len(b.Events()) > 0 {
		<-b.Events()
	}
	for _, tt := range tests {
		if err := b.SendRaw([]byte(tt.msg)); err != nil {
			t.Fatalf("%s: send: %v", tt.name, err)
		}
		e := nextError(t, b)
		if e.Code != tt.code || e.Message == "" || e.Fatal {
			t.Errorf("%s: got %+v, want non-fatal %s with a message", tt.name, e, tt.code)
		}
	}
	select {
	case <-b.Done():
		t.Fatal("the connection closed after recoverable errors")
	default:
	}
	// Still in the call, both ways.
	receivesFrom(t, a, b)
	receivesFrom(t, b, a)
}

// dialRaw opens a signalling socket, as a new guest, without joining.
func dialRaw(t *testing.T, s *server, token string) *websocket.Conn {
	t.Helper()
	sess := client.NewSession(s.URL)
	if err := sess.JoinAsGuest(context.Background(), token, "Raw"); err != nil {
		t.Fatal(err)
	}
	return dialAs(t, s, sess, token)
}

func TestSignallingBeforeJoinIsFatal(t *testing.T) {
	s := startServer(t, 50)
	_, room := newHost(t, s)
	ws := dialRaw(t, s, room.Token)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := ws.Write(ctx, websocket.MessageText, []byte(`{"type":"pubOffer","sdp":"v=0"}`)); err != nil {
		t.Fatal(err)
	}
	_, b, err := ws.Read(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(b, []byte(`"code":"out_of_order"`)) || !bytes.Contains(b, []byte(`"fatal":true`)) {
		t.Fatalf("got %s, want a fatal out_of_order error", b)
	}
	if _, _, err := ws.Read(ctx); websocket.CloseStatus(err) == -1 {
		t.Fatalf("socket still open after a fatal error: %v", err)
	}
}

func TestOversizedSignallingMessage(t *testing.T) {
	s := startServer(t, 50)
	host, room := newHost(t, s)
	a := join(t, host, room.Token, true)
	ws := dialRaw(t, s, room.Token)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	big := `{"type":"join","pad":"` + strings.Repeat("x", 300<<10) + `"}`
	_ = ws.Write(ctx, websocket.MessageText, []byte(big))
	_, _, err := ws.Read(ctx)
	if got := websocket.CloseStatus(err); got != websocket.StatusMessageTooBig {
		t.Fatalf("close status %v (%v), want 1009 message too big", got, err)
	}
	// The server still serves everyone else.
	b := joinGuest(t, s, room.Token, "Bea", true)
	receivesFrom(t, a, b)
}

func TestOversizedAndMalformedBodies(t *testing.T) {
	s := startServer(t, 50)
	post := func(path, body string) (int, string) {
		req, _ := http.NewRequest(http.MethodPost, s.URL+path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var buf bytes.Buffer
		buf.ReadFrom(resp.Body)
		return resp.StatusCode, buf.String()
	}
	huge := `{"displayName":"` + strings.Repeat("a", 100<<10) + `","email":"a@b.c","password":"xxxxxxxxxx"}`
	if code, body := post("/api/auth/signup", huge); code != http.StatusRequestEntityTooLarge || !strings.Contains(body, "too large") {
		t.Errorf("huge body: %d %s, want 413 with a message", code, body)
	}
	for _, body := range []string{``, `{`, `{"displayName": 5}`, `{"nope": 1}`, `{} {}`} {
		if code, resp := post("/api/auth/signup", body); code != http.StatusBadRequest || !strings.Contains(resp, `"code":"invalid"`) {
			t.Errorf("body %q: %d %s, want 400 invalid", body, code, resp)
		}
	}
	// The server still answers.
	if _, err := client.NewSession(s.URL).SignUp(context.Background(), "Ok", "ok@example.com", "long enough password"); err != nil {
		t.Fatal(err)
	}
}

func TestCrossOriginRequestsAreRefused(t *testing.T) {
	s := startServer(t, 50)
	_, room := newHost(t, s)
	req, _ := http.NewRequest(http.MethodPost, s.URL+"/api/auth/signup", strings.NewReader(`{"displayName":"Eve","email":"eve@example.com","password":"long enough password"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Origin", "https://evil.example")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("cross-site POST = %d, want 403", resp.StatusCode)
	}

	sess := client.NewSession(s.URL)
	if err := sess.JoinAsGuest(context.Background(), room.Token, "Guest"); err != nil {
		t.Fatal(err)
	}
	_, wsResp, err := websocket.Dial(context.Background(), "ws"+strings.TrimPrefix(s.URL, "http")+"/api/rooms/"+room.Token+"/ws", &websocket.DialOptions{
		HTTPClient: sess.HTTP,
		HTTPHeader: http.Header{"Origin": {"https://evil.example"}},
	})
	if err == nil || wsResp == nil || wsResp.StatusCode != http.StatusForbidden {
		t.Errorf("cross-origin WebSocket: %v, want 403", err)
	}
}

func TestJoinNeedsAnIdentityForThisRoom(t *testing.T) {
	s := startServer(t, 50)
	_, room := newHost(t, s)
	_, other := newHost(t, s)
	ctx := context.Background()

	anon := client.NewSession(s.URL)
	if _, err := anon.Join(ctx, room.Token, client.JoinOptions{}); err == nil {
		t.Fatal("anonymous join succeeded")
	}
	// A guest of one room is nobody in another.
	g := client.NewSession(s.URL)
	if err := g.JoinAsGuest(ctx, other.Token, "Elsewhere"); err != nil {
		t.Fatal(err)
	}
	if _, err := g.Join(ctx, room.Token, client.JoinOptions{}); err == nil {
		t.Fatal("a guest of another room joined")
	}
}

func TestPagesAndSecurityHeaders(t *testing.T) {
	s := startServer(t, 50)
	for _, path := range []string{"/", "/mod", "/d/someroom"} {
		resp, err := http.Get(s.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("GET %s = %d, want the client's page", path, resp.StatusCode)
		}
		csp := resp.Header.Get("Content-Security-Policy")
		// Backgrounds run a WebAssembly model: wasm may compile, no eval.
		if !strings.Contains(csp, "'wasm-unsafe-eval'") || strings.Contains(csp, "'unsafe-eval'") || resp.Header.Get("Referrer-Policy") != "no-referrer" {
			t.Errorf("GET %s headers: CSP %q, Referrer-Policy %q", path, csp, resp.Header.Get("Referrer-Policy"))
		}
	}
}
