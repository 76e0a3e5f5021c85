package relay

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"math/big"
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pion/turn/v5"
)

// selfSigned makes a certificate for 127.0.0.1, and a pool that trusts it.
func selfSigned(t *testing.T) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "rooms test"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
}

// A client that can reach the TURN server only over TLS (as behind a
// firewall that lets nothing but HTTPS out) allocates a relay with its
// credentials, and its datagrams reach a peer and come back. The wrong
// password gets no allocation.
func TestTURNOverTLS(t *testing.T) {
	cert, pool := selfSigned(t)
	srv, err := Start(Config{
		ListenHost: "127.0.0.1", RelayIP: "127.0.0.1", TTL: time.Minute,
		TLS: &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	creds, err := srv.CredentialsFor("participant-1")
	if err != nil {
		t.Fatal(err)
	}
	var turns string
	for _, u := range creds.URLs {
		if strings.HasPrefix(u, "turns:") {
			turns = u
		}
	}
	want := "turns:" + srv.TLSAddr().String() + "?transport=tcp"
	if turns != want {
		t.Fatalf("credentials' URLs %v, want %s among them", creds.URLs, want)
	}

	allocate := func(password string) (net.PacketConn, error) {
		conn, err := tls.Dial("tcp4", srv.TLSAddr().String(), &tls.Config{RootCAs: pool, ServerName: "127.0.0.1", MinVersion: tls.VersionTLS12})
		if err != nil {
			t.Fatal(err)
		}
		return allocateOn(t, turn.NewSTUNConn(conn), srv.TLSAddr().String(), creds.Username, password)
	}
	if _, err := allocate("wrong"); err == nil {
		t.Fatal("an allocation with the wrong password")
	}
	relayed, err := allocate(creds.Credential)
	if err != nil {
		t.Fatalf("allocate over TLS: %v", err)
	}
	if err := echoesThrough(t, relayed, "127.0.0.1"); err != nil {
		t.Fatalf("no echo through the relay: %v", err)
	}
}

// A participant's credentials allocate a relay only until their TTL is
// over: a new allocation with them is then refused as unauthorized (401).
// A relay allocated in time keeps working with them (permissions for new
// peers, refreshes) while its participant is in the call, since calls
// have no time limit; once they have left, nothing they hold works.
func TestTURNCredentialsExpire(t *testing.T) {
	srv, err := Start(Config{ListenHost: "127.0.0.1", RelayIP: "127.0.0.1", TTL: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	var inCall atomic.Bool
	inCall.Store(true)
	srv.SetInCall(func(p string) bool { return p == "participant-1" && inCall.Load() })
	creds, err := srv.CredentialsFor("participant-1")
	if err != nil {
		t.Fatal(err)
	}
	allocate := func() (net.PacketConn, error) {
		conn, err := net.ListenPacket("udp4", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		return allocateOn(t, conn, srv.UDPAddr().String(), creds.Username, creds.Credential)
	}
	relayed, err := allocate()
	if err != nil {
		t.Fatalf("allocation with fresh credentials: %v", err)
	}
	// The username carries the expiry in whole seconds: two seconds on,
	// it has passed whatever the rounding.
	time.Sleep(2100 * time.Millisecond)
	if _, err := allocate(); err == nil || !strings.Contains(err.Error(), "401") {
		t.Fatalf("allocation with expired credentials: %v, want a 401 refusal", err)
	}
	// The relay allocated in time reaches a new peer: a permission asked
	// for with the expired credential, granted while in the call.
	if err := echoesThrough(t, relayed, "127.0.0.2"); err != nil {
		t.Fatalf("the relay of someone in the call, past the credential's expiry: %v", err)
	}
	inCall.Store(false)
	if err := echoesThrough(t, relayed, "127.0.0.3"); err == nil {
		t.Fatal("the relay of someone who left the call still reaches a new peer")
	}
}

// echoesThrough sends a datagram through relayed to a new peer at ip that
// echoes it, and waits for the echo. Permissions are per IP address, so a
// new address takes a new permission (a request the server authenticates).
func echoesThrough(t *testing.T, relayed net.PacketConn, ip string) error {
	t.Helper()
	peer, err := net.ListenPacket("udp4", ip+":0")
	if err != nil {
		t.Fatal(err)
	}
	defer peer.Close()
	go func() {
		buf := make([]byte, 1500)
		n, from, err := peer.ReadFrom(buf)
		if err == nil {
			_, _ = peer.WriteTo(buf[:n], from)
		}
	}()
	if _, err := relayed.WriteTo([]byte("hello"), peer.LocalAddr()); err != nil {
		return err
	}
	_ = relayed.SetReadDeadline(time.Now().Add(2 * time.Second))
	buf := make([]byte, 1500)
	n, from, err := relayed.ReadFrom(buf)
	if err != nil {
		return err
	}
	if string(buf[:n]) != "hello" || from.String() != peer.LocalAddr().String() {
		return fmt.Errorf("echo %q from %v", buf[:n], from)
	}
	return nil
}

// allocateOn asks the TURN server at addr for a relay over conn (closed
// with the test, as is the relay).
func allocateOn(t *testing.T, conn net.PacketConn, addr, username, password string) (net.PacketConn, error) {
	t.Helper()
	t.Cleanup(func() { _ = conn.Close() })
	c, err := turn.NewClient(&turn.ClientConfig{
		TURNServerAddr: addr,
		Username:       username,
		Password:       password,
		Realm:          realm,
		Conn:           conn,
		RTO:            200 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	if err := c.Listen(); err != nil {
		t.Fatal(err)
	}
	relayed, err := c.Allocate()
	if err == nil {
		t.Cleanup(func() { _ = relayed.Close() })
	}
	return relayed, err
}
