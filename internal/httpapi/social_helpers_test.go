package httpapi

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"testing/fstest"
	"time"

	"github.com/roomsdev/rooms/internal/auth"
	"github.com/roomsdev/rooms/internal/rooms"
	"github.com/roomsdev/rooms/internal/store/sqlite"
)

// socialCalls stands in for the signalling hub, the true boundary of the
// API. The social endpoints never reach it, so the embedded interface is
// nil: a call would panic and show that they did. A block reaches it
// (every block is applied to the live calls), so that one method is here.
type socialCalls struct{ Calls }

// BlockMade has no calls to part: the social tests have nobody in one.
func (socialCalls) BlockMade(rooms.UserID, rooms.UserID) {}

// socialEnv is a real API server on loopback over real SQLite.
type socialEnv struct {
	t    *testing.T
	url  string
	db   *sqlite.DB
	auth *auth.Service
}

func newSocialEnv(t *testing.T) *socialEnv {
	t.Helper()
	db, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "rooms.db"))
	if err != nil {
		t.Fatal(err)
	}
	svc := &auth.Service{Store: db, Params: auth.Params{Memory: 64, Time: 1, Threads: 1}}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	web := fstest.MapFS{"index.html": {Data: []byte("<!doctype html><title>Rooms</title>")}}
	srv := httptest.NewServer(New(Config{}, db, svc, socialCalls{}, web, log).Handler())
	t.Cleanup(func() {
		srv.Close()
		_ = db.Close()
	})
	return &socialEnv{t: t, url: srv.URL, db: db, auth: svc}
}

// socialPerson is one browser: a cookie jar and, once signed up, an account.
type socialPerson struct {
	env   *socialEnv
	http  *http.Client
	id    string
	name  string
	email string
}

var socialSeq atomic.Int64

// anonymous returns a browser with nobody signed in.
func (e *socialEnv) anonymous() *socialPerson {
	jar, err := cookiejar.New(nil)
	if err != nil {
		e.t.Fatal(err)
	}
	return &socialPerson{env: e, http: &http.Client{Jar: jar}}
}

// signUp creates an account named name and a browser signed in to it. It
// goes through the auth service rather than the sign-up endpoint, whose
// rate limit would slow a test with many people.
func (e *socialEnv) signUp(name string) *socialPerson {
	e.t.Helper()
	p := e.anonymous()
	p.name = name
	p.email = fmt.Sprintf("%s.%d@example.com", strings.ToLower(name), socialSeq.Add(1))
	u, token, err := e.auth.SignUp(e.t.Context(), name, p.email, "correct horse battery")
	if err != nil {
		e.t.Fatal(err)
	}
	p.id = string(u.ID)
	e.setSession(p, token)
	return p
}

// guest returns a browser holding a guest session in a room of host's.
// The room and the guest are made through the store and the auth service,
// so the test does not depend on the room endpoints or the calls.
func (e *socialEnv) guest(host *socialPerson) *socialPerson {
	e.t.Helper()
	token, err := rooms.NewToken(rand.Reader)
	if err != nil {
		e.t.Fatal(err)
	}
	room := &rooms.Room{
		ID: rooms.RoomID(auth.NewID()), Token: token, HostID: rooms.UserID(host.id), Name: "Tea",
		Kind: rooms.Standalone, Settings: rooms.DefaultSettings(rooms.Standalone), CreatedAt: time.Now().UTC(),
	}
	if err := e.db.CreateRoom(e.t.Context(), room); err != nil {
		e.t.Fatal(err)
	}
	_, session, err := e.auth.CreateGuest(e.t.Context(), room, "Visitor")
	if err != nil {
		e.t.Fatal(err)
	}
	g := e.anonymous()
	g.name = "Visitor"
	e.setSession(g, session)
	return g
}

// setSession gives p's browser the session cookie for token.
func (e *socialEnv) setSession(p *socialPerson, token string) {
	base, err := url.Parse(e.url)
	if err != nil {
		e.t.Fatal(err)
	}
	p.http.Jar.SetCookies(base, []*http.Cookie{{Name: auth.CookieName, Value: token, Path: "/"}})
}

// socialError is the body of an error answer.
type socialError struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// do sends a request as p: a JSON body when body is not nil, and the
// server's own Origin on state-changing requests, as a browser would.
func (p *socialPerson) do(method, path string, body any) (int, []byte) {
	p.env.t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			p.env.t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(p.env.t.Context(), method, p.env.url+path, rd)
	if err != nil {
		p.env.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if method != http.MethodGet {
		req.Header.Set("Origin", p.env.url)
	}
	resp, err := p.http.Do(req)
	if err != nil {
		p.env.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		p.env.t.Fatal(err)
	}
	return resp.StatusCode, raw
}

// must sends a request and fails the test unless it answers want; the
// body, if any, is decoded into out.
func (p *socialPerson) must(want int, method, path string, body, out any) {
	p.env.t.Helper()
	status, raw := p.do(method, path, body)
	if status != want {
		p.env.t.Fatalf("%s %s as %s: status %d, want %d; body %s", method, path, p.name, status, want, raw)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			p.env.t.Fatalf("%s %s: %v; body %s", method, path, err, raw)
		}
	}
}

// refused sends a request that must fail with status and an error body in
// plain words; it returns the message.
func (p *socialPerson) refused(status int, method, path string, body any) string {
	p.env.t.Helper()
	var e socialError
	p.must(status, method, path, body, &e)
	if e.Error.Code == "" || e.Error.Message == "" {
		p.env.t.Fatalf("%s %s: error body without code or message", method, path)
	}
	return e.Error.Message
}

// socialProfile is a profile as the API answers it, with the raw keys kept so a
// test can check nothing else leaks.
type socialProfile struct {
	ID          string            `json:"id"`
	DisplayName string            `json:"displayName"`
	Avatar      string            `json:"avatar"`
	FriendState rooms.FriendState `json:"friendState"`
	Email       string            `json:"email"`
}

// socialFriendLists is the answer of GET /api/friends.
type socialFriendLists struct {
	Friends  []socialProfile `json:"friends"`
	Incoming []socialProfile `json:"incoming"`
	Outgoing []socialProfile `json:"outgoing"`
}

func (p *socialPerson) friends() socialFriendLists {
	p.env.t.Helper()
	var l socialFriendLists
	p.must(http.StatusOK, "GET", "/api/friends", nil, &l)
	return l
}

func (p *socialPerson) search(q string) []socialProfile {
	p.env.t.Helper()
	var out struct {
		Users []socialProfile `json:"users"`
	}
	p.must(http.StatusOK, "GET", "/api/users?q="+url.QueryEscape(q), nil, &out)
	return out.Users
}

// befriend makes p and other friends through the API.
func (p *socialPerson) befriend(other *socialPerson) {
	p.env.t.Helper()
	p.must(http.StatusOK, "POST", "/api/friends", map[string]any{"userId": other.id}, nil)
	other.must(http.StatusNoContent, "POST", "/api/friends/"+p.id+"/accept", nil, nil)
}

// profileIDs lists the ids of profiles, for comparing lists.
func profileIDs(ps []socialProfile) []string {
	out := make([]string, 0, len(ps))
	for _, p := range ps {
		out = append(out, p.ID)
	}
	return out
}
