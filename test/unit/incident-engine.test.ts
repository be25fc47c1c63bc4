// The incident engine as table tests: who is frozen in as affected (selector, names, regions),
// additions only and relabelling, the deadline a millisecond either side, Notified vs Late,
// authorities, a window override, the 48-hour alert point, the Tenant condition's view, and bad
// input reported as problems instead of a crash. Fixed dates only.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { IncidentSpec, IncidentSpecNotificationsItem, IncidentStatus } from '../../src/api/generated/index.js';
import { evaluateIncident, freezeAffected, matchesSelector, tenantBreachNotice, type TenantFacts } from '../../src/incident/index.js';

const HOUR = 3600 * 1000;
const DETECTED = '2026-03-02T10:00:00Z';
const D_MS = Date.parse(DETECTED);
/** `h` hours and `ms` milliseconds after detection. */
const at = (h: number, ms = 0) => new Date(D_MS + h * HOUR + ms);
const iso = (d: Date) => d.toISOString().replace('.000Z', 'Z');

const TENANTS: TenantFacts[] = [
  { name: 'acme', uid: 'u-acme', region: 'eu-west-1', plan: 'business', labels: { cluster: 'db-7', tier: 'gold' } },
  { name: 'beta', uid: 'u-beta', region: 'eu-west-1', plan: 'starter', labels: { cluster: 'db-7' } },
  { name: 'gamma', uid: 'u-gamma', region: 'eu-central-1', plan: 'business', labels: { cluster: 'db-9' } },
  { name: 'delta', uid: 'u-delta', region: 'us-east-1', plan: 'enterprise', labels: {} },
];

function spec(extra: Partial<IncidentSpec> = {}): IncidentSpec {
  return {
    detectedAt: DETECTED,
    summary: 'database credentials leaked',
    affected: { selector: { matchLabels: { cluster: 'db-7' } } },
    ...extra,
  };
}

const customer = (tenant: string, notifiedAt: string, reference?: string): IncidentSpecNotificationsItem => ({
  audience: 'customer',
  tenant,
  notifiedAt,
  ...(reference === undefined ? {} : { reference }),
});
const authority = (name: string, notifiedAt: string): IncidentSpecNotificationsItem => ({
  audience: 'authority',
  authority: name,
  notifiedAt,
});

const names = (s: IncidentStatus) => (s.affectedTenants ?? []).map((a) => a.name);
const states = (s: IncidentStatus) => Object.fromEntries((s.notices ?? []).map((n) => [`${n.audience}/${n.name}`, n.state]));
const condition = (s: IncidentStatus, type: string) => s.conditions?.find((c) => c.type === type);

describe('matchesSelector', () => {
  const labels = { cluster: 'db-7', tier: 'gold' };
  const cases: [string, Parameters<typeof matchesSelector>[0], boolean][] = [
    ['empty selector matches all', {}, true],
    ['matchLabels equal', { matchLabels: { cluster: 'db-7' } }, true],
    ['matchLabels differ', { matchLabels: { cluster: 'db-9' } }, false],
    ['In', { matchExpressions: [{ key: 'tier', operator: 'In', values: ['gold', 'silver'] }] }, true],
    ['In, label absent', { matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] }, false],
    ['NotIn, label absent', { matchExpressions: [{ key: 'zone', operator: 'NotIn', values: ['a'] }] }, true],
    ['NotIn, value listed', { matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['gold'] }] }, false],
    ['Exists', { matchExpressions: [{ key: 'tier', operator: 'Exists' }] }, true],
    ['DoesNotExist', { matchExpressions: [{ key: 'tier', operator: 'DoesNotExist' }] }, false],
    [
      'labels and expressions together',
      { matchLabels: { cluster: 'db-7' }, matchExpressions: [{ key: 'legacy', operator: 'DoesNotExist' }] },
      true,
    ],
  ];
  for (const [name, selector, want] of cases) test(name, () => assert.equal(matchesSelector(selector, labels), want));
});

describe('freezeAffected', () => {
  const cases: [string, IncidentSpec['affected'], string[]][] = [
    ['selector', { selector: { matchLabels: { cluster: 'db-7' } } }, ['acme', 'beta']],
    ['names', { tenants: ['gamma', 'delta'] }, ['delta', 'gamma']],
    ['regions', { regions: ['eu-central-1', 'us-east-1'] }, ['delta', 'gamma']],
    [
      'union of all three',
      { selector: { matchLabels: { tier: 'gold' } }, tenants: ['beta'], regions: ['us-east-1'] },
      ['acme', 'beta', 'delta'],
    ],
    ['a name of no tenant freezes nothing', { tenants: ['nobody'] }, []],
  ];
  for (const [name, affected, want] of cases)
    test(`first evaluation: ${name}`, () => {
      const frozen = freezeAffected({ affected }, undefined, TENANTS, at(1));
      assert.deepEqual(
        frozen.map((a) => a.name),
        want,
      );
      for (const a of frozen) assert.equal(a.since, iso(at(1)));
    });

  test('keeps the facts as frozen: a relabelled, moved or deleted tenant stays with its old facts', () => {
    const first = freezeAffected(spec(), undefined, TENANTS, at(1));
    const later = TENANTS.filter((t) => t.name !== 'beta').map((t) => (t.name === 'acme' ? { ...t, labels: {}, plan: 'starter' } : t));
    const again = freezeAffected(spec(), first, later, at(5), spec().affected);
    assert.deepEqual(again, first);
    assert.equal(again[0]!.plan, 'business');
  });

  test('relabelling a tenant INTO the selector adds nothing while spec.affected is unchanged', () => {
    const first = freezeAffected(spec(), undefined, TENANTS, at(1));
    const relabelled = TENANTS.map((t) => (t.name === 'gamma' ? { ...t, labels: { cluster: 'db-7' } } : t));
    assert.deepEqual(
      freezeAffected(spec(), first, relabelled, at(2), spec().affected).map((a) => a.name),
      ['acme', 'beta'],
    );
  });

  test('additions through the spec: a new name, a new region, a widened selector', () => {
    const first = freezeAffected(spec(), undefined, TENANTS, at(1));
    const byName = spec({ affected: { selector: { matchLabels: { cluster: 'db-7' } }, tenants: ['delta'] } });
    const added = freezeAffected(byName, first, TENANTS, at(3), spec().affected);
    assert.deepEqual(
      added.map((a) => [a.name, a.since]),
      [
        ['acme', iso(at(1))],
        ['beta', iso(at(1))],
        ['delta', iso(at(3))],
      ],
    );
    const byRegion = spec({ affected: { regions: ['eu-central-1'] } });
    assert.deepEqual(
      freezeAffected(byRegion, first, TENANTS, at(3), spec().affected).map((a) => a.name),
      ['acme', 'beta', 'gamma'],
      'narrowing to another rule never removes acme and beta',
    );
  });

  test('a named tenant created after the first evaluation is added when it appears', () => {
    const s = spec({ affected: { tenants: ['acme', 'late'] } });
    const first = freezeAffected(s, undefined, TENANTS, at(1));
    const withLate = [...TENANTS, { name: 'late', uid: 'u-late', region: 'eu-west-1', plan: 'starter', labels: {} }];
    assert.deepEqual(
      freezeAffected(s, first, withLate, at(4), s.affected).map((a) => a.name),
      ['acme', 'late'],
    );
  });
});

describe('evaluateIncident: deadline and notice states', () => {
  test('the deadline is detectedAt + 72h; 1 ms before it Pending, at it Overdue', () => {
    const before = evaluateIncident(spec(), undefined, TENANTS, at(72, -1)).status;
    assert.equal(before.deadline, iso(at(72)));
    assert.deepEqual(states(before), { 'customer/acme': 'Pending', 'customer/beta': 'Pending' });
    assert.equal(before.phase, 'Open');
    assert.equal(before.timeLeftSeconds, 1);
    const atDeadline = evaluateIncident(spec(), before, TENANTS, at(72)).status;
    assert.deepEqual(states(atDeadline), { 'customer/acme': 'Overdue', 'customer/beta': 'Overdue' });
    assert.equal(atDeadline.phase, 'Overdue');
    assert.equal(atDeadline.overdueNotices, 2);
    assert.equal(atDeadline.timeLeftSeconds, 0);
    assert.equal(condition(atDeadline, 'Overdue')?.status, 'True');
  });

  const cases: [string, string, string][] = [
    ['notified well before the deadline', iso(at(10)), 'Notified'],
    ['notified exactly at the deadline', iso(at(72)), 'Notified'],
    ['notified 1 ms after the deadline', new Date(at(72, 1).getTime()).toISOString(), 'Late'],
    ['notified a day late', iso(at(96)), 'Late'],
  ];
  for (const [name, notifiedAt, want] of cases)
    test(`Notified vs Late: ${name}`, () => {
      const s = spec({ notifications: [customer('acme', notifiedAt, 'T-1')] });
      const status = evaluateIncident(s, undefined, TENANTS, at(100)).status;
      const acme = status.notices?.find((n) => n.name === 'acme');
      assert.equal(acme?.state, want);
      assert.equal(acme?.notifiedAt, notifiedAt);
      assert.equal(acme?.reference, 'T-1');
    });

  test('the earliest of several notifications of one notice decides', () => {
    const s = spec({ notifications: [customer('acme', iso(at(80)), 'second'), customer('acme', iso(at(20)), 'first')] });
    const acme = evaluateIncident(s, undefined, TENANTS, at(90)).status.notices?.find((n) => n.name === 'acme');
    assert.deepEqual(acme, { audience: 'customer', name: 'acme', state: 'Notified', notifiedAt: iso(at(20)), reference: 'first' });
  });

  test('authorities: one notice each, counted apart from customers', () => {
    const s = spec({ authorities: ['BfDI', 'CNIL'], notifications: [authority('CNIL', iso(at(30))), customer('beta', iso(at(5)))] });
    const status = evaluateIncident(s, undefined, TENANTS, at(40)).status;
    assert.deepEqual(states(status), {
      'customer/acme': 'Pending',
      'customer/beta': 'Notified',
      'authority/BfDI': 'Pending',
      'authority/CNIL': 'Notified',
    });
    assert.equal(status.pendingCustomerNotices, 1);
    assert.equal(status.pendingAuthorityNotices, 1);
    assert.equal(status.pendingNotices, 2);
    assert.equal(status.phase, 'Open');
  });

  test('all recorded: phase Notified, AllNotified True (NotifiedLate when one was late)', () => {
    const inTime = spec({
      authorities: ['BfDI'],
      notifications: [customer('acme', iso(at(1))), customer('beta', iso(at(2))), authority('BfDI', iso(at(3)))],
    });
    const ok = evaluateIncident(inTime, undefined, TENANTS, at(200)).status;
    assert.equal(ok.phase, 'Notified');
    assert.deepEqual([condition(ok, 'AllNotified')?.status, condition(ok, 'AllNotified')?.reason], ['True', 'NotifiedInTime']);
    assert.equal(condition(ok, 'Overdue')?.status, 'False');
    const late = spec({ notifications: [customer('acme', iso(at(1))), customer('beta', iso(at(73)))] });
    const lateStatus = evaluateIncident(late, undefined, TENANTS, at(200)).status;
    assert.equal(lateStatus.phase, 'Notified');
    assert.equal(condition(lateStatus, 'AllNotified')?.reason, 'NotifiedLate');
    assert.equal(lateStatus.overdueNotices, 0);
  });

  test('an overdue notice clears to Late when it is recorded', () => {
    const overdue = evaluateIncident(spec(), undefined, TENANTS, at(80)).status;
    assert.equal(overdue.overdueNotices, 2);
    const one = evaluateIncident(spec({ notifications: [customer('acme', iso(at(81)))] }), overdue, TENANTS, at(82)).status;
    assert.deepEqual(states(one), { 'customer/acme': 'Late', 'customer/beta': 'Overdue' });
    assert.equal(one.overdueNotices, 1);
  });

  test('window override: notificationWindowHours 24 moves the deadline', () => {
    const status = evaluateIncident(spec({ notificationWindowHours: 24 }), undefined, TENANTS, at(24)).status;
    assert.equal(status.deadline, iso(at(24)));
    assert.equal(status.phase, 'Overdue');
  });

  test('nextAt: the 48-hour alert point, then the deadline, then nothing', () => {
    assert.deepEqual(evaluateIncident(spec(), undefined, TENANTS, at(1)).nextAt, at(24));
    assert.deepEqual(evaluateIncident(spec(), undefined, TENANTS, at(24)).nextAt, at(72));
    assert.equal(evaluateIncident(spec(), undefined, TENANTS, at(72)).nextAt, undefined);
    const done = spec({ notifications: [customer('acme', iso(at(1))), customer('beta', iso(at(1)))] });
    assert.equal(evaluateIncident(done, undefined, TENANTS, at(2)).nextAt, undefined, 'nothing pending: no wake-up needed');
  });

  test('frozenAt and lastTransitionTime stay while nothing changes; observedGeneration is written', () => {
    const first = evaluateIncident(spec(), undefined, TENANTS, at(1), { generation: 1 }).status;
    const second = evaluateIncident(spec(), first, TENANTS, at(2), { generation: 2 }).status;
    assert.equal(second.frozenAt, iso(at(1)));
    assert.equal(second.observedGeneration, 2);
    assert.equal(condition(second, 'Overdue')?.lastTransitionTime, iso(at(1)));
    const third = evaluateIncident(spec(), second, TENANTS, at(72)).status;
    assert.equal(condition(third, 'Overdue')?.lastTransitionTime, iso(at(72)));
  });

  test('relabelling after the first evaluation changes nobody (through evaluateIncident)', () => {
    const first = evaluateIncident(spec(), undefined, TENANTS, at(1)).status;
    const relabelled: TenantFacts[] = TENANTS.map((t) => ({
      ...t,
      labels: t.name === 'acme' ? ({} as Record<string, string>) : { cluster: 'db-7' },
    }));
    const second = evaluateIncident(spec(), first, relabelled, at(2)).status;
    assert.deepEqual(names(second), ['acme', 'beta']);
    assert.equal(second.affectedCount, 2);
  });
});

describe('evaluateIncident: bad input is a problem, never a crash', () => {
  test('unparsable detectedAt: no deadline, nothing overdue, Overdue Unknown', () => {
    const r = evaluateIncident(spec({ detectedAt: 'last tuesday' }), undefined, TENANTS, at(500));
    assert.equal(r.status.deadline, undefined);
    assert.equal(r.status.overdueNotices, 0);
    assert.equal(r.status.phase, 'Open');
    assert.equal(condition(r.status, 'Overdue')?.status, 'Unknown');
    assert.deepEqual(
      r.problems.map((p) => p.field),
      ['spec.detectedAt'],
    );
  });

  test('unusable notifications are ignored and reported, by field', () => {
    const s = spec({
      authorities: ['BfDI'],
      notifications: [
        customer('gamma', iso(at(1))),
        customer('acme', 'soon'),
        authority('ICO', iso(at(1))),
        { audience: 'customer', notifiedAt: iso(at(1)) },
        { audience: 'press' as 'customer', tenant: 'acme', notifiedAt: iso(at(1)) },
        customer('beta', iso(at(-1))),
      ],
    });
    const r = evaluateIncident(s, undefined, TENANTS, at(2));
    assert.deepEqual(
      r.problems.map((p) => p.field),
      [
        'spec.notifications[0].tenant',
        'spec.notifications[1].notifiedAt',
        'spec.notifications[2].authority',
        'spec.notifications[3].tenant',
        'spec.notifications[4].audience',
        'spec.notifications[5].notifiedAt',
      ],
    );
    assert.deepEqual(states(r.status), { 'customer/acme': 'Pending', 'customer/beta': 'Notified', 'authority/BfDI': 'Pending' });
  });

  test('a bad window and an unknown tenant name are reported; the default window applies', () => {
    const r = evaluateIncident(spec({ notificationWindowHours: 0, affected: { tenants: ['acme', 'ghost'] } }), undefined, TENANTS, at(1));
    assert.equal(r.status.deadline, iso(at(72)));
    assert.deepEqual(
      r.problems.map((p) => p.field),
      ['spec.notificationWindowHours', 'spec.affected.tenants[1]'],
    );
  });

  test('no affected tenant and no authority: Open, AllNotified False (NoNotices)', () => {
    const r = evaluateIncident(spec({ affected: { tenants: ['ghost'] } }), undefined, TENANTS, at(100));
    assert.equal(r.status.phase, 'Open');
    assert.equal(condition(r.status, 'AllNotified')?.reason, 'NoNotices');
  });
});

describe('tenantBreachNotice', () => {
  test('only Pending and Overdue customer notices of the tenant, earliest deadline first', () => {
    const a = evaluateIncident(spec(), undefined, TENANTS, at(80)).status; // acme Overdue
    const b = evaluateIncident(spec({ detectedAt: iso(at(10)), authorities: ['BfDI'] }), undefined, TENANTS, at(20)).status;
    const c = evaluateIncident(spec({ notifications: [customer('acme', iso(at(1)))] }), undefined, TENANTS, at(2)).status;
    const d = evaluateIncident(spec({ affected: { tenants: ['gamma'] } }), undefined, TENANTS, at(2)).status;
    const incidents = [
      { name: 'inc-b', status: b },
      { name: 'inc-a', status: a },
      { name: 'inc-c', status: c },
      { name: 'inc-d', status: d },
      { name: 'inc-new' },
    ];
    assert.deepEqual(tenantBreachNotice(incidents, 'acme'), [
      { incident: 'inc-a', deadline: iso(at(72)), state: 'Overdue' },
      { incident: 'inc-b', deadline: iso(at(82)), state: 'Pending' },
    ]);
    assert.deepEqual(tenantBreachNotice(incidents, 'BfDI'), [], 'authority notices are not a tenant condition');
    assert.deepEqual(tenantBreachNotice(incidents, 'delta'), []);
  });
});
