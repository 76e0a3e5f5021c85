// Package srtpgcm encrypts RTP for an SRTP sender with the AEAD AES-GCM
// profiles (RFC 7714), the profiles browsers and the SFU negotiate.
//
// pion's srtp.Context does the same, and the SFU used it, but it keeps
// every stream's state in a map behind the context: for each packet a
// map lookup by SSRC, an index guess and the header parsed again. A
// forwarding SFU writes each packet to dozens of subscribers, and that
// bookkeeping was a third of what the encryption cost (pprof, fanout
// shape). Here the caller holds each stream's state (Stream) and the
// header's length, so a packet costs the AES-GCM seal and little else.
//
// Only the sending side: the SFU decrypts with pion, and so do the
// tests that check what this produces.
package srtpgcm

import (
	"crypto/aes"
	"crypto/cipher"
	"encoding/binary"
	"errors"
	"fmt"
	"reflect"
	"unsafe"

	"github.com/roomsdev/rooms/internal/prefetch"
)

// TagLen is the length of the authentication tag after each packet.
const TagLen = 16

// saltLen is the session salt's length (RFC 7714 section 12: 96 bits).
const saltLen = 12

// The key derivation labels (RFC 3711 section 4.3.1).
const (
	labelEncryption = 0x00
	labelSalt       = 0x02
)

// Cipher seals the RTP of one SRTP session's sending side. It holds no
// per-packet state, so goroutines may share it; each stream's state is
// the caller's.
type Cipher struct {
	aead cipher.AEAD
	salt [saltLen]byte
	// state is the AEAD's own object, its key schedule and tables, and
	// stateSize its size, for Prefetch.
	state     unsafe.Pointer
	stateSize uintptr
}

// New makes the cipher from the master key (16 bytes for
// AEAD_AES_128_GCM, 32 for AEAD_AES_256_GCM) and the 12-byte master
// salt, as DTLS-SRTP exports them, deriving the session key and salt
// (RFC 3711 section 4.3, with the AES-CM PRF; RFC 7714 section 11).
func New(masterKey, masterSalt []byte) (*Cipher, error) {
	if len(masterSalt) != saltLen {
		return nil, fmt.Errorf("srtpgcm: master salt of %d bytes, want %d", len(masterSalt), saltLen)
	}
	key, err := derive(labelEncryption, masterKey, masterSalt, len(masterKey))
	if err != nil {
		return nil, err
	}
	salt, err := derive(labelSalt, masterKey, masterSalt, saltLen)
	if err != nil {
		return nil, err
	}
	return NewSession(key, salt)
}

// NewSession makes the cipher from session keys already derived.
func NewSession(sessionKey, sessionSalt []byte) (*Cipher, error) {
	if len(sessionSalt) != saltLen {
		return nil, fmt.Errorf("srtpgcm: session salt of %d bytes, want %d", len(sessionSalt), saltLen)
	}
	block, err := aes.NewCipher(sessionKey)
	if err != nil {
		return nil, fmt.Errorf("srtpgcm: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("srtpgcm: %w", err)
	}
	c := &Cipher{aead: aead}
	copy(c.salt[:], sessionSalt)
	if v := reflect.ValueOf(aead); v.Kind() == reflect.Pointer {
		c.state, c.stateSize = v.UnsafePointer(), min(v.Type().Elem().Size(), 2048)
	}
	return c, nil
}

// Prefetch starts loading the key schedule and tables a Seal reads (760
// bytes with Go's AES-GCM), for a seal soon. It reads c's own fields, so
// c itself is best prefetched a step before.
func (c *Cipher) Prefetch() { prefetch.Lines(c.state, c.stateSize) }

// derive is the AES-CM key derivation function with a key derivation
// rate of 0 (RFC 3711 section 4.3.3): the master salt with the label
// folded into its eighth byte, encrypted in counter mode.
func derive(label byte, masterKey, masterSalt []byte, n int) ([]byte, error) {
	block, err := aes.NewCipher(masterKey)
	if err != nil {
		return nil, fmt.Errorf("srtpgcm: %w", err)
	}
	var in [aes.BlockSize]byte
	copy(in[:], masterSalt)
	in[7] ^= label
	out := make([]byte, (n+aes.BlockSize-1)/aes.BlockSize*aes.BlockSize)
	for i := 0; i*aes.BlockSize < n; i++ {
		binary.BigEndian.PutUint16(in[aes.BlockSize-2:], uint16(i))
		block.Encrypt(out[i*aes.BlockSize:], in[:])
	}
	return out[:n], nil
}

// ErrShort means the buffer has no room for the tag, or the header
// length does not fit the packet.
var ErrShort = errors.New("srtpgcm: buffer too short")

// Seal encrypts the RTP packet pkt in place: pkt[:headerLen] is its
// header (with CSRCs and extensions), authenticated but left clear, and
// the rest its payload (with any padding). The tag goes after it, so
// pkt's capacity must hold TagLen more bytes. st is the packet's stream;
// Seal works out the packet's rollover count from it and moves it on.
// It returns pkt with the tag.
func (c *Cipher) Seal(pkt []byte, headerLen int, st *Stream) ([]byte, error) {
	if headerLen < 12 || headerLen > len(pkt) || cap(pkt)-len(pkt) < TagLen {
		return nil, ErrShort
	}
	seq := binary.BigEndian.Uint16(pkt[2:4])
	roc := st.next(seq)
	// RFC 7714 section 8.1: the IV is 00 00 || SSRC || ROC || SEQ,
	// exclusive-ored with the session salt.
	iv := &st.iv // in the stream, not on the stack: Seal's interface call would move it to the heap
	iv[0], iv[1] = 0, 0
	copy(iv[2:6], pkt[8:12])
	binary.BigEndian.PutUint32(iv[6:10], roc)
	binary.BigEndian.PutUint16(iv[10:12], seq)
	for i := range iv {
		iv[i] ^= c.salt[i]
	}
	return c.aead.Seal(pkt[:headerLen], iv[:], pkt[headerLen:], pkt[:headerLen]), nil
}

// Stream is one SSRC's sending state: the packet index (RFC 3711
// section 3.3.1: the rollover count times 2^16 plus the sequence number)
// of the furthest packet sent. Its zero value is a stream that has sent
// nothing. The caller keeps it and serialises its use.
type Stream struct {
	index   uint64
	started bool
	iv      [saltLen]byte // Seal's scratch
}

// ROC is the stream's rollover count: how many times its sequence
// numbers have wrapped.
func (st *Stream) ROC() uint32 { return uint32(st.index >> 16) }

const (
	seqHalf  = 1 << 15
	seqSpace = 1 << 16
)

// next is the rollover count of a packet numbered seq, and moves the
// stream on when seq is ahead of it. The guess is the one a receiver
// makes (RFC 3711 section 3.3.1 and appendix A) from the highest number
// it has seen: within half the number space behind or ahead of it, in
// whichever rollover makes the distance shortest. Until the index
// passes half the space, nothing counts as behind across a wrap: the
// stream has no earlier rollover to be in. A receiver that has seen the
// same packets guesses the same for every packet this sends, and so does
// pion's sender, which the tests compare it with.
func (st *Stream) next(seq uint16) uint32 {
	if !st.started {
		st.started, st.index = true, uint64(seq)
		return 0
	}
	roc := uint32(st.index >> 16)
	last, s := int32(st.index&(seqSpace-1)), int32(seq)
	diff := s - last
	switch {
	case st.index <= seqHalf:
	case last < seqHalf && diff > seqHalf:
		roc-- // from before the last wrap
		diff -= seqSpace
	case last >= seqHalf && -diff > seqHalf:
		roc++ // wrapped
		diff += seqSpace
	}
	if diff > 0 {
		st.index += uint64(diff)
	}
	return roc
}
