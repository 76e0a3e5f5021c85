package signal

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"

	"github.com/roomsdev/rooms/internal/rooms"
	"github.com/roomsdev/rooms/internal/sfu"
)

// Resuming (docs/protocol.md, "Reconnecting"). A socket can drop while
// the person is still there: a network switch, a proxy's idle timeout, a
// laptop lid. Its participant then stays in the call, media and all, for
// resumeGrace; a client that comes back within it sends `resume` as the
// first message of a new socket, with the participant id and the
// resumeToken it got in `joined`, and carries on as the same participant:
// nobody sees it leave and come back. After resumeGrace it leaves like
// anyone else (its media would have failed by then anyway, see sfu's
// failAfter), so nobody stays in the grid as a ghost.
const resumeGrace = 6 * time.Second

const (
	typeResume  = "resume"  // client → server, first message only
	typeResumed = "resumed" // server → client, the call's state afresh

	codeCannotResume = "cannot_resume"
)

type resumeMsg struct {
	Type        string `json:"type"`
	Participant string `json:"participant"`
	Token       string `json:"token"`
}

// newResumeToken makes a participant's resume secret: 130 bits from
// crypto/rand.
func newResumeToken() string { return rand.Text() }

// socket is one WebSocket connection of a participant.
type socket struct {
	conn *websocket.Conn
	out  chan []byte
	gone chan struct{} // closed when the socket is dropped or replaced
	once sync.Once

	// The writer (writer.go).
	owner    atomic.Pointer[participant] // nil until the writer starts
	ctx      context.Context             // set before owner
	writing  atomic.Bool                 // a writer goroutine is running
	pingDue  atomic.Bool
	ping     *time.Timer // set before owner
	finished chan struct{}
	finOnce  sync.Once
}

func newSocket(conn *websocket.Conn) *socket {
	return &socket{conn: conn, out: make(chan []byte, sendQueueLen), gone: make(chan struct{}), finished: make(chan struct{})}
}

// drop ends the socket's use: its writer closes it.
func (s *socket) drop() {
	s.once.Do(func() { close(s.gone) })
	s.kick()
}

func (s *socket) write(ctx context.Context, b []byte) error {
	wctx, cancel := context.WithTimeout(ctx, writeTimeout)
	defer cancel()
	return s.conn.Write(wctx, websocket.MessageText, b)
}

// readFirst reads the socket's first message, which must come within
// joinTimeout. On any error the socket is closed.
func (s *socket) readFirst(ctx context.Context) ([]byte, error) {
	rctx, cancel := context.WithTimeout(ctx, joinTimeout)
	defer cancel()
	typ, b, err := s.conn.Read(rctx)
	if err != nil {
		// The library closes the socket when the read's context ends (a
		// silent client) or the message is too big (status 1009).
		_ = s.conn.CloseNow()
		return nil, err
	}
	if typ != websocket.MessageText {
		s.fail(badMessage("Messages must be JSON text."))
		return nil, errBinary
	}
	return b, nil
}

var errBinary = &protocolError{codeBadMessage, "binary message"}

// fail tells a socket that has no participant of a fatal error, and
// closes it.
func (s *socket) fail(err error) {
	m := errorFor(err)
	m.Fatal = true
	if b, merr := json.Marshal(m); merr == nil {
		_ = s.write(context.Background(), b)
	}
	_ = s.conn.Close(closeNormal, "")
}

// resume attaches socket s to the participant its first message names, if
// that message is `resume`. It returns nil, nil for any other message
// (the caller treats it as a join), and an error, already told to the
// client, when the participant cannot be resumed: then the client joins
// again as someone new.
func (c *call) resume(s *socket, id rooms.Identity, first []byte) (*participant, error) {
	var env envelope
	if json.Unmarshal(first, &env) != nil || env.Type != typeResume {
		return nil, nil
	}
	var m resumeMsg
	if err := json.Unmarshal(first, &m); err != nil {
		err := badMessage("resume needs a participant and a token.")
		s.fail(err)
		return nil, err
	}
	if fw, ok := c.hub.takeFarewell(m.Participant, id, m.Token); ok {
		// Removed (or sent off) while away: the client learns why, as it
		// would have on the lost socket, and does not come back.
		s.farewell(fw)
		return nil, errFarewell
	}
	c.mu.Lock()
	p := c.participants[m.Participant]
	// The same person (the session's identity), holding the secret the
	// participant was given.
	ok := p != nil && p.identity.UserID == id.UserID && p.identity.GuestID == id.GuestID &&
		len(m.Token) == len(p.resumeToken) && subtle.ConstantTimeCompare([]byte(m.Token), []byte(p.resumeToken)) == 1
	if ok {
		select {
		case <-p.done:
			ok = false // leaving right now
		default:
		}
	}
	if !ok {
		c.mu.Unlock()
		err := &protocolError{codeCannotResume, "Your place in the call has gone; join again."}
		s.fail(err)
		return nil, err
	}
	p.sockMu.Lock()
	old := p.sock
	p.sock = s
	if p.grace != nil {
		p.grace.Stop()
		p.grace = nil
	}
	p.sockMu.Unlock()
	if old != nil {
		old.drop() // a socket the server had not yet seen die
	}
	// The call as it is now, queued under the lock so that it comes before
	// any later change.
	others := make([]Participant, 0, len(c.participants))
	for _, o := range c.participants {
		if o != p {
			others = append(others, o.view())
		}
	}
	c.sendViewLocked(p) // back: no longer reconnecting for the others
	p.send(joinedMsg{
		Type:         typeResumed,
		Self:         p.view(),
		Participants: others,
		Room:         c.roomInfoLocked(p),
		ICEServers:   c.hub.iceServersFor(p.id),
		VideoCodec:   c.hub.media.VideoCodec(),
	})
	c.mu.Unlock()
	p.log.Info("participant resumed")
	return p, nil
}

// farewell is the last message of a participant that left while its
// socket was detached (removed by the host, say): a resume within the
// grace gets it, where it would otherwise only hear that its place is gone.
type farewell struct {
	identity    rooms.Identity
	resumeToken string
	msg         []byte
	expires     time.Time
}

var errFarewell = errors.New("resume: participant left while away")

// leaveWith sends p its last message and closes its connection. The
// message is kept for resumeGrace as well: a participant whose socket is
// detached, or was dying as the message went out, gets it if it resumes.
func (p *participant) leaveWith(msg any, reason string) {
	if b, err := json.Marshal(msg); err == nil && p.isAdmitted() {
		p.call.hub.keepFarewell(p.id, farewell{identity: p.identity, resumeToken: p.resumeToken, msg: b})
	}
	p.send(msg)
	p.close(closeNormal, reason)
}

// keepFarewell holds a participant's last message for resumeGrace.
func (h *Hub) keepFarewell(id string, fw farewell) {
	now := time.Now()
	fw.expires = now.Add(resumeGrace)
	h.mu.Lock()
	defer h.mu.Unlock()
	for k, old := range h.farewells {
		if now.After(old.expires) {
			delete(h.farewells, k)
		}
	}
	h.farewells[id] = fw
}

// takeFarewell returns the last message of participant id, if who is that
// participant's person and token its resume secret.
func (h *Hub) takeFarewell(id string, who rooms.Identity, token string) (farewell, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	fw, ok := h.farewells[id]
	if !ok || time.Now().After(fw.expires) || fw.identity.UserID != who.UserID || fw.identity.GuestID != who.GuestID ||
		len(token) != len(fw.resumeToken) || subtle.ConstantTimeCompare([]byte(token), []byte(fw.resumeToken)) != 1 {
		return farewell{}, false
	}
	delete(h.farewells, id)
	return fw, true
}

// farewell writes a left participant's last message on a socket that
// tried to resume it, and closes the socket normally.
func (s *socket) farewell(fw farewell) {
	_ = s.write(context.Background(), fw.msg)
	_ = s.conn.Close(closeNormal, "")
}

// afterResume sends what a resumed client may have missed of the media:
// the tracks now published, and a new subscriber offer in place of any
// that went out on the lost socket.
func (p *participant) afterResume() {
	peer, err := p.awaitMedia()
	if err != nil {
		p.fail(err)
		return
	}
	p.sendTracks()
	peer.Resync()
}

// sendTracks tells p of every track published by someone else, with its
// source, as trackPublished tells of tracks that start later.
func (p *participant) sendTracks() {
	for _, t := range p.call.media.Tracks() {
		if t.Publisher != sfu.PeerID(p.id) {
			p.send(trackMsg{Type: typeTrackPublished, Participant: string(t.Publisher), Kind: t.Kind, TrackID: t.ID, Source: t.Source})
		}
	}
}

// detach takes socket s, which dropped without a goodbye, off p. If it was
// p's socket, p stays in the call for resumeGrace, then leaves.
//
// The others keep seeing p meanwhile, marked as reconnecting: a short
// network drop must not look like leaving.
func (p *participant) detach(s *socket) {
	s.drop()
	p.sockMu.Lock()
	if p.sock != s {
		p.sockMu.Unlock()
		return // already replaced by a resume
	}
	p.sock = nil
	p.grace = time.AfterFunc(resumeGrace, func() {
		p.log.Info("not resumed in time")
		p.close(websocket.StatusGoingAway, "connection lost")
	})
	p.sockMu.Unlock()
	p.log.Info("connection lost; waiting for the client to resume", "grace", resumeGrace)
	p.call.broadcastViewOf(p)
}

// broadcastViewOf tells everyone but p how p is now (reconnecting or
// not), if p is in the call.
func (c *call) broadcastViewOf(p *participant) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sendViewLocked(p)
}

func (c *call) sendViewLocked(p *participant) {
	if c.participants[p.id] != p {
		return // waiting, or gone
	}
	msg := participantMsg{Type: typeParticipantUpdated, Participant: p.view()}
	for _, o := range c.participants {
		if o != p {
			o.send(msg)
		}
	}
}

func init() {
	handlers[typeResume] = func(*participant, []byte) (bool, error) {
		return false, outOfOrder("resume may only be the first message on a new connection.")
	}
}
