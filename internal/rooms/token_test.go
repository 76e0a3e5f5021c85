package rooms

import (
	"crypto/rand"
	"testing"
)

func TestNewToken(t *testing.T) {
	seen := make(map[Token]bool)
	counts := make(map[rune]int)
	for i := 0; i < 2000; i++ {
		tok, err := NewToken(rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		if !ValidToken(string(tok)) {
			t.Fatalf("token %q is not valid", tok)
		}
		if seen[tok] {
			t.Fatalf("token %q drawn twice", tok)
		}
		seen[tok] = true
		for _, c := range tok {
			counts[c]++
		}
	}
	// 44,000 characters over 62 symbols: about 710 each. A biased draw
	// (plain modulo) would put the first symbols far above the rest.
	if len(counts) != 62 {
		t.Fatalf("only %d distinct characters used", len(counts))
	}
	for c, n := range counts {
		if n < 500 || n > 950 {
			t.Errorf("character %q drawn %d times, want about 710", c, n)
		}
	}
}

func TestValidToken(t *testing.T) {
	for s, want := range map[string]bool{
		"AbCdEfGhIjKlMnOpQrStU9":  true,
		"AbCdEfGhIjKlMnOpQrStU":   false, // 21
		"AbCdEfGhIjKlMnOpQrStU9x": false,
		"AbCdEfGhIjKlMnOpQrSt-9":  false,
		"":                        false,
		"AbCdEfGhIjKlMnOpQrStÜ9":  false,
	} {
		if got := ValidToken(s); got != want {
			t.Errorf("ValidToken(%q) = %v, want %v", s, got, want)
		}
	}
}
