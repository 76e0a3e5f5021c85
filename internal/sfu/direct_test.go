package sfu

import (
	"crypto/rand"
	"errors"
	"testing"

	"github.com/pion/rtp"
	"github.com/pion/srtp/v3"
	"github.com/pion/webrtc/v4"
)

// A down track sends through its connection's direct route; without one,
// through pion, but only while pion's SRTP would number the stream as
// the subscriber expects: once the stream's sequence numbers have wrapped
// under the direct sender, packets are dropped instead.
func TestDirectSendFallsBackOnlyBeforeAWrap(t *testing.T) {
	for _, tc := range []struct {
		name    string
		profile srtp.ProtectionProfile
		keyLen  int
		saltLen int
	}{
		{"AES-128-GCM", srtp.ProtectionProfileAeadAes128Gcm, 16, 12},
		{"AES-256-GCM", srtp.ProtectionProfileAeadAes256Gcm, 32, 12},
		{"AES-CM-HMAC-SHA1-80", srtp.ProtectionProfileAes128CmHmacSha1_80, 16, 14},
	} {
		t.Run(tc.name, func(t *testing.T) {
			testDirectSendFallsBack(t, tc.profile, make([]byte, tc.keyLen), make([]byte, tc.saltLen))
		})
	}
}

func testDirectSendFallsBack(t *testing.T, profile srtp.ProtectionProfile, key, salt []byte) {
	_, d, rec := testTrack(t)
	recv := newReceiver(t, "udp4", "127.0.0.1:0")
	bc := newTestBatchConn(t, "udp4", "127.0.0.1:0")
	_, _ = rand.Read(key)
	_, _ = rand.Read(salt)
	out := &d.sub.out
	if err := out.setKeysLocked(key, salt, profile); err != nil {
		t.Fatal(err)
	}
	route := &directRoute{batch: bc, udp: recv.addr()}
	out.route.Store(route)

	payload := make([]byte, 100)
	h := rtp.Header{Version: 2, PayloadType: 96, SSRC: 4242, SequenceNumber: 65530}
	for i := 0; i < 3; i++ {
		h.SequenceNumber++
		if _, err := d.writeRTP(&h, payload); err != nil {
			t.Fatal(err)
		}
	}
	got := recv.wait(t, 3)
	// What arrived is SRTP the subscriber's context (the same keys) opens.
	dec, err := srtp.CreateContext(key, salt, profile)
	if err != nil {
		t.Fatal(err)
	}
	for i, b := range got {
		plain, err := dec.DecryptRTP(nil, b, nil)
		if err != nil {
			t.Fatalf("datagram %d: %v", i, err)
		}
		var p rtp.Packet
		if err := p.Unmarshal(plain); err != nil || len(p.Payload) != len(payload) || p.SequenceNumber != 65531+uint16(i) {
			t.Fatalf("datagram %d: %v, seq %d, %d bytes", i, err, p.SequenceNumber, len(p.Payload))
		}
	}

	// No route, before any wrap: pion's path takes it.
	out.route.Store(nil)
	h.SequenceNumber++
	if _, err := d.writeRTP(&h, payload); err != nil || len(rec.packets) != 1 {
		t.Fatalf("without a route before a wrap: %v, %d packets to pion", err, len(rec.packets))
	}
	// The stream wraps under the direct sender; then no route: dropped.
	out.route.Store(route)
	for i := 0; i < 10; i++ {
		h.SequenceNumber++
		if _, err := d.writeRTP(&h, payload); err != nil {
			t.Fatal(err)
		}
	}
	out.route.Store(nil)
	h.SequenceNumber++
	if _, err := d.writeRTP(&h, payload); !errors.Is(err, errNoRoute) || len(rec.packets) != 1 {
		t.Fatalf("without a route after a wrap: %v, %d packets to pion; want errNoRoute and none", err, len(rec.packets))
	}
}

// A new candidate pair (an ICE restart, a network change) moves the
// direct route once the keys are made, whichever SRTP profile made them;
// before, it is only remembered.
func TestDirectRouteFollowsPairChanges(t *testing.T) {
	for _, tc := range []struct {
		name      string
		profile   srtp.ProtectionProfile
		key, salt int
	}{
		{"AES-128-GCM", srtp.ProtectionProfileAeadAes128Gcm, 16, 12},
		{"AES-CM-HMAC-SHA1-80", srtp.ProtectionProfileAes128CmHmacSha1_80, 16, 14},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, d, _ := testTrack(t)
			e := d.sub.room.engine
			e.batch = newTestBatchConn(t, "udp4", "127.0.0.1:0")
			pair := func(port uint16) *webrtc.ICECandidatePair {
				return &webrtc.ICECandidatePair{
					Local:  &webrtc.ICECandidate{Protocol: webrtc.ICEProtocolUDP, Address: "127.0.0.1", Port: 1},
					Remote: &webrtc.ICECandidate{Protocol: webrtc.ICEProtocolUDP, Address: "127.0.0.1", Port: port},
				}
			}
			out := &d.sub.out
			out.setPair(e, pair(5000))
			if out.route.Load() != nil {
				t.Fatal("a route before the keys")
			}
			out.mu.Lock()
			err := out.setKeysLocked(make([]byte, tc.key), make([]byte, tc.salt), tc.profile)
			out.mu.Unlock()
			if err != nil {
				t.Fatal(err)
			}
			out.setPair(e, pair(5001))
			if r := out.route.Load(); r == nil || r.udp.Port() != 5001 {
				t.Fatalf("route %+v after a pair change, want port 5001", r)
			}
			out.setPair(e, pair(5002))
			if r := out.route.Load(); r == nil || r.udp.Port() != 5002 {
				t.Fatalf("route %+v after a second change, want port 5002", r)
			}
		})
	}
}
