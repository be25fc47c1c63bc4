//go:build tools

// Package tools pins SeaweedFS's command (github.com/seaweedfs/seaweedfs/weed) so `go mod tidy`
// keeps it; the build runs `go build github.com/seaweedfs/seaweedfs/weed` from this module.
package tools

import (
	_ "github.com/seaweedfs/seaweedfs/weed"
)
