package auth

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

func TestNewToken(t *testing.T) {
	seen := map[string]bool{}
	for range 100 {
		tok := NewToken()
		if len(tok) != 43 {
			t.Fatalf("token %q has %d characters, want 43", tok, len(tok))
		}
		b, err := base64.RawURLEncoding.DecodeString(tok)
		if err != nil || len(b) != 32 {
			t.Fatalf("token %q decodes to %d bytes, %v; want 32", tok, len(b), err)
		}
		if seen[tok] {
			t.Fatalf("token %q drawn twice", tok)
		}
		seen[tok] = true
	}
}

func TestHashToken(t *testing.T) {
	want := sha256.Sum256([]byte("abc"))
	if got := HashToken("abc"); !bytes.Equal(got, want[:]) {
		t.Errorf("HashToken = %x, want SHA-256 %x", got, want)
	}
}

func TestNewID(t *testing.T) {
	a, b := NewID(), NewID()
	if a == b {
		t.Error("two ids are equal")
	}
	if raw, err := hex.DecodeString(a); err != nil || len(raw) != 16 {
		t.Errorf("id %q: %d bytes, %v; want 16 bytes of hex", a, len(raw), err)
	}
}

func TestSetCookie(t *testing.T) {
	for _, secure := range []bool{false, true} {
		w := httptest.NewRecorder()
		SetCookie(w, "tok", 2*time.Hour, secure)
		cookies := w.Result().Cookies()
		if len(cookies) != 1 {
			t.Fatalf("%d cookies set, want 1", len(cookies))
		}
		c := cookies[0]
		if c.Name != CookieName || c.Value != "tok" || c.Path != "/" || !c.HttpOnly ||
			c.SameSite != http.SameSiteLaxMode || c.MaxAge != 7200 || c.Secure != secure {
			t.Errorf("cookie = %+v", c)
		}

		// The browser sends it back and it reads as the token.
		r := httptest.NewRequest("GET", "/api/me", nil)
		r.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
		if got := TokenFromRequest(r); got != "tok" {
			t.Errorf("TokenFromRequest = %q, want %q", got, "tok")
		}
	}
}

func TestClearCookie(t *testing.T) {
	w := httptest.NewRecorder()
	ClearCookie(w, true)
	cookies := w.Result().Cookies()
	if len(cookies) != 1 {
		t.Fatalf("%d cookies set, want 1", len(cookies))
	}
	if c := cookies[0]; c.Name != CookieName || c.Value != "" || c.MaxAge >= 0 || c.Path != "/" || !c.Secure {
		t.Errorf("cookie = %+v, want an expired %s", c, CookieName)
	}
}

func TestTokenFromRequestWithoutCookie(t *testing.T) {
	r := httptest.NewRequest("GET", "/", nil)
	r.AddCookie(&http.Cookie{Name: "other", Value: "x"})
	if got := TokenFromRequest(r); got != "" {
		t.Errorf("TokenFromRequest = %q, want empty", got)
	}
}
