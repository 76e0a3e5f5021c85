// Package auth manages accounts and sessions: signing up, in and out,
// guest identities bound to one room, and resolving a session token to the
// rooms.Identity making a request. It has no HTTP handlers; it offers the
// session cookie helpers the handlers use.
//
// A session token is 256 random bits, given to the browser in a cookie;
// the store keeps only its SHA-256. Passwords are hashed with argon2id.
package auth

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/roomsdev/rooms/internal/rooms"
)

// Default session lifetimes.
const (
	// DefaultSessionTTL is how long an account stays signed in.
	DefaultSessionTTL = 30 * 24 * time.Hour
	// DefaultGuestSessionTTL is how long a guest identity lasts. A guest
	// comes for one call; coming back the next day means typing a name
	// again, which is cheap.
	DefaultGuestSessionTTL = 24 * time.Hour
)

// Store is what the service needs from persistence. Every rooms.Store is
// one.
type Store interface {
	rooms.UserStore
	rooms.SessionStore
}

// Service signs people up, in and out, and tells who holds a session
// token. The zero values of the optional fields select the defaults. A
// Service is safe for concurrent use once its fields are set.
type Service struct {
	Store Store
	// Now returns the current time; nil means time.Now. Tests set it to
	// move the clock past expiries.
	Now func() time.Time
	// SessionTTL is the lifetime of an account session; zero means
	// DefaultSessionTTL.
	SessionTTL time.Duration
	// GuestSessionTTL is the lifetime of a guest session; zero means
	// DefaultGuestSessionTTL.
	GuestSessionTTL time.Duration
	// Params are the argon2id costs for new password hashes; the zero
	// value means DefaultParams. Tests use tiny ones to stay fast.
	Params Params
}

// errBadCredentials is the one answer to a wrong email or a wrong password,
// so that sign-in does not tell which accounts exist.
func errBadCredentials() *rooms.Error {
	return rooms.Errorf(rooms.EUNAUTHORIZED, "The email or password is not right.")
}

// dummySalt is used to hash the password of a sign-in for an unknown
// email, so that it takes as long as one for a known email.
var dummySalt = make([]byte, saltLen)

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Service) params() Params {
	if s.Params == (Params{}) {
		return DefaultParams
	}
	return s.Params
}

func (s *Service) sessionTTL() time.Duration {
	if s.SessionTTL > 0 {
		return s.SessionTTL
	}
	return DefaultSessionTTL
}

func (s *Service) guestSessionTTL() time.Duration {
	if s.GuestSessionTTL > 0 {
		return s.GuestSessionTTL
	}
	return DefaultGuestSessionTTL
}

// SignUp creates an account and signs it in: it returns the new user and
// the token of its session. The display name and email are normalised (see
// NormalizeDisplayName and NormalizeEmail). An email already in use returns
// ECONFLICT. The returned user carries no password hash.
func (s *Service) SignUp(ctx context.Context, displayName, email, password string) (*rooms.User, string, error) {
	name, err := NormalizeDisplayName(displayName)
	if err != nil {
		return nil, "", err
	}
	email, err = NormalizeEmail(email)
	if err != nil {
		return nil, "", err
	}
	if err := CheckPasswordRules(password); err != nil {
		return nil, "", err
	}
	hash, err := HashPassword(password, s.params())
	if err != nil {
		return nil, "", fmt.Errorf("sign up: %w", err)
	}
	u := &rooms.User{
		ID:           rooms.UserID(NewID()),
		Email:        email,
		DisplayName:  name,
		PasswordHash: hash,
		CreatedAt:    s.now(),
	}
	if err := s.Store.CreateUser(ctx, u); err != nil {
		return nil, "", fmt.Errorf("sign up: %w", err)
	}
	token, err := s.newSession(ctx, &rooms.Session{UserID: u.ID}, s.sessionTTL())
	if err != nil {
		return nil, "", fmt.Errorf("sign up: %w", err)
	}
	u.PasswordHash = ""
	return u, token, nil
}

// SignIn checks an email and password and starts a new session: it returns
// the user and the new session's token. The caller ends any session the
// browser already had (SignOut with the old token), so that a token set
// before sign-in never becomes a signed-in one.
//
// A wrong email and a wrong password give the same EUNAUTHORIZED error and
// take about the same time. A suspended account gets EFORBIDDEN, but only
// with the right password, so suspension does not reveal that an account
// exists. The returned user carries no password hash.
func (s *Service) SignIn(ctx context.Context, email, password string) (*rooms.User, string, error) {
	// Nobody's password is longer than this (see CheckPasswordRules), and
	// refusing early keeps a huge input from costing a long hash.
	if len(password) > 4*MaxPassword {
		return nil, "", errBadCredentials()
	}
	u, err := s.Store.UserByEmail(ctx, strings.ToLower(strings.TrimSpace(email)))
	if rooms.ErrorCode(err) == rooms.ENOTFOUND {
		s.params().key(password, dummySalt, keyLen)
		return nil, "", errBadCredentials()
	} else if err != nil {
		return nil, "", fmt.Errorf("sign in: %w", err)
	}
	ok, err := CheckPassword(u.PasswordHash, password)
	if err != nil {
		return nil, "", fmt.Errorf("sign in: user %s: %w", u.ID, err)
	}
	if !ok {
		return nil, "", errBadCredentials()
	}
	if u.Suspended {
		return nil, "", rooms.Errorf(rooms.EFORBIDDEN, "This account is suspended.")
	}
	token, err := s.newSession(ctx, &rooms.Session{UserID: u.ID}, s.sessionTTL())
	if err != nil {
		return nil, "", fmt.Errorf("sign in: %w", err)
	}
	u.PasswordHash = ""
	return u, token, nil
}

// SignOut ends the session of token. Signing out without a session, or
// twice, is not an error.
func (s *Service) SignOut(ctx context.Context, token string) error {
	if token == "" {
		return nil
	}
	if err := s.Store.DeleteSession(ctx, HashToken(token)); err != nil {
		return fmt.Errorf("sign out: %w", err)
	}
	return nil
}

// CreateGuest creates a guest identity bound to room, with its own session,
// and returns the guest and the session's token. The caller decides first
// whether the room may be joined (not ended, not locked); this only checks
// the display name.
func (s *Service) CreateGuest(ctx context.Context, room *rooms.Room, displayName string) (*rooms.Guest, string, error) {
	if room == nil {
		return nil, "", errors.New("create guest: no room")
	}
	name, err := NormalizeDisplayName(displayName)
	if err != nil {
		return nil, "", err
	}
	g := &rooms.Guest{
		ID:          rooms.GuestID(NewID()),
		RoomID:      room.ID,
		DisplayName: name,
		CreatedAt:   s.now(),
	}
	if err := s.Store.CreateGuest(ctx, g); err != nil {
		return nil, "", fmt.Errorf("create guest: %w", err)
	}
	token, err := s.newSession(ctx, &rooms.Session{GuestID: g.ID}, s.guestSessionTTL())
	if err != nil {
		return nil, "", fmt.Errorf("create guest: %w", err)
	}
	return g, token, nil
}

// Identify tells who holds a session token. An empty, unknown or expired
// token, and the session of a suspended or deleted account, give the
// anonymous identity and no error: the caller treats the request as coming
// from nobody. Errors are store failures only.
func (s *Service) Identify(ctx context.Context, token string) (rooms.Identity, error) {
	// Anything that is not shaped like one of our tokens cannot be one;
	// skip the lookup.
	if len(token) != tokenLen {
		return rooms.Identity{}, nil
	}
	sess, err := s.Store.SessionByHash(ctx, HashToken(token), s.now())
	if rooms.ErrorCode(err) == rooms.ENOTFOUND {
		return rooms.Identity{}, nil
	} else if err != nil {
		return rooms.Identity{}, fmt.Errorf("identify: %w", err)
	}

	if sess.GuestID != "" {
		g, err := s.Store.GuestByID(ctx, sess.GuestID)
		if rooms.ErrorCode(err) == rooms.ENOTFOUND {
			return rooms.Identity{}, nil
		} else if err != nil {
			return rooms.Identity{}, fmt.Errorf("identify: %w", err)
		}
		return rooms.Identity{GuestID: g.ID, DisplayName: g.DisplayName, GuestRoom: g.RoomID}, nil
	}

	u, err := s.Store.UserByID(ctx, sess.UserID)
	if rooms.ErrorCode(err) == rooms.ENOTFOUND {
		return rooms.Identity{}, nil
	} else if err != nil {
		return rooms.Identity{}, fmt.Errorf("identify: %w", err)
	}
	if u.Suspended {
		return rooms.Identity{}, nil
	}
	return rooms.Identity{UserID: u.ID, DisplayName: u.DisplayName}, nil
}

// newSession stores sess, filled in with a new token's hash and its
// lifetime, and returns the token.
func (s *Service) newSession(ctx context.Context, sess *rooms.Session, ttl time.Duration) (string, error) {
	token := NewToken()
	now := s.now()
	sess.TokenHash = HashToken(token)
	sess.CreatedAt = now
	sess.ExpiresAt = now.Add(ttl)
	if err := s.Store.CreateSession(ctx, sess); err != nil {
		return "", err
	}
	return token, nil
}
