// Package signal is the signalling adapter: one WebSocket per participant,
// carrying the JSON messages of docs/protocol.md between the browser, the
// room rules and the media plane (package sfu).
package signal

import (
	"github.com/roomsdev/rooms/internal/sfu"
)

// Message types, as docs/protocol.md names them.
const (
	// client → server
	typeJoin      = "join"
	typePubOffer  = "pubOffer"
	typeSubAnswer = "subAnswer"
	typeCandidate = "candidate"
	typeMute      = "mute"
	typeLeave     = "leave"

	// server → client
	typeJoined             = "joined"
	typePubAnswer          = "pubAnswer"
	typeSubOffer           = "subOffer"
	typeParticipantJoined  = "participantJoined"
	typeParticipantLeft    = "participantLeft"
	typeParticipantUpdated = "participantUpdated"
	typeTrackPublished     = "trackPublished"
	typeTrackUnpublished   = "trackUnpublished"
	typeWaiting            = "waiting"
	typeRoomUpdated        = "roomUpdated"
	typeRemoved            = "removed"
	typeRoomEnded          = "roomEnded"
	typeMutedByHost        = "mutedByHost"
	typeError              = "error"
)

// envelope is decoded first to learn a client message's type.
type envelope struct {
	Type string `json:"type"`
}

// Participant is a person in the call as the others see them: a display
// name and nothing more (no account id, no email).
type Participant struct {
	ID         string `json:"id"`
	Name       string `json:"name"`
	Guest      bool   `json:"guest"`
	Host       bool   `json:"host"`
	AudioMuted bool   `json:"audioMuted"`
	VideoMuted bool   `json:"videoMuted"`
	HandRaised bool   `json:"handRaised"`
	// Reconnecting: the person's signalling connection dropped and the
	// server keeps their place while they come back (resumeGrace).
	Reconnecting bool `json:"reconnecting,omitempty"`
}

// RoomInfo is the room as one participant may see it. Token is empty for
// everyone but the host while link sharing is off.
type RoomInfo struct {
	Token       string `json:"token,omitempty"`
	Name        string `json:"name"`
	Theme       string `json:"theme"`
	Kind        string `json:"kind"`
	Locked      bool   `json:"locked"`
	LockReason  string `json:"lockReason,omitempty"`
	LinkSharing bool   `json:"linkSharing"`
	Visibility  string `json:"visibility"`
	JoinPolicy  string `json:"joinPolicy"`
}

// ICEServer mirrors the browser's RTCIceServer.
type ICEServer struct {
	URLs       []string `json:"urls"`
	Username   string   `json:"username,omitempty"`
	Credential string   `json:"credential,omitempty"`
}

type muteState struct {
	Audio bool `json:"audio"`
	Video bool `json:"video"`
}

type joinMsg struct {
	Type  string     `json:"type"`
	Muted *muteState `json:"muted,omitempty"`
}

type sdpMsg struct {
	Type string `json:"type"`
	SDP  string `json:"sdp"`
	// Sources says what each media section of a pubOffer carries, by mid
	// (camera, microphone, screen, screen_audio).
	Sources map[string]string `json:"sources,omitempty"`
}

// maxPublishedSources bounds pubOffer.sources.
const maxPublishedSources = 16

type candidateMsg struct {
	Type      string            `json:"type"`
	PC        sfu.Target        `json:"pc"`
	Candidate *sfu.ICECandidate `json:"candidate"`
}

type muteMsg struct {
	Type  string `json:"type"`
	Audio *bool  `json:"audio"`
	Video *bool  `json:"video"`
}

type joinedMsg struct {
	Type         string        `json:"type"`
	Self         Participant   `json:"self"`
	Participants []Participant `json:"participants"`
	Room         RoomInfo      `json:"room"`
	ICEServers   []ICEServer   `json:"iceServers"`
	// VideoCodec is the codec to publish the camera in, when the
	// browser can: vp8, vp9, av1 or h264 (docs/protocol.md).
	VideoCodec string `json:"videoCodec"`
	// ResumeToken lets this client take its place back from a new socket
	// (resume); only in `joined`.
	ResumeToken string `json:"resumeToken,omitempty"`
}

type participantMsg struct {
	Type        string      `json:"type"`
	Participant Participant `json:"participant"`
}

type participantLeftMsg struct {
	Type string `json:"type"`
	ID   string `json:"id"`
}

type trackMsg struct {
	Type        string `json:"type"`
	Participant string `json:"participant"`
	Kind        string `json:"kind,omitempty"`
	TrackID     string `json:"trackId"`
	Source      string `json:"source,omitempty"`
}

type errorMsg struct {
	Type    string `json:"type"`
	Code    string `json:"code"`
	Message string `json:"message"`
	Fatal   bool   `json:"fatal"`
}

type waitingMsg struct {
	Type   string   `json:"type"`
	Reason string   `json:"reason"`
	Room   RoomInfo `json:"room"`
}

type roomUpdatedMsg struct {
	Type string   `json:"type"`
	Room RoomInfo `json:"room"`
}

// noticeMsg is a message with only words for the person: removed,
// roomEnded, mutedByHost.
type noticeMsg struct {
	Type    string `json:"type"`
	Message string `json:"message"`
}
