package depdesc

import (
	"errors"
	"math/rand/v2"
	"reflect"
	"testing"
)

var sizes = []Resolution{{320, 180}, {640, 360}, {1280, 720}}

func TestStructureRoundTrip(t *testing.T) {
	for spatial := 1; spatial <= 3; spatial++ {
		st := KeySVC(spatial, sizes)
		st.IDOffset = 60 // template ids wrap past 63
		d := Descriptor{Start: true, TemplateID: KeySVCTemplate(st, 0, 0, true), FrameNumber: 65535}
		b := make([]byte, Size(st, true, false))
		if n := Put(b, &d, st, true); n != len(b) {
			t.Fatalf("Put wrote %d bytes, Size said %d", n, len(b))
		}
		var got Descriptor
		if err := Parse(b, nil, &got); err != nil {
			t.Fatalf("L%dT3: %v", spatial, err)
		}
		a := got.Attached
		if a == nil {
			t.Fatal("no structure attached")
		}
		if a.SpatialLayers != spatial || a.TemporalLayers != 3 || a.DecodeTargets != 3*spatial || a.Chains != spatial {
			t.Fatalf("L%dT3: %d spatial, %d temporal, %d targets, %d chains", spatial, a.SpatialLayers, a.TemporalLayers, a.DecodeTargets, a.Chains)
		}
		if !reflect.DeepEqual(a, st) {
			t.Fatalf("L%dT3: structure\n got %+v\nwant %+v", spatial, a, st)
		}
		if !got.Start || got.End || got.FrameNumber != 65535 || got.Spatial != 0 || got.Temporal != 0 {
			t.Fatalf("mandatory fields: %+v", got)
		}
		if !got.HasActive || got.ActiveTargets != 1<<(3*spatial)-1 {
			t.Fatalf("a structure makes every target active: %b", got.ActiveTargets)
		}
	}
}

func TestFramesFollowTheirTemplate(t *testing.T) {
	st := KeySVC(3, sizes)
	for s := 0; s < 3; s++ {
		for _, tid := range []uint8{0, 1, 2} {
			d := Descriptor{End: true, TemplateID: KeySVCTemplate(st, s, tid, false), FrameNumber: 7}
			b := make([]byte, 3)
			Put(b, &d, st, false)
			var got Descriptor
			if err := Parse(b, st, &got); err != nil {
				t.Fatal(err)
			}
			if int(got.Spatial) != s || got.Temporal != tid || got.Start || !got.End {
				t.Fatalf("S%dT%d: parsed %+v", s, tid, got)
			}
			// A delta frame of layer s is in the targets of layer s only,
			// from its own temporal layer up.
			for dt := 0; dt < 9; dt++ {
				in := dt/3 == s && dt%3 >= int(tid)
				if (got.DTI[dt] != NotPresent) != in {
					t.Fatalf("S%dT%d: target %d indication %d", s, tid, dt, got.DTI[dt])
				}
			}
		}
	}
	if dt := st.Target(1, 2); dt != 5 {
		t.Fatalf("target for S1T2: %d", dt)
	}
	if dt := st.Target(5, 5); dt != 8 {
		t.Fatalf("target for everything: %d", dt)
	}
	if dt := (&Structure{}).Target(0, 0); dt != -1 {
		t.Fatalf("target without targets: %d", dt)
	}
}

// bitsOf writes fields (value, width) MSB first, for descriptors Put does
// not write (custom fields).
func bitsOf(fields ...int) []byte {
	n := 0
	for i := 1; i < len(fields); i += 2 {
		n += fields[i]
	}
	w := writer{b: make([]byte, (n+7)/8)}
	for i := 0; i < len(fields); i += 2 {
		w.bits(fields[i], fields[i+1])
	}
	return w.b
}

func TestCustomFieldsAndActiveTargets(t *testing.T) {
	st := KeySVC(2, nil)
	tpl := int(KeySVCTemplate(st, 1, 1, false))
	b := bitsOf(
		1, 1, 0, 1, tpl, 6, 300, 16, // start, not end, template, frame number
		0, 1, 1, 1, 1, 1, 1, 1, 1, 1, // no structure; active targets, custom dtis, fdiffs, chains
		0b000111, 6, // active: the targets of layer 0
		3, 2, 3, 2, 3, 2, 0, 2, 0, 2, 1, 2, // custom indications for 6 targets
		1, 2, 5, 4, 2, 2, 200, 8, 0, 2, // two fdiffs (4- and 8-bit), then the end
		9, 8, 10, 8, // two chains
	)
	var d Descriptor
	if err := Parse(b, st, &d); err != nil {
		t.Fatal(err)
	}
	if d.Spatial != 1 || d.Temporal != 1 || !d.HasActive || d.ActiveTargets != 0b000111 {
		t.Fatalf("parsed %+v", d)
	}
	if want := [6]DTI{Required, Required, Required, NotPresent, NotPresent, Discardable}; [6]DTI(d.DTI[:6]) != want {
		t.Fatalf("custom indications %v, want %v", d.DTI[:6], want)
	}
	// The same with the chains cut short is an error, not a panic.
	if err := Parse(b[:len(b)-1], st, &d); !errors.Is(err, ErrShort) {
		t.Fatalf("truncated: %v", err)
	}
}

func TestErrors(t *testing.T) {
	st := KeySVC(1, nil)
	var d Descriptor
	if err := Parse([]byte{0x80, 0}, st, &d); !errors.Is(err, ErrShort) {
		t.Fatalf("2 bytes: %v", err)
	}
	if err := Parse([]byte{0x80, 0, 5}, nil, &d); !errors.Is(err, ErrNoStructure) || !d.Start || d.FrameNumber != 5 {
		t.Fatalf("no structure: %v %+v", err, d)
	}
	if err := Parse([]byte{0x80 | 40, 0, 5}, st, &d); !errors.Is(err, ErrTemplate) {
		t.Fatalf("template 40 of 4: %v", err)
	}
	// 65 templates: the structure is refused.
	fields := []int{1, 1, 0, 1, 0, 6, 1, 16, 1, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 6, 0, 5}
	for i := 0; i < 65; i++ {
		fields = append(fields, 0, 2)
	}
	if err := Parse(bitsOf(fields...), nil, &d); !errors.Is(err, ErrMalformed) {
		t.Fatalf("65 templates: %v", err)
	}
}

// TestRandomInput: no input panics or reads out of bounds, and none but a
// good one parses.
func TestRandomInput(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	st := KeySVC(3, sizes)
	good := make([]byte, Size(st, true, false))
	Put(good, &Descriptor{Start: true}, st, true)
	var d Descriptor
	for i := 0; i < 20000; i++ {
		b := make([]byte, rng.IntN(80))
		for j := range b {
			b[j] = byte(rng.Uint32())
		}
		if i%2 == 0 && len(b) > 0 {
			// Mostly good, with a bit flipped or cut short.
			b = append([]byte(nil), good[:min(len(b), len(good))]...)
			b[rng.IntN(len(b))] ^= 1 << rng.IntN(8)
		}
		_ = Parse(b, st, &d)
		_ = Parse(b, nil, &d)
	}
}

func TestParseDoesNotAllocate(t *testing.T) {
	st := KeySVC(3, sizes)
	b := make([]byte, 3)
	Put(b, &Descriptor{TemplateID: KeySVCTemplate(st, 2, 1, false)}, st, false)
	var d Descriptor
	if n := testing.AllocsPerRun(100, func() { _ = Parse(b, st, &d) }); n != 0 {
		t.Fatalf("%v allocations per parse", n)
	}
}
