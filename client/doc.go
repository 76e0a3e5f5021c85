// Package client is the Rooms Go SDK: it signs in or joins as a guest over
// the REST API, joins a room's call over the signalling WebSocket
// (docs/protocol.md), publishes media with pion/webrtc and records what it
// receives. The tests, bots and the load tool use it; so can anyone who
// wants a program in a room. docs/sdk.md is the guide.
//
//	s := client.NewSession("http://127.0.0.1:8080")
//	_ = s.JoinAsGuest(ctx, token, "Bot")
//	src, _ := client.NewSimulcastSynthetic("bot") // 180p, 360p, 720p and Opus
//	src.SetSpeaking(true)
//	call, _ := s.Join(ctx, token, client.JoinOptions{Publish: src})
//	defer call.Leave()
//	_ = call.SetTrackSettings(client.TrackSetting{Participant: id, Visible: true, Height: 180})
//	r := call.Received(id) // packets, bytes, the layer's size, time to the first keyframe
package client
