package app_test

import (
	"crypto/tls"
	"crypto/x509"
	"net/http/httptest"
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
