package signal

import (
	"context"
	"encoding/json"
	"time"

	"github.com/coder/websocket"

	"github.com/roomsdev/rooms/internal/sfu"
)

// handler handles one client message type. It returns an error to send back
// (the connection stays open) or stop=true to end the connection.
type handler func(p *participant, raw []byte) (stop bool, err error)

// handlers maps each client message type to its handler: one function per
// type rather than one long switch.
var handlers map[string]handler

func init() {
	handlers = map[string]handler{
		typeJoin:      handleJoin,
		typePubOffer:  handlePubOffer,
		typeSubAnswer: handleSubAnswer,
		typeCandidate: handleCandidate,
		typeMute:      handleMute,
		typeLeave:     handleLeave,
		typeChat:      handleChat,
		typeReaction:  handleReaction,
		typeHand:      handleHand,
	}
}

// needsMedia are the messages that make sense only once admitted.
var needsMedia = map[string]bool{typePubOffer: true, typeSubAnswer: true, typeCandidate: true}

// insideOnly are the messages for people in the call, not waiting.
var insideOnly = map[string]bool{typeChat: true, typeReaction: true, typeHand: true}

// dispatch decodes one client message and runs its handler. It reports
// whether the connection must end.
func (p *participant) dispatch(raw []byte) (stop bool) {
	var env envelope
	if err := json.Unmarshal(raw, &env); err != nil {
		p.sendError(badMessage("That message is not valid JSON."), false)
		return false
	}
	h, ok := handlers[env.Type]
	if !ok {
		p.sendError(badMessage("Unknown message type."), false)
		return false
	}
	if env.Type != typeJoin && !p.joined() {
		// Nothing but join makes sense before join; a client that does
		// not start with it is not speaking this protocol.
		p.sendError(outOfOrder("The first message must be join."), true)
		return true
	}
	if insideOnly[env.Type] && !p.isAdmitted() {
		p.sendError(outOfOrder("You are waiting for the host to let you in."), false)
		return false
	}
	if needsMedia[env.Type] {
		if _, err := p.awaitMedia(); err != nil {
			p.sendError(err, false)
			return false
		}
	}
	stop, err := h(p, raw)
	if err != nil {
		p.sendError(err, stop)
	}
	return stop
}

func decode(raw []byte, v any) error {
	if err := json.Unmarshal(raw, v); err != nil {
		return badMessage("A field has the wrong type.")
	}
	return nil
}

func handleJoin(p *participant, raw []byte) (bool, error) {
	if p.joined() {
		return false, outOfOrder("You have already joined.")
	}
	var m joinMsg
	if err := decode(raw, &m); err != nil {
		return true, err
	}
	p.mu.Lock()
	p.joinRequested = true
	if m.Muted != nil {
		p.audioMuted, p.videoMuted = m.Muted.Audio, m.Muted.Video
	}
	p.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := p.call.join(ctx, p); err != nil {
		p.call.remove(p)
		return true, err
	}
	p.log.Info("participant joined", "guest", p.identity.IsGuest(), "host", p.isHost)
	return false, nil
}

func handlePubOffer(p *participant, raw []byte) (bool, error) {
	var m sdpMsg
	if err := decode(raw, &m); err != nil {
		return false, err
	}
	if m.SDP == "" {
		return false, badMessage("An offer needs an sdp.")
	}
	if len(m.Sources) > maxPublishedSources {
		return false, badMessage("Too many sources in one offer.")
	}
	p.media().SetSources(m.Sources)
	return false, p.media().PublisherOffer(m.SDP)
}

func handleSubAnswer(p *participant, raw []byte) (bool, error) {
	var m sdpMsg
	if err := decode(raw, &m); err != nil {
		return false, err
	}
	if m.SDP == "" {
		return false, badMessage("An answer needs an sdp.")
	}
	return false, p.media().SubscriberAnswer(m.SDP)
}

func handleCandidate(p *participant, raw []byte) (bool, error) {
	var m candidateMsg
	if err := decode(raw, &m); err != nil {
		return false, err
	}
	if m.Candidate == nil || (m.PC != sfu.Pub && m.PC != sfu.Sub) {
		return false, badMessage(`A candidate needs a candidate and pc "pub" or "sub".`)
	}
	return false, p.media().AddCandidate(m.PC, *m.Candidate)
}

func handleMute(p *participant, raw []byte) (bool, error) {
	var m muteMsg
	if err := decode(raw, &m); err != nil {
		return false, err
	}
	if m.Audio == nil || m.Video == nil {
		return false, badMessage("A mute message needs audio and video.")
	}
	p.mu.Lock()
	videoChanged := p.videoMuted != *m.Video
	p.videoMuted = *m.Video
	p.mu.Unlock()
	p.setAudioMuted(*m.Audio, videoChanged)
	return false, nil
}

func handleLeave(p *participant, _ []byte) (bool, error) {
	p.close(websocket.StatusNormalClosure, "left")
	return true, nil
}

// mediaHandler is a participant seen from the media plane: it turns SFU
// events into messages.
type mediaHandler participant

var _ sfu.Handler = (*mediaHandler)(nil)

func (h *mediaHandler) SubscriberOffer(sdp string) {
	(*participant)(h).send(sdpMsg{Type: typeSubOffer, SDP: sdp})
}

func (h *mediaHandler) PublisherAnswer(sdp string) {
	(*participant)(h).send(sdpMsg{Type: typePubAnswer, SDP: sdp})
}

func (h *mediaHandler) Candidate(t sfu.Target, c sfu.ICECandidate) {
	(*participant)(h).send(candidateMsg{Type: typeCandidate, PC: t, Candidate: &c})
}

func (h *mediaHandler) Published(t sfu.TrackInfo) {
	p := (*participant)(h)
	p.call.broadcast(trackMsg{Type: typeTrackPublished, Participant: p.id, Kind: t.Kind, TrackID: t.ID, Source: t.Source}, p)
}

func (h *mediaHandler) Unpublished(t sfu.TrackInfo) {
	p := (*participant)(h)
	p.call.broadcast(trackMsg{Type: typeTrackUnpublished, Participant: p.id, TrackID: t.ID}, p)
}

func (h *mediaHandler) Failed() {
	p := (*participant)(h)
	p.log.Info("media transport failed")
	p.close(websocket.StatusGoingAway, "media failed")
}
