package sfu

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"sync"
	"time"

	"github.com/pion/webrtc/v4"
)

// Every connection the server makes presents one DTLS certificate, as
// Janus and mediasoup do, rather than pion's default of a new one per
// connection: making one (an ECDSA key, then x509 signing and checking
// the signature) was 60 % of the CPU a join spends creating its two
// PeerConnections (BenchmarkPeerConnections). Nothing rests on the
// certificate being fresh: each handshake's keys come from its own ECDHE
// exchange, and the browser pins the fingerprint the signalling carried.
// It is replaced well before it expires.

// certLifetime is how long one certificate is used; pion makes them
// valid for a month.
const certLifetime = 24 * time.Hour

type certSource struct {
	mu   sync.Mutex
	cert *webrtc.Certificate
	made time.Time
}

// get returns the certificate in use, making one the first time and
// once a day.
func (c *certSource) get(now time.Time) (webrtc.Certificate, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cert == nil || now.Sub(c.made) > certLifetime {
		key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			return webrtc.Certificate{}, err
		}
		cert, err := webrtc.GenerateCertificate(key)
		if err != nil {
			return webrtc.Certificate{}, err
		}
		c.cert, c.made = cert, now
	}
	return *c.cert, nil
}
