package sfu

import (
	"net/http"
	"sync/atomic"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// stats are the media plane's counters. The packet path bumps plain
// atomics (one add per packet fanned out, not per copy); Prometheus reads
// them when scraped, so nothing on that path touches a metric vector.
type stats struct {
	packets     atomic.Uint64 // forwarded RTP packets, one per copy sent
	bytes       atomic.Uint64
	nacks       atomic.Uint64        // sequence numbers subscribers asked for again
	retransmits atomic.Uint64        // of those, answered from the packet cache
	plis        atomic.Uint64        // keyframe requests sent to publishers
	replays     atomic.Uint64        // subscribers started from a cached keyframe (keyreplay.go)
	offers      atomic.Uint64        // subscriber offers: renegotiations
	switches    atomic.Uint64        // simulcast layer switches
	padding     atomic.Uint64        // bytes of padding sent to probe subscribers' downlinks
	tcpDropped  atomic.Uint64        // packets dropped for ICE-TCP connections that could not keep up
	latency     prometheus.Histogram // per copy
	fanOut      prometheus.Histogram // per packet, to its last copy
}

func (s *stats) forwarded(packets, bytes uint64) {
	s.packets.Add(packets)
	s.bytes.Add(bytes)
}

func newStats() *stats {
	// 5 µs to 30 ms in steps of a quarter, fine enough to read a median
	// off (doubling steps made every figure between 80 and 160 µs a guess).
	buckets := prometheus.ExponentialBuckets(5e-6, 1.25, 40)
	return &stats{
		latency: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "rooms_forward_latency_seconds",
			Help:    "Time from a publisher's packet arriving at the media socket (the kernel's stamp) to sending one subscriber's copy of it (the copies of one packet in 16 are timed; for a packet pion read, from its SRTP session).",
			Buckets: buckets,
		}),
		fanOut: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "rooms_fanout_seconds",
			Help:    "Time from a publisher's packet arriving at the media socket (the kernel's stamp) to sending its last subscriber's copy (one packet in 16 is timed; for a packet pion read, from its SRTP session).",
			Buckets: buckets,
		}),
	}
}

// collector exposes the engine's state and counters to Prometheus.
type collector struct {
	e *Engine

	participants, tracks, roomBitrate                                                       *prometheus.Desc
	packets, bytes, nacks, retransmits, plis, replays, switches, padding, tcpDropped, rooms *prometheus.Desc
	offers                                                                                  *prometheus.Desc
	batches, batched, sendDropped, segmented, direct                                        *prometheus.Desc
	readDirect, repairs, refused, rxDropped, sendWaits                                      *prometheus.Desc
}

func newCollector(e *Engine) *collector {
	d := func(name, help string, labels ...string) *prometheus.Desc {
		return prometheus.NewDesc(name, help, labels, nil)
	}
	return &collector{
		e:            e,
		rooms:        d("rooms_media_rooms", "Rooms with anyone in their call."),
		participants: d("rooms_participants", "Participants with media connections."),
		tracks:       d("rooms_tracks", "Published tracks.", "kind"),
		roomBitrate:  d("rooms_room_bitrate_bps", "Media sent out to a room's subscribers, bits per second.", "room"),
		packets:      d("rooms_forwarded_packets_total", "RTP packets forwarded to subscribers."),
		bytes:        d("rooms_forwarded_bytes_total", "RTP bytes forwarded to subscribers (headers included)."),
		nacks:        d("rooms_nacks_total", "Packets subscribers asked to be sent again (NACK)."),
		retransmits:  d("rooms_retransmits_total", "NACKed packets sent again from the packet cache."),
		plis:         d("rooms_plis_total", "Keyframe requests (PLI) sent to publishers."),
		switches:     d("rooms_layer_switches_total", "Simulcast layer switches."),
		padding:      d("rooms_probe_padding_bytes_total", "Padding sent to probe subscribers' downlinks, bytes."),
		replays:      d("rooms_keyframe_replays_total", "Subscribers started at once from a cached keyframe rather than by asking the publisher for one."),
		offers:       d("rooms_subscriber_offers_total", "Offers sent to subscribers: each connection's first, and a renegotiation each time what it receives changes."),
		tcpDropped:   d("rooms_ice_tcp_dropped_packets_total", "Packets dropped because an ICE-TCP connection could not keep up."),
		batches:      d("rooms_udp_send_batches_total", "Batched sends (sendmmsg) on the media UDP socket."),
		batched:      d("rooms_udp_batched_datagrams_total", "Datagrams sent in batches on the media UDP socket."),
		sendDropped:  d("rooms_udp_send_dropped_total", "Datagrams of a batch the kernel refused to send."),
		segmented:    d("rooms_udp_segmented_datagrams_total", "Datagrams of a batch sent as segments of one send to one address (UDP GSO)."),
		readDirect:   d("rooms_direct_received_packets_total", "Publishers' RTP packets decrypted by the media socket's reader, past pion's receive chain."),
		sendWaits:    d("rooms_udp_send_waits_total", "Batched sends that waited for room in the media socket's send buffer (the network, or on loopback the receivers, not keeping up)."),
		rxDropped:    d("rooms_udp_receive_dropped_total", "Datagrams the kernel dropped on the media sockets for want of buffer room (Linux)."),
		repairs:      d("rooms_direct_received_repairs_total", "Of the packets read directly, retransmissions on a repair (RTX) stream."),
		refused:      d("rooms_direct_refused_packets_total", "Of the packets read directly, those dropped: replayed, or failing authentication."),
		direct:       d("rooms_direct_send_participants", "Participants whose media the server encrypts and writes itself, past pion's writer chain (the rest: not connected yet, or a DTLS role that hides the keys)."),
	}
}

func (c *collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.rooms, c.participants, c.tracks, c.roomBitrate, c.packets, c.bytes, c.nacks, c.retransmits, c.plis, c.replays, c.offers, c.switches, c.padding, c.tcpDropped, c.batches, c.batched, c.sendDropped, c.segmented, c.direct, c.readDirect, c.repairs, c.refused, c.rxDropped, c.sendWaits} {
		ch <- d
	}
}

func (c *collector) Collect(ch chan<- prometheus.Metric) {
	s := c.e.stats
	counter := func(d *prometheus.Desc, v uint64) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, float64(v))
	}
	counter(c.packets, s.packets.Load())
	counter(c.bytes, s.bytes.Load())
	counter(c.nacks, s.nacks.Load())
	counter(c.retransmits, s.retransmits.Load())
	counter(c.plis, s.plis.Load())
	counter(c.switches, s.switches.Load())
	counter(c.padding, s.padding.Load())
	counter(c.tcpDropped, s.tcpDropped.Load())
	counter(c.replays, s.replays.Load())
	counter(c.offers, s.offers.Load())
	counter(c.readDirect, c.e.inbound.packets.Load())
	counter(c.repairs, c.e.inbound.repairs.Load())
	if s := c.e.shards; s != nil {
		var dropped uint64
		for _, sock := range s.socks {
			dropped += uint64(sock.rxDropped.Load())
		}
		counter(c.rxDropped, dropped)
	}
	counter(c.refused, c.e.inbound.refused.Load())
	if b := c.e.batch; b != nil {
		counter(c.batches, b.batches.Load())
		counter(c.batched, b.datagrams.Load())
		counter(c.sendDropped, b.dropped.Load())
		counter(c.segmented, b.segmented.Load())
		counter(c.sendWaits, b.sendWaits.Load())
	}

	rooms := c.e.liveRooms()
	participants, direct, audio, video := 0, 0, 0, 0
	for _, r := range rooms {
		tracks, peers := r.snapshot()
		participants += len(peers)
		for _, p := range peers {
			if p.out.route.Load() != nil {
				direct++
			}
		}
		for _, u := range tracks {
			if u.audio {
				audio++
			} else {
				video++
			}
		}
		ch <- prometheus.MustNewConstMetric(c.roomBitrate, prometheus.GaugeValue, float64(r.bitrate.Load()), r.id)
	}
	ch <- prometheus.MustNewConstMetric(c.rooms, prometheus.GaugeValue, float64(len(rooms)))
	ch <- prometheus.MustNewConstMetric(c.participants, prometheus.GaugeValue, float64(participants))
	ch <- prometheus.MustNewConstMetric(c.direct, prometheus.GaugeValue, float64(direct))
	ch <- prometheus.MustNewConstMetric(c.tracks, prometheus.GaugeValue, float64(audio), KindAudio)
	ch <- prometheus.MustNewConstMetric(c.tracks, prometheus.GaugeValue, float64(video), KindVideo)
}

// MetricsHandler serves the media plane's metrics, with the Go runtime's
// and the process's, in the Prometheus text format.
func (e *Engine) MetricsHandler() http.Handler {
	return promhttp.HandlerFor(e.registry, promhttp.HandlerOpts{})
}

// Registry is where the media plane's metrics are registered; other
// parts of the server may add theirs.
func (e *Engine) Registry() *prometheus.Registry { return e.registry }
