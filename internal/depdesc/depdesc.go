// Package depdesc reads and writes the dependency descriptor RTP header
// extension (the AV1 RTP payload specification, appendix A). Browsers send
// it with AV1 (and, where it is negotiated, other codecs): each packet says
// which frame it belongs to, that frame's spatial and temporal layer, and
// for each decode target (a spatial and temporal layer a receiver may
// decode) whether the frame is needed, without decoding anything. Keyframes
// carry the template structure that later packets refer to by template id.
//
// It is what an SFU needs to forward some of the layers of an AV1 SVC
// stream. It has no imports of the project; Parse allocates only when a
// packet carries a new structure (keyframes).
package depdesc

import (
	"errors"
	"math/bits"
)

// URI names the extension in SDP (a=extmap).
const URI = "https://aomediacodec.github.io/av1-rtp-spec/#dependency-descriptor-rtp-header-extension"

// The specification's limits.
const (
	MaxTemplates     = 64 // template ids are 6 bits
	MaxDecodeTargets = 32 // dt_cnt_minus_one is 5 bits
	MaxSpatial       = 4  // the AV1 OBU extension's spatial_id is 2 bits
	MaxTemporal      = 8  // and its temporal_id 3 bits
	maxFrameDiffs    = 16 // template fdiffs are listed while a flag says so; a bound keeps bad input small
)

// DTI is a decode target indication: what a frame is to one decode target.
type DTI uint8

const (
	NotPresent  DTI = 0 // the decode target does not contain the frame
	Discardable DTI = 1 // contains it, but no later frame of the target refers to it
	Switch      DTI = 2 // a receiver may start decoding the target here
	Required    DTI = 3 // contains it, and later frames may refer to it
)

// Errors; the packet is then unusable for layer selection.
var (
	ErrShort       = errors.New("depdesc: descriptor too short")
	ErrNoStructure = errors.New("depdesc: no template structure known")
	ErrTemplate    = errors.New("depdesc: template id not in the structure")
	ErrMalformed   = errors.New("depdesc: malformed template structure")
)

// Template is one frame template of a structure.
type Template struct {
	Spatial, Temporal uint8
	DTI               [MaxDecodeTargets]DTI
	FrameDiffs        []uint8 // each 1 to 16: the frames it refers to, by frame number distance
	ChainDiffs        [MaxDecodeTargets]uint8
}

// Resolution is the largest render size of one spatial layer.
type Resolution struct{ Width, Height int }

// Structure is a template dependency structure: it holds for the frames of
// a stream from the keyframe that attached it until the next one.
type Structure struct {
	IDOffset      uint8 // template_id_offset
	DecodeTargets int
	Templates     []Template
	Chains        int
	ProtectedBy   [MaxDecodeTargets]uint8 // the chain protecting each decode target
	Resolutions   []Resolution            // by spatial layer, when the sender gave them

	// Derived: the layer counts, and each decode target's layers (the
	// highest spatial and temporal layer of the templates it contains).
	SpatialLayers, TemporalLayers int
	TargetSpatial, TargetTemporal [MaxDecodeTargets]uint8
}

// Target returns the decode target that holds spatial layers up to s and
// temporal layers up to t, or the largest one within them; -1 when none
// does (a structure without decode targets).
func (st *Structure) Target(s, t int) int {
	best, bs, bt := -1, -1, -1
	for i := 0; i < st.DecodeTargets; i++ {
		ts, tt := int(st.TargetSpatial[i]), int(st.TargetTemporal[i])
		if ts > s || tt > t {
			continue
		}
		if ts > bs || (ts == bs && tt > bt) {
			best, bs, bt = i, ts, tt
		}
	}
	return best
}

// Descriptor is one packet's dependency descriptor.
type Descriptor struct {
	Start, End  bool // the packet is the frame's first, its last
	TemplateID  uint8
	FrameNumber uint16
	// Spatial and Temporal are the frame's layers, and DTI what the frame
	// is to each decode target (its template's, or its own when custom).
	Spatial, Temporal uint8
	DTI               [MaxDecodeTargets]DTI
	// ActiveTargets is the bitmask of decode targets the sender is
	// producing, when the packet says (HasActive: it carries a structure,
	// which makes all active, or a bitmask): bit i for target i.
	ActiveTargets uint32
	HasActive     bool
	// Attached is the structure this packet carries (the first packet of a
	// keyframe), else nil.
	Attached *Structure
}

// Parse reads the descriptor b with current, the structure in force (nil
// before the first keyframe). A structure in b takes its place; it is in
// d.Attached. The mandatory fields (Start, End, TemplateID, FrameNumber)
// are filled in even when an error says the rest could not be.
func Parse(b []byte, current *Structure, d *Descriptor) error {
	*d = Descriptor{}
	if len(b) < 3 {
		return ErrShort
	}
	r := reader{b: b}
	d.Start = r.bit()
	d.End = r.bit()
	d.TemplateID = uint8(r.bits(6))
	d.FrameNumber = uint16(r.bits(16))
	var customDTIs, customFdiffs, customChains bool
	if len(b) > 3 {
		hasStructure, hasActive := r.bit(), r.bit()
		customDTIs, customFdiffs, customChains = r.bit(), r.bit(), r.bit()
		d.HasActive = hasStructure || hasActive
		if hasStructure {
			st, err := parseStructure(&r)
			if err != nil {
				return err
			}
			d.Attached, current = st, st
			d.ActiveTargets = uint32(1)<<st.DecodeTargets - 1
		}
		if hasActive {
			if current == nil {
				return ErrNoStructure
			}
			d.ActiveTargets = uint32(r.bits(current.DecodeTargets))
		}
	}
	if current == nil {
		return ErrNoStructure
	}
	idx := (int(d.TemplateID) + MaxTemplates - int(current.IDOffset)) % MaxTemplates
	if idx >= len(current.Templates) {
		return ErrTemplate
	}
	tpl := &current.Templates[idx]
	d.Spatial, d.Temporal = tpl.Spatial, tpl.Temporal
	if customDTIs {
		for i := 0; i < current.DecodeTargets; i++ {
			d.DTI[i] = DTI(r.bits(2))
		}
	} else {
		d.DTI = tpl.DTI
	}
	if customFdiffs {
		for n := 0; ; n++ {
			size := r.bits(2)
			if size == 0 {
				break
			}
			if n == maxFrameDiffs {
				return ErrMalformed
			}
			r.bits(4 * size) // fdiff_minus_one: the SFU needs only the layers
		}
	}
	if customChains {
		r.bits(8 * current.Chains)
	}
	if r.over {
		return ErrShort
	}
	return nil
}

// parseStructure reads template_dependency_structure().
func parseStructure(r *reader) (*Structure, error) {
	st := &Structure{IDOffset: uint8(r.bits(6)), DecodeTargets: r.bits(5) + 1}
	// template_layers: each template's layers, in order; next_layer_idc
	// says how the next one differs (same, next temporal, next spatial, end).
	var s, t uint8
	for {
		if len(st.Templates) == MaxTemplates || r.over {
			return nil, ErrMalformed
		}
		st.Templates = append(st.Templates, Template{Spatial: s, Temporal: t})
		next := r.bits(2)
		if next == 3 {
			break
		}
		switch next {
		case 1:
			t++
		case 2:
			s, t = s+1, 0
		}
		if s >= MaxSpatial || t >= MaxTemporal {
			return nil, ErrMalformed
		}
	}
	for i := range st.Templates {
		for dt := 0; dt < st.DecodeTargets; dt++ {
			st.Templates[i].DTI[dt] = DTI(r.bits(2))
		}
	}
	for i := range st.Templates {
		for r.bit() {
			if len(st.Templates[i].FrameDiffs) == maxFrameDiffs {
				return nil, ErrMalformed
			}
			st.Templates[i].FrameDiffs = append(st.Templates[i].FrameDiffs, uint8(r.bits(4)+1))
		}
	}
	st.Chains = r.ns(st.DecodeTargets + 1)
	if st.Chains > 0 {
		for dt := 0; dt < st.DecodeTargets; dt++ {
			st.ProtectedBy[dt] = uint8(r.ns(st.Chains))
		}
		for i := range st.Templates {
			for c := 0; c < st.Chains; c++ {
				st.Templates[i].ChainDiffs[c] = uint8(r.bits(4))
			}
		}
	}
	st.Finish()  // decode_target_layers and the layer counts, derived rather than sent
	if r.bit() { // resolutions_present_flag
		for i := 0; i < st.SpatialLayers; i++ {
			w, h := r.bits(16)+1, r.bits(16)+1
			st.Resolutions = append(st.Resolutions, Resolution{Width: w, Height: h})
		}
	}
	if r.over {
		return nil, ErrShort
	}
	return st, nil
}

// reader reads bits, most significant first. Reading past the end yields
// zeros and sets over, checked once at the end.
type reader struct {
	b    []byte
	pos  int // in bits
	over bool
}

func (r *reader) bit() bool { return r.bits(1) == 1 }

func (r *reader) bits(n int) int {
	v := 0
	for ; n > 0; n-- {
		v <<= 1
		if r.pos >= len(r.b)*8 {
			r.over = true
			continue
		}
		v |= int(r.b[r.pos/8]>>(7-r.pos%8)) & 1
		r.pos++
	}
	return v
}

// ns reads a non-symmetric unsigned value below n (the specification's
// ns(n), as in AV1 §4.10.7).
func (r *reader) ns(n int) int {
	w := bits.Len(uint(n))
	m := 1<<w - n
	v := r.bits(w - 1)
	if v < m {
		return v
	}
	return v<<1 - m + r.bits(1)
}
