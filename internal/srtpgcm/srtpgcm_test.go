package srtpgcm

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	mrand "math/rand/v2"
	"strings"
	"testing"

	"github.com/pion/rtp"
	"github.com/pion/srtp/v3"
)

func unhex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.Join(strings.Fields(s), ""))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// The AEAD_AES_128_GCM example of RFC 7714 section 16.1.1.
func TestSealRFC7714Vector(t *testing.T) {
	c, err := NewSession(unhex(t, "000102030405060708090a0b0c0d0e0f"), unhex(t, "517569642070726f2071756f"))
	if err != nil {
		t.Fatal(err)
	}
	plain := unhex(t, `8040f17b 8041f8d3 5501a0b2 47616c6c 69612065 7374206f 6d6e6973
		20646976 69736120 696e2070 61727465 73207472 6573`)
	want := unhex(t, `8040f17b 8041f8d3 5501a0b2 f24de3a3 fb34de6c acba861c 9d7e4bca
		be633bd5 0d294e6f 42a5f47a 51c7d19b 36de3adf 8833899d 7f27beb1
		6a9152cf 765ee439 0cce`)
	pkt := append(make([]byte, 0, len(plain)+TagLen), plain...)
	var st Stream
	got, err := c.Seal(pkt, 12, &st)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("sealed\n%x\nwant\n%x", got, want)
	}
}

// What Seal makes, pion's SRTP (as browsers' libsrtp) opens, for both
// AES-GCM profiles, across a sequence-number wrap, with retransmissions
// from before it, and with CSRCs, header extensions and padding; and it
// is byte for byte what pion's own sender makes.
func TestSealOpensWithPion(t *testing.T) {
	for _, tc := range []struct {
		name    string
		profile srtp.ProtectionProfile
		keyLen  int
	}{
		{"AES-128-GCM", srtp.ProtectionProfileAeadAes128Gcm, 16},
		{"AES-256-GCM", srtp.ProtectionProfileAeadAes256Gcm, 32},
	} {
		t.Run(tc.name, func(t *testing.T) {
			key, salt := make([]byte, tc.keyLen), make([]byte, saltLen)
			_, _ = rand.Read(key)
			_, _ = rand.Read(salt)
			c, err := New(key, salt)
			if err != nil {
				t.Fatal(err)
			}
			sender, err := srtp.CreateContext(key, salt, tc.profile)
			if err != nil {
				t.Fatal(err)
			}
			receiver, err := srtp.CreateContext(key, salt, tc.profile)
			if err != nil {
				t.Fatal(err)
			}
			var st Stream
			seqs := []uint16{}
			for i := 0; i < 300; i++ {
				seqs = append(seqs, 65400+uint16(i)) // wraps after 136
				if i%50 == 49 {
					seqs = append(seqs, 65400+uint16(i-40)) // a retransmission, some from before the wrap
				}
			}
			for i, seq := range seqs {
				h := rtp.Header{Version: 2, PayloadType: 96, SequenceNumber: seq, Timestamp: uint32(i) * 3000, SSRC: 0x1234abcd, Marker: i%3 == 0}
				if i%4 == 1 {
					h.CSRC = []uint32{7, 8}
				}
				if i%5 == 2 {
					if err := h.SetExtension(3, []byte{byte(i), 0x55}); err != nil {
						t.Fatal(err)
					}
				}
				payload := bytes.Repeat([]byte{byte(i)}, 10+i%700)
				if i%7 == 3 {
					h.Padding, h.PaddingSize = true, 4
					payload = append(payload, 0, 0, 0, 4)
				}
				hdr, err := h.Marshal()
				if err != nil {
					t.Fatal(err)
				}
				plain := append(append([]byte{}, hdr...), payload...)
				sealed, theirs := sealBoth(t, c, &st, sender, plain, len(hdr))
				if !bytes.Equal(sealed, theirs) {
					t.Fatalf("packet %d (seq %d): sealed differs from pion's", i, seq)
				}
				opened, err := receiver.DecryptRTP(nil, sealed, nil)
				if err != nil {
					t.Fatalf("packet %d (seq %d): pion cannot open it: %v", i, seq, err)
				}
				if !bytes.Equal(opened, plain) {
					t.Fatalf("packet %d (seq %d): opened differs", i, seq)
				}
			}
			if st.ROC() != 1 {
				t.Fatalf("rollover count %d after one wrap", st.ROC())
			}
		})
	}
}

// Whatever order the numbers come in (steps on, retransmissions behind,
// jumps across half the space, several wraps), every packet is numbered
// as pion's sender numbers it, which is what receivers expect.
func TestStreamNumbersAsPion(t *testing.T) {
	key, salt := make([]byte, 16), make([]byte, saltLen)
	_, _ = rand.Read(key)
	_, _ = rand.Read(salt)
	c, err := New(key, salt)
	if err != nil {
		t.Fatal(err)
	}
	for walk := 0; walk < 20; walk++ {
		sender, err := srtp.CreateContext(key, salt, srtp.ProtectionProfileAeadAes128Gcm)
		if err != nil {
			t.Fatal(err)
		}
		var st Stream
		r := mrand.New(mrand.NewPCG(uint64(walk), 7))
		seq := uint16(r.Uint32())
		for i := 0; i < 5000; i++ {
			switch x := r.IntN(100); {
			case x < 80:
				seq++
			case x < 90:
				seq -= uint16(r.IntN(200)) // a retransmission
			case x < 95:
				seq += uint16(r.IntN(1 << 16)) // anywhere
			default:
				seq += uint16(30000 + r.IntN(5000)) // close to half the space
			}
			plain := []byte{0x80, 96, byte(seq >> 8), byte(seq), 0, 0, 0, 1, 0, 0, 0, 9, byte(i), byte(walk)}
			ours, theirs := sealBoth(t, c, &st, sender, plain, 12)
			if !bytes.Equal(ours, theirs) {
				roc, _ := sender.ROC(9)
				t.Fatalf("walk %d, packet %d (seq %d): numbered differently; rollover count %d, pion's %d", walk, i, seq, st.ROC(), roc)
			}
		}
	}
}

// sealBoth seals the RTP packet plain with c (on stream st) and with
// pion's sender context.
func sealBoth(t *testing.T, c *Cipher, st *Stream, sender *srtp.Context, plain []byte, headerLen int) (ours, theirs []byte) {
	t.Helper()
	pkt := append(make([]byte, 0, len(plain)+TagLen), plain...)
	ours, err := c.Seal(pkt, headerLen, st)
	if err != nil {
		t.Fatal(err)
	}
	if theirs, err = sender.EncryptRTP(nil, plain, nil); err != nil {
		t.Fatal(err)
	}
	return ours, theirs
}

func TestSealRefusesShortBuffers(t *testing.T) {
	c, err := New(make([]byte, 16), make([]byte, saltLen))
	if err != nil {
		t.Fatal(err)
	}
	var st Stream
	pkt := make([]byte, 20) // no room for the tag
	if _, err := c.Seal(pkt, 12, &st); err != ErrShort {
		t.Fatalf("no room for the tag: %v", err)
	}
	if _, err := c.Seal(make([]byte, 20, 64), 21, &st); err != ErrShort {
		t.Fatalf("header longer than the packet: %v", err)
	}
	if _, err := New(make([]byte, 16), make([]byte, 14)); err == nil {
		t.Fatal("a 14-byte (AES-CM) salt was taken")
	}
	if _, err := New(make([]byte, 15), make([]byte, saltLen)); err == nil {
		t.Fatal("a 15-byte key was taken")
	}
}

// BenchmarkSeal against pion's Context.EncryptRTP, for one 1,100-byte
// packet, as a fan-out writes it for each subscriber.
func BenchmarkSeal(b *testing.B) {
	key, salt := make([]byte, 16), make([]byte, saltLen)
	h := rtp.Header{Version: 2, PayloadType: 96, SSRC: 42}
	if err := h.SetExtension(1, []byte{1, 2, 3}); err != nil {
		b.Fatal(err)
	}
	hdr, _ := h.Marshal()
	plain := append(hdr, make([]byte, 1100)...)
	buf := make([]byte, 0, 2048)
	b.Run("srtpgcm", func(b *testing.B) {
		c, _ := New(key, salt)
		var st Stream
		b.ReportAllocs()
		b.SetBytes(int64(len(plain)))
		for i := 0; b.Loop(); i++ {
			pkt := append(buf[:0], plain...)
			pkt[2], pkt[3] = byte(i>>8), byte(i)
			if _, err := c.Seal(pkt, len(hdr), &st); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("pion", func(b *testing.B) {
		ctx, _ := srtp.CreateContext(key, salt, srtp.ProtectionProfileAeadAes128Gcm)
		var ph rtp.Header
		b.ReportAllocs()
		b.SetBytes(int64(len(plain)))
		for i := 0; b.Loop(); i++ {
			pkt := append(buf[:0], plain...)
			pkt[2], pkt[3] = byte(i>>8), byte(i)
			if _, err := ctx.EncryptRTP(pkt[:0], pkt, &ph); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkSealFanOut is the fanout shape's pattern: 50 subscriber
// sessions of 25 streams each, every packet of a stream sealed once per
// session, streams taking turns; the per-stream state no longer stays in
// the cache between a stream's packets.
func BenchmarkSealFanOut(b *testing.B) {
	const sessions, streams = 50, 25
	key, salt := make([]byte, 16), make([]byte, saltLen)
	b.Run("srtpgcm", func(b *testing.B) {
		cs := make([]*Cipher, sessions)
		sts := make([][]Stream, sessions)
		for i := range cs {
			cs[i], _ = New(key, salt)
			sts[i] = make([]Stream, streams)
		}
		fanOut(b, sessions, streams, func(session, stream int, pkt []byte) error {
			_, err := cs[session].Seal(pkt, 12, &sts[session][stream])
			return err
		})
	})
	b.Run("pion", func(b *testing.B) {
		cs := make([]*srtp.Context, sessions)
		for i := range cs {
			cs[i], _ = srtp.CreateContext(key, salt, srtp.ProtectionProfileAeadAes128Gcm)
		}
		var ph rtp.Header
		fanOut(b, sessions, streams, func(session, _ int, pkt []byte) error {
			_, err := cs[session].EncryptRTP(pkt[:0], pkt, &ph)
			return err
		})
	})
}

// fanOut seals 650-byte packets of streams taking turns, each for every
// session.
func fanOut(b *testing.B, sessions, streams int, seal func(session, stream int, pkt []byte) error) {
	plain := make([]byte, 12+650)
	plain[0] = 0x80
	buf := make([]byte, 0, 2048)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		s := i % streams
		plain[11] = byte(s)
		plain[2], plain[3] = byte(i/streams>>8), byte(i/streams)
		for j := 0; j < sessions; j++ {
			if err := seal(j, s, append(buf[:0], plain...)); err != nil {
				b.Fatal(err)
			}
		}
	}
}
