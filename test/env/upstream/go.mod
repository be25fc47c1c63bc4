// Pins the upstream projects whose CRDs the integration tests install (see ../upstream-crds.ts).
// No Go code imports them, so never run `go mod tidy` here: it would drop every requirement.
// The CRDs are fetched with `go mod download -json MODULE@VERSION`, which needs (and checks)
// only the two go.sum lines of each module, not their dependency graphs.
module tenantry.io/testenv/upstream

go 1.26.0

require (
	github.com/cert-manager/cert-manager v1.21.2
	github.com/traefik/traefik/v3 v3.7.13
	sigs.k8s.io/gateway-api v1.6.3
)
