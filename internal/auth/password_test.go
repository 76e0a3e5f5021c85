package auth

import (
	"encoding/base64"
	"strings"
	"testing"
)

// cheap are argon2id parameters that make a hash take microseconds, for
// tests only.
var cheap = Params{Memory: 64, Time: 1, Threads: 1}

func TestHashPassword(t *testing.T) {
	hash, err := HashPassword("correct horse", cheap)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(hash, "$argon2id$v=19$m=64,t=1,p=1$") {
		t.Errorf("hash = %q, want a PHC argon2id string with its parameters", hash)
	}
	parts := strings.Split(hash, "$")
	if salt, err := base64.RawStdEncoding.DecodeString(parts[4]); err != nil || len(salt) != 16 {
		t.Errorf("salt %q: %d bytes, %v; want 16", parts[4], len(salt), err)
	}

	for _, tt := range []struct {
		password string
		ok       bool
	}{
		{"correct horse", true},
		{"correct horse ", false},
		{"Correct horse", false},
		{"", false},
	} {
		ok, err := CheckPassword(hash, tt.password)
		if err != nil || ok != tt.ok {
			t.Errorf("CheckPassword(%q) = %v, %v; want %v", tt.password, ok, err, tt.ok)
		}
	}

	again, err := HashPassword("correct horse", cheap)
	if err != nil {
		t.Fatal(err)
	}
	if again == hash {
		t.Error("two hashes of one password are equal: the salt is not random")
	}
}

// TestPasswordNormalised checks that the same password typed as composed
// or decomposed Unicode verifies.
func TestPasswordNormalised(t *testing.T) {
	hash, err := HashPassword("caf\u00e9 au lait", cheap)
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := CheckPassword(hash, "cafe\u0301 au lait"); err != nil || !ok {
		t.Errorf("decomposed form: %v, %v; want a match", ok, err)
	}
}

// TestCheckPasswordOldParams checks that a hash keeps verifying with the
// parameters it was made with after the defaults change.
func TestCheckPasswordOldParams(t *testing.T) {
	hash, err := HashPassword("correct horse", Params{Memory: 128, Time: 2, Threads: 2})
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := CheckPassword(hash, "correct horse"); err != nil || !ok {
		t.Errorf("CheckPassword = %v, %v; want a match", ok, err)
	}
}

func TestCheckPasswordMalformed(t *testing.T) {
	good, err := HashPassword("correct horse", cheap)
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(good, "$")
	for _, hash := range []string{
		"",
		"plaintext",
		"$argon2i$v=19$m=64,t=1,p=1$" + parts[4] + "$" + parts[5],
		"$argon2id$v=16$m=64,t=1,p=1$" + parts[4] + "$" + parts[5],
		"$argon2id$v=19$m=4194304,t=1,p=1$" + parts[4] + "$" + parts[5], // 4 GiB
		"$argon2id$v=19$m=64,t=1000,p=1$" + parts[4] + "$" + parts[5],
		"$argon2id$v=19$m=64,t=1,p=0$" + parts[4] + "$" + parts[5],
		"$argon2id$v=19$m=64,t=1,p=300$" + parts[4] + "$" + parts[5],
		"$argon2id$v=19$m=64,t=1,p=1$!!!$" + parts[5],
		"$argon2id$v=19$m=64,t=1,p=1$" + parts[4] + "$",
		good + "$extra",
	} {
		if ok, err := CheckPassword(hash, "correct horse"); err == nil || ok {
			t.Errorf("CheckPassword(%q) = %v, %v; want an error", hash, ok, err)
		}
	}
}

func TestHashPasswordInvalidParams(t *testing.T) {
	for _, p := range []Params{{}, {Memory: 64, Time: 0, Threads: 1}, {Memory: 4, Time: 1, Threads: 1}} {
		if _, err := HashPassword("correct horse", p); err == nil {
			t.Errorf("HashPassword with %+v succeeded, want an error", p)
		}
	}
}

// BenchmarkHashPassword measures the production cost of one hash, which is
// also the cost of one sign-in.
func BenchmarkHashPassword(b *testing.B) {
	for b.Loop() {
		if _, err := HashPassword("correct horse battery staple", DefaultParams); err != nil {
			b.Fatal(err)
		}
	}
}
