package client

import (
	"sync"
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
	// its payload descriptor, or an AV1 packet's, from its dependency
	// descriptor (a VP8 packet's temporal layer, when it has one); -1
	// otherwise.
	SpatialLayer, TemporalLayer int
	// PictureID is a VP8 packet's PictureID; -1 for other codecs.
	PictureID int
	At        time.Time
}

// vp8Layers reads a VP8 payload descriptor (RFC 7741 §4.2): the
// PictureID and the temporal layer, each -1 when absent.
func vp8Layers(p []byte) (pic, tid int) {
	pic, tid = -1, -1
	if len(p) < 2 || p[0]&0x80 == 0 {
		return pic, tid
	}
	x, i := p[1], 2
	if x&0x80 != 0 { // I
		if len(p) <= i {
			return -1, -1
		}
		if p[i]&0x80 != 0 {
			if len(p) <= i+1 {
				return -1, -1
			}
			pic = int(p[i]&0x7f)<<8 | int(p[i+1])
			i += 2
		} else {
			pic = int(p[i] & 0x7f)
			i++
		}
	}
	if x&0x40 != 0 { // L
		i++
	}
	if x&0x20 != 0 && len(p) > i { // T
		tid = int(p[i] >> 6)
	}
	return pic, tid
}

// isKeyframe tells keyframes of the codec apart; nil for audio.
func isKeyframe(mime string) func([]byte) bool { return keyframe.Detect(mime) }

// SenderReport is the latest RTCP sender report received for one stream.
type SenderReport struct {
	SSRC            uint32
	NTPTime         time.Time // the sender's wall clock when it sent the report
	RTPTime         uint32    // the stream's RTP clock at that moment
	Packets, Octets uint32    // what the sender says it has sent
	At              time.Time // when the report arrived
}

// rtcpStats is what the rtcpCounter interceptor saw on a call's
// connections: the NACKs sent, the latest sender report per stream.
type rtcpStats struct {
	nacks atomic.Int64
	mu    sync.Mutex
	srs   map[uint32]SenderReport
}

// rtcpCounter is an interceptor that counts the NACKs this client sends,
// so measurements show how much loss needed repair, and keeps the sender
// reports it receives.
type rtcpCounter struct {
	interceptor.NoOp
	s *rtcpStats
}

type rtcpCounterFactory struct{ s *rtcpStats }

func (f rtcpCounterFactory) NewInterceptor(string) (interceptor.Interceptor, error) {
	return &rtcpCounter{s: f.s}, nil
}

// BindRTCPWriter counts outgoing transport-layer NACKs.
func (c *rtcpCounter) BindRTCPWriter(w interceptor.RTCPWriter) interceptor.RTCPWriter {
	return interceptor.RTCPWriterFunc(func(pkts []rtcp.Packet, attrs interceptor.Attributes) (int, error) {
		for _, p := range pkts {
			if _, ok := p.(*rtcp.TransportLayerNack); ok {
				c.s.nacks.Add(1)
			}
		}
		return w.Write(pkts, attrs)
	})
}

// BindRTCPReader keeps incoming sender reports.
func (c *rtcpCounter) BindRTCPReader(r interceptor.RTCPReader) interceptor.RTCPReader {
	return interceptor.RTCPReaderFunc(func(b []byte, attrs interceptor.Attributes) (int, interceptor.Attributes, error) {
		n, attrs, err := r.Read(b, attrs)
		if err != nil {
			return n, attrs, err
		}
		if attrs == nil {
			attrs = interceptor.Attributes{}
		}
		pkts, perr := attrs.GetRTCPPackets(b[:n])
		if perr != nil {
			return n, attrs, nil
		}
		now := time.Now()
		for _, p := range pkts {
			if sr, ok := p.(*rtcp.SenderReport); ok {
				c.s.mu.Lock()
				c.s.srs[sr.SSRC] = SenderReport{
					SSRC: sr.SSRC, NTPTime: ntpToTime(sr.NTPTime), RTPTime: sr.RTPTime,
					Packets: sr.PacketCount, Octets: sr.OctetCount, At: now,
				}
				c.s.mu.Unlock()
			}
		}
		return n, attrs, nil
	})
}

// ntpToTime converts a 64-bit NTP timestamp (seconds since 1900).
func ntpToTime(ntp uint64) time.Time {
	secs := int64(ntp>>32) - 2_208_988_800
	nanos := int64((ntp & 0xffffffff) * 1e9 >> 32)
	return time.Unix(secs, nanos)
}

// NACKsSent is how many NACKs this client has sent (packets it asked the
// server to send again).
func (c *Call) NACKsSent() int64 { return c.rtcp.nacks.Load() }

// SenderReports are the latest RTCP sender reports received, by SSRC.
func (c *Call) SenderReports() map[uint32]SenderReport {
	c.rtcp.mu.Lock()
	defer c.rtcp.mu.Unlock()
	out := make(map[uint32]SenderReport, len(c.rtcp.srs))
	for k, v := range c.rtcp.srs {
		out[k] = v
	}
	return out
}

// keyframeAskEvery is the least time between two keyframe requests for
// a video that has shown none yet.
const keyframeAskEvery = 200 * time.Millisecond

// askKeyframe asks the server for a keyframe of the stream ssrc (RFC 4585
// PLI), as a browser's decoder does when a video's first packets are not
// a keyframe. The server may have sent one the moment it had the answer
// adding the track, and pion starts the track's receiver a moment after
// it returns the answer (in its operations queue): a packet that comes
// between the two is dropped as unknown.
func (c *Call) askKeyframe(ssrc uint32) {
	go func() { _ = c.sub.WriteRTCP([]rtcp.Packet{&rtcp.PictureLossIndication{MediaSSRC: ssrc}}) }()
}
