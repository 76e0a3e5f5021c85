// Package sfu is the media plane: a selective forwarding unit on pion/webrtc.
// Each participant (a Peer) publishes over one PeerConnection and receives
// everyone else's media over another; the SFU forwards RTP between them
// without decoding it. It knows nothing of accounts or room rules: the
// signalling layer decides who may join and tells the SFU.
package sfu

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"time"

	"github.com/pion/ice/v4"
	"github.com/pion/interceptor"
	"github.com/pion/webrtc/v4"
)

// Config is the media plane's configuration.
type Config struct {
	// ListenHost is the address the media UDP port binds to ("" or
	// "0.0.0.0" for all interfaces).
	ListenHost string
	// Port is the one UDP port all media flows through (ICE UDP mux).
	Port int
	// PublicIPs, when set, are announced instead of the host's own
	// addresses: for a server behind 1:1 NAT.
	PublicIPs []string
}

// Engine holds what all PeerConnections share: the settings and the one UDP
// socket that every ICE session is multiplexed on.
type Engine struct {
	log      *slog.Logger
	settings webrtc.SettingEngine
	conn     net.PacketConn
	mux      ice.UDPMux
}

// NewEngine opens the media UDP port and prepares the WebRTC settings.
func NewEngine(cfg Config, log *slog.Logger) (*Engine, error) {
	addr := net.JoinHostPort(cfg.ListenHost, strconv.Itoa(cfg.Port))
	conn, err := net.ListenPacket("udp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen media udp %s: %w", addr, err)
	}
	if uc, ok := conn.(*net.UDPConn); ok {
		// The kernel's default buffers drop packets under load (Galène's
		// weak spot, see MEDIA-NOTES); ask for more. Errors only mean the
		// system caps it, which is fine.
		_ = uc.SetReadBuffer(4 << 20)
		_ = uc.SetWriteBuffer(4 << 20)
	}
	e := &Engine{log: log, conn: conn}
	e.mux = webrtc.NewICEUDPMux(nil, conn)

	s := &e.settings
	s.SetICEUDPMux(e.mux)
	s.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4, webrtc.NetworkTypeUDP6})
	// Loopback candidates let a browser on the same machine (and the tests)
	// reach a server bound to 127.0.0.1.
	s.SetIncludeLoopbackCandidate(true)
	// Browsers may hide their addresses behind mDNS names; the server never
	// resolves them (peer-reflexive candidates from the checks suffice), so
	// it needs no multicast socket.
	s.SetICEMulticastDNSMode(ice.MulticastDNSModeDisabled)
	// A participant whose network drops is "disconnected" after 5 s and
	// "failed" after 10 s; the signalling layer removes failed peers.
	s.SetICETimeouts(5*time.Second, 10*time.Second, 2*time.Second)
	if len(cfg.PublicIPs) > 0 {
		s.SetNAT1To1IPs(cfg.PublicIPs, webrtc.ICECandidateTypeHost)
	}
	return e, nil
}

// LocalAddr is the media socket's address.
func (e *Engine) LocalAddr() net.Addr { return e.conn.LocalAddr() }

// Close closes the media socket; every PeerConnection on it stops.
func (e *Engine) Close() error {
	err := e.mux.Close()
	return errors.Join(err, e.conn.Close())
}

// newPeerConnection builds a PeerConnection with its own media engine and
// interceptor registry: interceptors keep per-connection state, so sharing
// a registry between connections mixes their NACK and report state.
func (e *Engine) newPeerConnection() (*webrtc.PeerConnection, error) {
	m := &webrtc.MediaEngine{}
	if err := m.RegisterDefaultCodecs(); err != nil {
		return nil, fmt.Errorf("register codecs: %w", err)
	}
	ir := &interceptor.Registry{}
	if err := webrtc.RegisterDefaultInterceptors(m, ir); err != nil {
		return nil, fmt.Errorf("register interceptors: %w", err)
	}
	api := webrtc.NewAPI(webrtc.WithMediaEngine(m), webrtc.WithInterceptorRegistry(ir), webrtc.WithSettingEngine(e.settings))
	pc, err := api.NewPeerConnection(webrtc.Configuration{
		BundlePolicy:  webrtc.BundlePolicyMaxBundle,
		RTCPMuxPolicy: webrtc.RTCPMuxPolicyRequire,
	})
	if err != nil {
		return nil, fmt.Errorf("new peer connection: %w", err)
	}
	return pc, nil
}
