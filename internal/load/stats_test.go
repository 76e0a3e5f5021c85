package load

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/roomsdev/rooms/client"
)

func TestStreamLossAcrossWraparound(t *testing.T) {
	var s stream
	at := time.Unix(0, 0)
	// 65530 … 65535, 0 … 9, with 3 and 7 missing: 16 expected... counted
	// from the first packet: 65530..65535 (6) + 0..9 (10) = 16, 14 arrived.
	seqs := []uint16{65530, 65531, 65532, 65533, 65534, 65535, 0, 1, 2, 4, 5, 6, 8, 9}
	for i, q := range seqs {
		s.add(client.Packet{Seq: q, Timestamp: uint32(i) * 3000, ClockRate: 90000, At: at.Add(time.Duration(i) * time.Second / 30)})
	}
	if s.expected() != 16 || s.packets != 14 {
		t.Fatalf("expected %d, received %d; want 16 and 14", s.expected(), s.packets)
	}
	// Perfectly paced packets have no jitter.
	if s.jitterMs() > 0.01 {
		t.Fatalf("jitter %.3f ms for perfectly paced packets", s.jitterMs())
	}
}

func TestStreamJitter(t *testing.T) {
	var s stream
	at := time.Unix(0, 0)
	// Every other packet arrives 10 ms late: |D| is 10 ms each time, and
	// the estimate converges towards it.
	for i := 0; i < 2000; i++ {
		late := time.Duration(i%2) * 10 * time.Millisecond
		s.add(client.Packet{Seq: uint16(i), Timestamp: uint32(i) * 960, ClockRate: 48000, At: at.Add(time.Duration(i)*20*time.Millisecond + late)})
	}
	if j := s.jitterMs(); math.Abs(j-10) > 0.5 {
		t.Fatalf("jitter %.2f ms, want about 10", j)
	}
}

func TestHistogramPercentiles(t *testing.T) {
	start := map[float64]float64{0.0001: 10, 0.001: 10, math.Inf(1): 10}
	// 100 new observations: 50 under 100 µs, 49 under 1 ms, 1 above.
	end := map[float64]float64{0.0001: 60, 0.001: 109, math.Inf(1): 110}
	p := histogramPercentiles(start, end, 50, 99, 99.9)
	if p[0] > 100.01 || p[0] < 99 {
		t.Errorf("p50 = %.1f µs, want 100", p[0])
	}
	if p[1] < 900 || p[1] > 1000.01 {
		t.Errorf("p99 = %.1f µs, want close to 1000", p[1])
	}
	if p[2] != 1000 {
		t.Errorf("p99.9 = %.1f µs, want the last finite bound, 1000", p[2])
	}
}

func TestPercentile(t *testing.T) {
	var ds []time.Duration
	for i := 1; i <= 100; i++ {
		ds = append(ds, time.Duration(i)*time.Millisecond)
	}
	if p := percentile(ds, 50); p != 50 {
		t.Errorf("p50 %v", p)
	}
	if p := percentile(ds, 95); p != 95 {
		t.Errorf("p95 %v", p)
	}
	if percentile(nil, 50) != 0 {
		t.Error("empty percentile")
	}
}

func TestBucketsFromTheTextFormat(t *testing.T) {
	text := `# TYPE rooms_forward_latency_seconds histogram
rooms_forward_latency_seconds_bucket{le="0.0001"} 50
rooms_forward_latency_seconds_bucket{le="0.001"} 99
rooms_forward_latency_seconds_bucket{le="+Inf"} 100
rooms_forward_latency_seconds_sum 0.05
rooms_forward_latency_seconds_count 100
`
	p := expfmt.NewTextParser(model.UTF8Validation)
	m, err := p.TextToMetricFamilies(strings.NewReader(text))
	if err != nil {
		t.Fatal(err)
	}
	f := latencyFamily(m)
	if f == nil {
		t.Fatal("the forwarding latency histogram was not found")
	}
	ps := histogramPercentiles(map[float64]float64{}, buckets(f), 50)
	if ps[0] < 99 || ps[0] > 100.01 {
		t.Fatalf("p50 = %.1f µs, want 100 (the +Inf bucket must not be counted twice)", ps[0])
	}
}

func TestBotsStayOnLoopbackOnlyForALoopbackServer(t *testing.T) {
	for base, want := range map[string]bool{
		"http://127.0.0.1:8080":  true,
		"http://127.0.0.2":       true,
		"http://[::1]:8080":      true,
		"http://localhost:8080":  true,
		"http://192.0.2.2:8080":  false,
		"https://rooms.example/": false,
		"::not a url":            false,
	} {
		if got := onLoopback(base); got != want {
			t.Errorf("onLoopback(%q) = %v, want %v", base, got, want)
		}
	}
}
