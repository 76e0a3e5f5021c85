// Package relay is the embedded TURN server (RFC 8656, pion/turn): for
// participants whose network lets nothing through but a TURN server's
// port, over UDP, TCP, or TLS (a TLS port such as 443 gets through
// firewalls that let nothing but HTTPS out). Credentials follow the TURN REST scheme
// (draft-uberti-behave-turn-rest): a username of "expiry:participant" and
// an HMAC of it with the server's secret, so the server keeps no state per
// participant. A credential allocates a relay only until it expires, and
// only for someone in a call; a relay allocated in time keeps working as
// long as its participant is in the call (calls have no time limit).
package relay

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1" // #nosec G505: TURN REST credentials are HMAC-SHA1 by definition
	"crypto/tls"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/pion/logging"
	"github.com/pion/stun/v4"
	"github.com/pion/turn/v5"
)

// Config is the TURN server's configuration.
type Config struct {
	// ListenHost and Port are where it listens, on UDP and TCP alike
	// (port 0 picks free ones).
	ListenHost string
	Port       int
	// RelayIP is the address relayed traffic comes from, as peers must
	// reach it: the public IP behind 1:1 NAT, else the host's.
	RelayIP string
	// Secret signs credentials; empty makes a random one (credentials
	// then end with the process).
	Secret string
	// TTL is how long a credential works.
	TTL time.Duration
	// PublicHost is the host name or address clients are told to use.
	// With TLS it must be a name the certificate covers.
	PublicHost string
	// TLS, when set, also serves TURN over TLS on TLSPort (0 picks a free
	// port), with TLS's certificates.
	TLS     *tls.Config
	TLSPort int
}

// realm names the server in TURN's long-term credentials.
const realm = "rooms"

// Server is a running TURN server.
type Server struct {
	cfg     Config
	inCall  atomic.Pointer[func(participant string) bool]
	srv     *turn.Server
	udpAddr net.Addr
	tcpAddr net.Addr
	tlsAddr net.Addr // nil without TLS
}

// Start opens the TURN ports.
func Start(cfg Config) (*Server, error) {
	if cfg.Secret == "" {
		b := make([]byte, 32)
		_, _ = rand.Read(b)
		cfg.Secret = base64.RawStdEncoding.EncodeToString(b)
	}
	if cfg.TTL <= 0 {
		cfg.TTL = 12 * time.Hour
	}
	relayIP := net.ParseIP(cfg.RelayIP)
	if relayIP == nil {
		return nil, fmt.Errorf("turn relay address %q is not an IP address", cfg.RelayIP)
	}
	addr := net.JoinHostPort(cfg.ListenHost, strconv.Itoa(cfg.Port))
	udp, err := net.ListenPacket("udp4", addr)
	if err != nil {
		return nil, fmt.Errorf("listen turn udp %s: %w", addr, err)
	}
	// TCP on the same port number as UDP when one was given.
	taddr := net.JoinHostPort(cfg.ListenHost, strconv.Itoa(udp.LocalAddr().(*net.UDPAddr).Port))
	if cfg.Port == 0 {
		taddr = net.JoinHostPort(cfg.ListenHost, "0")
	}
	tcp, err := net.Listen("tcp4", taddr)
	if err != nil {
		_ = udp.Close()
		return nil, fmt.Errorf("listen turn tcp %s: %w", taddr, err)
	}
	gen := &turn.RelayAddressGeneratorStatic{RelayAddress: relayIP, Address: cfg.ListenHost}
	if gen.Address == "" {
		gen.Address = "0.0.0.0"
	}
	listeners := []turn.ListenerConfig{{Listener: tcp, RelayAddressGenerator: gen}}
	var tlsAddr net.Addr
	if cfg.TLS != nil {
		l, err := net.Listen("tcp4", net.JoinHostPort(cfg.ListenHost, strconv.Itoa(cfg.TLSPort)))
		if err != nil {
			_ = udp.Close()
			_ = tcp.Close()
			return nil, fmt.Errorf("listen turn tls: %w", err)
		}
		tlsAddr = l.Addr()
		listeners = append(listeners, turn.ListenerConfig{Listener: tls.NewListener(l, cfg.TLS), RelayAddressGenerator: gen})
	}
	if cfg.PublicHost == "" {
		cfg.PublicHost = cfg.RelayIP
	}
	logs := logging.NewDefaultLoggerFactory()
	// Complete before pion serves: authenticate reads s.cfg from then on.
	s := &Server{cfg: cfg}
	srv, err := turn.NewServer(turn.ServerConfig{
		Realm:             realm,
		AuthHandler:       s.authenticate,
		PacketConnConfigs: []turn.PacketConnConfig{{PacketConn: udp, RelayAddressGenerator: gen}},
		ListenerConfigs:   listeners,
		LoggerFactory:     logs,
	})
	if err != nil {
		for _, l := range listeners {
			_ = l.Listener.Close()
		}
		_ = udp.Close()
		return nil, fmt.Errorf("start turn: %w", err)
	}
	s.srv, s.udpAddr, s.tcpAddr, s.tlsAddr = srv, udp.LocalAddr(), tcp.Addr(), tlsAddr
	return s, nil
}

// SetInCall tells the server who is in a call now (the signalling hub
// knows). Until it is set, any holder of a valid credential is.
func (s *Server) SetInCall(inCall func(participant string) bool) { s.inCall.Store(&inCall) }

// authenticate is pion's AuthHandler: the TURN REST scheme, with the
// expiry applied to new allocations only. A relay allocated in time is
// refreshed (and given permissions and channels) with the same
// credential for as long as its participant is in a call, however long
// the call lasts; once they have left or been removed, nothing they hold
// works.
func (s *Server) authenticate(ra *turn.RequestAttributes) (string, []byte, bool) {
	expiry, participant, ok := strings.Cut(ra.Username, ":")
	t, err := strconv.ParseInt(expiry, 10, 64)
	if !ok || err != nil || participant == "" {
		return "", nil, false
	}
	if in := s.inCall.Load(); in != nil && !(*in)(participant) {
		return "", nil, false
	}
	if time.Now().Unix() > t && ra.Method == stun.MethodAllocate {
		return "", nil, false
	}
	mac := hmac.New(sha1.New, []byte(s.cfg.Secret))
	_, _ = mac.Write([]byte(ra.Username))
	password := base64.StdEncoding.EncodeToString(mac.Sum(nil))
	return participant, turn.GenerateAuthKey(ra.Username, ra.Realm, password), true
}

// Credentials are what a browser's RTCIceServer needs.
type Credentials struct {
	URLs       []string
	Username   string
	Credential string
}

// CredentialsFor makes a participant's credentials, valid for the TTL.
func (s *Server) CredentialsFor(participant string) (Credentials, error) {
	user, pass, err := turn.GenerateLongTermTURNRESTCredentials(s.cfg.Secret, participant, s.cfg.TTL)
	if err != nil {
		return Credentials{}, err
	}
	host := s.cfg.PublicHost
	udpPort := s.udpAddr.(*net.UDPAddr).Port
	tcpPort := s.tcpAddr.(*net.TCPAddr).Port
	urls := []string{
		fmt.Sprintf("turn:%s?transport=udp", net.JoinHostPort(host, strconv.Itoa(udpPort))),
		fmt.Sprintf("turn:%s?transport=tcp", net.JoinHostPort(host, strconv.Itoa(tcpPort))),
	}
	if s.tlsAddr != nil {
		urls = append(urls, fmt.Sprintf("turns:%s?transport=tcp", net.JoinHostPort(host, strconv.Itoa(s.tlsAddr.(*net.TCPAddr).Port))))
	}
	return Credentials{URLs: urls, Username: user, Credential: pass}, nil
}

// UDPAddr and TCPAddr are where the server listens.
func (s *Server) UDPAddr() net.Addr { return s.udpAddr }

// TCPAddr is the TCP listener's address.
func (s *Server) TCPAddr() net.Addr { return s.tcpAddr }

// TLSAddr is the TLS listener's address (nil without TLS).
func (s *Server) TLSAddr() net.Addr { return s.tlsAddr }

// Close stops the server.
func (s *Server) Close() error {
	if s == nil {
		return nil
	}
	return errors.Join(s.srv.Close())
}
