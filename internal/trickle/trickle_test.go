package trickle

import (
	"slices"
	"testing"
)

func TestGateHoldsCandidatesBehindTheirDescription(t *testing.T) {
	var g Gate[string, int]
	var sent []string
	send := func(name string) func(int) {
		return func(c int) { sent = append(sent, name+":"+string(rune('0'+c))) }
	}
	g.Candidate("pub", 1, send("pub")) // nothing held: straight out
	g.Hold("pub")
	g.Candidate("pub", 2, send("pub"))
	g.Candidate("sub", 3, send("sub")) // another connection is not held
	g.Candidate("pub", 4, send("pub"))
	sent = append(sent, "pub:description")
	g.Release("pub", send("pub"))
	g.Candidate("pub", 5, send("pub"))
	want := []string{"pub:1", "sub:3", "pub:description", "pub:2", "pub:4", "pub:5"}
	if !slices.Equal(sent, want) {
		t.Fatalf("sent %v, want %v", sent, want)
	}
}
