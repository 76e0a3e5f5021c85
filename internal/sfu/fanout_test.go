package sfu

import (
	"testing"

	"github.com/pion/rtp"
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
)

func sampleCount(t *testing.T, h prometheus.Histogram) uint64 {
	t.Helper()
	var m dto.Metric
	if err := h.Write(&m); err != nil {
		t.Fatal(err)
	}
	return m.GetHistogram().GetSampleCount()
}

// A packet for a full room leaves in even chunks of at most fanOutChunk
// copies, each chunk as soon as it is encrypted, and every copy of a timed
// packet is timed.
func TestFanOutLeavesInChunks(t *testing.T) {
	for _, tc := range []struct{ subscribers, batches int }{
		{49, 4}, // 13 + 12 + 12 + 12, not 16 + 16 + 16 + 1
		{16, 1},
		{17, 2},
	} {
		l, in, bc, fallback := directTrack(t, tc.subscribers, true)
		st := l.up.publisher.room.engine.stats
		batches, datagrams := bc.batches.Load(), bc.datagrams.Load()
		copies, fanOuts := sampleCount(t, st.latency), sampleCount(t, st.fanOut)

		var pkt rtp.Packet
		sample := uint32(15) // the next packet is timed
		in[2], in[3] = 0, 3  // the packet after the keyframe (sequence number 1)
		l.route(in, &pkt, &sample)

		if got := bc.batches.Load() - batches; got != uint64(tc.batches) {
			t.Errorf("%d subscribers: %d sendmmsg calls, want %d", tc.subscribers, got, tc.batches)
		}
		if got := bc.datagrams.Load() - datagrams; got != uint64(tc.subscribers) || fallback.n != 0 {
			t.Errorf("%d subscribers: %d datagrams batched, %d through pion", tc.subscribers, got, fallback.n)
		}
		if got := sampleCount(t, st.latency) - copies; got != uint64(tc.subscribers) {
			t.Errorf("%d subscribers: %d copies timed, want all", tc.subscribers, got)
		}
		if got := sampleCount(t, st.fanOut) - fanOuts; got != 1 {
			t.Errorf("%d subscribers: %d fan-outs timed, want 1", tc.subscribers, got)
		}

		// An untimed packet adds nothing to the histograms.
		in[2], in[3] = 0, 4
		copies = sampleCount(t, st.latency)
		l.route(in, &pkt, &sample)
		if got := sampleCount(t, st.latency) - copies; got != 0 {
			t.Errorf("%d subscribers: an untimed packet timed %d copies", tc.subscribers, got)
		}
	}
}

// The prefetched spans follow the structs' layouts: a reordering that
// made one negative or huge would prefetch nothing useful, or megabytes.
func TestWarmSpansFitTheStructs(t *testing.T) {
	if downTrackHot > 1024 {
		t.Errorf("downTrackHot is %d bytes: the per-copy fields of downTrack are no longer together at its start", downTrackHot)
	}
	if senderHot == 0 || senderHot > 256 {
		t.Errorf("senderHot is %d bytes: directSender's route, mu and ciphers are no longer together", senderHot)
	}
}
