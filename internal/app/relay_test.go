package app_test

import (
	"testing"

	"github.com/roomsdev/rooms/client"
	"github.com/roomsdev/rooms/internal/app"
)

// Where only TCP gets out, media goes through the embedded TURN server
// over TCP: Bea keeps only the turn:…?transport=tcp URL of
// joined.iceServers and may use relay candidates alone, so every packet
// she sends or receives passes the TURN server's TCP listener.
func TestTURNOverTCPCarriesMedia(t *testing.T) {
	s := startServer(t, 50, func(c *app.Config) {
		c.TURNPort = -1
		c.Metrics = true
	})
	a, b, _ := hostAndBea(t, s, client.JoinOptions{RelayOnly: true, RelayTransport: "tcp"})
	sendsDirect(t, s, a, b)
}
