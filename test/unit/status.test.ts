// The Tenant's conditions and phase are a pure function of what one reconcile pass observed, so
// every combination is a row of a table: no cluster, no clock.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Cond, Reason, type CondType } from '../../src/api/conditions.js';
import type { TenantStatusConditionsItem, TenantStatusPhase } from '../../src/api/generated/index.js';
import { computeConditions, computePhase, mergeConditions, type Observations } from '../../src/controller/status.js';

type Condition = TenantStatusConditionsItem;

const GEN = 7;
const NOW = '2025-03-01T12:00:00Z';
const LATER = '2025-03-01T12:05:00Z';
const HOST = 'acme.tenants.example.com';

/** A pass that saw everything as desired. */
const good: Observations = {
  namespace: { state: 'active', message: 'namespace tenant-acme is active' },
  storage: {
    encrypted: true,
    reason: Reason.EncryptedStorageClass,
    message: 'StorageClass "gp3-encrypted" (ebs.csi.aws.com) encrypts its volumes',
  },
  database: { readyReplicas: 1, replicas: 1 },
  app: { availableReplicas: 2, replicas: 2 },
  ingress: { host: HOST },
  suspended: false,
};

const unencrypted: Observations = {
  namespace: good.namespace,
  storage: {
    encrypted: false,
    reason: Reason.StorageClassNotEncrypted,
    message: 'StorageClass "gp3" (ebs.csi.aws.com) has no parameter "encrypted"',
  },
  ingress: { host: HOST },
};

const KNOWN_REASONS = new Set<string>(Object.values(Reason));
const KNOWN_TYPES = new Set<string>(Object.values(Cond));

/** Returns the conditions by type, failing on a duplicate type. */
function byType(conds: Condition[]): Map<string, Condition> {
  const m = new Map<string, Condition>();
  for (const c of conds) {
    assert.ok(!m.has(c.type), `condition ${c.type} appears twice`);
    m.set(c.type, c);
  }
  return m;
}

/** One expected condition: status, reason and (optionally) a pattern its message must match. */
type Want = [status: 'True' | 'False', reason: string, message?: RegExp];

interface Row {
  name: string;
  obs: Observations;
  want: Partial<Record<CondType, Want>>;
  /** Conditions that must not be reported (the pass stopped before observing them). */
  absent?: CondType[];
  phase: TenantStatusPhase;
}

const rows: Row[] = [
  {
    name: 'region not served',
    obs: {
      buildError: { reason: Reason.RegionNotServed, message: 'region ap-south-1 is not served by this operator (it serves: eu-west-1)' },
    },
    want: {
      NamespaceReady: ['False', Reason.RegionNotServed, /ap-south-1 is not served/],
      Reconciled: ['False', Reason.Blocked, /^NamespaceReady: region ap-south-1/],
      Ready: ['False', Reason.RegionNotServed, /NamespaceReady: region ap-south-1/],
    },
    absent: [Cond.NamespaceConflict, Cond.StorageEncrypted, Cond.DatabaseReady, Cond.AppReady, Cond.IngressReady, Cond.HostConflict],
    phase: 'Degraded',
  },
  {
    name: 'namespace owned by someone else',
    obs: { namespace: { state: 'conflict', message: 'namespace tenant-acme already exists and is not owned by this tenant' } },
    want: {
      NamespaceConflict: ['True', Reason.NamespaceOwnedByOther, /not owned by this tenant/],
      NamespaceReady: ['False', Reason.NamespaceOwnedByOther, /not owned by this tenant/],
      Reconciled: ['False', Reason.Blocked, /^NamespaceReady: /],
      Ready: ['False', Reason.NamespaceOwnedByOther, /NamespaceConflict: /],
    },
    absent: [Cond.StorageEncrypted, Cond.DatabaseReady, Cond.AppReady, Cond.IngressReady, Cond.HostConflict],
    phase: 'Degraded',
  },
  {
    name: 'namespace terminating',
    obs: { namespace: { state: 'terminating', message: 'namespace tenant-acme is terminating; 1 PersistentVolumeClaim left' } },
    want: {
      NamespaceConflict: ['False', Reason.NoConflict],
      NamespaceReady: ['False', Reason.NamespaceTerminating, /is terminating; 1 PersistentVolumeClaim/],
      Reconciled: ['False', Reason.Blocked, /^NamespaceReady: namespace tenant-acme is terminating/],
      Ready: ['False', Reason.NamespaceTerminating],
    },
    absent: [Cond.StorageEncrypted, Cond.DatabaseReady, Cond.AppReady],
    phase: 'Degraded',
  },
  {
    name: 'everything as desired',
    obs: good,
    want: {
      NamespaceConflict: ['False', Reason.NoConflict],
      NamespaceReady: ['True', Reason.NamespaceActive, /is active/],
      StorageEncrypted: ['True', Reason.EncryptedStorageClass, /encrypts its volumes/],
      DatabaseReady: ['True', Reason.PodsReady, /^1\/1 database pods ready$/],
      AppReady: ['True', Reason.PodsReady, /^2\/2 app pods available$/],
      HostConflict: ['False', Reason.NoConflict, new RegExp(HOST)],
      IngressReady: ['True', Reason.RouteConfigured, new RegExp(`^https://${HOST} `)],
      Reconciled: ['True', Reason.Converged],
      Ready: ['True', Reason.AllReady],
    },
    phase: 'Ready',
  },
  {
    name: 'storage class not encrypted: no database, no app',
    obs: unencrypted,
    want: {
      NamespaceReady: ['True', Reason.NamespaceActive],
      StorageEncrypted: ['False', Reason.StorageClassNotEncrypted, /has no parameter "encrypted"/],
      DatabaseReady: ['False', Reason.WaitingForStorage],
      AppReady: ['False', Reason.WaitingForStorage],
      IngressReady: ['True', Reason.RouteConfigured],
      Reconciled: ['False', Reason.Blocked, /^StorageEncrypted: /],
      Ready: ['False', Reason.StorageClassNotEncrypted],
    },
    phase: 'Degraded',
  },
  {
    name: 'storage class missing',
    obs: {
      ...unencrypted,
      storage: { encrypted: false, reason: Reason.StorageClassNotFound, message: 'StorageClass "gp3" does not exist' },
    },
    want: {
      StorageEncrypted: ['False', Reason.StorageClassNotFound, /does not exist/],
      DatabaseReady: ['False', Reason.WaitingForStorage],
      AppReady: ['False', Reason.WaitingForStorage],
      Ready: ['False', Reason.StorageClassNotFound],
    },
    phase: 'Degraded',
  },
  {
    name: 'database pod not ready yet',
    obs: { ...good, database: { readyReplicas: 0, replicas: 1 } },
    want: {
      DatabaseReady: ['False', Reason.PodsNotReady, /^0\/1 database pods ready$/],
      AppReady: ['True', Reason.PodsReady],
      // Waiting on pods is progress, not a blocked reconcile.
      Reconciled: ['True', Reason.Converged],
      Ready: ['False', Reason.PodsNotReady, /^DatabaseReady: 0\/1/],
    },
    phase: 'Provisioning',
  },
  {
    name: 'app partly available',
    obs: { ...good, app: { availableReplicas: 1, replicas: 2 } },
    want: {
      DatabaseReady: ['True', Reason.PodsReady],
      AppReady: ['False', Reason.PodsNotReady, /^1\/2 app pods available$/],
      Reconciled: ['True', Reason.Converged],
      Ready: ['False', Reason.PodsNotReady, /^AppReady: /],
    },
    phase: 'Provisioning',
  },
  {
    name: 'a database of zero replicas is not ready',
    obs: { ...good, database: { readyReplicas: 0, replicas: 0 } },
    want: { DatabaseReady: ['False', Reason.PodsNotReady], Ready: ['False', Reason.PodsNotReady] },
    phase: 'Provisioning',
  },
  {
    name: 'suspended: the app at zero replicas is as desired',
    obs: { ...good, app: { availableReplicas: 0, replicas: 0 }, suspended: true },
    want: {
      AppReady: ['True', Reason.Suspended, /scaled to zero while the tenant is suspended/],
      DatabaseReady: ['True', Reason.PodsReady],
      Ready: ['True', Reason.AllReady],
    },
    phase: 'Suspended',
  },
  {
    name: 'suspended while pods are still starting',
    obs: { ...good, database: { readyReplicas: 0, replicas: 1 }, app: { availableReplicas: 0, replicas: 0 }, suspended: true },
    want: {
      AppReady: ['True', Reason.Suspended],
      DatabaseReady: ['False', Reason.PodsNotReady],
      Reconciled: ['True', Reason.Converged],
      Ready: ['False', Reason.PodsNotReady],
    },
    phase: 'Suspended',
  },
  {
    name: 'host claimed first by another tenant',
    obs: { ...good, ingress: { host: HOST, conflictWith: 'globex' } },
    want: {
      HostConflict: ['True', Reason.HostClaimedByOther, /already served for tenant globex, which claimed it first/],
      IngressReady: ['False', Reason.HostClaimedByOther, /^no route: host acme\.tenants\.example\.com belongs to tenant globex$/],
      Reconciled: ['False', Reason.Blocked, /^IngressReady: /],
      Ready: ['False', Reason.HostClaimedByOther, /globex/],
    },
    phase: 'Degraded',
  },
  {
    name: 'an error ended the pass',
    obs: { ...good, error: 'apply Deployment tenant-acme/app: 422 Unprocessable Entity' },
    want: {
      NamespaceReady: ['True', Reason.NamespaceActive],
      Reconciled: ['False', Reason.ReconcileFailed, /^apply Deployment tenant-acme\/app: 422/],
      Ready: ['False', Reason.ReconcileFailed, /Reconciled: apply Deployment/],
    },
    phase: 'Degraded',
  },
  {
    name: 'an error before anything was observed',
    obs: { error: 'connection refused' },
    want: { Reconciled: ['False', Reason.ReconcileFailed, /^connection refused$/], Ready: ['False', Reason.ReconcileFailed] },
    absent: [Cond.NamespaceReady, Cond.NamespaceConflict, Cond.StorageEncrypted],
    phase: 'Degraded',
  },
];

test('computeConditions: one table row per situation', () => {
  for (const row of rows) {
    const got = byType(computeConditions(row.obs, GEN, NOW));
    for (const [type, [status, reason, message]] of Object.entries(row.want) as [CondType, Want][]) {
      const c = got.get(type);
      assert.ok(c, `${row.name}: ${type} is missing`);
      assert.equal(c.status, status, `${row.name}: ${type}.status`);
      assert.equal(c.reason, reason, `${row.name}: ${type}.reason`);
      if (message) assert.match(c.message ?? '', message, `${row.name}: ${type}.message`);
    }
    for (const type of row.absent ?? []) assert.ok(!got.has(type), `${row.name}: ${type} must not be reported`);
  }
});

test('computeConditions: every condition has a known type, a CamelCase reason from conditions.ts, the generation and the time', () => {
  for (const row of rows) {
    const conds = computeConditions(row.obs, GEN, NOW);
    for (const c of conds) {
      const where = `${row.name}: ${c.type}`;
      assert.ok(KNOWN_TYPES.has(c.type), `${where}: unknown type`);
      assert.ok(KNOWN_REASONS.has(c.reason ?? ''), `${where}: reason ${String(c.reason)} is not in Reason`);
      assert.match(c.reason ?? '', /^[A-Z][a-z]+(?:[A-Z][a-z]*)*$/, `${where}: reason is not CamelCase`);
      assert.equal(c.observedGeneration, GEN, `${where}: observedGeneration`);
      assert.equal(c.lastTransitionTime, NOW, `${where}: lastTransitionTime`);
      assert.ok(c.message && c.message.length > 0, `${where}: a person needs a message`);
      assert.ok(['True', 'False'].includes(c.status), `${where}: status ${c.status}`);
    }
    // Ready and Reconciled are always reported, Ready last (it summarises the others).
    assert.equal(conds.filter((c) => c.type === Cond.Reconciled).length, 1, `${row.name}: one Reconciled`);
    assert.equal(conds.at(-1)?.type, Cond.Ready, `${row.name}: Ready comes last`);
  }
});

/** One combination of the things that can go wrong in a pass. */
interface Combination {
  ns: 'active' | 'terminating' | 'conflict';
  encrypted: boolean;
  dbReady: boolean;
  appReady: boolean;
  clash: boolean;
  error: boolean;
  suspended: boolean;
}

/** Lists every combination: 3 × 2 × 2 × 2 × 2 × 2 × 2 = 192 passes. */
function everyCombination(): Combination[] {
  const out: Combination[] = [];
  for (const ns of ['active', 'terminating', 'conflict'] as const)
    for (const encrypted of [true, false])
      for (const dbReady of [true, false])
        for (const appReady of [true, false])
          for (const clash of [false, true])
            for (const error of [false, true])
              for (const suspended of [false, true]) out.push({ ns, encrypted, dbReady, appReady, clash, error, suspended });
  return out;
}

/** Builds what a reconcile pass in this combination would observe. */
function observationsOf({ ns, encrypted, dbReady, appReady, clash, error, suspended }: Combination): Observations {
  const obs: Observations = {
    namespace: { state: ns, message: `namespace ${ns}` },
    suspended,
    ...(error ? { error: 'boom' } : {}),
  };
  // The reconciler observes storage, workloads and routes only past an active namespace.
  if (ns === 'active') {
    obs.storage = {
      encrypted,
      reason: encrypted ? Reason.EncryptedStorageClass : Reason.StorageClassNotEncrypted,
      message: 'class',
    };
    obs.ingress = { host: HOST, ...(clash ? { conflictWith: 'globex' } : {}) };
    if (encrypted) {
      obs.database = { readyReplicas: dbReady ? 1 : 0, replicas: 1 };
      obs.app = suspended ? { availableReplicas: 0, replicas: 0 } : { availableReplicas: appReady ? 2 : 1, replicas: 2 };
    }
  }
  return obs;
}

/** The status a condition other than Ready must have in a pass where everything is good. */
function statusWhenAllGood(type: string, suspended: boolean): 'True' | 'False' {
  // A suspended tenant has no route on purpose: IngressReady False, reason Suspended.
  return type === Cond.NamespaceConflict || type === Cond.HostConflict || (suspended && type === Cond.IngressReady) ? 'False' : 'True';
}

/** Asserts Ready (and, when all is good, every other condition) for one combination; returns whether it is all good. */
function assertReadyFor(k: Combination): boolean {
  const { ns, encrypted, dbReady, appReady, clash, error, suspended } = k;
  const allGood = ns === 'active' && encrypted && dbReady && (appReady || suspended) && !clash && !error;
  const conds = byType(computeConditions(observationsOf(k), GEN, NOW));
  const ready = conds.get(Cond.Ready);
  const label = JSON.stringify({ ns, encrypted, dbReady, appReady, clash, error, suspended });
  assert.equal(ready?.status, allGood ? 'True' : 'False', label);
  if (!allGood) {
    assert.notEqual(ready?.reason, Reason.AllReady, label);
    return false;
  }
  for (const [type, c] of conds) {
    if (type === Cond.Ready) continue;
    assert.equal(c.status, statusWhenAllGood(type, suspended), `${label}: ${type}`);
  }
  return true;
}

test('computeConditions: Ready is True exactly when every other condition is good', () => {
  const readyCount = everyCombination().filter(assertReadyFor).length;
  assert.equal(readyCount, 3, 'ready unsuspended, and suspended whatever the app reported');
});

test('mergeConditions: lastTransitionTime is kept while the status holds and replaced when it changes', () => {
  const c = (type: string, status: 'True' | 'False', time: string | undefined, reason = 'R', message = 'm'): Condition => ({
    type,
    status,
    reason,
    message,
    observedGeneration: GEN,
    ...(time ? { lastTransitionTime: time } : {}),
  });
  const cases: { name: string; previous: Condition[] | undefined; next: Condition; time: string }[] = [
    { name: 'no previous status', previous: undefined, next: c('Ready', 'True', LATER), time: LATER },
    { name: 'same status', previous: [c('Ready', 'True', NOW)], next: c('Ready', 'True', LATER), time: NOW },
    {
      name: 'same status, new reason and message',
      previous: [c('Ready', 'False', NOW, 'PodsNotReady', '0/1')],
      next: c('Ready', 'False', LATER, 'StorageClassNotFound', 'gone'),
      time: NOW,
    },
    { name: 'status changed', previous: [c('Ready', 'False', NOW)], next: c('Ready', 'True', LATER), time: LATER },
    { name: 'previous had no time', previous: [c('Ready', 'True', undefined)], next: c('Ready', 'True', LATER), time: LATER },
    { name: 'a new condition type', previous: [c('AppReady', 'True', NOW)], next: c('Ready', 'True', LATER), time: LATER },
  ];
  for (const k of cases) {
    const [merged] = mergeConditions(k.previous, [k.next]);
    assert.equal(merged?.lastTransitionTime, k.time, k.name);
    // Everything else comes from the new pass.
    assert.deepEqual({ ...merged, lastTransitionTime: undefined }, { ...k.next, lastTransitionTime: undefined }, k.name);
  }
});

test('mergeConditions over real passes: only the conditions that flipped get the new time', () => {
  const first = computeConditions({ ...good, database: { readyReplicas: 0, replicas: 1 } }, 1, NOW);
  const second = mergeConditions(first, computeConditions(good, 2, LATER));
  const got = byType(second);
  assert.equal(got.get(Cond.DatabaseReady)?.lastTransitionTime, LATER, 'DatabaseReady flipped to True');
  assert.equal(got.get(Cond.Ready)?.lastTransitionTime, LATER, 'Ready flipped to True');
  for (const type of [Cond.NamespaceReady, Cond.StorageEncrypted, Cond.AppReady, Cond.IngressReady, Cond.Reconciled, Cond.HostConflict]) {
    assert.equal(got.get(type)?.lastTransitionTime, NOW, `${type} did not change`);
  }
  for (const c of second) assert.equal(c.observedGeneration, 2, `${c.type} carries the new generation`);
  // A pass that changes nothing yields exactly the previous conditions, so no status write follows.
  assert.deepEqual(mergeConditions(second, computeConditions(good, 2, '2025-03-02T00:00:00Z')), second);
  // A condition the new pass no longer reports is dropped, not carried over.
  const stopped = mergeConditions(
    second,
    computeConditions({ buildError: { reason: Reason.RegionNotServed, message: 'region gone' } }, 2, LATER),
  );
  assert.deepEqual(stopped.map((x) => x.type).sort(), [Cond.NamespaceReady, Cond.Ready, Cond.Reconciled].sort());
});

test('computePhase: from the conditions and the suspension', () => {
  const c = (type: CondType, status: 'True' | 'False', reason: string): Condition => ({
    type,
    status,
    reason,
    message: 'm',
    observedGeneration: 1,
    lastTransitionTime: NOW,
  });
  const cases: { name: string; conds: Condition[]; suspended: boolean; phase: TenantStatusPhase }[] = [
    {
      name: 'ready',
      conds: [c('Reconciled', 'True', Reason.Converged), c('Ready', 'True', Reason.AllReady)],
      suspended: false,
      phase: 'Ready',
    },
    {
      name: 'ready and suspended',
      conds: [c('Reconciled', 'True', Reason.Converged), c('Ready', 'True', Reason.AllReady)],
      suspended: true,
      phase: 'Suspended',
    },
    {
      name: 'converged, pods starting',
      conds: [c('Reconciled', 'True', Reason.Converged), c('Ready', 'False', Reason.PodsNotReady)],
      suspended: false,
      phase: 'Provisioning',
    },
    {
      name: 'converged, pods starting, suspended',
      conds: [c('Reconciled', 'True', Reason.Converged), c('Ready', 'False', Reason.PodsNotReady)],
      suspended: true,
      phase: 'Suspended',
    },
    {
      name: 'blocked',
      conds: [c('Reconciled', 'False', Reason.Blocked), c('Ready', 'False', Reason.StorageClassNotEncrypted)],
      suspended: false,
      phase: 'Degraded',
    },
    {
      name: 'blocked while suspended',
      conds: [c('Reconciled', 'False', Reason.Blocked), c('Ready', 'False', Reason.StorageClassNotEncrypted)],
      suspended: true,
      phase: 'Degraded',
    },
    {
      name: 'namespace conflict',
      conds: [c('NamespaceConflict', 'True', Reason.NamespaceOwnedByOther), c('Reconciled', 'False', Reason.ReconcileFailed)],
      suspended: false,
      phase: 'Degraded',
    },
    {
      name: 'failed pass',
      conds: [c('Reconciled', 'False', Reason.ReconcileFailed), c('Ready', 'False', Reason.ReconcileFailed)],
      suspended: false,
      phase: 'Degraded',
    },
    { name: 'no conditions', conds: [], suspended: false, phase: 'Pending' },
  ];
  for (const k of cases) assert.equal(computePhase(k.conds, k.suspended), k.phase, k.name);
});

test('computePhase of computeConditions: every table row gets its phase', () => {
  for (const row of rows) {
    assert.equal(computePhase(computeConditions(row.obs, GEN, NOW), row.obs.suspended === true), row.phase, row.name);
  }
});

test('review 9: computeConditions: a host not allowed or served by a route Tenantry does not own', () => {
  const cases: { name: string; ingress: Observations['ingress']; want: Partial<Record<CondType, Want>>; ready: RegExp }[] = [
    {
      name: 'outside the allowed domains',
      ingress: { host: 'admin.example.com', notAllowed: { domains: ['tenants.example.com', 'acme-corp.com'] } },
      want: {
        HostConflict: [
          'True',
          Reason.HostNotAllowed,
          /^host admin\.example\.com is outside the domains .*\(tenants\.example\.com, acme-corp\.com\).*spec\.host.*allowedDomains/,
        ],
        IngressReady: ['False', Reason.HostNotAllowed, /no route and no certificate/],
        Reconciled: ['False', Reason.Blocked],
      },
      ready: /^HostConflict: host admin\.example\.com is outside/,
    },
    {
      name: 'a route of theirs came first',
      ingress: { host: HOST, foreignRoutes: { names: ['Ingress team-b/shop'], first: true } },
      want: {
        HostConflict: [
          'True',
          Reason.HostClaimedByForeignRoute,
          /^host acme\.tenants\.example\.com is already served by Ingress team-b\/shop, which Tenantry does not manage; .*untouched/,
        ],
        IngressReady: ['False', Reason.HostClaimedByForeignRoute, /no route and no certificate/],
        Reconciled: ['False', Reason.Blocked],
      },
      ready: /^HostConflict: host acme\.tenants\.example\.com is already served by Ingress team-b\/shop/,
    },
    {
      name: 'a route of theirs came later',
      ingress: { host: HOST, foreignRoutes: { names: ['Ingress team-b/grab', 'HTTPRoute team-c/grab'], first: false } },
      want: {
        HostConflict: [
          'True',
          Reason.HostSharedWithForeignRoute,
          /^Ingress team-b\/grab and HTTPRoute team-c\/grab also route host acme\.tenants\.example\.com/,
        ],
        IngressReady: ['True', Reason.RouteConfigured],
        Reconciled: ['True', Reason.Converged],
      },
      ready: /^HostConflict: Ingress team-b\/grab and HTTPRoute team-c\/grab also route/,
    },
  ];
  for (const k of cases) {
    const got = byType(computeConditions({ ...good, ingress: k.ingress }, GEN, NOW));
    for (const [type, [status, reason, message]] of Object.entries(k.want) as [CondType, Want][]) {
      const c = got.get(type);
      assert.equal(c?.status, status, `${k.name}: ${type}.status`);
      assert.equal(c?.reason, reason, `${k.name}: ${type}.reason`);
      if (message) assert.match(c?.message ?? '', message, `${k.name}: ${type}.message`);
    }
    assert.equal(got.get(Cond.Ready)?.status, 'False', k.name);
    assert.match(got.get(Cond.Ready)?.message ?? '', k.ready, k.name);
    for (const c of got.values())
      assert.ok(KNOWN_REASONS.has(c.reason ?? ''), `${k.name}: ${c.type} reason ${String(c.reason)} is not in Reason`);
  }
});

test('P12: PatchPinned is True with ImagePinned while the image is pinned, absent otherwise, and never holds back Ready', () => {
  const message =
    'spec.app.image pins the app to mine:1: no rollout of channel stable updates it; remove spec.app.image to follow the channel';
  const pinned = computeConditions({ ...good, patchPinned: message }, GEN, NOW);
  const c = pinned.find((x) => x.type === Cond.PatchPinned);
  assert.deepEqual([c?.status, c?.reason, c?.message, c?.observedGeneration], ['True', Reason.ImagePinned, message, GEN]);
  assert.equal(pinned.find((x) => x.type === Cond.Ready)?.status, 'True');
  assert.equal(pinned.find((x) => x.type === Cond.Reconciled)?.status, 'True');
  assert.equal(
    computeConditions(good, GEN, NOW).find((x) => x.type === Cond.PatchPinned),
    undefined,
  );
});
