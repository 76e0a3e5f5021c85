package client

import "github.com/pion/webrtc/v4"

// NewAV1SimulcastSynthetic returns audio and three-layer simulcast video
// (SimulcastLayers) in AV1, as Chromium sends it when told to prefer AV1.
// The payloads start with a valid aggregation header (the AOM "RTP
// Payload Format for AV1", §4.4): N on the first packet of a keyframe,
// which then starts with a sequence header OBU; they carry no picture
// size, so receivers tell the layers apart by Packet.SyntheticLayer.
func NewAV1SimulcastSynthetic(streamID string) (*Synthetic, error) {
	s, err := newSimulcastSynthetic(streamID, av1Codec)
	if err != nil {
		return nil, err
	}
	s.av1 = true
	return s, nil
}

var av1Codec = webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeAV1, ClockRate: 90000}

// OBU types (AV1 specification §6.2.2).
const (
	obuSequenceHeader = 1
	obuFrame          = 6
)

// av1Header writes the aggregation header and the first OBU header of one
// packet of a frame cut into packets: one OBU element (W=1) that
// continues from the previous packet (Z) and into the next (Y).
func av1Header(payload []byte, first, last, key bool) {
	agg := byte(0x10) // W = 1
	if !first {
		agg |= 0x80 // Z
	}
	if !last {
		agg |= 0x40 // Y
	}
	obu := byte(obuFrame << 3)
	if first && key {
		agg |= 0x08 // N: a new coded video sequence starts
		obu = obuSequenceHeader << 3
	}
	payload[0], payload[1] = agg, obu
}
