package signal

import (
	"context"
	"time"
)

// The writer of a socket. Everything sent to a client goes through the
// socket's queue (participant.send never blocks: one slow reader must not
// hold the room back), and one goroutine at a time writes it out. That
// goroutine runs only while there is something to do — messages queued, a
// ping due, the socket to close — rather than waiting on an empty queue
// for the whole call: a goroutine per participant saved.

// startWriter makes p the owner of socket s: from now on what is queued
// is written, a ping goes out every pingInterval, and s is closed when it
// is dropped (at once) or p leaves (after what is queued). The channel
// closes once s is closed for good.
func (p *participant) startWriter(ctx context.Context, s *socket) <-chan struct{} {
	s.ctx = ctx
	s.ping = time.AfterFunc(pingInterval, func() {
		s.pingDue.Store(true)
		s.kick()
	})
	s.owner.Store(p)
	s.kick()
	return s.finished
}

// kick starts a writer if none is running and the socket has an owner.
func (s *socket) kick() {
	if s.owner.Load() == nil {
		return
	}
	if s.writing.CompareAndSwap(false, true) {
		go s.flush()
	}
}

// flush is the writer: it works until nothing is left, then stops, unless
// something came in between (a kick that found it still running).
func (s *socket) flush() {
	for {
		if !s.work() {
			return
		}
		s.writing.Store(false)
		if !s.hasWork() || !s.writing.CompareAndSwap(false, true) {
			return
		}
	}
}

// work writes what is queued, pings if due, and closes the socket when it
// must. It reports false once the socket is closed for good.
func (s *socket) work() bool {
	p := s.owner.Load()
	for {
		switch {
		case isClosed(s.finished):
			return false
		case isClosed(s.gone):
			_ = s.conn.CloseNow()
			s.finish()
			return false
		}
		select {
		case b := <-s.out:
			if err := s.write(s.ctx, b); err != nil {
				s.drop()
			}
			continue
		default:
		}
		if s.pingDue.Swap(false) {
			pctx, cancel := context.WithTimeout(s.ctx, writeTimeout)
			err := s.conn.Ping(pctx)
			cancel()
			if err != nil {
				s.drop()
			} else {
				s.ping.Reset(pingInterval)
			}
			continue
		}
		if isClosed(p.done) {
			// Everything queued is out: close with p's code.
			_ = s.conn.Close(p.closeCode, p.closeReason)
			s.finish()
			return false
		}
		return true
	}
}

func (s *socket) hasWork() bool {
	return len(s.out) > 0 || s.pingDue.Load() || isClosed(s.gone) || isClosed(s.owner.Load().done)
}

func (s *socket) finish() {
	s.finOnce.Do(func() {
		s.ping.Stop()
		close(s.finished)
	})
}

func isClosed(c <-chan struct{}) bool {
	select {
	case <-c:
		return true
	default:
		return false
	}
}
