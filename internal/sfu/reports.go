package sfu

import (
	"time"

	"github.com/pion/rtcp"
)

// Sender reports (RFC 3550 §6.4.1) tell each subscriber how the RTP clock
// of every stream it receives maps to wall-clock time (browsers line up
// a person's audio and video with them, and measure round trips). pion's
// report interceptor would make them, but it sits on the packet path: a
// lock, a clock read and counters for every packet to every subscriber,
// and a goroutine per connection walking all its streams. The down tracks
// already know what they sent, so the room's heartbeat makes the reports
// instead, once a second per subscriber, several to a compound packet.

// reportEvery is how many ticks apart a subscriber's sender reports go.
const reportEvery = int(time.Second / tickInterval)

// reportsPerPacket keeps a compound RTCP packet of sender reports (28
// bytes each, with no reception blocks) well inside one datagram.
const reportsPerPacket = 32

// ntpEpochOffset is the seconds from 1900 (NTP's epoch) to 1970.
const ntpEpochOffset = 2_208_988_800

// ntpTime is t as a 64-bit NTP timestamp.
func ntpTime(t time.Time) uint64 {
	secs := uint64(t.Unix() + ntpEpochOffset)
	frac := uint64(t.Nanosecond()) << 32 / 1e9
	return secs<<32 | frac
}

// senderReport is d's report at now, or false if nothing was sent yet.
// The RTP time is the last packet's, advanced by the time since it left.
func (d *downTrack) senderReport(now time.Time) (rtcp.SenderReport, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if !d.sent || d.ssrc == 0 {
		return rtcp.SenderReport{}, false
	}
	rtpTime := d.rw.lastTS
	if el := now.UnixNano() - d.rw.lastAt; el > 0 {
		rtpTime += uint32(uint64(el) * uint64(d.rw.clockRate) / 1e9)
	}
	return rtcp.SenderReport{
		SSRC:        d.ssrc,
		NTPTime:     ntpTime(now),
		RTPTime:     rtpTime,
		PacketCount: d.srPackets,
		OctetCount:  d.srOctets,
	}, true
}

// reportBufs are the slices sendReports fills, kept from one second to
// the next: only the room's heartbeat sends reports.
type reportBufs struct {
	downs   []*downTrack
	reports []rtcp.SenderReport
	pkts    []rtcp.Packet
}

// sendReports sends a sender report for every stream p receives.
func (p *Peer) sendReports(now time.Time) {
	b := &p.reportBufs
	b.downs = p.appendDowns(b.downs[:0])
	reports := b.reports[:0]
	for _, d := range b.downs {
		if r, ok := d.senderReport(now); ok {
			reports = append(reports, r)
		}
	}
	clear(b.downs)
	b.reports = reports
	pkts := b.pkts[:0]
	defer func() { clear(pkts); b.pkts = pkts }()
	for len(reports) > 0 {
		n := min(len(reports), reportsPerPacket)
		pkts = pkts[:0]
		for i := range reports[:n] {
			pkts = append(pkts, &reports[i])
		}
		if err := p.sub.WriteRTCP(pkts); err != nil {
			return // the connection is not up (yet, or any more)
		}
		reports = reports[n:]
	}
}
