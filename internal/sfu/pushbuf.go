package sfu

import (
	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"

	"github.com/roomsdev/rooms/internal/pushbuf"
)

// A publisher's streams are read without a goroutine each (package
// pushbuf): the publisher connection's buffers are bound when pion hands
// over a layer, and from then on each packet is forwarded on the
// goroutine that decrypted it.

// bindLayer hands layer l's RTP and RTCP to the SFU; ended runs when the
// layer's stream closes. It reports false if the connection has no buffer
// for the layer's SSRC (it always has: pion makes one per stream).
func bindLayer(in *pushbuf.Set, l *upLayer, recv *webrtc.RTPReceiver, ended func()) bool {
	media := in.RTP(l.ssrc)
	if media == nil {
		return false
	}
	l.media.Store(media)
	if ctl := in.RTCP(l.ssrc); ctl != nil {
		// Sender reports: read only so the report interceptor sees them.
		ctl.Bind(func() error {
			var err error
			if l.rid == "" {
				_, _, err = recv.ReadRTCP()
			} else {
				_, _, err = recv.ReadSimulcastRTCP(l.rid)
			}
			return err
		}, nil)
	}
	// The reader's scratch, used by one drain at a time: pion's, or the
	// direct receive path's, which holds the buffer (directrecv.go).
	buf := make([]byte, cacheSlotSize)
	var pkt rtp.Packet
	var sample uint32
	media.Bind(func() error {
		n, _, err := l.remote.Read(buf)
		if err == nil {
			l.route(buf[:n], &pkt, &sample)
		}
		return err
	}, ended)
	// From now on the socket's reader may forward the stream's packets
	// itself (directrecv.go), holding the buffer bound just above.
	if p := l.up.publisher; p != nil {
		p.recv.bind(l.ssrc, l.remote, media, func(plain []byte, at int64) {
			l.readAt.Store(at)
			l.route(plain, &pkt, &sample)
		})
	}
	return true
}
