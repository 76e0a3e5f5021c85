package depdesc

import "math/bits"

// Put writes d into b and returns its length: the mandatory fields, and
// the structure st when attach is set (the first packet of a keyframe) or
// the active decode targets when d.HasActive. Frames always use their
// template's indications, frame differences and chains (no custom ones).
// b must hold Size(st, attach, d.HasActive) bytes (nil only counts).
func Put(b []byte, d *Descriptor, st *Structure, attach bool) int {
	w := writer{b: b}
	w.bits(b2i(d.Start), 1)
	w.bits(b2i(d.End), 1)
	w.bits(int(d.TemplateID), 6)
	w.bits(int(d.FrameNumber), 16)
	active := d.HasActive && !attach
	if attach || active {
		w.bits(b2i(attach), 1)
		w.bits(b2i(active), 1)
		w.bits(0, 3) // no custom indications, differences or chains
		if attach {
			putStructure(&w, st)
		}
		if active {
			w.bits(int(d.ActiveTargets), st.DecodeTargets)
		}
	}
	return (w.pos + 7) / 8
}

// Size is the length Put writes.
func Size(st *Structure, attach, active bool) int {
	if !attach && !active {
		return 3
	}
	return Put(nil, &Descriptor{HasActive: active}, st, attach)
}

func putStructure(w *writer, st *Structure) {
	w.bits(int(st.IDOffset), 6)
	w.bits(st.DecodeTargets-1, 5)
	for i := range st.Templates {
		next := 3 // the last template
		if i+1 < len(st.Templates) {
			cur, nxt := &st.Templates[i], &st.Templates[i+1]
			switch {
			case nxt.Spatial == cur.Spatial && nxt.Temporal == cur.Temporal:
				next = 0
			case nxt.Spatial == cur.Spatial:
				next = 1
			default:
				next = 2
			}
		}
		w.bits(next, 2)
	}
	for i := range st.Templates {
		for dt := 0; dt < st.DecodeTargets; dt++ {
			w.bits(int(st.Templates[i].DTI[dt]), 2)
		}
	}
	for i := range st.Templates {
		for _, f := range st.Templates[i].FrameDiffs {
			w.bits(1, 1)
			w.bits(int(f)-1, 4)
		}
		w.bits(0, 1)
	}
	w.ns(st.Chains, st.DecodeTargets+1)
	if st.Chains > 0 {
		for dt := 0; dt < st.DecodeTargets; dt++ {
			w.ns(int(st.ProtectedBy[dt]), st.Chains)
		}
		for i := range st.Templates {
			for c := 0; c < st.Chains; c++ {
				w.bits(int(st.Templates[i].ChainDiffs[c]), 4)
			}
		}
	}
	w.bits(b2i(len(st.Resolutions) > 0), 1)
	for _, r := range st.Resolutions {
		w.bits(r.Width-1, 16)
		w.bits(r.Height-1, 16)
	}
}

// writer writes bits, most significant first (each bit is set or
// cleared, so the buffer may be reused); with no buffer it only counts.
type writer struct {
	b   []byte
	pos int
}

func (w *writer) bits(v, n int) {
	if w.b == nil {
		w.pos += n
		return
	}
	for i := n - 1; i >= 0; i-- {
		byteAt, shift := w.pos/8, 7-w.pos%8
		if v>>i&1 == 1 {
			w.b[byteAt] |= 1 << shift
		} else {
			w.b[byteAt] &^= 1 << shift
		}
		w.pos++
	}
}

// ns writes v, below n, as reader.ns reads it.
func (w *writer) ns(v, n int) {
	width := bits.Len(uint(n))
	m := 1<<width - n
	if v < m {
		w.bits(v, width-1)
		return
	}
	w.bits((v+m)>>1, width-1)
	w.bits((v+m)&1, 1)
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// Finish fills in what Parse derives (layer counts and each decode
// target's layers) for a structure built by hand, as a sender does.
func (st *Structure) Finish() {
	st.SpatialLayers, st.TemporalLayers = 0, 0
	st.TargetSpatial, st.TargetTemporal = [MaxDecodeTargets]uint8{}, [MaxDecodeTargets]uint8{}
	for i := range st.Templates {
		tpl := &st.Templates[i]
		st.SpatialLayers = max(st.SpatialLayers, int(tpl.Spatial)+1)
		st.TemporalLayers = max(st.TemporalLayers, int(tpl.Temporal)+1)
		for dt := 0; dt < st.DecodeTargets; dt++ {
			if tpl.DTI[dt] != NotPresent {
				st.TargetSpatial[dt] = max(st.TargetSpatial[dt], tpl.Spatial)
				st.TargetTemporal[dt] = max(st.TargetTemporal[dt], tpl.Temporal)
			}
		}
	}
}
