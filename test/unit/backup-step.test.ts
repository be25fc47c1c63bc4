// The backup part of a tenant's reconcile as a pure function: which policy applies, the objects the
// tenant needs (credentials copy, ServiceAccount, NetworkPolicies, CronJob), and BackupHealthy,
// RestoreWithinObjective and lastBackup from what the bucket shows. Rows with fixed dates; then
// the same inputs at two times, which must give the same status so it is not rewritten every pass.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Reason } from '../../src/api/conditions.js';
import type { BackupPolicy, Tenant } from '../../src/api/generated/index.js';
import type { BackupSummary } from '../../src/controller/backup-observer.js';
import { planBackupStep, policyNameFor, type BackupStepInput, type BackupStepOutput } from '../../src/controller/backup-step.js';
import {
  BACKUP_CREDENTIALS_SECRET,
  BACKUP_CRONJOB_NAME,
  BACKUP_SERVICE_ACCOUNT,
  buildContext,
  isBuildContextError,
  type BuildContext,
  type Manifest,
} from '../../src/resources/index.js';
import { fixtureConfig, fixtureTenant } from '../support/resources-fixture.js';
import { fixturePolicy } from '../support/policy-fixture.js';

type Json = Record<string, unknown>;

const NOW = '2026-11-26T10:00:00Z';
const ROLE = 'arn:aws:iam::123456789012:role/tenantry-backup-{tenant}';
const KEYS = { AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCY' };
const GiB = 1024 ** 3;
const TiB = 1024 ** 4;

function ctxFor(opts: { spec?: Partial<Tenant['spec']>; backup?: Json; createdAt?: string } = {}): BuildContext {
  const tenant = fixtureTenant('acme', 'postgres', opts.spec ?? {});
  tenant.metadata.creationTimestamp = new Date(opts.createdAt ?? '2026-01-01T00:00:00Z');
  const ctx = buildContext(
    tenant,
    fixtureConfig('nginx', { backup: { serviceAccountAnnotations: { 'eks.amazonaws.com/role-arn': ROLE }, ...opts.backup } }),
  );
  if (isBuildContextError(ctx)) throw new Error(ctx.error);
  return ctx;
}

const withCredentials = () => fixturePolicy({}, { credentialsSecretRef: { name: 's3-backup', namespace: 'tenantry-system' } });

/** A backup as the observer summarises it from its manifest. */
function backup(id: string, startedAt: string, over: Partial<BackupSummary> = {}): BackupSummary {
  return {
    id,
    startedAt: new Date(startedAt),
    completedAt: new Date(new Date(startedAt).getTime() + 186_377),
    storedBytes: 2 * GiB + 12345,
    plaintextBytes: 10 * GiB,
    durationSeconds: 186.377,
    verification: { method: 'hash', verifiedAt: startedAt, seconds: 40, bytesPerSecond: 900e6 },
    ...over,
  };
}

const TODAY = backup('20261126T020004Z-a1b2c3', '2026-11-26T02:00:04.123Z');
const DRILL = backup('20261120T020000Z-d1d1d1', '2026-11-20T02:00:00Z', {
  verification: { method: 'drill', verifiedAt: '2026-11-20T02:09:00Z', seconds: 200, bytesPerSecond: 50e6 },
});

function input(over: Partial<BackupStepInput> = {}): BackupStepInput {
  return { ctx: ctxFor(), policyName: 'nightly', policy: fixturePolicy(), now: new Date(NOW), ...over };
}

const find = (ms: Manifest[], kind: string, name?: string): Manifest => {
  const m = ms.find((x) => x.kind === kind && (name === undefined || x.metadata.name === name));
  assert.ok(m, `no ${kind} ${name ?? ''} among ${ms.map((x) => `${x.kind}/${x.metadata.name}`).join(', ')}`);
  return m;
};
const at = (v: unknown, ...path: (string | number)[]): unknown =>
  path.reduce<unknown>((o, k) => (o as Record<string | number, unknown> | undefined)?.[k], v);

// --- which policy ----------------------------------------------------------------------------

test('policyNameFor: the tenant’s policy, else the configured default, else none', () => {
  assert.equal(policyNameFor(ctxFor({ spec: { backupPolicyRef: { name: 'hourly' } }, backup: { defaultPolicy: 'nightly' } })), 'hourly');
  assert.equal(policyNameFor(ctxFor({ backup: { defaultPolicy: 'nightly' } })), 'nightly');
  assert.equal(policyNameFor(ctxFor({ spec: { backupPolicyRef: { name: 'hourly' } } })), 'hourly');
  assert.equal(policyNameFor(ctxFor()), undefined);
});

// --- what stops the step -----------------------------------------------------------------------

interface BlockedRow {
  name: string;
  input: BackupStepInput;
  reason: string;
  message: RegExp;
}

const blocked: BlockedRow[] = [
  {
    name: 'no policy applies',
    input: input({ policyName: undefined, policy: undefined }),
    reason: Reason.NoBackupPolicy,
    message: /^no BackupPolicy applies to this tenant: set spec\.backupPolicyRef, or backup\.defaultPolicy in the operator configuration/,
  },
  {
    name: 'no policy name, even if a policy object is passed',
    input: input({ policyName: undefined }),
    reason: Reason.NoBackupPolicy,
    message: /^no BackupPolicy applies/,
  },
  {
    name: 'the named policy does not exist',
    input: input({ policy: undefined }),
    reason: Reason.BackupPolicyNotFound,
    message: /^BackupPolicy nightly does not exist: create it or change spec\.backupPolicyRef$/,
  },
  {
    name: 'the policy’s bucket is in another region',
    input: input({ policy: fixturePolicy({}, { region: 'us-east-1', bucket: 'tenantry-backups-us-east-1' }) }),
    reason: Reason.PolicyRegionMismatch,
    message:
      /^BackupPolicy nightly stores backups in us-east-1, but the tenant lives in eu-west-1: backups never leave a tenant's region; use a policy of region eu-west-1$/,
  },
  {
    name: 'another region wins over a bad schedule and missing credentials',
    input: input({ policy: fixturePolicy({ schedule: 'nope' }, { region: 'us-east-1' }), credentials: new Error('gone') }),
    reason: Reason.PolicyRegionMismatch,
    message: /stores backups in us-east-1/,
  },
  {
    name: 'an invalid schedule',
    input: input({ policy: fixturePolicy({ schedule: '0 2 * *' }) }),
    reason: Reason.ScheduleInvalid,
    message: /^BackupPolicy nightly: spec\.schedule "0 2 \* \*" has 4 fields/,
  },
  {
    name: 'an unknown time zone',
    input: input({ policy: fixturePolicy({ timeZone: 'Europe/Atlantis' }) }),
    reason: Reason.UnknownTimeZone,
    message: /^BackupPolicy nightly: spec\.timeZone "Europe\/Atlantis" /,
  },
  {
    name: 'the policy’s credentials cannot be read',
    input: input({ policy: withCredentials(), credentials: new Error('Secret tenantry-system/s3-backup lacks AWS_SECRET_ACCESS_KEY') }),
    reason: Reason.BackupCredentialsMissing,
    message: /^BackupPolicy nightly: Secret tenantry-system\/s3-backup lacks AWS_SECRET_ACCESS_KEY$/,
  },
];

for (const r of blocked) {
  test(`planBackupStep is blocked when ${r.name}`, () => {
    const out = planBackupStep(r.input);
    assert.equal(out.blocked, true);
    assert.deepEqual(out.manifests, [], 'a blocked step applies nothing');
    assert.equal(out.health.status, 'False');
    assert.equal(out.health.reason, r.reason);
    assert.match(out.health.message, r.message);
    assert.equal(out.objective, undefined);
    assert.equal(out.lastBackup, undefined);
    assert.equal(out.recheckAt, undefined);
  });
}

// --- the objects ---------------------------------------------------------------------------------

test('with static credentials: the credentials Secret comes first, holding the values base64-encoded, and the ServiceAccount has no role', () => {
  const out = planBackupStep(input({ policy: withCredentials(), credentials: { ...KEYS, EXTRA: 'not copied' } }));
  assert.equal(out.blocked, undefined);
  assert.deepEqual(
    out.manifests.map((m) => `${m.kind}/${m.metadata.name}`),
    [
      `Secret/${BACKUP_CREDENTIALS_SECRET}`,
      `ServiceAccount/${BACKUP_SERVICE_ACCOUNT}`,
      'NetworkPolicy/allow-backup-to-database',
      'NetworkPolicy/allow-database-from-backup',
      'NetworkPolicy/allow-backup-egress',
      `CronJob/${BACKUP_CRONJOB_NAME}`,
    ],
  );
  const secret = out.manifests[0]!;
  assert.equal(secret.metadata.namespace, 'tenant-acme');
  assert.deepEqual(secret.data, {
    AWS_ACCESS_KEY_ID: Buffer.from('AKIDEXAMPLE').toString('base64'),
    AWS_SECRET_ACCESS_KEY: Buffer.from('wJalrXUtnFEMI/K7MDENG+bPxRfiCY').toString('base64'),
  });
  const decoded = Object.fromEntries(
    Object.entries(secret.data as Record<string, string>).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]),
  );
  assert.deepEqual(decoded, KEYS);
  assert.deepEqual(find(out.manifests, 'ServiceAccount').metadata.annotations ?? {}, {}, 'two identities would leave the SDK to pick one');
  const pod = at(find(out.manifests, 'CronJob'), 'spec', 'jobTemplate', 'spec', 'template', 'spec');
  assert.ok(JSON.stringify(pod).includes(`"${BACKUP_CREDENTIALS_SECRET}"`), 'the agent reads the copied Secret');
});

test('without credentials: no Secret, and the ServiceAccount is set up for workload identity', () => {
  const out = planBackupStep(input());
  assert.equal(
    out.manifests.some((m) => m.kind === 'Secret'),
    false,
  );
  assert.deepEqual(
    out.manifests.map((m) => `${m.kind}/${m.metadata.name}`),
    [
      `ServiceAccount/${BACKUP_SERVICE_ACCOUNT}`,
      'NetworkPolicy/allow-backup-to-database',
      'NetworkPolicy/allow-database-from-backup',
      'NetworkPolicy/allow-backup-egress',
      `CronJob/${BACKUP_CRONJOB_NAME}`,
    ],
  );
  const sa = find(out.manifests, 'ServiceAccount');
  assert.deepEqual(sa.metadata.annotations, { 'eks.amazonaws.com/role-arn': 'arn:aws:iam::123456789012:role/tenantry-backup-acme' });
  assert.equal(sa.automountServiceAccountToken, false);
  assert.equal(JSON.stringify(out.manifests).includes(BACKUP_CREDENTIALS_SECRET), false, 'nothing references a Secret that is not there');
});

const suspendRows: { name: string; policy: Partial<BackupPolicy['spec']>; restoring?: boolean; suspend: boolean }[] = [
  { name: 'runs normally', policy: {}, suspend: false },
  { name: 'not restoring, explicitly', policy: {}, restoring: false, suspend: false },
  { name: 'is suspended while a restore replaces the data in place', policy: {}, restoring: true, suspend: true },
  { name: 'is suspended with its policy', policy: { suspend: true }, suspend: true },
  { name: 'is suspended with its policy during a restore', policy: { suspend: true }, restoring: true, suspend: true },
];

for (const r of suspendRows) {
  test(`the CronJob ${r.name}`, () => {
    const out = planBackupStep(
      input({ policy: fixturePolicy(r.policy), ...(r.restoring !== undefined ? { restoring: r.restoring } : {}) }),
    );
    const cron = find(out.manifests, 'CronJob', BACKUP_CRONJOB_NAME);
    assert.equal(at(cron, 'spec', 'suspend'), r.suspend);
    assert.equal(at(cron, 'spec', 'schedule'), '0 2 * * *');
    assert.equal(at(cron, 'spec', 'timeZone'), 'UTC');
  });
}

// --- health, objective and lastBackup ------------------------------------------------------------

interface HealthRow {
  name: string;
  input: BackupStepInput;
  health: [status: 'True' | 'False' | 'Unknown', reason: string, message: RegExp];
  recheckAt?: string;
  objective?: [status: 'True' | 'False' | 'Unknown', reason: string, message: RegExp];
  lastBackup?: NonNullable<BackupStepOutput['lastBackup']>;
}

const TODAY_LAST = { id: TODAY.id, time: '2026-11-26T02:00:04Z', sizeBytes: 2 * GiB + 12345, durationSeconds: 186.4, verified: true };

const health: HealthRow[] = [
  {
    name: "today's verified backup: fresh until tomorrow's run plus grace",
    input: input({ observation: { count: 5, newestVerified: TODAY, observedAt: new Date(NOW) } }),
    health: [
      'True',
      Reason.BackupFresh,
      /^newest verified backup 20261126T020004Z-a1b2c3 started 2026-11-26T02:00:04(?:\.123)?Z; the policy \(0 2 \* \* \* UTC\) expects the next by 2026-11-27T02:00:00Z \(\+2h grace\)$/,
    ],
    recheckAt: '2026-11-27T04:00:00Z',
    objective: [
      'Unknown',
      Reason.NoRestoreDrill,
      /^projected restore \S+ for 10 GiB at 100 MB\/s \(fleet default: no restore drill of this tenant yet\) \+ 5m fixed, objective 8h; a restore drill will measure the real speed$/,
    ],
    lastBackup: TODAY_LAST,
  },
  {
    name: 'the grace comes from the configuration',
    input: input({
      ctx: ctxFor({ backup: { staleGraceSeconds: 1800 } }),
      observation: { count: 5, newestVerified: TODAY, observedAt: new Date(NOW) },
    }),
    health: ['True', Reason.BackupFresh, /expects the next by 2026-11-27T02:00:00Z \(\+30m grace\)$/],
    recheckAt: '2026-11-27T02:30:00Z',
    objective: ['Unknown', Reason.NoRestoreDrill, /fleet default/],
    lastBackup: TODAY_LAST,
  },
  {
    name: 'a restore drill sets the speed of the projection (not the newest backup’s hash check)',
    input: input({ observation: { count: 5, newestVerified: TODAY, newestDrill: DRILL, observedAt: new Date(NOW) } }),
    health: ['True', Reason.BackupFresh, /^newest verified backup 20261126T020004Z-a1b2c3 /],
    recheckAt: '2026-11-27T04:00:00Z',
    objective: [
      'True',
      Reason.RestoreProjectedWithinObjective,
      /^projected restore \S+ for 10 GiB at 50 MB\/s \(drill 2026-11-20\) \+ 5m fixed, objective 8h$/,
    ],
    lastBackup: TODAY_LAST,
  },
  {
    name: 'a tenant too large to restore within the objective at the drill’s speed',
    input: input({
      observation: { count: 5, newestVerified: { ...TODAY, plaintextBytes: 4 * TiB }, newestDrill: DRILL, observedAt: new Date(NOW) },
    }),
    health: ['True', Reason.BackupFresh, /^newest verified backup /],
    recheckAt: '2026-11-27T04:00:00Z',
    objective: [
      'False',
      Reason.RestoreProjectedOverObjective,
      /^projected restore \S+ for 4 TiB at 50 MB\/s \(drill 2026-11-20\) .*; to meet it, restores must run at /,
    ],
    lastBackup: TODAY_LAST,
  },
  {
    name: 'yesterday’s backup after today’s run plus grace: stale',
    input: input({ now: new Date('2026-11-27T05:00:00Z'), observation: { count: 5, newestVerified: TODAY, observedAt: new Date(NOW) } }),
    health: [
      'False',
      Reason.BackupStale,
      /^newest verified backup 20261126T020004Z-a1b2c3 started 2026-11-26T02:00:04(?:\.123)?Z; the policy \(0 2 \* \* \* UTC\) expected one by 2026-11-27T02:00:00Z \(\+2h grace\): check the tenant's backup CronJob and its last Job$/,
    ],
    objective: ['Unknown', Reason.NoRestoreDrill, /fleet default/],
    lastBackup: TODAY_LAST,
  },
  {
    name: 'an old tenant without any verified backup',
    input: input({ observation: { count: 0, observedAt: new Date(NOW) } }),
    health: ['False', Reason.NoBackupYet, /^no verified backup yet; the policy \(0 2 \* \* \* UTC\) expected the first by /],
  },
  {
    name: 'a tenant created an hour ago: no backup expected yet',
    input: input({ ctx: ctxFor({ createdAt: '2026-11-26T09:00:00Z' }), observation: { count: 0, observedAt: new Date(NOW) } }),
    health: [
      'Unknown',
      Reason.NoBackupYet,
      /^no verified backup yet for this new tenant; the policy \(0 2 \* \* \* UTC\) expects the first by 2026-11-27T02:00:00Z \(\+2h grace\)$/,
    ],
    recheckAt: '2026-11-27T04:00:00Z',
  },
  {
    name: 'no observation (the operator cannot see the bucket): judged as having no backup',
    input: input(),
    health: ['False', Reason.NoBackupYet, /^no verified backup yet/],
  },
  {
    name: 'a suspended policy',
    input: input({ policy: fixturePolicy({ suspend: true }), observation: { count: 5, newestVerified: TODAY, observedAt: new Date(NOW) } }),
    health: [
      'False',
      Reason.BackupsSuspended,
      /^the backup policy is suspended, so no new backups are taken; newest verified backup 20261126T020004Z-a1b2c3 started 2026-11-26T02:00:04(?:\.123)?Z\. Set spec\.suspend to false/,
    ],
    objective: ['Unknown', Reason.NoRestoreDrill, /fleet default/],
    lastBackup: TODAY_LAST,
  },
  {
    name: 'an unreadable bucket for an old tenant: False, saying why',
    input: input({
      observation: { count: 0, error: 'cannot list s3://tenantry-backups-eu-west-1/acme/: AccessDenied', observedAt: new Date(NOW) },
    }),
    health: [
      'False',
      Reason.BackupStoreUnreadable,
      /^cannot list s3:\/\/tenantry-backups-eu-west-1\/acme\/: AccessDenied; no verified backup yet; /,
    ],
  },
  {
    name: 'an unreadable bucket for a new tenant stays Unknown',
    input: input({
      ctx: ctxFor({ createdAt: '2026-11-26T09:00:00Z' }),
      observation: { count: 0, error: 'timeout', observedAt: new Date(NOW) },
    }),
    health: ['Unknown', Reason.BackupStoreUnreadable, /^timeout; no verified backup yet for this new tenant; /],
    recheckAt: '2026-11-27T04:00:00Z',
  },
  {
    name: 'an unreadable bucket never reports True, even with a fresh backup known',
    input: input({ observation: { count: 5, newestVerified: TODAY, error: 'timeout', observedAt: new Date(NOW) } }),
    health: ['Unknown', Reason.BackupStoreUnreadable, /^timeout; newest verified backup 20261126T020004Z-a1b2c3 started /],
    recheckAt: '2026-11-27T04:00:00Z',
    objective: ['Unknown', Reason.NoRestoreDrill, /fleet default/],
    lastBackup: TODAY_LAST,
  },
  {
    name: 'lastBackup: a whole-second start, a duration rounded to a tenth',
    input: input({
      observation: {
        count: 1,
        newestVerified: backup('20261126T020000Z-000001', '2026-11-26T02:00:00Z', { durationSeconds: 59.96, storedBytes: 0 }),
        observedAt: new Date(NOW),
      },
    }),
    health: ['True', Reason.BackupFresh, /^newest verified backup 20261126T020000Z-000001 started 2026-11-26T02:00:00Z;/],
    recheckAt: '2026-11-27T04:00:00Z',
    objective: ['Unknown', Reason.NoRestoreDrill, /fleet default/],
    lastBackup: { id: '20261126T020000Z-000001', time: '2026-11-26T02:00:00Z', sizeBytes: 0, durationSeconds: 60, verified: true },
  },
];

for (const r of health) {
  test(`planBackupStep: ${r.name}`, () => {
    const out = planBackupStep(r.input);
    assert.equal(out.blocked, undefined);
    assert.ok(out.manifests.length > 0, 'a step that is not blocked applies the backup objects');
    assert.deepEqual([out.health.status, out.health.reason], r.health.slice(0, 2));
    assert.match(out.health.message, r.health[2]);
    assert.equal(out.recheckAt?.toISOString().replace('.000Z', 'Z'), r.recheckAt);
    if (r.objective) {
      assert.ok(out.objective, 'no objective condition');
      assert.deepEqual([out.objective.status, out.objective.reason], r.objective.slice(0, 2));
      assert.match(out.objective.message, r.objective[2]);
    } else {
      assert.equal(out.objective, undefined, 'no objective without a verified backup');
    }
    assert.deepEqual(out.lastBackup, r.lastBackup);
  });
}

// --- stable between passes -----------------------------------------------------------------------

// The operator writes status only when it changed: a message with a relative age ("8h old") would
// change it every pass. Same inputs an hour apart, within the same window, must give the same output.
const stable: { name: string; now: string; input: Partial<BackupStepInput> }[] = [
  { name: 'fresh', now: NOW, input: { observation: { count: 5, newestVerified: TODAY, newestDrill: DRILL, observedAt: new Date(NOW) } } },
  { name: 'fresh, no drill', now: NOW, input: { observation: { count: 5, newestVerified: TODAY, observedAt: new Date(NOW) } } },
  { name: 'stale', now: '2026-11-28T10:00:00Z', input: { observation: { count: 5, newestVerified: TODAY, observedAt: new Date(NOW) } } },
  { name: 'no backup yet, old tenant', now: NOW, input: { observation: { count: 0, observedAt: new Date(NOW) } } },
  {
    name: 'no backup yet, new tenant',
    now: NOW,
    input: { ctx: ctxFor({ createdAt: '2026-11-26T09:00:00Z' }), observation: { count: 0, observedAt: new Date(NOW) } },
  },
  {
    name: 'suspended',
    now: NOW,
    input: { policy: fixturePolicy({ suspend: true }), observation: { count: 5, newestVerified: TODAY, observedAt: new Date(NOW) } },
  },
  { name: 'bucket unreadable', now: NOW, input: { observation: { count: 0, error: 'timeout', observedAt: new Date(NOW) } } },
  { name: 'blocked', now: NOW, input: { policy: undefined } },
];

for (const r of stable) {
  test(`the same inputs an hour apart give the same output: ${r.name}`, () => {
    const t = Date.parse(r.now);
    const a = planBackupStep(input({ ...r.input, now: new Date(t) }));
    const b = planBackupStep(input({ ...r.input, now: new Date(t + 3600_000) }));
    assert.deepEqual(b.health, a.health);
    assert.deepEqual(b.objective, a.objective);
    assert.deepEqual(b.lastBackup, a.lastBackup);
    assert.deepEqual(b.recheckAt, a.recheckAt);
    assert.deepEqual(b.manifests, a.manifests);
    assert.doesNotMatch(JSON.stringify([a.health, a.objective]), /\b\d+(\.\d+)?\s*(s|m|h|d|min|hours?|days?) (old|ago)\b/);
  });
}

test('the output changes when the window does: fresh turns stale exactly at recheckAt', () => {
  const obs = { count: 5, newestVerified: TODAY, observedAt: new Date(NOW) };
  const fresh = planBackupStep(input({ observation: obs }));
  assert.ok(fresh.recheckAt);
  const before = planBackupStep(input({ observation: obs, now: new Date(fresh.recheckAt.getTime() - 1) }));
  const after = planBackupStep(input({ observation: obs, now: fresh.recheckAt }));
  assert.deepEqual(before.health, fresh.health);
  assert.equal(after.health.reason, Reason.BackupStale);
  assert.equal(after.recheckAt, undefined);
});

test('planBackupStep leaves its inputs alone and is deterministic', () => {
  const i = input({
    policy: withCredentials(),
    credentials: { ...KEYS },
    observation: { count: 5, newestVerified: TODAY, newestDrill: DRILL, observedAt: new Date(NOW) },
  });
  const before = structuredClone(i);
  const a = planBackupStep(i);
  assert.deepEqual(i, before);
  assert.deepEqual(planBackupStep(i), a);
});
