// The Incident CRD against a real API server: it installs and is established, a valid Incident is
// accepted with its defaults (severity high, a 72-hour window), each invalid one is refused with a
// message naming the field and the rule, status is written only through the status subresource,
// and `kubectl get inc` shows the printer columns from the status the engine computes.
// Objects get names unique to this run, so the file can run next to others on one cluster.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { Incident } from '../../src/api/generated/index.js';
import { evaluateIncident, type TenantFacts } from '../../src/incident/index.js';
import { incidentCommand } from '../../src/incident-command.js';
import type { NoticeReport } from '../../src/incident/report.js';
import { kubectl, kubectlOk, testKubeconfig } from '../support/kubectl.js';
import { installTenantryCrds } from '../support/prerequisites.js';

const RUN = randomBytes(3).toString('hex');
const created: string[] = [];

function incident(name: string, spec: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    apiVersion: 'tenantry.io/v1alpha1',
    kind: 'Incident',
    metadata: { name },
    spec: { detectedAt: '2026-03-02T10:00:00Z', summary: 'credentials leaked', affected: { tenants: ['acme'] }, ...spec },
  };
}

void describe('Incident CRD', () => {
  before(async () => {
    await installTenantryCrds('incidents');
  });

  after(async () => {
    for (const ref of created.reverse()) await kubectl(['delete', ref, '--ignore-not-found', '--wait=false']);
  });

  void test('a valid Incident is accepted with its defaults', async () => {
    const spec = {
      affected: { selector: { matchExpressions: [{ key: 'cluster', operator: 'In', values: ['db-7'] }] }, regions: ['eu-west-1'] },
      authorities: ['BfDI'],
      dataCategories: ['contact data'],
      notifications: [
        { audience: 'customer', tenant: 'acme', notifiedAt: '2026-03-03T09:00:00Z', reference: 'T-1' },
        { audience: 'authority', authority: 'BfDI', notifiedAt: '2026-03-03T10:00:00Z' },
      ],
      rootCause: 'a public bucket policy',
      actions: ['bucket policies are checked in CI'],
    };
    const out = JSON.parse(
      await kubectlOk(['create', '--dry-run=server', '-o', 'json', '-f', '-'], JSON.stringify(incident(`inc-valid-${RUN}`, spec))),
    ) as Incident;
    assert.equal(out.spec.severity, 'high');
    assert.equal(out.spec.notificationWindowHours, 72);
  });

  const invalid: [string, Record<string, unknown>, string][] = [
    ['nothing affected', { affected: {} }, 'spec.affected must set at least one of selector, tenants (non-empty) or regions (non-empty)'],
    ['empty tenant list only', { affected: { tenants: [] } }, 'spec.affected must set at least one'],
    ['a tenant name that is no DNS label', { affected: { tenants: ['Acme_1'] } }, 'spec.affected.tenants[] must be a tenant name'],
    ['unknown severity', { severity: 'severe' }, 'spec.severity'],
    ['window of 0 hours', { notificationWindowHours: 0 }, 'spec.notificationWindowHours'],
    ['detectedAt not a date-time', { detectedAt: 'yesterday' }, 'spec.detectedAt'],
    [
      'customer notification without tenant',
      { notifications: [{ audience: 'customer', authority: 'BfDI', notifiedAt: '2026-03-03T09:00:00Z' }] },
      'spec.notifications[] with audience customer must set tenant and not authority',
    ],
    [
      'authority notification naming a tenant',
      { notifications: [{ audience: 'authority', authority: 'BfDI', tenant: 'acme', notifiedAt: '2026-03-03T09:00:00Z' }] },
      'spec.notifications[] with audience authority must set authority and not tenant',
    ],
    [
      'In without values',
      { affected: { selector: { matchExpressions: [{ key: 'cluster', operator: 'In' }] } } },
      'values must be non-empty for In and NotIn',
    ],
  ];
  for (const [name, spec, message] of invalid)
    void test(`refused: ${name}`, async () => {
      const r = await kubectl(['create', '--dry-run=server', '-f', '-'], JSON.stringify(incident(`inc-bad-${RUN}`, spec)));
      assert.notEqual(r.code, 0, `accepted:\n${r.stdout}`);
      assert.ok(r.stderr.includes(message), `stderr does not contain "${message}":\n${r.stderr}`);
    });

  void test('status only through the subresource; kubectl get inc shows the engine status', async () => {
    const name = `inc-status-${RUN}`;
    const obj = incident(name, { authorities: ['BfDI'], severity: 'critical' }) as unknown as Incident;
    await kubectlOk(['create', '-f', '-'], JSON.stringify(obj));
    created.push(`incident/${name}`);
    const tenants: TenantFacts[] = [{ name: 'acme', uid: 'u1', region: 'eu-west-1', plan: 'business', labels: {} }];
    const { status } = evaluateIncident({ ...obj.spec, notificationWindowHours: 72 }, undefined, tenants, new Date('2026-03-06T00:00:00Z'));
    await kubectlOk(['patch', 'incident', name, '--type', 'merge', '-p', JSON.stringify({ status })]);
    const ignored = JSON.parse(await kubectlOk(['get', 'incident', name, '-o', 'json'])) as Incident;
    assert.equal(ignored.status, undefined, 'a patch of the main resource does not write status');
    await kubectlOk(['patch', 'incident', name, '--subresource=status', '--type', 'merge', '-p', JSON.stringify({ status })]);
    const table = await kubectlOk(['get', 'inc', name]);
    const [header, row] = table.trim().split('\n');
    assert.match(header ?? '', /^NAME\s+SEVERITY\s+DETECTED\s+DEADLINE\s+AFFECTED\s+PENDING\s+OVERDUE\s+PHASE\s+AGE$/);
    assert.match(row ?? '', new RegExp(`^${name}\\s+critical\\s+\\S+\\s+2026-03-05T10:00:00Z\\s+1\\s+0\\s+2\\s+Overdue\\s+`));
    const stored = JSON.parse(await kubectlOk(['get', 'incident', name, '-o', 'json'])) as Incident;
    assert.deepEqual(stored.status?.notices, status.notices);

    // `tenantry incident notices NAME` reads it from the cluster and re-evaluates at its clock.
    let stdout = '';
    let stderr = '';
    const code = await incidentCommand({ kubeconfig: testKubeconfig(), output: 'json' }, ['notices', name], {
      stdout: (t) => (stdout += t),
      stderr: (t) => (stderr += t),
      readStdin: () => '',
      clock: () => new Date('2026-03-04T10:00:00Z'),
    });
    assert.equal(code, 0, stderr);
    const report = JSON.parse(stdout) as NoticeReport;
    assert.deepEqual(
      report.customers.map((c) => [c.tenant, c.region, c.plan, c.state]),
      [['acme', 'eu-west-1', 'business', 'Pending']],
    );
    assert.equal(report.timeLeftSeconds, 24 * 3600);
  });
});
