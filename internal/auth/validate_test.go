package auth

import (
	"strings"
	"testing"

	"github.com/roomsdev/rooms/internal/rooms"
)

func TestNormalizeDisplayName(t *testing.T) {
	tests := []struct {
		in   string
		want string // "" means the name is refused
	}{
		{"Ada", "Ada"},
		{"  Ada Lovelace \t\n", "Ada Lovelace"},
		{"Ren\u0065\u0301", "René"}, // e + combining acute becomes é (NFC)
		{"e\u0301", "é"},
		{"李小龍", "李小龍"},
		{"👩\u200d💻 Dev", "👩\u200d💻 Dev"},   // ZWJ emoji sequence
		{"می\u200cخواهم", "می\u200cخواهم"}, // Persian needs ZWNJ
		{"x", "x"},
		{strings.Repeat("é", 64), strings.Repeat("é", 64)},
		{strings.Repeat("e\u0301", 64), strings.Repeat("é", 64)}, // 128 runes in, 64 after NFC

		{"", ""},
		{"   ", ""},
		{"\u3000", ""}, // ideographic space only
		{strings.Repeat("a", 65), ""},
		{strings.Repeat("é", 65), ""},
		{"Ada\x00", ""},
		{"Ada\nLovelace", ""},
		{"Ada\tLovelace", ""},
		{"Ada\x1b[31m", ""},
		{"Ada\u0085Lovelace", ""}, // C1 control (NEL)
		{"Ada\u202Eecalevol", ""}, // right-to-left override
		{"Ad\u200Ba", ""},         // zero-width space
		{"\uFEFFAda", ""},         // byte order mark
		{"Ada\u2028Lovelace", ""}, // line separator
		{"Ada\xff", ""},           // invalid UTF-8
	}
	for _, tt := range tests {
		got, err := NormalizeDisplayName(tt.in)
		if tt.want == "" {
			if rooms.ErrorCode(err) != rooms.EINVALID {
				t.Errorf("NormalizeDisplayName(%+q) = %+q, %v; want EINVALID", tt.in, got, err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("NormalizeDisplayName(%+q) = %+q, %v; want %+q", tt.in, got, err, tt.want)
		}
	}
}

func TestDisplayNameMessages(t *testing.T) {
	_, err := NormalizeDisplayName(strings.Repeat("a", 65))
	if got, want := rooms.ErrorMessage(err), "Your name must be between 1 and 64 characters."; got != want {
		t.Errorf("message = %q, want %q", got, want)
	}
	_, err = NormalizeDisplayName("a\x00")
	if got := rooms.ErrorMessage(err); !strings.Contains(got, "control") {
		t.Errorf("message = %q, want it to mention control characters", got)
	}
}

func TestNormalizeEmail(t *testing.T) {
	tests := []struct {
		in   string
		want string // "" means the address is refused
	}{
		{"ada@example.com", "ada@example.com"},
		{"  Ada@Example.COM ", "ada@example.com"},
		{"ada.lovelace+rooms@mail.example.co.uk", "ada.lovelace+rooms@mail.example.co.uk"},
		{"a@b", "a@b"},
		{strings.Repeat("a", 64) + "@" + strings.Repeat("b", 185) + ".com", strings.Repeat("a", 64) + "@" + strings.Repeat("b", 185) + ".com"}, // 254 bytes
		// One address however its letters were typed (NFKC).
		{"e\u0301lise@example.com", "\u00e9lise@example.com"},      // decomposed é
		{"\u00c9lise@example.com", "\u00e9lise@example.com"},       // composed É
		{"\uff21\uff44\uff41\uff20example.com", "ada@example.com"}, // full-width ＡＤＡ＠

		{"", ""},
		{"@", ""},
		{"a@", ""},
		{"@b", ""},
		{"ada", ""},
		{"ada@@example.com", ""},
		{"ada@example@com", ""},
		{"ada lovelace@example.com", ""},
		{"Ada <ada@example.com>", ""},
		{"ada@example.com (Ada)", ""},
		{"ada@example.com\n", "ada@example.com"}, // trailing whitespace is trimmed
		{"ada\n@example.com", ""},
		{"ada@exa mple.com", ""},
		{strings.Repeat("a", 64) + "@" + strings.Repeat("b", 186) + ".com", ""}, // 255 bytes
	}
	for _, tt := range tests {
		got, err := NormalizeEmail(tt.in)
		if tt.want == "" {
			if rooms.ErrorCode(err) != rooms.EINVALID {
				t.Errorf("NormalizeEmail(%q) = %q, %v; want EINVALID", tt.in, got, err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("NormalizeEmail(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestCheckPasswordRules(t *testing.T) {
	tests := []struct {
		in string
		ok bool
	}{
		{"", false},
		{"1234567", false},
		{"12345678", true},
		{"correct horse battery staple", true},
		{"ééééééé", false}, // 7 characters, 14 bytes
		{"éééééééé", true},
		{strings.Repeat("a", 256), true},
		{strings.Repeat("a", 257), false},
		{strings.Repeat("é", 256), true}, // 512 bytes: characters are what count
	}
	for _, tt := range tests {
		err := CheckPasswordRules(tt.in)
		if tt.ok && err != nil {
			t.Errorf("CheckPasswordRules(%d runes %q…): %v", len([]rune(tt.in)), prefix(tt.in), err)
		} else if !tt.ok && rooms.ErrorCode(err) != rooms.EINVALID {
			t.Errorf("CheckPasswordRules(%d runes %q…) = %v, want EINVALID", len([]rune(tt.in)), prefix(tt.in), err)
		}
	}
}

func prefix(s string) string {
	if r := []rune(s); len(r) > 10 {
		return string(r[:10])
	}
	return s
}
