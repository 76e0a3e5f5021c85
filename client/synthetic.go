package client

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"
)

// Synthetic publishes generated media at realistic rates: Opus-sized audio
// packets every 20 ms and one VP8 packet per video frame at 30 frames a
// second (a 180p layer is about one packet a frame at ~150 kbps). Video
// starts with a keyframe and sends another on each request (PLI) and every
// few seconds, as browsers do. The payloads are not decodable pictures;
// they carry valid VP8 payload descriptors so the SFU sees keyframes.
type Synthetic struct {
	Audio *webrtc.TrackLocalStaticRTP
	Video *webrtc.TrackLocalStaticRTP

	wantKey atomic.Bool
	sent    atomic.Int64
}

// Sent is how many packets this source has written.
func (s *Synthetic) Sent() int64 { return s.sent.Load() }

// NewSynthetic returns audio and video tracks with the given ids.
func NewSynthetic(streamID string) (*Synthetic, error) {
	a, err := webrtc.NewTrackLocalStaticRTP(webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeOpus, ClockRate: 48000, Channels: 2}, "audio", streamID)
	if err != nil {
		return nil, err
	}
	v, err := webrtc.NewTrackLocalStaticRTP(webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeVP8, ClockRate: 90000}, "video", streamID)
	if err != nil {
		return nil, err
	}
	s := &Synthetic{Audio: a, Video: v}
	s.wantKey.Store(true)
	return s, nil
}

// RequestKeyframe makes the next video frame a keyframe.
func (s *Synthetic) RequestKeyframe() { s.wantKey.Store(true) }

// tracks are the tracks to publish; setting Video to nil before joining
// publishes audio only.
func (s *Synthetic) tracks() []webrtc.TrackLocal {
	out := []webrtc.TrackLocal{s.Audio}
	if s.Video != nil {
		out = append(out, s.Video)
	}
	return out
}

// run sends media until ctx ends.
func (s *Synthetic) run(ctx context.Context) {
	audioTick := time.NewTicker(20 * time.Millisecond)
	defer audioTick.Stop()
	videoTick := time.NewTicker(time.Second / 30)
	defer videoTick.Stop()
	keyEvery := time.NewTicker(3 * time.Second)
	defer keyEvery.Stop()

	audio := rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: 111}, Payload: make([]byte, 80)}
	video := rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: 96, Marker: true}}
	payload := make([]byte, 600)
	var picture uint16
	for {
		select {
		case <-ctx.Done():
			return
		case <-keyEvery.C:
			s.RequestKeyframe()
		case <-audioTick.C:
			audio.SequenceNumber++
			audio.Timestamp += 960
			_ = s.Audio.WriteRTP(&audio)
			s.sent.Add(1)
		case <-videoTick.C:
			if s.Video == nil {
				continue
			}
			video.SequenceNumber++
			video.Timestamp += 3000
			picture = (picture + 1) & 0x7fff
			// VP8 payload descriptor (RFC 7741): X and S set, PID 0;
			// I set with a 15-bit PictureID. Then the payload header,
			// whose lowest bit is 0 for a keyframe.
			payload[0] = 0x90
			payload[1] = 0x80
			payload[2] = 0x80 | byte(picture>>8)
			payload[3] = byte(picture)
			payload[4] = 0x01 // delta frame
			if s.wantKey.CompareAndSwap(true, false) {
				payload[4] = 0x00
			}
			video.Payload = payload
			_ = s.Video.WriteRTP(&video)
			s.sent.Add(1)
		}
	}
}
