package httpapi

import (
	"context"
	"net/http"
	"strings"

	"github.com/roomsdev/rooms/internal/auth"
	"github.com/roomsdev/rooms/internal/rooms"
)

// Devices: every browser that talks to the API carries a long-lived,
// random device cookie (auth.DeviceCookieName). The host's removal bars
// the browsers the person was in the room from, so that a removed guest
// cannot come back as a new guest, nor a removed account by signing out.

type deviceKey struct{}

// withDevice gives a browser without a device cookie one on this answer,
// and puts the device in the request's context from the start, so that
// even a browser's first request (creating a guest, joining) is tied to it.
func (s *Server) withDevice(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasPrefix(r.URL.Path, "/api/") {
			h.ServeHTTP(w, r) // pages and assets, which may be cached, set no cookie
			return
		}
		token := auth.DeviceTokenFromRequest(r)
		if token == "" {
			token = auth.NewToken()
			auth.SetDeviceCookie(w, token, s.secure(r))
		}
		h.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), deviceKey{}, auth.DeviceID(token))))
	})
}

// deviceOf is the request's device, or "" outside the API.
func deviceOf(r *http.Request) rooms.DeviceID {
	d, _ := r.Context().Value(deviceKey{}).(rooms.DeviceID)
	return d
}
