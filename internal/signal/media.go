package signal

import (
	"github.com/roomsdev/rooms/internal/sfu"
)

// Media-plane messages (docs/protocol.md, "Media quality"): what a
// subscriber wants of each tile, ICE restarts, and what the server tells
// clients about layers and speakers.
const (
	// client → server
	typeTrackSettings = "trackSettings"
	typeRestartICE    = "restartIce"

	// server → client
	typePublishLayers = "publishLayers"
	typeSpeakers      = "speakers"
)

// maxTrackSettings bounds one trackSettings message: a tile per person in
// the largest room, and then some.
const maxTrackSettings = 256

// trackSetting is one tile's wish. Exactly one of TrackID and
// Participant names what it applies to.
type trackSetting struct {
	TrackID     string `json:"trackId,omitempty"`
	Participant string `json:"participant,omitempty"`
	Visible     *bool  `json:"visible"`
	Width       int    `json:"width,omitempty"`
	Height      int    `json:"height,omitempty"`
}

type trackSettingsMsg struct {
	Type   string         `json:"type"`
	Tracks []trackSetting `json:"tracks"`
}

type publishLayersMsg struct {
	Type    string   `json:"type"`
	TrackID string   `json:"trackId"`
	Mid     string   `json:"mid"`
	Active  []string `json:"active"`
	// SpatialLayers, for a VP9 SVC track, is how many spatial layers
	// anyone takes; absent for simulcast.
	SpatialLayers int `json:"spatialLayers,omitempty"`
}

type speakersMsg struct {
	Type     string   `json:"type"`
	Active   string   `json:"active"`
	Speaking []string `json:"speaking"`
}

func init() {
	handlers[typeTrackSettings] = handleTrackSettings
	handlers[typeRestartICE] = handleRestartICE
	needsMedia[typeTrackSettings] = true
	needsMedia[typeRestartICE] = true
}

func handleTrackSettings(p *participant, raw []byte) (bool, error) {
	var m trackSettingsMsg
	if err := decode(raw, &m); err != nil {
		return false, err
	}
	if len(m.Tracks) == 0 || len(m.Tracks) > maxTrackSettings {
		return false, badMessage("trackSettings needs between 1 and 256 tracks.")
	}
	for _, t := range m.Tracks {
		if (t.TrackID == "") == (t.Participant == "") || t.Visible == nil || t.Width < 0 || t.Height < 0 || t.Width > 16384 || t.Height > 16384 {
			return false, badMessage("Each track setting needs a trackId or a participant, visible, and sizes from 0 to 16384.")
		}
	}
	peer := p.media()
	for _, t := range m.Tracks {
		key := t.TrackID
		if key == "" {
			key = t.Participant
		}
		peer.SetTrackSettings(key, sfu.TrackSettings{Visible: *t.Visible, Width: t.Width, Height: t.Height})
	}
	return false, nil
}

func handleRestartICE(p *participant, _ []byte) (bool, error) {
	p.media().RestartICE()
	return false, nil
}

// PublishLayers tells the publisher which simulcast layers, or how many
// spatial layers, anyone takes.
func (h *mediaHandler) PublishLayers(t sfu.TrackInfo, active []string, spatialLayers int) {
	if active == nil {
		active = []string{}
	}
	(*participant)(h).send(publishLayersMsg{Type: typePublishLayers, TrackID: t.ID, Mid: t.Mid, Active: active, SpatialLayers: spatialLayers})
}

// Speakers tells the participant who is talking.
func (h *mediaHandler) Speakers(active sfu.PeerID, speaking []sfu.PeerID) {
	ids := make([]string, len(speaking))
	for i, s := range speaking {
		ids[i] = string(s)
	}
	(*participant)(h).send(speakersMsg{Type: typeSpeakers, Active: string(active), Speaking: ids})
}
