package client

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/pion/webrtc/v4"
	"github.com/pion/webrtc/v4/pkg/media"
	"github.com/pion/webrtc/v4/pkg/media/ivfreader"
)

// MediaFiles are a video file and an audio file read into memory, to be
// played by any number of sources (NewFileSource) without reading them
// again: a load test's bots can all send the same recording.
type MediaFiles struct {
	// VideoCodec is the video's mime type (VP8, VP9 or AV1, from the IVF
	// file's FourCC); "" without video.
	VideoCodec    string
	Width, Height int
	video         []timedFrame
	audio         []timedFrame
}

// timedFrame is one video frame or Opus packet and how long it lasts.
type timedFrame struct {
	data []byte
	dur  time.Duration
}

// LoadMediaFiles reads an IVF video file (VP8, VP9 or AV1) and an Ogg
// Opus audio file; either path may be empty, not both.
func LoadMediaFiles(ivfPath, oggPath string) (*MediaFiles, error) {
	if ivfPath == "" && oggPath == "" {
		return nil, errors.New("no media file given")
	}
	m := &MediaFiles{}
	if ivfPath != "" {
		if err := m.loadIVF(ivfPath); err != nil {
			return nil, fmt.Errorf("%s: %w", ivfPath, err)
		}
	}
	if oggPath != "" {
		b, err := os.ReadFile(oggPath)
		if err != nil {
			return nil, err
		}
		if m.audio, err = readOggOpus(b); err != nil {
			return nil, fmt.Errorf("%s: %w", oggPath, err)
		}
	}
	return m, nil
}

// ivfCodecs maps IVF FourCCs to the codecs a server takes.
var ivfCodecs = map[string]string{"VP80": webrtc.MimeTypeVP8, "VP90": webrtc.MimeTypeVP9, "AV01": webrtc.MimeTypeAV1}

func (m *MediaFiles) loadIVF(path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	r, h, err := ivfreader.NewWith(bytes.NewReader(b))
	if err != nil {
		return err
	}
	if m.VideoCodec = ivfCodecs[h.FourCC]; m.VideoCodec == "" {
		return fmt.Errorf("unsupported video codec %q (VP80, VP90 or AV01)", h.FourCC)
	}
	if h.TimebaseDenominator == 0 || h.TimebaseNumerator == 0 {
		return errors.New("the IVF header has no time base")
	}
	m.Width, m.Height = int(h.Width), int(h.Height)
	var pts []uint64
	for {
		frame, fh, err := r.ParseNextFrame()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		m.video = append(m.video, timedFrame{data: frame})
		pts = append(pts, fh.Timestamp)
	}
	if len(m.video) == 0 {
		return errors.New("no video frames")
	}
	// A frame lasts until the next one; the last as long as the one
	// before it (a 30 fps frame if it is alone), so a loop keeps time.
	// The reader gives each frame's pts times denominator/numerator (the
	// file's time base is numerator/denominator seconds), so a step of
	// its timestamps is that many (numerator/denominator)² seconds.
	num, den := time.Duration(h.TimebaseNumerator), time.Duration(h.TimebaseDenominator)
	for i := range m.video {
		switch {
		case i+1 < len(pts) && pts[i+1] > pts[i]:
			m.video[i].dur = time.Duration(pts[i+1]-pts[i]) * time.Second * num * num / (den * den)
		case i > 0:
			m.video[i].dur = m.video[i-1].dur
		default:
			m.video[i].dur = time.Second / 30
		}
	}
	return nil
}

// NewFileSource returns a source that plays files in a loop, in real
// time: the video as one stream in its file's codec, the audio as Opus.
// A file has its own keyframes: a keyframe request is not answered (the
// next one in the file comes when it comes), so files meant for rooms
// people join should have one every second or two.
func NewFileSource(streamID string, files *MediaFiles) (*Synthetic, error) {
	s := &Synthetic{files: files}
	if len(files.audio) > 0 {
		t, err := webrtc.NewTrackLocalStaticSample(webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeOpus, ClockRate: 48000, Channels: 2}, "audio", streamID)
		if err != nil {
			return nil, err
		}
		s.fileAudio = t
	}
	if len(files.video) > 0 {
		t, err := webrtc.NewTrackLocalStaticSample(webrtc.RTPCodecCapability{MimeType: files.VideoCodec, ClockRate: 90000}, "video", streamID)
		if err != nil {
			return nil, err
		}
		s.fileVideo = t
		s.Layers = []Layer{{Width: files.Width, Height: files.Height}}
	}
	return s, nil
}

// playFiles sends the files' frames, each when its time comes, until ctx
// ends. Video the server pauses (nobody watches it) keeps its place in
// time and is not sent.
func (s *Synthetic) playFiles(ctx context.Context) {
	f := s.files
	start := time.Now()
	var vi, ai int
	var vAt, aAt time.Duration // when the next frame of each is due, from start
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		next, video := aAt, false
		if s.fileVideo != nil && (s.fileAudio == nil || vAt <= aAt) {
			next, video = vAt, true
		}
		timer.Reset(time.Until(start.Add(next)))
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		}
		if video {
			fr := f.video[vi%len(f.video)]
			if !s.paused[0].Load() {
				if s.fileVideo.WriteSample(media.Sample{Data: fr.data, Duration: fr.dur}) == nil {
					s.sent.Add(1)
					s.sentBy[0].Add(1)
				}
			}
			vi++
			vAt += fr.dur
			continue
		}
		fr := f.audio[ai%len(f.audio)]
		if s.fileAudio.WriteSample(media.Sample{Data: fr.data, Duration: fr.dur}) == nil {
			s.sent.Add(1)
		}
		ai++
		aAt += fr.dur
	}
}

// readOggOpus splits an Ogg Opus file (RFC 7845) into its audio packets
// with their durations. pion's oggreader returns whole pages, and most
// encoders put a second of packets in a page.
func readOggOpus(b []byte) ([]timedFrame, error) {
	var packets [][]byte
	var cur []byte
	for len(b) > 0 {
		if len(b) < 27 || string(b[:4]) != "OggS" {
			return nil, errors.New("not an Ogg file")
		}
		nseg := int(b[26])
		if len(b) < 27+nseg {
			return nil, errors.New("truncated Ogg page")
		}
		lacing := b[27 : 27+nseg]
		body := b[27+nseg:]
		for _, l := range lacing {
			if len(body) < int(l) {
				return nil, errors.New("truncated Ogg page")
			}
			cur = append(cur, body[:l]...)
			body = body[l:]
			if l < 255 { // a packet ends at a segment shorter than 255
				packets = append(packets, cur)
				cur = nil
			}
		}
		b = body
	}
	if len(packets) < 2 || !bytes.HasPrefix(packets[0], []byte("OpusHead")) {
		return nil, errors.New("not an Ogg Opus file")
	}
	var out []timedFrame
	for _, p := range packets[2:] { // after OpusHead and OpusTags
		d, ok := opusDuration(p)
		if !ok {
			return nil, errors.New("a malformed Opus packet")
		}
		out = append(out, timedFrame{data: p, dur: d})
	}
	if len(out) == 0 {
		return nil, errors.New("no audio packets")
	}
	return out, nil
}

// opusDuration reads how much audio an Opus packet holds from its TOC
// byte (RFC 6716 §3.1): the frame size its configuration names, times
// the number of frames.
func opusDuration(p []byte) (time.Duration, bool) {
	if len(p) < 1 {
		return 0, false
	}
	config := int(p[0] >> 3)
	var frame time.Duration
	switch {
	case config < 12: // SILK: 10, 20, 40, 60 ms
		frame = [4]time.Duration{10, 20, 40, 60}[config%4] * time.Millisecond
	case config < 16: // hybrid: 10, 20 ms
		frame = [2]time.Duration{10, 20}[config%2] * time.Millisecond
	default: // CELT: 2.5, 5, 10, 20 ms
		frame = [4]time.Duration{2500, 5000, 10000, 20000}[config%4] * time.Microsecond
	}
	n := 1
	switch p[0] & 3 {
	case 1, 2:
		n = 2
	case 3:
		if len(p) < 2 {
			return 0, false
		}
		n = int(p[1] & 0x3f)
	}
	if n == 0 || time.Duration(n)*frame > 120*time.Millisecond {
		return 0, false
	}
	return time.Duration(n) * frame, true
}
