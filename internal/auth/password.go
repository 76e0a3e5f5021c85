package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"
	"golang.org/x/text/unicode/norm"
)

// Params are the argon2id cost parameters. They are recorded in every
// encoded hash, so changing them affects new hashes only: old ones still
// verify with the parameters they were made with.
type Params struct {
	// Memory is the memory cost in KiB.
	Memory uint32
	// Time is the number of passes over the memory.
	Time uint32
	// Threads is the degree of parallelism.
	Threads uint8
}

// DefaultParams follow OWASP's first argon2id configuration (m=19 MiB, t=2,
// p=1; https://cheatsheetseries.owasp.org/cheatsheets/Password_Storage_Cheat_Sheet.html),
// which gives about the same strength as RFC 9106's 64 MiB second
// recommendation for less memory. The server has two cores shared with the
// media plane: one thread per hash leaves a core for forwarding video, and
// 19 MiB a hash keeps a burst of ten sign-ins under 200 MiB. Sign-ins are
// rate limited per address, which bounds how many run at once.
var DefaultParams = Params{Memory: 19 * 1024, Time: 2, Threads: 1}

const (
	saltLen = 16 // bytes, RFC 9106 section 3.1 recommends 128 bits
	keyLen  = 32 // bytes of derived key

	// Bounds on the parameters read back from an encoded hash, so that a
	// corrupt or hostile row cannot make one sign-in allocate gigabytes.
	maxMemory = 1 << 20 // KiB, 1 GiB
	maxTime   = 16
)

// errMalformedHash is returned for an encoded hash this package cannot read.
var errMalformedHash = errors.New("malformed password hash")

// valid reports whether the parameters are ones argon2 accepts and this
// package will read back.
func (p Params) valid() bool {
	return p.Time >= 1 && p.Time <= maxTime && p.Threads >= 1 &&
		p.Memory >= 8*uint32(p.Threads) && p.Memory <= maxMemory
}

// key derives an n-byte argon2id key of password with salt. The password is
// normalised to NFKC first, as NIST SP 800-63B section 5.1.1.2 advises, so
// "é" typed as one code point or as "e" plus an accent is the same
// password whichever keyboard typed it.
func (p Params) key(password string, salt []byte, n uint32) []byte {
	return argon2.IDKey([]byte(norm.NFKC.String(password)), salt, p.Time, p.Memory, p.Threads, n)
}

// HashPassword hashes password with argon2id and a random salt, and returns
// the hash in the PHC string format
// ($argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>, base64 without padding).
func HashPassword(password string, p Params) (string, error) {
	if !p.valid() {
		return "", fmt.Errorf("hash password: invalid argon2 parameters %+v", p)
	}
	salt := make([]byte, saltLen)
	rand.Read(salt) // never fails; see crypto/rand.Read
	key := p.key(password, salt, keyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.Memory, p.Time, p.Threads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// CheckPassword reports whether password matches the encoded hash made by
// HashPassword. It returns an error only when the hash cannot be read.
func CheckPassword(encoded, password string) (bool, error) {
	p, salt, want, err := decodeHash(encoded)
	if err != nil {
		return false, err
	}
	got := p.key(password, salt, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// decodeHash parses a PHC-format argon2id hash.
func decodeHash(encoded string) (p Params, salt, key []byte, err error) {
	// "$argon2id$v=19$m=..,t=..,p=..$salt$key" splits into six parts, the
	// first one empty.
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return p, nil, nil, errMalformedHash
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return p, nil, nil, fmt.Errorf("%w: unsupported version %q", errMalformedHash, parts[2])
	}
	var threads uint32
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Time, &threads); err != nil ||
		threads > 255 {
		return p, nil, nil, fmt.Errorf("%w: parameters %q", errMalformedHash, parts[3])
	}
	p.Threads = uint8(threads)
	if !p.valid() {
		return p, nil, nil, fmt.Errorf("%w: parameters %q out of bounds", errMalformedHash, parts[3])
	}
	b64 := base64.RawStdEncoding
	salt, err = b64.DecodeString(parts[4])
	if err != nil || len(salt) < 8 {
		return p, nil, nil, fmt.Errorf("%w: salt", errMalformedHash)
	}
	key, err = b64.DecodeString(parts[5])
	if err != nil || len(key) < 16 || len(key) > 64 {
		return p, nil, nil, fmt.Errorf("%w: key", errMalformedHash)
	}
	return p, salt, key, nil
}
