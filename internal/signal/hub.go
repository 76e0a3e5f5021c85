package signal

import (
	"crypto/rand"
	"encoding/base64"
	"log/slog"
	"sync"

	"github.com/roomsdev/rooms/internal/rooms"
	"github.com/roomsdev/rooms/internal/sfu"
)

// Config is the signalling layer's configuration.
type Config struct {
	// Capacity is the most people in one call.
	Capacity int
	// ICEServers are handed to clients in `joined` (STUN/TURN).
	ICEServers []ICEServer
}

// Hub holds the live calls, one per room with anyone in it.
type Hub struct {
	cfg   Config
	media *sfu.Engine
	log   *slog.Logger

	mu    sync.Mutex
	calls map[rooms.RoomID]*call
}

// NewHub returns a hub forwarding media through the given engine.
func NewHub(cfg Config, media *sfu.Engine, log *slog.Logger) *Hub {
	if cfg.Capacity <= 0 {
		cfg.Capacity = 50
	}
	if cfg.ICEServers == nil {
		cfg.ICEServers = []ICEServer{}
	}
	return &Hub{cfg: cfg, media: media, log: log, calls: make(map[rooms.RoomID]*call)}
}

// Count returns the number of people in a room's call.
func (h *Hub) Count(id rooms.RoomID) int {
	h.mu.Lock()
	c := h.calls[id]
	h.mu.Unlock()
	if c == nil {
		return 0
	}
	return c.len()
}

// callFor returns the room's live call, creating it if needed, with a
// reference held for the caller; release it with h.release.
func (h *Hub) callFor(room *rooms.Room) *call {
	h.mu.Lock()
	defer h.mu.Unlock()
	c := h.calls[room.ID]
	if c == nil {
		log := h.log.With("room", room.ID)
		c = &call{
			hub:          h,
			room:         room,
			log:          log,
			media:        h.media.NewRoom(log),
			participants: make(map[string]*participant),
		}
		h.calls[room.ID] = c
	}
	c.refs++
	return c
}

// release drops a reference; the last one out removes the call.
func (h *Hub) release(c *call) {
	h.mu.Lock()
	defer h.mu.Unlock()
	c.refs--
	if c.refs == 0 && h.calls[c.room.ID] == c {
		delete(h.calls, c.room.ID)
	}
}

// call is one room's live call: who is in it, and their media.
type call struct {
	hub   *Hub
	room  *rooms.Room
	log   *slog.Logger
	media *sfu.Room

	refs int // under hub.mu: connections holding this call

	mu           sync.Mutex
	participants map[string]*participant
}

func (c *call) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.participants)
}

// admit puts p in the call if the room's rules allow it. Under one lock it
// checks the capacity, queues `joined` for p and `participantJoined` for
// everyone else, so every pair of people learns of each other exactly
// once and in order, however many join at the same instant.
func (c *call) admit(p *participant) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.participants) >= c.hub.cfg.Capacity {
		return rooms.Errorf(rooms.EFULL, "This room is full.")
	}
	others := make([]Participant, 0, len(c.participants))
	joined := participantMsg{Type: typeParticipantJoined, Participant: p.view()}
	for _, o := range c.participants {
		others = append(others, o.view())
		o.send(joined)
	}
	c.participants[p.id] = p
	p.send(joinedMsg{
		Type:         typeJoined,
		Self:         p.view(),
		Participants: others,
		Room:         RoomInfo{Token: string(c.room.Token), Name: c.room.Name, Theme: c.room.Theme},
		ICEServers:   c.hub.cfg.ICEServers,
	})
	return nil
}

// remove takes p out of the call and tells the others.
func (c *call) remove(p *participant) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.participants[p.id] != p {
		return
	}
	delete(c.participants, p.id)
	left := participantLeftMsg{Type: typeParticipantLeft, ID: p.id}
	for _, o := range c.participants {
		o.send(left)
	}
}

// broadcast queues msg for everyone in the call but except (which may be
// nil).
func (c *call) broadcast(msg any, except *participant) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, o := range c.participants {
		if o != except {
			o.send(msg)
		}
	}
}

// newParticipantID returns a random id: 96 bits is plenty for an id that
// grants nothing by itself.
func newParticipantID() string {
	var b [12]byte
	_, _ = rand.Read(b[:]) // never fails (crypto/rand documents it)
	return base64.RawURLEncoding.EncodeToString(b[:])
}
