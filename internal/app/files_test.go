package app_test

import (
	"encoding/binary"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4/pkg/media/oggwriter"

	"github.com/roomsdev/rooms/client"
)

// writeIVF writes n VP8 frames at 30 fps, a 320×180 keyframe every 15
// (2,500 bytes: three packets each) and 600-byte delta frames between.
func writeIVF(t *testing.T, path string, n int) {
	t.Helper()
	h := make([]byte, 32)
	copy(h, "DKIF")
	binary.LittleEndian.PutUint16(h[6:], 32)
	copy(h[8:], "VP80")
	binary.LittleEndian.PutUint16(h[12:], 320)
	binary.LittleEndian.PutUint16(h[14:], 180)
	binary.LittleEndian.PutUint32(h[16:], 30) // time base 1/30 s
	binary.LittleEndian.PutUint32(h[20:], 1)
	binary.LittleEndian.PutUint32(h[24:], uint32(n))
	out := h
	for i := range n {
		var frame []byte
		if i%15 == 0 {
			frame = make([]byte, 2500)
			frame[0] = 0x10 // key frame, shown
			copy(frame[3:], []byte{0x9d, 0x01, 0x2a})
			binary.LittleEndian.PutUint16(frame[6:], 320)
			binary.LittleEndian.PutUint16(frame[8:], 180)
		} else {
			frame = make([]byte, 600)
			frame[0] = 0x11 // inter frame, shown
		}
		fh := make([]byte, 12)
		binary.LittleEndian.PutUint32(fh, uint32(len(frame)))
		binary.LittleEndian.PutUint64(fh[4:], uint64(i))
		out = append(append(out, fh...), frame...)
	}
	if err := os.WriteFile(path, out, 0o600); err != nil {
		t.Fatal(err)
	}
}

// writeOgg writes n 20 ms Opus packets (CELT, one frame each) with pion's
// Ogg writer; packet i is 60 + i%40 bytes long, so receivers can tell
// them from any other audio.
func writeOgg(t *testing.T, path string, n int) {
	t.Helper()
	w, err := oggwriter.New(path, 48000, 2)
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		p := make([]byte, 60+i%40)
		p[0] = 31 << 3
		if err := w.WriteRTP(&rtp.Packet{Header: rtp.Header{Version: 2, SequenceNumber: uint16(i), Timestamp: uint32(i * 960)}, Payload: p}); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

// The SDK publishes real media from files: an IVF video and an Ogg Opus
// recording reach the others as they are in the files, keyframes (with
// the file's picture size) where the file has them, in real time, and
// again from the start when the files end.
func TestSDKPublishesFromFiles(t *testing.T) {
	dir := t.TempDir()
	ivf, ogg := filepath.Join(dir, "camera.ivf"), filepath.Join(dir, "voice.ogg")
	writeIVF(t, ivf, 45) // 1.5 s
	writeOgg(t, ogg, 50) // 1 s
	files, err := client.LoadMediaFiles(ivf, ogg)
	if err != nil {
		t.Fatal(err)
	}
	src, err := client.NewFileSource("bea", files)
	if err != nil {
		t.Fatal(err)
	}
	s := startServer(t, 50)
	host, room := newHost(t, s)
	_ = join(t, host, room.Token, false) // the host opens the call
	audioSizes := map[int]bool{}
	var keyframes []client.Packet
	var first, last time.Time
	var videoPackets int
	sizes := make(chan client.Packet, 4096)
	watcher := joinWith(t, s, room.Token, "Watcher", client.JoinOptions{OnPacket: func(p client.Packet) {
		select {
		case sizes <- p:
		default:
		}
	}})
	bea := joinWith(t, s, room.Token, "Bea", client.JoinOptions{Publish: src})
	receivesFrom(t, watcher, bea)
	start := time.Now()
	for time.Since(start) < 3500*time.Millisecond {
		select {
		case p := <-sizes:
			if p.From != bea.Self.ID || p.Padding {
				continue
			}
			if p.Kind == "audio" {
				audioSizes[p.Size-12] = true
				continue
			}
			videoPackets++
			if first.IsZero() {
				first = p.At
			}
			last = p.At
			if p.Keyframe {
				keyframes = append(keyframes, p)
			}
		case <-time.After(time.Second):
			t.Fatal("media stopped")
		}
	}
	for size := range audioSizes {
		if size < 60 || size >= 100 {
			t.Fatalf("an audio packet of %d bytes, which the file has none of", size)
		}
	}
	if len(audioSizes) < 30 {
		t.Fatalf("%d of the file's 40 audio packet sizes arrived", len(audioSizes))
	}
	// Keyframes every half second, from the file, with its picture size:
	// over 3.5 s and a loop, at least five.
	if len(keyframes) < 5 {
		t.Fatalf("%d keyframes in 3.5 s, want at least 5", len(keyframes))
	}
	for _, k := range keyframes {
		if k.Width != 320 || k.Height != 180 {
			t.Fatalf("a keyframe of %dx%d, want the file's 320x180", k.Width, k.Height)
		}
	}
	// Real time: 30 frames a second, keyframes in three packets.
	secs := last.Sub(first).Seconds()
	if rate := float64(videoPackets) / secs; rate < 25 || rate > 50 {
		t.Fatalf("%.0f video packets a second, want about 34 (30 frames, every 15th in three packets)", rate)
	}
}
