package rooms

import (
	"strings"
	"testing"
)

func TestCleanText(t *testing.T) {
	tests := []struct {
		in      string
		want    string
		wantErr bool
	}{
		{"  Ada  ", "Ada", false},
		{"e\u0301mile", "émile", false},
		{"", "", true},
		{"   ", "", true},
		{"bad\x00name", "", true},
		{"bad\nname", "", true},
		{"rtl\u202espoof", "", true},
		{"line\u2028sep", "", true},
		{"zwnj\u200cname", "zwnj\u200cname", false},
		{"family 👨\u200d👩\u200d👧", "family 👨\u200d👩\u200d👧", false},
		{strings.Repeat("é", 64), strings.Repeat("é", 64), false},
		{strings.Repeat("é", 65), "", true},
	}
	for _, tt := range tests {
		got, err := CleanDisplayName(tt.in)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("CleanDisplayName(%q) = %q, %v; want %q, err=%v", tt.in, got, err, tt.want, tt.wantErr)
		}
		if err != nil && ErrorCode(err) != EINVALID {
			t.Errorf("CleanDisplayName(%q): code %q, want %q", tt.in, ErrorCode(err), EINVALID)
		}
	}
	if got, err := CleanText("", "Room name", 0, MaxRoomName); err != nil || got != "" {
		t.Errorf("optional empty text: %q, %v", got, err)
	}
}
