package load

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"
)

// Summary is what one run measured. The JSON names are the load tool's
// interface (BENCHMARKS.md and scripts read them).
type Summary struct {
	Shape        string  `json:"shape"`
	Participants int     `json:"participants"`
	Publishers   int     `json:"publishers"`
	Seconds      float64 `json:"seconds"`

	PacketsInPerS       float64 `json:"packets_in_per_s"`
	PacketsOutPerS      float64 `json:"packets_out_per_s"`
	BitsOutPerS         float64 `json:"bits_out_per_s"`
	ForwardedPPSPerCore float64 `json:"forwarded_pps_per_core"`
	ServerCPUPercent    float64 `json:"server_cpu_percent"` // of one core
	// ServerKernelShare is the part of the server's CPU time spent in the
	// kernel (its send and receive syscalls, mostly; on loopback the
	// sends include delivering each datagram to the bot's socket).
	ServerKernelShare float64 `json:"server_kernel_share"`
	ServerRSSMiB      float64 `json:"server_rss_mib"`
	RSSPerParticipant float64 `json:"rss_per_participant_mib"`
	GoroutinesPerPart float64 `json:"goroutines_per_participant"`
	LossRatio         float64 `json:"loss_ratio"`
	NACKs             int64   `json:"nacks"`
	JitterMs          float64 `json:"jitter_ms"`
	FwdLatencyUs      struct {
		P50  float64 `json:"p50"`
		P99  float64 `json:"p99"`
		P999 float64 `json:"p999"`
	} `json:"fwd_latency_us"` // per copy: read to that subscriber's copy leaving
	// FanOutUs is, per packet, the time from reading it to its last copy
	// leaving (our server's rooms_fanout_seconds; zero for others).
	FanOutUs struct {
		P50 float64 `json:"p50"`
		P99 float64 `json:"p99"`
	} `json:"fanout_us"`
	// JoinFirstKeyframeMs is, for every subscriber and publisher, the time
	// from the later of the two joins to the first keyframe arriving.
	JoinFirstKeyframeMs struct {
		P50 float64 `json:"p50"`
		P95 float64 `json:"p95"`
	} `json:"join_first_keyframe_ms"`
	// LateJoinFirstKeyframeMs is the same for people joining the room
	// later, one at a time, once it is in full swing (Config.LateJoins).
	LateJoins               int `json:"late_joins"`
	LateJoinFirstKeyframeMs struct {
		P50 float64 `json:"p50"`
		P95 float64 `json:"p95"`
	} `json:"late_join_first_keyframe_ms"`
	// ServerUDPDropped is how many datagrams the server's media sockets
	// dropped for want of buffer room during the measurement, and
	// ServerRefused how many packets it refused (replays, or not
	// authentic); -1 when the server does not count them.
	ServerUDPDropped int64 `json:"server_udp_receive_dropped"`
	ServerRefused    int64 `json:"server_refused_packets"`
	// LateJoinStepsMs breaks a late join down: when, after pressing join,
	// the late joiner passed each step of connecting its receiving side
	// (client.Timeline): joined, sub_offer, sub_answered, sub_ice,
	// sub_connected, first_track.
	LateJoinStepsMs map[string]Percentiles `json:"late_join_steps_ms,omitempty"`
	// LateJoinSeenMs is, when the late joiners published, the time from a
	// late joiner pressing join to each bot inside having its first
	// keyframe: how soon the newcomer's tile comes alive for the others.
	// LateJoinUnseen counts the bots that had none within seenWait.
	LateJoinSeenMs *Percentiles `json:"late_join_seen_ms,omitempty"`
	LateJoinUnseen int          `json:"late_join_unseen,omitempty"`
}

// Percentiles are a median and a 95th percentile, in milliseconds.
type Percentiles struct {
	P50 float64 `json:"p50"`
	P95 float64 `json:"p95"`
}

// baseline is the server before the bots joined.
type baseline struct {
	rssMiB     float64
	goroutines float64 // -1 if unknown
}

func sums(bots []*participant) (recv, bytes, sent, nacks int64) {
	for _, b := range bots {
		var t totals
		b.rec.snapshot(&t)
		recv += t.packets
		bytes += t.bytes
		if b.pub != nil {
			sent += b.pub.Sent()
		}
		nacks += b.call.NACKsSent()
	}
	return
}

func measure(ctx context.Context, cfg Config, pid int, base baseline, bots []*participant) (*Summary, error) {
	m0, _ := scrape(ctx, cfg.Server)
	cpu0, err := cpuSeconds(pid)
	if err != nil {
		return nil, err
	}
	recv0, bytes0, sent0, _ := sums(bots)
	t0 := time.Now()

	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	end := time.After(cfg.Duration)
	lastRecv, lastCPU, lastT := recv0, cpu0, t0
loop:
	for {
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-end:
			break loop
		case now := <-tick.C:
			recv, _, _, _ := sums(bots)
			cpu, _ := cpuSeconds(pid)
			dt := now.Sub(lastT).Seconds()
			fmt.Fprintf(cfg.Progress, "\r%4.0fs  out %8.0f pkt/s  server cpu %5.1f%%   ",
				now.Sub(t0).Seconds(), float64(recv-lastRecv)/dt, 100*(cpu.total()-lastCPU.total())/dt)
			lastRecv, lastCPU, lastT = recv, cpu, now
		}
	}
	fmt.Fprintln(cfg.Progress)

	cpu1, err := cpuSeconds(pid)
	if err != nil {
		return nil, err
	}
	recv1, bytes1, sent1, nacks := sums(bots)
	dt := time.Since(t0).Seconds()
	m1, _ := scrape(ctx, cfg.Server)

	s := &Summary{Shape: cfg.Shape, Participants: len(bots), Seconds: dt}
	all := totals{publishedAt: make(map[string]time.Time)}
	for _, b := range bots {
		if b.publisher {
			all.publishedAt[b.call.ID()] = b.joinedAt
		}
	}
	for _, b := range bots {
		if b.pub != nil {
			s.Publishers++
		}
		b.rec.snapshot(&all)
	}
	s.PacketsInPerS = float64(sent1-sent0) / dt
	s.PacketsOutPerS = float64(recv1-recv0) / dt
	s.BitsOutPerS = float64(bytes1-bytes0) * 8 / dt
	used := cpu1.total() - cpu0.total()
	cores := used / dt
	s.ServerCPUPercent = 100 * cores
	if used > 0 {
		s.ServerKernelShare = (cpu1.system - cpu0.system) / used
	}
	if cores > 0 {
		s.ForwardedPPSPerCore = s.PacketsOutPerS / cores
	}
	if s.ServerRSSMiB, err = rssMiB(pid); err == nil && len(bots) > 0 {
		s.RSSPerParticipant = (s.ServerRSSMiB - base.rssMiB) / float64(len(bots))
	}
	s.GoroutinesPerPart = -1
	if g, ok := gauge(m1, "go_goroutines"); ok && base.goroutines >= 0 {
		s.GoroutinesPerPart = (g - base.goroutines) / float64(len(bots))
	}
	if all.expected > 0 {
		s.LossRatio = max(0, 1-float64(all.packets)/float64(all.expected))
	}
	// What the server itself lost during the measurement (our server's
	// counters; -1 for a server without them).
	s.ServerUDPDropped = counted(m0, m1, "rooms_udp_receive_dropped_total")
	s.ServerRefused = counted(m0, m1, "rooms_direct_refused_packets_total")
	s.NACKs = nacks
	if all.jitterN > 0 {
		s.JitterMs = all.jitterSum / float64(all.jitterN)
	}
	if f := latencyFamily(m1); f != nil {
		p := histogramPercentiles(buckets(latencyFamily(m0)), buckets(f), 50, 99, 99.9)
		s.FwdLatencyUs.P50, s.FwdLatencyUs.P99, s.FwdLatencyUs.P999 = p[0], p[1], p[2]
	}
	if f := m1[fanOutFamily]; f != nil {
		p := histogramPercentiles(buckets(m0[fanOutFamily]), buckets(f), 50, 99)
		s.FanOutUs.P50, s.FanOutUs.P99 = p[0], p[1]
	}
	s.JoinFirstKeyframeMs.P50 = percentile(all.firstKeys, 50)
	s.JoinFirstKeyframeMs.P95 = percentile(all.firstKeys, 95)
	return s, nil
}

// WriteTable prints the summary for people.
func (s *Summary) WriteTable(w io.Writer) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	row := func(k, format string, v ...any) { fmt.Fprintf(tw, "%s\t"+format+"\n", append([]any{k}, v...)...) }
	row("shape", "%s, %d participants (%d publishing), %.0fs", s.Shape, s.Participants, s.Publishers, s.Seconds)
	row("packets in", "%.0f /s", s.PacketsInPerS)
	row("packets out", "%.0f /s (%.1f Mbit/s)", s.PacketsOutPerS, s.BitsOutPerS/1e6)
	row("forwarded per core", "%.0f pkt/s", s.ForwardedPPSPerCore)
	row("server CPU", "%.1f%% of one core (%.0f%% of it in the kernel)", s.ServerCPUPercent, 100*s.ServerKernelShare)
	row("server RSS", "%.1f MiB (%.2f MiB per participant)", s.ServerRSSMiB, s.RSSPerParticipant)
	if s.GoroutinesPerPart >= 0 {
		row("goroutines", "%.1f per participant", s.GoroutinesPerPart)
	}
	row("loss", "%.4f%%, %d NACKs", 100*s.LossRatio, s.NACKs)
	if s.ServerUDPDropped >= 0 {
		row("server drops", "%d datagrams at its sockets, %d packets refused", s.ServerUDPDropped, s.ServerRefused)
	}
	row("jitter", "%.2f ms", s.JitterMs)
	if s.FwdLatencyUs.P50 > 0 {
		row("forwarding latency", "p50 %.0f µs, p99 %.0f µs, p99.9 %.0f µs (each copy)", s.FwdLatencyUs.P50, s.FwdLatencyUs.P99, s.FwdLatencyUs.P999)
	}
	if s.FanOutUs.P50 > 0 {
		row("fan-out", "p50 %.0f µs, p99 %.0f µs (to the last copy)", s.FanOutUs.P50, s.FanOutUs.P99)
	}
	row("join → first keyframe", "p50 %.0f ms, p95 %.0f ms", s.JoinFirstKeyframeMs.P50, s.JoinFirstKeyframeMs.P95)
	if s.LateJoins > 0 {
		row("late join → first keyframe", "p50 %.0f ms, p95 %.0f ms (%d joins into the running room)", s.LateJoinFirstKeyframeMs.P50, s.LateJoinFirstKeyframeMs.P95, s.LateJoins)
		for _, name := range stepNames {
			if p, ok := s.LateJoinStepsMs[name]; ok {
				row("  "+strings.ReplaceAll(name, "_", " "), "p50 %.0f ms, p95 %.0f ms after join", p.P50, p.P95)
			}
		}
		if p := s.LateJoinSeenMs; p != nil {
			row("late joiner seen by others", "p50 %.0f ms, p95 %.0f ms (%d times not within %v)", p.P50, p.P95, s.LateJoinUnseen, seenWait)
		}
	}
	tw.Flush()
}
