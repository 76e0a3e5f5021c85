package keyframe

import "testing"

func TestVP8(t *testing.T) {
	tests := []struct {
		name    string
		payload []byte
		want    bool
	}{
		{"empty", nil, false},
		{"key, minimal descriptor", []byte{0x10, 0x00, 0x9d, 0x01, 0x2a}, true},
		{"delta, minimal descriptor", []byte{0x10, 0x01}, false},
		{"not a partition start", []byte{0x00, 0x00}, false},
		{"second partition", []byte{0x11, 0x00}, false},
		// X, I with 15-bit PictureID, L, T: descriptor is 1+1+2+1+1 bytes.
		{"key, extended descriptor", []byte{0x90, 0xe0, 0x80, 0x01, 0x05, 0x20, 0x00}, true},
		{"delta, extended descriptor", []byte{0x90, 0xe0, 0x80, 0x01, 0x05, 0x20, 0x01}, false},
		{"key, 7-bit PictureID", []byte{0x90, 0x80, 0x05, 0x00}, true},
		{"truncated extension", []byte{0x90, 0x80}, false},
	}
	for _, tt := range tests {
		if got := VP8(tt.payload); got != tt.want {
			t.Errorf("%s: VP8(% x) = %v, want %v", tt.name, tt.payload, got, tt.want)
		}
	}
}

func TestH264(t *testing.T) {
	tests := []struct {
		name    string
		payload []byte
		want    bool
	}{
		{"empty", nil, false},
		{"IDR", []byte{0x65, 0x88}, true},
		{"SPS", []byte{0x67, 0x42}, true},
		{"non-IDR slice", []byte{0x41, 0x9a}, false},
		{"STAP-A with SPS", []byte{0x78, 0x00, 0x02, 0x67, 0x42, 0x00, 0x02, 0x68, 0xce}, true},
		{"STAP-A without key", []byte{0x78, 0x00, 0x02, 0x41, 0x9a}, false},
		{"STAP-A truncated", []byte{0x78, 0x00, 0x09, 0x67}, false},
		{"FU-A start of IDR", []byte{0x7c, 0x85, 0x00}, true},
		{"FU-A middle of IDR", []byte{0x7c, 0x05, 0x00}, false},
		{"FU-A start of non-IDR", []byte{0x7c, 0x81, 0x00}, false},
	}
	for _, tt := range tests {
		if got := H264(tt.payload); got != tt.want {
			t.Errorf("%s: H264(% x) = %v, want %v", tt.name, tt.payload, got, tt.want)
		}
	}
}

func TestVP9(t *testing.T) {
	tests := []struct {
		name    string
		payload []byte
		want    bool
	}{
		{"empty", nil, false},
		// I (15-bit id), L, F, B, V: SID 0 of a keyframe with an SS.
		{"K-SVC keyframe", []byte{0xba, 0x80, 0x01, 0x00, 0x00, 0x00}, true},
		{"spatial layer 1 of the keyframe", []byte{0xa8, 0x80, 0x01, 0x03}, false},
		{"delta", []byte{0xf8, 0x80, 0x02, 0x00, 0x02, 0x00}, false},
		{"middle packet", []byte{0xb0, 0x80, 0x01, 0x00, 0x00}, false},
		{"truncated", []byte{0xba, 0x80}, false},
	}
	for _, tt := range tests {
		if got := VP9(tt.payload); got != tt.want {
			t.Errorf("%s: VP9(% x) = %v, want %v", tt.name, tt.payload, got, tt.want)
		}
	}
}

func TestAV1(t *testing.T) {
	tests := []struct {
		name    string
		payload []byte
		want    bool
	}{
		{"empty", nil, false},
		{"N set", []byte{0x18, 0x0a, 0x0b}, true},
		{"continuation", []byte{0x88, 0x0a}, false},
		// W=0: a leb128 length, then a sequence header OBU (type 1).
		{"sequence header first", []byte{0x00, 0x05, 0x0a, 0x00}, true},
		// W=1: the only OBU, no length: a frame OBU (type 6).
		{"frame", []byte{0x10, 0x32, 0x00}, false},
		{"truncated length", []byte{0x00, 0x85}, false},
	}
	for _, tt := range tests {
		if got := AV1(tt.payload); got != tt.want {
			t.Errorf("%s: AV1(% x) = %v, want %v", tt.name, tt.payload, got, tt.want)
		}
	}
}

func TestDetect(t *testing.T) {
	if Detect("video/vp8") == nil || Detect("video/H264") == nil {
		t.Fatal("known video codecs must have a detector")
	}
	if Detect("video/VP9") == nil || Detect("video/AV1") == nil {
		t.Fatal("VP9 and AV1 must have a detector")
	}
	if Detect("audio/opus") != nil || Detect("video/H265") != nil {
		t.Fatal("audio and unknown codecs must have none")
	}
}

func BenchmarkVP8(b *testing.B) {
	p := []byte{0x90, 0xe0, 0x80, 0x01, 0x05, 0x20, 0x00, 0x9d, 0x01, 0x2a}
	for b.Loop() {
		VP8(p)
	}
}
