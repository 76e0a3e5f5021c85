package auth

import (
	"net/http"
	"time"
)

// CookieName is the name of the session cookie (see docs/api.md).
const CookieName = "rooms_session"

// SetCookie sets the session cookie to token for ttl. The cookie is
// HttpOnly, so page scripts cannot read it, and SameSite=Lax, so other
// sites cannot make the browser send it with their POSTs. secure should be
// true whenever the site is served over TLS. A ttl of zero or less makes a
// cookie that lasts until the browser closes.
func SetCookie(w http.ResponseWriter, token string, ttl time.Duration, secure bool) {
	c := &http.Cookie{
		Name:     CookieName,
		Value:    token,
		Path:     "/",
		HttpOnly: true,
		Secure:   secure,
		SameSite: http.SameSiteLaxMode,
	}
	if ttl > 0 {
		c.MaxAge = int(ttl / time.Second)
	}
	http.SetCookie(w, c)
}

// ClearCookie tells the browser to drop the session cookie. secure must
// match the value the cookie was set with.
func ClearCookie(w http.ResponseWriter, secure bool) {
	http.SetCookie(w, &http.Cookie{
		Name:     CookieName,
		Value:    "",
		Path:     "/",
		MaxAge:   -1,
		HttpOnly: true,
		Secure:   secure,
		SameSite: http.SameSiteLaxMode,
	})
}

// TokenFromRequest returns the session token from the request's cookie, or
// "" if there is none.
func TokenFromRequest(r *http.Request) string {
	c, err := r.Cookie(CookieName)
	if err != nil {
		return ""
	}
	return c.Value
}

// DeviceCookieName is the name of the device cookie: a random token that
// tells one browser from another for as long as the browser keeps it,
// whoever is signed in. A removal bars the device too (rooms.Bar), so that
// signing out or becoming a new guest does not walk around it.
const DeviceCookieName = "rooms_device"

// DeviceCookieTTL is how long a browser keeps its device cookie: 400 days,
// the most browsers accept.
const DeviceCookieTTL = 400 * 24 * time.Hour

// SetDeviceCookie gives the browser its device cookie, HttpOnly and
// SameSite=Lax like the session cookie.
func SetDeviceCookie(w http.ResponseWriter, token string, secure bool) {
	http.SetCookie(w, &http.Cookie{
		Name:     DeviceCookieName,
		Value:    token,
		Path:     "/",
		MaxAge:   int(DeviceCookieTTL / time.Second),
		HttpOnly: true,
		Secure:   secure,
		SameSite: http.SameSiteLaxMode,
	})
}

// DeviceTokenFromRequest returns the request's device token, or "" when it
// has none shaped like one of ours.
func DeviceTokenFromRequest(r *http.Request) string {
	c, err := r.Cookie(DeviceCookieName)
	if err != nil || len(c.Value) != tokenLen {
		return ""
	}
	return c.Value
}
