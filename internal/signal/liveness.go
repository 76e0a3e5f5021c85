package signal

// A client's check that its socket still reaches the server (docs/protocol.md,
// "Liveness"). After a network drop a WebSocket can look open for a long
// time: what it sent waits in TCP's retransmission backoff, and the ICE
// restart the client asked for with it arrives seconds after the network
// is back. A ping the server does not answer soon tells the client to
// replace the socket (resume) rather than wait.
const (
	typePing = "ping" // client → server
	typePong = "pong" // server → client
)

type pongMsg struct {
	Type string `json:"type"`
}

func init() {
	handlers[typePing] = func(p *participant, _ []byte) (bool, error) {
		p.send(pongMsg{Type: typePong})
		return false, nil
	}
}
