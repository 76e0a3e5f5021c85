package client

import (
	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"

	"github.com/roomsdev/rooms/internal/vp9"
)

// NewSVCSynthetic returns audio and one VP9 stream with three spatial
// layers, as Chrome sends with scalabilityMode "L3T3_KEY" (K-SVC): every
// picture carries the layers of SimulcastLayers (180p, 360p, 720p) one
// after the other, under one timestamp, each with a VP9 payload
// descriptor (RFC 9628, flexible mode) giving its spatial and temporal
// layer; the marker is on the last packet of the picture; keyframes carry
// the scalability structure with each layer's size. Temporal layers follow
// L3T3's pattern (0, 2, 1, 2). The payloads are not decodable.
func NewSVCSynthetic(streamID string) (*Synthetic, error) {
	s, err := newSynthetic(streamID)
	if err != nil {
		return nil, err
	}
	if s.Video, err = webrtc.NewTrackLocalStaticRTP(vp9Codec, "video", streamID); err != nil {
		return nil, err
	}
	s.Layers = SimulcastLayers
	s.svc = true
	s.spatial.Store(int32(len(s.Layers)))
	return s, nil
}

var vp9Codec = webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeVP9, ClockRate: 90000, SDPFmtpLine: "profile-id=0"}

// SpatialLayers is how many spatial layers an SVC source sends now: the
// server lowers it when nobody receives the upper ones (publishLayers).
func (s *Synthetic) SpatialLayers() int { return int(s.spatial.Load()) }

// SentOnSpatialLayer is how many packets an SVC source has sent of one
// spatial layer.
func (s *Synthetic) SentOnSpatialLayer(sid int) int64 {
	if sid < 0 || sid >= len(s.sentBy) {
		return 0
	}
	return s.sentBy[sid].Load()
}

// setSpatial applies the server's publishLayers for an SVC track: send n
// spatial layers. Adding layers back starts with a keyframe, as a
// browser's encoder does when its scalability mode changes.
func (s *Synthetic) setSpatial(n int) {
	if !s.svc {
		return
	}
	n = min(max(n, 1), len(s.Layers))
	if old := s.spatial.Swap(int32(n)); int(old) != n {
		s.wantKey[0].Store(true)
	}
}

// l3t3 is the temporal layer of each picture in L3T3's four-picture cycle.
var l3t3 = [4]uint8{0, 2, 1, 2}

// writePicture sends one picture of an SVC source: each spatial layer's
// packets in turn. Keyframes are three times larger, as real ones are.
func (s *Synthetic) writePicture(p *rtp.Packet, payload []byte, picture uint16) {
	if s.paused[0].Load() || s.Video == nil {
		return
	}
	key := s.wantKey[0].CompareAndSwap(true, false)
	if key {
		s.pictures = 0
	}
	tid := l3t3[s.pictures%len(l3t3)]
	s.pictures++
	fps := s.FrameRate
	if fps <= 0 {
		fps = 30
	}
	p.Timestamp += uint32(90000 / fps)
	layers := int(s.spatial.Load())
	for sid := 0; sid < layers; sid++ {
		l := s.Layers[sid]
		n := max(l.PacketsPerFrame, 1)
		if key {
			n *= 3
		}
		size := min(max(l.Bitrate/(30*8*max(l.PacketsPerFrame, 1)), 60), len(payload))
		for i := 0; i < n; i++ {
			d := vp9.Descriptor{
				HasPictureID: true, WidePictureID: true, PictureID: picture, HasLayers: true, Flexible: true,
				InterPicture: !key, Begin: i == 0, End: i == n-1,
				TID: tid, SwitchingUp: tid > 0, SID: uint8(sid), InterLayer: key && sid > 0,
				RefDiffs: [3]uint8{1}, RefCount: 1,
			}
			if key && sid == 0 && i == 0 {
				d.HasSS, d.SpatialLayers, d.SizesPresent = true, layers, true
				for j := 0; j < layers; j++ {
					d.Widths[j], d.Heights[j] = uint16(s.Layers[j].Width), uint16(s.Layers[j].Height)
				}
			}
			h := vp9.Put(payload, &d)
			// The layer tag follows the descriptor (Packet.SyntheticLayer
			// reads it at a fixed place only for VP8).
			payload[h], payload[h+1], payload[h+2] = syntheticTag[0], syntheticTag[1], byte(sid)
			p.SequenceNumber++
			p.Marker = sid == layers-1 && i == n-1
			p.Payload = payload[:max(size, h+3)]
			if err := s.Video.WriteRTP(p); err != nil {
				return
			}
			s.sentBy[sid].Add(1)
			s.sent.Add(1)
		}
	}
}

// svcReceiver reads the layers of the VP9 packets one track receives.
type svcReceiver struct {
	widths, heights [vp9.MaxSpatialLayers]uint16 // from the latest scalability structure
}

// add counts one VP9 packet and returns its spatial and temporal layer
// (-1, -1 for a malformed descriptor). The received size is the size of
// the layer that ends each picture (the marker), the one a decoder shows.
func (v *svcReceiver) add(r *Received, p *rtp.Packet) (sid, tid int) {
	var d vp9.Descriptor
	if !vp9.Parse(p.Payload, &d) {
		return -1, -1
	}
	if d.HasSS && d.SizesPresent {
		v.widths, v.heights = d.Widths, d.Heights
	}
	r.SpatialPackets[min(int(d.SID), len(r.SpatialPackets)-1)].Add(1)
	if p.Marker && v.heights[d.SID] > 0 {
		r.Width.Store(int32(v.widths[d.SID]))
		r.Height.Store(int32(v.heights[d.SID]))
	}
	return int(d.SID), int(d.TID)
}
