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
	for _, r := range s {
		// Zero-width joiners are part of many emoji, so they stay.
		if unicode.IsControl(r) || (unicode.Is(unicode.Cf, r) && r != '\u200d') {
			return "", Errorf(EINVALID, "%s contains characters that are not allowed.", what)
		}
	}
	if n := utf8.RuneCountInString(s); n < minLen || n > maxLen {
		if minLen > 0 && n == 0 {
			return "", Errorf(EINVALID, "%s is required.", what)
		}
		return "", Errorf(EINVALID, "%s must be at most %d characters.", what, maxLen)
	}
	return s, nil
}

// CleanDisplayName validates a person's display name (1–64 characters).
func CleanDisplayName(s string) (string, error) {
	return CleanText(s, "Your name", 1, MaxDisplayName)
}
