//go:build tools

// Package tools pins helm's command (helm.sh/helm/v3/cmd/helm) so `go mod tidy` keeps it; the
// build runs `go build helm.sh/helm/v3/cmd/helm` from this module. Helm's own go.mod has no
// replace directives, so no main of our own is needed (unlike etcd).
package tools

import (
	_ "helm.sh/helm/v3/cmd/helm"
)
