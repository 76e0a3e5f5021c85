package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/roomsdev/rooms/client"
	"github.com/roomsdev/rooms/internal/load"
)

// lateJoinerCmd is the hidden command load starts its late joiner as
// (load.Config.LateJoiner).
const lateJoinerCmd = "load-late-joiner"

// loadCmd is `rooms load`: bot participants against a running server for a
// bounded time, then a JSON summary and a table. Start the server with
// -rate-limit-exempt 127.0.0.0/8, since every bot comes from this machine.
func loadCmd(ctx context.Context, args []string) error {
	var cfg load.Config
	var out string
	fs := flag.NewFlagSet("load", flag.ContinueOnError)
	fs.StringVar(&cfg.Server, "server", "http://127.0.0.1:8080", "the server to load")
	fs.StringVar(&cfg.Shape, "shape", load.ShapeMeeting, "meeting, fanout, audio, livestream or rooms")
	fs.IntVar(&cfg.Participants, "participants", 10, "participants (meeting, audio, rooms) or viewers (livestream)")
	fs.IntVar(&cfg.Publishers, "publishers", 25, "publishers (fanout)")
	fs.IntVar(&cfg.Subscribers, "subscribers", 50, "receive-only subscribers (fanout)")
	fs.IntVar(&cfg.RoomSize, "room-size", 4, "people per room (rooms)")
	fs.DurationVar(&cfg.Duration, "duration", 30*time.Second, "how long to measure")
	fs.DurationVar(&cfg.Warmup, "warmup", 5*time.Second, "how long to let joins settle first")
	fs.IntVar(&cfg.ServerPID, "server-pid", 0, "the server's process id (default: whoever listens on the server's port)")
	fs.IntVar(&cfg.LateJoins, "late-joins", 3, "after the measurement, this many people join the first room one at a time, for the join time into a running room")
	fs.BoolVar(&cfg.LateJoinReceiveOnly, "late-join-receive-only", false, "late joiners only receive, even where everyone publishes (by default they publish too, and the others' time to see them is measured)")
	fs.IntVar(&cfg.JoinConcurrency, "join-concurrency", 2, "joins in flight at once (more makes a storm of DTLS handshakes on a small machine)")
	fs.StringVar(&out, "out", "", "write the JSON summary to this file")
	ownProcess := fs.Bool("late-join-process", true, "run the late joins in a process of their own, as a person on their own device; false runs them among the bots")
	var videoFile, audioFile string
	fs.StringVar(&videoFile, "video-file", "", "publishers send this IVF video (VP8, VP9 or AV1) in a loop instead of synthetic media")
	fs.StringVar(&audioFile, "audio-file", "", "publishers send this Ogg Opus audio in a loop instead of synthetic media")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if videoFile != "" || audioFile != "" {
		files, err := client.LoadMediaFiles(videoFile, audioFile)
		if err != nil {
			return err
		}
		cfg.Files = files
	}
	if *ownProcess {
		exe, err := os.Executable()
		if err != nil {
			return err
		}
		cfg.LateJoiner = []string{exe, lateJoinerCmd}
	}
	if cfg.Duration <= 0 || cfg.Duration > 24*time.Hour {
		return fmt.Errorf("-duration must be between 0 and 24h")
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	cfg.Progress = os.Stderr
	sum, err := load.Run(ctx, cfg)
	if err != nil {
		return err
	}
	b, _ := json.MarshalIndent(sum, "", "  ")
	if out != "" {
		if err := os.WriteFile(out, append(b, '\n'), 0o644); err != nil {
			return err
		}
	}
	sum.WriteTable(os.Stdout)
	return nil
}
