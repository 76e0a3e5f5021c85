package feedback

import (
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/pion/interceptor"
	"github.com/pion/rtcp"
	"github.com/pion/rtp"
	"github.com/pion/sdp/v3"
)

func TestReceiveLogMissing(t *testing.T) {
	var l receiveLog
	for _, seq := range []uint16{65530, 65531, 65533, 65535, 1, 2} { // 65532, 65534, 0 lost, across the wrap
		l.add(seq)
	}
	if got := l.missing(nil); !slices.Equal(got, []uint16{65532, 65534, 0}) {
		t.Fatalf("missing %v", got)
	}
	l.add(65532) // a retransmission arrives
	l.add(0)
	if got := l.missing(nil); !slices.Equal(got, []uint16{65534}) {
		t.Fatalf("after two came late, missing %v", got)
	}
	l.add(65534)
	if got := l.missing(nil); len(got) != 0 || l.upTo != 2 {
		t.Fatalf("all arrived: missing %v, complete up to %d", got, l.upTo)
	}
	// A jump further than the NACK reach: only the last nackReach numbers
	// are asked for.
	l.add(2 + 2000)
	if got := l.missing(nil); len(got) != nackReach-1 || got[0] != 2+2000-nackReach+1 {
		t.Fatalf("after a jump, %d missing from %v", len(got), got[:1])
	}
	// A packet from before the log's reach changes nothing.
	before := l
	l.add(2)
	if l != before {
		t.Fatal("a packet out of reach was recorded")
	}
}

// writer records what the interceptor sends.
type writer struct {
	mu   sync.Mutex
	pkts []rtcp.Packet
}

func (w *writer) Write(pkts []rtcp.Packet, _ interceptor.Attributes) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.pkts = append(w.pkts, pkts...)
	return 0, nil
}

func (w *writer) take() []rtcp.Packet {
	w.mu.Lock()
	defer w.mu.Unlock()
	p := w.pkts
	w.pkts = nil
	return p
}

const ccID = 5

// feed makes an RTP reader that hands out the given packets in turn.
func feed(t *testing.T, pkts []*rtp.Packet) interceptor.RTPReader {
	t.Helper()
	i := 0
	return interceptor.RTPReaderFunc(func(b []byte, a interceptor.Attributes) (int, interceptor.Attributes, error) {
		raw, err := pkts[i].Marshal()
		if err != nil {
			t.Fatal(err)
		}
		i++
		return copy(b, raw), a, nil
	})
}

func packet(t *testing.T, seq, transportSeq uint16) *rtp.Packet {
	t.Helper()
	p := &rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: 96, SequenceNumber: seq, Timestamp: uint32(seq) * 3000, SSRC: 1234}, Payload: []byte{1, 2, 3}}
	ext, err := (&rtp.TransportCCExtension{TransportSequence: transportSeq}).Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if err := p.SetExtension(ccID, ext); err != nil {
		t.Fatal(err)
	}
	return p
}

// An interceptor between a stream and its reader asks for the packets
// that did not come, reports what arrived for congestion control, and
// once a second reports reception; what pion's three interceptors did,
// here sent when Flush is called.
func TestFeedbackFromWhatArrives(t *testing.T) {
	fb := New()
	w := &writer{}
	fb.BindRTCPWriter(w)
	info := &interceptor.StreamInfo{
		SSRC: 1234, ClockRate: 90000,
		RTCPFeedback:        []interceptor.RTCPFeedback{{Type: "nack"}, {Type: "transport-cc"}},
		RTPHeaderExtensions: []interceptor.RTPHeaderExtension{{URI: sdp.TransportCCURI, ID: ccID}},
	}
	// Sequence numbers 65534 to 5, across the wrap, with 65535 and 2 lost.
	var sent []*rtp.Packet
	tseq := uint16(100)
	for seq := uint16(65534); seq != 6; seq++ {
		tseq++
		if seq == 65535 || seq == 2 {
			continue
		}
		sent = append(sent, packet(t, seq, tseq))
	}
	r := fb.BindRemoteStream(info, feed(t, sent))
	buf := make([]byte, 1500)
	for range sent {
		if _, _, err := r.Read(buf, nil); err != nil {
			t.Fatal(err)
		}
	}
	// The sender's report, which the receiver report answers.
	rr := fb.BindRTCPReader(interceptor.RTCPReaderFunc(func(b []byte, a interceptor.Attributes) (int, interceptor.Attributes, error) {
		raw, err := (&rtcp.SenderReport{SSRC: 1234, NTPTime: 0x1122334455667788}).Marshal()
		if err != nil {
			t.Fatal(err)
		}
		return copy(b, raw), a, nil
	}))
	if _, _, err := rr.Read(buf, nil); err != nil {
		t.Fatal(err)
	}

	now := time.Now()
	fb.Flush(now)
	var nacks []uint16
	var cc, reports int
	for _, p := range w.take() {
		switch p := p.(type) {
		case *rtcp.TransportLayerNack:
			if p.MediaSSRC != 1234 {
				t.Fatalf("NACK for %d", p.MediaSSRC)
			}
			for _, pair := range p.Nacks {
				nacks = append(nacks, pair.PacketList()...)
			}
		case *rtcp.TransportLayerCC:
			cc++
			if p.PacketStatusCount != 8 || p.BaseSequenceNumber != 101 {
				t.Fatalf("congestion feedback for %d packets from %d, want 8 from 101", p.PacketStatusCount, p.BaseSequenceNumber)
			}
		case *rtcp.ReceiverReport:
			reports++
			if len(p.Reports) != 1 {
				t.Fatalf("%d report blocks", len(p.Reports))
			}
			b := p.Reports[0]
			// 8 numbers from 65534 to 5, 2 lost: 64/256; the highest, 5, in the second cycle.
			if b.SSRC != 1234 || b.FractionLost != 64 || b.TotalLost != 2 || b.LastSequenceNumber != 1<<16|5 {
				t.Fatalf("report block %+v", b)
			}
			if b.LastSenderReport != 0x33445566 || b.Delay > 65536 {
				t.Fatalf("report block answers the sender report with %#x after %d/65536 s", b.LastSenderReport, b.Delay)
			}
		default:
			t.Fatalf("sent %T", p)
		}
	}
	if !slices.Equal(nacks, []uint16{65535, 2}) || cc != 1 || reports != 1 {
		t.Fatalf("NACKed %v, %d congestion feedback packets, %d reports", nacks, cc, reports)
	}

	// A heartbeat later: the NACKs again (nothing came), no report (not a
	// second yet), no congestion feedback (nothing new).
	fb.Flush(now.Add(100 * time.Millisecond))
	got := w.take()
	if len(got) != 1 {
		t.Fatalf("100 ms later sent %d packets: %v", len(got), got)
	}
	if _, ok := got[0].(*rtcp.TransportLayerNack); !ok {
		t.Fatalf("100 ms later sent %T", got[0])
	}
	// Closed: nothing more.
	if err := fb.Close(); err != nil {
		t.Fatal(err)
	}
	fb.Flush(now.Add(2 * time.Second))
	if got := w.take(); len(got) != 0 {
		t.Fatalf("sent %d packets after Close", len(got))
	}
}

// A stream whose sender takes no NACKs is never sent any.
func TestNoNACKWithoutTheFeedback(t *testing.T) {
	fb := New()
	w := &writer{}
	fb.BindRTCPWriter(w)
	info := &interceptor.StreamInfo{SSRC: 1234, ClockRate: 48000}
	r := fb.BindRemoteStream(info, feed(t, []*rtp.Packet{packet(t, 1, 1), packet(t, 5, 2)}))
	buf := make([]byte, 1500)
	for range 2 {
		if _, _, err := r.Read(buf, nil); err != nil {
			t.Fatal(err)
		}
	}
	fb.Flush(time.Now())
	for _, p := range w.take() {
		if _, ok := p.(*rtcp.ReceiverReport); !ok {
			t.Fatalf("sent %T to a stream without NACK or congestion feedback", p)
		}
	}
}
