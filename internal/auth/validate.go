package auth

import (
	"net/mail"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/roomsdev/rooms/internal/rooms"
)

// Limits on what people type, as documented in docs/api.md.
const (
	MinPassword = 8   // characters
	MaxPassword = 256 // characters
	MaxEmail    = 254 // bytes, the longest address SMTP can carry (RFC 5321 section 4.5.3.1.3)
)

// NormalizeDisplayName checks and normalises a display name; the rule
// itself is the domain's (rooms.CleanDisplayName).
func NormalizeDisplayName(name string) (string, error) {
	return rooms.CleanDisplayName(name)
}

// NormalizeEmail trims, Unicode-normalises (NFKC) and lowercases an email
// address and checks that it is a plain address (name@domain, no display
// name or comments) of 3 to 254 bytes. It returns the normalised address.
// NFKC makes the composed and decomposed forms of a letter, and the
// full-width forms a phone keyboard may type, one address (and so one
// account), as email systems that accept Unicode addresses compare them
// (RFC 6530 section 10.1). Lowercasing the local part goes beyond RFC
// 5321, but no mail provider in common use tells Ada@example.com from
// ada@example.com, and people do not remember which case they typed.
func NormalizeEmail(email string) (string, error) {
	email = strings.ToLower(norm.NFKC.String(strings.TrimSpace(email)))
	invalid := rooms.Errorf(rooms.EINVALID, "Please enter a valid email address.")
	if len(email) < 3 || len(email) > MaxEmail || !utf8.ValidString(email) {
		return "", invalid
	}
	local, domain, ok := strings.Cut(email, "@")
	if !ok || local == "" || domain == "" || strings.Contains(domain, "@") {
		return "", invalid
	}
	// ParseAddress accepts forms such as "Ada <ada@example.com>"; only the
	// bare address is wanted, so it must come back unchanged.
	addr, err := mail.ParseAddress(email)
	if err != nil || addr.Address != email || addr.Name != "" {
		return "", invalid
	}
	return email, nil
}

// CheckPasswordRules checks that a new password is 8 to 256 characters.
// Characters are counted as in docs/api.md, so the longest password is
// 1 KiB of UTF-8, which bounds the cost of hashing it. There are no rules
// about character classes: length is what makes a password strong (NIST SP
// 800-63B section 5.1.1.2).
func CheckPasswordRules(password string) error {
	if n := utf8.RuneCountInString(password); n < MinPassword || n > MaxPassword {
		return rooms.Errorf(rooms.EINVALID, "Your password must be between %d and %d characters.", MinPassword, MaxPassword)
	}
	return nil
}
