// A BackupPolicy's status is a pure function of the policy, how many tenants use it and the time:
// table rows with fixed dates for each kind of policy, then the passes of a controller that writes
// the status only when it changed.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PolicyCond, Reason } from '../../src/api/conditions.js';
import type { BackupPolicy, BackupPolicyStatus, BackupPolicyStatusConditionsItem } from '../../src/api/generated/index.js';
import { computePolicyStatus, policyStatusChanged } from '../../src/controller/policy-status.js';
import { fixturePolicy } from '../support/policy-fixture.js';

const GEN = 3;

/** The fixture policy in Dublin (GMT in winter, IST in summer) at generation GEN, with `spec` over it. */
function dublinPolicy(spec: Partial<BackupPolicy['spec']> = {}, status?: BackupPolicyStatus): BackupPolicy {
  return fixturePolicy({ timeZone: 'Europe/Dublin', ...spec }, {}, { generation: GEN, status });
}

type Want = [status: 'True' | 'False', reason: string, message: RegExp];

interface Row {
  name: string;
  spec?: Partial<BackupPolicy['spec']>;
  tenants: number;
  now: string;
  scheduleValid: Want;
  ready: Want;
  nextRunTime?: string;
  lastRunTime?: string;
}

const rows: Row[] = [
  {
    name: 'a daily policy in winter (Dublin on GMT)',
    tenants: 3,
    now: '2026-11-26T10:00:00Z',
    scheduleValid: ['True', Reason.ScheduleAccepted, /^"0 2 \* \* \*" in Europe\/Dublin$/],
    ready: ['True', Reason.ScheduleAccepted, /^3 tenant\(s\) backed up "0 2 \* \* \*" \(Europe\/Dublin\)$/],
    nextRunTime: '2026-11-27T02:00:00Z',
    lastRunTime: '2026-11-26T02:00:00Z',
  },
  {
    name: 'a daily policy in summer (Dublin on IST, UTC+1)',
    tenants: 1,
    now: '2026-07-01T10:00:00Z',
    scheduleValid: ['True', Reason.ScheduleAccepted, /^"0 2 \* \* \*" in Europe\/Dublin$/],
    ready: ['True', Reason.ScheduleAccepted, /^1 tenant\(s\) backed up/],
    nextRunTime: '2026-07-02T01:00:00Z',
    lastRunTime: '2026-07-01T01:00:00Z',
  },
  {
    name: 'no tenant yet: no last run to report',
    tenants: 0,
    now: '2026-11-26T10:00:00Z',
    scheduleValid: ['True', Reason.ScheduleAccepted, /^"0 2 \* \* \*" in Europe\/Dublin$/],
    ready: ['True', Reason.ScheduleAccepted, /^0 tenant\(s\) backed up/],
    nextRunTime: '2026-11-27T02:00:00Z',
  },
  {
    name: 'exactly at a fire time: that run is the last, the next is a day later',
    tenants: 2,
    now: '2026-11-26T02:00:00Z',
    scheduleValid: ['True', Reason.ScheduleAccepted, /^"0 2 \* \* \*" in Europe\/Dublin$/],
    ready: ['True', Reason.ScheduleAccepted, /^2 tenant\(s\)/],
    nextRunTime: '2026-11-27T02:00:00Z',
    lastRunTime: '2026-11-26T02:00:00Z',
  },
  {
    name: 'a millisecond before a fire time',
    tenants: 2,
    now: '2026-11-26T01:59:59.999Z',
    scheduleValid: ['True', Reason.ScheduleAccepted, /^"0 2 \* \* \*" in Europe\/Dublin$/],
    ready: ['True', Reason.ScheduleAccepted, /^2 tenant\(s\)/],
    nextRunTime: '2026-11-26T02:00:00Z',
    lastRunTime: '2026-11-25T02:00:00Z',
  },
  {
    name: 'no time zone means UTC',
    spec: { schedule: '30 1 * * 0', timeZone: undefined },
    tenants: 5,
    now: '2026-11-26T10:00:00Z',
    scheduleValid: ['True', Reason.ScheduleAccepted, /^"30 1 \* \* 0" in UTC$/],
    ready: ['True', Reason.ScheduleAccepted, /^5 tenant\(s\) backed up "30 1 \* \* 0" \(UTC\)$/],
    nextRunTime: '2026-11-29T01:30:00Z',
    lastRunTime: '2026-11-22T01:30:00Z',
  },
  {
    name: 'suspended: not ready, no next run, the last run still shown',
    spec: { suspend: true },
    tenants: 3,
    now: '2026-11-26T10:00:00Z',
    scheduleValid: ['True', Reason.ScheduleAccepted, /^"0 2 \* \* \*" in Europe\/Dublin$/],
    ready: ['False', Reason.BackupsSuspended, /^spec\.suspend is true: no new backups start; existing backups are kept$/],
    lastRunTime: '2026-11-26T02:00:00Z',
  },
  {
    name: 'suspended and unused',
    spec: { suspend: true },
    tenants: 0,
    now: '2026-11-26T10:00:00Z',
    scheduleValid: ['True', Reason.ScheduleAccepted, /in Europe\/Dublin$/],
    ready: ['False', Reason.BackupsSuspended, /^spec\.suspend is true/],
  },
  {
    name: 'a schedule with four fields',
    spec: { schedule: '0 2 * *' },
    tenants: 3,
    now: '2026-11-26T10:00:00Z',
    scheduleValid: ['False', Reason.ScheduleInvalid, /^spec\.schedule "0 2 \* \*" has 4 fields; it needs exactly 5/],
    ready: ['False', Reason.ScheduleInvalid, /^no backups run under this policy: spec\.schedule "0 2 \* \*" has 4 fields/],
  },
  {
    name: 'a macro',
    spec: { schedule: '@daily' },
    tenants: 3,
    now: '2026-11-26T10:00:00Z',
    scheduleValid: ['False', Reason.ScheduleInvalid, /^spec\.schedule "@daily" is a macro/],
    ready: ['False', Reason.ScheduleInvalid, /^no backups run under this policy: spec\.schedule "@daily" is a macro/],
  },
  {
    name: 'an hour out of range',
    spec: { schedule: '0 24 * * *' },
    tenants: 3,
    now: '2026-11-26T10:00:00Z',
    scheduleValid: ['False', Reason.ScheduleInvalid, /the hour field "24"/],
    ready: ['False', Reason.ScheduleInvalid, /^no backups run under this policy: .*the hour field "24"/],
  },
  {
    name: 'a schedule that never fires',
    spec: { schedule: '0 2 30 2 *' },
    tenants: 3,
    now: '2026-11-26T10:00:00Z',
    scheduleValid: ['False', Reason.ScheduleInvalid, /never fires/],
    ready: ['False', Reason.ScheduleInvalid, /^no backups run under this policy: .*never fires/],
  },
  {
    name: 'an unknown time zone',
    spec: { timeZone: 'Mars/Olympus_Mons' },
    tenants: 3,
    now: '2026-11-26T10:00:00Z',
    scheduleValid: ['False', Reason.UnknownTimeZone, /^spec\.timeZone "Mars\/Olympus_Mons" is not in the time zone database/],
    ready: ['False', Reason.UnknownTimeZone, /^no backups run under this policy: spec\.timeZone "Mars\/Olympus_Mons"/],
  },
  {
    name: 'a time zone spelled in the wrong case (the CronJob would refuse it)',
    spec: { timeZone: 'europe/dublin' },
    tenants: 3,
    now: '2026-11-26T10:00:00Z',
    scheduleValid: ['False', Reason.UnknownTimeZone, /did you mean "Europe\/Dublin"\?$/],
    ready: ['False', Reason.UnknownTimeZone, /did you mean "Europe\/Dublin"\?$/],
  },
  {
    name: 'an offset instead of a zone',
    spec: { timeZone: '+01:00' },
    tenants: 3,
    now: '2026-11-26T10:00:00Z',
    scheduleValid: ['False', Reason.UnknownTimeZone, /not an offset/],
    ready: ['False', Reason.UnknownTimeZone, /not an offset/],
  },
  {
    name: 'an invalid schedule of a suspended policy: the schedule is what to fix',
    spec: { schedule: '0 2 * * 7', suspend: true },
    tenants: 3,
    now: '2026-11-26T10:00:00Z',
    scheduleValid: ['False', Reason.ScheduleInvalid, /the day-of-week field "7"/],
    ready: ['False', Reason.ScheduleInvalid, /the day-of-week field "7"/],
  },
];

const iso = (s: string) => new Date(s).toISOString().replace(/\.\d{3}Z$/, 'Z');

for (const r of rows) {
  test(`computePolicyStatus: ${r.name}`, () => {
    const now = new Date(r.now);
    const s = computePolicyStatus(dublinPolicy(r.spec), r.tenants, now);
    assert.equal(s.observedGeneration, GEN);
    assert.equal(s.tenants, r.tenants);
    assert.equal(s.nextRunTime, r.nextRunTime);
    assert.equal(s.lastRunTime, r.lastRunTime);
    if (s.nextRunTime) assert.ok(Date.parse(s.nextRunTime) > now.getTime(), `nextRunTime ${s.nextRunTime} is not after ${r.now}`);
    if (s.lastRunTime) assert.ok(Date.parse(s.lastRunTime) <= now.getTime(), `lastRunTime ${s.lastRunTime} is after ${r.now}`);
    assert.deepEqual(
      s.conditions?.map((c) => c.type),
      [PolicyCond.ScheduleValid, PolicyCond.Ready],
    );
    const wants: [string, Want][] = [
      [PolicyCond.ScheduleValid, r.scheduleValid],
      [PolicyCond.Ready, r.ready],
    ];
    for (const [type, [status, reason, message]] of wants) {
      const c: BackupPolicyStatusConditionsItem | undefined = s.conditions?.find((x) => x.type === type);
      assert.ok(c, `no ${type} condition`);
      assert.equal(c.status, status, `${type}.status`);
      assert.equal(c.reason, reason, `${type}.reason`);
      assert.match(c.message ?? '', message, `${type}.message`);
      assert.equal(c.observedGeneration, GEN, `${type}.observedGeneration`);
      // A first status: every condition changed now, written without milliseconds.
      assert.equal(c.lastTransitionTime, iso(r.now), `${type}.lastTransitionTime`);
    }
  });
}

test('a policy without metadata.generation reports generation 0', () => {
  const p = dublinPolicy();
  delete p.metadata.generation;
  const s = computePolicyStatus(p, 1, new Date('2026-11-26T10:00:00Z'));
  assert.equal(s.observedGeneration, 0);
  assert.deepEqual(
    s.conditions?.map((c) => c.observedGeneration),
    [0, 0],
  );
});

// --- passes of the controller ----------------------------------------------------------------

/** One pass: the policy as stored (with the status of the previous pass), and what it computes. */
function pass(spec: Partial<BackupPolicy['spec']>, tenants: number, now: string, stored?: BackupPolicyStatus) {
  const p = dublinPolicy(spec, stored);
  const status = computePolicyStatus(p, tenants, new Date(now));
  return { status, changed: policyStatusChanged(p, status) };
}

const transition = (s: BackupPolicyStatus, type: string) => s.conditions?.find((c) => c.type === type)?.lastTransitionTime;

test('the first pass writes a status; a repeat with the same inputs does not', () => {
  const first = pass({}, 3, '2026-11-26T10:00:00Z');
  assert.equal(first.changed, true, 'a policy without status must get one');
  const again = pass({}, 3, '2026-11-26T10:00:00Z', first.status);
  assert.equal(again.changed, false);
  assert.deepEqual(again.status, first.status);
});

test('between two fire times the status does not change, so it is not rewritten', () => {
  const first = pass({}, 3, '2026-11-26T02:00:00Z');
  for (const now of ['2026-11-26T02:00:01Z', '2026-11-26T10:00:00Z', '2026-11-27T01:59:59.999Z']) {
    const later = pass({}, 3, now, first.status);
    assert.equal(later.changed, false, `changed at ${now}`);
    assert.deepEqual(later.status, first.status);
  }
});

test('a fire time passing moves lastRunTime and nextRunTime, and keeps lastTransitionTime', () => {
  const first = pass({}, 3, '2026-11-26T10:00:00Z');
  const next = pass({}, 3, '2026-11-27T02:00:00Z', first.status);
  assert.equal(next.changed, true);
  assert.equal(next.status.lastRunTime, '2026-11-27T02:00:00Z');
  assert.equal(next.status.nextRunTime, '2026-11-28T02:00:00Z');
  assert.equal(transition(next.status, PolicyCond.ScheduleValid), '2026-11-26T10:00:00Z');
  assert.equal(transition(next.status, PolicyCond.Ready), '2026-11-26T10:00:00Z');
});

test('a new tenant count is a change; the condition keeps its transition time', () => {
  const first = pass({}, 3, '2026-11-26T10:00:00Z');
  const more = pass({}, 4, '2026-11-26T11:00:00Z', first.status);
  assert.equal(more.changed, true);
  assert.equal(more.status.tenants, 4);
  assert.match(more.status.conditions?.find((c) => c.type === PolicyCond.Ready)?.message ?? '', /^4 tenant\(s\)/);
  assert.equal(transition(more.status, PolicyCond.Ready), '2026-11-26T10:00:00Z');
});

test('suspending, breaking and fixing the schedule: each condition moves its time only when its status flips', () => {
  const t0 = pass({}, 3, '2026-11-26T10:00:00Z');
  // Suspend: Ready flips to False, ScheduleValid stays True.
  const suspended = pass({ suspend: true }, 3, '2026-11-26T11:00:00Z', t0.status);
  assert.equal(suspended.changed, true);
  assert.equal(suspended.status.nextRunTime, undefined);
  assert.equal(transition(suspended.status, PolicyCond.ScheduleValid), '2026-11-26T10:00:00Z');
  assert.equal(transition(suspended.status, PolicyCond.Ready), '2026-11-26T11:00:00Z');
  // Break the schedule while suspended: ScheduleValid flips; Ready stays False (its reason changes, not its time).
  const broken = pass({ suspend: true, schedule: '0 2 * *' }, 3, '2026-11-26T12:00:00Z', suspended.status);
  assert.equal(broken.changed, true);
  assert.equal(broken.status.lastRunTime, undefined);
  assert.equal(transition(broken.status, PolicyCond.ScheduleValid), '2026-11-26T12:00:00Z');
  assert.equal(transition(broken.status, PolicyCond.Ready), '2026-11-26T11:00:00Z');
  assert.equal(broken.status.conditions?.find((c) => c.type === PolicyCond.Ready)?.reason, Reason.ScheduleInvalid);
  // The same broken policy an hour later: nothing to write.
  const still = pass({ suspend: true, schedule: '0 2 * *' }, 3, '2026-11-26T13:00:00Z', broken.status);
  assert.equal(still.changed, false);
  // Fix and resume: both flip back to True now.
  const fixed = pass({}, 3, '2026-11-26T14:00:00Z', still.status);
  assert.equal(fixed.changed, true);
  assert.equal(transition(fixed.status, PolicyCond.ScheduleValid), '2026-11-26T14:00:00Z');
  assert.equal(transition(fixed.status, PolicyCond.Ready), '2026-11-26T14:00:00Z');
  assert.equal(fixed.status.nextRunTime, '2026-11-27T02:00:00Z');
});

test('a new generation is a change even when nothing else is', () => {
  const first = pass({}, 3, '2026-11-26T10:00:00Z');
  const p = dublinPolicy({}, first.status);
  p.metadata.generation = GEN + 1;
  const s = computePolicyStatus(p, 3, new Date('2026-11-26T10:00:00Z'));
  assert.equal(policyStatusChanged(p, s), true);
  assert.equal(s.observedGeneration, GEN + 1);
  assert.equal(transition(s, PolicyCond.Ready), '2026-11-26T10:00:00Z');
});

test('policyStatusChanged ignores the key order of the stored status', () => {
  const { status } = pass({}, 3, '2026-11-26T10:00:00Z');
  const reordered = Object.fromEntries(Object.entries(status).reverse()) as BackupPolicyStatus;
  assert.notDeepEqual(Object.keys(reordered), Object.keys(status));
  assert.equal(policyStatusChanged(dublinPolicy({}, reordered), status), false);
});
