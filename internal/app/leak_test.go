package app_test

import (
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/roomsdev/rooms/client"
)

// Everything a call starts stops when the call ends: after four people
// have joined, exchanged media and left, the process (server and clients
// alike: the test runs both) is back to the goroutines it had before.
func TestGoroutinesReturnToIdleWhenEveryoneLeaves(t *testing.T) {
	s := startServer(t, 50)
	host, room := newHost(t, s)
	idle := runtime.NumGoroutine()

	a := join(t, host, room.Token, true)
	calls := []*client.Call{a}
	for i := 0; i < 3; i++ {
		calls = append(calls, joinGuest(t, s, room.Token, fmt.Sprint("Guest ", i), true))
	}
	for _, c := range calls {
		for _, o := range calls {
			if o != c {
				receivesFrom(t, c, o)
			}
		}
	}
	busy := runtime.NumGoroutine()
	for _, c := range calls {
		c.Leave()
	}
	var now int
	if !within(20*time.Second, func() bool { now = runtime.NumGoroutine(); return now <= idle }) {
		buf := make([]byte, 1<<20)
		n := runtime.Stack(buf, true)
		t.Fatalf("%d goroutines 20 s after everyone left; %d before anyone joined, %d in the call\n%s", now, idle, busy, buf[:n])
	}
	t.Logf("goroutines: %d idle, %d with four in the call, %d after they left", idle, busy, now)
}
