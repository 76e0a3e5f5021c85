package client

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"net"
	"time"

	"github.com/pion/interceptor"
	"github.com/pion/sdp/v3"
	"github.com/pion/webrtc/v4"

	"github.com/roomsdev/rooms/internal/depdesc"
	"github.com/roomsdev/rooms/internal/feedback"
	"github.com/roomsdev/rooms/internal/pushbuf"
)

// newPeerConnection builds a connection like a browser's: NACKs, receiver
// reports and transport-wide congestion control feedback (made by fb,
// which the call flushes), with the NACKs this client sends, and the
// sender reports it receives, kept in st. A connection with bufs has its
// incoming streams pushed (package pushbuf).
func newPeerConnection(st *rtcpStats, fb *feedback.Interceptor, opts JoinOptions, cfg webrtc.Configuration, bufs *pushbuf.Set) (*webrtc.PeerConnection, error) {
	var se webrtc.SettingEngine
	if bufs != nil {
		se.BufferFactory = bufs.Factory
	}
	se.SetIncludeLoopbackCandidate(true)
	if opts.LoopbackOnly {
		se.SetIPFilter(func(ip net.IP) bool { return ip.IsLoopback() })
	}
	if opts.TCPOnly {
		se.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeTCP4})
	} else {
		se.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4})
	}
	// Notice a cut network quickly, as a browser does, to restart ICE;
	// without restarts, pion's defaults, kinder to a busy machine.
	if !opts.NoICERestart {
		se.SetICETimeouts(3*time.Second, 15*time.Second, time.Second)
	}
	n, err := newImpairedNet(opts.Impair)
	if err != nil {
		return nil, err
	}
	se.SetNet(n)
	if opts.RelayTransport == "tls" && opts.RelayRootCAs != nil {
		se.SetICEProxyDialer(tlsRelayDialer{roots: opts.RelayRootCAs})
	}
	m := &webrtc.MediaEngine{}
	if err := registerCodecs(m); err != nil {
		return nil, err
	}
	if err := m.RegisterHeaderExtension(webrtc.RTPHeaderExtensionCapability{URI: sdp.AudioLevelURI}, webrtc.RTPCodecTypeAudio); err != nil {
		return nil, err
	}
	if err := m.RegisterHeaderExtension(webrtc.RTPHeaderExtensionCapability{URI: depdesc.URI}, webrtc.RTPCodecTypeVideo); err != nil {
		return nil, err
	}
	ir := &interceptor.Registry{}
	ir.Add(rtcpCounterFactory{s: st})
	if err := registerInterceptors(m, ir, fb); err != nil {
		return nil, err
	}
	api := webrtc.NewAPI(webrtc.WithMediaEngine(m), webrtc.WithSettingEngine(se), webrtc.WithInterceptorRegistry(ir))
	return api.NewPeerConnection(cfg)
}

// tlsRelayDialer reaches turns: servers for pion, which dials TLS itself
// only against the system's roots. pion hands a proxy dialer every TURN
// URL over TCP, so it is set only when the call keeps the turns: URLs
// alone (JoinOptions.RelayTransport "tls").
type tlsRelayDialer struct{ roots *x509.CertPool }

func (d tlsRelayDialer) Dial(network, addr string) (net.Conn, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	dialer := &tls.Dialer{Config: &tls.Config{RootCAs: d.roots, ServerName: host, MinVersion: tls.VersionTLS12}}
	return dialer.DialContext(ctx, network, addr)
}
