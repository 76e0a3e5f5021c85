package client

import (
	"sync/atomic"
	"time"

	"github.com/pion/interceptor"
	"github.com/pion/rtcp"

	"github.com/roomsdev/rooms/internal/keyframe"
)

// Packet describes one received RTP packet, for programs that measure
// what they receive (the load tool). It holds no payload.
type Packet struct {
	From      string // the publisher's participant id
	Kind      string // "audio" or "video"
	SSRC      uint32
	Seq       uint16
	Timestamp uint32
	ClockRate uint32
	Size      int
	Keyframe  bool // the first packet of a VP8, H.264, VP9 or AV1 keyframe
	// Width and Height are a VP8 keyframe's picture size (0 otherwise).
	Width, Height int
	// SyntheticLayer is the simulcast layer a Synthetic source sent the
	// packet on (0 lowest), read from its payload; -1 for other sources.
	SyntheticLayer int
	// Padding marks a padding-only packet (no payload): the server probing
	// the downlink. It takes a sequence number like any other.
	Padding bool
	// Marker is the RTP marker bit: the last packet of a picture.
	Marker bool
	// SpatialLayer and TemporalLayer are a VP9 packet's layer ids, from
	// its payload descriptor; -1 for other codecs.
	SpatialLayer, TemporalLayer int
	At                          time.Time
}

// isKeyframe tells keyframes of the codec apart; nil for audio.
func isKeyframe(mime string) func([]byte) bool { return keyframe.Detect(mime) }

// nackCounter is an interceptor that counts the NACKs this client sends,
// so measurements show how much loss needed repair.
type nackCounter struct {
	interceptor.NoOp
	n *atomic.Int64
}

type nackCounterFactory struct{ n *atomic.Int64 }

func (f nackCounterFactory) NewInterceptor(string) (interceptor.Interceptor, error) {
	return &nackCounter{n: f.n}, nil
}

// BindRTCPWriter counts outgoing transport-layer NACKs.
func (c *nackCounter) BindRTCPWriter(w interceptor.RTCPWriter) interceptor.RTCPWriter {
	return interceptor.RTCPWriterFunc(func(pkts []rtcp.Packet, attrs interceptor.Attributes) (int, error) {
		for _, p := range pkts {
			if _, ok := p.(*rtcp.TransportLayerNack); ok {
				c.n.Add(1)
			}
		}
		return w.Write(pkts, attrs)
	})
}
