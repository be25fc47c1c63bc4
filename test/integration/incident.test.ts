// Breach notices (P13) against the real API server: an Incident over a label selector marks exactly
// the matching tenants with BreachNotificationPending, keeps that set when tenants are relabelled
// (additions only through its spec), counts down, turns overdue at detectedAt + 72 h, and clears
// tenant by tenant as notifications are recorded in its spec. Events, metrics included.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { Incident, Tenant } from '../../src/api/generated/index.js';
import { applyObjects, condition, eventually, getJson, listJson, testTenant } from '../support/cluster.js';
import { kubectlOk } from '../support/kubectl.js';
import { startOperator, testConfig, type TestOperator } from '../support/operator.js';
import { ENCRYPTED_CLASS, installPrerequisites } from '../support/prerequisites.js';
import { sleep } from '../env/proc.js';

const RUN = randomBytes(3).toString('hex');
const SELECTOR = `tenantry.io/test=${RUN}-incident`;
const [LABEL_KEY, LABEL_VALUE] = SELECTOR.split('=') as [string, string];
/** The label the incidents select affected tenants by. */
const AFFECTED_KEY = `breach-${RUN}`;
const HOUR_MS = 3600_000;
const COND = 'BreachNotificationPending';

/** A tenant of this test's shard, with extra labels. */
function tenant(name: string, extra: Record<string, string> = {}): Tenant {
  return testTenant(name, { [LABEL_KEY]: LABEL_VALUE, ...extra });
}

/** An Incident of this test's shard over the tenants labelled AFFECTED_KEY=value. */
function incident(name: string, value: string, detectedAt: Date, extra: Partial<Incident['spec']> = {}): Incident {
  return {
    apiVersion: 'tenantry.io/v1alpha1',
    kind: 'Incident',
    metadata: { name, labels: { [LABEL_KEY]: LABEL_VALUE } },
    spec: {
      detectedAt: detectedAt.toISOString(),
      summary: 'credentials of the support tool leaked',
      severity: 'high',
      affected: { selector: { matchLabels: { [AFFECTED_KEY]: value } } },
      dataCategories: ['contact data'],
      ...extra,
    },
  } as Incident;
}

/** Records a customer notification in an Incident's spec, as the incident manager would (a JSON patch appending one item). */
async function recordNotice(name: string, tenantName: string, at: Date): Promise<void> {
  const current = await getJson<Incident>('incident', name);
  const list = current?.spec.notifications ?? [];
  const item = { audience: 'customer', tenant: tenantName, notifiedAt: at.toISOString(), reference: `ticket-${tenantName}` };
  const patch =
    list.length === 0
      ? [{ op: 'add', path: '/spec/notifications', value: [item] }]
      : [{ op: 'add', path: '/spec/notifications/-', value: item }];
  await kubectlOk(['patch', 'incident', name, '--type=json', '-p', JSON.stringify(patch)]);
}

/** Waits until the tenant's BreachNotificationPending is as wanted (undefined: absent) and returns the tenant. */
async function waitBreach(name: string, want: { reason: string } | undefined, timeoutMs = 20_000): Promise<Tenant> {
  return eventually(
    `${name} ${COND} ${want ? want.reason : 'absent'}`,
    async () => {
      const t = await getJson<Tenant>('tenant', name);
      const c = condition(t, COND);
      if (!t?.status?.conditions) return undefined;
      if (!want) return c === undefined ? t : undefined;
      return c?.status === 'True' && c.reason === want.reason ? t : undefined;
    },
    timeoutMs,
  );
}

/** Waits until an Incident's status satisfies `ok`. */
async function waitIncident(name: string, what: string, ok: (i: Incident) => boolean, timeoutMs = 20_000): Promise<Incident> {
  return eventually(
    `incident ${name}: ${what}`,
    async () => {
      const i = await getJson<Incident>('incident', name);
      return i?.status && ok(i) ? i : undefined;
    },
    timeoutMs,
  );
}

/** Names of an incident's affected tenants, sorted. */
function affected(i: Incident): string[] {
  return (i.status?.affectedTenants ?? []).map((t) => t.name).sort();
}

/** Reads one series of the operator's /metrics by its exact labels. */
async function series(port: number, name: string, labels: string): Promise<number | undefined> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name}{${labels}}`));
  return line === undefined ? undefined : Number(line.split(' ').pop());
}

describe('incidents (P13)', () => {
  let op: TestOperator;
  const names: string[] = [];

  before(async () => {
    await installPrerequisites();
    op = await startOperator({ identity: `incident-${RUN}`, config: testConfig('nginx', ENCRYPTED_CLASS), tenantSelector: SELECTOR });
  });
  after(async () => {
    await op?.stop();
    await kubectlOk(['delete', 'incidents', '-l', SELECTOR, '--wait=false', '--ignore-not-found']);
    for (const n of names) await kubectlOk(['delete', 'tenant', n, '--wait=false', '--ignore-not-found']);
  });

  test('a selector marks exactly the matching tenants, relabelling changes nothing, spec additions do, notices clear tenant by tenant', async (t) => {
    const [a, b, c] = [`a-${RUN}`, `b-${RUN}`, `c-${RUN}`];
    names.push(a, b, c);
    await applyObjects([tenant(a, { [AFFECTED_KEY]: 'x' }), tenant(b, { [AFFECTED_KEY]: 'x' }), tenant(c)]);
    const inc = `leak-${RUN}`;
    const detectedAt = new Date(Date.now() - HOUR_MS);
    await applyObjects([incident(inc, 'x', detectedAt)]);

    const frozen = await waitIncident(inc, 'affected tenants frozen', (i) => affected(i).length > 0);
    assert.deepEqual(affected(frozen), [a, b].sort());
    const deadline = frozen.status?.deadline ?? '';
    assert.equal(new Date(deadline).getTime(), detectedAt.getTime() + 72 * HOUR_MS, 'deadline = detectedAt + 72 h');
    assert.equal(frozen.status?.phase, 'Open');
    assert.equal(frozen.status?.pendingCustomerNotices, 2);
    const left = frozen.status?.timeLeftSeconds ?? 0;
    assert.ok(left > 70 * 3600 && left <= 71 * 3600, `time left ${left} s`);

    // What `kubectl get inc` shows (its printer columns), for the runbook.
    t.diagnostic(await kubectlOk(['get', 'inc', inc]));
    for (const n of [a, b]) {
      const tn = await waitBreach(n, { reason: 'NoticePending' });
      assert.match(
        condition(tn, COND)?.message ?? '',
        new RegExp(`incident ${inc}: customer notice due by ${deadline.replace(/\./g, '\\.')}`),
      );
    }
    await sleep(1000);
    assert.equal(condition(await getJson<Tenant>('tenant', c), COND), undefined, 'a tenant not selected is not marked');

    // Relabelled afterwards: b leaves the selector, c joins it; the frozen set stays as it was.
    await kubectlOk(['label', 'tenant', b, `${AFFECTED_KEY}-`]);
    await kubectlOk(['label', 'tenant', c, `${AFFECTED_KEY}=x`]);
    await sleep(3000);
    const after = await getJson<Incident>('incident', inc);
    assert.ok(after);
    assert.deepEqual(affected(after), [a, b].sort(), 'relabelling neither removes nor adds a tenant');
    await waitBreach(b, { reason: 'NoticePending' });
    assert.equal(condition(await getJson<Tenant>('tenant', c), COND), undefined, 'a tenant labelled later is not added');

    // Added through the spec: now c is affected.
    await kubectlOk(['patch', 'incident', inc, '--type=merge', '-p', JSON.stringify({ spec: { affected: { tenants: [c] } } })]);
    await waitIncident(inc, 'c added', (i) => affected(i).includes(c));
    await waitBreach(c, { reason: 'NoticePending' });
    assert.deepEqual(affected((await getJson<Incident>('incident', inc))!), [a, b, c].sort());

    // Notices recorded one by one clear one tenant each.
    await recordNotice(inc, a, new Date());
    await waitBreach(a, undefined);
    await waitBreach(b, { reason: 'NoticePending' });
    await recordNotice(inc, b, new Date());
    await recordNotice(inc, c, new Date());
    await waitBreach(b, undefined);
    await waitBreach(c, undefined);
    t.diagnostic(await kubectlOk(['get', 'inc', inc]));
    const done = await waitIncident(inc, 'all notified', (i) => i.status?.pendingCustomerNotices === 0);
    assert.deepEqual(
      (done.status?.notices ?? []).filter((n) => n.audience === 'customer').map((n) => n.state),
      ['Notified', 'Notified', 'Notified'],
    );
    assert.equal(done.status?.phase, 'Notified');
    // Settled: no write while nothing changes (the countdown is rewritten once a minute this far from the deadline).
    const rv = done.metadata.resourceVersion;
    await kubectlOk(['label', 'tenant', a, `touched=${RUN}`]);
    await sleep(2000);
    assert.equal((await getJson<Incident>('incident', inc))?.metadata.resourceVersion, rv, 'an unchanged incident is not rewritten');
    assert.equal(await series(op.healthPort, 'tenantry_incident_pending_notifications', `incident="${inc}",audience="customer"`), 0);
    const events = await listJson<{ reason: string; message: string }>('events', [
      '-n',
      'default',
      '--field-selector',
      `involvedObject.name=${inc}`,
    ]);
    assert.ok(
      events.some((e) => e.reason === 'IncidentUpdated' && e.message.includes(a)),
      'an Event names the change',
    );
  });

  test('counts down, turns overdue at detectedAt + 72 h, and a notice recorded afterwards is Late and clears the tenant', async (t) => {
    const d = `d-${RUN}`;
    names.push(d);
    await applyObjects([tenant(d, { [AFFECTED_KEY]: 'y' })]);
    const inc = `late-${RUN}`;
    const detectedAt = new Date(Date.now() - 72 * HOUR_MS + 12_000);
    await applyObjects([incident(inc, 'y', detectedAt)]);
    const first = await waitIncident(
      inc,
      'evaluated with time left',
      (i) => affected(i).length === 1 && (i.status?.timeLeftSeconds ?? 0) > 0,
    );
    assert.equal(first.status?.phase, 'Open');
    await waitBreach(d, { reason: 'NoticePending' });
    const deadlineSeconds = (detectedAt.getTime() + 72 * HOUR_MS) / 1000;
    assert.equal(
      await series(op.healthPort, 'tenantry_incident_notification_deadline_timestamp_seconds', `incident="${inc}"`),
      deadlineSeconds,
    );
    assert.equal(await series(op.healthPort, 'tenantry_incident_pending_notifications', `incident="${inc}",audience="customer"`), 1);

    const t1 = first.status?.timeLeftSeconds ?? 0;
    await waitIncident(inc, 'counting down', (i) => (i.status?.timeLeftSeconds ?? 0) > 0 && (i.status?.timeLeftSeconds ?? 0) < t1, 15_000);

    const overdue = await waitIncident(inc, 'overdue', (i) => i.status?.phase === 'Overdue', 20_000);
    assert.ok(Date.now() >= deadlineSeconds * 1000, 'not overdue before the deadline');
    assert.equal(overdue.status?.timeLeftSeconds, 0);
    assert.equal(overdue.status?.overdueNotices, 1);
    assert.equal(overdue.status?.notices?.find((n) => n.name === d)?.state, 'Overdue');
    t.diagnostic(await kubectlOk(['get', 'inc', inc]));
    const td = await waitBreach(d, { reason: 'NoticeOverdue' });
    assert.match(condition(td, COND)?.message ?? '', new RegExp(`incident ${inc}: customer notice overdue since`));
    const events = await listJson<{ reason: string; type: string }>('events', [
      '-n',
      'default',
      '--field-selector',
      `involvedObject.name=${inc}`,
    ]);
    assert.ok(
      events.some((e) => e.reason === 'IncidentNoticeOverdue' && e.type === 'Warning'),
      'a Warning Event when a notice is overdue',
    );

    await recordNotice(inc, d, new Date());
    await waitBreach(d, undefined);
    const late = await waitIncident(inc, 'late notice', (i) => i.status?.notices?.find((n) => n.name === d)?.state === 'Late');
    assert.equal(late.status?.pendingCustomerNotices, 0);
    assert.equal(await series(op.healthPort, 'tenantry_incident_pending_notifications', `incident="${inc}",audience="customer"`), 0);
  });
});
