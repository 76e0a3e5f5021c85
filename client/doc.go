// Package client is the Rooms Go SDK: it signs in or joins as a guest over
// the REST API, joins a room's call over the signalling WebSocket
// (docs/protocol.md), publishes media with pion/webrtc and records what it
// receives. The tests, bots and the load tool use it; so can anyone who
// wants a program in a room.
//
//	s := client.NewSession("http://127.0.0.1:8080")
//	_ = s.JoinAsGuest(ctx, token, "Bot")
//	call, _ := s.Join(ctx, token, client.JoinOptions{Tracks: client.SyntheticTracks()})
//	defer call.Leave()
package client
