package httpapi

import (
	"net"
	"net/http"
	"net/netip"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// limiter is a token bucket per key (a client address, an account), from
// golang.org/x/time/rate. Idle keys are forgotten so memory stays bounded.
type limiter struct {
	rate   rate.Limit
	burst  int
	exempt []netip.Prefix // keys (addresses) never limited

	mu      sync.Mutex
	buckets map[string]*bucket
	sweep   time.Time
}

type bucket struct {
	lim  *rate.Limiter
	seen time.Time
}

// newLimiter allows r.Burst requests at once and then one every r.Every;
// keys that are addresses within exempt are never limited.
func newLimiter(r Rate, exempt []netip.Prefix) *limiter {
	return &limiter{rate: rate.Every(r.Every), burst: r.Burst, exempt: exempt, buckets: make(map[string]*bucket)}
}

func (l *limiter) isExempt(key string) bool {
	if len(l.exempt) == 0 {
		return false
	}
	addr, err := netip.ParseAddr(key)
	if err != nil {
		return false
	}
	for _, p := range l.exempt {
		if p.Contains(addr.Unmap()) {
			return true
		}
	}
	return false
}

// allow takes a token for key; when none is left it returns false and how
// long until one is.
func (l *limiter) allow(key string, now time.Time) (bool, time.Duration) {
	if l.isExempt(key) {
		return true, 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.sweep) > time.Minute {
		for k, b := range l.buckets {
			if now.Sub(b.seen) > 10*time.Minute {
				delete(l.buckets, k)
			}
		}
		l.sweep = now
	}
	b := l.buckets[key]
	if b == nil {
		b = &bucket{lim: rate.NewLimiter(l.rate, l.burst)}
		l.buckets[key] = b
	}
	b.seen = now
	res := b.lim.ReserveN(now, 1)
	if d := res.DelayFrom(now); d > 0 {
		res.CancelAt(now)
		return false, d
	}
	return true, 0
}

// clientAddr is the key for per-address limits: the connection's IP (a
// proxy in front must be configured to keep it; X-Forwarded-For is not
// trusted, as anyone can send it).
func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// limit wraps h so each client address gets at most the limiter's rate;
// beyond it the answer is 429 with Retry-After.
func (s *Server) limit(l *limiter, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if ok, wait := l.allow(clientAddr(r), time.Now()); !ok {
			s.tooMany(w, r, wait)
			return
		}
		h(w, r)
	}
}

func (s *Server) tooMany(w http.ResponseWriter, r *http.Request, wait time.Duration) {
	s.writeError(w, r, tooManyFor(wait))
}

// peek reports whether key has a token left, without taking it.
func (l *limiter) peek(key string, now time.Time) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.buckets[key]
	if b == nil {
		return true, 0
	}
	tokens := b.lim.TokensAt(now)
	if tokens >= 1 {
		return true, 0
	}
	return false, time.Duration((1 - tokens) / float64(l.rate) * float64(time.Second))
}
