// Package web holds the browser client. Its build output (web/dist, made by
// `npm run build` through `make`) is embedded in the server binary.
package web

import (
	"embed"
	"io/fs"
)

//go:embed all:dist
var dist embed.FS

// Dist returns the built client: index.html and its assets. Before the
// client is built it holds only a placeholder, and the server says so.
func Dist() fs.FS {
	sub, err := fs.Sub(dist, "dist")
	if err != nil {
		panic(err) // the embed pattern above guarantees the directory exists
	}
	return sub
}
