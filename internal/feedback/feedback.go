// Package feedback is what a media receiver tells its sender over RTCP,
// without a goroutine: NACKs for lost packets (RFC 4585), receiver
// reports (RFC 3550 section 6.4.2) and transport-wide congestion control
// feedback (draft-holmer-rmcat-transport-wide-cc-extensions-01).
//
// pion has an interceptor for each, and each runs a goroutine per
// PeerConnection for its timer (the congestion control one also hands
// every packet over a channel to it). The SFU has a publisher connection
// per participant and a heartbeat per room already; an Interceptor here
// records what arrives on the goroutine that reads it, and the heartbeat
// calls Flush to send what is due.
package feedback

import (
	"math/rand/v2"
	"sync"
	"time"

	"github.com/pion/interceptor"
	"github.com/pion/interceptor/pkg/twcc"
	"github.com/pion/rtcp"
	"github.com/pion/rtp"
	"github.com/pion/sdp/v3"
)

// Flush intervals: pion's, and libwebrtc's, for NACKs and congestion
// feedback; RFC 3550's usual second for reports.
const (
	NACKInterval   = 100 * time.Millisecond
	TWCCInterval   = 100 * time.Millisecond
	ReportInterval = time.Second
)

// Interceptor records one PeerConnection's incoming streams and makes
// its feedback. Add it to the connection's registry with Factory.
type Interceptor struct {
	interceptor.NoOp

	senderSSRC uint32 // the SSRC our RTCP goes out under
	start      time.Time

	mu                             sync.Mutex
	writer                         interceptor.RTCPWriter
	streams                        map[uint32]*stream
	recorder                       *twcc.Recorder // made with the first stream that carries the extension
	lastNACK, lastTWCC, lastReport time.Time
	closed                         bool
	missing                        []uint16 // scratch for NACKs
}

// New makes an interceptor for one connection.
func New() *Interceptor {
	return &Interceptor{
		senderSSRC: rand.Uint32(),
		start:      time.Now(),
		streams:    make(map[uint32]*stream),
		missing:    make([]uint16, 0, nackReach),
	}
}

// Factory hands i to pion's registry, for the one connection it serves.
func Factory(i *Interceptor) interceptor.Factory { return factory{i} }

type factory struct{ i *Interceptor }

func (f factory) NewInterceptor(string) (interceptor.Interceptor, error) { return f.i, nil }

// BindRTCPWriter keeps the connection's RTCP writer for Flush.
func (i *Interceptor) BindRTCPWriter(w interceptor.RTCPWriter) interceptor.RTCPWriter {
	i.mu.Lock()
	i.writer = w
	i.mu.Unlock()
	return w
}

// BindRemoteStream records every packet of an incoming stream as it is
// read.
func (i *Interceptor) BindRemoteStream(info *interceptor.StreamInfo, r interceptor.RTPReader) interceptor.RTPReader {
	s := &stream{ssrc: info.SSRC, clockRate: float64(info.ClockRate), ccID: ccIDOf(info)}
	for _, fb := range info.RTCPFeedback {
		if fb.Type == "nack" && fb.Parameter == "" {
			s.nack = true
		}
	}
	ccID := s.ccID
	i.mu.Lock()
	i.streams[info.SSRC] = s
	if ccID != 0 && i.recorder == nil {
		i.recorder = twcc.NewRecorder(i.senderSSRC)
	}
	i.mu.Unlock()
	return interceptor.RTPReaderFunc(func(b []byte, a interceptor.Attributes) (int, interceptor.Attributes, error) {
		n, a, err := r.Read(b, a)
		if err != nil {
			return n, a, err
		}
		// Parsed into the stream's own header, not the attributes' (a map
		// and a header allocated per packet): a stream is read by one
		// goroutine at a time.
		if _, err := s.hdr.Unmarshal(b[:n]); err != nil {
			return n, a, err
		}
		i.record(s, &s.hdr, ccID, time.Now())
		return n, a, nil
	})
}

// ccIDOf is the stream's transport-wide sequence number extension id, or 0.
func ccIDOf(info *interceptor.StreamInfo) uint8 {
	for _, e := range info.RTPHeaderExtensions {
		if e.URI == sdp.TransportCCURI && e.ID > 0 && e.ID < 256 {
			return uint8(e.ID)
		}
	}
	return 0
}

// Received records a packet read past pion's interceptors (the SFU reads
// its publishers' media straight off the socket), arrived at now, as
// the stream's reader would have. A stream not bound is ignored.
func (i *Interceptor) Received(h *rtp.Header, now time.Time) {
	i.mu.Lock()
	s := i.streams[h.SSRC]
	i.mu.Unlock()
	if s != nil {
		i.record(s, h, s.ccID, now)
	}
}

// Repaired records that the packet seq of the stream ssrc arrived
// repaired (RTX), so that it is not asked for again. Only the NACK log
// notes it: a retransmission says nothing of the path's jitter.
func (i *Interceptor) Repaired(ssrc uint32, seq uint16) {
	i.mu.Lock()
	defer i.mu.Unlock()
	if s := i.streams[ssrc]; s != nil && s.log.started {
		if d := s.log.end - seq; d > 0 && d < logSize {
			s.log.add(seq)
		}
	}
}

// record notes one packet of s, arrived at now.
func (i *Interceptor) record(s *stream, h *rtp.Header, ccID uint8, now time.Time) {
	var cc rtp.TransportCCExtension
	haveCC := false
	if ccID != 0 {
		if ext := h.GetExtension(ccID); ext != nil && cc.Unmarshal(ext) == nil {
			haveCC = true
		}
	}
	i.mu.Lock()
	s.add(h.SequenceNumber, h.Timestamp, now)
	if haveCC && i.recorder != nil {
		i.recorder.Record(s.ssrc, cc.TransportSequence, now.Sub(i.start).Microseconds())
	}
	i.mu.Unlock()
}

// UnbindRemoteStream forgets a stream that ended.
func (i *Interceptor) UnbindRemoteStream(info *interceptor.StreamInfo) {
	i.mu.Lock()
	delete(i.streams, info.SSRC)
	i.mu.Unlock()
}

// BindRTCPReader watches the sender's reports, which the receiver
// reports answer (their time is how the sender measures the round trip).
func (i *Interceptor) BindRTCPReader(r interceptor.RTCPReader) interceptor.RTCPReader {
	return interceptor.RTCPReaderFunc(func(b []byte, a interceptor.Attributes) (int, interceptor.Attributes, error) {
		n, a, err := r.Read(b, a)
		if err != nil {
			return n, a, err
		}
		if a == nil {
			a = make(interceptor.Attributes)
		}
		pkts, err := a.GetRTCPPackets(b[:n])
		if err != nil {
			return n, a, err
		}
		now := time.Now()
		for _, p := range pkts {
			if sr, ok := p.(*rtcp.SenderReport); ok {
				i.mu.Lock()
				if s := i.streams[sr.SSRC]; s != nil {
					s.lastSR, s.lastSRAt = uint32(sr.NTPTime>>16), now
				}
				i.mu.Unlock()
			}
		}
		return n, a, nil
	})
}

// Close stops Flush from sending anything more.
func (i *Interceptor) Close() error {
	i.mu.Lock()
	i.closed = true
	i.mu.Unlock()
	return nil
}

// Closed reports whether the connection closed the interceptor.
func (i *Interceptor) Closed() bool {
	i.mu.Lock()
	defer i.mu.Unlock()
	return i.closed
}

// Flush sends the feedback that is due at now: NACKs and congestion
// feedback every NACKInterval and TWCCInterval, receiver reports every
// ReportInterval. Call it more often than that (the SFU's heartbeat
// ticks every 100 ms); a late call sends what it owes then.
func (i *Interceptor) Flush(now time.Time) {
	i.mu.Lock()
	if i.closed || i.writer == nil {
		i.mu.Unlock()
		return
	}
	var out []rtcp.Packet
	if now.Sub(i.lastNACK) >= NACKInterval-tickSlack {
		i.lastNACK = now
		for _, s := range i.streams {
			if !s.nack {
				continue
			}
			if missing := s.log.missing(i.missing[:0]); len(missing) > 0 {
				out = append(out, &rtcp.TransportLayerNack{
					SenderSSRC: i.senderSSRC,
					MediaSSRC:  s.ssrc,
					Nacks:      rtcp.NackPairsFromSequenceNumbers(missing),
				})
			}
		}
	}
	if i.recorder != nil && now.Sub(i.lastTWCC) >= TWCCInterval-tickSlack {
		i.lastTWCC = now
		out = append(out, i.recorder.BuildFeedbackPacket()...)
	}
	if now.Sub(i.lastReport) >= ReportInterval-tickSlack {
		i.lastReport = now
		var blocks []rtcp.ReceptionReport
		for _, s := range i.streams {
			if b, ok := s.report(now); ok {
				blocks = append(blocks, b)
			}
		}
		// At most 31 blocks to a report (its 5-bit count).
		for len(blocks) > 0 {
			n := min(len(blocks), 31)
			out = append(out, &rtcp.ReceiverReport{SSRC: i.senderSSRC, Reports: blocks[:n]})
			blocks = blocks[n:]
		}
	}
	w := i.writer
	i.mu.Unlock()
	// One packet a write, as pion's interceptors send them: a compound
	// of many NACKs and feedback could outgrow a datagram.
	for _, p := range out {
		_, _ = w.Write([]rtcp.Packet{p}, nil)
	}
}

// tickSlack lets a heartbeat a little early still count as on time.
const tickSlack = 10 * time.Millisecond
