package sfu

import (
	"strings"
)

// opusAnswerParams are the Opus parameters every publisher answer carries:
// in-band FEC (a lost packet is rebuilt from the next one) and DTX (near
// silence costs a packet every 400 ms instead of 50 a second, which in a
// room of dozens of muted-but-open microphones is most of the audio).
var opusAnswerParams = [][2]string{{"useinbandfec", "1"}, {"usedtx", "1"}}

// withOpusParams returns the answer sdp with opusAnswerParams set on the
// fmtp of every Opus payload type, other parameters kept as they are.
//
// pion answers with the offer's fmtp line rather than the one registered
// in the MediaEngine, and a browser's offer says only what the browser
// wants to receive: Chromium offers "minptime=10;useinbandfec=1", so the
// answer would never ask it for DTX. A browser's Opus encoder reads these
// parameters from the remote (our) description (RFC 7587 §6.1), so the
// answer the client receives is where they must be. pion refuses a local
// description that differs from the one it created, so the text is
// rewritten after SetLocalDescription; what pion keeps locally is only
// its receive side, which the parameters do not change.
//
// Only payload types whose rtpmap names opus are touched: RED (whose
// fmtp is "111/111") and every other codec keep their lines.
func withOpusParams(sdp string) string {
	eol := "\n"
	if strings.Contains(sdp, "\r\n") {
		eol = "\r\n"
	}
	lines := strings.Split(strings.TrimSuffix(sdp, eol), eol)
	out := make([]string, 0, len(lines)+2)
	// Payload types belong to their media section (RFC 8866 §6.6), so
	// each section is rewritten on its own.
	for len(lines) > 0 {
		end := 1
		for end < len(lines) && !strings.HasPrefix(lines[end], "m=") {
			end++
		}
		out = opusSection(out, lines[:end])
		lines = lines[end:]
	}
	return strings.Join(out, eol) + eol
}

// opusSection appends the lines of one media section (or the session
// part) to out, with opusAnswerParams set on its Opus payload types.
func opusSection(out, lines []string) []string {
	opus := map[string]bool{}    // Opus payload types
	hasFmtp := map[string]bool{} // payload types with an fmtp line
	for _, l := range lines {
		if pt, rest, ok := attribute(l, "a=rtpmap:"); ok && isOpus(rest) {
			opus[pt] = true
		}
		if pt, _, ok := attribute(l, "a=fmtp:"); ok {
			hasFmtp[pt] = true
		}
	}
	for _, l := range lines {
		if pt, params, ok := attribute(l, "a=fmtp:"); ok && opus[pt] {
			l = "a=fmtp:" + pt + " " + setFmtpParams(params, opusAnswerParams)
		}
		out = append(out, l)
		// An Opus payload type without an fmtp line gets one right after
		// its rtpmap, where browsers put it.
		if pt, rest, ok := attribute(l, "a=rtpmap:"); ok && isOpus(rest) && !hasFmtp[pt] {
			out = append(out, "a=fmtp:"+pt+" "+setFmtpParams("", opusAnswerParams))
		}
	}
	return out
}

// isOpus reports whether an rtpmap's encoding ("opus/48000/2") is Opus.
func isOpus(encoding string) bool {
	return strings.HasPrefix(strings.ToLower(encoding), "opus/")
}

// attribute splits "a=rtpmap:111 opus/48000/2" (with prefix "a=rtpmap:")
// into its payload type and the rest.
func attribute(line, prefix string) (pt, rest string, ok bool) {
	if !strings.HasPrefix(line, prefix) {
		return "", "", false
	}
	pt, rest, ok = strings.Cut(line[len(prefix):], " ")
	return pt, rest, ok && pt != ""
}

// setFmtpParams sets each key of set to its value in the fmtp parameter
// list params ("k=v;k=v"), in place where the key is already there (any
// other value is replaced), else appended; other parameters stay in order.
func setFmtpParams(params string, set [][2]string) string {
	var kvs []string
	if strings.TrimSpace(params) != "" {
		kvs = strings.Split(params, ";")
	}
	for _, kv := range set {
		found := false
		for i, have := range kvs {
			k, _, _ := strings.Cut(strings.TrimSpace(have), "=")
			if strings.EqualFold(k, kv[0]) {
				kvs[i] = kv[0] + "=" + kv[1]
				found = true
			}
		}
		if !found {
			kvs = append(kvs, kv[0]+"="+kv[1])
		}
	}
	return strings.Join(kvs, ";")
}
