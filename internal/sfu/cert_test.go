package sfu

import (
	"log/slog"
	"testing"
	"time"
)

func TestCertificateIsSharedAndReplaced(t *testing.T) {
	var c certSource
	now := time.Now()
	fingerprint := func(at time.Time) string {
		t.Helper()
		cert, err := c.get(at)
		if err != nil {
			t.Fatal(err)
		}
		fps, err := cert.GetFingerprints()
		if err != nil || len(fps) == 0 {
			t.Fatalf("fingerprints: %v", err)
		}
		if !cert.Expires().After(at.Add(certLifetime)) {
			t.Fatalf("the certificate expires %v, before its lifetime ends", cert.Expires())
		}
		return fps[0].Value
	}
	first := fingerprint(now)
	if again := fingerprint(now.Add(time.Hour)); again != first {
		t.Fatal("a second connection within the day got another certificate")
	}
	if next := fingerprint(now.Add(certLifetime + time.Minute)); next == first {
		t.Fatal("the certificate was not replaced after its lifetime")
	}
}

// BenchmarkPeerConnections is what a join costs the server to set up its
// two PeerConnections (before any negotiation).
func BenchmarkPeerConnections(b *testing.B) {
	e, err := NewEngine(Config{ListenHost: "127.0.0.1"}, slog.Default())
	if err != nil {
		b.Fatal(err)
	}
	defer e.Close()
	r := e.NewRoom("bench", nil)
	b.ReportAllocs()
	for b.Loop() {
		p := &Peer{id: "p", room: r}
		pub, err := e.newPeerConnection(Pub, p)
		if err != nil {
			b.Fatal(err)
		}
		sub, err := e.newPeerConnection(Sub, p)
		if err != nil {
			b.Fatal(err)
		}
		_ = pub.Close()
		_ = sub.Close()
	}
}
