// The upstream CRDs our resources reference (cert-manager, Gateway API, Traefik) install into the
// real API server, so later tests can have it validate the objects the operator creates.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { cacheDir } from '../env/paths.js';
import { ensureUpstreamCrds } from '../env/upstream-crds.js';
import { kubectl, kubectlOk } from '../support/kubectl.js';

const EXPECTED = [
  'certificates.cert-manager.io',
  'clusterissuers.cert-manager.io',
  'issuers.cert-manager.io',
  'gateways.gateway.networking.k8s.io',
  'gatewayclasses.gateway.networking.k8s.io',
  'httproutes.gateway.networking.k8s.io',
  'middlewares.traefik.io',
  'tlsoptions.traefik.io',
  'ingressroutes.traefik.io',
];

test('upstream CRDs install, become Established and validate their objects', async () => {
  const files = await ensureUpstreamCrds(join(cacheDir(), 'upstream-crds'));
  for (const f of files) await kubectlOk(['apply', '--server-side', '--field-manager=tenantry-tests', '-f', f]);
  await kubectlOk(['wait', '--for', 'condition=established', '--timeout=60s', ...EXPECTED.map((n) => `crd/${n}`)]);

  // A schema that really validates: a Traefik Middleware with a wrong type is refused.
  const bad = await kubectl(
    ['create', '--dry-run=server', '-f', '-'],
    JSON.stringify({
      apiVersion: 'traefik.io/v1alpha1',
      kind: 'Middleware',
      metadata: { name: 'bad-hsts', namespace: 'default' },
      spec: { headers: { stsSeconds: 'one year' } },
    }),
  );
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /spec\.headers\.stsSeconds/);
});
