package httpapi

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"sort"
)

// The OpenAPI document is kept in parts (openapi/*.json), one per area of
// the API, and merged at start-up: "paths" and "components" of every part
// are joined into the first one. A test checks that every route the server
// registers is described.
//
//go:embed openapi/*.json
var openAPIParts embed.FS

// openAPIDoc is the merged document, built once.
var openAPIDoc = mustMergeOpenAPI(openAPIParts)

func mustMergeOpenAPI(parts fs.FS) []byte {
	b, err := mergeOpenAPI(parts)
	if err != nil {
		panic(err) // the parts are embedded; a test covers them
	}
	return b
}

func mergeOpenAPI(parts fs.FS) ([]byte, error) {
	names, err := fs.Glob(parts, "openapi/*.json")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	var doc map[string]any
	for _, name := range names {
		raw, err := fs.ReadFile(parts, name)
		if err != nil {
			return nil, err
		}
		var part map[string]any
		if err := json.Unmarshal(raw, &part); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		if doc == nil {
			doc = part
			continue
		}
		if err := mergeInto(doc, part, name); err != nil {
			return nil, err
		}
	}
	return json.MarshalIndent(doc, "", "  ")
}

// mergeInto adds part's paths and components to doc; a name defined twice
// is an error.
func mergeInto(doc, part map[string]any, name string) error {
	for _, key := range []string{"paths", "components"} {
		src, _ := part[key].(map[string]any)
		if src == nil {
			continue
		}
		dst, _ := doc[key].(map[string]any)
		if dst == nil {
			dst = map[string]any{}
			doc[key] = dst
		}
		// Paths merge operation by operation, so that two parts may
		// describe different methods of one path (GET /api/me in one,
		// PATCH /api/me in another); each section of components merges
		// name by name. Anything defined twice is an error.
		for section, v := range src { // a path, or schemas, responses, ...
			s, _ := v.(map[string]any)
			d, _ := dst[section].(map[string]any)
			if d == nil {
				d = map[string]any{}
				dst[section] = d
			}
			for n, def := range s {
				if _, dup := d[n]; dup {
					return fmt.Errorf("%s: %s.%s.%s defined twice", name, key, section, n)
				}
				d[n] = def
			}
		}
	}
	return nil
}

func (s *Server) handleOpenAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(openAPIDoc)
}
