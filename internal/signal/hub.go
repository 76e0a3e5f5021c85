package signal

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/roomsdev/rooms/internal/rooms"
	"github.com/roomsdev/rooms/internal/sfu"
)

// Directory answers what the join rules need to know about people from
// the store (see package directory).
type Directory interface {
	// Facts returns the relationship facts for who joining r while the
	// accounts in inside are in the room.
	Facts(ctx context.Context, r *rooms.Room, who rooms.Identity, inside []rooms.UserID) (rooms.Facts, error)
	// BlockBetween reports a block, either way, between a and any of others.
	BlockBetween(ctx context.Context, a rooms.UserID, others []rooms.UserID) (bool, error)
}

// RoomState persists what the call changes about a room.
type RoomState interface {
	SetRoomLocked(ctx context.Context, id rooms.RoomID, locked bool, reason rooms.LockReason) error
	TouchRoom(ctx context.Context, id rooms.RoomID, at time.Time) error
}

// Config is the signalling layer's configuration.
type Config struct {
	// Capacity is the most people in one call.
	Capacity int
	// ICEServers are handed to clients in `joined` (STUN/TURN).
	ICEServers []ICEServer
	// ICEServersFor, when set, adds servers with credentials made for one
	// participant (the embedded TURN server's, which expire).
	ICEServersFor func(participantID string) []ICEServer
}

// iceServersFor is what `joined` tells one participant.
func (h *Hub) iceServersFor(id string) []ICEServer {
	if h.cfg.ICEServersFor == nil {
		return h.cfg.ICEServers
	}
	return append(append([]ICEServer{}, h.cfg.ICEServers...), h.cfg.ICEServersFor(id)...)
}

// Hub holds the live calls, one per room with anyone in it.
type Hub struct {
	cfg   Config
	media *sfu.Engine
	dir   Directory
	state RoomState
	log   *slog.Logger

	// shuttingDown is set while the server stops: people leave because
	// the server goes, not the host, so no room locks itself.
	shuttingDown atomic.Bool

	// blockGen counts the blocks made (BlockMade): a join that read its
	// facts before a block and decides after it checks again.
	blockGen atomic.Uint64

	mu        sync.Mutex
	calls     map[rooms.RoomID]*call
	changed   chan struct{}       // closed and replaced when anyone comes or goes
	farewells map[string]farewell // by participant id, for resumeGrace (resume.go)
}

// NewHub returns a hub forwarding media through the given engine.
func NewHub(cfg Config, media *sfu.Engine, dir Directory, state RoomState, log *slog.Logger) *Hub {
	if cfg.Capacity <= 0 {
		cfg.Capacity = 50
	}
	if cfg.ICEServers == nil {
		cfg.ICEServers = []ICEServer{}
	}
	return &Hub{
		cfg: cfg, media: media, dir: dir, state: state, log: log,
		calls:     make(map[rooms.RoomID]*call),
		changed:   make(chan struct{}),
		farewells: make(map[string]farewell),
	}
}

// Changed returns a channel that is closed the next time someone joins or
// leaves any call, or a room's state changes (for live drop-in lists).
func (h *Hub) Changed() <-chan struct{} {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.changed
}

func (h *Hub) notifyChanged() {
	h.mu.Lock()
	close(h.changed)
	h.changed = make(chan struct{})
	h.mu.Unlock()
}

// call returns a room's live call, or nil.
func (h *Hub) call(id rooms.RoomID) *call {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.calls[id]
}

// callFor returns the room's live call, creating it if needed, with a
// reference held for the caller; release it with h.release.
func (h *Hub) callFor(room *rooms.Room) *call {
	h.mu.Lock()
	defer h.mu.Unlock()
	c := h.calls[room.ID]
	if c == nil {
		log := h.log.With("room", room.ID)
		r := *room
		c = &call{
			hub:          h,
			id:           room.ID,
			room:         &r,
			log:          log,
			media:        h.media.NewRoom(string(room.ID), log),
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
	if c.refs == 0 && h.calls[c.id] == c {
		delete(h.calls, c.id)
	}
}

// calls returns a snapshot of the live calls.
func (h *Hub) liveCalls() []*call {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make([]*call, 0, len(h.calls))
	for _, c := range h.calls {
		out = append(out, c)
	}
	return out
}

// newParticipantID returns a random id: 96 bits is plenty for an id that
// grants nothing by itself.
func newParticipantID() string {
	var b [12]byte
	_, _ = rand.Read(b[:]) // never fails (crypto/rand documents it)
	return base64.RawURLEncoding.EncodeToString(b[:])
}
