// The Incident reconciler's pure parts: the Tenant condition BreachNotificationPending, the words of
// the Events and audit lines an incident's changes get, and how often the countdown is rewritten.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Cond, Reason } from '../../src/api/conditions.js';
import type { Incident, IncidentStatus, Tenant } from '../../src/api/generated/index.js';
import { changesMessage, incidentChanges } from '../../src/controller/incident-changes.js';
import { countdownRefreshMs, reconcileIncident } from '../../src/controller/incident.js';
import { computeConditions, type Observations } from '../../src/controller/status.js';

const NOW = '2026-03-01T12:00:00Z';

/** The BreachNotificationPending condition computed for these notices, if any. */
function breach(notices: Observations['breachNotices']) {
  return computeConditions({ breachNotices: notices }, 1, NOW).find((c) => c.type === Cond.BreachNotificationPending);
}

test('BreachNotificationPending: absent without notices, True with the deadline while one is due, NoticeOverdue once one is late', () => {
  const rows: { notices: Observations['breachNotices']; want?: { reason: string; message: string } }[] = [
    { notices: undefined },
    { notices: [] },
    {
      notices: [{ incident: 'leak', deadline: '2026-03-03T09:00:00Z', state: 'Pending' }],
      want: { reason: Reason.NoticePending, message: 'incident leak: customer notice due by 2026-03-03T09:00:00Z' },
    },
    {
      notices: [
        { incident: 'a', deadline: '2026-02-28T00:00:00Z', state: 'Overdue' },
        { incident: 'b', deadline: '2026-03-04T00:00:00Z', state: 'Pending' },
      ],
      want: {
        reason: Reason.NoticeOverdue,
        message: 'incident a: customer notice overdue since 2026-02-28T00:00:00Z; incident b: customer notice due by 2026-03-04T00:00:00Z',
      },
    },
    {
      notices: [{ incident: 'bad', deadline: undefined, state: 'Pending' }],
      want: {
        reason: Reason.NoticePending,
        message: 'incident bad: customer notice due (no deadline: the incident has no valid detectedAt)',
      },
    },
  ];
  for (const { notices, want } of rows) {
    const c = breach(notices);
    if (!want) {
      assert.equal(c, undefined, JSON.stringify(notices));
      continue;
    }
    assert.equal(c?.status, 'True');
    assert.equal(c?.reason, want.reason);
    assert.equal(c?.message, want.message);
  }
});

test('BreachNotificationPending does not hold a tenant back from Ready or Reconciled', () => {
  const conditions = computeConditions({ breachNotices: [{ incident: 'x', deadline: NOW, state: 'Overdue' }] }, 1, NOW);
  const ready = conditions.find((c) => c.type === Cond.Ready);
  assert.ok(!(ready?.message ?? '').includes(Cond.BreachNotificationPending));
});

const base: IncidentStatus = {
  affectedTenants: [{ name: 'acme', uid: 'u1', region: 'eu-central-1', plan: 'paid', since: NOW }],
  deadline: '2026-03-04T12:00:00Z',
  phase: 'Open',
  notices: [{ audience: 'customer', name: 'acme', state: 'Pending' }],
  timeLeftSeconds: 100,
} as IncidentStatus;

test('incidentChanges: the first evaluation freezes the tenants and sets the deadline', () => {
  const changes = incidentChanges(undefined, base);
  assert.deepEqual(
    changes.map((c) => [c.kind, c.message]),
    [
      ['TenantAffected', 'acme frozen as the affected tenants'],
      ['Deadline', 'notices due by 2026-03-04T12:00:00Z'],
      ['NoticeState', 'customer notice for acme: Pending'],
      ['Phase', 'phase (none) -> Open'],
    ],
  );
});

test('incidentChanges: only the countdown moved, nothing to announce', () => {
  assert.deepEqual(incidentChanges(base, { ...base, timeLeftSeconds: 40 }), []);
});

test('incidentChanges: an added tenant, a notice sent and one overdue', () => {
  const after = {
    ...base,
    affectedTenants: [...(base.affectedTenants ?? []), { name: 'globex', uid: 'u2', region: 'eu-central-1', plan: 'free', since: NOW }],
    notices: [
      { audience: 'customer', name: 'acme', state: 'Notified', notifiedAt: '2026-03-02T08:00:00Z' },
      { audience: 'customer', name: 'globex', state: 'Overdue' },
    ],
    phase: 'Overdue',
  } as IncidentStatus;
  const changes = incidentChanges(base, after);
  assert.deepEqual(
    changes.map((c) => [c.kind, c.message, c.overdue]),
    [
      ['TenantAffected', 'globex added to the affected tenants', false],
      ['NoticeState', 'customer notice for acme: Pending -> Notified at 2026-03-02T08:00:00Z', false],
      ['NoticeState', 'customer notice for globex: Overdue', true],
      ['Phase', 'phase Open -> Overdue', true],
    ],
  );
});

test('changesMessage stays within an Event message', () => {
  const many = Array.from({ length: 200 }, (_, i) => ({
    kind: 'NoticeState' as const,
    message: `customer notice for tenant-${i}: Pending`,
    overdue: false,
  }));
  const m = changesMessage(many);
  assert.ok(m.length <= 1024, `${m.length}`);
  assert.match(m, /\(200 changes\)$/);
  assert.equal(changesMessage(many.slice(0, 2)), 'customer notice for tenant-0: Pending; customer notice for tenant-1: Pending');
});

test('countdownRefreshMs: a minute days away, a sixtieth of the time left near the deadline, never under 5 s', () => {
  assert.equal(countdownRefreshMs(72 * 3600), 60_000);
  assert.equal(countdownRefreshMs(3600), 60_000);
  assert.equal(countdownRefreshMs(600), 10_000);
  assert.equal(countdownRefreshMs(30), 5_000);
  assert.equal(countdownRefreshMs(0), 5_000);
});

/** An in-memory Incident cache and writer: the status writes and Events one evaluation makes. */
function fakeCluster(incident: Incident, tenants: Tenant[]) {
  const writes: IncidentStatus[] = [];
  const events: { type: string; reason: string; message: string }[] = [];
  const deps = {
    view: { incident: (n: string) => (n === incident.metadata.name ? incident : undefined), tenants: () => tenants },
    writer: {
      patchIncidentStatus: (_n: string, s: IncidentStatus) => {
        writes.push(s);
        incident.status = s;
        return Promise.resolve();
      },
      objectEvent: (_o: unknown, type: string, reason: string, message: string) => {
        events.push({ type, reason, message });
        return Promise.resolve();
      },
    },
  };
  return { deps, writes, events };
}

function unitTenant(name: string, labels: Record<string, string>): Tenant {
  return {
    apiVersion: 'tenantry.io/v1alpha1',
    kind: 'Tenant',
    metadata: { name, uid: `uid-${name}`, labels },
    spec: { plan: 'paid', region: 'eu-central-1', database: { engine: 'postgres' } },
  } as Tenant;
}

test('reconcileIncident: writes on a change or a stale countdown only, announces changes once, requeues at the next change', async () => {
  const detected = new Date('2026-03-01T00:00:00Z');
  const incident = {
    apiVersion: 'tenantry.io/v1alpha1',
    kind: 'Incident',
    metadata: { name: 'leak', uid: 'i1', generation: 1 },
    spec: { detectedAt: detected.toISOString(), summary: 's', severity: 'high', affected: { selector: { matchLabels: { hit: 'yes' } } } },
  } as Incident;
  const { deps, writes, events } = fakeCluster(incident, [unitTenant('acme', { hit: 'yes' }), unitTenant('globex', {})]);
  let now = new Date(detected.getTime() + 3600_000);
  const run = () => reconcileIncident('leak', { ...deps, now: () => now });

  const first = await run();
  assert.equal(writes.length, 1);
  assert.deepEqual(
    writes[0]?.affectedTenants?.map((t) => t.name),
    ['acme'],
  );
  assert.equal(events.length, 1);
  assert.equal(events[0]?.reason, 'IncidentUpdated');
  // 71 h left: the countdown is refreshed each minute, before the 48-hours-before-deadline point.
  assert.equal(first.requeueAfterMs, 60_000);

  now = new Date(now.getTime() + 30_000);
  await run();
  assert.equal(writes.length, 1, 'a countdown 30 s behind is not rewritten days away from the deadline');

  now = new Date(now.getTime() + 30_000);
  await run();
  assert.equal(writes.length, 2, 'a minute later it is');
  assert.equal(events.length, 1, 'the countdown is no change to announce');

  now = new Date(detected.getTime() + 72 * 3600_000);
  const overdue = await run();
  assert.equal(writes.at(-1)?.phase, 'Overdue');
  assert.equal(events.at(-1)?.type, 'Warning');
  assert.equal(events.at(-1)?.reason, 'IncidentNoticeOverdue');
  assert.equal(overdue.requeueAfterMs, undefined, 'nothing changes by time alone any more');
});

test('reconcileIncident: a deleted incident writes nothing', async () => {
  const { deps, writes } = fakeCluster({ metadata: { name: 'other' } } as Incident, []);
  assert.deepEqual(await reconcileIncident('gone', { ...deps, now: () => new Date() }), { writes: 0 });
  assert.equal(writes.length, 0);
});
