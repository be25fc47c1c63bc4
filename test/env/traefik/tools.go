//go:build tools

// Package tools pins Traefik's command (github.com/traefik/traefik/v3/cmd/traefik) so `go mod tidy`
// keeps it; the build runs `go build github.com/traefik/traefik/v3/cmd/traefik` from this module.
package tools

import (
	_ "github.com/traefik/traefik/v3/cmd/traefik"
)
