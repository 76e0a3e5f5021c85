package depdesc

// KeySVC returns the structure of a K-SVC stream as libwebrtc sends it
// for scalability modes L1T3, L2T3_KEY and L3T3_KEY: spatial layers that
// depend on each other only at keyframes, each in three temporal layers
// in the four-picture pattern 0, 2, 1, 2. Frame numbers count layer
// frames, so a picture of n spatial layers spans n of them. Decode target
// s*3+t holds spatial layer s (alone, after the keyframe) up to temporal
// layer t; chain s protects spatial layer s's targets. res gives each
// layer's size (optional).
//
// The templates of spatial layer s are, in order, its keyframe frame, and
// its T0, T1 and T2 delta frames: see KeySVCTemplate.
func KeySVC(spatial int, res []Resolution) *Structure {
	spatial = min(max(spatial, 1), MaxSpatial)
	st := &Structure{DecodeTargets: spatial * 3, Chains: spatial}
	n := spatial // frames per picture
	for s := 0; s < spatial; s++ {
		for dt := s * 3; dt < s*3+3; dt++ {
			st.ProtectedBy[dt] = uint8(s)
		}
		key := Template{Spatial: uint8(s)}
		if s > 0 {
			key.FrameDiffs = []uint8{1} // the layer below, same picture
		}
		for dt := s * 3; dt < spatial*3; dt++ {
			key.DTI[dt] = Switch // every target at or above s starts here
		}
		t0 := Template{Spatial: uint8(s), FrameDiffs: []uint8{uint8(4 * n)}}
		t1 := Template{Spatial: uint8(s), Temporal: 1, FrameDiffs: []uint8{uint8(2 * n)}}
		t2 := Template{Spatial: uint8(s), Temporal: 2, FrameDiffs: []uint8{uint8(n)}}
		t0.DTI[s*3], t0.DTI[s*3+1], t0.DTI[s*3+2] = Switch, Switch, Switch
		t1.DTI[s*3+1], t1.DTI[s*3+2] = Switch, Required
		t2.DTI[s*3+2] = Discardable
		t0.ChainDiffs[s], t1.ChainDiffs[s], t2.ChainDiffs[s] = uint8(4*n), uint8(2*n), uint8(n)
		st.Templates = append(st.Templates, key, t0, t1, t2)
	}
	if len(res) >= spatial {
		st.Resolutions = append([]Resolution(nil), res[:spatial]...)
	}
	st.Finish()
	return st
}

// KeySVCPattern is the temporal layer of each picture of a K-SVC stream,
// from its keyframe on.
var KeySVCPattern = [4]uint8{0, 2, 1, 2}

// KeySVCTemplate is the template id, in a KeySVC structure, of spatial
// layer s's frame in a keyframe (key) or in a picture of temporal layer t.
func KeySVCTemplate(st *Structure, s int, t uint8, key bool) uint8 {
	i := s * 4
	if !key {
		i += 1 + int(t)
	}
	return uint8((int(st.IDOffset) + i) % MaxTemplates)
}
