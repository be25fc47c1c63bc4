// A Restore's next step is a pure function of what the caches and the bucket show, so every branch
// is a row with fixed dates: which tenant to create, when the Job may start (never across regions,
// only from a resolved backup, only once the target is held at zero) and the status to report.
// The last tests replay a restore pass by pass, each pass reading the status the previous wrote.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Restore, RestoreStatus, Tenant } from '../../src/api/generated/index.js';
import {
  CREATED_BY_RESTORE_ANNOTATION,
  planRestore,
  RESTORED_FROM_LABEL,
  restoreDone,
  restoreTarget,
  type RestoreInput,
  type RestorePlan,
} from '../../src/controller/restore-plan.js';
import { restoreJobName } from '../../src/resources/index.js';
import { fixtureTenant } from '../support/resources-fixture.js';
import { fixturePolicy } from '../support/policy-fixture.js';

const NOW = '2026-11-26T10:00:00Z';
const GEN = 1;
const ID = '20261126T020000Z-a1b2c3';
const NEWER_ID = '20261127T020000Z-b4c5d6';
const PINNED_ID = '20261120T020000Z-0f0f0f';

type Target = Restore['spec']['target'];
type JobStatus = NonNullable<NonNullable<RestoreInput['job']>['status']>;

/** The tenant whose backups are restored: with a host, which a copy must not take. */
function sourceTenant(spec: Partial<Tenant['spec']> = {}): Tenant {
  return fixtureTenant('acme', 'mariadb', { plan: 'paid', host: 'shop.acme.example', backupPolicyRef: { name: 'nightly' }, ...spec });
}

function restoreOf(target: Target, opts: { backupId?: string; status?: RestoreStatus; name?: string } = {}): Restore {
  return {
    apiVersion: 'tenantry.io/v1alpha1',
    kind: 'Restore',
    metadata: { name: opts.name ?? 'undo-friday', uid: '0b5e2c1a-0000-4000-8000-000000000002', generation: GEN },
    spec: { tenant: 'acme', ...(opts.backupId !== undefined ? { backupId: opts.backupId } : {}), target },
    ...(opts.status ? { status: opts.status } : {}),
  };
}

/** A tenant the planner created earlier for a restore of acme (or, with other labels, someone else's). */
function copyTenant(
  labels: Record<string, string> = { [RESTORED_FROM_LABEL]: 'acme' },
  region: Tenant['spec']['region'] = 'eu-west-1',
): Tenant {
  const t = fixtureTenant('acme-copy', 'mariadb', { plan: 'paid', region, backupPolicyRef: { name: 'nightly' } });
  t.metadata.labels = labels;
  t.metadata.annotations = { [CREATED_BY_RESTORE_ANNOTATION]: 'undo-friday' };
  return t;
}

function jobOf(status: JobStatus, name = restoreJobName('undo-friday')): NonNullable<RestoreInput['job']> {
  return { apiVersion: 'batch/v1', kind: 'Job', metadata: { name, namespace: 'tenant-acme' }, status };
}

const IN_PLACE: Target = { inPlace: true };
const NEW_TENANT: Target = { newTenant: 'acme-copy' };

function input(over: Partial<RestoreInput> = {}): RestoreInput {
  return {
    restore: restoreOf(IN_PLACE),
    source: sourceTenant(),
    policy: fixturePolicy(),
    latestBackupId: ID,
    targetReady: false,
    now: new Date(NOW),
    ...over,
  };
}

/** What a row expects of a plan; status fields not listed must be absent. */
interface Want {
  phase: RestoreStatus['phase'];
  reason: string;
  message: RegExp;
  ok?: boolean;
  backupId?: string;
  startTime?: string;
  completionTime?: string;
  durationSeconds?: number;
  bytesRestored?: number;
  startJob?: string;
  holds?: string;
  createsTenant?: boolean;
}

interface Row {
  name: string;
  input: RestoreInput;
  want: Want;
}

const running = (over: RestoreStatus = {}): RestoreStatus => ({
  phase: 'Running',
  observedGeneration: GEN,
  backupId: ID,
  startTime: '2026-11-26T09:00:00Z',
  conditions: [
    {
      type: 'Succeeded',
      status: 'False',
      reason: 'Restoring',
      message: 'restoring',
      observedGeneration: GEN,
      lastTransitionTime: '2026-11-26T08:59:00Z',
    },
  ],
  ...over,
});

const rows: Row[] = [
  {
    name: 'the source tenant does not exist',
    input: input({ source: undefined }),
    want: {
      phase: 'Failed',
      reason: 'TenantNotFound',
      message: /^tenant acme does not exist; a Restore reads the backups of an existing tenant$/,
      completionTime: NOW,
    },
  },
  {
    name: 'the source tenant has no BackupPolicy',
    input: input({ policy: undefined }),
    want: {
      phase: 'Failed',
      reason: 'BackupPolicyNotFound',
      message: /^tenant acme has no BackupPolicy, so there is no bucket to restore from$/,
      completionTime: NOW,
    },
  },
  {
    name: "the policy's bucket is in another region than the tenant",
    input: input({ policy: fixturePolicy({}, { region: 'us-east-1' }) }),
    want: {
      phase: 'Failed',
      reason: 'CrossRegionRefused',
      message: /^the backups of acme are in us-east-1, not in its region eu-west-1$/,
      completionTime: NOW,
    },
  },
  {
    name: 'into a new tenant that does not exist yet: create it',
    input: input({ restore: restoreOf(NEW_TENANT) }),
    want: {
      phase: 'Pending',
      reason: 'CreatingTenant',
      message: /^creating tenant acme-copy in eu-west-1 to restore into$/,
      holds: 'acme-copy',
      createsTenant: true,
    },
  },
  {
    name: 'into a new tenant whose name is already taken by a tenant not made for a restore',
    input: input({ restore: restoreOf(NEW_TENANT), target: copyTenant({}) }),
    want: {
      phase: 'Failed',
      reason: 'TargetExists',
      message: /^tenant acme-copy already exists and was not created for this restore; name a new tenant in spec\.target\.newTenant$/,
      completionTime: NOW,
    },
  },
  {
    name: 'into a new tenant made for a restore of another tenant',
    input: input({ restore: restoreOf(NEW_TENANT), target: copyTenant({ [RESTORED_FROM_LABEL]: 'globex' }) }),
    want: {
      phase: 'Failed',
      reason: 'TargetExists',
      message: /^tenant acme-copy already exists and was not created for this restore/,
      completionTime: NOW,
    },
  },
  {
    name: 'into a "new" tenant that is the source itself',
    input: input({ restore: restoreOf({ newTenant: 'acme' }), target: sourceTenant() }),
    want: {
      phase: 'Failed',
      reason: 'TargetExists',
      message: /^tenant acme already exists and was not created for this restore/,
      completionTime: NOW,
    },
  },
  {
    name: 'into a new tenant that is in another region',
    input: input({ restore: restoreOf(NEW_TENANT), target: copyTenant(undefined, 'us-east-1') }),
    want: {
      phase: 'Failed',
      reason: 'CrossRegionRefused',
      message: /^tenant acme-copy is in us-east-1; backups of acme stay in eu-west-1$/,
      completionTime: NOW,
    },
  },
  {
    name: '`latest` when the tenant has no verified backup',
    input: input({ latestBackupId: undefined }),
    want: {
      phase: 'Failed',
      reason: 'NoBackup',
      message: /^tenant acme has no complete and verified backup to restore$/,
      completionTime: NOW,
    },
  },
  {
    name: 'an empty backupId means latest',
    input: input({ latestBackupId: undefined, restore: restoreOf(IN_PLACE, { backupId: '' }) }),
    want: { phase: 'Failed', reason: 'NoBackup', message: /no complete and verified backup/, completionTime: NOW },
  },
  {
    name: '`latest` when the bucket cannot be read: wait, do not fail',
    input: input({ latestBackupId: undefined, storeError: 'cannot list s3://tenantry-backups-eu-west-1/acme/: AccessDenied' }),
    want: {
      phase: 'Pending',
      reason: 'BackupStoreUnreadable',
      message: /^cannot list s3:\/\/tenantry-backups-eu-west-1\/acme\/: AccessDenied$/,
      holds: 'acme',
    },
  },
  {
    name: 'in place, target not ready: wait for the app to be held at zero',
    input: input(),
    want: {
      phase: 'Pending',
      reason: 'WaitingForTarget',
      message: /^waiting for tenant acme to be provisioned and its app scaled to zero$/,
      backupId: ID,
      holds: 'acme',
    },
  },
  {
    name: 'into the new tenant made for it, not ready yet',
    input: input({ restore: restoreOf(NEW_TENANT), target: copyTenant() }),
    want: { phase: 'Pending', reason: 'WaitingForTarget', message: /^waiting for tenant acme-copy /, backupId: ID, holds: 'acme-copy' },
  },
  {
    name: 'a backup named in the spec is used as given, whatever is newest',
    input: input({ restore: restoreOf(IN_PLACE, { backupId: PINNED_ID }), latestBackupId: undefined }),
    want: { phase: 'Pending', reason: 'WaitingForTarget', message: /waiting for tenant acme/, backupId: PINNED_ID, holds: 'acme' },
  },
  {
    name: 'an explicit `latest`',
    input: input({ restore: restoreOf(IN_PLACE, { backupId: 'latest' }) }),
    want: { phase: 'Pending', reason: 'WaitingForTarget', message: /waiting for tenant acme/, backupId: ID, holds: 'acme' },
  },
  {
    name: 'the id resolved earlier is kept when a newer backup lands',
    input: input({ restore: restoreOf(IN_PLACE, { status: { phase: 'Pending', backupId: ID } }), latestBackupId: NEWER_ID }),
    want: { phase: 'Pending', reason: 'WaitingForTarget', message: /waiting for tenant acme/, backupId: ID, holds: 'acme' },
  },
  {
    name: 'the id resolved earlier needs no listing of the bucket',
    input: input({
      restore: restoreOf(IN_PLACE, { status: { phase: 'Pending', backupId: ID } }),
      latestBackupId: undefined,
      storeError: 'timeout',
    }),
    want: { phase: 'Pending', reason: 'WaitingForTarget', message: /waiting for tenant acme/, backupId: ID, holds: 'acme' },
  },
  {
    name: 'target ready and no Job: start it',
    input: input({ targetReady: true }),
    want: {
      phase: 'Running',
      reason: 'Restoring',
      message: /^restoring backup 20261126T020000Z-a1b2c3 into acme \(Job restore-undo-friday\)$/,
      backupId: ID,
      startTime: NOW,
      startJob: ID,
      holds: 'acme',
    },
  },
  {
    name: 'into the new tenant, ready: start the Job there',
    input: input({ restore: restoreOf(NEW_TENANT), target: copyTenant(), targetReady: true }),
    want: {
      phase: 'Running',
      reason: 'Restoring',
      message: /^restoring backup \S+ into acme-copy \(Job restore-undo-friday\)$/,
      backupId: ID,
      startTime: NOW,
      startJob: ID,
      holds: 'acme-copy',
    },
  },
  {
    name: 'a Job that was deleted while running is started again, from the same start time',
    input: input({ restore: restoreOf(IN_PLACE, { status: running() }), targetReady: true, latestBackupId: NEWER_ID }),
    want: {
      phase: 'Running',
      reason: 'Restoring',
      message: /^restoring backup 20261126T020000Z-a1b2c3 into acme/,
      backupId: ID,
      startTime: '2026-11-26T09:00:00Z',
      startJob: ID,
      holds: 'acme',
    },
  },
  {
    name: 'the Job runs',
    input: input({ restore: restoreOf(IN_PLACE, { status: running() }), job: jobOf({ startTime: '2026-11-26T09:00:05Z' }) }),
    want: {
      phase: 'Running',
      reason: 'Restoring',
      message: /^restoring backup 20261126T020000Z-a1b2c3 into acme$/,
      backupId: ID,
      startTime: '2026-11-26T09:00:00Z',
      holds: 'acme',
    },
  },
  {
    name: "a Job found without a recorded start takes the Job's",
    input: input({
      restore: restoreOf(IN_PLACE, { status: { phase: 'Pending', backupId: ID } }),
      job: jobOf({ startTime: '2026-11-26T09:00:05Z' }),
    }),
    want: {
      phase: 'Running',
      reason: 'Restoring',
      message: /^restoring backup/,
      backupId: ID,
      startTime: '2026-11-26T09:00:05Z',
      holds: 'acme',
    },
  },
  {
    name: 'a Job condition that is not True does not count',
    input: input({
      restore: restoreOf(IN_PLACE, { status: running() }),
      job: jobOf({
        conditions: [
          { type: 'Complete', status: 'False' },
          { type: 'Failed', status: 'Unknown' },
        ],
      }),
    }),
    want: {
      phase: 'Running',
      reason: 'Restoring',
      message: /^restoring backup/,
      backupId: ID,
      startTime: '2026-11-26T09:00:00Z',
      holds: 'acme',
    },
  },
  {
    name: 'the Job completed',
    input: input({
      restore: restoreOf(IN_PLACE, { status: running() }),
      job: jobOf({
        startTime: '2026-11-26T09:00:05Z',
        completionTime: '2026-11-26T09:42:30Z',
        conditions: [{ type: 'Complete', status: 'True' }],
      }),
      backupBytes: 5_368_709_120,
    }),
    want: {
      phase: 'Succeeded',
      ok: true,
      reason: 'Restored',
      message: /^backup 20261126T020000Z-a1b2c3 restored into acme$/,
      backupId: ID,
      startTime: '2026-11-26T09:00:00Z',
      completionTime: '2026-11-26T09:42:30Z',
      durationSeconds: 2550,
      bytesRestored: 5_368_709_120,
    },
  },
  {
    name: 'the Job completed, size unknown: no bytesRestored rather than a guess',
    input: input({
      restore: restoreOf(IN_PLACE, { status: running() }),
      job: jobOf({ completionTime: '2026-11-26T09:00:01Z', conditions: [{ type: 'Complete', status: 'True' }] }),
    }),
    want: {
      phase: 'Succeeded',
      ok: true,
      reason: 'Restored',
      message: /restored into acme$/,
      backupId: ID,
      startTime: '2026-11-26T09:00:00Z',
      completionTime: '2026-11-26T09:00:01Z',
      durationSeconds: 1,
    },
  },
  {
    name: 'the Job completed without a completion time: now',
    input: input({
      restore: restoreOf(IN_PLACE, { status: running() }),
      job: jobOf({ conditions: [{ type: 'Complete', status: 'True' }] }),
      backupBytes: 0,
    }),
    want: {
      phase: 'Succeeded',
      ok: true,
      reason: 'Restored',
      message: /restored into acme$/,
      backupId: ID,
      startTime: '2026-11-26T09:00:00Z',
      completionTime: NOW,
      durationSeconds: 3600,
      bytesRestored: 0,
    },
  },
  {
    name: 'the Job failed',
    input: input({
      restore: restoreOf(IN_PLACE, { status: running() }),
      job: jobOf({ conditions: [{ type: 'Failed', status: 'True', message: 'Job has reached the specified backoff limit' }] }),
    }),
    want: {
      phase: 'Failed',
      reason: 'RestoreJobFailed',
      message:
        /^Job tenant-acme\/restore-undo-friday failed: Job has reached the specified backoff limit; the live data was only replaced if the load completed \(see kubectl logs job\/restore-undo-friday -n tenant-acme\)$/,
      backupId: ID,
      startTime: '2026-11-26T09:00:00Z',
      completionTime: NOW,
    },
  },
  {
    name: 'the Job failed without a message',
    input: input({ restore: restoreOf(IN_PLACE, { status: running() }), job: jobOf({ conditions: [{ type: 'Failed', status: 'True' }] }) }),
    want: {
      phase: 'Failed',
      reason: 'RestoreJobFailed',
      message: /^Job tenant-acme\/restore-undo-friday failed; the live data/,
      backupId: ID,
      startTime: '2026-11-26T09:00:00Z',
      completionTime: NOW,
    },
  },
];

const STATUS_FIELDS = ['backupId', 'startTime', 'completionTime', 'durationSeconds', 'bytesRestored'] as const;

function check(plan: RestorePlan, want: Want): void {
  const s = plan.status;
  assert.equal(s.phase, want.phase, 'phase');
  assert.equal(s.observedGeneration, GEN, 'observedGeneration');
  assert.equal(s.conditions?.length, 1, 'one condition');
  const c = s.conditions?.[0];
  assert.equal(c?.type, 'Succeeded');
  assert.equal(c?.status, want.ok ? 'True' : 'False', 'Succeeded.status');
  assert.equal(c?.reason, want.reason, 'Succeeded.reason');
  assert.match(c?.message ?? '', want.message, 'Succeeded.message');
  assert.equal(c?.observedGeneration, GEN);
  for (const f of STATUS_FIELDS) assert.equal(s[f], want[f], `status.${f}`);
  assert.equal(plan.startJob?.backupId, want.startJob, 'startJob');
  assert.equal(plan.holds, want.holds, 'holds');
  assert.equal(plan.createTenant !== undefined, want.createsTenant === true, 'createTenant');
}

for (const r of rows) {
  test(`planRestore: ${r.name}`, () => {
    check(planRestore(r.input), r.want);
  });
}

test('planRestore: every plan of the table is deterministic and leaves its input alone', () => {
  for (const r of rows) {
    const before = structuredClone(r.input);
    const a = planRestore(r.input);
    assert.deepEqual(r.input, before, `${r.name}: input changed`);
    assert.deepEqual(planRestore(r.input), a, `${r.name}: not deterministic`);
  }
});

// --- the tenant created to restore into ---------------------------------------------------------

test('the tenant created for a restore into a new tenant copies region, plan, engine and policy, but not the host', () => {
  const source = sourceTenant({ region: 'us-east-1', database: { engine: 'postgres' }, displayName: 'ACME Inc.' });
  const plan = planRestore(input({ restore: restoreOf(NEW_TENANT), source, policy: fixturePolicy({}, { region: 'us-east-1' }) }));
  const t = plan.createTenant;
  assert.ok(t);
  assert.equal(t.apiVersion, 'tenantry.io/v1alpha1');
  assert.equal(t.kind, 'Tenant');
  assert.equal(t.metadata.name, 'acme-copy');
  assert.deepEqual(
    t.metadata.labels,
    { [RESTORED_FROM_LABEL]: 'acme' },
    'only the restored-from label; none of the source’s GitOps labels',
  );
  assert.deepEqual(
    t.metadata.annotations,
    { [CREATED_BY_RESTORE_ANNOTATION]: 'undo-friday' },
    'only the Restore that made it may write into it',
  );
  assert.equal(t.metadata.uid, undefined);
  assert.equal(t.spec.region, 'us-east-1');
  assert.equal(t.spec.plan, 'paid');
  assert.deepEqual(t.spec.database, { engine: 'postgres' });
  assert.deepEqual(t.spec.backupPolicyRef, { name: 'nightly' });
  assert.equal('host' in t.spec, false, 'the copy must never claim the original’s host');
  assert.equal(t.status, undefined);
  // The source is not changed by the copy.
  assert.equal(source.spec.host, 'shop.acme.example');
  assert.match(plan.status.conditions?.[0]?.message ?? '', /^creating tenant acme-copy in us-east-1 /);
});

test('a restore in place never creates a tenant, whatever the target input says', () => {
  const plan = planRestore(input({ target: undefined }));
  assert.equal(plan.createTenant, undefined);
  assert.equal(restoreTarget(restoreOf(IN_PLACE)), 'acme');
  assert.equal(restoreTarget(restoreOf(NEW_TENANT)), 'acme-copy');
});

// --- terminal restores ---------------------------------------------------------------------------

for (const phase of ['Succeeded', 'Failed'] as const) {
  test(`a ${phase} restore is left as it is, whatever the world now shows`, () => {
    const status: RestoreStatus = {
      phase,
      observedGeneration: GEN,
      backupId: ID,
      completionTime: '2026-11-20T10:00:00Z',
      conditions: [
        {
          type: 'Succeeded',
          status: phase === 'Succeeded' ? 'True' : 'False',
          reason: 'X',
          message: 'done',
          lastTransitionTime: '2026-11-20T10:00:00Z',
        },
      ],
    };
    const restore = restoreOf(NEW_TENANT, { status });
    assert.equal(restoreDone(restore), true);
    for (const over of [
      {},
      { source: undefined },
      { policy: fixturePolicy({}, { region: 'us-east-1' }) },
      { target: undefined, targetReady: true },
      { job: jobOf({ conditions: [{ type: 'Failed', status: 'True' }] }) },
    ] as Partial<RestoreInput>[]) {
      const plan = planRestore(input({ restore, ...over }));
      assert.deepEqual(plan, { status }, JSON.stringify(over));
    }
  });
}

test('restoreDone is false before the end', () => {
  for (const phase of [undefined, 'Pending', 'Running'] as const) {
    assert.equal(restoreDone(restoreOf(IN_PLACE, phase ? { status: { phase } } : {})), false, String(phase));
  }
});

// --- pass by pass --------------------------------------------------------------------------------

/** Runs one pass on the Restore as stored after the previous pass, and stores the result. */
function passOf(restore: Restore, over: Partial<RestoreInput>, now: string): { plan: RestorePlan; restore: Restore } {
  const plan = planRestore(input({ restore, now: new Date(now), ...over }));
  return { plan, restore: { ...restore, status: plan.status } };
}

const transition = (p: RestorePlan) => p.status.conditions?.[0]?.lastTransitionTime;

test('into a new tenant, pass by pass: create, wait, start, run, succeed', () => {
  let restore = restoreOf(NEW_TENANT);
  const copy = copyTenant();
  // 1. The copy does not exist: create it.
  let step = passOf(restore, { latestBackupId: ID }, '2026-11-26T10:00:00Z');
  assert.ok(step.plan.createTenant);
  assert.equal(step.plan.status.backupId, undefined, 'no backup resolved before the target exists');
  restore = step.restore;
  // 2. It exists, not ready; the backup id is resolved and recorded.
  step = passOf(restore, { target: copy, latestBackupId: ID }, '2026-11-26T10:00:05Z');
  assert.equal(step.plan.status.phase, 'Pending');
  assert.equal(step.plan.status.backupId, ID);
  assert.equal(step.plan.createTenant, undefined);
  assert.equal(transition(step.plan), '2026-11-26T10:00:00Z', 'still not succeeded: the transition time stays');
  restore = step.restore;
  // 3. A newer backup lands meanwhile; the target becomes ready: the Job starts with the recorded id.
  step = passOf(restore, { target: copy, latestBackupId: NEWER_ID, targetReady: true }, '2026-11-26T10:01:00Z');
  assert.equal(step.plan.status.phase, 'Running');
  assert.deepEqual(step.plan.startJob, { backupId: ID });
  assert.equal(step.plan.status.startTime, '2026-11-26T10:01:00Z');
  restore = step.restore;
  // 4. The Job runs; an unchanged pass gives an identical status, so nothing is written.
  const job = jobOf({ startTime: '2026-11-26T10:01:02Z' });
  step = passOf(restore, { target: copy, latestBackupId: NEWER_ID, targetReady: true, job }, '2026-11-26T10:05:00Z');
  assert.equal(step.plan.startJob, undefined, 'a Job that exists is not started again');
  const runningStatus = step.plan.status;
  restore = step.restore;
  step = passOf(restore, { target: copy, latestBackupId: NEWER_ID, targetReady: true, job }, '2026-11-26T10:20:00Z');
  assert.deepEqual(step.plan.status, runningStatus);
  assert.equal(transition(step.plan), '2026-11-26T10:00:00Z');
  restore = step.restore;
  // 5. The Job completes: Succeeded, its transition now, the duration from the recorded start.
  const done = jobOf({
    startTime: '2026-11-26T10:01:02Z',
    completionTime: '2026-11-26T10:31:00.500Z',
    conditions: [{ type: 'Complete', status: 'True' }],
  });
  step = passOf(
    restore,
    { target: copy, latestBackupId: NEWER_ID, targetReady: true, job: done, backupBytes: 1234 },
    '2026-11-26T10:31:05Z',
  );
  assert.equal(step.plan.status.phase, 'Succeeded');
  assert.equal(step.plan.status.backupId, ID);
  assert.equal(step.plan.status.durationSeconds, 1800.5);
  assert.equal(step.plan.status.bytesRestored, 1234);
  assert.equal(step.plan.holds, undefined, 'a finished restore holds nothing');
  assert.equal(transition(step.plan), '2026-11-26T10:31:05Z');
  restore = step.restore;
  // 6. Done: later passes change nothing, even when the Job is gone.
  const after = passOf(restore, { target: copy, latestBackupId: NEWER_ID }, '2026-11-27T10:00:00Z');
  assert.deepEqual(after.plan, { status: step.plan.status });
});

test('in place, pass by pass: an unreadable bucket waits, then the restore resolves and fails with the Job', () => {
  let restore = restoreOf(IN_PLACE);
  let step = passOf(restore, { latestBackupId: undefined, storeError: 'timeout' }, '2026-11-26T10:00:00Z');
  assert.equal(step.plan.status.phase, 'Pending');
  assert.equal(step.plan.status.backupId, undefined, 'nothing resolved: the tenant is not held for it');
  restore = step.restore;
  step = passOf(restore, { latestBackupId: ID, targetReady: true }, '2026-11-26T10:01:00Z');
  assert.equal(step.plan.status.phase, 'Running');
  assert.equal(transition(step.plan), '2026-11-26T10:00:00Z');
  restore = step.restore;
  step = passOf(
    restore,
    { latestBackupId: ID, job: jobOf({ conditions: [{ type: 'Failed', status: 'True', message: 'DeadlineExceeded' }] }) },
    '2026-11-26T18:01:00Z',
  );
  assert.equal(step.plan.status.phase, 'Failed');
  assert.equal(step.plan.status.backupId, ID, 'the failed restore still says which backup it tried');
  assert.equal(step.plan.status.startTime, '2026-11-26T10:01:00Z');
  assert.equal(step.plan.status.completionTime, '2026-11-26T18:01:00Z');
  assert.equal(transition(step.plan), '2026-11-26T10:00:00Z', 'Succeeded stays False: its transition time does not move');
  assert.match(step.plan.status.conditions?.[0]?.message ?? '', /^Job tenant-acme\/restore-undo-friday failed: DeadlineExceeded;/);
});

test('a new generation is reported in the status and its condition', () => {
  const restore = restoreOf(IN_PLACE, { status: running() });
  restore.metadata.generation = 2;
  const plan = planRestore(input({ restore, job: jobOf({}) }));
  assert.equal(plan.status.observedGeneration, 2);
  assert.equal(plan.status.conditions?.[0]?.observedGeneration, 2);
  assert.equal(transition(plan), '2026-11-26T08:59:00Z');
});

test("review 8: a Tenant created to restore into carries the source's shard labels (so this operator serves it), never its other labels", () => {
  const source = fixtureTenant('acme', 'mariadb', { plan: 'paid', backupPolicyRef: { name: 'nightly' } });
  source.metadata.labels = { shard: 'eu-1', 'argocd.argoproj.io/instance': 'tenants' };
  const plan = planRestore(input({ restore: restoreOf(NEW_TENANT), source, shardLabels: { shard: 'eu-1' } }));
  assert.deepEqual(plan.createTenant?.metadata.labels, { shard: 'eu-1', [RESTORED_FROM_LABEL]: 'acme' });
});
