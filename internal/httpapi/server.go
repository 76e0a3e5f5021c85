// Package httpapi is the HTTP adapter: the REST API under /api (described
// by the OpenAPI document at /api/openapi.json), the signalling WebSocket
// endpoint, and the embedded web client.
package httpapi

import (
	"context"
	"io/fs"
	"log/slog"
	"net/http"
	"net/netip"
	"time"

	"github.com/roomsdev/rooms/internal/auth"
	"github.com/roomsdev/rooms/internal/directory"
	"github.com/roomsdev/rooms/internal/rooms"
)

// Calls is what the API needs of the live calls (the signalling hub). The
// API authorises every action; the hub carries it out and tells the
// people in the call.
type Calls interface {
	// ServeWS upgrades to the signalling WebSocket and serves it.
	ServeWS(w http.ResponseWriter, r *http.Request, room *rooms.Room, id rooms.Identity)
	// Count is the number of people in a room's call.
	Count(id rooms.RoomID) int
	// People lists who is in the call or waiting for the host.
	People(id rooms.RoomID) []rooms.Presence
	// ActiveCalls lists the calls open now, for drop-in.
	ActiveCalls() []rooms.ActiveCall
	// Changed is closed the next time anyone comes or goes anywhere.
	Changed() <-chan struct{}
	// ChangeRoom applies change to the room's live state (or to stored,
	// with nobody in the call), stores the result with save and pushes it
	// to the call, in turn with every other change of the room's state.
	ChangeRoom(ctx context.Context, stored *rooms.Room, change func(*rooms.Room) error, save func(context.Context, *rooms.Room) error) (*rooms.Room, error)
	// Remove disconnects a participant (all their tabs) and returns who it was.
	Remove(id rooms.RoomID, p rooms.ParticipantID) (rooms.Identity, bool)
	// Mute mutes a participant's microphone.
	Mute(id rooms.RoomID, p rooms.ParticipantID) bool
	// End disconnects everyone from an ended room.
	End(r *rooms.Room)
	// DisconnectUser drops an account from every call, telling it why.
	DisconnectUser(u rooms.UserID, message string)
	// BlockMade parts two people a block now stands between, in every
	// call where they meet (directly, or through an away host).
	BlockMade(blocker, blocked rooms.UserID)
}

// Config is the API's configuration.
type Config struct {
	// SecureCookies marks cookies Secure even when the request did not
	// arrive over TLS here (a TLS-terminating proxy in front).
	SecureCookies bool
	// SessionTTL is how long a session lasts.
	SessionTTL time.Duration
	// Capacity is the most people in one room (as the hub applies it).
	Capacity int
	// Limits are the request rate limits; zero fields take the defaults.
	Limits Limits
	// LimitExempt are client addresses the per-address limits skip: only
	// for load tests from one machine (rooms load), never in production.
	LimitExempt []netip.Prefix
}

// Rate is a token bucket: Burst requests at once, then one every Every.
type Rate struct {
	Every time.Duration
	Burst int
}

// Limits are the API's rate limits, per client address unless named.
type Limits struct {
	Sign    Rate // sign-up, sign-in and guest creation
	Account Rate // sign-in attempts per email, from any address
	// SignUpEmail is sign-up attempts per email, from any address: an
	// email already in use answers 409, which would otherwise tell anyone
	// asking from many addresses which emails have accounts.
	SignUpEmail Rate
	Lookup      Rate // room lookups (the link page, the API, the WebSocket)
	Miss        Rate // room lookups that found nothing: slows guessing links
}

// DefaultLimits are the limits in force when Config leaves them out.
var DefaultLimits = Limits{
	Sign:    Rate{Every: 6 * time.Second, Burst: 10},
	Account: Rate{Every: 30 * time.Second, Burst: 5},
	// Someone signing up types their email a few times at most.
	SignUpEmail: Rate{Every: time.Minute, Burst: 3},
	Lookup:      Rate{Every: time.Second, Burst: 60},
	Miss:        Rate{Every: 10 * time.Second, Burst: 10},
}

func (r Rate) or(def Rate) Rate {
	if r.Every == 0 || r.Burst == 0 {
		return def
	}
	return r
}

// Server serves the API and the web client.
type Server struct {
	cfg   Config
	store rooms.Store
	auth  *auth.Service
	calls Calls
	dir   *directory.Directory
	web   fs.FS
	log   *slog.Logger
	ready func() bool

	signLimit    *limiter // sign-in and sign-up, per client address
	accountLimit *limiter // sign-in, per email: slows guessing one account's password from many addresses
	signUpLimit  *limiter // sign-up, per email: slows asking whether an email has an account
	lookupLimit  *limiter // room lookups, per client address
	missLimit    *limiter // room lookups that missed, per client address: slows link guessing

	dropIns dropInWatchers // live drop-in lists to wake on social graph changes
}

// New returns a server. web is the built client (index.html and assets).
func New(cfg Config, store rooms.Store, a *auth.Service, calls Calls, web fs.FS, log *slog.Logger) *Server {
	if cfg.SessionTTL == 0 {
		cfg.SessionTTL = 30 * 24 * time.Hour
	}
	if cfg.Capacity == 0 {
		cfg.Capacity = 50
	}
	return &Server{
		cfg:          cfg,
		store:        store,
		auth:         a,
		calls:        calls,
		dir:          &directory.Directory{Store: store},
		web:          web,
		log:          log,
		ready:        func() bool { return true },
		signLimit:    newLimiter(cfg.Limits.Sign.or(DefaultLimits.Sign), cfg.LimitExempt),
		accountLimit: newLimiter(cfg.Limits.Account.or(DefaultLimits.Account), nil),
		signUpLimit:  newLimiter(cfg.Limits.SignUpEmail.or(DefaultLimits.SignUpEmail), nil),
		lookupLimit:  newLimiter(cfg.Limits.Lookup.or(DefaultLimits.Lookup), cfg.LimitExempt),
		missLimit:    newLimiter(cfg.Limits.Miss.or(DefaultLimits.Miss), nil),
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
	mux.HandleFunc("PATCH /api/rooms/{token}", s.lookup(s.hostOnly(s.handleUpdateRoom)))
	mux.HandleFunc("POST /api/rooms/{token}/lock", s.lookup(s.hostOnly(s.handleLock)))
	mux.HandleFunc("POST /api/rooms/{token}/unlock", s.lookup(s.hostOnly(s.handleUnlock)))
	mux.HandleFunc("POST /api/rooms/{token}/end", s.lookup(s.hostOnly(s.handleEnd)))
	mux.HandleFunc("GET /api/rooms/{token}/participants", s.lookup(s.hostOnly(s.handleListParticipants)))
	mux.HandleFunc("POST /api/rooms/{token}/participants/{participant}/remove", s.lookup(s.hostOnly(s.handleRemove)))
	mux.HandleFunc("POST /api/rooms/{token}/participants/{participant}/mute", s.lookup(s.hostOnly(s.handleMuteParticipant)))
	mux.HandleFunc("GET /api/rooms/{token}/bars", s.lookup(s.hostOnly(s.handleListBars)))
	mux.HandleFunc("POST /api/rooms/{token}/bars/lift", s.lookup(s.hostOnly(s.handleLiftBar)))
	mux.HandleFunc("POST /api/rooms/{token}/report", s.lookup(s.handleReport))

	mux.HandleFunc("GET /api/dropin", s.handleDropIn)
	mux.HandleFunc("GET /api/dropin/stream", s.handleDropInStream)
	mux.HandleFunc("GET /api/dropin/{id}", s.handleDropInRoom)
	mux.HandleFunc("GET /api/dropin/{id}/ws", s.handleDropInWS)
	mux.HandleFunc("POST /api/dropin/{id}/report", s.handleDropInReport)

	mux.HandleFunc("GET /api/mod/reports", s.moderatorOnly(s.handleListReports))
	mux.HandleFunc("POST /api/mod/reports/{id}/resolve", s.moderatorOnly(s.handleResolveReport))
	mux.HandleFunc("POST /api/mod/rooms/{id}/end", s.moderatorOnly(s.handleModEndRoom))
	mux.HandleFunc("POST /api/mod/users/{id}/suspend", s.moderatorOnly(s.handleSuspend(true)))
	mux.HandleFunc("POST /api/mod/users/{id}/unsuspend", s.moderatorOnly(s.handleSuspend(false)))
	s.socialRoutes(mux)
	mux.HandleFunc("/api/", s.handleAPINotFound)

	mux.HandleFunc("GET /r/{token}", s.handleJoinPage)
	mux.HandleFunc("GET /d/{id}", s.handleDropInPage)
	mux.HandleFunc("GET /mod", s.handleAppPage)
	mux.Handle("/", s.staticHandler())

	// Cross-origin protection (Go's net/http, using Sec-Fetch-Site and
	// Origin) refuses every cross-site state-changing request. The
	// WebSocket upgrade is a GET, so the signalling layer checks its
	// Origin itself.
	cop := http.NewCrossOriginProtection()
	return securityHeaders(cop.Handler(s.withDevice(mux)))
}

// securityHeaders sets the headers every answer carries.
func securityHeaders(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("X-Content-Type-Options", "nosniff")
		// Room links are secrets: never leak them to other sites.
		hd.Set("Referrer-Policy", "no-referrer")
		hd.Set("X-Frame-Options", "DENY")
		hd.Set("Content-Security-Policy", "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; "+
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

// identity resolves the request's session cookie, and names the browser
// it came from. Anonymous requests get an Identity with only the device,
// and no error.
func (s *Server) identity(ctx context.Context, r *http.Request) (rooms.Identity, error) {
	id, err := s.auth.Identify(ctx, auth.TokenFromRequest(r))
	id.Device = deviceOf(r)
	return id, err
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
