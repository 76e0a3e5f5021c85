// Package keyframe tells whether an RTP payload starts a video keyframe, for
// the codecs the SFU forwards. A new subscriber must start on a keyframe or
// its decoder shows garbage until the next one, so the forwarder holds
// video back until one passes.
package keyframe

import (
	"strings"

	"github.com/roomsdev/rooms/internal/vp9"
)

// VP8 reports whether payload (an RTP payload in the VP8 format of RFC 7741)
// is the first packet of a VP8 key frame.
func VP8(payload []byte) bool {
	// RFC 7741 §4.2: the payload descriptor is 1 byte, plus optional
	// extension bytes when X is set.
	if len(payload) < 1 {
		return false
	}
	b := payload[0]
	start := b&0x10 != 0 // S: start of a VP8 partition
	pid := b & 0x07      // PID: partition index
	if !start || pid != 0 {
		return false
	}
	i := 1
	if b&0x80 != 0 { // X: extended control bits present
		if len(payload) < 2 {
			return false
		}
		x := payload[1]
		i = 2
		if x&0x80 != 0 { // I: PictureID present
			if len(payload) <= i {
				return false
			}
			if payload[i]&0x80 != 0 { // M: 15-bit PictureID
				i += 2
			} else {
				i++
			}
		}
		if x&0x40 != 0 { // L: TL0PICIDX present
			i++
		}
		if x&0x30 != 0 { // T or K: TID/KEYIDX byte present
			i++
		}
	}
	if len(payload) <= i {
		return false
	}
	// RFC 7741 §4.3: in the VP8 payload header, P (inverse key frame flag)
	// is the lowest bit of the first byte: 0 for a key frame.
	return payload[i]&0x01 == 0
}

// VP8Size reads the picture size from the first packet of a VP8 key frame
// (RFC 6386 §9.1: after the 3-byte frame tag, the start code 9d 01 2a and
// two 14-bit dimensions). ok is false for anything else.
func VP8Size(payload []byte) (width, height int, ok bool) {
	if !VP8(payload) {
		return 0, 0, false
	}
	i := 1
	if payload[0]&0x80 != 0 {
		x := payload[1]
		i = 2
		if x&0x80 != 0 {
			if payload[i]&0x80 != 0 {
				i += 2
			} else {
				i++
			}
		}
		if x&0x40 != 0 {
			i++
		}
		if x&0x30 != 0 {
			i++
		}
	}
	b := payload[i:]
	if len(b) < 10 || b[3] != 0x9d || b[4] != 0x01 || b[5] != 0x2a {
		return 0, 0, false
	}
	return int(b[6]) | int(b[7]&0x3f)<<8, int(b[8]) | int(b[9]&0x3f)<<8, true
}

// H264 NAL unit types (RFC 6184 and ITU-T H.264 Table 7-1).
const (
	nalIDR   = 5
	nalSPS   = 7
	nalSTAPA = 24
	nalFUA   = 28
)

// H264 reports whether payload (an RTP payload in the H.264 format of
// RFC 6184) begins a key frame: an IDR slice or the SPS that precedes one.
func H264(payload []byte) bool {
	if len(payload) < 1 {
		return false
	}
	switch t := payload[0] & 0x1f; t {
	case nalIDR, nalSPS:
		return true
	case nalSTAPA:
		// Aggregated NAL units, each behind a 16-bit size.
		for i := 1; i+2 < len(payload); {
			size := int(payload[i])<<8 | int(payload[i+1])
			i += 2
			if size == 0 || i+size > len(payload) {
				return false
			}
			if nt := payload[i] & 0x1f; nt == nalIDR || nt == nalSPS {
				return true
			}
			i += size
		}
		return false
	case nalFUA:
		if len(payload) < 2 {
			return false
		}
		start := payload[1]&0x80 != 0
		nt := payload[1] & 0x1f
		return start && (nt == nalIDR || nt == nalSPS)
	default:
		return false
	}
}

// Detect returns the keyframe test for a codec MIME type (as pion names
// them, e.g. "video/VP8"), or nil when the codec is not video or not known.
// Unknown codecs are forwarded as they come.
func Detect(mimeType string) func([]byte) bool {
	switch {
	case strings.EqualFold(mimeType, "video/VP8"):
		return VP8
	case strings.EqualFold(mimeType, "video/H264"):
		return H264
	case strings.EqualFold(mimeType, "video/VP9"):
		return VP9
	case strings.EqualFold(mimeType, "video/AV1"):
		return AV1
	default:
		return nil
	}
}

// VP9 reports whether payload (an RTP payload in the VP9 format of RFC
// 9628) is the first packet of a keyframe: spatial layer 0 of a picture
// that is not predicted from an earlier one (P clear, B set). In an SVC
// stream the packets of the upper spatial layers of that picture follow.
func VP9(payload []byte) bool {
	var d vp9.Descriptor
	return vp9.Parse(payload, &d) && d.Keyframe()
}

// AV1 reports whether payload (an RTP payload in the AV1 format of the
// AOM "RTP Payload Format for AV1", §4.4) begins a keyframe: the
// aggregation header's N bit marks the first packet of a coded video
// sequence, which libwebrtc sets on every keyframe; a packet that starts
// with a sequence header OBU is taken for one too.
func AV1(payload []byte) bool {
	if len(payload) < 2 {
		return false
	}
	agg := payload[0]
	if agg&0x80 != 0 { // Z: the first OBU continues one from the previous packet
		return false
	}
	if agg&0x08 != 0 { // N
		return true
	}
	i := 1
	if w := agg >> 4 & 0x03; w != 1 {
		// The first OBU element has a leb128 length before it.
		for ; i < len(payload) && payload[i]&0x80 != 0; i++ {
		}
		i++
	}
	if i >= len(payload) {
		return false
	}
	const obuSequenceHeader = 1
	return payload[i]>>3&0x0f == obuSequenceHeader
}
