// Table tests of the pure builders in src/resources: for every ingress provider × database engine,
// the promises the manifests carry (P1 isolation, P2 encrypted storage, P4 TLS/HSTS, P8 region)
// and the properties the reconciler relies on (labels, owner reference, canonical, deterministic).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { V1StorageClass } from '@kubernetes/client-node';
import { load } from 'js-yaml';
import type { BackupPolicy, Restore, Tenant, TenantSpecDatabaseEngine } from '../../src/api/generated/index.js';
import { COMPONENT_LABEL, ENCRYPTED_CLASS_ANNOTATION, TENANT_LABEL } from '../../src/api/names.js';
import { parseConfig, type OperatorConfig } from '../../src/config.js';
import {
  buildBackupResources,
  buildContext,
  buildDatabaseSecret,
  buildDesiredState,
  buildIngress,
  buildPersistentVolumeClaims,
  buildRestoreJob,
  canonicalQuantity,
  ECDHE_CIPHERS_GO,
  ECDHE_CIPHERS_OPENSSL,
  ingressKinds,
  isBuildContextError,
  NAME_LABEL,
  OWNED_KINDS,
  ownedKindsFor,
  parseImage,
  storageClassEncryption,
  withTag,
  type BuildContext,
  type Manifest,
} from '../../src/resources/index.js';
import { repoRoot } from '../env/paths.js';
import { egressAllows } from '../support/netpol.js';
import {
  assertOwnedByAcme,
  ENGINES,
  fixtureConfig,
  fixtureTenant,
  GITOPS_ANNOTATIONS,
  GITOPS_LABELS,
  INGRESS_VARIANTS,
  type IngressVariant,
} from '../support/resources-fixture.js';

type Json = Record<string, unknown>;
const PASSWORDS = { databasePassword: 'pa:ss@wo/rd%1', rootPassword: 'r00t-secret' };
const ONE_YEAR = 31_536_000;

function ctxFor(
  variant: IngressVariant,
  engine: TenantSpecDatabaseEngine,
  spec: Partial<Tenant['spec']> = {},
  extraConfig: Json = {},
  name = 'acme',
): BuildContext {
  const ctx = buildContext(fixtureTenant(name, engine, spec), fixtureConfig(variant, extraConfig));
  if (isBuildContextError(ctx)) throw new Error(ctx.error);
  return ctx;
}

/** Everything a tenant owns: the desired state plus the Secret and the PVCs the reconciler handles itself. */
function everything(ctx: BuildContext): Manifest[] {
  return [...buildDesiredState(ctx), buildDatabaseSecret(ctx, PASSWORDS), ...buildPersistentVolumeClaims(ctx)];
}

function find(ms: Manifest[], kind: string, name?: string): Manifest {
  const m = ms.find((x) => x.kind === kind && (name === undefined || x.metadata.name === name));
  assert.ok(m, `no ${kind}${name ? ` ${name}` : ''} among ${ms.map((x) => `${x.kind}/${x.metadata.name}`).join(', ')}`);
  return m;
}

const at = (v: unknown, ...path: (string | number)[]): unknown =>
  path.reduce<unknown>((o, k) => (o as Record<string | number, unknown> | undefined)?.[k], v);

/** Every value in a tree with its path, for whole-manifest checks. */
function* walk(value: unknown, path = ''): Generator<[string, unknown]> {
  yield [path, value];
  if (Array.isArray(value)) for (const [i, v] of value.entries()) yield* walk(v, `${path}[${i}]`);
  else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) yield* walk(v, `${path}.${k}`);
}

/** Each combination under test, with a readable name. */
const COMBOS = INGRESS_VARIANTS.flatMap((variant) => ENGINES.map((engine) => ({ variant, engine, label: `${variant} × ${engine}` })));

function podSpecs(ms: Manifest[]): [string, Json][] {
  return ms
    .filter((m) => m.kind === 'Deployment' || m.kind === 'StatefulSet')
    .map((m) => [`${m.kind}/${m.metadata.name}`, at(m, 'spec', 'template', 'spec') as Json]);
}

/** Volume types Pod Security "restricted" allows. */
const RESTRICTED_VOLUME_TYPES = new Set([
  'configMap',
  'csi',
  'downwardAPI',
  'emptyDir',
  'ephemeral',
  'persistentVolumeClaim',
  'projected',
  'secret',
]);

/** Returns what in a pod spec violates Pod Security "restricted" (v1.35), in the words of the standard. */
function restrictedViolations(spec: Json): string[] {
  const podSc = (spec.securityContext ?? {}) as Json;
  const containers = [...((spec.containers ?? []) as Json[]), ...((spec.initContainers ?? []) as Json[])];
  return [
    ...['hostNetwork', 'hostPID', 'hostIPC'].filter((f) => spec[f] === true).map((f) => `${f} is true`),
    ...((spec.volumes ?? []) as Json[]).flatMap(volumeViolations),
    ...containers.flatMap((c) => containerViolations(c, podSc)),
  ];
}

/** Returns the violation of a volume whose type "restricted" does not allow, if it is one. */
function volumeViolations(v: Json): string[] {
  const types = Object.keys(v).filter((k) => k !== 'name');
  return types.every((t) => RESTRICTED_VOLUME_TYPES.has(t)) ? [] : [`volume ${String(v.name)} has type ${types.join(',')}`];
}

/** Returns a container's violations, its own securityContext falling back to the pod's where the standard lets it. */
function containerViolations(c: Json, podSc: Json): string[] {
  const sc = (c.securityContext ?? {}) as Json;
  const caps = (sc.capabilities ?? {}) as { drop?: string[]; add?: string[] };
  const seccomp = ((sc.seccompProfile ?? podSc.seccompProfile) as Json | undefined)?.type;
  const checks: [boolean, string][] = [
    [sc.privileged === true, 'privileged'],
    [sc.allowPrivilegeEscalation !== false, 'allowPrivilegeEscalation is not false'],
    [!caps.drop?.includes('ALL'), 'capabilities do not drop ALL'],
    [(caps.add ?? []).some((a) => a !== 'NET_BIND_SERVICE'), 'adds capabilities'],
    [(sc.runAsNonRoot ?? podSc.runAsNonRoot) !== true, 'runAsNonRoot is not true'],
    [(sc.runAsUser ?? podSc.runAsUser) === 0, 'runs as uid 0'],
    [seccomp !== 'RuntimeDefault' && seccomp !== 'Localhost', 'seccompProfile is not RuntimeDefault'],
    ...((c.ports ?? []) as Json[]).map((p): [boolean, string] => [p.hostPort !== undefined, 'hostPort']),
  ];
  const name = String(c.name);
  return checks.filter(([violated]) => violated).map(([, what]) => `${name}: ${what}`);
}

// --- every manifest, every combination -------------------------------------------------------

for (const { variant, engine, label } of COMBOS) {
  test(`${label}: every manifest carries the labels and the owner reference, and nothing of the Tenant's own metadata`, () => {
    const ctx = ctxFor(variant, engine);
    for (const m of everything(ctx)) {
      const id = `${m.kind}/${m.metadata.name}`;
      assertOwnedByAcme(m, ctx.tenant, id);
      assert.ok(m.metadata.labels[NAME_LABEL], `${id} has no ${NAME_LABEL}`);
      // Labels and annotations anywhere in the manifest (pod templates, secretTemplate) included.
      for (const [path, value] of walk(m)) {
        if (!/\.(labels|annotations|matchLabels)$/.test(path) || value === null || typeof value !== 'object') continue;
        for (const key of Object.keys(value)) {
          assert.ok(!key.startsWith('argocd.argoproj.io/'), `${id}${path} carries ${key}`);
          assert.ok(!(key in GITOPS_LABELS) && !(key in GITOPS_ANNOTATIONS), `${id}${path} carries the Tenant's ${key}`);
        }
      }
    }
  });

  test(`${label}: namespaces, names and canonical form`, () => {
    const ctx = ctxFor(variant, engine);
    const seen = new Set<string>();
    for (const m of everything(ctx)) {
      const id = `${m.kind}/${m.metadata.name}`;
      assert.ok(!seen.has(`${m.apiVersion}/${id}`), `${id} twice`);
      seen.add(`${m.apiVersion}/${id}`);
      if (m.kind === 'Namespace') {
        assert.equal(m.metadata.namespace, undefined);
        assert.equal(m.metadata.name, 'tenant-acme');
        assert.equal(m.metadata.labels['pod-security.kubernetes.io/enforce'], 'restricted');
      } else assert.equal(m.metadata.namespace, 'tenant-acme', id);
      assert.ok(m.metadata.name.length <= 63, `${id} is longer than 63`);
      assert.match(m.metadata.name, /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, id);
      for (const [path, value] of walk(m)) {
        assert.notEqual(value, undefined, `${id}${path} is undefined`);
        if (typeof value === 'number') assert.ok(Number.isInteger(value), `${id}${path} is not an integer`);
        // The API server drops empty maps (except a NetworkPolicy's podSelector, which selects all pods).
        if (value !== null && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length === 0) {
          assert.match(path, /\.podSelector$/, `${id}${path} is an empty object`);
        }
      }
    }
  });

  test(`${label}: deterministic, and the inputs are not modified`, () => {
    const tenant = fixtureTenant('acme', engine, { app: { replicas: 2, env: [{ name: 'A', value: '1' }] } });
    const config = fixtureConfig(variant, {
      egress: [{ description: 'smtp', cidr: '192.0.2.0/24', ports: [{ port: 587, protocol: 'TCP' }] }],
    });
    const frozen = <T>(o: T): T => {
      if (o && typeof o === 'object') {
        for (const v of Object.values(o)) frozen(v);
        Object.freeze(o);
      }
      return o;
    };
    const a = buildContext(frozen(structuredClone(tenant)), frozen(structuredClone(config)));
    const b = buildContext(tenant, config);
    assert.ok(!isBuildContextError(a) && !isBuildContextError(b));
    assert.deepEqual(everything(a), everything(b));
    assert.deepEqual(everything(a), everything(a));
    // No object is shared between two places of the output, so a caller may modify one manifest safely.
    const seenObjects = new Set<object>();
    for (const m of everything(b)) {
      for (const [path, value] of walk(m)) {
        if (value === null || typeof value !== 'object') continue;
        assert.ok(!seenObjects.has(value), `${m.kind}/${m.metadata.name}${path} is shared with another place`);
        seenObjects.add(value);
      }
    }
  });

  test(`${label}: every pod runs restricted, without a token, in the tenant's region`, () => {
    const ctx = ctxFor(variant, engine, { region: 'us-east-1' });
    const ms = everything(ctx);
    for (const sa of ms.filter((m) => m.kind === 'ServiceAccount')) assert.equal(sa.automountServiceAccountToken, false, sa.metadata.name);
    assert.equal(ms.filter((m) => m.kind === 'Role' || m.kind === 'RoleBinding' || m.kind === 'ClusterRoleBinding').length, 0);
    const pods = podSpecs(ms);
    assert.equal(pods.length, 2);
    for (const [id, spec] of pods) {
      assert.deepEqual(restrictedViolations(spec), [], id);
      assert.equal(spec.automountServiceAccountToken, false, id);
      assert.ok(
        ms.some((m) => m.kind === 'ServiceAccount' && m.metadata.name === spec.serviceAccountName),
        `${id} uses a ServiceAccount of its own`,
      );
      assert.deepEqual(
        at(spec, 'affinity', 'nodeAffinity', 'requiredDuringSchedulingIgnoredDuringExecution', 'nodeSelectorTerms'),
        [
          {
            matchExpressions: [
              { key: 'node.example.com/pool', operator: 'In', values: ['tenants'] },
              { key: 'topology.kubernetes.io/region', operator: 'In', values: ['us-east-1'] },
            ],
          },
        ],
        id,
      );
      for (const c of spec.containers as Json[]) {
        const sc = c.securityContext as Json;
        assert.equal(sc.readOnlyRootFilesystem, true, `${id}: read-only root`);
        assert.equal(sc.runAsNonRoot, true);
      }
    }
  });

  test(`${label}: network policies deny by default and open only the needed flows`, () => {
    const config: Json = { egress: [] };
    const ms: Manifest[] = buildDesiredState(ctxFor(variant, engine, {}, config)).filter((m) => m.kind === 'NetworkPolicy');
    const byName = new Map(ms.map((m) => [m.metadata.name, m.spec as Json]));
    const dbPort = engine === 'postgres' ? 5432 : 3306;
    const app = { matchLabels: { [TENANT_LABEL]: 'acme', [COMPONENT_LABEL]: 'app' } };
    const db = { matchLabels: { [TENANT_LABEL]: 'acme', [COMPONENT_LABEL]: 'database' } };
    assert.deepEqual(byName.get('default-deny'), { podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
    const controllerNs = fixtureConfig(variant).ingress.controllerNamespace;
    const controllerPods = fixtureConfig(variant).ingress.controllerPodLabels;
    // Every ingress rule of every policy, as (selected pods, allowed peers, ports).
    const ingress = ms.flatMap((m) =>
      (((m.spec as Json).ingress as Json[] | undefined) ?? []).map((r) => ({ pods: (m.spec as Json).podSelector, ...r })),
    );
    assert.deepEqual(ingress, [
      {
        pods: app,
        from: [
          {
            namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': controllerNs } },
            podSelector: { matchLabels: controllerPods },
          },
        ],
        ports: [{ protocol: 'TCP', port: 8080 }],
      },
      { pods: db, from: [{ podSelector: app }], ports: [{ protocol: 'TCP', port: dbPort }] },
    ]);
    const egress = ms.flatMap((m) =>
      (((m.spec as Json).egress as Json[] | undefined) ?? []).map((r) => ({ pods: (m.spec as Json).podSelector, ...r })),
    );
    assert.deepEqual(egress, [
      {
        pods: {},
        to: [
          {
            namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
            podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
          },
        ],
        ports: [
          { protocol: 'UDP', port: 53 },
          { protocol: 'TCP', port: 53 },
        ],
      },
      { pods: app, to: [{ podSelector: db }], ports: [{ protocol: 'TCP', port: dbPort }] },
    ]);
    // No rule without peers (that would allow everything), no ipBlock without configuration.
    for (const r of [...ingress, ...egress]) assert.ok(((r as Json).from ?? (r as Json).to) !== undefined);
    assert.ok(!JSON.stringify(ms).includes('ipBlock'));
  });
}

// --- network policy: configured egress ----------------------------------------------------------

test('extra egress is opened only from app pods, only to the configured CIDRs and ports', () => {
  const egress = [
    { description: 'SMTP relay', cidr: '192.0.2.10/32', ports: [{ port: 587, protocol: 'TCP' }] },
    {
      description: 'IMAP',
      cidr: '198.51.100.0/24',
      ports: [
        { port: 993, protocol: 'TCP' },
        { port: 143, protocol: 'TCP' },
      ],
    },
  ];
  const ms = buildDesiredState(ctxFor('nginx', 'postgres', {}, { egress })).filter((m) => m.kind === 'NetworkPolicy');
  const extra = find(ms, 'NetworkPolicy', 'allow-app-egress');
  assert.deepEqual(extra.spec, {
    podSelector: { matchLabels: { [TENANT_LABEL]: 'acme', [COMPONENT_LABEL]: 'app' } },
    policyTypes: ['Egress'],
    egress: [
      { to: [{ ipBlock: { cidr: '192.0.2.10/32' } }], ports: [{ protocol: 'TCP', port: 587 }] },
      {
        to: [{ ipBlock: { cidr: '198.51.100.0/24' } }],
        ports: [
          { protocol: 'TCP', port: 993 },
          { protocol: 'TCP', port: 143 },
        ],
      },
    ],
  });
  assert.equal(ms.filter((m) => JSON.stringify(m).includes('ipBlock')).length, 1);
  assert.equal(buildDesiredState(ctxFor('nginx', 'postgres')).filter((m) => m.metadata.name === 'allow-app-egress').length, 0);
});

test('review 3: app egress to 0.0.0.0/0 excludes the metadata endpoint, the private ranges, 100.64.0.0/10 and the cluster CIDRs', () => {
  const egress = [
    {
      description: 'web APIs',
      cidr: '0.0.0.0/0',
      ports: [
        { port: 443, protocol: 'TCP' },
        { port: 80, protocol: 'TCP' },
      ],
    },
    {
      description: 'web APIs over IPv6',
      cidr: '::/0',
      ports: [
        { port: 443, protocol: 'TCP' },
        { port: 80, protocol: 'TCP' },
      ],
    },
    { description: 'partner', cidr: '203.0.113.0/24', ports: [{ port: 443, protocol: 'TCP' }] },
  ];
  // A cluster whose pods and services are not in a private range: only the configured list knows them.
  const clusterCidrs = ['198.18.0.0/15', '2001:db8:1234::/64'];
  const policy = find(buildDesiredState(ctxFor('nginx', 'postgres', {}, { egress, clusterCidrs })), 'NetworkPolicy', 'allow-app-egress');
  const rules = at(policy, 'spec', 'egress') as Json[];
  for (const [ip, port] of [
    ['169.254.169.254', 80], // the cloud metadata endpoint (instance credentials)
    ['169.254.170.2', 80], // the ECS/EKS Pod Identity credentials endpoint
    ['fd00:ec2::254', 80], // the EC2 metadata endpoint over IPv6
    ['fe80::1', 443],
    ['10.0.0.1', 443], // the API server's endpoints, other tenants' pods and services
    ['172.20.0.10', 443],
    ['192.168.1.1', 443],
    ['100.64.0.10', 443], // carrier-grade NAT range, used for pods by EKS custom networking
    ['198.18.3.4', 443], // configured cluster CIDRs
    ['2001:db8:1234::1', 443],
  ] as const)
    assert.equal(egressAllows(rules, ip, port), false, `${ip}:${port} is reachable from the app`);
  for (const [ip, port] of [
    ['93.184.215.14', 443],
    ['2606:4700::6810:84e5', 443],
    ['203.0.113.9', 443],
  ] as const)
    assert.equal(egressAllows(rules, ip, port), true, `${ip}:${port} should stay reachable`);
  // The metadata range is cut out even from a configuration that lists no exceptions at all.
  const bare = find(buildDesiredState(ctxFor('nginx', 'postgres', {}, { egress, egressExcept: [] })), 'NetworkPolicy', 'allow-app-egress');
  assert.equal(egressAllows(at(bare, 'spec', 'egress') as Json[], '169.254.169.254', 80), false);
  assert.equal(
    egressAllows(at(bare, 'spec', 'egress') as Json[], '10.0.0.1', 443),
    true,
    'egressExcept: [] is honoured for the private ranges',
  );

  // A rule that can only reach the metadata endpoint or the cluster is refused, naming the field.
  const refused: [Json, RegExp][] = [
    [
      { egress: [{ description: 'x', cidr: '169.254.169.254/32', ports: [{ port: 80, protocol: 'TCP' }] }] },
      /egress\[0\]\.cidr 169\.254\.169\.254\/32 lies in 169\.254\.0\.0\/16/,
    ],
    [
      { egress: [{ description: 'x', cidr: '198.18.0.0/16', ports: [{ port: 443, protocol: 'TCP' }] }], clusterCidrs },
      /egress\[0\]\.cidr 198\.18\.0\.0\/16 lies in clusterCidrs\[0\] 198\.18\.0\.0\/15/,
    ],
    [
      { egress: [{ description: 'x', cidr: '192.0.2.1/24', ports: [{ port: 25, protocol: 'TCP' }] }] },
      /egress\[0\]\.cidr must be written as 192\.0\.2\.0\/24/,
    ],
    [{ clusterCidrs: ['10.96.0.0'] }, /clusterCidrs\[0\] must be a CIDR/],
    [{ egressExcept: ['fc00:0::/7'] }, /egressExcept\[0\] must be written as fc00::\/7/],
  ];
  for (const [extra, message] of refused) assert.throws(() => fixtureConfig('nginx', extra), message, JSON.stringify(extra));
  // An explicit private destination (a mail relay in the VPC) stays possible: it is what the rule names.
  const relay = find(
    buildDesiredState(
      ctxFor('nginx', 'postgres', {}, { egress: [{ description: 'relay', cidr: '10.1.2.3/32', ports: [{ port: 587, protocol: 'TCP' }] }] }),
    ),
    'NetworkPolicy',
    'allow-app-egress',
  );
  assert.deepEqual(at(relay, 'spec', 'egress', 0, 'to'), [{ ipBlock: { cidr: '10.1.2.3/32' } }]);
});

// --- namespace ------------------------------------------------------------------------------------

test('the namespace enforces, audits and warns on Pod Security restricted at the configured version', () => {
  const ns = find(buildDesiredState(ctxFor('nginx', 'postgres', {}, { podSecurityVersion: 'v1.34' })), 'Namespace');
  assert.equal(ns.metadata.name, 'tenant-acme');
  for (const mode of ['enforce', 'audit', 'warn']) {
    assert.equal(ns.metadata.labels[`pod-security.kubernetes.io/${mode}`], 'restricted');
    assert.equal(ns.metadata.labels[`pod-security.kubernetes.io/${mode}-version`], 'v1.34');
  }
});

test('apply order: the Namespace first, isolation before workloads, routes last', () => {
  const kinds = buildDesiredState(ctxFor('traefik', 'postgres')).map((m) => m.kind);
  assert.equal(kinds[0], 'Namespace');
  assert.ok(kinds.lastIndexOf('NetworkPolicy') < kinds.indexOf('StatefulSet'));
  assert.ok(kinds.indexOf('ResourceQuota') < kinds.indexOf('Deployment'));
  assert.ok(kinds.indexOf('StatefulSet') < kinds.indexOf('Deployment'));
  assert.ok(kinds.indexOf('Deployment') < kinds.indexOf('IngressRoute'));
  assert.ok(!kinds.includes('Secret') && !kinds.includes('PersistentVolumeClaim'), 'Secret and PVCs are built separately');
});

// --- TLS and HSTS per provider (P4) ---------------------------------------------------------------

/** Parses an HSTS header value. */
function hsts(value: string): { maxAge: number; includeSubDomains: boolean } {
  const parts = value.split(';').map((p) => p.trim().toLowerCase());
  const maxAge = Number(/^max-age=(\d+)$/.exec(parts.find((p) => p.startsWith('max-age=')) ?? '')?.[1]);
  return { maxAge, includeSubDomains: parts.includes('includesubdomains') };
}

test('nginx: TLS secret, redirect, ECDHE-only ciphers and HSTS through custom-headers', () => {
  const ctx = ctxFor('nginx', 'postgres', { host: 'app.acme.example' }, { ingress: { hstsMaxAgeSeconds: 63_072_000 } });
  const ms = buildIngress(ctx);
  const ing = find(ms, 'Ingress');
  const a = ing.metadata.annotations!;
  assert.equal(a['nginx.ingress.kubernetes.io/ssl-redirect'], 'true');
  assert.equal(a['nginx.ingress.kubernetes.io/force-ssl-redirect'], 'true');
  const ciphers = a['nginx.ingress.kubernetes.io/ssl-ciphers']!.split(':');
  assert.ok(ciphers.length > 0 && ciphers.every((c) => c.startsWith('ECDHE-') && /GCM|CHACHA20/.test(c)), ciphers.join(':'));
  assert.ok(!Object.keys(a).some((k) => /snippet/.test(k)), 'no snippet annotations');
  assert.deepEqual(at(ing, 'spec', 'tls'), [{ hosts: ['app.acme.example'], secretName: 'acme-tls' }]);
  assert.equal(at(ing, 'spec', 'ingressClassName'), 'nginx');
  assert.equal(a['nginx.ingress.kubernetes.io/custom-headers'], 'tenant-acme/hsts-headers');
  const header = hsts(String(at(find(ms, 'ConfigMap', 'hsts-headers'), 'data', 'Strict-Transport-Security')));
  assert.deepEqual(header, { maxAge: 63_072_000, includeSubDomains: true });
  // Off: the controller-wide hsts keys carry the header, and no ConfigMap is referenced.
  const off = buildIngress(ctxFor('nginx', 'postgres', {}, { ingress: { nginxHstsViaCustomHeaders: false } }));
  assert.deepEqual(
    off.map((m) => m.kind),
    ['Ingress'],
  );
  assert.equal(off[0]!.metadata.annotations!['nginx.ingress.kubernetes.io/custom-headers'], undefined);
});

test('traefik: HSTS and TLS option on websecure, redirect on web', () => {
  const ms = buildIngress(ctxFor('traefik', 'mariadb'));
  const https = find(ms, 'IngressRoute', 'app-https');
  const http = find(ms, 'IngressRoute', 'app-http');
  assert.deepEqual(at(https, 'spec', 'entryPoints'), ['websecure']);
  assert.deepEqual(at(http, 'spec', 'entryPoints'), ['web']);
  assert.deepEqual(at(https, 'spec', 'routes', 0, 'middlewares'), [{ name: 'hsts', namespace: 'tenant-acme' }]);
  assert.deepEqual(at(http, 'spec', 'routes', 0, 'middlewares'), [{ name: 'https-redirect', namespace: 'tenant-acme' }]);
  assert.equal(at(https, 'spec', 'routes', 0, 'match'), 'Host(`acme.tenants.example.com`)');
  assert.deepEqual(at(https, 'spec', 'tls'), { secretName: 'acme-tls', options: { name: 'tls-policy', namespace: 'tenant-acme' } });
  const headers = at(find(ms, 'Middleware', 'hsts'), 'spec', 'headers') as Json;
  assert.ok((headers.stsSeconds as number) >= ONE_YEAR);
  assert.equal(headers.stsIncludeSubdomains, true);
  assert.equal(headers.forceSTSHeader, true);
  assert.equal(headers.stsPreload, false);
  assert.deepEqual(at(find(ms, 'Middleware', 'https-redirect'), 'spec'), { redirectScheme: { scheme: 'https', permanent: true } });
  const tls = find(ms, 'TLSOption', 'tls-policy').spec as Json;
  assert.equal(tls.minVersion, 'VersionTLS12');
  assert.equal(tls.sniStrict, true);
  const suites = tls.cipherSuites as string[];
  assert.ok(suites.length > 0 && suites.every((s) => s.startsWith('TLS_ECDHE_') && /GCM|CHACHA20/.test(s)), suites.join(','));
  assert.equal(tls.maxVersion, undefined);
});

test('gateway with ListenerSet: the tenant listener holds its own certificate; HSTS filter and 301 redirect', () => {
  const ms = buildIngress(ctxFor('gateway-listenerset', 'postgres'));
  assert.deepEqual(
    ms.map((m) => m.kind),
    ['ListenerSet', 'HTTPRoute', 'HTTPRoute'],
  );
  const ls = find(ms, 'ListenerSet').spec as Json;
  assert.deepEqual(ls.parentRef, { group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'tenants', namespace: 'gateway' });
  assert.deepEqual(at(ls, 'listeners', 0), {
    name: 'https',
    hostname: 'acme.tenants.example.com',
    port: 443,
    protocol: 'HTTPS',
    tls: { mode: 'Terminate', certificateRefs: [{ group: '', kind: 'Secret', name: 'acme-tls' }] },
    allowedRoutes: { namespaces: { from: 'Same' }, kinds: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute' }] },
  });
  const https = find(ms, 'HTTPRoute', 'app-https');
  assert.deepEqual(at(https, 'spec', 'parentRefs'), [
    { group: 'gateway.networking.k8s.io', kind: 'ListenerSet', name: 'app', sectionName: 'https' },
  ]);
  const filter = at(https, 'spec', 'rules', 0, 'filters', 0) as Json;
  assert.equal(filter.type, 'ResponseHeaderModifier');
  const set = at(filter, 'responseHeaderModifier', 'set') as { name: string; value: string }[];
  assert.equal(set[0]!.name, 'Strict-Transport-Security');
  const h = hsts(set[0]!.value);
  assert.ok(h.maxAge >= ONE_YEAR && h.includeSubDomains, set[0]!.value);
  assert.deepEqual(at(https, 'spec', 'rules', 0, 'backendRefs'), [{ group: '', kind: 'Service', name: 'app', port: 80, weight: 1 }]);
  const http = find(ms, 'HTTPRoute', 'app-http');
  assert.deepEqual(at(http, 'spec', 'parentRefs'), [
    { group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'tenants', namespace: 'gateway', sectionName: 'http' },
  ]);
  assert.deepEqual(at(http, 'spec', 'rules', 0, 'filters'), [
    { type: 'RequestRedirect', requestRedirect: { scheme: 'https', statusCode: 301 } },
  ]);
  assert.equal(at(http, 'spec', 'rules', 0, 'backendRefs'), undefined, 'a redirect route has no backend');
});

test('gateway with the shared listener: route on the https section, ReferenceGrant for exactly the TLS Secret', () => {
  const ms = buildIngress(ctxFor('gateway-shared', 'postgres'));
  assert.deepEqual(
    ms.map((m) => m.kind),
    ['ReferenceGrant', 'HTTPRoute', 'HTTPRoute'],
  );
  assert.deepEqual(find(ms, 'ReferenceGrant').spec, {
    from: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', namespace: 'gateway' }],
    to: [{ group: '', kind: 'Secret', name: 'acme-tls' }],
  });
  assert.deepEqual(at(find(ms, 'HTTPRoute', 'app-https'), 'spec', 'parentRefs'), [
    { group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'tenants', namespace: 'gateway', sectionName: 'https' },
  ]);
});

test('the exported cipher lists are ECDHE with AEAD only, and agree with each other', () => {
  assert.equal(ECDHE_CIPHERS_OPENSSL.length, ECDHE_CIPHERS_GO.length);
  for (const c of ECDHE_CIPHERS_OPENSSL) assert.match(c, /^ECDHE-(ECDSA|RSA)-(AES(128|256)-GCM-SHA(256|384)|CHACHA20-POLY1305)$/);
  for (const c of ECDHE_CIPHERS_GO)
    assert.match(c, /^TLS_ECDHE_(ECDSA|RSA)_WITH_(AES_(128|256)_GCM_SHA(256|384)|CHACHA20_POLY1305_SHA256)$/);
});

test('the certificate: cert-manager, ECDSA P-256, new key at renewal, issuer from the configuration', () => {
  const ms = buildDesiredState(
    ctxFor('nginx', 'postgres', { host: 'shop.acme.example' }, { tls: { issuerKind: 'Issuer', issuerName: 'internal-ca' } }),
  );
  const cert = find(ms, 'Certificate');
  assert.equal(cert.apiVersion, 'cert-manager.io/v1');
  assert.equal(cert.metadata.namespace, 'tenant-acme');
  assert.deepEqual(cert.spec, {
    secretName: 'acme-tls',
    secretTemplate: {
      labels: {
        'app.kubernetes.io/name': 'tls',
        'tenantry.io/tenant': 'acme',
        'tenantry.io/tenant-uid': fixtureTenant('acme', 'postgres').metadata.uid,
        'tenantry.io/region': 'eu-west-1',
        'app.kubernetes.io/component': 'tls',
      },
    },
    dnsNames: ['shop.acme.example'],
    issuerRef: { group: 'cert-manager.io', kind: 'Issuer', name: 'internal-ca' },
    privateKey: { algorithm: 'ECDSA', size: 256, rotationPolicy: 'Always' },
  });
});

test('ingressKinds lists exactly what each provider builds; OWNED_KINDS covers everything', () => {
  for (const variant of INGRESS_VARIANTS) {
    const ctx = ctxFor(variant, 'postgres');
    const provider = ctx.config.ingress.provider;
    const listed = new Set(ingressKinds(provider).map((k) => `${k.apiVersion}/${k.kind}`));
    for (const m of buildIngress(ctx)) {
      assert.ok(listed.has(`${m.apiVersion}/${m.kind}`), `${variant}: ${m.kind} not in ingressKinds`);
      assert.equal(m.metadata.labels[COMPONENT_LABEL], 'ingress');
    }
    const owned = new Set(ownedKindsFor(provider).map((k) => `${k.apiVersion}/${k.kind}`));
    for (const m of everything(ctx)) assert.ok(owned.has(`${m.apiVersion}/${m.kind}`), `${variant}: ${m.kind} not in ownedKindsFor`);
  }
  const providers = ['nginx', 'traefik', 'gateway'] as const;
  for (const a of providers)
    for (const b of providers)
      if (a !== b) {
        const kb = new Set(ingressKinds(b).map((k) => `${k.apiVersion}/${k.kind}`));
        assert.ok(
          ingressKinds(a).every((k) => !kb.has(`${k.apiVersion}/${k.kind}`)),
          `${a} and ${b} share a kind`,
        );
      }
  for (const k of OWNED_KINDS) assert.match(k.plural, /^[a-z]+$/);
  assert.equal(OWNED_KINDS.find((k) => k.kind === 'Namespace')?.namespaced, false);
});

test('both ClusterRoles grant every owned kind the verbs the operator uses on it (watch, apply, prune)', () => {
  for (const file of [
    ['deploy', 'base', 'clusterrole.yaml'],
    ['charts', 'tenantry', 'templates', 'clusterrole.yaml'],
  ]) {
    // The chart's template lines ({{ … }}) are not YAML; the rules hold none.
    const text = readFileSync(join(repoRoot(), ...file), 'utf8')
      .split('\n')
      .filter((l) => !l.trim().startsWith('{{'))
      .join('\n')
      .replace(/\{\{[^}]*\}\}/g, 'x');
    const role = load(text) as { rules: { apiGroups: string[]; resources: string[]; verbs: string[] }[] };
    for (const k of OWNED_KINDS) {
      const group = k.apiVersion.includes('/') ? k.apiVersion.split('/')[0]! : '';
      const granted = new Set(
        role.rules.filter((r) => r.apiGroups.includes(group) && r.resources.includes(k.plural)).flatMap((r) => r.verbs),
      );
      // Secrets are never read one by one outside the operator's namespace (review 6): no get there.
      const verbs =
        k.plural === 'secrets' && group === ''
          ? ['list', 'watch', 'create', 'patch', 'delete']
          : ['get', 'list', 'watch', 'create', 'patch', 'delete'];
      for (const verb of verbs) assert.ok(granted.has(verb), `${file.join('/')}: ${verb} ${k.plural}.${group} not granted`);
      if (k.plural === 'secrets' && group === '')
        for (const verb of ['get', 'update']) assert.ok(!granted.has(verb), `${file.join('/')}: ${verb} secrets granted cluster-wide`);
    }
  }
});

// --- suspension -----------------------------------------------------------------------------------

test('a suspended tenant has no route and no app pods, but keeps its database and certificate', () => {
  for (const suspended of [{ spec: { suspend: true } }, { spec: {}, inputs: { suspended: true } }]) {
    const ctx = ctxFor('gateway-listenerset', 'postgres', suspended.spec);
    const ms = buildDesiredState(ctx, suspended.inputs);
    assert.equal(at(find(ms, 'Deployment'), 'spec', 'replicas'), 0);
    assert.equal(at(find(ms, 'StatefulSet'), 'spec', 'replicas'), 1);
    assert.ok(ms.some((m) => m.kind === 'Certificate'));
    assert.ok(!ms.some((m) => m.metadata.labels[COMPONENT_LABEL] === 'ingress'));
  }
  assert.ok(buildDesiredState(ctxFor('nginx', 'postgres')).some((m) => m.kind === 'Ingress'));
});

test('review 15: a PodDisruptionBudget (maxUnavailable 1) over the app pods for two or more replicas, none for fewer or while suspended', () => {
  for (const [replicas, suspend, want] of [
    [0, false, false],
    [1, false, false],
    [2, false, true],
    [50, false, true],
    [3, true, false],
  ] as const) {
    const ms: Manifest[] = buildDesiredState(ctxFor('nginx', 'postgres', { app: { replicas }, suspend }));
    const pdbs = ms.filter((m) => m.kind === 'PodDisruptionBudget');
    assert.equal(pdbs.length, want ? 1 : 0, `replicas ${replicas}, suspend ${suspend}`);
    if (!want) continue;
    const pdb = pdbs[0]!;
    assert.equal(pdb.apiVersion, 'policy/v1');
    assert.equal(pdb.metadata.name, 'app');
    assert.equal(pdb.metadata.labels[COMPONENT_LABEL], 'app');
    assert.deepEqual(pdb.spec, {
      maxUnavailable: 1,
      selector: at(find(ms, 'Deployment', 'app'), 'spec', 'selector'),
      // A crash-looping pod must not hold a drain hostage: only healthy pods count against the budget.
      unhealthyPodEvictionPolicy: 'AlwaysAllow',
    });
    // After the Deployment it protects.
    assert.ok(ms.indexOf(pdb) > ms.indexOf(find(ms, 'Deployment', 'app')));
  }
  // A suspension decided by the lifecycle (not the spec) removes it too.
  assert.ok(
    !buildDesiredState(ctxFor('nginx', 'postgres', { app: { replicas: 2 } }), { suspended: true }).some(
      (m) => m.kind === 'PodDisruptionBudget',
    ),
  );
  // A cluster whose drains must finish unattended turns it off.
  assert.ok(
    !buildDesiredState(ctxFor('nginx', 'postgres', { app: { replicas: 2 } }, { app: { disruptionBudget: false } })).some(
      (m) => m.kind === 'PodDisruptionBudget',
    ),
  );
});

// --- database, app, secret ------------------------------------------------------------------------

test('the database: claim by name, official image with the version as tag, writable run paths, probe, credentials', () => {
  const table: {
    engine: TenantSpecDatabaseEngine;
    version?: string;
    image: string;
    run: string;
    data: string;
    probe: string;
    port: number;
    keys: string[];
  }[] = [
    {
      engine: 'postgres',
      image: 'docker.io/library/postgres:16',
      run: '/var/run/postgresql',
      data: '/var/lib/postgresql/data',
      probe: 'pg_isready',
      port: 5432,
      keys: ['POSTGRES_USER', 'POSTGRES_PASSWORD', 'POSTGRES_DB'],
    },
    {
      engine: 'postgres',
      version: '17.2',
      image: 'docker.io/library/postgres:17.2',
      run: '/var/run/postgresql',
      data: '/var/lib/postgresql/data',
      probe: 'pg_isready',
      port: 5432,
      keys: ['POSTGRES_USER', 'POSTGRES_PASSWORD', 'POSTGRES_DB'],
    },
    {
      engine: 'mariadb',
      image: 'docker.io/library/mariadb:11.4',
      run: '/run/mysqld',
      data: '/var/lib/mysql',
      probe: 'healthcheck.sh',
      port: 3306,
      keys: ['MARIADB_USER', 'MARIADB_PASSWORD', 'MARIADB_DATABASE', 'MARIADB_ROOT_PASSWORD'],
    },
    {
      engine: 'mariadb',
      version: '10.11',
      image: 'docker.io/library/mariadb:10.11',
      run: '/run/mysqld',
      data: '/var/lib/mysql',
      probe: 'healthcheck.sh',
      port: 3306,
      keys: ['MARIADB_USER', 'MARIADB_PASSWORD', 'MARIADB_DATABASE', 'MARIADB_ROOT_PASSWORD'],
    },
  ];
  for (const row of table) {
    const ctx = ctxFor('nginx', row.engine, { database: { engine: row.engine, ...(row.version ? { version: row.version } : {}) } });
    const ms = buildDesiredState(ctx);
    const sts = find(ms, 'StatefulSet', 'database');
    const spec = sts.spec as Json;
    assert.equal(spec.replicas, 1);
    assert.equal(spec.serviceName, 'database');
    assert.equal(spec.volumeClaimTemplates, undefined, 'no volumeClaimTemplates: PVCs come after the encryption check');
    const pod = at(spec, 'template', 'spec') as Json;
    const volumes = pod.volumes as Json[];
    assert.deepEqual(
      volumes.find((v) => v.name === 'data'),
      { name: 'data', persistentVolumeClaim: { claimName: 'database-data' } },
    );
    const c = at(pod, 'containers', 0) as Json;
    assert.equal(c.image, row.image, JSON.stringify(row));
    const mounts = c.volumeMounts as Json[];
    assert.equal(mounts.find((m) => m.name === 'data')?.mountPath, row.data);
    const run = mounts.find((m) => m.mountPath === row.run);
    assert.ok(run && 'emptyDir' in volumes.find((v) => v.name === run.name)!, `${row.engine}: ${row.run} is an emptyDir`);
    assert.equal(at(c, 'readinessProbe', 'exec', 'command', 0), row.probe);
    assert.deepEqual(at(pod, 'securityContext'), {
      runAsNonRoot: true,
      runAsUser: 999,
      runAsGroup: 999,
      fsGroup: 999,
      fsGroupChangePolicy: 'OnRootMismatch',
      seccompProfile: { type: 'RuntimeDefault' },
    });
    const env = c.env as { name: string; valueFrom?: { secretKeyRef: { name: string; key: string } } }[];
    for (const k of row.keys)
      assert.deepEqual(env.find((e) => e.name === k)?.valueFrom, { secretKeyRef: { name: 'database-credentials', key: k } });
    assert.deepEqual(at(c, 'resources'), {
      requests: { cpu: '250m', memory: '256Mi', 'ephemeral-storage': '256Mi' },
      limits: { memory: '1Gi', 'ephemeral-storage': '1Gi' },
    });
    const svc = find(ms, 'Service', 'database');
    assert.equal(at(svc, 'spec', 'clusterIP'), 'None');
    assert.deepEqual(at(svc, 'spec', 'ports', 0, 'port'), row.port);
    // The secret has every key the pod reads.
    const secret = buildDatabaseSecret(ctx, PASSWORDS);
    for (const k of row.keys) assert.ok(k in (secret.data as Json), k);
  }
});

test('the app: image, replicas, env with the credentials by reference, probes, volume and region pinning', () => {
  const ctx = ctxFor('nginx', 'postgres', {
    app: {
      image: 'registry.example.com:5000/saas/app:2.1.0',
      replicas: 3,
      env: [{ name: 'FEATURE_X', value: 'on' }, { name: 'EMPTY' }, { name: 'DATABASE_PASSWORD', value: 'user-supplied-must-not-win' }],
      resources: { requests: { cpu: 0.5, memory: '1024Mi' }, limits: { memory: '1.5Gi', cpu: '2000m' } },
    },
  });
  const dep = find(buildDesiredState(ctx), 'Deployment', 'app');
  const spec = dep.spec as Json;
  assert.equal(spec.replicas, 3);
  assert.deepEqual(spec.strategy, { type: 'Recreate' });
  const c = at(spec, 'template', 'spec', 'containers', 0) as Json;
  assert.equal(c.image, 'registry.example.com:5000/saas/app:2.1.0');
  assert.equal(c.imagePullPolicy, 'IfNotPresent');
  // The plan's ephemeral-storage defaults are added to the Tenant's own resources.
  assert.deepEqual(c.resources, {
    requests: { cpu: '500m', memory: '1Gi', 'ephemeral-storage': '128Mi' },
    limits: { memory: '1536Mi', cpu: '2', 'ephemeral-storage': '1Gi' },
  });
  const env = c.env as Json[];
  assert.deepEqual(env.slice(0, 2), [{ name: 'FEATURE_X', value: 'on' }, { name: 'EMPTY' }]);
  assert.equal(env.filter((e) => e.name === 'DATABASE_PASSWORD').length, 1);
  for (const e of env.slice(2)) assert.deepEqual(at(e, 'valueFrom', 'secretKeyRef', 'name'), 'database-credentials', String(e.name));
  assert.ok(env.some((e) => e.name === 'DATABASE_URL'));
  assert.deepEqual(at(c, 'readinessProbe', 'httpGet'), { path: '/healthz', port: 'http', scheme: 'HTTP' });
  assert.deepEqual(at(c, 'livenessProbe', 'httpGet'), { path: '/healthz', port: 'http', scheme: 'HTTP' });
  assert.deepEqual(c.ports, [{ name: 'http', containerPort: 8080, protocol: 'TCP' }]);
  const pod = at(spec, 'template', 'spec') as Json;
  assert.deepEqual((pod.volumes as Json[])[0], { name: 'files', persistentVolumeClaim: { claimName: 'files' } });
  assert.ok(at(pod, 'affinity', 'podAffinity'), 'replicas share the node of the ReadWriteOnce volume');
  assert.equal(at(pod, 'securityContext', 'runAsUser'), 10001);
  // Default image and no resources: the LimitRange fills in cpu and memory; ephemeral storage is explicit.
  const plain = find(buildDesiredState(ctxFor('nginx', 'postgres', { app: {} })), 'Deployment') as Json;
  assert.equal(at(plain, 'spec', 'replicas'), 1);
  assert.equal(at(plain, 'spec', 'template', 'spec', 'containers', 0, 'image'), 'ghcr.io/example/saas-app:1.0.0');
  assert.deepEqual(at(plain, 'spec', 'template', 'spec', 'containers', 0, 'resources'), {
    requests: { 'ephemeral-storage': '128Mi' },
    limits: { 'ephemeral-storage': '1Gi' },
  });
  assert.deepEqual(at(find(buildDesiredState(ctx), 'Service', 'app'), 'spec', 'ports'), [
    { name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' },
  ]);
});

test('review 14: liveness is its own, gentler check: a slow database makes the app unready long before it is restarted', () => {
  type Probe = { httpGet: { path: string }; periodSeconds: number; timeoutSeconds: number; failureThreshold: number };
  const probes = (extra: Json = {}) => {
    const c = at(
      find(buildDesiredState(ctxFor('nginx', 'postgres', {}, extra)), 'Deployment', 'app'),
      'spec',
      'template',
      'spec',
      'containers',
      0,
    ) as { readinessProbe: Probe; livenessProbe: Probe };
    return { readiness: c.readinessProbe, liveness: c.livenessProbe };
  };
  // How long a probe may keep failing (each attempt timing out) before the kubelet acts on it.
  const tolerates = (p: Probe) => p.periodSeconds * p.failureThreshold;
  const { readiness, liveness } = probes();
  // A health endpoint that checks the database answers slowly or fails during a brownout (a
  // failover, a long vacuum): the pod must leave the rotation within half a minute but be restarted
  // only after minutes, and a slow answer must not count as a failed liveness check as soon as it
  // would for readiness. A restart cannot make the database faster; it only adds an outage.
  assert.ok(tolerates(readiness) <= 30, `readiness acts after ${tolerates(readiness)} s`);
  assert.ok(
    tolerates(liveness) >= 300,
    `liveness restarts after ${tolerates(liveness)} s of failures; a database brownout of a few minutes would restart the app`,
  );
  assert.ok(tolerates(liveness) >= 10 * tolerates(readiness), 'liveness tolerates at least ten times as long as readiness');
  assert.ok(liveness.timeoutSeconds > readiness.timeoutSeconds, 'a slow answer fails readiness before it fails liveness');
  assert.ok(liveness.periodSeconds > readiness.periodSeconds);
  // Without app.livenessPath both probe the health path; with it, liveness asks the process
  // alone (an endpoint that does not touch the database) and readiness keeps the full check.
  assert.equal(liveness.httpGet.path, '/healthz');
  const own = probes({ app: { healthPath: '/ready', livenessPath: '/livez' } });
  assert.equal(own.readiness.httpGet.path, '/ready');
  assert.equal(own.liveness.httpGet.path, '/livez');
  assert.throws(() => fixtureConfig('nginx', { app: { livenessPath: 'livez' } }), /app\.livenessPath must be an absolute path/);
});

test('the Secret holds exactly the given passwords, base64 in data, and invents nothing', () => {
  const decode = (m: Manifest) =>
    Object.fromEntries(Object.entries(m.data as Record<string, string>).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]));
  const pg = buildDatabaseSecret(ctxFor('nginx', 'postgres'), PASSWORDS);
  assert.equal(pg.type, 'Opaque');
  assert.equal(pg.immutable, false);
  assert.equal(pg.stringData, undefined);
  assert.deepEqual(decode(pg), {
    DATABASE_ENGINE: 'postgres',
    DATABASE_HOST: 'database.tenant-acme.svc',
    DATABASE_NAME: 'app',
    DATABASE_PASSWORD: PASSWORDS.databasePassword,
    DATABASE_PORT: '5432',
    DATABASE_URL: 'postgresql://app:pa%3Ass%40wo%2Frd%251@database.tenant-acme.svc:5432/app',
    DATABASE_USER: 'app',
    POSTGRES_DB: 'app',
    POSTGRES_PASSWORD: PASSWORDS.databasePassword,
    POSTGRES_USER: 'app',
  });
  const maria = decode(buildDatabaseSecret(ctxFor('nginx', 'mariadb'), PASSWORDS));
  assert.equal(maria.MARIADB_PASSWORD, PASSWORDS.databasePassword);
  assert.equal(maria.MARIADB_ROOT_PASSWORD, PASSWORDS.rootPassword);
  assert.equal(maria.DATABASE_URL, 'mysql://app:pa%3Ass%40wo%2Frd%251@database.tenant-acme.svc:3306/app');
  // Same input, same Secret: nothing random inside.
  assert.deepEqual(buildDatabaseSecret(ctxFor('nginx', 'mariadb'), PASSWORDS), buildDatabaseSecret(ctxFor('nginx', 'mariadb'), PASSWORDS));
  // Every value is either fixed or one of the given passwords.
  const other = decode(buildDatabaseSecret(ctxFor('nginx', 'mariadb'), { databasePassword: 'x1', rootPassword: 'y2' }));
  for (const [k, v] of Object.entries(maria)) {
    if (v === other[k]) continue;
    assert.ok(
      v === PASSWORDS.databasePassword || v === PASSWORDS.rootPassword || v.includes(encodeURIComponent(PASSWORDS.databasePassword)),
      `${k} holds a value that is not from the input`,
    );
  }
  assert.throws(() => buildDatabaseSecret(ctxFor('nginx', 'postgres'), { databasePassword: '', rootPassword: 'x' }), /password is empty/);
  assert.throws(
    () => buildDatabaseSecret(ctxFor('nginx', 'mariadb'), { databasePassword: 'x', rootPassword: '' }),
    /root password is empty/,
  );
});

// --- quota and volumes ----------------------------------------------------------------------------

test('quota and limit range come from the plan, in canonical form', () => {
  const ms = buildDesiredState(
    ctxFor(
      'nginx',
      'postgres',
      { plan: 'free' },
      {
        plans: {
          free: {
            quota: { 'requests.cpu': '0.5', 'requests.memory': '1024Mi', pods: '10' },
            defaultRequest: { cpu: '100m' },
            defaultLimit: { memory: '0.5Gi' },
          },
        },
      },
    ),
  );
  // The configuration merges over the plan defaults: the keys not given keep their default values.
  assert.deepEqual(at(find(ms, 'ResourceQuota'), 'spec', 'hard'), {
    'requests.cpu': '500m',
    'requests.memory': '1Gi',
    'limits.memory': '2Gi',
    'requests.ephemeral-storage': '2Gi',
    'limits.ephemeral-storage': '8Gi',
    persistentvolumeclaims: '4',
    'requests.storage': '10Gi',
    pods: '10',
  });
  assert.deepEqual(at(find(ms, 'LimitRange'), 'spec', 'limits'), [
    {
      type: 'Container',
      default: { memory: '512Mi', 'ephemeral-storage': '1Gi' },
      defaultRequest: { cpu: '100m', memory: '128Mi', 'ephemeral-storage': '128Mi' },
    },
  ]);
});

/** Bytes of a quantity with a binary or no suffix (what these tests use), for sums and comparisons. */
function bytesOf(q: unknown): number {
  const m = /^([0-9]+)(Ki|Mi|Gi)?$/.exec(String(q));
  assert.ok(m, `unexpected quantity ${String(q)}`);
  return Number(m[1]) * 1024 ** ({ '': 0, Ki: 1, Mi: 2, Gi: 3 } as Record<string, number>)[m[2] ?? '']!;
}

test("review 13: every container Tenantry builds requests and limits ephemeral storage, within the plan's LimitRange and quota", () => {
  const policy: BackupPolicy = {
    apiVersion: 'tenantry.io/v1alpha1',
    kind: 'BackupPolicy',
    metadata: { name: 'nightly' },
    spec: { schedule: '0 2 * * *', destination: { bucket: 'b', region: 'eu-west-1' }, retention: { keepDaily: 7 } },
  };
  const restore: Restore = {
    apiVersion: 'tenantry.io/v1alpha1',
    kind: 'Restore',
    metadata: { name: 'r', uid: 'u' },
    spec: { tenant: 'acme', backupId: 'latest', target: { inPlace: true } },
  };
  const EPHEMERAL = 'ephemeral-storage';
  for (const plan of ['trial', 'free', 'paid'] as const) {
    for (const engine of ENGINES) {
      for (const readOnlyRootFilesystem of [true, false]) {
        const what = `${plan} × ${engine} × readOnlyRootFilesystem ${readOnlyRootFilesystem}`;
        // With and without the Tenant's own (cpu and memory) resources: ephemeral storage is set either way.
        const ctx = ctxFor(
          'nginx',
          engine,
          { plan, app: { replicas: 1, resources: { limits: { memory: '1Gi' } } } },
          { app: { readOnlyRootFilesystem } },
        );
        const ms = buildDesiredState(ctx);
        // The namespace's budget: a LimitRange default for any other container, and a quota on both sums.
        const limits = at(find(ms, 'LimitRange'), 'spec', 'limits', 0) as Json;
        assert.ok(
          at(limits, 'default', EPHEMERAL) && at(limits, 'defaultRequest', EPHEMERAL),
          `${what}: LimitRange has no ephemeral-storage default`,
        );
        const hard = at(find(ms, 'ResourceQuota'), 'spec', 'hard') as Json;
        assert.ok(
          hard['requests.ephemeral-storage'] && hard['limits.ephemeral-storage'],
          `${what}: quota does not cover ephemeral storage`,
        );
        const pods: [string, Json][] = [
          ...podSpecs(ms),
          ...podSpecs(buildDesiredState(ctxFor('nginx', engine, { plan, app: { replicas: 1 } }, { app: { readOnlyRootFilesystem } }))).map(
            ([n, p]) => [`${n} (no Tenant resources)`, p] as [string, Json],
          ),
          [
            'backup CronJob',
            at(
              find(buildBackupResources(ctx, policy, { hasCredentialsSecret: false }), 'CronJob'),
              'spec',
              'jobTemplate',
              'spec',
              'template',
              'spec',
            ) as Json,
          ],
          ['restore Job', at(buildRestoreJob(ctx, policy, restore, '20261126T020000Z-a1b2c3'), 'spec', 'template', 'spec') as Json],
        ];
        const sum = { requests: 0, limits: 0 };
        for (const [name, pod] of pods) {
          let podLimit = 0;
          for (const c of pod.containers as Json[]) {
            const request = at(c, 'resources', 'requests', EPHEMERAL);
            const limit = at(c, 'resources', 'limits', EPHEMERAL);
            // Explicit on the container: the pod does not depend on the LimitRange existing before it.
            assert.ok(request && limit, `${what}: ${name} container ${String(c.name)} has no ephemeral-storage request and limit`);
            assert.ok(bytesOf(request) <= bytesOf(limit), `${what}: ${name} requests more than its limit`);
            podLimit += bytesOf(limit);
            if (!name.includes('no Tenant')) {
              sum.requests += bytesOf(request);
              sum.limits += bytesOf(limit);
            }
          }
          // Every emptyDir is capped, and together they fit the pod's limit (else the pod is evicted first).
          const dirs = ((pod.volumes ?? []) as Json[]).filter((v) => 'emptyDir' in v);
          for (const v of dirs) assert.ok(at(v, 'emptyDir', 'sizeLimit'), `${what}: ${name} emptyDir ${String(v.name)} has no sizeLimit`);
          assert.ok(
            dirs.reduce((n, v) => n + bytesOf(at(v, 'emptyDir', 'sizeLimit')), 0) < podLimit,
            `${what}: ${name}: its emptyDirs can outgrow its ephemeral-storage limit`,
          );
        }
        // One app pod, the database, a backup and a restore at once still fit the plan's quota.
        assert.ok(
          sum.requests <= bytesOf(hard['requests.ephemeral-storage']),
          `${what}: ${sum.requests} bytes requested, quota ${String(hard['requests.ephemeral-storage'])}`,
        );
        assert.ok(
          sum.limits <= bytesOf(hard['limits.ephemeral-storage']),
          `${what}: ${sum.limits} bytes of limits, quota ${String(hard['limits.ephemeral-storage'])}`,
        );
      }
    }
  }
});

test("PVCs: ReadWriteOnce on the tenant's or the region's class, sized from the Tenant or the plan", () => {
  const table: { spec: Partial<Tenant['spec']>; cls: string; db: string; files: string }[] = [
    { spec: {}, cls: 'ebs-encrypted-eu-west-1', db: '10Gi', files: '10Gi' },
    { spec: { plan: 'free' }, cls: 'ebs-encrypted-eu-west-1', db: '2Gi', files: '2Gi' },
    { spec: { region: 'us-east-1' }, cls: 'ebs-encrypted-us-east-1', db: '10Gi', files: '10Gi' },
    {
      spec: { database: { engine: 'postgres', storageSize: '1.5Gi' }, storage: { filesSize: '500Gi', storageClassName: 'gp3-kms' } },
      cls: 'gp3-kms',
      db: '1536Mi',
      files: '500Gi',
    },
  ];
  for (const row of table) {
    const pvcs = buildPersistentVolumeClaims(ctxFor('nginx', 'postgres', row.spec));
    assert.deepEqual(
      pvcs.map((p) => p.metadata.name),
      ['database-data', 'files'],
    );
    for (const p of pvcs) {
      assert.deepEqual(at(p, 'spec', 'accessModes'), ['ReadWriteOnce']);
      assert.equal(at(p, 'spec', 'storageClassName'), row.cls);
    }
    assert.equal(at(pvcs[0], 'spec', 'resources', 'requests', 'storage'), row.db);
    assert.equal(at(pvcs[1], 'spec', 'resources', 'requests', 'storage'), row.files);
  }
});

test('storage class encryption: parameter, annotation, neither, missing', () => {
  const sc = (
    parameters?: Record<string, string>,
    annotations?: Record<string, string>,
    provisioner = 'ebs.csi.aws.com',
  ): V1StorageClass => ({
    metadata: { name: 'c', ...(annotations ? { annotations } : {}) },
    provisioner,
    ...(parameters ? { parameters } : {}),
  });
  const table: { name: string; sc: V1StorageClass | undefined; encrypted: boolean; reason: string; message: RegExp }[] = [
    {
      name: 'EBS CSI encrypted with a key',
      sc: sc({ type: 'gp3', encrypted: 'true', kmsKeyId: 'arn:aws:kms:eu-west-1:1:key/k' }),
      encrypted: true,
      reason: 'EncryptedStorageClass',
      message: /KMS key arn:aws:kms/,
    },
    {
      name: 'in-tree aws-ebs encrypted',
      sc: sc({ encrypted: 'true' }, undefined, 'kubernetes.io/aws-ebs'),
      encrypted: true,
      reason: 'EncryptedStorageClass',
      message: /default EBS key/,
    },
    {
      name: 'annotated by an administrator',
      sc: sc({ type: 'pd-ssd' }, { [ENCRYPTED_CLASS_ANNOTATION]: 'true' }, 'pd.csi.storage.gke.io'),
      encrypted: true,
      reason: 'EncryptedStorageClass',
      message: /declared encrypted by an administrator/,
    },
    {
      name: 'EBS without encryption',
      sc: sc({ type: 'gp3' }),
      encrypted: false,
      reason: 'StorageClassNotEncrypted',
      message: /"c" \(ebs\.csi\.aws\.com\) has no parameter "encrypted".*cannot be changed/,
    },
    {
      name: 'encrypted spelled True',
      sc: sc({ encrypted: 'True' }),
      encrypted: false,
      reason: 'StorageClassNotEncrypted',
      message: /parameters\.encrypted "True", not "true"/,
    },
    {
      name: 'annotation false',
      sc: sc(undefined, { [ENCRYPTED_CLASS_ANNOTATION]: 'false' }, 'rancher.io/local-path'),
      encrypted: false,
      reason: 'StorageClassNotEncrypted',
      message: /annotate the class with tenantry\.io\/encrypted/,
    },
    { name: 'missing', sc: undefined, encrypted: false, reason: 'StorageClassNotFound', message: /StorageClass "c" does not exist/ },
  ];
  for (const row of table) {
    const got = storageClassEncryption(row.sc, 'c');
    assert.equal(got.encrypted, row.encrypted, row.name);
    assert.equal(got.reason, row.reason, row.name);
    assert.match(got.message, row.message, row.name);
  }
});

test('review 10: parameters.encrypted "true" counts only for EBS provisioners; any other class needs the administrator\'s annotation', () => {
  const sc = (provisioner: string, parameters: Record<string, string>, annotations?: Record<string, string>): V1StorageClass => ({
    metadata: { name: 'c', ...(annotations ? { annotations } : {}) },
    provisioner,
    parameters,
  });
  // For these provisioners the parameter means nothing (or something else): a local-path or NFS
  // class carrying it stores data in the clear, so trusting it would break P2.
  for (const provisioner of [
    'rancher.io/local-path',
    'nfs.csi.k8s.io',
    'kubernetes.io/no-provisioner',
    'pd.csi.storage.gke.io',
    'ebs.csi.aws.com.example.org',
  ]) {
    const got = storageClassEncryption(sc(provisioner, { encrypted: 'true' }), 'c');
    assert.equal(got.encrypted, false, provisioner);
    assert.equal(got.reason, 'StorageClassNotEncrypted', provisioner);
    // The message says why the parameter was not trusted and what to do instead.
    assert.match(got.message, /parameters\.encrypted "true".*only.*ebs\.csi\.aws\.com/, provisioner);
    assert.match(got.message, /annotate the class with tenantry\.io\/encrypted: "true"/, provisioner);
    // The administrator's annotation is what vouches for such a class.
    const vouched = storageClassEncryption(sc(provisioner, { encrypted: 'true' }, { [ENCRYPTED_CLASS_ANNOTATION]: 'true' }), 'c');
    assert.equal(vouched.encrypted, true, provisioner);
    assert.match(vouched.message, /declared encrypted by an administrator/);
  }
  for (const provisioner of ['ebs.csi.aws.com', 'kubernetes.io/aws-ebs'])
    assert.equal(storageClassEncryption(sc(provisioner, { encrypted: 'true' }), 'c').encrypted, true, provisioner);
});

// --- context ---------------------------------------------------------------------------------------

test('buildContext: host, namespace, region; refuses an unserved region and a tenant without uid', () => {
  const config: OperatorConfig = fixtureConfig('nginx');
  const ok = buildContext(fixtureTenant('acme', 'postgres'), config);
  assert.ok(!isBuildContextError(ok));
  assert.equal(ok.namespace, 'tenant-acme');
  assert.equal(ok.host, 'acme.tenants.example.com');
  assert.deepEqual(ok.region.nodeSelector, { 'topology.kubernetes.io/region': 'eu-west-1' });
  const own = buildContext(fixtureTenant('acme', 'postgres', { host: 'www.acme.example' }), config);
  assert.ok(!isBuildContextError(own) && own.host === 'www.acme.example');
  const far = buildContext(fixtureTenant('acme', 'postgres', { region: 'ap-south-1' }), config);
  assert.ok(isBuildContextError(far));
  assert.equal(far.reason, 'RegionNotServed');
  assert.match(far.error, /ap-south-1 is not served.*eu-west-1, us-east-1/);
  const unsaved = fixtureTenant('acme', 'postgres');
  delete unsaved.metadata.uid;
  assert.ok(isBuildContextError(buildContext(unsaved, config)));
});

test('names stay within 63 characters for the longest tenant name', () => {
  const name = 'a'.repeat(56);
  for (const variant of INGRESS_VARIANTS) {
    for (const m of everything(ctxFor(variant, 'mariadb', {}, {}, name)))
      assert.ok(m.metadata.name.length <= 63, `${m.kind}/${m.metadata.name}`);
  }
});

test('the configuration fields the builders added are validated, each problem naming its field', () => {
  const base = { regions: { 'eu-west-1': { storageClassName: 'ebs', kmsKeyId: 'k', backupBucket: 'b' } } };
  const table: [Json, RegExp][] = [
    [{ ingress: { gateway: { tlsListener: 'Shared' } } }, /ingress\.gateway\.tlsListener must be ListenerSet or Gateway/],
    [{ ingress: { gateway: { httpsPort: 0 } } }, /ingress\.gateway\.httpsPort must be 1\.\.65535/],
    [{ ingress: { nginxHstsViaCustomHeaders: 'yes' } }, /ingress\.nginxHstsViaCustomHeaders must be true or false/],
    [{ app: { runAsUser: 0 } }, /app\.runAsUser must be a positive integer \(not root\)/],
    [{ app: { healthPath: 'healthz' } }, /app\.healthPath must be an absolute path/],
    [
      { plans: { paid: { databaseResources: { requests: { memory: 'lots' } } } } },
      /plans\.paid\.databaseResources\.requests\.memory must be a Kubernetes quantity/,
    ],
  ];
  for (const [extra, message] of table) assert.throws(() => parseConfig({ ...base, ...extra }), message, JSON.stringify(extra));
  assert.doesNotThrow(() => parseConfig(base));
});

// --- helpers ---------------------------------------------------------------------------------------

test('quantities are canonicalised as the API server stores them', () => {
  const table: [string | number, string][] = [
    ['1Gi', '1Gi'],
    ['1024Mi', '1Gi'],
    ['1.5Gi', '1536Mi'],
    ['0.5Gi', '512Mi'],
    ['1536Ki', '1536Ki'],
    ['1.5Ki', '1536'],
    ['100Mi', '100Mi'],
    ['1000m', '1'],
    ['1500m', '1500m'],
    ['0.5', '500m'],
    ['.25', '250m'],
    ['2', '2'],
    [2, '2'],
    [0.1, '100m'],
    ['1000', '1k'],
    ['1500', '1500'],
    ['2000000', '2M'],
    ['10G', '10G'],
    ['1e3', '1e3'],
    ['1000e-3', '1'],
    ['0', '0'],
    ['0Gi', '0'],
    ['0.1m', '100u'],
    ['1n', '1n'],
    ['0.1n', '1n'],
    ['20', '20'],
  ];
  for (const [input, want] of table) assert.equal(canonicalQuantity(input), want, String(input));
  assert.throws(() => canonicalQuantity('ten'), /not a Kubernetes quantity/);
});

test('image references: registry ports are not tags, digests are dropped on a version override', () => {
  assert.deepEqual(parseImage('registry:5000/a/b'), { repository: 'registry:5000/a/b' });
  assert.deepEqual(parseImage('registry:5000/a/b:1.2'), { repository: 'registry:5000/a/b', tag: '1.2' });
  assert.deepEqual(parseImage('postgres:16@sha256:abc'), { repository: 'postgres', tag: '16', digest: 'sha256:abc' });
  assert.equal(withTag('docker.io/library/postgres:16@sha256:abc', '17'), 'docker.io/library/postgres:17');
  assert.equal(withTag('mariadb', '11.4'), 'mariadb:11.4');
});
