package vp9

import "testing"

func TestParse(t *testing.T) {
	tests := []struct {
		name    string
		payload []byte
		want    Descriptor
	}{{
		// Chrome's K-SVC keyframe, first packet: flexible, 15-bit picture
		// id 0x1234, TID 0 SID 0, U set, and an SS with three sizes.
		name: "flexible keyframe with SS",
		payload: []byte{0xba, 0x92, 0x34, 0x10,
			0x50, 0x01, 0x40, 0x00, 0xb4, 0x02, 0x80, 0x01, 0x68, 0x05, 0x00, 0x02, 0xd0, 0xee},
		want: Descriptor{PictureID: 0x1234, HasPictureID: true, WidePictureID: true, HasLayers: true, Flexible: true, Begin: true, HasSS: true,
			SwitchingUp: true, SpatialLayers: 3, SizesPresent: true,
			Widths: [8]uint16{320, 640, 1280}, Heights: [8]uint16{180, 360, 720}, HeaderLen: 17},
	}, {
		// A delta frame of spatial layer 2, temporal layer 1, the last
		// packet, two references (P_DIFF 1 and 2).
		name:    "flexible delta with two references",
		payload: []byte{0xf4, 0x80, 0x05, 0x25, 0x03, 0x04, 0xee},
		want: Descriptor{PictureID: 5, HasPictureID: true, WidePictureID: true, InterPicture: true, HasLayers: true, Flexible: true, End: true,
			TID: 1, SID: 2, InterLayer: true, RefDiffs: [3]uint8{1, 2}, RefCount: 2, HeaderLen: 6},
	}, {
		// Non-flexible: 7-bit picture id, TL0PICIDX, an SS without sizes
		// but with a group of two pictures.
		name:    "non-flexible with TL0PICIDX and a group",
		payload: []byte{0xaa, 0x11, 0x02, 0x07, 0x08, 0x02, 0x04, 0x01, 0x24, 0x02, 0xee},
		want: Descriptor{PictureID: 0x11, HasPictureID: true, HasLayers: true, Begin: true, HasSS: true, SID: 1, TL0PicIdx: 7,
			SpatialLayers: 1, HeaderLen: 10},
	}, {
		name:    "no picture id, no layers",
		payload: []byte{0x4c, 0xee},
		want:    Descriptor{InterPicture: true, Begin: true, End: true, HeaderLen: 1},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var d Descriptor
			if !Parse(tt.payload, &d) {
				t.Fatal("Parse failed")
			}
			if d != tt.want {
				t.Fatalf("got  %+v\nwant %+v", d, tt.want)
			}
			// And back: Put writes what Parse read.
			buf := make([]byte, 64)
			n := Put(buf, &d)
			var again Descriptor
			ok := Parse(buf[:n], &again)
			again.HeaderLen = d.HeaderLen // Put writes no group of pictures
			if !ok || again != d {
				t.Fatalf("round trip: %x gives %+v", buf[:n], again)
			}
		})
	}
}

func TestKeyframe(t *testing.T) {
	var d Descriptor
	for _, tt := range []struct {
		payload []byte
		key     bool
	}{
		{[]byte{0xa8, 0x80, 0x01, 0x00, 0x00}, true},  // SID 0, B, not P
		{[]byte{0xa8, 0x80, 0x01, 0x02, 0x00}, false}, // SID 1
		{[]byte{0xe8, 0x80, 0x01, 0x00, 0x00}, false}, // P
		{[]byte{0xa0, 0x80, 0x01, 0x00, 0x00}, false}, // not B
	} {
		if !Parse(tt.payload, &d) || d.Keyframe() != tt.key {
			t.Errorf("%x: keyframe %v, want %v", tt.payload, d.Keyframe(), tt.key)
		}
	}
}

// TestParseRejectsTruncated cuts every valid descriptor short: Parse must
// say so, never read past the end.
func TestParseRejectsTruncated(t *testing.T) {
	full := [][]byte{
		{0xba, 0x92, 0x34, 0x10, 0x50, 0x01, 0x40, 0x00, 0xb4, 0x02, 0x80, 0x01, 0x68, 0x05, 0x00, 0x02, 0xd0},
		{0xf4, 0x80, 0x05, 0x25, 0x03, 0x04},
		{0xaa, 0x11, 0x02, 0x07, 0x08, 0x02, 0x04, 0x01, 0x24, 0x02},
	}
	var d Descriptor
	for _, p := range full {
		for n := 0; n < len(p); n++ {
			if Parse(p[:n], &d) {
				t.Errorf("%x (cut to %d bytes) parsed", p[:n], n)
			}
		}
	}
	// Four references: flexible mode allows three.
	if Parse([]byte{0xd0, 0x03, 0x03, 0x03, 0x03, 0x02}, &d) {
		t.Error("four references parsed")
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte{0xba, 0x92, 0x34, 0x10, 0x50, 0x01, 0x40, 0x00, 0xb4})
	f.Fuzz(func(t *testing.T, p []byte) {
		var d Descriptor
		if Parse(p, &d) && d.HeaderLen > len(p) {
			t.Fatalf("header length %d beyond %d bytes", d.HeaderLen, len(p))
		}
	})
}
