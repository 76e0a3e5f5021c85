package client

import (
	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"

	"github.com/roomsdev/rooms/internal/depdesc"
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
	return newSVCSynthetic(streamID, vp9Codec)
}

var vp9Codec = webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeVP9, ClockRate: 90000, SDPFmtpLine: "profile-id=0"}

// NewAV1SVCSynthetic returns audio and one AV1 stream with three spatial
// layers, as Chrome sends with scalabilityMode "L3T3_KEY": the same
// pictures as NewSVCSynthetic, but each layer frame's packets say their
// layers in the dependency descriptor header extension (the AV1 RTP
// specification, appendix A; internal/depdesc), whose structure, with
// each layer's size, rides on the first packet of every keyframe. The
// payloads start with a valid aggregation header and are not decodable.
func NewAV1SVCSynthetic(streamID string) (*Synthetic, error) {
	return newSVCSynthetic(streamID, av1Codec)
}

// newSVCSynthetic is audio and one video stream of codec with
// SimulcastLayers as its spatial layers.
func newSVCSynthetic(streamID string, codec webrtc.RTPCodecCapability) (*Synthetic, error) {
	s, err := newSynthetic(streamID)
	if err != nil {
		return nil, err
	}
	if s.Video, err = webrtc.NewTrackLocalStaticRTP(codec, "video", streamID); err != nil {
		return nil, err
	}
	s.Layers = SimulcastLayers
	s.svc, s.av1 = true, codec.MimeType == webrtc.MimeTypeAV1
	s.spatial.Store(int32(len(s.Layers)))
	return s, nil
}

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
	if s.av1 && (key || s.structure == nil || s.structure.SpatialLayers != layers) {
		res := make([]depdesc.Resolution, layers)
		for j := range res {
			res[j] = depdesc.Resolution{Width: s.Layers[j].Width, Height: s.Layers[j].Height}
		}
		s.structure = depdesc.KeySVC(layers, res)
	}
	for sid := 0; sid < layers; sid++ {
		l := s.Layers[sid]
		n := max(l.PacketsPerFrame, 1)
		if key {
			n *= 3
		}
		size := min(max(l.Bitrate/(30*8*max(l.PacketsPerFrame, 1)), 60), len(payload))
		s.frames++ // AV1's dependency descriptors number layer frames
		for i := 0; i < n; i++ {
			if s.av1 {
				s.putDependencyDescriptor(p, sid, tid, key, i == 0, i == n-1)
				av1Header(payload, i == 0, i == n-1, key && sid == 0)
				s.sendLayerPacket(p, payload, 2, size, sid, sid == layers-1 && i == n-1)
				continue
			}
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
			s.sendLayerPacket(p, payload, vp9.Put(payload, &d), size, sid, sid == layers-1 && i == n-1)
		}
	}
}

// sendLayerPacket sends one packet of spatial layer sid whose payload
// header is h bytes long: the layer tag follows it (Packet.SyntheticLayer
// reads it at a fixed place only for simulcast).
func (s *Synthetic) sendLayerPacket(p *rtp.Packet, payload []byte, h, size, sid int, marker bool) {
	payload[h], payload[h+1], payload[h+2] = syntheticTag[0], syntheticTag[1], byte(sid)
	p.SequenceNumber++
	p.Marker = marker
	p.Payload = payload[:max(size, h+3)]
	if err := s.Video.WriteRTP(p); err != nil {
		return
	}
	s.sentBy[sid].Add(1)
	s.sent.Add(1)
}

// putDependencyDescriptor sets the dependency descriptor of one packet of
// layer sid's frame: the structure on a keyframe's first packet.
func (s *Synthetic) putDependencyDescriptor(p *rtp.Packet, sid int, tid uint8, key, first, last bool) {
	if s.ddID == 0 {
		return // not negotiated: a stream without descriptors
	}
	attach := key && sid == 0 && first
	d := depdesc.Descriptor{Start: first, End: last, FrameNumber: s.frames,
		TemplateID: depdesc.KeySVCTemplate(s.structure, sid, tid, key)}
	// WriteRTP copies the packet out before returning: one buffer serves.
	n := depdesc.Size(s.structure, attach, false)
	if cap(s.ddBuf) < n {
		s.ddBuf = make([]byte, n)
	}
	ext := s.ddBuf[:n]
	depdesc.Put(ext, &d, s.structure, attach)
	p.Header.Extension, p.Header.Extensions = false, p.Header.Extensions[:0]
	_ = p.Header.SetExtension(s.ddID, ext)
}

// svcReceiver reads the layers of the VP9 packets one track receives, or
// of the AV1 packets from their dependency descriptors (under ddID).
type svcReceiver struct {
	widths, heights [vp9.MaxSpatialLayers]uint16 // from the latest scalability structure
	ddID            uint8
	structure       *depdesc.Structure
}

// addAV1 is add for an AV1 packet with dependency descriptor ext:
// (-1, -1) when it cannot be read.
func (v *svcReceiver) addAV1(r *Received, p *rtp.Packet, ext []byte) (sid, tid int) {
	var d depdesc.Descriptor
	if depdesc.Parse(ext, v.structure, &d) != nil {
		return -1, -1
	}
	if st := d.Attached; st != nil {
		v.structure = st
		for i, res := range st.Resolutions {
			if i < len(v.widths) {
				v.widths[i], v.heights[i] = uint16(res.Width), uint16(res.Height)
			}
		}
	}
	return v.count(r, p, d.Spatial, d.Temporal)
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
	return v.count(r, p, d.SID, d.TID)
}

// count counts a packet of layer sid; the received size is the size of
// the layer that ends each picture (the marker), the one a decoder shows.
func (v *svcReceiver) count(r *Received, p *rtp.Packet, sid, tid uint8) (int, int) {
	r.SpatialPackets[min(int(sid), len(r.SpatialPackets)-1)].Add(1)
	if p.Marker && int(sid) < len(v.heights) && v.heights[sid] > 0 {
		r.Width.Store(int32(v.widths[sid]))
		r.Height.Store(int32(v.heights[sid]))
	}
	return int(sid), int(tid)
}
