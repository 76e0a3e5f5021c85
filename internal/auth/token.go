package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"

	"github.com/roomsdev/rooms/internal/rooms"
)

// tokenBytes is the entropy of a session token: 256 bits, far beyond
// guessing, so a token needs no other protection than secrecy.
const tokenBytes = 32

// tokenLen is the length of an encoded token, 43 characters.
var tokenLen = base64.RawURLEncoding.EncodedLen(tokenBytes)

// NewToken returns a new session token: 32 random bytes, base64url-encoded
// without padding, safe in a cookie or a URL.
func NewToken() string {
	b := make([]byte, tokenBytes)
	rand.Read(b) // never fails; see crypto/rand.Read
	return base64.RawURLEncoding.EncodeToString(b)
}

// HashToken returns the SHA-256 of a session token: what the store keeps,
// so that reading the sessions table does not hand out live sessions. A
// fast hash is enough because the token is random, not chosen by a person.
func HashToken(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// NewID returns a new account or guest id: 16 random bytes in lowercase
// hex. Hex is unambiguous in logs and survives case-insensitive systems.
func NewID() string {
	b := make([]byte, 16)
	rand.Read(b) // never fails; see crypto/rand.Read
	return hex.EncodeToString(b)
}

// DeviceID is what the store keeps of a device token: its SHA-256 in hex,
// like a session token's hash, so a leaked database names no browser.
func DeviceID(token string) rooms.DeviceID {
	if token == "" {
		return ""
	}
	return rooms.DeviceID(hex.EncodeToString(HashToken(token)))
}
