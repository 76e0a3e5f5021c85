// Command rooms is the Rooms server: the API, the web client and the media
// (a WebRTC SFU) in one binary, with an embedded SQLite store.
//
//	rooms [serve] [flags]            run the server (the default)
//	rooms admin grant-moderator EMAIL
//	rooms load --server URL --shape fanout --publishers 25 --subscribers 50 ...
//
// Every flag has an environment variable (ROOMS_ADDR for -addr, and so on).
package main

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"net/netip"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/roomsdev/rooms/internal/app"
	"github.com/roomsdev/rooms/internal/load"
	"github.com/roomsdev/rooms/internal/rooms"
	"github.com/roomsdev/rooms/internal/sfu"
	"github.com/roomsdev/rooms/internal/store/sqlite"
	"github.com/roomsdev/rooms/web"
)

func main() {
	if err := run(context.Background(), os.Args[1:]); err != nil && !errors.Is(err, flag.ErrHelp) {
		fmt.Fprintln(os.Stderr, "rooms:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string) error {
	cmd := "serve"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "serve":
		return serve(ctx, args)
	case "admin":
		return admin(ctx, args)
	case "load":
		return loadCmd(ctx, args)
	case lateJoinerCmd: // started by load, not by people
		return load.LateJoinerMain(ctx, args, os.Stdin, os.Stdout, os.Stderr)
	default:
		return fmt.Errorf("unknown command %q (want serve, admin or load)", cmd)
	}
}

// defaultGCPercent halves Go's default heap headroom. The live heap of a
// media server is mostly per-connection buffers that stay put, so the
// collector's work hardly grows: in a 50-person meeting (BENCHMARKS.md)
// RSS per participant went from 3.5–3.9 MiB to 2.8–2.9 MiB with no CPU
// difference the runs could tell.
const defaultGCPercent = 50

// config is the server's configuration, from flags and the environment.
type config struct {
	addr          string
	data          string
	mediaPort     int
	publicIPs     string
	capacity      int
	secureCookies bool
	logLevel      string
	pprofAddr     string
	metricsToken  string
	idleExpiry    time.Duration
	limitExempt   string
	mediaTCPPort  int
	audioTopN     int
	turnPort      int
	turnSecret    string
	turnTTL       time.Duration
	turnTLSPort   int
	turnTLSCert   string
	turnTLSKey    string
	turnHost      string
	metrics       bool
	videoCodec    string
	gcPercent     int
}

func parseConfig(name string, args []string) (*config, *flag.FlagSet, error) {
	cfg := &config{}
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.StringVar(&cfg.addr, "addr", env("ROOMS_ADDR", "127.0.0.1:8080"), "HTTP listen address (ROOMS_ADDR)")
	fs.StringVar(&cfg.data, "data", env("ROOMS_DATA", "./data"), "directory of the embedded SQLite database (ROOMS_DATA)")
	fs.IntVar(&cfg.mediaPort, "media-port", envInt("ROOMS_MEDIA_PORT", 7881), "the one UDP port all media uses (ROOMS_MEDIA_PORT)")
	fs.StringVar(&cfg.publicIPs, "public-ip", env("ROOMS_PUBLIC_IP", ""), "comma-separated public IPs to announce for media, behind 1:1 NAT (ROOMS_PUBLIC_IP)")
	fs.IntVar(&cfg.mediaTCPPort, "media-tcp-port", envInt("ROOMS_MEDIA_TCP_PORT", 7881), "TCP port for ICE-TCP, the fallback where UDP is blocked; 0 turns it off (ROOMS_MEDIA_TCP_PORT)")
	fs.StringVar(&cfg.videoCodec, "video-codec", env("ROOMS_VIDEO_CODEC", "vp8"), "codec browsers publish the camera in when they can: vp8 (simulcast), vp9 (SVC), av1 (simulcast) or h264 (ROOMS_VIDEO_CODEC)")
	fs.IntVar(&cfg.audioTopN, "audio-top-n", envInt("ROOMS_AUDIO_TOP_N", 3), "in big rooms, forward only the loudest N audio streams; -1 forwards all (ROOMS_AUDIO_TOP_N)")
	fs.IntVar(&cfg.turnPort, "turn-port", envInt("ROOMS_TURN_PORT", 0), "UDP and TCP port of the embedded TURN server, e.g. 3478; 0 turns it off (ROOMS_TURN_PORT)")
	fs.StringVar(&cfg.turnSecret, "turn-secret", env("ROOMS_TURN_SECRET", ""), "secret that signs TURN credentials; empty makes a random one at start (ROOMS_TURN_SECRET)")
	fs.IntVar(&cfg.turnTLSPort, "turn-tls-port", envInt("ROOMS_TURN_TLS_PORT", 0), "TCP port for TURN over TLS, e.g. 443 or 5349, with -turn-tls-cert and -turn-tls-key; 0 turns it off (ROOMS_TURN_TLS_PORT)")
	fs.StringVar(&cfg.turnTLSCert, "turn-tls-cert", env("ROOMS_TURN_TLS_CERT", ""), "PEM certificate chain for TURN over TLS (ROOMS_TURN_TLS_CERT)")
	fs.StringVar(&cfg.turnTLSKey, "turn-tls-key", env("ROOMS_TURN_TLS_KEY", ""), "PEM private key for TURN over TLS (ROOMS_TURN_TLS_KEY)")
	fs.StringVar(&cfg.turnHost, "turn-host", env("ROOMS_TURN_HOST", ""), "host name clients use for TURN, one the TLS certificate covers; empty uses the relay address (ROOMS_TURN_HOST)")
	fs.DurationVar(&cfg.turnTTL, "turn-ttl", envDuration("ROOMS_TURN_TTL", 12*time.Hour), "how long a participant's TURN credentials work (ROOMS_TURN_TTL)")
	fs.BoolVar(&cfg.metrics, "metrics", env("ROOMS_METRICS", "true") == "true", "serve Prometheus metrics at /metrics, to this machine only unless -metrics-token is set (ROOMS_METRICS)")
	fs.StringVar(&cfg.metricsToken, "metrics-token", env("ROOMS_METRICS_TOKEN", ""), "bearer token that lets a scraper anywhere read /metrics (ROOMS_METRICS_TOKEN)")
	fs.IntVar(&cfg.capacity, "capacity", envInt("ROOMS_CAPACITY", 50), "most people in one room (ROOMS_CAPACITY)")
	fs.BoolVar(&cfg.secureCookies, "secure-cookies", env("ROOMS_SECURE_COOKIES", "") == "true", "mark cookies Secure (behind a TLS proxy) (ROOMS_SECURE_COOKIES)")
	fs.DurationVar(&cfg.idleExpiry, "room-idle-expiry", envDuration("ROOMS_ROOM_IDLE_EXPIRY", 30*24*time.Hour), "end rooms nobody has been in for this long; 0 never (ROOMS_ROOM_IDLE_EXPIRY)")
	fs.StringVar(&cfg.limitExempt, "rate-limit-exempt", env("ROOMS_RATE_LIMIT_EXEMPT", ""), "comma-separated CIDRs the per-address rate limits skip, for load tests only (ROOMS_RATE_LIMIT_EXEMPT)")
	fs.StringVar(&cfg.pprofAddr, "pprof", env("ROOMS_PPROF", ""), "serve Go's profiler (net/http/pprof) on this address, e.g. 127.0.0.1:6060; empty turns it off (ROOMS_PPROF)")
	fs.StringVar(&cfg.logLevel, "log-level", env("ROOMS_LOG_LEVEL", "info"), "debug, info, warn or error (ROOMS_LOG_LEVEL)")
	fs.IntVar(&cfg.gcPercent, "gc-percent", envInt("ROOMS_GC_PERCENT", defaultGCPercent), "the Go collector's GOGC: heap growth allowed between collections, percent; a GOGC environment variable wins (ROOMS_GC_PERCENT)")
	if err := fs.Parse(args); err != nil {
		return nil, nil, err
	}
	return cfg, fs, nil
}

func serve(ctx context.Context, args []string) error {
	cfg, _, err := parseConfig("serve", args)
	if err != nil {
		return err
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(cfg.logLevel)); err != nil {
		return fmt.Errorf("log level: %w", err)
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	if os.Getenv("GOGC") == "" && cfg.gcPercent > 0 {
		debug.SetGCPercent(cfg.gcPercent)
	}

	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()

	host, _, err := net.SplitHostPort(cfg.addr)
	if err != nil {
		return fmt.Errorf("addr %q: %w", cfg.addr, err)
	}
	var exempt []netip.Prefix
	for _, c := range splitList(cfg.limitExempt) {
		p, err := netip.ParsePrefix(c)
		if err != nil {
			return fmt.Errorf("-rate-limit-exempt %q: %w", c, err)
		}
		exempt = append(exempt, p)
		log.Warn("rate limits off for these addresses: use for load tests only", "cidr", p.String())
	}
	var turnTLS *tls.Config
	if cfg.turnTLSPort != 0 {
		if cfg.turnPort == 0 {
			return errors.New("-turn-tls-port needs the TURN server on (-turn-port)")
		}
		cert, err := tls.LoadX509KeyPair(cfg.turnTLSCert, cfg.turnTLSKey)
		if err != nil {
			return fmt.Errorf("TURN over TLS: -turn-tls-cert and -turn-tls-key: %w", err)
		}
		turnTLS = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	}
	a, err := app.Open(ctx, app.Config{
		DataDir:        cfg.data,
		MediaHost:      host,
		MediaPort:      cfg.mediaPort,
		PublicIPs:      splitList(cfg.publicIPs),
		Capacity:       cfg.capacity,
		SecureCookies:  cfg.secureCookies,
		Web:            web.Dist(),
		RoomIdleExpiry: cfg.idleExpiry,
		LimitExempt:    exempt,
		Media:          sfu.Config{TCPPort: cfg.mediaTCPPort, AudioTopN: cfg.audioTopN, VideoCodec: cfg.videoCodec},
		TURNPort:       cfg.turnPort,
		TURNSecret:     cfg.turnSecret,
		TURNTTL:        cfg.turnTTL,
		TURNTLS:        turnTLS,
		TURNTLSPort:    cfg.turnTLSPort,
		TURNHost:       cfg.turnHost,
		Metrics:        cfg.metrics,
		MetricsToken:   cfg.metricsToken,
	}, log)
	if err != nil {
		return err
	}
	defer a.Close()

	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return fmt.Errorf("listen %s: %w", cfg.addr, err)
	}
	srv := &http.Server{
		Handler:           a.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       120 * time.Second,
		BaseContext:       func(net.Listener) context.Context { return ctx },
	}
	log.Info("rooms is ready: open http://"+displayAddr(ln.Addr()), "media_udp", a.Media.LocalAddr().String(), "data", cfg.data)

	go a.Run(ctx)
	if cfg.pprofAddr != "" {
		go servePprof(cfg.pprofAddr, log)
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err = srv.Shutdown(sctx)
	// WebSockets are hijacked connections, which Shutdown leaves alone:
	// close them, telling clients to come back.
	a.Hub.Shutdown()
	if err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return nil
}

// admin runs operator commands against the store.
func admin(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return errors.New("usage: rooms admin grant-moderator|revoke-moderator EMAIL [-data DIR]")
	}
	sub, rest := args[0], args[1:]
	// The email may come before the flags or after them.
	var email string
	if len(rest) > 0 && !strings.HasPrefix(rest[0], "-") {
		email, rest = rest[0], rest[1:]
	}
	cfg, fs, err := parseConfig("admin "+sub, rest)
	if err != nil {
		return err
	}
	if email == "" && fs.NArg() == 1 {
		email = fs.Arg(0)
	} else if email == "" || fs.NArg() != 0 {
		return fmt.Errorf("usage: rooms admin %s EMAIL [-data DIR]", sub)
	}
	store, err := sqlite.Open(ctx, filepath.Join(cfg.data, "rooms.db"))
	if err != nil {
		return fmt.Errorf("open store: %w", err)
	}
	defer store.Close()
	u, err := store.UserByEmail(ctx, email)
	if err != nil {
		return fmt.Errorf("%s: %s", email, rooms.ErrorMessage(err))
	}
	switch sub {
	case "grant-moderator", "revoke-moderator":
		if err := store.SetModerator(ctx, u.ID, sub == "grant-moderator"); err != nil {
			return err
		}
		fmt.Printf("%s: moderator=%v\n", u.Email, sub == "grant-moderator")
		return nil
	default:
		return fmt.Errorf("unknown admin command %q", sub)
	}
}

// servePprof serves the profiler on its own listener, apart from the
// public handler: profiles show everything in memory.
func servePprof(addr string, log *slog.Logger) {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	log.Warn("profiler on: keep its address private", "addr", addr)
	srv := &http.Server{Addr: addr, Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	if err := srv.ListenAndServe(); err != nil {
		log.Error("profiler", "err", err)
	}
}

func displayAddr(a net.Addr) string {
	tcp, ok := a.(*net.TCPAddr)
	if ok && tcp.IP.IsUnspecified() {
		return net.JoinHostPort("127.0.0.1", strconv.Itoa(tcp.Port))
	}
	return a.String()
}

func env(key, def string) string {
	if v, ok := os.LookupEnv(key); ok {
		return v
	}
	return def
}

func envInt(key string, def int) int {
	if v, ok := os.LookupEnv(key); ok {
		if n, err := strconv.Atoi(v); err == nil {
			return n
		}
	}
	return def
}

func envDuration(key string, def time.Duration) time.Duration {
	if v, ok := os.LookupEnv(key); ok {
		if d, err := time.ParseDuration(v); err == nil {
			return d
		}
	}
	return def
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
