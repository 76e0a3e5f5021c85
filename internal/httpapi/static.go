package httpapi

import (
	"io/fs"
	"net/http"
	"strings"

	"github.com/roomsdev/rooms/internal/rooms"
)

const notBuilt = `<!doctype html><meta charset="utf-8"><title>Rooms</title>
<p>The web client has not been built. Run <code>make run</code> from the repository.</p>`

// indexHTML returns the client's index.html, or a page saying it is not
// built yet (a plain "go run" without the npm build).
func (s *Server) indexHTML() []byte {
	b, err := fs.ReadFile(s.web, "index.html")
	if err != nil {
		return []byte(notBuilt)
	}
	return b
}

func (s *Server) serveIndex(w http.ResponseWriter, status int) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(status)
	_, _ = w.Write(s.indexHTML())
}

// handleJoinPage serves the client for a room link. The client renders the
// join page; the status tells crawlers and scripts whether the room exists
// (404 for unknown tokens, 410 for ended rooms).
func (s *Server) handleJoinPage(w http.ResponseWriter, r *http.Request) {
	room, err := s.findRoom(r)
	status := http.StatusOK
	switch {
	case err != nil:
		status = statusOf[rooms.ErrorCode(err)]
		if status == 0 {
			status = http.StatusInternalServerError
		}
		if status == http.StatusTooManyRequests {
			setRetryAfter(w, err)
		}
	case room.Ended():
		status = http.StatusGone
	}
	s.serveIndex(w, status)
}

// staticHandler serves the client's assets, and index.html for "/".
func (s *Server) staticHandler() http.Handler {
	files := http.FileServerFS(s.web)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		if r.URL.Path == "/" || r.URL.Path == "/index.html" {
			s.serveIndex(w, http.StatusOK)
			return
		}
		if strings.HasPrefix(r.URL.Path, "/assets/") {
			// Vite puts a content hash in every asset name.
			w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		}
		files.ServeHTTP(w, r)
	})
}

// handleDropInPage serves the client for a drop-in link (/d/<room id>);
// the client asks the API whether the person may see the room.
func (s *Server) handleDropInPage(w http.ResponseWriter, r *http.Request) {
	s.serveIndex(w, http.StatusOK)
}

// handleAppPage serves the client for one of its own pages (/mod); the
// API decides what the person may see there.
func (s *Server) handleAppPage(w http.ResponseWriter, r *http.Request) {
	s.serveIndex(w, http.StatusOK)
}
