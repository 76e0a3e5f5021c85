package sfu

import (
	"log/slog"
	"os"
	"strings"
	"testing"

	"github.com/pion/sdp/v3"
)

// answerCatcher is a Handler that keeps the publisher answer.
type answerCatcher struct{ answer chan string }

func (a answerCatcher) SubscriberOffer(string)                 {}
func (a answerCatcher) PublisherAnswer(s string)               { a.answer <- s }
func (a answerCatcher) Candidate(Target, ICECandidate)         {}
func (a answerCatcher) Published(TrackInfo)                    {}
func (a answerCatcher) Unpublished(TrackInfo)                  {}
func (a answerCatcher) PublishLayers(TrackInfo, []string, int) {}
func (a answerCatcher) Speakers(PeerID, []PeerID)              {}
func (a answerCatcher) Failed()                                {}

// TestPublisherAnswerAsksChromiumForOpusDTX feeds a publisher offer
// captured from Chromium 156 (headless, fake devices: Opus on 111 with
// "minptime=10;useinbandfec=1", RED on 63, VP8 simulcast q/h/f by rid) to
// the publisher path and reads the answer the client would get.
func TestPublisherAnswerAsksChromiumForOpusDTX(t *testing.T) {
	offer, err := os.ReadFile("testdata/chromium156-publisher-offer.sdp")
	if err != nil {
		t.Fatal(err)
	}
	e, err := NewEngine(Config{ListenHost: "127.0.0.1"}, slog.Default())
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	h := answerCatcher{answer: make(chan string, 1)}
	p, err := e.NewRoom("opus", slog.Default()).Join("chromium", h)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if err := p.PublisherOffer(string(offer)); err != nil {
		t.Fatal(err)
	}
	answer := <-h.answer
	var parsed sdp.SessionDescription
	if err := parsed.UnmarshalString(answer); err != nil {
		t.Fatalf("the answer does not parse: %v\n%s", err, answer)
	}
	var audio *sdp.MediaDescription
	for _, m := range parsed.MediaDescriptions {
		if m.MediaName.Media == "audio" {
			audio = m
		}
	}
	if audio == nil {
		t.Fatalf("no audio section in the answer:\n%s", answer)
	}
	fmtp := map[string]string{}
	opusPT := ""
	for _, a := range audio.Attributes {
		pt, rest, _ := strings.Cut(a.Value, " ")
		switch a.Key {
		case "rtpmap":
			if isOpus(rest) {
				opusPT = pt
			}
		case "fmtp":
			fmtp[pt] = rest
		}
	}
	if opusPT != "111" {
		t.Fatalf("Opus answered on payload type %q, want Chromium's 111:\n%s", opusPT, answer)
	}
	params := map[string]string{}
	for _, kv := range strings.Split(fmtp[opusPT], ";") {
		k, v, _ := strings.Cut(kv, "=")
		params[k] = v
	}
	for k, want := range map[string]string{"useinbandfec": "1", "usedtx": "1", "minptime": "10"} {
		if params[k] != want {
			t.Errorf("Opus fmtp %q: %s=%q, want %q", fmtp[opusPT], k, params[k], want)
		}
	}
	// The line is rewritten, not repeated.
	if strings.Count(answer, "a=fmtp:111 ") != 1 {
		t.Errorf("want one fmtp line for 111:\n%s", answer)
	}
}

func TestWithOpusParams(t *testing.T) {
	for _, tt := range []struct{ name, in, want string }{
		{
			name: "adds to Chromium's line, keeps the others",
			in:   "m=audio 9 X 111 63\r\na=rtpmap:111 opus/48000/2\r\na=fmtp:111 minptime=10;useinbandfec=1\r\na=rtpmap:63 red/48000/2\r\na=fmtp:63 111/111\r\n",
			want: "m=audio 9 X 111 63\r\na=rtpmap:111 opus/48000/2\r\na=fmtp:111 minptime=10;useinbandfec=1;usedtx=1\r\na=rtpmap:63 red/48000/2\r\na=fmtp:63 111/111\r\n",
		},
		{
			name: "replaces a refusal in place",
			in:   "m=audio 9 X 109\na=rtpmap:109 OPUS/48000/2\na=fmtp:109 usedtx=0;maxplaybackrate=48000;useinbandfec=0\n",
			want: "m=audio 9 X 109\na=rtpmap:109 OPUS/48000/2\na=fmtp:109 usedtx=1;maxplaybackrate=48000;useinbandfec=1\n",
		},
		{
			name: "adds a missing line after the rtpmap",
			in:   "m=audio 9 X 111\na=rtpmap:111 opus/48000/2\na=rtcp-fb:111 transport-cc\n",
			want: "m=audio 9 X 111\na=rtpmap:111 opus/48000/2\na=fmtp:111 useinbandfec=1;usedtx=1\na=rtcp-fb:111 transport-cc\n",
		},
		{
			name: "a payload type is Opus only in its own section",
			in:   "m=audio 9 X 111\na=rtpmap:111 opus/48000/2\na=fmtp:111 minptime=10\nm=application 9 X 111\na=rtpmap:111 other/90000\na=fmtp:111 x=1\n",
			want: "m=audio 9 X 111\na=rtpmap:111 opus/48000/2\na=fmtp:111 minptime=10;useinbandfec=1;usedtx=1\nm=application 9 X 111\na=rtpmap:111 other/90000\na=fmtp:111 x=1\n",
		},
		{
			name: "no Opus, no change",
			in:   "m=video 9 X 96\na=rtpmap:96 VP8/90000\na=fmtp:97 apt=96\n",
			want: "m=video 9 X 96\na=rtpmap:96 VP8/90000\na=fmtp:97 apt=96\n",
		},
	} {
		if got := withOpusParams(tt.in); got != tt.want {
			t.Errorf("%s:\n got %q\nwant %q", tt.name, got, tt.want)
		}
	}
}
