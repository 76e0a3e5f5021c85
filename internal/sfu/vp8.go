package sfu

import "github.com/roomsdev/rooms/internal/keyframe"

// vp8Descriptor locates the fields of a VP8 payload descriptor (RFC 7741
// §4.2) that a forwarder rewrites when it splices streams: the PictureID
// and the TL0PICIDX. Offsets are -1 when the field is absent.
type vp8Descriptor struct {
	picOffset int  // offset of the PictureID's first byte
	picWide   bool // 15-bit PictureID (M set), else 7-bit
	tl0Offset int  // offset of TL0PICIDX
	tidOffset int  // offset of the TID/Y/KEYIDX byte, when T is set
	headerLen int  // length of the descriptor: the VP8 payload header follows
}

// parseVP8 parses the payload descriptor at the start of payload. It
// reports false for payloads too short to hold what their flags announce.
func parseVP8(payload []byte) (vp8Descriptor, bool) {
	d := vp8Descriptor{picOffset: -1, tl0Offset: -1, tidOffset: -1}
	if len(payload) < 1 {
		return d, false
	}
	i := 1
	if payload[0]&0x80 != 0 { // X: extended control bits
		if len(payload) < 2 {
			return d, false
		}
		x := payload[1]
		i = 2
		if x&0x80 != 0 { // I: PictureID
			if len(payload) <= i {
				return d, false
			}
			d.picOffset = i
			if payload[i]&0x80 != 0 {
				d.picWide = true
				i += 2
			} else {
				i++
			}
		}
		if x&0x40 != 0 { // L: TL0PICIDX
			d.tl0Offset = i
			i++
		}
		if x&0x30 != 0 { // T or K: TID/Y/KEYIDX
			if x&0x20 != 0 {
				d.tidOffset = i
			}
			i++
		}
	}
	if len(payload) < i {
		return d, false
	}
	d.headerLen = i
	return d, true
}

// pictureID reads the PictureID (0 when absent).
func (d vp8Descriptor) pictureID(p []byte) uint16 {
	switch {
	case d.picOffset < 0:
		return 0
	case d.picWide:
		return uint16(p[d.picOffset]&0x7f)<<8 | uint16(p[d.picOffset+1])
	default:
		return uint16(p[d.picOffset] & 0x7f)
	}
}

// setPictureID writes a PictureID in the width the packet already uses.
func (d vp8Descriptor) setPictureID(p []byte, id uint16) {
	switch {
	case d.picOffset < 0:
	case d.picWide:
		p[d.picOffset] = 0x80 | byte(id>>8)&0x7f
		p[d.picOffset+1] = byte(id)
	default:
		p[d.picOffset] = byte(id) & 0x7f
	}
}

// tl0PicIdx reads TL0PICIDX (0 when absent).
func (d vp8Descriptor) tl0PicIdx(p []byte) uint8 {
	if d.tl0Offset < 0 {
		return 0
	}
	return p[d.tl0Offset]
}

// temporal reads the temporal layer (TID) and the layer sync bit (Y: the
// frame depends only on base-layer frames, so a subscriber may start
// taking its layer there). A stream without temporal layers is all TID 0.
func (d vp8Descriptor) temporal(p []byte) (tid int32, sync bool) {
	if d.tidOffset < 0 {
		return 0, false
	}
	b := p[d.tidOffset]
	return int32(b >> 6), b&0x20 != 0
}

// frameStart reports whether p begins a frame: S set, partition 0.
func frameStart(p []byte) bool { return len(p) > 0 && p[0]&0x10 != 0 && p[0]&0x07 == 0 }

// vp8KeyframeSize reads the frame size from the start of a VP8 key frame.
func vp8KeyframeSize(payload []byte) (w, h int, ok bool) { return keyframe.VP8Size(payload) }
