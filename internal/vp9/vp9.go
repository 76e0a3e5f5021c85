// Package vp9 reads the VP9 RTP payload descriptor (RFC 9628 §4.2), which
// says, without decoding a frame, which picture, spatial layer and temporal
// layer a packet carries, where layer frames begin and end, and, on
// keyframes, the size of every spatial layer (the scalability structure).
// It is what an SFU needs to forward some of the layers of an SVC stream.
//
// It has no imports of the project and does not allocate.
package vp9

// MaxSpatialLayers is the most spatial layers a descriptor can describe
// (N_S is three bits).
const MaxSpatialLayers = 8

// Descriptor is a parsed VP9 payload descriptor.
type Descriptor struct {
	// PictureID is the 7- or 15-bit picture id; HasPictureID says whether
	// it is there (I), and WidePictureID whether it is 15 bits (M).
	PictureID     uint16
	HasPictureID  bool
	WidePictureID bool
	// InterPicture (P): the frame is predicted from earlier pictures.
	// A spatial layer 0 frame without it is a keyframe.
	InterPicture bool
	// HasLayers (L): TID, U, SID and D are present; without them the
	// stream has one layer (all zero).
	HasLayers bool
	// Flexible (F): flexible mode, with reference indices in the packet,
	// rather than TL0PICIDX and a group of pictures in the SS.
	Flexible bool
	// Begin (B) and End (E) mark the first and last packet of a layer
	// frame (one spatial layer of one picture).
	Begin, End bool
	// HasSS (V): a scalability structure follows (on keyframes).
	HasSS bool
	// NotReference (Z): upper spatial layers of this picture do not use
	// this frame.
	NotReference bool

	TID uint8 // temporal layer
	// SwitchingUp (U): a switching up point: from here on, no frame of a
	// higher temporal layer refers to a frame of this layer from before.
	SwitchingUp bool
	SID         uint8 // spatial layer
	// InterLayer (D): the frame depends on the spatial layer below.
	InterLayer bool
	// TL0PicIdx is the temporal layer 0 index (non-flexible mode only).
	TL0PicIdx uint8
	// RefDiffs are the flexible mode's P_DIFF values (RefCount of them).
	RefDiffs [3]uint8
	RefCount int

	// SS, when HasSS: the number of spatial layers, and each one's size
	// when SizesPresent (Y).
	SpatialLayers int
	SizesPresent  bool
	Widths        [MaxSpatialLayers]uint16
	Heights       [MaxSpatialLayers]uint16

	// HeaderLen is the descriptor's length: the VP9 frame data follows.
	HeaderLen int
}

// Keyframe reports whether the packet begins a keyframe: the first packet
// of spatial layer 0 of a picture predicted from no earlier one.
func (d *Descriptor) Keyframe() bool {
	return d.Begin && !d.InterPicture && d.SID == 0
}

// Parse reads the descriptor at the start of payload into d. It reports
// false, leaving d partly filled, for payloads too short for what their
// flags announce or with impossible values: callers drop those packets.
func Parse(payload []byte, d *Descriptor) bool {
	*d = Descriptor{}
	if len(payload) < 1 {
		return false
	}
	b := payload[0]
	d.HasPictureID = b&0x80 != 0
	d.InterPicture = b&0x40 != 0
	d.HasLayers = b&0x20 != 0
	d.Flexible = b&0x10 != 0
	d.Begin = b&0x08 != 0
	d.End = b&0x04 != 0
	d.HasSS = b&0x02 != 0
	d.NotReference = b&0x01 != 0
	i := 1
	if d.HasPictureID {
		if len(payload) <= i {
			return false
		}
		d.PictureID = uint16(payload[i] & 0x7f)
		if payload[i]&0x80 != 0 {
			if len(payload) <= i+1 {
				return false
			}
			d.WidePictureID = true
			d.PictureID = d.PictureID<<8 | uint16(payload[i+1])
			i++
		}
		i++
	}
	if d.HasLayers {
		if len(payload) <= i {
			return false
		}
		l := payload[i]
		d.TID = l >> 5
		d.SwitchingUp = l&0x10 != 0
		d.SID = l >> 1 & 0x07
		d.InterLayer = l&0x01 != 0
		i++
		if !d.Flexible {
			if len(payload) <= i {
				return false
			}
			d.TL0PicIdx = payload[i]
			i++
		}
	}
	if d.Flexible && d.InterPicture {
		// Up to three P_DIFF bytes, each with N set when another follows.
		for {
			if len(payload) <= i || d.RefCount == len(d.RefDiffs) {
				return false
			}
			r := payload[i]
			i++
			d.RefDiffs[d.RefCount] = r >> 1
			d.RefCount++
			if r&0x01 == 0 {
				break
			}
		}
	}
	if d.HasSS {
		n, ok := parseSS(payload[i:], d)
		if !ok {
			return false
		}
		i += n
	}
	d.HeaderLen = i
	return true
}

// parseSS reads a scalability structure (RFC 9628 §4.2.1) and returns its
// length.
func parseSS(p []byte, d *Descriptor) (int, bool) {
	if len(p) < 1 {
		return 0, false
	}
	d.SpatialLayers = int(p[0]>>5) + 1
	d.SizesPresent = p[0]&0x10 != 0
	group := p[0]&0x08 != 0
	i := 1
	if d.SizesPresent {
		if len(p) < i+4*d.SpatialLayers {
			return 0, false
		}
		for s := 0; s < d.SpatialLayers; s++ {
			d.Widths[s] = uint16(p[i])<<8 | uint16(p[i+1])
			d.Heights[s] = uint16(p[i+2])<<8 | uint16(p[i+3])
			i += 4
		}
	}
	if group {
		if len(p) <= i {
			return 0, false
		}
		pictures := int(p[i])
		i++
		for g := 0; g < pictures; g++ {
			if len(p) <= i {
				return 0, false
			}
			refs := int(p[i] >> 2 & 0x03)
			i += 1 + refs
			if len(p) < i {
				return 0, false
			}
		}
	}
	return i, true
}

// Put writes d as a descriptor at the start of b (the fields Parse reads;
// HeaderLen is ignored) and returns its length, or 0 when b is too short.
// Synthetic publishers and tests build their packets with it.
func Put(b []byte, d *Descriptor) int {
	var tmp [64]byte
	p := tmp[:0]
	first := byte(0)
	for _, f := range [...]struct {
		on  bool
		bit byte
	}{{d.HasPictureID, 0x80}, {d.InterPicture, 0x40}, {d.HasLayers, 0x20}, {d.Flexible, 0x10}, {d.Begin, 0x08}, {d.End, 0x04}, {d.HasSS, 0x02}, {d.NotReference, 0x01}} {
		if f.on {
			first |= f.bit
		}
	}
	p = append(p, first)
	if d.HasPictureID {
		if d.WidePictureID {
			p = append(p, 0x80|byte(d.PictureID>>8)&0x7f, byte(d.PictureID))
		} else {
			p = append(p, byte(d.PictureID)&0x7f)
		}
	}
	if d.HasLayers {
		l := d.TID<<5 | (d.SID&0x07)<<1
		if d.SwitchingUp {
			l |= 0x10
		}
		if d.InterLayer {
			l |= 0x01
		}
		p = append(p, l)
		if !d.Flexible {
			p = append(p, d.TL0PicIdx)
		}
	}
	if d.Flexible && d.InterPicture {
		n := min(max(d.RefCount, 1), len(d.RefDiffs))
		for r := 0; r < n; r++ {
			v := d.RefDiffs[r] << 1
			if r < n-1 {
				v |= 0x01
			}
			p = append(p, v)
		}
	}
	if d.HasSS {
		n := min(max(d.SpatialLayers, 1), MaxSpatialLayers)
		ss := byte(n-1) << 5
		if d.SizesPresent {
			ss |= 0x10
		}
		p = append(p, ss)
		if d.SizesPresent {
			for s := 0; s < n; s++ {
				p = append(p, byte(d.Widths[s]>>8), byte(d.Widths[s]), byte(d.Heights[s]>>8), byte(d.Heights[s]))
			}
		}
	}
	if len(b) < len(p) {
		return 0
	}
	return copy(b, p)
}
