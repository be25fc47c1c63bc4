// The erasure runner against a fake world (a backup prefix, a namespace, a KMS key, a billing
// archive, receipts and an audit log) whose effects are idempotent as the interface demands, and a
// fake status store. The restart tests crash the runner before and after every step's side effect
// and before and after every status write, then start a new runner from the stored status only:
// the erasure must complete exactly once, with no step skipped and no finished step run again.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Tenant, TenantStatus } from '../../src/api/generated/index.js';
import { BILLING_RECHECK_MS, ErasureRunner, NAMESPACE_RECHECK_MS, type ErasureRunnerDeps } from '../../src/controller/erasure.js';
import type { ErasureAuditRecord, ErasureEffects, ErasureReceiptDocument } from '../../src/lifecycle/erasure-effects.js';
import { ERASURE_CONDITION, ERASURE_STEPS, ErasureEventReason, type ErasureStepName } from '../../src/lifecycle/erasure-plan.js';
import { ERASE_NOW_ANNOTATION, LifecycleReason, type LifecycleEvaluation } from '../../src/lifecycle/types.js';
import { storedTenant } from '../support/fake-cluster.js';
import { captureGlobalLog, type GlobalCapturedLog } from '../support/log-capture.js';

let log: GlobalCapturedLog;
before(() => {
  log = captureGlobalLog('info');
});
after(() => log.restore());

const T0 = Date.parse('2026-03-13T00:00:00Z');
const KEY_ID = 'arn:aws:kms:eu-west-1:111122223333:key/tenant-acme';
const BILLING = 's3://archive-eu-west-1/billing/uid/acme.tar';
const RECEIPT = 's3://archive-eu-west-1/receipts/uid/acme.json';

/** Thrown by the fakes to stop the runner, as a SIGKILL would. */
class Crash extends Error {}

type Point = 'beforeEffect' | 'afterEffect' | 'beforeWrite' | 'afterWrite';
/** Where to crash: at a step's effect or its status write ('start' is the write of startedAt). */
interface CrashAt {
  step: ErasureStepName | 'start';
  point: Point;
}

const EVALUATION: LifecycleEvaluation = {
  phase: 'Erasing',
  reason: LifecycleReason.TrialEnded,
  since: new Date(T0),
  eraseAt: new Date(T0),
  next: null,
  erasureBlocked: null,
  problems: [],
  timeline: [],
};

function tenant(spec: Partial<Tenant['spec']> = {}, meta: Partial<Tenant['metadata']> = {}): Tenant {
  return storedTenant(
    'acme',
    { plan: 'trial', lifecycle: { trialEndsAt: '2026-03-01T00:00:00Z', billingExport: { tables: ['invoices'] } }, ...spec },
    meta,
  );
}

/** The world the effects change, the stored status, and what happened, with optional crash points. */
class World {
  backups = new Map<string, number>([
    ['tenants/acme/20260301T020000Z/db.enc', 700],
    ['tenants/acme/20260301T020000Z/files.enc', 300],
    ['tenants/acme/20260302T020000Z/db.enc', 710],
  ]);
  namespace: 'ours' | 'foreign' | 'terminating' | 'gone' = 'ours';
  /** How many more calls a deleted namespace stays terminating. */
  terminatingCalls = 0;
  key: { state: 'Enabled' | 'PendingDeletion'; deletionDate?: string } = { state: 'Enabled' };
  billing: { location: string; objects: number; bytes: number } | undefined;
  receipts = new Map<string, ErasureReceiptDocument>();
  auditLog: ErasureAuditRecord[] = [];
  /** Effect calls that went through (side effect performed or found already done), per step. */
  performed = new Map<string, number>();
  /** Effect calls made for a step the stored status already shows as finished, or before an earlier step finished. */
  violations: string[] = [];
  stored: TenantStatus = {};
  statusWrites: TenantStatus[] = [];
  events: { type: string; reason: string; message: string }[] = [];
  exportPending = 0;
  failBackups = 0;
  crash: CrashAt | undefined;
  dead = false;
  now = T0;

  private maybeCrash(step: CrashAt['step'], point: Point): void {
    if (this.dead) throw new Crash('the process is gone');
    if (this.crash?.step === step && this.crash.point === point) {
      this.crash = undefined;
      this.dead = true;
      throw new Crash(`crash ${point} ${step}`);
    }
  }

  /** Records an effect call and checks the order against the stored status. */
  private enter(step: ErasureStepName): void {
    this.maybeCrash(step, 'beforeEffect');
    const done = new Set((this.stored.lifecycle?.erasure?.steps ?? []).map((s) => s.name));
    const dry = this.stored.lifecycle?.erasure?.dryRun === true;
    if (!dry && done.has(step)) this.violations.push(`${step} run again after it finished`);
    for (const earlier of ERASURE_STEPS.slice(0, ERASURE_STEPS.indexOf(step))) {
      if (!done.has(earlier)) this.violations.push(`${step} run before ${earlier} finished`);
    }
  }

  private leave(step: ErasureStepName): void {
    this.performed.set(step, (this.performed.get(step) ?? 0) + 1);
    this.maybeCrash(step, 'afterEffect');
  }

  /** The step a status write records (the last entry it adds), or 'start'. */
  private stepOfWrite(status: TenantStatus): CrashAt['step'] {
    const before = this.stored.lifecycle?.erasure;
    const after = status.lifecycle?.erasure;
    if (after?.startedAt !== before?.startedAt) return 'start';
    return after?.steps?.at(-1)?.name ?? 'start';
  }

  private async exportBilling(): ReturnType<ErasureEffects['exportBilling']> {
    this.enter('BillingExport');
    if (this.exportPending > 0) {
      this.exportPending--;
      return { objects: 0, bytes: 0, message: 'export Job running', pending: true };
    }
    // A deterministic object key: a second export finds the first and reuses it.
    this.billing ??= { location: BILLING, objects: 1, bytes: 4096 };
    this.leave('BillingExport');
    return { ...this.billing, retainUntil: '2033-03-13T00:00:00Z', message: `exported invoices to ${BILLING}` };
  }

  private async deleteBackups(dryRun: boolean): ReturnType<ErasureEffects['deleteBackups']> {
    this.enter('Backups');
    if (this.failBackups > 0) {
      this.failBackups--;
      throw new Error('S3 said SlowDown');
    }
    const objects = this.backups.size;
    const bytes = [...this.backups.values()].reduce((a, b) => a + b, 0);
    if (!dryRun) this.backups.clear();
    this.leave('Backups');
    return { objects, bytes };
  }

  private async deleteNamespace(dryRun: boolean): ReturnType<ErasureEffects['deleteNamespace']> {
    this.enter('Namespace');
    if (this.namespace === 'foreign') {
      this.leave('Namespace');
      return { gone: true, foreign: true, message: 'namespace tenant-acme is not this tenant’s; it was left untouched' };
    }
    if (dryRun) {
      this.leave('Namespace');
      return { gone: true, message: 'would delete namespace tenant-acme' };
    }
    if (this.namespace === 'ours') this.namespace = this.terminatingCalls > 0 ? 'terminating' : 'gone';
    else if (this.namespace === 'terminating' && --this.terminatingCalls <= 0) this.namespace = 'gone';
    if (this.namespace === 'terminating') return { gone: false, message: 'namespace tenant-acme is terminating' };
    this.leave('Namespace');
    return { gone: true, message: 'deleted namespace tenant-acme' };
  }

  private async scheduleKeyDeletion(dryRun: boolean): ReturnType<ErasureEffects['scheduleKeyDeletion']> {
    this.enter('KmsKey');
    // A key already pending deletion keeps its date: a second call reports the first one's.
    if (!dryRun && this.key.state === 'Enabled') {
      this.key = { state: 'PendingDeletion', deletionDate: new Date(this.now + 7 * 86_400_000).toISOString() };
    }
    this.leave('KmsKey');
    return {
      keyId: KEY_ID,
      ...(this.key.deletionDate ? { deletionDate: this.key.deletionDate } : {}),
      message: `${dryRun ? 'would schedule' : 'scheduled'} deletion of ${KEY_ID}`,
    };
  }

  private async writeReceipt(receipt: ErasureReceiptDocument): Promise<string> {
    this.enter('Receipt');
    if (!this.receipts.has(RECEIPT)) this.receipts.set(RECEIPT, structuredClone(receipt));
    this.leave('Receipt');
    return RECEIPT;
  }

  effects(): ErasureEffects {
    return {
      exportBilling: () => this.exportBilling(),
      deleteBackups: (_t, { dryRun }) => this.deleteBackups(dryRun),
      deleteNamespace: (_t, { dryRun }) => this.deleteNamespace(dryRun),
      scheduleKeyDeletion: (_t, { dryRun }) => this.scheduleKeyDeletion(dryRun),
      writeReceipt: (_t, receipt) => this.writeReceipt(receipt),
      audit: async (record) => {
        if (this.dead) throw new Crash('the process is gone');
        this.auditLog.push(record);
      },
    };
  }

  deps(extra: Partial<ErasureRunnerDeps> = {}): ErasureRunnerDeps {
    return {
      effects: this.effects(),
      now: () => new Date((this.now += 1000)),
      dryRun: false,
      random: () => 0.5,
      writer: {
        patchTenantStatus: async (_name, status) => {
          const step = this.stepOfWrite(status);
          this.maybeCrash(step, 'beforeWrite');
          this.stored = structuredClone(status);
          this.statusWrites.push(this.stored);
          this.maybeCrash(step, 'afterWrite');
          return String(this.statusWrites.length);
        },
        event: async (_t, type, reason, message) => {
          if (this.dead) throw new Crash('the process is gone');
          this.events.push({ type, reason, message });
        },
      },
      ...extra,
    };
  }

  /** The Tenant as the API server has it now. */
  tenant(base: Tenant = tenant()): Tenant {
    return { ...base, status: structuredClone(this.stored) };
  }
}

/** Runs fresh runners (a new operator process each) from the stored status until erased, at most `max` calls. */
async function runToEnd(world: World, base = tenant(), max = 20, extra: Partial<ErasureRunnerDeps> = {}): Promise<number> {
  for (let calls = 1; calls <= max; calls++) {
    world.dead = false;
    const runner = new ErasureRunner(world.deps(extra));
    const r = await runner.run(world.tenant(base), EVALUATION);
    if (r.erased) return calls;
  }
  throw new Error(`not erased after ${max} calls`);
}

function assertErasedOnce(world: World, label: string): void {
  assert.deepEqual(world.violations, [], label);
  const lc = world.stored.lifecycle;
  assert.equal(lc?.phase, 'Erased', label);
  assert.deepEqual(
    lc?.erasure?.steps?.map((s) => s.name),
    [...ERASURE_STEPS],
    label,
  );
  assert.equal(world.backups.size, 0, label);
  assert.equal(world.namespace, 'gone', label);
  assert.equal(world.key.state, 'PendingDeletion', label);
  assert.equal(world.receipts.size, 1, label);
  assertReceipt(world, label);
}

/** The receipt in status and in the archive names what was deleted. */
function assertReceipt(world: World, label: string): void {
  const lc = world.stored.lifecycle;
  assert.equal(lc?.receipt?.location, RECEIPT, label);
  assert.equal(lc?.receipt?.billingArchive, BILLING, label);
  assert.equal(lc?.receipt?.billingRetainUntil, '2033-03-13T00:00:00Z', label);
  assert.equal(lc?.receipt?.kmsKeyId, KEY_ID, label);
  assert.equal(lc?.receipt?.kmsKeyDeletionDate, world.key.deletionDate, label);
  assert.equal(lc?.receipt?.erasedAt, lc?.erasure?.steps?.find((s) => s.name === 'KmsKey')?.completedAt, label);
  // The stored receipt names what the status names.
  const doc = world.receipts.get(RECEIPT);
  assert.equal(doc?.billingArchive, BILLING, label);
  assert.equal(doc?.kmsKeyId, KEY_ID, label);
  assert.equal(doc?.steps.length, 4, label);
  assertAudited(world, label);
}

/** Every recorded step has an audit record. */
function assertAudited(world: World, label: string): void {
  for (const s of ERASURE_STEPS)
    assert.ok(
      world.auditLog.some((a) => a.action === `erasure.${s}` && a.result === 'Succeeded'),
      `${label}: audit ${s}`,
    );
}

/** Nothing of the tenant was deleted and nothing was written to the archive. */
function assertUntouched(world: World): void {
  assert.equal(world.backups.size, 3);
  assert.equal(world.namespace, 'ours');
  assert.equal(world.key.state, 'Enabled');
  assert.equal(world.billing, undefined);
  assert.equal(world.receipts.size, 0);
}

test('an erasure without interruption: five steps in order, one status write each after the start, Events, audit and receipt', async () => {
  const world = new World();
  const runner = new ErasureRunner(world.deps());
  const linesBefore = log.lines().length;
  const r = await runner.run(world.tenant(), EVALUATION);
  assert.equal(r.erased, true);
  assert.equal(r.lifecycle?.phase, 'Erased');
  assertErasedOnce(world, 'uninterrupted');
  const logged = log
    .lines()
    .slice(linesBefore)
    .filter((l) => l.message === 'erasure step finished');
  assert.deepEqual(
    logged.map((l) => [l.tenant, l.step]),
    ERASURE_STEPS.map((s) => ['acme', s]),
  );
  assert.equal(world.statusWrites.length, 1 + ERASURE_STEPS.length);
  // Each write adds exactly one step to what the previous write recorded.
  world.statusWrites.forEach((s, i) => assert.equal(s.lifecycle?.erasure?.steps?.length, i));
  assert.equal(world.statusWrites[0]?.lifecycle?.phase, 'Erasing');
  assert.equal(world.statusWrites[0]?.lifecycle?.erasure?.trigger, 'TrialEnded');
  for (const s of ERASURE_STEPS) assert.equal(world.performed.get(s), 1, s);
  const receiptStep = world.stored.lifecycle?.erasure?.steps?.find((s) => s.name === 'Backups');
  assert.deepEqual([receiptStep?.objects, receiptStep?.bytes], [3, 1710]);
  assert.deepEqual([world.stored.lifecycle?.receipt?.backupObjectsDeleted, world.stored.lifecycle?.receipt?.backupBytesDeleted], [3, 1710]);
  assert.deepEqual(
    world.events.map((e) => e.reason),
    [ErasureEventReason.ErasureStarted, ...ERASURE_STEPS.slice(0, 4).map(() => ErasureEventReason.ErasureStep), ErasureEventReason.Erased],
  );
  const cond = world.stored.conditions?.find((c) => c.type === ERASURE_CONDITION);
  assert.deepEqual([cond?.status, cond?.reason], ['True', ErasureEventReason.Erased]);
  assert.deepEqual(
    world.auditLog.map((a) => a.action),
    ['erasure.start', ...ERASURE_STEPS.map((s) => `erasure.${s}`)],
  );
  // An Erased tenant is left alone.
  const again = await new ErasureRunner(world.deps()).run(world.tenant(), EVALUATION);
  assert.equal(again.erased, true);
  assert.equal(world.statusWrites.length, 1 + ERASURE_STEPS.length);
});

const POINTS: Point[] = ['beforeEffect', 'afterEffect', 'beforeWrite', 'afterWrite'];

test('restart safety: a crash before or after every side effect and every status write completes exactly once', async () => {
  let cases = 0;
  for (const step of ['start', ...ERASURE_STEPS] as const) {
    for (const point of POINTS) {
      if (step === 'start' && (point === 'beforeEffect' || point === 'afterEffect')) continue;
      const world = new World();
      world.crash = { step, point };
      const label = `crash ${point} ${step}`;
      const calls = await runToEnd(world);
      assert.equal(world.crash, undefined, `${label}: the crash point was reached`);
      assert.equal(calls, 2, `${label}: one crashed run and one that finished`);
      assertErasedOnce(world, label);
      for (const s of ERASURE_STEPS) {
        // Only the window between a side effect and its status write runs an effect twice (idempotently).
        const window = s === step && (point === 'afterEffect' || point === 'beforeWrite');
        assert.equal(world.performed.get(s), window ? 2 : 1, `${label}: ${s} performed`);
      }
      // The billing object and the key's deletion date are those of the first call.
      assert.equal(world.billing?.location, BILLING);
      cases++;
    }
  }
  assert.equal(cases, 2 + 4 * ERASURE_STEPS.length);
});

test('restart safety: two crashes in a row, at every pair of step boundaries, still complete exactly once', async () => {
  const points: CrashAt[] = ERASURE_STEPS.flatMap((step) => POINTS.map((point) => ({ step, point })));
  for (let i = 0; i < points.length; i += 3) {
    for (let j = i + 1; j < points.length; j += 5) {
      const world = new World();
      world.crash = points[i];
      await runToEnd(world, tenant(), 1).catch(() => undefined);
      world.crash = points[j];
      await runToEnd(world);
      assertErasedOnce(world, `crashes at ${JSON.stringify(points[i])} then ${JSON.stringify(points[j])}`);
    }
  }
});

test('a stale cache after a step was written does not run the step again in the same process', async () => {
  const world = new World();
  world.terminatingCalls = 1;
  const runner = new ErasureRunner(world.deps());
  // First call: start, BillingExport, Backups, then the namespace is terminating.
  const r1 = await runner.run(world.tenant(), EVALUATION);
  assert.equal(r1.erased, false);
  assert.equal(r1.requeueAfterMs, NAMESPACE_RECHECK_MS);
  // The informer has only seen the write that recorded BillingExport: the runner's memory of the later one wins.
  const stale = { ...tenant(), status: structuredClone(world.statusWrites[1] ?? {}) };
  assert.deepEqual(
    stale.status.lifecycle?.erasure?.steps?.map((s) => s.name),
    ['BillingExport'],
  );
  const r2 = await runner.run(stale, EVALUATION);
  assert.equal(r2.erased, true);
  assertErasedOnce(world, 'stale cache');
  for (const s of ERASURE_STEPS) assert.equal(world.performed.get(s), 1, s);
});

test('the namespace step waits while the namespace terminates: nothing after it runs, and it is not recorded yet', async () => {
  const world = new World();
  world.terminatingCalls = 2;
  const runner = new ErasureRunner(world.deps());
  for (let i = 0; i < 2; i++) {
    const r = await runner.run(world.tenant(), EVALUATION);
    assert.deepEqual([r.erased, r.requeueAfterMs], [false, NAMESPACE_RECHECK_MS]);
    assert.deepEqual(
      world.stored.lifecycle?.erasure?.steps?.map((s) => s.name),
      ['BillingExport', 'Backups'],
    );
    assert.equal(world.key.state, 'Enabled');
  }
  assert.equal((await runner.run(world.tenant(), EVALUATION)).erased, true);
  assertErasedOnce(world, 'terminating');
});

test('a billing export Job still running: the step waits, nothing is deleted yet', async () => {
  const world = new World();
  world.exportPending = 1;
  const runner = new ErasureRunner(world.deps());
  const r = await runner.run(world.tenant(), EVALUATION);
  assert.deepEqual([r.erased, r.requeueAfterMs], [false, BILLING_RECHECK_MS]);
  assert.equal(world.backups.size, 3);
  assert.deepEqual(world.stored.lifecycle?.erasure?.steps, []);
  assert.equal((await runner.run(world.tenant(), EVALUATION)).erased, true);
  assertErasedOnce(world, 'export pending');
});

test('a failing step: Warning Event and condition with the error, backoff, nothing after it runs; the retry finishes', async () => {
  const world = new World();
  world.failBackups = 2;
  const runner = new ErasureRunner(world.deps());
  const r1 = await runner.run(world.tenant(), EVALUATION);
  const r2 = await runner.run(world.tenant(), EVALUATION);
  assert.equal(r1.erased, false);
  assert.ok((r1.requeueAfterMs ?? 0) >= 1000);
  // Backoff grows with consecutive failures (random fixed at 0.5: half the ceiling).
  assert.equal(r1.requeueAfterMs, 2500);
  assert.equal(r2.requeueAfterMs, 5000);
  assert.equal(world.namespace, 'ours');
  assert.equal(world.performed.get('Namespace'), undefined);
  const failed = world.events.filter((e) => e.reason === ErasureEventReason.ErasureStepFailed);
  assert.equal(failed.length, 2);
  assert.match(failed[0]?.message ?? '', /^Backups: S3 said SlowDown/);
  assert.equal(failed[0]?.type, 'Warning');
  const cond = world.stored.conditions?.find((c) => c.type === ERASURE_CONDITION);
  assert.deepEqual([cond?.status, cond?.reason], ['False', ErasureEventReason.ErasureStepFailed]);
  assert.ok(world.auditLog.some((a) => a.action === 'erasure.Backups' && a.result === 'Failed'));
  const r3 = await runner.run(world.tenant(), EVALUATION);
  assert.equal(r3.erased, true);
  assertErasedOnce(world, 'after failures');
});

test('a foreign namespace named tenant-<name> is reported with a Warning and left alone; erasure goes on', async () => {
  const world = new World();
  world.namespace = 'foreign';
  const r = await new ErasureRunner(world.deps()).run(world.tenant(), EVALUATION);
  assert.equal(r.erased, true);
  assert.equal(world.namespace, 'foreign');
  const warn = world.events.find((e) => e.reason === ErasureEventReason.ErasureForeignObject);
  assert.equal(warn?.type, 'Warning');
  assert.match(world.stored.lifecycle?.erasure?.steps?.find((s) => s.name === 'Namespace')?.message ?? '', /left untouched/);
});

test('a KMS key with the tenant alias but not its tags is reported with a Warning and kept out of the receipt', async () => {
  const world = new World();
  const effects = world.effects();
  effects.scheduleKeyDeletion = async () => ({
    keyId: KEY_ID,
    message: `key ${KEY_ID} is not tagged for this tenant; left untouched`,
    foreign: true,
  });
  const r = await new ErasureRunner({ ...world.deps(), effects }).run(world.tenant(), EVALUATION);
  assert.equal(r.erased, true);
  assert.equal(world.stored.lifecycle?.receipt?.kmsKeyId, undefined);
  assert.equal(world.receipts.get(RECEIPT)?.kmsKeyId, undefined);
  const warn = world.events.find((e) => e.reason === ErasureEventReason.ErasureForeignObject);
  assert.match(warn?.message ?? '', /not tagged for this tenant/);
});

test('a tenant without billingExport is erased without an export, and the record says so', async () => {
  const world = new World();
  const base = tenant({ lifecycle: { trialEndsAt: '2026-03-01T00:00:00Z' } });
  await runToEnd(world, base);
  assert.equal(world.performed.get('BillingExport'), undefined);
  assert.equal(world.billing, undefined);
  assert.match(world.stored.lifecycle?.erasure?.steps?.[0]?.message ?? '', /names no billing records/);
  assert.equal(world.stored.lifecycle?.receipt?.billingArchive, undefined);
  assert.equal(world.receipts.get(RECEIPT)?.billingArchive, undefined);
});

test('dry run: every step reports what it would do, nothing is deleted or written to the archive, and it is never Erased', async () => {
  const world = new World();
  const runner = new ErasureRunner(world.deps({ dryRun: true }));
  const r = await runner.run(world.tenant(), EVALUATION);
  assert.equal(r.erased, false);
  assert.equal(r.requeueAfterMs, undefined);
  const lc = world.stored.lifecycle ?? {};
  const steps = lc.erasure?.steps ?? [];
  assert.deepEqual([lc.erasure?.dryRun, lc.phase, lc.receipt], [true, 'Erasing', undefined]);
  assert.deepEqual(
    steps.map((s) => s.name),
    [...ERASURE_STEPS],
  );
  for (const s of steps) assert.match(s.message ?? '', /would/, s.name);
  assert.deepEqual([steps[1]?.objects, steps[1]?.bytes], [3, 1710]);
  assertUntouched(world);
  assert.ok(world.auditLog.every((a) => a.dryRun));
  // Asked again, a finished dry run does nothing more.
  const writes = world.statusWrites.length;
  await runner.run(world.tenant(), EVALUATION);
  assert.equal(world.statusWrites.length, writes);
});

test('a real run after a finished dry run starts from the beginning: every effect runs for real', async () => {
  const world = new World();
  await new ErasureRunner(world.deps({ dryRun: true })).run(world.tenant(), EVALUATION);
  const lc = world.stored.lifecycle;
  assert.equal(lc?.erasure?.steps?.length, ERASURE_STEPS.length);
  const real = new ErasureRunner(world.deps());
  const rr = await real.run(world.tenant(), EVALUATION);
  assert.equal(rr.erased, true);
  assert.equal(world.stored.lifecycle?.erasure?.dryRun, undefined);
  assert.notEqual(world.stored.lifecycle?.erasure?.startedAt, lc?.erasure?.startedAt);
  assertErasedOnce(world, 'real run after a dry run');
});

test('a real erasure in progress is held by a dry-run operator: no effect, no write', async () => {
  const world = new World();
  world.terminatingCalls = 5;
  await new ErasureRunner(world.deps()).run(world.tenant(), EVALUATION);
  const writes = world.statusWrites.length;
  const performed = structuredClone([...world.performed]);
  const r = await new ErasureRunner(world.deps({ dryRun: true })).run(world.tenant(), EVALUATION);
  assert.deepEqual([r.erased, r.requeueAfterMs], [false, undefined]);
  assert.equal(world.statusWrites.length, writes);
  assert.deepEqual([...world.performed], performed);
});

test('erase-now: the trigger and every audit record name the ticket', async () => {
  const world = new World();
  const base = tenant({}, { annotations: { [ERASE_NOW_ANNOTATION]: 'SUP-4711 customer request' } });
  await new ErasureRunner(world.deps()).run(world.tenant(base), { ...EVALUATION, reason: LifecycleReason.EraseNow });
  assert.equal(world.stored.lifecycle?.erasure?.trigger, 'EraseNow: SUP-4711 customer request');
  assert.ok(world.auditLog.every((a) => a.trigger === 'EraseNow: SUP-4711 customer request'));
});

test('a Tenant without a uid is refused: ownership cannot be checked', async () => {
  const world = new World();
  await assert.rejects(new ErasureRunner(world.deps()).run(world.tenant(tenant({}, { uid: undefined })), EVALUATION), /no uid/);
  assert.equal(world.performed.size, 0);
});
