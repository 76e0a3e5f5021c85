package signal

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/coder/websocket"
	"golang.org/x/time/rate"

	"github.com/roomsdev/rooms/internal/rooms"
	"github.com/roomsdev/rooms/internal/sfu"
)

// Limits on what one client may send (docs/protocol.md).
const (
	maxMessageBytes = 256 << 10
	messageRate     = 50  // messages per second, on average
	messageBurst    = 200 // messages at once
	sendQueueLen    = 512 // server messages queued for one client
	joinTimeout     = 10 * time.Second
	pingInterval    = 15 * time.Second
	writeTimeout    = 10 * time.Second
)

// participant is one person's presence in a call, reached through one
// WebSocket at a time: a socket that drops without a goodbye leaves the
// participant in place for resumeGrace, for the client to resume on a new
// one (resume.go).
type participant struct {
	id       string
	identity rooms.Identity
	call     *call
	log      *slog.Logger
	limiter  *rate.Limiter
	// resumeToken lets the client, and only it, take this participant
	// over from a new socket.
	resumeToken string

	sockMu sync.Mutex
	sock   *socket     // nil while detached
	grace  *time.Timer // runs while detached

	closeOnce   sync.Once
	done        chan struct{} // closed when the participant is leaving
	closeCode   websocket.StatusCode
	closeReason string

	// isHost is set by call.join under the call's lock, before p is in
	// any list, and read-only after.
	isHost bool

	// mediaReady is closed once the media peer is started (or failed to).
	mediaReady chan struct{}

	mu            sync.Mutex // guards the fields below
	joinRequested bool       // `join` has arrived
	admitted      bool       // in the call, not waiting
	peer          *sfu.Peer  // set once admitted and media started
	audioMuted    bool
	videoMuted    bool
	handRaised    bool
}

// closeNormal is the close code for ordinary ends (left, removed, ended).
const closeNormal = websocket.StatusNormalClosure

// ServeWS upgrades the request to the signalling WebSocket of a room and
// serves it until the participant leaves. The caller has already checked
// that the room exists and who the identity is; the join rules are applied
// when the `join` message arrives.
func (h *Hub) ServeWS(w http.ResponseWriter, r *http.Request, room *rooms.Room, id rooms.Identity) {
	// Accept refuses cross-origin upgrades: the Origin header must name
	// this host (no OriginPatterns are configured).
	conn, err := websocket.Accept(w, r, nil)
	if err != nil {
		return // Accept has answered the request
	}
	conn.SetReadLimit(maxMessageBytes)
	c := h.callFor(room)
	owned := false // a new participant takes over the call reference
	defer func() {
		if !owned {
			h.release(c)
		}
	}()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s := newSocket(conn)
	// The first message says whether this is someone new (join) or a
	// participant coming back on a new socket (resume).
	first, err := s.readFirst(ctx)
	if err != nil {
		return
	}
	p, err := c.resume(s, id, first)
	if err != nil {
		return // told, and closed
	}
	resumed := p != nil
	if !resumed {
		p = c.newParticipant(id, s)
		owned = true
	}
	written := p.startWriter(ctx, s)
	if resumed {
		p.afterResume()
	} else if stop := p.dispatch(first); stop {
		p.close(websocket.StatusNormalClosure, "")
		<-written
		return
	}
	clean := p.readLoop(ctx, s)
	switch {
	case clean || !p.isAdmitted():
		p.close(websocket.StatusNormalClosure, "")
	default:
		p.detach(s) // the client may resume on a new socket
	}
	<-written
}

// newParticipant makes the participant a new socket's `join` is for.
func (c *call) newParticipant(id rooms.Identity, s *socket) *participant {
	p := &participant{
		id:          newParticipantID(),
		identity:    id,
		call:        c,
		limiter:     rate.NewLimiter(messageRate, messageBurst),
		resumeToken: newResumeToken(),
		sock:        s,
		done:        make(chan struct{}),
		mediaReady:  make(chan struct{}),
	}
	p.log = c.log.With("participant", p.id)
	return p
}

// view is how the others see p.
func (p *participant) view() Participant {
	p.sockMu.Lock()
	detached := p.sock == nil
	p.sockMu.Unlock()
	p.mu.Lock()
	defer p.mu.Unlock()
	return Participant{
		Reconnecting: detached,
		ID:           p.id,
		Name:         p.identity.DisplayName,
		Guest:        p.identity.IsGuest(),
		Host:         p.isHost,
		AudioMuted:   p.audioMuted,
		VideoMuted:   p.videoMuted,
		HandRaised:   p.handRaised,
	}
}

// send queues a message for the client without blocking. A client that
// cannot keep up with its queue is disconnected: holding everyone else
// back for one slow reader is worse.
func (p *participant) send(msg any) {
	b, err := json.Marshal(msg)
	if err != nil {
		p.log.Error("encode message", "err", err)
		return
	}
	p.sockMu.Lock()
	s := p.sock
	p.sockMu.Unlock()
	if s == nil {
		return // detached: a resume sends the state afresh
	}
	select {
	case <-p.done:
	case <-s.gone:
	case s.out <- b:
		s.kick()
	default:
		p.log.Warn("send queue full, disconnecting")
		go p.close(websocket.StatusPolicyViolation, "too slow")
	}
}

func (p *participant) sendError(err error, fatal bool) {
	m := errorMsgFor(err, fatal)
	if m.Code == rooms.EINTERNAL {
		p.log.Error("signalling error", "err", err)
	}
	p.send(m)
}

// close ends the participant's presence: out of the call, media closed,
// socket closed. It is idempotent and safe from any goroutine.
func (p *participant) close(code websocket.StatusCode, reason string) {
	p.closeOnce.Do(func() {
		p.mu.Lock()
		peer := p.peer
		p.mu.Unlock()
		p.sockMu.Lock()
		if p.grace != nil {
			p.grace.Stop()
		}
		p.sockMu.Unlock()
		p.call.remove(p)
		if peer != nil {
			peer.Close()
		}
		p.log.Info("participant left", "code", int(code), "reason", reason)
		p.closeCode, p.closeReason = code, reason
		// The writer flushes what is queued (a fatal error, say), then
		// closes the socket with this code.
		close(p.done)
		p.sockMu.Lock()
		s := p.sock
		p.sockMu.Unlock()
		if s != nil {
			s.kick()
		}
		p.call.hub.release(p.call)
	})
}

// readLoop reads p's messages from socket s until it ends. clean says the
// end was meant (the client closed the socket, broke the protocol or
// left), rather than the connection being lost.
func (p *participant) readLoop(ctx context.Context, s *socket) (clean bool) {
	for {
		typ, b, err := s.conn.Read(ctx)
		if err != nil {
			var ce websocket.CloseError
			switch {
			case errors.As(err, &ce):
				// A browser closing its page says so (1001); a lost
				// network says nothing, and a client giving up a socket
				// it found broken says 4000 (its close may still arrive):
				// both leave its place open for a resume.
				return ce.Code == websocket.StatusNormalClosure || ce.Code == websocket.StatusGoingAway
			case errors.Is(err, websocket.ErrMessageTooBig):
				// The library has already closed the socket with status
				// 1009 (message too big): nothing more can be sent.
				p.log.Info("message too large")
				return true
			}
			return false
		}
		select {
		case <-s.gone:
			return false // replaced by a newer socket
		default:
		}
		if !p.limiter.Allow() {
			p.sendError(&protocolError{codeRateLimited, "Too many messages; slow down."}, false)
			continue
		}
		if typ != websocket.MessageText {
			p.sendError(badMessage("Messages must be JSON text."), false)
			continue
		}
		if stop := p.dispatch(b); stop {
			return true
		}
	}
}

// joined reports whether p has sent `join` (it may still be waiting).
func (p *participant) joined() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.joinRequested
}

// media returns p's media peer, or nil while p waits for the host.
func (p *participant) media() *sfu.Peer {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.peer
}

// isAdmitted reports whether p is in the call (not waiting).
func (p *participant) isAdmitted() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.admitted
}

// awaitMedia returns p's media peer once it is started. A participant let
// in from the waiting screen learns it (`joined`) while its media starts
// on another goroutine, and may answer faster than that.
func (p *participant) awaitMedia() (*sfu.Peer, error) {
	if !p.isAdmitted() {
		return nil, outOfOrder("You are waiting for the host to let you in.")
	}
	select {
	case <-p.mediaReady:
	case <-time.After(joinTimeout):
	}
	if peer := p.media(); peer != nil {
		return peer, nil
	}
	return nil, rooms.Errorf(rooms.EINTERNAL, "Your connection could not be set up. Please rejoin.")
}

// startMedia gives an admitted participant its media connections; the
// first subscriber offer follows.
func (p *participant) startMedia() error {
	defer close(p.mediaReady)
	peer, err := p.call.media.Join(sfu.PeerID(p.id), (*mediaHandler)(p))
	if err != nil {
		return err
	}
	p.mu.Lock()
	p.peer = peer
	audioMuted := p.audioMuted
	p.mu.Unlock()
	p.sendTracks() // what is already published
	peer.SetPaused(sfu.KindAudio, audioMuted)
	select {
	case <-p.done:
		peer.Close() // left while the media was starting
	default:
	}
	return nil
}

// fail ends p's connection with an error it is told about.
func (p *participant) fail(err error) {
	p.sendError(err, true)
	p.close(closeNormal, "")
}

// setAudioMuted records p's microphone state, tells the others, and stops
// or resumes forwarding p's audio: a muted microphone reaches nobody, even
// if the client keeps sending.
func (p *participant) setAudioMuted(audio, announce bool) {
	p.mu.Lock()
	changed := p.audioMuted != audio
	p.audioMuted = audio
	peer := p.peer
	p.mu.Unlock()
	if peer != nil {
		peer.SetPaused(sfu.KindAudio, audio)
	}
	if changed || announce {
		p.call.broadcast(participantMsg{Type: typeParticipantUpdated, Participant: p.view()}, p)
	}
}
