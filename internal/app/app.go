// Package app wires the adapters into one server: the store, accounts, the
// media plane, signalling and the HTTP API. The binary (cmd/rooms) and the
// end-to-end tests both build the server through it, so the tests run
// exactly what ships.
package app

import (
	"context"
	"crypto/subtle"
	"crypto/tls"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"net/netip"
	"path/filepath"
	"time"

	"github.com/roomsdev/rooms/internal/auth"
	"github.com/roomsdev/rooms/internal/directory"
	"github.com/roomsdev/rooms/internal/httpapi"
	"github.com/roomsdev/rooms/internal/relay"
	"github.com/roomsdev/rooms/internal/sfu"
	"github.com/roomsdev/rooms/internal/signal"
	"github.com/roomsdev/rooms/internal/store/sqlite"
)

// Config is everything the server needs to start.
type Config struct {
	// DataDir holds the SQLite database.
	DataDir string
	// MediaHost and MediaPort are where the media UDP socket binds (port
	// 0 picks a free one).
	MediaHost string
	MediaPort int
	// PublicIPs are announced for media instead of local addresses.
	PublicIPs []string
	// Capacity is the most people in one room.
	Capacity int
	// SecureCookies marks cookies Secure behind a TLS proxy.
	SecureCookies bool
	// Web is the built web client.
	Web fs.FS
	// PasswordParams overrides the argon2id cost (tests use a cheap one).
	PasswordParams *auth.Params
	// RoomIdleExpiry ends rooms nobody has been in for this long (0: never).
	RoomIdleExpiry time.Duration
	// Limits are the API's rate limits (zero fields: the defaults).
	Limits httpapi.Limits
	// LimitExempt skips per-address limits for these addresses (load tests).
	LimitExempt []netip.Prefix
	// Media tunes the media plane; its ListenHost, Port and PublicIPs
	// come from the fields above. Zero values are the defaults (ICE-TCP
	// off, loudest 3 audio streams in big rooms).
	Media sfu.Config
	// TURNPort, when not 0, runs the embedded TURN server on this UDP and
	// TCP port (-1: free ports), with per-participant credentials valid
	// for TURNTTL (0: 12 hours), signed with TURNSecret (empty: random).
	TURNPort   int
	TURNSecret string
	TURNTTL    time.Duration
	// TURNTLS, when set, also serves TURN over TLS on TURNTLSPort (-1: a
	// free port) with its certificate; clients get a turns: URL.
	TURNTLS     *tls.Config
	TURNTLSPort int
	// TURNHost is the name clients are told to reach TURN at (empty: the
	// relay address); with TLS, a name the certificate covers.
	TURNHost string
	// Metrics serves Prometheus metrics at /metrics, to this machine only
	// or, with MetricsToken, to requests bearing it.
	Metrics      bool
	MetricsToken string
}

// App is a running server's parts.
type App struct {
	Store *sqlite.DB
	Media *sfu.Engine
	TURN  *relay.Server // nil when off
	Hub   *signal.Hub
	Auth  *auth.Service
	API   *httpapi.Server
	log   *slog.Logger
	cfg   Config
}

// Open opens the store and the media port and builds the server.
func Open(ctx context.Context, cfg Config, log *slog.Logger) (*App, error) {
	store, err := sqlite.Open(ctx, filepath.Join(cfg.DataDir, "rooms.db"))
	if err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	mcfg := cfg.Media
	mcfg.ListenHost, mcfg.Port, mcfg.PublicIPs = cfg.MediaHost, cfg.MediaPort, cfg.PublicIPs
	media, err := sfu.NewEngine(mcfg, log.With("component", "sfu"))
	if err != nil {
		store.Close()
		return nil, err
	}
	scfg := signal.Config{Capacity: cfg.Capacity}
	var turnSrv *relay.Server
	if cfg.TURNPort != 0 {
		turnSrv, err = startTURN(cfg, log)
		if err != nil {
			media.Close()
			store.Close()
			return nil, err
		}
		scfg.ICEServersFor = func(id string) []signal.ICEServer {
			c, err := turnSrv.CredentialsFor(id)
			if err != nil {
				return nil
			}
			return []signal.ICEServer{{URLs: c.URLs, Username: c.Username, Credential: c.Credential}}
		}
	}
	dir := &directory.Directory{Store: store}
	hub := signal.NewHub(scfg, media, dir, store, log.With("component", "signal"))
	if turnSrv != nil {
		turnSrv.SetInCall(hub.InCall)
	}
	authSvc := &auth.Service{Store: store}
	if cfg.PasswordParams != nil {
		authSvc.Params = *cfg.PasswordParams
	}
	api := httpapi.New(httpapi.Config{SecureCookies: cfg.SecureCookies, Capacity: cfg.Capacity, Limits: cfg.Limits, LimitExempt: cfg.LimitExempt}, store, authSvc, hub, cfg.Web, log.With("component", "http"))
	return &App{Store: store, Media: media, TURN: turnSrv, Hub: hub, Auth: authSvc, API: api, log: log, cfg: cfg}, nil
}

// Run does the server's background work until ctx ends: ending idle rooms
// and deleting expired sessions.
func (a *App) Run(ctx context.Context) {
	t := time.NewTicker(time.Minute)
	defer t.Stop()
	for {
		a.Sweep(ctx, time.Now().UTC())
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// SetRoomIdleExpiry changes how long rooms may stay idle (tests and
// operators who reconfigure at run time). Call it before Run.
func (a *App) SetRoomIdleExpiry(d time.Duration) { a.cfg.RoomIdleExpiry = d }

// Sweep ends the rooms idle for longer than the expiry (never one with
// people in its call) and deletes expired sessions.
func (a *App) Sweep(ctx context.Context, now time.Time) {
	if _, err := a.Store.DeleteExpiredSessions(ctx, now); err != nil {
		a.log.Warn("delete expired sessions", "err", err)
	}
	if a.cfg.RoomIdleExpiry <= 0 {
		return
	}
	idle, err := a.Store.IdleRooms(ctx, now.Add(-a.cfg.RoomIdleExpiry), 100)
	if err != nil {
		a.log.Warn("list idle rooms", "err", err)
		return
	}
	for _, r := range idle {
		if a.Hub.Count(r.ID) > 0 || len(a.Hub.People(r.ID)) > 0 {
			continue // in use: its ActiveAt is refreshed as people leave
		}
		if err := a.Store.EndRoom(ctx, r.ID, now); err != nil {
			a.log.Warn("end idle room", "room", r.ID, "err", err)
			continue
		}
		ended := *r
		ended.EndedAt = &now
		a.Hub.End(&ended)
		a.log.Info("idle room ended", "room", r.ID)
	}
}

// Handler is the HTTP handler for everything the server serves.
func (a *App) Handler() http.Handler {
	h := a.API.Handler()
	if !a.cfg.Metrics {
		return h
	}
	metrics := a.Media.MetricsHandler()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/metrics" && a.mayScrape(r) {
			metrics.ServeHTTP(w, r)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// mayScrape says who may read /metrics, which shows how busy every room
// is: a request with the bearer token when one is set (MetricsToken);
// without one, only this machine, asking directly (no proxy's forwarding
// headers: a proxy on this machine passes on everyone's requests).
func (a *App) mayScrape(r *http.Request) bool {
	if t := a.cfg.MetricsToken; t != "" {
		return subtle.ConstantTimeCompare([]byte(r.Header.Get("Authorization")), []byte("Bearer "+t)) == 1
	}
	for _, h := range []string{"X-Forwarded-For", "X-Real-Ip", "Forwarded"} {
		if r.Header.Get(h) != "" {
			return false
		}
	}
	ap, err := netip.ParseAddrPort(r.RemoteAddr)
	return err == nil && ap.Addr().Unmap().IsLoopback()
}

// startTURN starts the embedded TURN server, relaying from the public IP
// when one is set, else from the media host's address.
func startTURN(cfg Config, log *slog.Logger) (*relay.Server, error) {
	relayIP := cfg.MediaHost
	if len(cfg.PublicIPs) > 0 {
		relayIP = cfg.PublicIPs[0]
	}
	if relayIP == "" || relayIP == "0.0.0.0" {
		return nil, errors.New("the TURN server needs a public IP (or a media host address) to relay from")
	}
	port := max(cfg.TURNPort, 0)
	srv, err := relay.Start(relay.Config{
		ListenHost: cfg.MediaHost, Port: port, RelayIP: relayIP, Secret: cfg.TURNSecret, TTL: cfg.TURNTTL,
		TLS: cfg.TURNTLS, TLSPort: max(cfg.TURNTLSPort, 0), PublicHost: cfg.TURNHost,
	})
	if err != nil {
		return nil, err
	}
	log.Info("turn server started", "udp", srv.UDPAddr().String(), "tcp", srv.TCPAddr().String(), "tls", cfg.TURNTLS != nil)
	return srv, nil
}

// Close stops the media plane and closes the store.
func (a *App) Close() error {
	return errors.Join(a.Media.Close(), a.TURN.Close(), a.Store.Close())
}
