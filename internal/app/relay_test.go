package app_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

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

// Where nothing but HTTPS gets out, media goes through the embedded TURN
// server over TLS: Bea keeps only the turns: URL, with relay candidates
// alone. The certificate is httptest's, for 127.0.0.1, which Bea trusts
// as a browser trusts a real one.
func TestTURNOverTLSCarriesMedia(t *testing.T) {
	certs := httptest.NewUnstartedServer(nil)
	certs.StartTLS() // only for its certificate
	certs.Close()
	roots := x509.NewCertPool()
	roots.AddCert(certs.Certificate())
	s := startServer(t, 50, func(c *app.Config) {
		c.TURNPort = -1
		c.TURNTLS = &tls.Config{Certificates: certs.TLS.Certificates, MinVersion: tls.VersionTLS12}
		c.TURNTLSPort = -1
		c.Metrics = true
	})
	a, b, _ := hostAndBea(t, s, client.JoinOptions{RelayOnly: true, RelayTransport: "tls", RelayRootCAs: roots})
	sendsDirect(t, s, a, b)
}

// Behind 1:1 NAT (-public-ip) the server announces the public address for
// media, not its own: a client elsewhere could not reach 127.0.0.1. (Here
// the public address leads nowhere, so only the announcement is checked.)
func TestPublicIPIsAnnounced(t *testing.T) {
	const public = "203.0.113.9" // TEST-NET-3
	s := startServer(t, 50, func(c *app.Config) { c.PublicIPs = []string{public} })
	host, room := newHost(t, s)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := host.Join(ctx, room.Token, client.JoinOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Leave)
	var cands []string
	eventually(t, 10*time.Second, "the server's candidates", func() bool {
		cands = c.ServerCandidates()
		return len(cands) > 0
	})
	for _, cand := range cands {
		if !strings.Contains(cand, " "+public+" ") {
			t.Errorf("the server announced %q, want only %s", cand, public)
		}
	}
}
