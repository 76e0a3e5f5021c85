package httpapi

import (
	"encoding/json"
	"io/fs"
	"os"
	"regexp"
	"strings"
	"testing"
)

// socialRoutesNotYetDescribable are routes of social.go on a path that
// another part of the OpenAPI document already holds (GET /api/me is in
// 10-core.json). mergeOpenAPI refuses a path defined in two parts, so
// these cannot be described in 20-social.json until it merges the
// operations of a shared path. Remove an entry once it is described.
var socialRoutesNotYetDescribable = map[string]bool{}

// TestSocialOpenAPICoversEveryRoute reads the routes registered in
// social.go (TestOpenAPICoversEveryRoute reads only server.go) and checks
// that each is described in the merged OpenAPI document with its method,
// and that 20-social.json describes nothing social.go does not serve.
func TestSocialOpenAPICoversEveryRoute(t *testing.T) {
	var doc struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(openAPIDoc, &doc); err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile("social.go")
	if err != nil {
		t.Fatal(err)
	}
	routes := regexp.MustCompile(`mux\.Handle(?:Func)?\("(GET|POST|PUT|PATCH|DELETE) (/[^"]*)"`).FindAllStringSubmatch(string(src), -1)
	if len(routes) < 20 {
		t.Fatalf("found only %d routes in social.go", len(routes))
	}
	served := map[string]bool{}
	for _, r := range routes {
		served[r[1]+" "+r[2]] = true
		method, path := strings.ToLower(r[1]), r[2]
		if _, ok := doc.Paths[path][method]; !ok {
			if socialRoutesNotYetDescribable[r[1]+" "+path] {
				t.Logf("route %s %s is not described yet: see socialRoutesNotYetDescribable", r[1], path)
				continue
			}
			t.Errorf("route %s %s is not in the OpenAPI document", r[1], path)
		}
	}

	raw, err := fs.ReadFile(openAPIParts, "openapi/20-social.json")
	if err != nil {
		t.Fatal(err)
	}
	var part struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(raw, &part); err != nil {
		t.Fatal(err)
	}
	for path, ops := range part.Paths {
		for method := range ops {
			if method == "parameters" || method == "summary" || method == "description" {
				continue
			}
			if !served[strings.ToUpper(method)+" "+path] {
				t.Errorf("20-social.json describes %s %s, which social.go does not serve", strings.ToUpper(method), path)
			}
		}
	}
}

// TestSocialOpenAPIRefs checks that every $ref in 20-social.json names a
// component of the merged document.
func TestSocialOpenAPIRefs(t *testing.T) {
	var doc map[string]any
	if err := json.Unmarshal(openAPIDoc, &doc); err != nil {
		t.Fatal(err)
	}
	raw, err := fs.ReadFile(openAPIParts, "openapi/20-social.json")
	if err != nil {
		t.Fatal(err)
	}
	refs := regexp.MustCompile(`"\$ref":\s*"#/([^"]+)"`).FindAllStringSubmatch(string(raw), -1)
	if len(refs) == 0 {
		t.Fatal("no $ref in 20-social.json")
	}
	for _, m := range refs {
		var node any = doc
		for _, key := range strings.Split(m[1], "/") {
			obj, _ := node.(map[string]any)
			node = obj[key]
		}
		if node == nil {
			t.Errorf("$ref #/%s names nothing", m[1])
		}
	}
}
