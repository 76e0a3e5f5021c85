package rooms

import (
	"fmt"
	"io"
)

// TokenLength is the length of a room link token: 22 characters of 62
// (letters of both cases and digits) carry 130 bits, more than the 128 that
// make a link unguessable.
const TokenLength = 22

const tokenAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

// NewToken draws a room token from rnd, which must be crypto/rand.Reader
// outside tests. It uses rejection sampling so every character is equally
// likely (a plain modulo would favour the first eight).
func NewToken(rnd io.Reader) (Token, error) {
	out := make([]byte, 0, TokenLength)
	var buf [32]byte
	for len(out) < TokenLength {
		if _, err := io.ReadFull(rnd, buf[:]); err != nil {
			return "", fmt.Errorf("read random: %w", err)
		}
		for _, b := range buf {
			// 248 = 4 × 62: bytes at or above it would bias the result.
			if b < 248 && len(out) < TokenLength {
				out = append(out, tokenAlphabet[b%62])
			}
		}
	}
	return Token(out), nil
}

// ValidToken reports whether s has the shape of a room token. Anything else
// is answered like an unknown token without touching the store.
func ValidToken(s string) bool {
	if len(s) != TokenLength {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9') {
			return false
		}
	}
	return true
}
