package rooms

// Presence is someone in a room's live call, or waiting for its host.
type Presence struct {
	ParticipantID ParticipantID
	Identity      Identity
	Host          bool
	Waiting       bool
}

// ActiveCall is a live call its host has opened, with the people inside.
type ActiveCall struct {
	Room   Room
	People []Identity
}
