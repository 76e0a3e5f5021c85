package auth

import (
	"net/mail"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/roomsdev/rooms/internal/rooms"
)

// Limits on what people type, as documented in docs/api.md.
const (
	MaxDisplayName = 64  // characters (runes), after normalisation
	MinPassword    = 8   // characters
	MaxPassword    = 256 // characters
	MaxEmail       = 254 // bytes, the longest address SMTP can carry (RFC 5321 section 4.5.3.1.3)
)

// Zero-width joiner and non-joiner: format characters that some scripts
// (Persian, Indic) and emoji sequences need, so names may contain them.
const (
	zwnj = '\u200C'
	zwj  = '\u200D'
)

// NormalizeDisplayName trims surrounding whitespace, normalises the name to
// Unicode NFC (so "e" plus a combining accent becomes "é" and compares equal
// to it) and checks it is 1 to 64 characters without invisible or
// layout-changing characters. It returns the normalised name.
func NormalizeDisplayName(name string) (string, error) {
	if !utf8.ValidString(name) {
		return "", errNameChars()
	}
	name = norm.NFC.String(strings.TrimSpace(name))
	if n := utf8.RuneCountInString(name); n < 1 || n > MaxDisplayName {
		return "", rooms.Errorf(rooms.EINVALID, "Your name must be between 1 and %d characters.", MaxDisplayName)
	}
	for _, r := range name {
		if !allowedInName(r) {
			return "", errNameChars()
		}
	}
	return name, nil
}

func errNameChars() *rooms.Error {
	return rooms.Errorf(rooms.EINVALID, "Your name cannot contain control or invisible formatting characters.")
}

// allowedInName reports whether r may appear in a display name. Refused:
// control characters (Cc: newlines, tabs, escapes), line and paragraph
// separators (Zl, Zp), and format characters (Cf) such as bidirectional
// overrides, which can make a name display as another, and zero-width
// spaces, which make two names look alike. ZWJ and ZWNJ are the exceptions:
// real names and emoji need them. Refusing all other Cf is simpler than
// picking safe ones one by one, at the cost of rare emoji tag sequences.
func allowedInName(r rune) bool {
	if r == zwj || r == zwnj {
		return true
	}
	return !unicode.IsControl(r) && !unicode.In(r, unicode.Cf, unicode.Zl, unicode.Zp)
}

// NormalizeEmail trims and lowercases an email address and checks that it
// is a plain address (name@domain, no display name or comments) of 3 to
// 254 bytes. It returns the normalised address. Lowercasing the local part
// goes beyond RFC 5321, but no mail provider in common use tells
// Ada@example.com from ada@example.com, and people do not remember which
// case they typed.
func NormalizeEmail(email string) (string, error) {
	email = strings.ToLower(strings.TrimSpace(email))
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
