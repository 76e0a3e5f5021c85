package client

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/coder/websocket"
)

// Resuming (docs/protocol.md, "Reconnecting"): when the signalling socket
// drops without a goodbye, the server keeps this participant for a few
// seconds; the call dials again and sends `resume` with the token from
// `joined`, and carries on as the same participant, its media connections
// untouched.

// resumeTries are the pauses before each attempt, all within the
// server's grace of 6 s.
var resumeTries = []time.Duration{100 * time.Millisecond, 500 * time.Millisecond, time.Second, 2 * time.Second, 2 * time.Second}

// dial opens a signalling socket.
func (s *Session) dial(ctx context.Context, url string) (*websocket.Conn, error) {
	ws, _, err := websocket.Dial(ctx, url, &websocket.DialOptions{
		HTTPClient: s.HTTP,
		HTTPHeader: map[string][]string{"Origin": {s.BaseURL}},
	})
	if err != nil {
		return nil, fmt.Errorf("dial signalling: %w", err)
	}
	ws.SetReadLimit(4 << 20)
	return ws, nil
}

// resume takes the call over on a new socket after the old one dropped.
// It reports whether the call goes on.
func (c *Call) resume() bool {
	c.mu.Lock()
	token, self := c.resumeToken, c.Self.ID
	c.mu.Unlock()
	if c.opts.NoResume || token == "" || c.ctx.Err() != nil {
		return false
	}
	id, _ := json.Marshal(self)
	for _, pause := range resumeTries {
		select {
		case <-c.ctx.Done():
			return false
		case <-time.After(pause):
		}
		m, err := c.tryResume(id, token)
		if err != nil {
			continue
		}
		if m.Type != "resumed" || m.Self == nil {
			// Refused (the participant is gone), or told why it went
			// while away (removed, roomEnded): the call is over.
			e := Event{Type: m.Type, Code: m.Code, Message: m.Message}
			if m.Type == "error" || m.Type == "" {
				e.Type, e.Fatal = "error", true
			}
			c.emit(e)
			return false
		}
		c.mu.Lock()
		c.participants = make(map[string]Participant, len(m.Participants))
		for _, p := range m.Participants {
			c.participants[p.ID] = p
		}
		if m.Room != nil {
			c.room = *m.Room
		}
		c.mu.Unlock()
		c.emit(Event{Type: "resumed", ID: self})
		return true
	}
	return false
}

// tryResume dials once and sends `resume`; it returns the server's answer.
func (c *Call) tryResume(id json.RawMessage, token string) (*wire, error) {
	ctx, cancel := context.WithTimeout(c.ctx, 5*time.Second)
	defer cancel()
	ws, err := c.session.dial(ctx, c.wsURL)
	if err != nil {
		return nil, err
	}
	c.wsMu.Lock()
	old := c.ws
	c.ws = ws
	c.stalled.Store(false)
	c.wsMu.Unlock()
	_ = old.CloseNow()
	if err := c.send(wire{Type: "resume", Participant: id, Token: token}); err != nil {
		return nil, err
	}
	var m wire
	if err := c.read(ctx, &m); err != nil {
		return nil, err
	}
	return &m, nil
}

// DropSignalling cuts the signalling socket at once, without a goodbye,
// as a lost network does: the call resumes on a new one by itself (unless
// JoinOptions.NoResume). For tests.
func (c *Call) DropSignalling() { _ = c.socket().CloseNow() }

// StallSignalling makes the socket carry nothing either way without
// closing it, as a network that has just gone away: what the server sends
// is lost unread, and so is what the call sends. DropSignalling ends it
// (the call resumes on a new socket). For tests.
func (c *Call) StallSignalling() { c.stalled.Store(true) }
