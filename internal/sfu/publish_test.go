package sfu

import (
	"testing"

	"github.com/pion/sdp/v3"
)

// The tracks a publisher's offer announces are its audio and video
// sections that send: not those it only receives on, made inactive, or
// rejected (port 0), nor its data channel.
func TestSendingSections(t *testing.T) {
	section := func(media string, port int, attrs ...string) *sdp.MediaDescription {
		m := &sdp.MediaDescription{MediaName: sdp.MediaName{Media: media, Port: sdp.RangedPort{Value: port}}}
		for _, a := range attrs {
			m.Attributes = append(m.Attributes, sdp.Attribute{Key: a})
		}
		return m
	}
	for _, tc := range []struct {
		name     string
		sections []*sdp.MediaDescription
		want     int
	}{
		{"microphone and camera", []*sdp.MediaDescription{section("audio", 9, "sendonly"), section("video", 9, "sendonly")}, 2},
		{"no direction is sendrecv", []*sdp.MediaDescription{section("audio", 9), section("video", 9, "sendrecv")}, 2},
		{"camera off", []*sdp.MediaDescription{section("audio", 9, "sendonly"), section("video", 9, "inactive")}, 1},
		{"receive only", []*sdp.MediaDescription{section("audio", 9, "recvonly")}, 0},
		{"rejected", []*sdp.MediaDescription{section("video", 0, "sendonly")}, 0},
		{"data channel", []*sdp.MediaDescription{section("application", 9), section("audio", 9, "sendonly")}, 1},
	} {
		if got := sendingSections(&sdp.SessionDescription{MediaDescriptions: tc.sections}); got != tc.want {
			t.Errorf("%s: %d sending sections, want %d", tc.name, got, tc.want)
		}
	}
}
