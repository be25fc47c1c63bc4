// Type-level tests of the builders' return types: they are the wire-format types (kubernetes-types
// for built-in kinds, the generated types for CRDs), so a misspelt or misplaced field does not
// compile. Each `@ts-expect-error` below marks a line that must fail to type-check; were a
// builder's type loose again (an index signature such as `[field: string]: unknown`), the line
// would compile, the directive would be unused, and tsc (npm run build, npm test) would fail.
// The runtime assertions check that the correctly spelt field is the one the builder writes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  buildAppDeployment,
  buildBackupCronJob,
  buildCertificate,
  buildContext,
  buildDesiredState,
  buildIngress,
  buildNetworkPolicies,
  isBuildContextError,
  NetworkPolicyName,
  type BuildContext,
  type OwnedManifest,
} from '../../src/resources/index.js';
import type { BackupPolicy } from '../../src/api/generated/index.js';
import { fixtureConfig, fixtureTenant, type IngressVariant } from '../support/resources-fixture.js';

function ctxFor(variant: IngressVariant): BuildContext {
  const ctx = buildContext(fixtureTenant('acme', 'postgres'), fixtureConfig(variant));
  if (isBuildContextError(ctx)) throw new Error(ctx.error);
  return ctx;
}

type NetworkPolicyOut = ReturnType<typeof buildNetworkPolicies>[number];

void test('a NetworkPolicy peer list is `from`: `form` does not compile, in the builder type and in the desired state', () => {
  const built = buildNetworkPolicies(ctxFor('nginx')).find((p) => p.metadata.name === NetworkPolicyName.DatabaseFromApp);
  assert.ok(built?.spec?.ingress?.[0]?.from?.[0]?.podSelector, 'the rule admits the app by its peer list');
  const peers = built.spec.ingress[0].from;
  const misspelt: NetworkPolicyOut = {
    ...built,
    spec: {
      podSelector: built.spec.podSelector,
      // @ts-expect-error `form` is no field of NetworkPolicyIngressRule (a dropped `from` admits everyone)
      ingress: [{ form: peers }],
    },
  };
  const inDesiredState: OwnedManifest = {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: built.metadata,
    // @ts-expect-error the union of every built kind still checks the NetworkPolicy's fields
    spec: { podSelector: {}, ingress: [{ form: peers }] },
  };
  assert.notDeepEqual(misspelt.spec, built.spec);
  assert.equal(inDesiredState.kind, 'NetworkPolicy');
});

void test('a container field misspelt in the app Deployment does not compile', () => {
  const dep = buildAppDeployment(ctxFor('nginx'));
  const container = dep.spec?.template.spec?.containers[0];
  assert.ok(container?.readinessProbe, 'the app container has a readiness probe');
  // @ts-expect-error `readinesProbe` is no field of Container
  const misspelt: NonNullable<typeof container> = { name: container.name, readinesProbe: container.readinessProbe };
  assert.equal(misspelt.name, 'app');
});

void test('the generated upstream types check the cert-manager Certificate and the Gateway API routes', () => {
  const cert = buildCertificate(ctxFor('nginx'));
  assert.equal(cert.spec.privateKey?.rotationPolicy, 'Always');
  const badIssuer: typeof cert = {
    ...cert,
    // @ts-expect-error `nmae` is no field of the Certificate's issuerRef
    spec: { ...cert.spec, issuerRef: { nmae: cert.spec.issuerRef.name } },
  };
  const badPolicy: typeof cert = {
    ...cert,
    // @ts-expect-error the CRD's enum has no rotation policy `Sometimes`
    spec: { ...cert.spec, privateKey: { rotationPolicy: 'Sometimes' } },
  };
  assert.equal(badIssuer.kind, 'Certificate');
  assert.equal(badPolicy.kind, 'Certificate');

  const routes = buildIngress(ctxFor('gateway-listenerset'));
  assert.ok(routes.some((r) => r.kind === 'HTTPRoute'));
  const misspeltRoute: (typeof routes)[number] = {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: cert.metadata,
    // @ts-expect-error `requestRedirects` is no field of an HTTPRoute filter
    spec: { rules: [{ filters: [{ type: 'RequestRedirect', requestRedirects: { scheme: 'https' } }] }] },
  };
  assert.equal(misspeltRoute.kind, 'HTTPRoute');
});

void test('the backup CronJob is typed down to its pod spec', () => {
  const policy: BackupPolicy = {
    apiVersion: 'tenantry.io/v1alpha1',
    kind: 'BackupPolicy',
    metadata: { name: 'nightly' },
    spec: { schedule: '0 2 * * *', destination: { region: 'eu-west-1', bucket: 'b' }, retention: { keepDaily: 7 } },
  };
  const cron = buildBackupCronJob(ctxFor('nginx'), policy, { hasCredentialsSecret: false });
  const pod = cron.spec?.jobTemplate.spec?.template.spec;
  assert.equal(pod?.restartPolicy, 'Never');
  // @ts-expect-error `restartPolicies` is no field of PodSpec
  const misspelt: NonNullable<typeof pod> = { containers: [], restartPolicies: 'Never' };
  assert.deepEqual(misspelt.containers, []);
  // Every kind of the desired state is one of the typed kinds.
  const kinds = new Set(buildDesiredState(ctxFor('traefik')).map((m) => m.kind));
  assert.ok(kinds.has('IngressRoute') && kinds.has('Deployment'));
});
