package load_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"net/netip"
	"os"
	"testing"
	"testing/fstest"
	"time"

	"github.com/roomsdev/rooms/internal/app"
	"github.com/roomsdev/rooms/internal/auth"
	"github.com/roomsdev/rooms/internal/load"
)

// lateJoinerEnv makes this test binary the late joiner process
// (load.Config.LateJoiner) instead of running the tests.
const lateJoinerEnv = "ROOMS_TEST_LATE_JOINER"

func TestMain(m *testing.M) {
	if os.Getenv(lateJoinerEnv) != "" {
		if err := load.LateJoinerMain(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr); err != nil {
			fmt.Fprintln(os.Stderr, "late joiner:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// TestLoadAgainstARealServer runs each shape briefly against a server in
// this process and checks the summary describes real traffic. It asserts
// that media flowed, never how fast.
func TestLoadAgainstARealServer(t *testing.T) {
	a, err := app.Open(context.Background(), app.Config{
		DataDir: t.TempDir(), MediaHost: "127.0.0.1", Capacity: 50,
		Web:            fstest.MapFS{"index.html": {Data: []byte("x")}},
		PasswordParams: &auth.Params{Memory: 64, Time: 1, Threads: 1},
		LimitExempt:    []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")},
		Metrics:        true,
	}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(a.Handler())
	t.Cleanup(func() { hs.CloseClientConnections(); hs.Close(); a.Close() })

	// The kernel's share comes from /proc in clock ticks (10 ms), so a light
	// two-second shape can show none; across all shapes some must show.
	var kernel float64
	for _, cfg := range []load.Config{
		{Shape: load.ShapeFanout, Publishers: 2, Subscribers: 3},
		{Shape: load.ShapeMeeting, Participants: 3, LateJoins: 1},
		// The same in a process of its own, publishing from there.
		{Shape: load.ShapeMeeting, Participants: 3, LateJoins: 1, LateJoiner: []string{os.Args[0]}},
		// The late joins in a process of their own, as `rooms load` runs
		// them: this test binary, started again.
		{Shape: load.ShapeFanout, Publishers: 2, Subscribers: 1, LateJoins: 2, LateJoiner: []string{os.Args[0]}},
		{Shape: load.ShapeRooms, Participants: 6},
		{Shape: load.ShapeAudio, Participants: 3},
		{Shape: load.ShapeLivestream, Participants: 3},
	} {
		name := cfg.Shape
		if cfg.LateJoiner != nil {
			name += " late joiner process"
		}
		t.Run(name, func(t *testing.T) {
			if cfg.LateJoiner != nil {
				t.Setenv(lateJoinerEnv, "1") // for the child: this process is past TestMain
			}
			cfg.Server, cfg.ServerPID = hs.URL, os.Getpid()
			cfg.Duration, cfg.Warmup = 2*time.Second, 2*time.Second
			s, err := load.Run(context.Background(), cfg)
			if err != nil {
				t.Fatal(err)
			}
			if s.PacketsOutPerS <= 0 || s.PacketsInPerS <= 0 || s.ServerCPUPercent <= 0 || s.ServerRSSMiB <= 0 {
				t.Fatalf("no traffic measured: %+v", s)
			}
			if s.ServerKernelShare < 0 || s.ServerKernelShare >= 1 {
				t.Fatalf("kernel share of the CPU %.2f, want in [0, 1)", s.ServerKernelShare)
			}
			kernel = max(kernel, s.ServerKernelShare)
			if cfg.Shape != load.ShapeAudio && s.JoinFirstKeyframeMs.P50 <= 0 {
				t.Fatalf("no keyframe measured: %+v", s)
			}
			if s.GoroutinesPerPart == -1 || (cfg.Shape != load.ShapeAudio && (s.FwdLatencyUs.P50 <= 0 || s.FanOutUs.P50 <= 0)) {
				t.Fatalf("nothing read from the server's /metrics: %+v", s)
			}
			if cfg.LateJoins > 0 && (s.LateJoins != cfg.LateJoins || s.LateJoinFirstKeyframeMs.P50 <= 0) {
				t.Fatalf("no late join measured: %+v", s)
			}
			// Where everyone publishes, so does a late joiner, and every
			// bot inside sees it; in a fanout it only receives.
			switch {
			case cfg.LateJoins > 0 && cfg.Shape == load.ShapeMeeting:
				if s.LateJoinSeenMs == nil || s.LateJoinSeenMs.P50 <= 0 || s.LateJoinUnseen != 0 {
					t.Fatalf("the others' first sight of a late joiner not measured (unseen %d): %+v", s.LateJoinUnseen, s.LateJoinSeenMs)
				}
			case s.LateJoinSeenMs != nil:
				t.Fatalf("a receive-only late joiner was seen: %+v", s.LateJoinSeenMs)
			}
			// Our server counts what it drops itself: on loopback, at
			// these sizes, next to nothing (a retransmission asked for
			// twice is refused the second time; a storm of them is a bug).
			in := s.PacketsInPerS * s.Seconds
			if s.ServerUDPDropped < 0 || s.ServerRefused < 0 || float64(s.ServerUDPDropped+s.ServerRefused) > in/100 {
				t.Errorf("the server dropped %d datagrams at its sockets and refused %d packets, of %.0f sent to it", s.ServerUDPDropped, s.ServerRefused, in)
			}
			if cfg.LateJoins > 0 {
				// Every step of the late join was reached, the server's
				// joined first and the first track last.
				steps := s.LateJoinStepsMs
				for _, name := range []string{"joined", "sub_offer", "sub_answered", "sub_ice", "sub_connected", "first_track"} {
					if steps[name].P50 <= 0 {
						t.Errorf("late join step %s not measured: %v", name, steps)
					}
					if steps[name].P50 < steps["joined"].P50 || steps[name].P50 > steps["first_track"].P50 {
						t.Errorf("late join step %s at %v ms, outside joined..first_track: %v", name, steps[name].P50, steps)
					}
				}
			}
			if s.LossRatio > 0.2 {
				t.Fatalf("loss %.2f on loopback", s.LossRatio)
			}
		})
	}
	if kernel <= 0 {
		t.Fatal("no shape showed any kernel time (UDP sends and reads are syscalls)")
	}
	if _, err := load.Run(context.Background(), load.Config{Server: hs.URL, ServerPID: os.Getpid(), Shape: "party", Duration: time.Second}); err == nil {
		t.Fatal("an unknown shape ran")
	}
}
