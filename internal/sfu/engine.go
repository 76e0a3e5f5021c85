// Package sfu is the media plane: a selective forwarding unit on pion/webrtc.
// Each participant (a Peer) publishes over one PeerConnection and receives
// everyone else's media over another; the SFU forwards RTP between them
// without decoding it: one simulcast layer per subscriber and track (for
// VP9 SVC, the spatial layers up to one, svc.go), chosen for the
// subscriber's tile size and bandwidth, and only the loudest audio.
// It knows nothing of accounts or room rules: the signalling layer decides
// who may join and tells the SFU.
package sfu

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/pion/ice/v4"
	"github.com/pion/interceptor"
	"github.com/pion/logging"
	"github.com/pion/sdp/v3"
	"github.com/pion/webrtc/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/roomsdev/rooms/internal/depdesc"
	"github.com/roomsdev/rooms/internal/feedback"
)

// Config is the media plane's configuration.
type Config struct {
	// ListenHost is the address the media ports bind to ("" or "0.0.0.0"
	// for all interfaces).
	ListenHost string
	// Port is the one UDP port all media flows through (ICE UDP mux).
	Port int
	// TCPPort is a TCP port for ICE-TCP (RFC 6544, passive candidates),
	// the fallback for networks that block UDP; 0 turns it off and -1
	// picks a free port.
	TCPPort int
	// PublicIPs, when set, are announced instead of the host's own
	// addresses: for a server behind 1:1 NAT.
	PublicIPs []string
	// AudioTopN is how many audio streams a big room forwards at once, the
	// loudest (with a hold so nobody is cut off mid-sentence); 0 means
	// the default (3), negative forwards all.
	AudioTopN int
	// BigRoom is the number of audio tracks above which a room is big and
	// forwards only the loudest AudioTopN; 0 means the default (8).
	BigRoom int
	// ICEDisconnected and ICEFailed are how long a media connection may
	// receive nothing before it is disconnected, and then failed (the peer
	// leaves); zero means the defaults, 4 s and 4 s, so a participant whose
	// network is gone leaves everyone's grid within 10 s.
	ICEDisconnected, ICEFailed time.Duration
	// VideoCodec is the codec clients are asked to publish their camera
	// in (one of VideoCodecs; "" means vp8): VP8 and AV1 as three-layer
	// simulcast, VP9 as one stream with spatial layers (SVC), H.264 as
	// simulcast. Clients fall back to VP8 when they cannot.
	VideoCodec string
}

// VideoCodecs are the values Config.VideoCodec takes; the first is the
// default: VP8 costs the least to encode, which matters on small
// machines that encode three layers.
var VideoCodecs = []string{"vp8", "vp9", "av1", "h264"}

// Defaults for Config.
const (
	DefaultAudioTopN = 3
	DefaultBigRoom   = 8
)

// Engine holds what all PeerConnections share: the settings, the one UDP
// socket every ICE session is multiplexed on, and the metrics.
type Engine struct {
	log      *slog.Logger
	cfg      Config
	settings webrtc.SettingEngine
	conn     net.PacketConn
	batch    *batchConn // the socket sends leave by, batched
	shards   *udpShards // the media port's sockets and their readers
	mux      ice.UDPMux
	tcp      net.Listener
	tcpMux   ice.TCPMux
	tcpConns tcpConns // accepted ICE-TCP connections, for direct sends
	inbound  inbound  // publisher connections read directly (directrecv.go)
	certs    certSource
	stats    *stats
	registry *prometheus.Registry

	roomsMu sync.Mutex
	rooms   map[*Room]struct{}
}

// mediaReadBuffer is the receive buffer asked for on each media socket:
// about 1,700 full-size datagrams, tens of milliseconds of a full room's
// incoming media.
const mediaReadBuffer = 4 << 20

// NewEngine opens the media ports and prepares the WebRTC settings.
func NewEngine(cfg Config, log *slog.Logger) (*Engine, error) {
	if cfg.AudioTopN == 0 {
		cfg.AudioTopN = DefaultAudioTopN
	}
	if cfg.BigRoom <= 0 {
		cfg.BigRoom = DefaultBigRoom
	}
	if cfg.VideoCodec == "" {
		cfg.VideoCodec = VideoCodecs[0]
	}
	if !slices.Contains(VideoCodecs, cfg.VideoCodec) {
		return nil, fmt.Errorf("video codec %q: want one of %s", cfg.VideoCodec, strings.Join(VideoCodecs, ", "))
	}
	addr := net.JoinHostPort(cfg.ListenHost, strconv.Itoa(cfg.Port))
	// A socket per core (udpshards.go).
	uconns, err := listenShards(addr, runtime.GOMAXPROCS(0))
	if err != nil {
		return nil, fmt.Errorf("listen media udp %s: %w", addr, err)
	}
	socks := make([]*batchConn, len(uconns))
	for i, uc := range uconns {
		// The kernel's default buffers drop packets under load (Galène's
		// weak spot, see MEDIA-NOTES); ask for more. The receive buffer
		// matters most: it is where packets wait while the socket's
		// reader forwards (directrecv.go).
		if got := setReadBuffer(uc, mediaReadBuffer); got < mediaReadBuffer && i == 0 {
			log.Warn("the media socket's receive buffer is smaller than asked: bursts may be dropped (rooms_udp_receive_dropped_total); raise the system's cap, e.g. sysctl -w net.core.rmem_max=4194304",
				"bytes", got, "want", mediaReadBuffer)
		}
		_ = uc.SetWriteBuffer(4 << 20)
		if socks[i], err = newBatchConn(uc); err != nil {
			for _, c := range uconns {
				_ = c.Close()
			}
			return nil, fmt.Errorf("media udp %s: %w", addr, err)
		}
	}
	e := &Engine{log: log, cfg: cfg, stats: newStats(), rooms: make(map[*Room]struct{})}
	e.shards = newUDPShards(socks, &e.inbound)
	e.batch = socks[0]
	conn := &pionConn{batchConn: socks[0], s: e.shards}
	e.conn = conn
	e.mux = webrtc.NewICEUDPMux(nil, e.conn)

	s := &e.settings
	s.SetICEUDPMux(e.mux)
	networks := []webrtc.NetworkType{webrtc.NetworkTypeUDP4, webrtc.NetworkTypeUDP6}
	if cfg.TCPPort != 0 {
		taddr := net.JoinHostPort(cfg.ListenHost, strconv.Itoa(max(cfg.TCPPort, 0)))
		e.tcp, err = net.Listen("tcp", taddr)
		if err != nil {
			_ = e.mux.Close()
			_ = conn.Close()
			return nil, fmt.Errorf("listen media tcp %s: %w", taddr, err)
		}
		e.tcpMux = webrtc.NewICETCPMux(logging.NewDefaultLoggerFactory().NewLogger("ice-tcp"), tcpListener{e.tcp, &e.stats.tcpDropped, &e.tcpConns}, 32)
		s.SetICETCPMux(e.tcpMux)
		networks = append(networks, webrtc.NetworkTypeTCP4, webrtc.NetworkTypeTCP6)
	}
	s.SetNetworkTypes(networks)
	// Loopback candidates let a browser on the same machine (and the tests)
	// reach a server bound to 127.0.0.1.
	s.SetIncludeLoopbackCandidate(true)
	// Browsers may hide their addresses behind mDNS names; the server never
	// resolves them (peer-reflexive candidates from the checks suffice), so
	// it needs no multicast socket.
	s.SetICEMulticastDNSMode(ice.MulticastDNSModeDisabled)
	// A participant whose network drops is "disconnected" after 4 s and
	// "failed" 4 s later (pion counts the second from the first); the
	// signalling layer removes failed peers, so a dead participant leaves
	// everyone's grid within 10 s. A client that comes back sooner
	// restarts ICE and keeps its place.
	if cfg.ICEDisconnected <= 0 {
		cfg.ICEDisconnected = 4 * time.Second
	}
	if cfg.ICEFailed <= 0 {
		cfg.ICEFailed = 4 * time.Second
	}
	s.SetICETimeouts(cfg.ICEDisconnected, cfg.ICEFailed, 2*time.Second)
	if len(cfg.PublicIPs) > 0 {
		s.SetNAT1To1IPs(cfg.PublicIPs, webrtc.ICECandidateTypeHost)
	}

	e.registry = prometheus.NewRegistry()
	e.registry.MustRegister(newCollector(e), e.stats.latency, e.stats.fanOut,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return e, nil
}

// cork and uncork bracket a burst of writes to many subscribers (a
// fan-out, a burst of retransmissions), which then leave in one sendmmsg
// (udpbatch.go).
func (e *Engine) cork() {
	if e.batch != nil {
		e.batch.cork()
	}
}

func (e *Engine) uncork() {
	if e.batch != nil {
		e.batch.uncork()
	}
}

// flush sends the datagrams waiting in the batch, corked or not.
func (e *Engine) flush() {
	if e.batch != nil {
		e.batch.flush()
	}
}

// VideoCodec is the codec clients are asked to publish their camera in.
func (e *Engine) VideoCodec() string { return e.cfg.VideoCodec }

// LocalAddr is the media UDP socket's address.
func (e *Engine) LocalAddr() net.Addr { return e.conn.LocalAddr() }

// TCPAddr is the ICE-TCP listener's address, or nil when ICE-TCP is off.
func (e *Engine) TCPAddr() net.Addr {
	if e.tcp == nil {
		return nil
	}
	return e.tcp.Addr()
}

// Close closes the media sockets; every PeerConnection on them stops.
func (e *Engine) Close() error {
	err := errors.Join(e.mux.Close(), e.conn.Close())
	if e.tcpMux != nil {
		err = errors.Join(err, e.tcpMux.Close())
	}
	return err
}

func (e *Engine) addRoom(r *Room) {
	e.roomsMu.Lock()
	e.rooms[r] = struct{}{}
	e.roomsMu.Unlock()
}

func (e *Engine) removeRoom(r *Room) {
	e.roomsMu.Lock()
	delete(e.rooms, r)
	e.roomsMu.Unlock()
}

func (e *Engine) liveRooms() []*Room {
	e.roomsMu.Lock()
	defer e.roomsMu.Unlock()
	out := make([]*Room, 0, len(e.rooms))
	for r := range e.rooms {
		out = append(out, r)
	}
	return out
}

// Payload types the SFU offers and answers with (the numbers browsers use).
const (
	ptOpus     = 111
	ptVP8      = 96
	ptVP8RTX   = 97
	ptH264     = 102
	ptH264RTX  = 103
	ptH264B    = 125
	ptH264BRTX = 107
	ptVP9      = 98
	ptVP9RTX   = 99
	ptAV1      = 45
	ptAV1RTX   = 46
)

// opusFmtp asks publishers for in-band FEC (a lost packet is rebuilt from
// the next one) and DTX (near silence costs a packet every 400 ms). It is
// what the SFU offers subscribers; pion answers a publisher with the
// offer's own fmtp, so withOpusParams (opus.go) puts the two parameters
// in the publisher answer.
const opusFmtp = "minptime=10;useinbandfec=1;usedtx=1"

// videoFeedback is the RTCP feedback video codecs take on each side.
func videoFeedback(t Target) []webrtc.RTCPFeedback {
	fb := []webrtc.RTCPFeedback{{Type: "ccm", Parameter: "fir"}, {Type: "nack"}, {Type: "nack", Parameter: "pli"}}
	if t == Sub {
		// Without transport-cc on this side, browsers estimate the
		// downlink themselves and report it in REMB, which sizes the
		// layers each subscriber gets.
		return append(fb, webrtc.RTCPFeedback{Type: "goog-remb"})
	}
	return append(fb, webrtc.RTCPFeedback{Type: webrtc.TypeRTCPFBTransportCC})
}

// videoCodec is a video codec the SFU offers, with its RTX payload type.
type videoCodec struct {
	pt, rtx uint8
	mime    string
	fmtp    string
}

// videoCodecs are the codecs the SFU can find keyframes in: VP8 first,
// then H.264 (constrained baseline, then baseline), VP9 profile 0 (whose
// spatial layers the SFU forwards selectively, svc.go) and AV1 (simulcast,
// or one stream whose spatial layers the dependency descriptor tells,
// ddsvc.go). A publisher sends the first of these its browser offers,
// unless the browser was told to prefer another (setCodecPreferences, as
// the web client does for the server's -video-codec).
var videoCodecs = []videoCodec{
	{ptVP8, ptVP8RTX, webrtc.MimeTypeVP8, ""},
	{ptH264, ptH264RTX, webrtc.MimeTypeH264, "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42001f"},
	{ptH264B, ptH264BRTX, webrtc.MimeTypeH264, "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f"},
	{ptVP9, ptVP9RTX, webrtc.MimeTypeVP9, "profile-id=0"},
	{ptAV1, ptAV1RTX, webrtc.MimeTypeAV1, "level-idx=5;profile=0;tier=0"},
}

// params are c's codec, and its RTX, as side t registers them.
func (c videoCodec) params(t Target) (codec, rtx webrtc.RTPCodecParameters) {
	codec = webrtc.RTPCodecParameters{PayloadType: webrtc.PayloadType(c.pt), RTPCodecCapability: webrtc.RTPCodecCapability{
		MimeType: c.mime, ClockRate: 90000, SDPFmtpLine: c.fmtp, RTCPFeedback: videoFeedback(t),
	}}
	rtx = webrtc.RTPCodecParameters{PayloadType: webrtc.PayloadType(c.rtx), RTPCodecCapability: webrtc.RTPCodecCapability{
		MimeType: webrtc.MimeTypeRTX, ClockRate: 90000, SDPFmtpLine: "apt=" + strconv.Itoa(int(c.pt)),
	}}
	return codec, rtx
}

// registerCodecs sets up the codecs for one side, each video codec with
// RTX: publishers may send retransmissions on their own SSRC (pion folds
// them back into the stream), and the SFU sends its answers to
// subscribers' NACKs, and its probing padding, on theirs.
func registerCodecs(m *webrtc.MediaEngine, t Target) error {
	for _, c := range videoCodecs {
		codec, rtx := c.params(t)
		if err := m.RegisterCodec(codec, webrtc.RTPCodecTypeVideo); err != nil {
			return err
		}
		if err := m.RegisterCodec(rtx, webrtc.RTPCodecTypeVideo); err != nil {
			return err
		}
	}
	var afb []webrtc.RTCPFeedback
	if t == Pub {
		afb = []webrtc.RTCPFeedback{{Type: webrtc.TypeRTCPFBTransportCC}}
	}
	opus := webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeOpus, ClockRate: 48000, Channels: 2, SDPFmtpLine: opusFmtp, RTCPFeedback: afb}
	return m.RegisterCodec(webrtc.RTPCodecParameters{RTPCodecCapability: opus, PayloadType: ptOpus}, webrtc.RTPCodecTypeAudio)
}

// newPeerConnection builds a PeerConnection with its own media engine and
// interceptor registry: interceptors keep per-connection state, so sharing
// a registry between connections mixes their NACK and report state.
//
// The publisher side asks for lost packets (NACK), reports reception, and
// sends transport-wide congestion feedback so the browser's own bandwidth
// estimate can grow to all three simulcast layers (internal/feedback,
// flushed by the room's heartbeat). It accepts the rid and
// mid extensions that simulcast needs, the audio level, and the dependency
// descriptor (AV1 SVC). The subscriber side takes the dependency
// descriptor and has no interceptors, nothing between a down track and
// SRTP: NACKs are answered by the down tracks from one cache per
// publisher layer rather than a copy per subscriber, its RTCP goes
// straight to them (rtcpsink.go), and the room sends its sender reports
// (reports.go).
func (e *Engine) newPeerConnection(t Target, p *Peer) (*webrtc.PeerConnection, error) {
	m := &webrtc.MediaEngine{}
	if err := registerCodecs(m, t); err != nil {
		return nil, fmt.Errorf("register codecs: %w", err)
	}
	ir := &interceptor.Registry{}
	if t == Pub {
		for _, uri := range []string{sdp.SDESMidURI, sdp.SDESRTPStreamIDURI, sdp.SDESRepairRTPStreamIDURI, sdp.TransportCCURI, depdesc.URI} {
			if err := m.RegisterHeaderExtension(webrtc.RTPHeaderExtensionCapability{URI: uri}, webrtc.RTPCodecTypeVideo); err != nil {
				return nil, fmt.Errorf("register extension: %w", err)
			}
		}
		for _, uri := range []string{sdp.SDESMidURI, sdp.AudioLevelURI, sdp.TransportCCURI} {
			if err := m.RegisterHeaderExtension(webrtc.RTPHeaderExtensionCapability{URI: uri}, webrtc.RTPCodecTypeAudio); err != nil {
				return nil, fmt.Errorf("register extension: %w", err)
			}
		}
		// NACKs, receiver reports and congestion feedback, sent by the
		// room's heartbeat (Room.run) rather than three goroutines.
		p.fb = feedback.New()
		ir.Add(feedback.Factory(p.fb))
	} else if err := m.RegisterHeaderExtension(webrtc.RTPHeaderExtensionCapability{URI: depdesc.URI}, webrtc.RTPCodecTypeVideo); err != nil {
		// The one extension forwarded: an AV1 SVC decoder needs it.
		return nil, fmt.Errorf("register extension: %w", err)
	}
	settings := e.settings
	if t == Sub {
		settings = e.subscriberSettings(p)
	} else {
		settings = e.publisherSettings(p)
	}
	cert, err := e.certs.get(time.Now())
	if err != nil {
		return nil, fmt.Errorf("dtls certificate: %w", err)
	}
	api := webrtc.NewAPI(webrtc.WithMediaEngine(m), webrtc.WithInterceptorRegistry(ir), webrtc.WithSettingEngine(settings))
	pc, err := api.NewPeerConnection(webrtc.Configuration{
		BundlePolicy:  webrtc.BundlePolicyMaxBundle,
		RTCPMuxPolicy: webrtc.RTCPMuxPolicyRequire,
		Certificates:  []webrtc.Certificate{cert},
	})
	if err != nil {
		return nil, fmt.Errorf("new peer connection: %w", err)
	}
	return pc, nil
}
