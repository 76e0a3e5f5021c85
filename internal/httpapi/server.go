// Package httpapi is the HTTP adapter: the REST API under /api (described
// by the OpenAPI document at /api/openapi.json), the signalling WebSocket
// endpoint, and the embedded web client.
package httpapi

import (
	"context"
	"io/fs"
	"log/slog"
	"net/http"
	"time"

	"github.com/roomsdev/rooms/internal/auth"
	"github.com/roomsdev/rooms/internal/rooms"
)

// Calls is what the API needs of the live calls (the signalling hub).
type Calls interface {
	// ServeWS upgrades to the signalling WebSocket and serves it.
	ServeWS(w http.ResponseWriter, r *http.Request, room *rooms.Room, id rooms.Identity)
	// Count is the number of people in a room's call.
	Count(id rooms.RoomID) int
}

// Config is the API's configuration.
type Config struct {
	// SecureCookies marks cookies Secure even when the request did not
	// arrive over TLS here (a TLS-terminating proxy in front).
	SecureCookies bool
	// SessionTTL is how long a session lasts.
	SessionTTL time.Duration
}

// Server serves the API and the web client.
type Server struct {
	cfg   Config
	store rooms.Store
	auth  *auth.Service
	calls Calls
	web   fs.FS
	log   *slog.Logger
	ready func() bool

	signLimit    *limiter // sign-in and sign-up, per client address
	accountLimit *limiter // sign-in, per email: slows guessing one account's password from many addresses
	lookupLimit  *limiter // room lookups, per client address
	missLimit    *limiter // room lookups that missed, per client address: slows link guessing
}

// New returns a server. web is the built client (index.html and assets).
func New(cfg Config, store rooms.Store, a *auth.Service, calls Calls, web fs.FS, log *slog.Logger) *Server {
	if cfg.SessionTTL == 0 {
		cfg.SessionTTL = 30 * 24 * time.Hour
	}
	return &Server{
		cfg:          cfg,
		store:        store,
		auth:         a,
		calls:        calls,
		web:          web,
		log:          log,
		ready:        func() bool { return true },
		signLimit:    newLimiter(6*time.Second, 10),
		accountLimit: newLimiter(30*time.Second, 5),
		lookupLimit:  newLimiter(time.Second, 60),
		missLimit:    newLimiter(10*time.Second, 10),
	}
}

// Handler returns the root handler with every route and the protections
// that apply to all of them.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", s.handleHealth)
	mux.HandleFunc("GET /api/openapi.json", s.handleOpenAPI)

	mux.HandleFunc("POST /api/auth/signup", s.limit(s.signLimit, s.handleSignUp))
	mux.HandleFunc("POST /api/auth/signin", s.limit(s.signLimit, s.handleSignIn))
	mux.HandleFunc("POST /api/auth/signout", s.handleSignOut)
	mux.HandleFunc("GET /api/me", s.handleMe)

	mux.HandleFunc("POST /api/rooms", s.handleCreateRoom)
	mux.HandleFunc("GET /api/rooms", s.handleListRooms)
	mux.HandleFunc("GET /api/rooms/{token}", s.lookup(s.handleGetRoom))
	mux.HandleFunc("POST /api/rooms/{token}/guest", s.limit(s.signLimit, s.lookup(s.handleCreateGuest)))
	mux.HandleFunc("GET /api/rooms/{token}/ws", s.lookup(s.handleWS))
	mux.HandleFunc("/api/", s.handleAPINotFound)

	mux.HandleFunc("GET /r/{token}", s.handleJoinPage)
	mux.Handle("/", s.staticHandler())

	// Cross-origin protection (Go's net/http, using Sec-Fetch-Site and
	// Origin) refuses every cross-site state-changing request. The
	// WebSocket upgrade is a GET, so the signalling layer checks its
	// Origin itself.
	cop := http.NewCrossOriginProtection()
	return securityHeaders(cop.Handler(mux))
}

// securityHeaders sets the headers every answer carries.
func securityHeaders(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("X-Content-Type-Options", "nosniff")
		// Room links are secrets: never leak them to other sites.
		hd.Set("Referrer-Policy", "no-referrer")
		hd.Set("X-Frame-Options", "DENY")
		hd.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "+
			"img-src 'self' data: blob:; media-src 'self' blob:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
		hd.Set("Permissions-Policy", "camera=(self), microphone=(self), display-capture=(self)")
		h.ServeHTTP(w, r)
	})
}

func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request) {
	if !s.ready() {
		http.Error(w, "starting", http.StatusServiceUnavailable)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte("ok\n"))
}

func (s *Server) handleAPINotFound(w http.ResponseWriter, r *http.Request) {
	s.writeError(w, r, rooms.Errorf(rooms.ENOTFOUND, "There is no such API endpoint."))
}

// identity resolves the request's session cookie. Anonymous requests get a
// zero Identity and no error.
func (s *Server) identity(ctx context.Context, r *http.Request) (rooms.Identity, error) {
	return s.auth.Identify(ctx, auth.TokenFromRequest(r))
}

func (s *Server) secure(r *http.Request) bool { return s.cfg.SecureCookies || r.TLS != nil }

// baseURL is the scheme and host the person reached us on, for links.
func baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

var errTooMany = rooms.Errorf(rooms.ERATELIMIT, "Too many attempts. Please wait a moment and try again.")
