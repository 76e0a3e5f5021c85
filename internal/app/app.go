// Package app wires the adapters into one server: the store, accounts, the
// media plane, signalling and the HTTP API. The binary (cmd/rooms) and the
// end-to-end tests both build the server through it, so the tests run
// exactly what ships.
package app

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"path/filepath"

	"github.com/roomsdev/rooms/internal/auth"
	"github.com/roomsdev/rooms/internal/httpapi"
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
}

// App is a running server's parts.
type App struct {
	Store *sqlite.DB
	Media *sfu.Engine
	Hub   *signal.Hub
	API   *httpapi.Server
	log   *slog.Logger
}

// Open opens the store and the media port and builds the server.
func Open(ctx context.Context, cfg Config, log *slog.Logger) (*App, error) {
	store, err := sqlite.Open(ctx, filepath.Join(cfg.DataDir, "rooms.db"))
	if err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	media, err := sfu.NewEngine(sfu.Config{ListenHost: cfg.MediaHost, Port: cfg.MediaPort, PublicIPs: cfg.PublicIPs}, log.With("component", "sfu"))
	if err != nil {
		store.Close()
		return nil, err
	}
	hub := signal.NewHub(signal.Config{Capacity: cfg.Capacity}, media, log.With("component", "signal"))
	authSvc := &auth.Service{Store: store}
	if cfg.PasswordParams != nil {
		authSvc.Params = *cfg.PasswordParams
	}
	api := httpapi.New(httpapi.Config{SecureCookies: cfg.SecureCookies}, store, authSvc, hub, cfg.Web, log.With("component", "http"))
	return &App{Store: store, Media: media, Hub: hub, API: api, log: log}, nil
}

// Handler is the HTTP handler for everything the server serves.
func (a *App) Handler() http.Handler { return a.API.Handler() }

// Close stops the media plane and closes the store.
func (a *App) Close() error {
	return errors.Join(a.Media.Close(), a.Store.Close())
}
