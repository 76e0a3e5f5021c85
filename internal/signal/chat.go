package signal

import (
	"encoding/json"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Chat, reactions and raised hands: relayed to everyone in the call,
// never stored (the server keeps no record of what was said).

const (
	typeChat     = "chat"
	typeReaction = "reaction"
	typeHand     = "hand"

	maxChatRunes = 1000
)

// reactions are the emoji a reaction may carry.
var reactions = map[string]bool{"👍": true, "❤️": true, "😂": true, "🎉": true, "👏": true, "😮": true}

type chatIn struct {
	Text string `json:"text"`
}

type chatOut struct {
	Type string    `json:"type"`
	From string    `json:"from"`
	Name string    `json:"name"`
	Text string    `json:"text"`
	At   time.Time `json:"at"`
}

type reactionIn struct {
	Emoji string `json:"emoji"`
}

type reactionOut struct {
	Type  string `json:"type"`
	From  string `json:"from"`
	Emoji string `json:"emoji"`
}

type handIn struct {
	Raised *bool `json:"raised"`
}

// cleanChat trims and normalises a chat message; line breaks are kept,
// other control and invisible formatting characters are refused.
func cleanChat(s string) (string, error) {
	s = norm.NFC.String(strings.TrimSpace(s))
	if s == "" || !utf8.ValidString(s) {
		return "", badMessage("A chat message needs some text.")
	}
	if utf8.RuneCountInString(s) > maxChatRunes {
		return "", badMessage("A chat message can be at most 1000 characters.")
	}
	for _, r := range s {
		if r == '\n' {
			continue
		}
		if unicode.IsControl(r) || (unicode.In(r, unicode.Cf, unicode.Zl, unicode.Zp) && r != '\u200c' && r != '\u200d') {
			return "", badMessage("A chat message cannot contain control characters.")
		}
	}
	return s, nil
}

func handleChat(p *participant, raw []byte) (bool, error) {
	var m chatIn
	if err := json.Unmarshal(raw, &m); err != nil {
		return false, badMessage("A field has the wrong type.")
	}
	text, err := cleanChat(m.Text)
	if err != nil {
		return false, err
	}
	p.call.broadcast(chatOut{Type: typeChat, From: p.id, Name: p.identity.DisplayName, Text: text, At: time.Now().UTC()}, nil)
	return false, nil
}

func handleReaction(p *participant, raw []byte) (bool, error) {
	var m reactionIn
	if err := json.Unmarshal(raw, &m); err != nil {
		return false, badMessage("A field has the wrong type.")
	}
	if !reactions[m.Emoji] {
		return false, badMessage("That reaction is not available.")
	}
	p.call.broadcast(reactionOut{Type: typeReaction, From: p.id, Emoji: m.Emoji}, nil)
	return false, nil
}

func handleHand(p *participant, raw []byte) (bool, error) {
	var m handIn
	if err := json.Unmarshal(raw, &m); err != nil || m.Raised == nil {
		return false, badMessage("A hand message needs raised: true or false.")
	}
	p.mu.Lock()
	changed := p.handRaised != *m.Raised
	p.handRaised = *m.Raised
	p.mu.Unlock()
	if changed {
		p.call.broadcast(participantMsg{Type: typeParticipantUpdated, Participant: p.view()}, nil)
	}
	return false, nil
}
