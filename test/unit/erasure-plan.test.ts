// The erasure plan decides the next step from the recorded progress alone: the order is fixed, a
// finished step is never named again, a step comes only after every earlier one finished, a dry
// run's record never counts for the real erasure, and nothing starts without startedAt.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TenantStatusLifecycleErasure } from '../../src/api/generated/index.js';
import {
  ERASURE_STEPS,
  erasedAtOf,
  finishedSteps,
  furthest,
  planErasure,
  startRecord,
  withStep,
  type ErasureStepName,
} from '../../src/lifecycle/erasure-plan.js';

const STARTED = '2026-03-01T00:00:00Z';

function record(done: ErasureStepName[], extra: Partial<TenantStatusLifecycleErasure> = {}): TenantStatusLifecycleErasure {
  return {
    startedAt: STARTED,
    trigger: 'TrialEnded',
    steps: done.map((name, i) => ({ name, completedAt: `2026-03-01T00:0${i + 1}:00Z` })),
    ...extra,
  };
}

test('the steps are in the promised order', () => {
  assert.deepEqual([...ERASURE_STEPS], ['BillingExport', 'Backups', 'Namespace', 'KmsKey', 'Receipt']);
});

test('nothing starts without startedAt: absent record, record without startedAt, unparseable startedAt', () => {
  for (const dryRun of [false, true]) {
    assert.deepEqual(planErasure(undefined, { dryRun }), { kind: 'notStarted' });
    assert.deepEqual(planErasure({ steps: [{ name: 'BillingExport', completedAt: STARTED }] }, { dryRun }), { kind: 'notStarted' });
    assert.deepEqual(planErasure({ startedAt: 'yesterday', steps: [] }, { dryRun }), { kind: 'notStarted' });
  }
});

test('each prefix of finished steps names the following step; all finished is done', () => {
  for (let i = 0; i <= ERASURE_STEPS.length; i++) {
    const plan = planErasure(record(ERASURE_STEPS.slice(0, i)), { dryRun: false });
    if (i === ERASURE_STEPS.length) assert.deepEqual(plan, { kind: 'done', dryRun: false });
    else assert.deepEqual(plan, { kind: 'step', step: ERASURE_STEPS[i], dryRun: false });
  }
});

test('a later step recorded before an earlier one: the earliest unfinished runs next, the finished later one is never named', () => {
  const r = record(['BillingExport', 'Namespace']);
  assert.deepEqual(planErasure(r, { dryRun: false }), { kind: 'step', step: 'Backups', dryRun: false });
  const after = withStep(r, { name: 'Backups', completedAt: '2026-03-01T01:00:00Z' });
  assert.deepEqual(planErasure(after, { dryRun: false }), { kind: 'step', step: 'KmsKey', dryRun: false });
});

test('a step entry without a parseable completedAt has not finished', () => {
  const r: TenantStatusLifecycleErasure = { startedAt: STARTED, steps: [{ name: 'BillingExport', completedAt: 'soon' }] };
  assert.deepEqual(planErasure(r, { dryRun: false }), { kind: 'step', step: 'BillingExport', dryRun: false });
  assert.equal(finishedSteps(r).size, 0);
});

test('a dry run record never counts for a real run: the real erasure restarts from the beginning', () => {
  for (let i = 0; i <= ERASURE_STEPS.length; i++) {
    const dry = record(ERASURE_STEPS.slice(0, i), { dryRun: true });
    assert.equal(planErasure(dry, { dryRun: false }).kind, 'restart');
    const next = planErasure(dry, { dryRun: true });
    assert.deepEqual(
      next,
      i === ERASURE_STEPS.length ? { kind: 'done', dryRun: true } : { kind: 'step', step: ERASURE_STEPS[i], dryRun: true },
    );
  }
});

test('a real erasure in progress is held, not continued, by a dry-run operator', () => {
  const plan = planErasure(record(['BillingExport', 'Backups']), { dryRun: true });
  assert.equal(plan.kind, 'held');
  assert.match(plan.kind === 'held' ? plan.message : '', /resumes at step Namespace/);
});

test('startRecord and withStep: a step recorded twice is kept once, in the order steps finished', () => {
  const r0 = startRecord(STARTED, 'Cancelled', false);
  assert.deepEqual(r0, { startedAt: STARTED, trigger: 'Cancelled', steps: [] });
  assert.equal(startRecord(STARTED, 'Cancelled', true).dryRun, true);
  const r1 = withStep(withStep(r0, { name: 'BillingExport', completedAt: STARTED }), {
    name: 'BillingExport',
    completedAt: '2026-03-02T00:00:00Z',
  });
  assert.deepEqual(
    r1.steps?.map((s) => [s.name, s.completedAt]),
    [['BillingExport', '2026-03-02T00:00:00Z']],
  );
});

test('furthest: the remembered record wins only when it is the same erasure and strictly further', () => {
  const stored = record(['BillingExport']);
  const ahead = record(['BillingExport', 'Backups']);
  assert.equal(furthest(stored, ahead), ahead);
  assert.equal(furthest(ahead, stored), ahead);
  assert.equal(furthest(stored, record(['BillingExport'])), stored);
  // Another erasure (a new startedAt, or a dry run's record) never overrides what is stored.
  assert.equal(furthest(stored, record(['BillingExport', 'Backups'], { startedAt: '2026-04-01T00:00:00Z' })), stored);
  assert.equal(furthest(stored, record(['BillingExport', 'Backups'], { dryRun: true })), stored);
  assert.equal(furthest(undefined, ahead), ahead);
  assert.equal(furthest(stored, undefined), stored);
});

test('erasedAt is the KmsKey step completion, so a retried receipt is the same', () => {
  assert.equal(erasedAtOf(record(['BillingExport', 'Backups', 'Namespace'])), undefined);
  assert.equal(erasedAtOf(record(['BillingExport', 'Backups', 'Namespace', 'KmsKey'])), '2026-03-01T00:04:00Z');
});
