package sfu

import (
	"fmt"
	"net"
	"net/netip"
	"testing"

	"github.com/pion/rtp"
	"github.com/pion/srtp/v3"
)

// countWriter is a TrackLocalWriter that only counts.
type countWriter struct{ n int }

func (d *countWriter) WriteRTP(h *rtp.Header, payload []byte) (int, error) {
	d.n++
	return len(payload), nil
}

func (d *countWriter) Write(b []byte) (int, error) { return len(b), nil }

// benchTrack is an up track with one layer and n subscribers on it, each
// started with a keyframe so every later packet is forwarded.
func benchTrack(b testing.TB, n int, writer func(i int) interface {
	WriteRTP(*rtp.Header, []byte) (int, error)
	Write([]byte) (int, error)
}) (*upLayer, []byte) {
	b.Helper()
	e := &Engine{stats: newStats(), cfg: Config{AudioTopN: 3, BigRoom: 8}}
	r := e.NewRoom("bench", nil)
	pub := &Peer{id: "pub", room: r}
	u := &upTrack{publisher: pub, vp8: true, layerCount: 1, isKey: func(p []byte) bool {
		d, ok := parseVP8(p)
		return ok && p[d.headerLen]&1 == 0
	}}
	layers := [maxLayers]*upLayer{}
	layers[0] = &upLayer{up: u, index: 0, ssrc: 100, cacheSize: 512}
	u.layers.Store(&layers)
	downs := make([]*downTrack, n)
	for i := range downs {
		d := newDownTrack(u, &Peer{id: PeerID(fmt.Sprint("sub", i)), room: r})
		d.ssrc, d.pt, d.ws = uint32(5000+i), 96, writer(i)
		d.rw = newRewriter(90000, true)
		d.target.Store(0)
		d.bound.Store(true)
		downs[i] = d
	}
	u.downs.Store(&downs)

	// A keyframe first, so the subscribers take the layer.
	var pkt rtp.Packet
	var sample uint32
	key := vp8Packet(100, 1, 3000, 1, 1, true)
	key.Payload = append(key.Payload, make([]byte, 1000)...)
	kb, _ := key.Marshal()
	layers[0].route(kb, &pkt, &sample)

	delta := vp8Packet(100, 2, 6000, 2, 1, false)
	delta.Payload = append(delta.Payload, make([]byte, 1000)...)
	db, _ := delta.Marshal()
	return layers[0], db
}

// BenchmarkForward is the per-packet path: one ~1,050-byte VP8 packet in,
// parsed, cached for NACKs, rewritten (sequence number, timestamp, picture
// id) and handed to each subscriber's writer. Writers here only count, so
// the figure is the SFU's own work. Target: 0 allocations per packet.
func BenchmarkForward(b *testing.B) {
	for _, n := range []int{1, 10, 50} {
		b.Run(fmt.Sprintf("subscribers=%d", n), func(b *testing.B) {
			l, in := benchTrack(b, n, func(int) interface {
				WriteRTP(*rtp.Header, []byte) (int, error)
				Write([]byte) (int, error)
			} {
				return &countWriter{}
			})
			routeEach(b, []*upLayer{l}, in, n)
		})
	}
}

// BenchmarkForwardMeetingCache is BenchmarkForward as a 50-person meeting
// meets it: 28 published tracks (the speaker, 24 tiles, 3 voices), each
// to 49 subscribers, taking turns, so the 1,372 down tracks (3 MB) no
// longer sit in the core's cache as 50 of them do above, and each copy
// starts with fetching its down track's state from memory. What the
// layout of downTrack costs shows here.
func BenchmarkForwardMeetingCache(b *testing.B) {
	const tracks, n = 28, 49
	ls := make([]*upLayer, tracks)
	var in []byte
	for i := range ls {
		ls[i], in = benchTrack(b, n, func(int) interface {
			WriteRTP(*rtp.Header, []byte) (int, error)
			Write([]byte) (int, error)
		} {
			return &countWriter{}
		})
	}
	routeEach(b, ls, in, n)
}

// BenchmarkForwardEncrypted adds what happens per subscriber below the
// SFU's rewriting: the direct send (direct.go), AES-128-GCM SRTP and the
// UDP send, to 50 subscribers with a socket each on loopback (read by
// nobody: the kernel's delivery to the socket is the part of the receive
// path a sender pays for here). The send syscall dominates (MEDIA-NOTES):
// one sendto per datagram, or the fan-out batched into one sendmmsg as
// the engine does (udpbatch.go).
func BenchmarkForwardEncrypted(b *testing.B) {
	const n = 50
	for _, batched := range []bool{false, true} {
		b.Run(fmt.Sprintf("sendmmsg=%v", batched), func(b *testing.B) {
			l, in, _, fallback := directTrack(b, n, batched)
			routeEach(b, []*upLayer{l}, in, n)
			if fallback.n != 0 {
				b.Fatalf("%d packets took pion's path", fallback.n)
			}
		})
	}
}

// directTrack is benchTrack with n subscribers sending directly (direct.go)
// to a socket each on loopback, read by nobody: the kernel's delivery to
// the socket is the part of the receive path a sender pays for here.
// With batched, fan-outs go through a batchConn as the engine's do.
// fallback counts packets that took pion's path.
func directTrack(tb testing.TB, n int, batched bool) (l *upLayer, in []byte, bc *batchConn, fallback *countWriter) {
	tb.Helper()
	to := make([]netip.AddrPort, n)
	for i := range to {
		recv, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
		if err != nil {
			tb.Fatal(err)
		}
		tb.Cleanup(func() { recv.Close() })
		to[i] = recv.LocalAddr().(*net.UDPAddr).AddrPort()
	}
	send, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { send.Close() })
	if bc, err = newBatchConn(send); err != nil {
		tb.Fatal(err)
	}
	fallback = &countWriter{} // pion's path: must stay unused
	l, in = benchTrack(tb, n, func(int) interface {
		WriteRTP(*rtp.Header, []byte) (int, error)
		Write([]byte) (int, error)
	} {
		return fallback
	})
	if batched {
		l.up.publisher.room.engine.batch = bc // fan-outs cork it
	}
	for i, d := range *l.up.downs.Load() {
		if err := d.sub.out.setKeysLocked(make([]byte, 16), make([]byte, 12), srtp.ProtectionProfileAeadAes128Gcm); err != nil {
			tb.Fatal(err)
		}
		d.sub.out.route.Store(&directRoute{batch: bc, udp: to[i]})
	}
	fallback.n = 0 // the keyframe that started them
	return l, in, bc, fallback
}

// routeEach routes packet in b.N times through the layers ls in turn,
// each to its n subscribers, and reports the time per forwarded copy.
func routeEach(b *testing.B, ls []*upLayer, in []byte, n int) {
	var pkt rtp.Packet
	var sample uint32
	buf := make([]byte, len(in))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		copy(buf, in)
		// Advance the sequence number as a real stream would, so nothing
		// is taken for a duplicate.
		seq := uint16(i/len(ls) + 3)
		buf[2], buf[3] = byte(seq>>8), byte(seq)
		ls[i%len(ls)].route(buf, &pkt, &sample)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/forward")
}

// BenchmarkForwardSVC is the per-packet path for a VP9 K-SVC stream: one
// stream of three spatial layers, its subscribers spread over them, so
// each packet is forwarded to some and renumbered around for the others.
// Target: 0 allocations per packet, as for simulcast.
func BenchmarkForwardSVC(b *testing.B) {
	for _, n := range []int{1, 10, 50} {
		b.Run(fmt.Sprintf("subscribers=%d", n), func(b *testing.B) {
			e := &Engine{stats: newStats(), cfg: Config{AudioTopN: 3, BigRoom: 8}}
			r := e.NewRoom("bench", nil)
			u := &upTrack{publisher: &Peer{id: "pub", room: r}, layerCount: 1, svc: &svcTrack{}}
			layers := [maxLayers]*upLayer{}
			layers[0] = &upLayer{up: u, index: 0, ssrc: 300, cacheSize: compactMapSize}
			u.layers.Store(&layers)
			downs := make([]*downTrack, n)
			for i := range downs {
				d := newDownTrack(u, &Peer{id: PeerID(fmt.Sprint("sub", i)), room: r})
				d.ssrc, d.pt, d.ws = uint32(5000+i), 98, &countWriter{}
				d.rw = newRewriter(90000, false)
				d.target.Store(int32(i % 3))
				d.bound.Store(true)
				downs[i] = d
			}
			u.downs.Store(&downs)
			src := &svcSource{perLayer: 1, layers: 3}
			var pkt rtp.Packet
			var sample uint32
			for _, p := range src.picture(true, 0) {
				kb, _ := p.Marshal()
				layers[0].route(kb, &pkt, &sample)
			}
			var in [3][]byte
			for i, p := range src.picture(false, 0) {
				p.Payload = append(p.Payload, make([]byte, 1000)...)
				in[i], _ = p.Marshal()
			}
			buf := make([]byte, len(in[0]))
			forwards := 0
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				copy(buf, in[i%3])
				seq := uint16(i + 10)
				buf[2], buf[3] = byte(seq>>8), byte(seq)
				layers[0].route(buf, &pkt, &sample)
				// Layer s goes to the subscribers whose target is s or above.
				forwards += n * (3 - i%3) / 3
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(max(forwards, 1)), "ns/forward")
		})
	}
}
