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

// participant is one WebSocket connection in a call.
type participant struct {
	id       string
	identity rooms.Identity
	call     *call
	conn     *websocket.Conn
	log      *slog.Logger
	limiter  *rate.Limiter

	out         chan []byte
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
	defer h.release(c)
	p := &participant{
		id:         newParticipantID(),
		identity:   id,
		call:       c,
		conn:       conn,
		limiter:    rate.NewLimiter(messageRate, messageBurst),
		out:        make(chan []byte, sendQueueLen),
		done:       make(chan struct{}),
		mediaReady: make(chan struct{}),
	}
	p.log = c.log.With("participant", p.id)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	written := make(chan struct{})
	go func() {
		defer close(written)
		p.writeLoop(ctx)
	}()
	p.readLoop(ctx)
	p.close(websocket.StatusNormalClosure, "")
	<-written
}

// view is how the others see p.
func (p *participant) view() Participant {
	p.mu.Lock()
	defer p.mu.Unlock()
	return Participant{
		ID:         p.id,
		Name:       p.identity.DisplayName,
		Guest:      p.identity.IsGuest(),
		Host:       p.isHost,
		AudioMuted: p.audioMuted,
		VideoMuted: p.videoMuted,
		HandRaised: p.handRaised,
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
	select {
	case <-p.done:
	case p.out <- b:
	default:
		p.log.Warn("send queue full, disconnecting")
		go p.close(websocket.StatusPolicyViolation, "too slow")
	}
}

func (p *participant) sendError(err error, fatal bool) {
	m := errorFor(err)
	m.Fatal = fatal
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
		p.call.remove(p)
		if peer != nil {
			peer.Close()
		}
		p.closeCode, p.closeReason = code, reason
		// The writer flushes what is queued (a fatal error, say), then
		// closes the socket with this code.
		close(p.done)
	})
}

// writeLoop is the only writer to the socket. It ends by closing it.
func (p *participant) writeLoop(ctx context.Context) {
	ping := time.NewTicker(pingInterval)
	defer ping.Stop()
	for {
		select {
		case b := <-p.out:
			if err := p.write(ctx, b); err != nil {
				p.close(websocket.StatusGoingAway, "")
				_ = p.conn.CloseNow()
				return
			}
		case <-ping.C:
			pctx, cancel := context.WithTimeout(ctx, writeTimeout)
			err := p.conn.Ping(pctx)
			cancel()
			if err != nil {
				p.close(websocket.StatusGoingAway, "")
				_ = p.conn.CloseNow()
				return
			}
		case <-p.done:
			// Flush what is already queued, then close.
			for {
				select {
				case b := <-p.out:
					if p.write(ctx, b) != nil {
						_ = p.conn.CloseNow()
						return
					}
				default:
					_ = p.conn.Close(p.closeCode, p.closeReason)
					return
				}
			}
		}
	}
}

func (p *participant) write(ctx context.Context, b []byte) error {
	wctx, cancel := context.WithTimeout(ctx, writeTimeout)
	defer cancel()
	return p.conn.Write(wctx, websocket.MessageText, b)
}

func (p *participant) readLoop(ctx context.Context) {
	joinCtx, cancel := context.WithTimeout(ctx, joinTimeout)
	defer cancel()
	for {
		rctx := ctx
		if !p.joined() {
			rctx = joinCtx
		}
		typ, b, err := p.conn.Read(rctx)
		if err != nil {
			var ce websocket.CloseError
			switch {
			case errors.As(err, &ce):
			case errors.Is(err, context.DeadlineExceeded):
				p.sendError(outOfOrder("The first message must be join."), true)
			case errors.Is(err, websocket.ErrMessageTooBig):
				// The library has already closed the socket with status
				// 1009 (message too big): nothing more can be sent.
				p.log.Info("message too large")
			}
			return
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
			return
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
	// Tell the newcomer what is already published, with each track's
	// source, as trackPublished tells of tracks that start later.
	for _, t := range p.call.media.Tracks() {
		if t.Publisher != sfu.PeerID(p.id) {
			p.send(trackMsg{Type: typeTrackPublished, Participant: string(t.Publisher), Kind: t.Kind, TrackID: t.ID, Source: t.Source})
		}
	}
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
