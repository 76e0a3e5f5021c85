package client

import (
	"bytes"
	"testing"
	"time"
)

// oggPage builds one Ogg page holding packets (lacing as RFC 3533 says);
// continued marks the page's first packet as the end of one begun on an
// earlier page, and open leaves its last packet to go on in the next.
func oggPage(packets [][]byte, open bool) []byte {
	var lacing, body []byte
	for i, p := range packets {
		n := len(p)
		for n >= 255 {
			lacing = append(lacing, 255)
			n -= 255
		}
		if !(open && i == len(packets)-1) {
			lacing = append(lacing, byte(n))
		}
		body = append(body, p...)
	}
	h := make([]byte, 27)
	copy(h, "OggS")
	h[26] = byte(len(lacing))
	return append(append(h, lacing...), body...)
}

func TestOggOpusPacketsAndDurations(t *testing.T) {
	head := append([]byte("OpusHead"), make([]byte, 11)...)
	tags := []byte("OpusTags\x00\x00\x00\x00\x00\x00\x00\x00")
	celt20 := bytes.Repeat([]byte{31 << 3}, 80)                // CELT FB, 20 ms, one frame
	silk60x2 := append([]byte{3<<3 | 1}, make([]byte, 99)...)  // SILK 60 ms, two frames
	long := append([]byte{31<<3 | 3, 3}, make([]byte, 598)...) // three 20 ms CELT frames, 600 bytes: spans pages
	var file []byte
	file = append(file, oggPage([][]byte{head}, false)...)
	file = append(file, oggPage([][]byte{tags}, false)...)
	file = append(file, oggPage([][]byte{celt20, silk60x2, long[:510]}, true)...) // 510 = 2 × 255: the packet goes on
	file = append(file, oggPage([][]byte{long[510:], celt20}, false)...)
	got, err := readOggOpus(file)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		data []byte
		dur  time.Duration
	}{{celt20, 20 * time.Millisecond}, {silk60x2, 120 * time.Millisecond}, {long, 60 * time.Millisecond}, {celt20, 20 * time.Millisecond}}
	if len(got) != len(want) {
		t.Fatalf("%d packets, want %d", len(got), len(want))
	}
	for i, w := range want {
		if !bytes.Equal(got[i].data, w.data) || got[i].dur != w.dur {
			t.Fatalf("packet %d: %d bytes, %v; want %d bytes, %v", i, len(got[i].data), got[i].dur, len(w.data), w.dur)
		}
	}
	for _, bad := range [][]byte{[]byte("RIFF...."), file[:40], oggPage([][]byte{tags, celt20}, false)} {
		if _, err := readOggOpus(bad); err == nil {
			t.Fatalf("no error for %q…", bad[:min(len(bad), 8)])
		}
	}
}
