package sfu

import (
	"bytes"
	"testing"

	"github.com/pion/rtp"

	"github.com/roomsdev/rooms/internal/depdesc"
)

const (
	pubDDID = 3 // the publisher's id of the dependency descriptor
	subDDID = 9 // and the subscriber's
)

// ddSource makes an AV1 K-SVC stream as Chrome sends it ("L3T3_KEY"):
// each picture carries spatial layers 0 to 2, each one frame of perLayer
// packets with a dependency descriptor; the first packet of a keyframe
// carries the structure; the marker ends the picture.
type ddSource struct {
	seq      uint16
	ts       uint32
	frame    uint16
	perLayer int
	st       *depdesc.Structure
}

func newDDSource(seq uint16, perLayer int) *ddSource {
	return &ddSource{seq: seq, perLayer: perLayer, st: depdesc.KeySVC(3, []depdesc.Resolution{{Width: 320, Height: 180}, {Width: 640, Height: 360}, {Width: 1280, Height: 720}})}
}

func (s *ddSource) picture(key bool, tid uint8) []rtp.Packet {
	s.ts += 3000
	var out []rtp.Packet
	for sid := 0; sid < 3; sid++ {
		s.frame++
		for i := 0; i < s.perLayer; i++ {
			s.seq++
			attach := key && sid == 0 && i == 0
			d := depdesc.Descriptor{Start: i == 0, End: i == s.perLayer-1, FrameNumber: s.frame,
				TemplateID: depdesc.KeySVCTemplate(s.st, sid, tid, key)}
			ext := make([]byte, depdesc.Size(s.st, attach, false))
			depdesc.Put(ext, &d, s.st, attach)
			// An AV1 aggregation header (N on a keyframe's first packet),
			// then the layer and packet, for checks.
			agg := byte(0x10)
			if key && sid == 0 && i == 0 {
				agg |= 0x08
			}
			p := rtp.Packet{
				Header:  rtp.Header{Version: 2, PayloadType: 45, SequenceNumber: s.seq, Timestamp: s.ts, SSRC: 300, Marker: sid == 2 && i == s.perLayer-1},
				Payload: []byte{agg, 0x30, byte(sid), byte(i)},
			}
			if err := p.Header.SetExtension(pubDDID, ext); err != nil {
				panic(err)
			}
			out = append(out, p)
		}
	}
	return out
}

// ddTestTrack is svcTestTrack for an AV1 stream with descriptors.
func ddTestTrack(t *testing.T) (*upLayer, *downTrack, *recorder) {
	l, d, rec := svcTestTrack(t)
	l.up.svc.ddID = pubDDID
	d.ddID = subDDID
	return l, d, rec
}

// ddReceived checks what the subscriber got, as svcReceived does, and
// that each packet carries its descriptor under the subscriber's id;
// it returns each packet's spatial layer.
func ddReceived(t *testing.T, rec *recorder, src *ddSource, from int) []uint8 {
	t.Helper()
	var st *depdesc.Structure
	var sids []uint8
	for i, p := range rec.packets {
		ext := p.GetExtension(subDDID)
		var d depdesc.Descriptor
		if err := depdesc.Parse(ext, st, &d); err != nil {
			t.Fatalf("packet %d: descriptor %x: %v", i, ext, err)
		}
		if d.Attached != nil {
			st = d.Attached
		}
		if p.GetExtension(pubDDID) != nil && pubDDID != subDDID {
			t.Fatalf("packet %d: the publisher's extension id went through", i)
		}
		if int(d.Spatial) != int(p.Payload[2]) {
			t.Fatalf("packet %d: descriptor says layer %d, payload %d", i, d.Spatial, p.Payload[2])
		}
		if i > 0 && p.SequenceNumber != rec.packets[i-1].SequenceNumber+1 {
			t.Fatalf("packet %d: sequence %d after %d", i, p.SequenceNumber, rec.packets[i-1].SequenceNumber)
		}
		if i >= from {
			sids = append(sids, d.Spatial)
		}
	}
	if len(rec.packets) > 0 && st == nil {
		t.Fatal("the subscriber never got the structure")
	}
	return sids
}

func TestAV1SVCForwardsByDependencyDescriptor(t *testing.T) {
	l, d, rec := ddTestTrack(t)
	src := newDDSource(60000, 2)
	d.target.Store(0)
	d.sub.subUp.Store(false)
	if feed(t, l, src.picture(false, 0)) {
		t.Fatal("a keyframe asked for before the subscriber's connection is up")
	}
	d.sub.subUp.Store(true)
	if !feed(t, l, src.picture(false, 0)) {
		t.Fatal("a delta picture first: no keyframe asked for")
	}
	if len(rec.packets) != 0 {
		t.Fatal("forwarded before a keyframe")
	}
	feed(t, l, src.picture(true, 0))
	for i := 0; i < 40; i++ { // the sequence numbers wrap
		feed(t, l, src.picture(false, depdesc.KeySVCPattern[(i+1)%4]))
	}
	sids := ddReceived(t, rec, src, 0)
	if len(sids) != 41*2 || maxSID(sids) != 0 {
		t.Fatalf("got %d packets, top layer %d; want 82 of layer 0 only", len(sids), maxSID(sids))
	}
	for i, p := range rec.packets {
		if want := i%2 == 1; p.Marker != want {
			t.Fatalf("packet %d: marker %v, want it on each layer-0 frame's end", i, p.Marker)
		}
	}
	if got := l.up.layerFor(700); got != 2 {
		t.Fatalf("layerFor(700) = %d, from the structure's resolutions", got)
	}
	if l.up.svc.count() != 3 {
		t.Fatalf("%d spatial layers known", l.up.svc.count())
	}

	// Up to layer 2 at a keyframe; down to 1 at the next picture.
	d.target.Store(2)
	feed(t, l, src.picture(false, 2))
	n := len(rec.packets)
	feed(t, l, src.picture(true, 0))
	if sids = ddReceived(t, rec, src, n); len(sids) != 6 || maxSID(sids) != 2 {
		t.Fatalf("after the keyframe: layers %v", sids)
	}
	d.target.Store(1)
	n = len(rec.packets)
	feed(t, l, src.picture(false, 2))
	if sids = ddReceived(t, rec, src, n); len(sids) != 4 || maxSID(sids) != 1 || !rec.packets[len(rec.packets)-1].Marker {
		t.Fatalf("after switching down: layers %v", sids)
	}

	// Temporal layer 0 only, then back up to all three at a switch
	// point: layer 1's frame (Switch), not layer 2's (Discardable).
	d.svc.maxTemporal.Store(0)
	n = len(rec.packets)
	for _, tid := range []uint8{0, 2, 1, 2} {
		feed(t, l, src.picture(false, tid))
	}
	if got := len(rec.packets) - n; got != 4 {
		t.Fatalf("%d packets with temporal layer 0 only, want 4", got)
	}
	d.svc.maxTemporal.Store(allTemporal)
	n = len(rec.packets)
	feed(t, l, src.picture(false, 2))
	if len(rec.packets) != n {
		t.Fatal("temporal layer 2 added at a discardable frame")
	}
	feed(t, l, src.picture(false, 1))
	if len(rec.packets) != n+4 {
		t.Fatal("temporal layer 1 not added at its switch point")
	}
	ddReceived(t, rec, src, 0)

	// NACKs are answered with the descriptor too.
	want := rec.packets[len(rec.packets)-1]
	n = len(rec.packets)
	if !d.retransmit(want.SequenceNumber) {
		t.Fatal("retransmission found nothing")
	}
	got := rec.packets[n]
	if !bytes.Equal(got.GetExtension(subDDID), want.GetExtension(subDDID)) || !bytes.Equal(got.Payload, want.Payload) || !got.Marker {
		t.Fatalf("retransmitted %+v, first sent %+v", got, want)
	}
	// Padding carries none.
	d.sent = true
	if d.pad(1) == 1 {
		if p := rec.packets[len(rec.packets)-1]; p.GetExtension(subDDID) != nil {
			t.Fatal("padding with a descriptor")
		}
	}
}

// TestAV1WithoutDescriptorsIsOneLayer: a stream whose packets carry no
// descriptor (a browser that sends one layer without) is forwarded whole,
// from a keyframe the payload's N bit marks.
func TestAV1WithoutDescriptorsIsOneLayer(t *testing.T) {
	l, d, rec := ddTestTrack(t)
	src := newDDSource(1, 1)
	d.target.Store(2)
	for i := 0; i < 3; i++ {
		pic := src.picture(i == 0, 0)
		for j := range pic {
			pic[j].Header.Extension, pic[j].Header.Extensions = false, nil
		}
		feed(t, l, pic)
	}
	if len(rec.packets) != 9 {
		t.Fatalf("%d packets forwarded, want all 9", len(rec.packets))
	}
}
