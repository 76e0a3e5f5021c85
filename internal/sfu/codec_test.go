package sfu

import (
	"log/slog"
	"testing"
)

func TestVideoCodecConfig(t *testing.T) {
	for _, tt := range []struct {
		in, want string
		ok       bool
	}{{"", "vp8", true}, {"vp9", "vp9", true}, {"av1", "av1", true}, {"h264", "h264", true}, {"theora", "", false}, {"VP9", "", false}} {
		e, err := NewEngine(Config{ListenHost: "127.0.0.1", VideoCodec: tt.in}, slog.Default())
		if (err == nil) != tt.ok {
			t.Fatalf("%q: error %v, want ok %v", tt.in, err, tt.ok)
		}
		if err != nil {
			continue
		}
		if got := e.VideoCodec(); got != tt.want {
			t.Errorf("%q: VideoCodec() = %q, want %q", tt.in, got, tt.want)
		}
		_ = e.Close()
	}
}
