package httpapi

import (
	_ "embed"
	"net/http"
)

// openAPI is the API's description. A test checks that every route the
// server registers is in it, and that it is valid JSON.
//
//go:embed openapi.json
var openAPI []byte

func (s *Server) handleOpenAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(openAPI)
}
