package rooms

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Bounds on the texts people type.
const (
	MaxDisplayName = 64
	MaxRoomName    = 100
	MaxTheme       = 32
)

// CleanText trims s, normalises it to Unicode NFC (so "é" typed two ways is
// one name) and checks its length in characters. Control and invisible
// formatting characters are refused: they are used to spoof names and
// break layouts. what names the field in the error ("Your name").
func CleanText(s, what string, minLen, maxLen int) (string, error) {
	s = norm.NFC.String(strings.TrimSpace(s))
	if !utf8.ValidString(s) {
		return "", Errorf(EINVALID, "%s contains invalid characters.", what)
	}
	if n := utf8.RuneCountInString(s); n < minLen || n > maxLen {
		if minLen > 0 {
			return "", Errorf(EINVALID, "%s must be between %d and %d characters.", what, minLen, maxLen)
		}
		return "", Errorf(EINVALID, "%s must be at most %d characters.", what, maxLen)
	}
	for _, r := range s {
		if !allowedInText(r) {
			return "", Errorf(EINVALID, "%s cannot contain control or invisible formatting characters.", what)
		}
	}
	return s, nil
}

// allowedInText reports whether r may appear in a name. Refused: control
// characters (Cc: newlines, tabs, escapes), line and paragraph separators
// (Zl, Zp), and format characters (Cf) such as bidirectional overrides,
// which make a name display as another, and zero-width spaces, which make
// two names look alike. The zero-width joiner and non-joiner are the
// exceptions: emoji sequences and Persian or Indic names need them.
func allowedInText(r rune) bool {
	if r == '\u200c' || r == '\u200d' {
		return true
	}
	return !unicode.IsControl(r) && !unicode.In(r, unicode.Cf, unicode.Zl, unicode.Zp)
}

// CleanDisplayName validates a person's display name (1–64 characters).
func CleanDisplayName(s string) (string, error) {
	return CleanText(s, "Your name", 1, MaxDisplayName)
}
