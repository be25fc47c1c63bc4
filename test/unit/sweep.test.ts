// The decisions of `tenantry sweep`: which tenants lag their lifecycle (phase, an overdue nextAt, a
// stalled erasure), which backup prefixes are leftovers to delete (only an Erased Tenant with its
// receipt in the archive under its uid), left alone (a live tenant) or reported and never deleted
// (no Tenant, a receipt without a Tenant, a receipt of another uid, another region), which key
// aliases are orphans, and the command's usage errors. Fixed dates only.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Tenant, TenantStatusLifecycle } from '../../src/api/generated/index.js';
import { evaluate } from '../../src/lifecycle/engine.js';
import {
  decideAlias,
  decidePrefix,
  destinationBase,
  emptySummary,
  ERASURE_STALL_MS,
  isTenantName,
  lagReasons,
  prefixName,
  receiptFolder,
  SWEEP_GRACE_MS,
  type PrefixDecision,
  type PrefixFacts,
} from '../../src/lifecycle/sweep.js';
import { TENANT_ALIAS_PREFIX } from '../../src/lifecycle/sweep-sources.js';
import { DEFAULT_DURATIONS } from '../../src/lifecycle/types.js';
import { sweepCommand, type SweepFlags } from '../../src/sweep-command.js';

const NOW = new Date('2026-06-01T12:00:00Z');
const MIN = 60_000;
const iso = (ms: number) => new Date(NOW.getTime() + ms).toISOString();

function tenant(name: string, lifecycle?: TenantStatusLifecycle, spec: Partial<Tenant['spec']> = {}): Tenant {
  return {
    apiVersion: 'tenantry.io/v1alpha1',
    kind: 'Tenant',
    metadata: { name, uid: `uid-${name}` },
    spec: { plan: 'paid', region: 'eu-west-1', database: { engine: 'postgres' }, ...spec },
    ...(lifecycle ? { status: { lifecycle } } : {}),
  };
}

const RECEIPT = { location: 's3://tenantry-archive-eu-west-1/receipts/gone/uid-gone.json', erasedAt: '2026-05-01T00:00:00Z' };
const erased = (name: string, region = 'eu-west-1') =>
  tenant(name, { phase: 'Erased', reason: 'TrialEnded', receipt: RECEIPT }, { plan: 'trial', region: region as 'eu-west-1' });
const archived = (t: Tenant) => ({ kind: 'ErasureReceipt', tenant: t.metadata.name, uid: t.metadata.uid, region: t.spec.region });

describe('lagReasons: a tenant whose status lags the rules', () => {
  const lag = (t: Tenant) => lagReasons(t, evaluate(t, NOW, DEFAULT_DURATIONS), NOW);

  test('a paid tenant whose status says Active does not lag', () => {
    assert.deepEqual(lag(tenant('acme', { phase: 'Active', reason: 'Paid' })), []);
  });

  test('no status.lifecycle yet lags (the reconciler never wrote it)', () => {
    const r = lag(tenant('acme'));
    assert.equal(r.length, 1);
    assert.match(r[0]!, /phase is \(unset\), the rules say Active/);
  });

  test('a trial that ended yesterday but still shows Active lags: the rules say Suspended', () => {
    const t = tenant('trial', { phase: 'Active', reason: 'Trial' }, { plan: 'trial', lifecycle: { trialEndsAt: iso(-24 * 60 * MIN) } });
    assert.match(lag(t).join(), /phase is Active, the rules say Suspended/);
  });

  test('nextAt overdue: at the grace it is not lagging yet, 1 ms beyond it is', () => {
    const ends = new Date(NOW.getTime() + 30 * 24 * 60 * MIN).toISOString();
    const spec = { plan: 'trial' as const, lifecycle: { trialEndsAt: ends } };
    const at = tenant('t', { phase: 'Active', reason: 'Trial', nextAt: iso(-SWEEP_GRACE_MS) }, spec);
    assert.deepEqual(lag(at), []);
    const beyond = tenant('t', { phase: 'Active', reason: 'Trial', nextAt: iso(-SWEEP_GRACE_MS - 1) }, spec);
    assert.match(lag(beyond).join(), /nextAt .* passed more than 10 minutes ago/);
  });

  test('an erasure started more than an hour ago and not Erased is stalled; one started 59 minutes ago is not', () => {
    const spec = { plan: 'trial' as const, lifecycle: { trialEndsAt: '2026-01-01T00:00:00Z' } };
    const recent = tenant('e', { phase: 'Erasing', reason: 'TrialEnded', erasure: { startedAt: iso(-59 * MIN) } }, spec);
    assert.deepEqual(lag(recent), []);
    const stalled = tenant('e', { phase: 'Erasing', reason: 'TrialEnded', erasure: { startedAt: iso(-ERASURE_STALL_MS - 1) } }, spec);
    assert.match(lag(stalled).join(), /erasure started at .* not finished after 1 h/);
  });

  test('an Erased tenant never lags, whatever its stale fields say', () => {
    const t = erased('gone');
    t.status!.lifecycle!.nextAt = iso(-48 * 60 * MIN);
    t.status!.lifecycle!.erasure = { startedAt: iso(-48 * 60 * MIN) };
    assert.deepEqual(lag(t), []);
  });
});

describe('decidePrefix: given tenants, prefixes and receipts, what the sweep does', () => {
  const live = tenant('live', { phase: 'Active', reason: 'Paid' });
  const closed = tenant('closed', { phase: 'Closed', reason: 'Cancelled' });
  const erasing = tenant('erasing', { phase: 'Erasing', reason: 'TrialEnded', erasure: { startedAt: iso(-MIN) } });
  const gone = erased('gone');
  const noStatusReceipt = tenant('half', { phase: 'Erased', reason: 'TrialEnded' });
  const otherRegion = erased('far', 'us-east-1');
  const cases: [string, PrefixFacts, PrefixDecision['action'], string][] = [
    [
      'an Erased tenant with its receipt under its uid: leftovers, deleted',
      { name: 'gone', region: 'eu-west-1', tenant: gone, receipt: archived(gone) },
      'delete',
      'leftovers',
    ],
    ['a live tenant: left alone', { name: 'live', region: 'eu-west-1', tenant: live }, 'keep', 'live'],
    ['a Closed tenant (data kept until its date): left alone', { name: 'closed', region: 'eu-west-1', tenant: closed }, 'keep', 'live'],
    [
      'a tenant being erased: left alone (the operator erases it)',
      { name: 'erasing', region: 'eu-west-1', tenant: erasing },
      'keep',
      'live',
    ],
    ['no Tenant, no receipt: orphaned, reported', { name: 'nobody', region: 'eu-west-1', nameHasReceipt: false }, 'report', 'orphaned'],
    ['not a tenant name: orphaned, reported', { name: 'Backup_Old', region: 'eu-west-1' }, 'report', 'orphaned'],
    [
      'no Tenant, but a receipt of the name: unproven, reported',
      { name: 'nobody', region: 'eu-west-1', nameHasReceipt: true },
      'report',
      'unproven',
    ],
    ['Erased in status but no receipt in the archive: unproven', { name: 'gone', region: 'eu-west-1', tenant: gone }, 'report', 'unproven'],
    [
      'a receipt of another uid (an earlier tenant of the name): unproven',
      { name: 'gone', region: 'eu-west-1', tenant: gone, receipt: { ...archived(gone), uid: 'uid-earlier' } },
      'report',
      'unproven',
    ],
    [
      'phase Erased without the status receipt: left alone (the operator has not finished)',
      { name: 'half', region: 'eu-west-1', tenant: noStatusReceipt, receipt: archived(noStatusReceipt) },
      'keep',
      'live',
    ],
    [
      "a folder holding another policy's destination (an Erased tenant of the same name): left alone",
      { name: 'gone', region: 'eu-west-1', tenant: gone, receipt: archived(gone), holdsDestinationOf: 'nightly-prod' },
      'keep',
      'live',
    ],
    [
      'an Erased tenant of another region under this destination: unproven',
      { name: 'far', region: 'eu-west-1', tenant: otherRegion, receipt: archived(otherRegion) },
      'report',
      'unproven',
    ],
  ];
  for (const [name, facts, action, category] of cases) {
    test(name, () => {
      const d = decidePrefix(facts);
      assert.equal(d.action, action, JSON.stringify(d));
      assert.equal(d.category, category);
      if (d.action === 'delete') assert.deepEqual([d.tenant, d.uid], [facts.tenant!.metadata.name, facts.tenant!.metadata.uid]);
      if (d.action === 'report') assert.ok(d.why.length > 0);
    });
  }

  test('an Erased Tenant without a uid is never deleted from', () => {
    const t = erased('gone');
    delete t.metadata.uid;
    assert.equal(decidePrefix({ name: 'gone', region: 'eu-west-1', tenant: t, receipt: archived(gone) }).action, 'report');
  });

  test('only the delete decision deletes: of every case above exactly one deletes', () => {
    assert.equal(cases.filter(([, f]) => decidePrefix(f).action === 'delete').length, 1);
  });
});

describe('decideAlias: tenant key aliases are reported, never deleted', () => {
  test('a live, an erased and an unknown tenant', () => {
    assert.deepEqual(decideAlias({ name: 'live', tenant: tenant('live', { phase: 'Active', reason: 'Paid' }), hasReceipt: false }), {
      category: 'live',
    });
    assert.deepEqual(decideAlias({ name: 'gone', tenant: erased('gone'), hasReceipt: false }), { category: 'erased' });
    assert.deepEqual(decideAlias({ name: 'deleted-after-erasure', hasReceipt: true }), { category: 'erased' });
    const orphan = decideAlias({ name: 'nobody', hasReceipt: false });
    assert.equal(orphan.category, 'orphaned');
  });
});

describe('names and prefixes', () => {
  test('prefixName takes exactly one segment under the base', () => {
    assert.equal(prefixName('tenantry/prod/', 'tenantry/prod/acme/'), 'acme');
    assert.equal(prefixName('', 'acme/'), 'acme');
    assert.equal(prefixName('tenantry/prod/', 'tenantry/other/acme/'), undefined);
    assert.equal(prefixName('tenantry/prod/', 'tenantry/prod/acme'), undefined);
    assert.equal(prefixName('tenantry/prod/', 'tenantry/prod/'), undefined);
  });

  test('destinationBase normalises slashes as the store does', () => {
    assert.equal(destinationBase(undefined), '');
    assert.equal(destinationBase(''), '');
    assert.equal(destinationBase('/tenantry/prod/'), 'tenantry/prod/');
  });

  test('tenant names are DNS labels', () => {
    assert.ok(isTenantName('acme-2'));
    for (const bad of ['', 'Acme', '-acme', 'acme-', 'a_b', 'x'.repeat(64)]) assert.ok(!isTenantName(bad), bad);
  });

  test('the receipt folder and the alias prefix match the archive and the tenant keys', () => {
    assert.equal(receiptFolder('acme'), 'receipts/acme/');
    assert.equal(TENANT_ALIAS_PREFIX, 'alias/tenantry/');
  });

  test('an empty summary counts nothing', () => {
    const s = emptySummary(true);
    assert.equal(s.dryRun, true);
    assert.equal(s.errors + s.lagging + s.prefixes.leftovers + s.keys.orphaned, 0);
  });
});

describe('tenantry sweep usage errors exit 64 before reading anything', () => {
  const run = async (flags: SweepFlags, positionals: string[] = []) => {
    let stdout = '';
    const code = await sweepCommand(flags, positionals, { stdout: (t) => (stdout += t), clock: () => NOW });
    return { code, stdout };
  };
  test('-o other than table or json', async () => {
    assert.deepEqual(await run({ output: 'yaml' }), { code: 64, stdout: '' });
  });
  test('a positional argument', async () => {
    assert.deepEqual(await run({}, ['now']), { code: 64, stdout: '' });
  });
  test('a configuration file that does not exist', async () => {
    assert.deepEqual(await run({ config: '/nonexistent/tenantry-config.yaml' }), { code: 64, stdout: '' });
  });
});
