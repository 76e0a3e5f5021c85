package client

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"strings"
)

// Session is a browser-like HTTP session with a Rooms server: it keeps the
// session cookie and sends the Origin header a browser would.
type Session struct {
	BaseURL string
	HTTP    *http.Client
}

// NewSession returns a session with an empty cookie jar.
func NewSession(baseURL string) *Session {
	jar, _ := cookiejar.New(nil) // never fails with nil options
	return &Session{BaseURL: strings.TrimRight(baseURL, "/"), HTTP: &http.Client{Jar: jar}}
}

// APIError is an error answer from the API.
type APIError struct {
	Status  int
	Code    string `json:"code"`
	Message string `json:"message"`
}

func (e *APIError) Error() string {
	return fmt.Sprintf("rooms api: %d %s: %s", e.Status, e.Code, e.Message)
}

// User is an account.
type User struct {
	ID          string `json:"id"`
	DisplayName string `json:"displayName"`
	Email       string `json:"email"`
}

// Room is a room as the API shows it.
type Room struct {
	Token            string `json:"token"`
	URL              string `json:"url"`
	Name             string `json:"name"`
	Theme            string `json:"theme"`
	IsHost           bool   `json:"isHost"`
	ParticipantCount int    `json:"participantCount"`
	Locked           bool   `json:"locked"`
	Ended            bool   `json:"ended"`
}

// Do sends a JSON request and decodes a JSON answer into out (which may be
// nil). Error answers come back as *APIError.
func (s *Session) Do(ctx context.Context, method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, s.BaseURL+path, body)
	if err != nil {
		return err
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Origin", s.BaseURL)
	resp, err := s.HTTP.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 400 {
		var e struct {
			Error APIError `json:"error"`
		}
		_ = json.NewDecoder(resp.Body).Decode(&e)
		e.Error.Status = resp.StatusCode
		return &e.Error
	}
	if out == nil {
		return nil
	}
	return json.NewDecoder(resp.Body).Decode(out)
}

// SignUp creates an account and signs this session in.
func (s *Session) SignUp(ctx context.Context, name, email, password string) (*User, error) {
	var out struct{ User *User }
	err := s.Do(ctx, http.MethodPost, "/api/auth/signup", map[string]string{"displayName": name, "email": email, "password": password}, &out)
	return out.User, err
}

// SignIn signs this session in.
func (s *Session) SignIn(ctx context.Context, email, password string) (*User, error) {
	var out struct{ User *User }
	err := s.Do(ctx, http.MethodPost, "/api/auth/signin", map[string]string{"email": email, "password": password}, &out)
	return out.User, err
}

// CreateRoom creates a room hosted by the signed-in account.
func (s *Session) CreateRoom(ctx context.Context, name string) (*Room, error) {
	var out struct{ Room *Room }
	err := s.Do(ctx, http.MethodPost, "/api/rooms", map[string]string{"name": name}, &out)
	return out.Room, err
}

// Room looks a room up by its link token.
func (s *Session) Room(ctx context.Context, token string) (*Room, error) {
	var out struct{ Room *Room }
	err := s.Do(ctx, http.MethodGet, "/api/rooms/"+token, nil, &out)
	return out.Room, err
}

// JoinAsGuest makes this session a guest of the room, with only a name.
func (s *Session) JoinAsGuest(ctx context.Context, token, name string) error {
	return s.Do(ctx, http.MethodPost, "/api/rooms/"+token+"/guest", map[string]string{"displayName": name}, nil)
}
