package httpapi

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
)

// TestOpenAPICoversEveryRoute reads the routes registered in the package and
// checks each is described in the merged OpenAPI document with its method.
func TestOpenAPICoversEveryRoute(t *testing.T) {
	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(openAPIDoc, &doc); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Fatalf("openapi version %q", doc.OpenAPI)
	}
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	var routes [][]string
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		routes = append(routes, regexp.MustCompile(`mux\.Handle(?:Func)?\("(GET|POST|PUT|PATCH|DELETE) (/[^"]*)"`).FindAllStringSubmatch(string(src), -1)...)
	}
	if len(routes) < 10 {
		t.Fatalf("found only %d routes in server.go", len(routes))
	}
	for _, r := range routes {
		method, path := strings.ToLower(r[1]), r[2]
		if path == "/" {
			continue
		}
		ops, ok := doc.Paths[path]
		if !ok {
			t.Errorf("route %s %s is not in the OpenAPI document", r[1], path)
			continue
		}
		if _, ok := ops[method]; !ok {
			t.Errorf("route %s %s: the OpenAPI document has no %s operation", r[1], path, method)
		}
	}
}

// TestOpenAPIRoomEndpointsSayEndedAndLimited: every endpoint about one
// room documents 410 (an ended room answers it on all of them), every one
// reached through a link lookup documents 429, and every 429 anywhere
// says when to retry (Retry-After).
func TestOpenAPIRoomEndpointsSayEndedAndLimited(t *testing.T) {
	var doc struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(openAPIDoc, &doc); err != nil {
		t.Fatal(err)
	}
	type response struct {
		Ref     string         `json:"$ref"`
		Headers map[string]any `json:"headers"`
	}
	for path, ops := range doc.Paths {
		link := strings.HasPrefix(path, "/api/rooms/{token}") || path == "/r/{token}"
		room := link || strings.HasPrefix(path, "/api/dropin/{id}")
		for method, raw := range ops {
			var op struct {
				Responses map[string]response `json:"responses"`
			}
			if method == "parameters" || json.Unmarshal(raw, &op) != nil {
				continue
			}
			if _, ok := op.Responses["410"]; room && !ok {
				t.Errorf("%s %s: no 410", method, path)
			}
			limited, ok := op.Responses["429"]
			if link && !ok {
				t.Errorf("%s %s: no 429", method, path)
			}
			if ok && limited.Ref != "#/components/responses/RateLimited" && limited.Headers["Retry-After"] == nil {
				t.Errorf("%s %s: a 429 without Retry-After", method, path)
			}
		}
	}
}

// TestOpenAPIRoomSchemaHasEveryField: every field the API sends in a room
// (and in its join verdict, and a drop-in item) is in the document.
func TestOpenAPIRoomSchemaHasEveryField(t *testing.T) {
	type schema struct {
		Properties map[string]struct {
			Properties map[string]json.RawMessage `json:"properties"`
		} `json:"properties"`
	}
	var doc struct {
		Components struct {
			Schemas map[string]schema `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(openAPIDoc, &doc); err != nil {
		t.Fatal(err)
	}
	fields := func(v any) []string {
		var out []string
		typ := reflect.TypeOf(v)
		for i := range typ.NumField() {
			if name, _, _ := strings.Cut(typ.Field(i).Tag.Get("json"), ","); name != "" && name != "-" {
				out = append(out, name)
			}
		}
		return out
	}
	room := doc.Components.Schemas["Room"]
	for _, f := range fields(roomJSON{}) {
		if _, ok := room.Properties[f]; !ok {
			t.Errorf("Room schema: no %q", f)
		}
	}
	drop := doc.Components.Schemas["DropInRoom"]
	for _, f := range fields(dropInJSON{}) {
		if _, ok := drop.Properties[f]; !ok {
			t.Errorf("DropInRoom schema: no %q", f)
		}
	}
	for _, f := range fields(joinJSON{}) {
		if _, ok := room.Properties["join"].Properties[f]; !ok {
			t.Errorf("Room schema: join has no %q", f)
		}
	}
}
