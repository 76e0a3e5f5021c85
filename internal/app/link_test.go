package app_test

import (
	"net/http"
	"testing"

	"github.com/roomsdev/rooms/client"
)

// TestGuestsAreNotHandedAHiddenLink: while link sharing is off, a guest's
// own descriptions (the guest endpoint's answer, /api/me) leave the link
// out, as the room's do; they name the room by its id instead.
func TestGuestsAreNotHandedAHiddenLink(t *testing.T) {
	s := startServer(t, 50)
	host := signUp(t, s, "Host")
	room := createRoom(t, host, map[string]any{"name": "Private", "linkSharing": false})
	id := string(roomID(t, s, room.Token))
	type guest struct {
		RoomID    string  `json:"roomId"`
		RoomToken *string `json:"roomToken"`
	}

	browser := client.NewSession(s.URL)
	var created struct{ Guest guest }
	do(t, browser, http.MethodPost, "/api/rooms/"+room.Token+"/guest", map[string]string{"displayName": "Gil"}, &created)
	var me struct{ Guest guest }
	do(t, browser, http.MethodGet, "/api/me", nil, &me)
	for what, g := range map[string]guest{"the guest endpoint": created.Guest, "/api/me": me.Guest} {
		if g.RoomToken != nil || g.RoomID != id {
			t.Errorf("%s: %+v, want the room's id and no link while link sharing is off", what, g)
		}
	}

	do(t, host.Session, http.MethodPatch, "/api/rooms/"+room.Token, map[string]any{"linkSharing": true}, nil)
	do(t, browser, http.MethodGet, "/api/me", nil, &me)
	if me.Guest.RoomToken == nil || *me.Guest.RoomToken != room.Token {
		t.Errorf("/api/me with link sharing on: %+v, want the link", me.Guest)
	}
}
