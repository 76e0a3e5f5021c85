package sfu

import (
	"testing"
	"time"
)

func TestNTPTime(t *testing.T) {
	if got, want := ntpTime(time.Unix(0, 500_000_000)), uint64(ntpEpochOffset)<<32|1<<31; got != want {
		t.Fatalf("ntpTime(1970 + 0.5 s) = %#x, want %#x", got, want)
	}
}

// A sender report counts what the down track sent and carries its RTP
// clock forward from the last packet to the report's moment.
func TestSenderReportFollowsTheStream(t *testing.T) {
	u, d, rec := testTrack(t)
	d.target.Store(0)
	if _, ok := d.senderReport(time.Now()); ok {
		t.Fatal("a report before anything was sent")
	}
	src := &source{ssrc: 100, seq: 1000, ts: 5000}
	l := u.layers.Load()[0]
	start := time.Unix(1_700_000_000, 0)
	bytes := 0
	for i := range 10 {
		p := src.next(i == 0)
		if d.writeFrom(l, &p, i == 0, start.Add(time.Duration(i)*33*time.Millisecond).UnixNano()) != wrote {
			t.Fatalf("packet %d not written", i)
		}
		bytes += len(p.Payload)
	}
	last := rec.packets[len(rec.packets)-1]
	at := start.Add(9*33*time.Millisecond + 100*time.Millisecond) // 100 ms after the last packet
	sr, ok := d.senderReport(at)
	if !ok {
		t.Fatal("no report")
	}
	if sr.SSRC != d.ssrc || sr.PacketCount != 10 || sr.OctetCount != uint32(bytes) {
		t.Fatalf("report %+v: want SSRC %d, 10 packets, %d bytes", sr, d.ssrc, bytes)
	}
	if want := last.Timestamp + 9000; sr.RTPTime != want {
		t.Fatalf("RTP time %d, want the last packet's %d + 100 ms at 90 kHz = %d", sr.RTPTime, last.Timestamp, want)
	}
	if sr.NTPTime != ntpTime(at) {
		t.Fatal("NTP time is not the report's moment")
	}
}
