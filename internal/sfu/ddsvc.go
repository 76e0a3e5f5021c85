package sfu

import (
	"errors"

	"github.com/pion/rtp"

	"github.com/roomsdev/rooms/internal/depdesc"
	"github.com/roomsdev/rooms/internal/keyframe"
)

// AV1 SVC: the layers of each packet are in the dependency descriptor
// header extension (internal/depdesc), not in the payload. The first
// packet of each keyframe carries the template structure that the
// packets after it refer to; the SFU keeps the latest, and forwards each
// packet's descriptor as received (under the subscriber's extension id):
// the subscriber's decoder needs it to put frames together, and with a
// structure that describes every layer, a frame's references are still
// among the frames a subscriber of fewer layers gets. (The descriptor's
// active decode targets are left as sent: libwebrtc's receiver does not
// use them.)

// ddStructure is the structure in force, and the frame that brought it.
type ddStructure struct {
	st    *depdesc.Structure
	frame uint16
}

// readDD is svcTrack.read for a stream with dependency descriptors. A
// packet without one counts as layer 0: a stream of one layer may come
// without. So does one before the first structure (its packet lost),
// which nobody takes until a keyframe.
func (s *svcTrack) readDD(p *rtp.Packet, f *svcFrame, learn bool) bool {
	*f = svcFrame{begin: true, end: p.Marker}
	ext := p.GetExtension(s.ddID)
	if len(ext) == 0 {
		f.key = keyframe.AV1(p.Payload)
		return true
	}
	var st *depdesc.Structure
	if in := s.dd.Load(); in != nil {
		st = in.st
	}
	var d depdesc.Descriptor
	if err := depdesc.Parse(ext, st, &d); err != nil {
		return errors.Is(err, depdesc.ErrNoStructure)
	}
	f.sid, f.tid, f.hasLayers = d.Spatial, d.Temporal, true
	f.begin, f.end = d.Start, d.End
	f.ext = ext
	if d.Attached != nil {
		f.key = d.Start && d.Spatial == 0
		if learn {
			s.learnDD(d.Attached, d.FrameNumber)
		}
		return true
	}
	if dt := st.Target(int(d.Spatial), int(d.Temporal)); dt >= 0 {
		f.switchUp = d.DTI[dt] == depdesc.Switch
	}
	return true
}

// learnDD takes a keyframe's structure as the stream's, unless it is
// older than the one in force (a retransmission arriving late).
func (s *svcTrack) learnDD(st *depdesc.Structure, frame uint16) {
	if old := s.dd.Load(); old != nil && int16(frame-old.frame) < 0 {
		return
	}
	s.dd.Store(&ddStructure{st: st, frame: frame})
	s.setLayers(min(st.SpatialLayers, maxLayers))
	for i, r := range st.Resolutions {
		if i < maxLayers {
			s.width[i].Store(int32(r.Width))
			s.height[i].Store(int32(r.Height))
		}
	}
}
