// Which hosts a Tenant may claim, and which hosts the route objects of the cluster already serve:
// pure functions, tested with tables.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubernetesObject } from '@kubernetes/client-node';
import { parseConfig } from '../../src/config.js';
import { allowedDomains, isHostAllowed } from '../../src/controller/host-policy.js';
import { RouteClaimIndex, routeClaimKinds, routeHosts, shapeRouteClaim, traefikRuleHosts } from '../../src/controller/route-claims.js';

const REGION = { storageClassName: 'gp3-encrypted', kmsKeyId: 'alias/k', backupBucket: 'b' };

test('review 9: isHostAllowed: a domain itself and the names under it, on a label boundary, in any case', () => {
  const domains = allowedDomains(
    parseConfig({ regions: { 'eu-central-1': REGION }, baseDomain: 'tenants.example.com', allowedDomains: ['acme-corp.com'] }),
  );
  assert.deepEqual(domains, ['tenants.example.com', 'acme-corp.com'], 'baseDomain is always allowed, first');
  const rows: [string, boolean][] = [
    ['acme.tenants.example.com', true],
    ['a.b.tenants.example.com', true],
    ['tenants.example.com', true],
    ['ACME.Tenants.Example.com', true],
    ['acme-corp.com', true],
    ['shop.acme-corp.com', true],
    ['admin.example.com', false],
    ['example.com', false],
    ['eviltenants.example.com', false],
    ['tenants.example.com.attacker.io', false],
    ['evilacme-corp.com', false],
    ['acme-corp.com.evil', false],
    ['', false],
    ['.tenants.example.com', false],
  ];
  for (const [host, allowed] of rows) assert.equal(isHostAllowed(host, domains), allowed, host);
  assert.equal(isHostAllowed('acme.tenants.example.com', []), false, 'no domain, no host');
  assert.deepEqual(
    allowedDomains(
      parseConfig({ regions: { 'eu-central-1': REGION }, baseDomain: 'tenants.example.com', allowedDomains: ['tenants.example.com'] }),
    ),
    ['tenants.example.com'],
    'no duplicates',
  );
});

test('review 9: traefikRuleHosts reads Host, HostHeader and HostSNI with one or several names; not HostRegexp, wildcards or negations', () => {
  const rows: [string, string[]][] = [
    ['Host(`shop.example.com`)', ['shop.example.com']],
    ['Host(`a.example.com`, `b.example.com`)', ['a.example.com', 'b.example.com']],
    ['Host("quoted.example.com")', ['quoted.example.com']],
    ['Host(`a.example.com`) || Host(`B.Example.com`)', ['a.example.com', 'b.example.com']],
    ['Host(`a.example.com`) && PathPrefix(`/admin`)', ['a.example.com']],
    ['(Host(`a.example.com`) && Path(`/x`)) || HostHeader(`c.example.com`)', ['a.example.com', 'c.example.com']],
    ['HostSNI(`tcp.example.com`)', ['tcp.example.com']],
    ['HostSNI(`*`)', []],
    ['HostRegexp(`^.+\\.example\\.com$`)', []],
    ['Host(`*.example.com`)', []],
    ['!Host(`not.example.com`) && PathPrefix(`/`)', []],
    ['PathPrefix(`/`)', []],
    ['Host(`a.example.com`) && Host(`a.example.com`)', ['a.example.com']],
  ];
  for (const [rule, hosts] of rows) assert.deepEqual(traefikRuleHosts(rule), hosts, rule);
});

test('review 9: routeHosts reads the hosts of an Ingress, IngressRoute, HTTPRoute and ListenerSet; catch-alls and wildcards claim no host', () => {
  const rows: [string, KubernetesObject & Record<string, unknown>, string[]][] = [
    [
      'Ingress rules and TLS',
      {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'Ingress',
        spec: { rules: [{ host: 'a.example.com' }, { host: '*.example.com' }, {}], tls: [{ hosts: ['b.example.com', 'a.example.com'] }] },
      },
      ['a.example.com', 'b.example.com'],
    ],
    [
      'Ingress with a default backend only',
      { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', spec: { defaultBackend: { service: { name: 'x', port: { number: 80 } } } } },
      [],
    ],
    [
      'IngressRoute',
      {
        apiVersion: 'traefik.io/v1alpha1',
        kind: 'IngressRoute',
        spec: { routes: [{ match: 'Host(`a.example.com`)' }, { match: 'Host(`c.example.com`) && PathPrefix(`/x`)' }] },
      },
      ['a.example.com', 'c.example.com'],
    ],
    [
      'HTTPRoute',
      { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', spec: { hostnames: ['A.example.com', '*.example.com'] } },
      ['a.example.com'],
    ],
    ['HTTPRoute without hostnames', { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', spec: { rules: [] } }, []],
    [
      'ListenerSet',
      {
        apiVersion: 'gateway.networking.k8s.io/v1',
        kind: 'ListenerSet',
        spec: { listeners: [{ name: 'https', hostname: 'l.example.com' }, { name: 'any' }] },
      },
      ['l.example.com'],
    ],
    ['garbage', { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', spec: { rules: 'nope', tls: [{ hosts: [7] }] } }, []],
    ['an unknown kind', { apiVersion: 'v1', kind: 'Service', spec: { hostnames: ['x.example.com'] } }, []],
  ];
  for (const [name, o, hosts] of rows) assert.deepEqual(routeHosts(o), hosts, name);
});

test("review 9: shapeRouteClaim keeps what a claim needs and tells Tenantry's routes by labels and namespace together", () => {
  const k = { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress' };
  const big = 'x'.repeat(10_000);
  const ingress = (namespace: string, labels: Record<string, string>) => ({
    metadata: {
      name: 'app',
      namespace,
      resourceVersion: '42',
      uid: 'u',
      creationTimestamp: '2025-01-01T00:00:00Z',
      labels,
      annotations: { big },
      managedFields: [{ manager: big }],
    },
    spec: { rules: [{ host: 'shop.example.com', http: { paths: [{ path: '/', backend: { service: { name: big } } }] } }] },
    status: { loadBalancer: { ingress: [{ ip: '192.0.2.1' }] } },
  });
  const ours = { 'app.kubernetes.io/managed-by': 'tenantry', 'tenantry.io/tenant': 'acme' };
  const shaped = shapeRouteClaim(ingress('tenant-acme', ours) as unknown as KubernetesObject, k);
  assert.deepEqual(shaped, {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name: 'app', namespace: 'tenant-acme', resourceVersion: '42' },
    claim: { hosts: ['shop.example.com'], tenant: 'acme', createdAt: '2025-01-01T00:00:00Z' },
  });
  assert.ok(JSON.stringify(shaped).length < 300, 'the cache keeps a few hundred bytes, not the object');
  assert.deepEqual(shapeRouteClaim(shaped, k), shaped, 'shaping twice (list pages, then the informer) changes nothing');
  // The labels alone do not make a route Tenantry's: anyone may label their own Ingress so.
  assert.equal(
    shapeRouteClaim(ingress('team-b', ours) as unknown as KubernetesObject, k).claim.tenant,
    undefined,
    'our labels outside the tenant namespace',
  );
  assert.equal(
    shapeRouteClaim(ingress('tenant-acme', { 'tenantry.io/tenant': 'acme' }) as unknown as KubernetesObject, k).claim.tenant,
    undefined,
    'no managed-by label',
  );
  assert.equal(
    shapeRouteClaim(ingress('tenant-acme', { ...ours, 'tenantry.io/tenant': 'globex' }) as unknown as KubernetesObject, k).claim.tenant,
    undefined,
    "another tenant's name in acme's namespace",
  );
});

test('review 9: routeClaimKinds: the route kinds each provider serves', () => {
  const kinds = (p: 'nginx' | 'traefik' | 'gateway') => routeClaimKinds(p).map((k) => `${k.apiVersion}/${k.kind}`);
  assert.deepEqual(kinds('nginx'), ['networking.k8s.io/v1/Ingress']);
  assert.deepEqual(kinds('traefik'), ['networking.k8s.io/v1/Ingress', 'traefik.io/v1alpha1/IngressRoute']);
  assert.deepEqual(kinds('gateway'), ['gateway.networking.k8s.io/v1/HTTPRoute', 'gateway.networking.k8s.io/v1/ListenerSet']);
  for (const k of routeClaimKinds('traefik')) assert.ok(k.plural && k.namespaced, k.kind);
});

test('review 9: RouteClaimIndex finds claims by host and reports which hosts changed, so only their claimants are reconciled', () => {
  const k = { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress' };
  const ing = (name: string, rv: string, hosts: string[]) =>
    shapeRouteClaim(
      {
        metadata: { name, namespace: 'team-b', resourceVersion: rv, creationTimestamp: '2025-01-01T00:00:00Z' },
        spec: { rules: hosts.map((host) => ({ host })) },
      } as unknown as KubernetesObject,
      k,
    );
  const index = new RouteClaimIndex();
  assert.deepEqual(index.upsert(ing('shop', '1', ['a.example.com', 'b.example.com'])).sort(), ['a.example.com', 'b.example.com']);
  assert.deepEqual(index.claims('a.example.com'), [
    { kind: 'Ingress', namespace: 'team-b', name: 'shop', createdAt: '2025-01-01T00:00:00Z' },
  ]);
  assert.deepEqual(index.upsert(ing('shop', '2', ['b.example.com', 'a.example.com'])), [], 'a status update changes no claim');
  assert.deepEqual(index.upsert(ing('shop', '3', ['b.example.com', 'c.example.com'])).sort(), ['a.example.com', 'c.example.com']);
  assert.deepEqual(index.claims('a.example.com'), []);
  index.upsert(ing('other', '4', ['b.example.com']));
  assert.deepEqual(
    index
      .claims('b.example.com')
      .map((c) => c.name)
      .sort(),
    ['other', 'shop'],
  );
  assert.deepEqual(index.remove(ing('shop', '3', ['b.example.com', 'c.example.com'])).sort(), ['b.example.com', 'c.example.com']);
  assert.deepEqual(
    index.claims('b.example.com').map((c) => c.name),
    ['other'],
  );
  assert.deepEqual(index.claims('c.example.com'), []);
  assert.equal(index.size, 1, 'hosts without claims are forgotten');
  assert.deepEqual(
    index.claims('B.Example.com').map((c) => c.name),
    ['other'],
    'looked up in lower case',
  );
});
