package feedback

import (
	"time"

	"github.com/pion/rtcp"
	"github.com/pion/rtp"
)

// stream is what is known of one incoming SSRC. Interceptor.mu guards it.
type stream struct {
	ssrc      uint32
	clockRate float64
	nack      bool       // the sender retransmits on NACK
	ccID      uint8      // the transport-wide sequence number's extension id, or 0
	hdr       rtp.Header // the packet being read (its reader's, not mu's)

	// log is which numbers arrived; its end is the highest one seen.
	log receiveLog

	// Receiver report state (RFC 3550 appendix A.3 and A.8).
	cycles       uint32 // sequence number wraps, times 2^16
	reportedUpTo uint32 // extended highest number at the last report
	totalLost    uint32
	jitter       float64 // in RTP timestamp units
	lastTS       uint32
	lastArrival  time.Time
	lastSR       uint32 // the middle 32 bits of the last sender report's NTP time
	lastSRAt     time.Time
}

// add records a packet numbered seq with RTP time ts, arrived at now.
func (s *stream) add(seq uint16, ts uint32, now time.Time) {
	if !s.log.started {
		s.log.add(seq)
		s.reportedUpTo = uint32(seq) - 1
		s.lastTS, s.lastArrival = ts, now
		return
	}
	if d := seq - s.log.end; d != 0 && d < 1<<15 && seq < s.log.end {
		s.cycles += 1 << 16 // ahead, across the wrap
	}
	s.log.add(seq)
	if s.clockRate > 0 {
		// Interarrival jitter: how much the spacing of arrivals differs
		// from the spacing of the RTP times (which may wrap).
		d := now.Sub(s.lastArrival).Seconds()*s.clockRate - float64(int32(ts-s.lastTS))
		if d < 0 {
			d = -d
		}
		s.jitter += (d - s.jitter) / 16
	}
	s.lastTS, s.lastArrival = ts, now
}

// report is the stream's reception report block at now, and moves the
// interval on; false before any packet.
func (s *stream) report(now time.Time) (rtcp.ReceptionReport, bool) {
	if !s.log.started {
		return rtcp.ReceptionReport{}, false
	}
	ext := s.cycles | uint32(s.log.end)
	expected := ext - s.reportedUpTo // packets the interval should have had
	lost := uint32(0)
	if expected > 0 && expected <= logSize {
		for seq := uint16(s.reportedUpTo + 1); seq != s.log.end+1; seq++ {
			if !s.log.has(seq) {
				lost++
			}
		}
	}
	s.reportedUpTo = ext
	s.totalLost = min(s.totalLost+lost, 0x7fffff)
	fraction := uint8(0)
	if expected > 0 && expected <= logSize {
		fraction = uint8(min(lost*256/expected, 255))
	}
	delay := uint32(0)
	if !s.lastSRAt.IsZero() {
		delay = uint32(now.Sub(s.lastSRAt).Seconds() * 65536)
	}
	return rtcp.ReceptionReport{
		SSRC:               s.ssrc,
		FractionLost:       fraction,
		TotalLost:          s.totalLost,
		LastSequenceNumber: ext,
		Jitter:             uint32(s.jitter),
		LastSenderReport:   s.lastSR,
		Delay:              delay,
	}, true
}

// logSize is how many sequence numbers back the receive log reaches,
// for the reports: more than a second of the fastest stream. An interval
// longer than that is reported without its losses.
const logSize = 4096

// nackReach is how far back a missing packet is still asked for (as
// pion's and libwebrtc's receivers do).
const nackReach = 512

// receiveLog is which of the last logSize sequence numbers arrived.
type receiveLog struct {
	bits    [logSize / 64]uint64
	started bool
	end     uint16 // the highest number seen
	// upTo is the highest number up to which every packet has arrived
	// (or was given up on).
	upTo uint16
}

func (l *receiveLog) set(seq uint16)      { l.bits[seq%logSize/64] |= 1 << (seq % 64) }
func (l *receiveLog) clear(seq uint16)    { l.bits[seq%logSize/64] &^= 1 << (seq % 64) }
func (l *receiveLog) get(seq uint16) bool { return l.bits[seq%logSize/64]&(1<<(seq%64)) != 0 }

// has reports whether seq, within the log's reach, arrived.
func (l *receiveLog) has(seq uint16) bool {
	if d := l.end - seq; d >= logSize {
		return false
	}
	return l.get(seq)
}

func (l *receiveLog) add(seq uint16) {
	if !l.started {
		l.started, l.end, l.upTo = true, seq, seq
		l.set(seq)
		return
	}
	switch d := seq - l.end; {
	case d == 0:
		return
	case d < 1<<15: // ahead
		for s := l.end + 1; s != seq; s++ {
			l.clear(s) // a slot last used logSize numbers ago
		}
		l.end = seq
		if seq-l.upTo > nackReach {
			l.upTo = seq - nackReach // too old to ask for
		}
	case l.end-seq >= logSize: // behind, out of reach
		return
	}
	l.set(seq)
	for l.upTo != l.end && l.get(l.upTo+1) {
		l.upTo++
	}
}

// missing appends to dst the numbers after upTo, up to the highest, that
// have not arrived: at most nackReach.
func (l *receiveLog) missing(dst []uint16) []uint16 {
	if !l.started {
		return dst
	}
	for s := l.upTo + 1; s != l.end+1; s++ {
		if !l.get(s) {
			dst = append(dst, s)
		}
	}
	return dst
}
