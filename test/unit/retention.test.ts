// Retention planning: the guards (one tenant, unique ids, rules that keep something), restic's
// counting of daily/weekly/monthly slots at UTC boundaries, and properties over random backup
// sets and rules: the newest verified backup is always kept, nothing is both kept and removed,
// the rules combine as a union, and verification decides only which backup is protected. Fixed
// dates only.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { planRetention, type BackupRecord, type RetentionPlan, type RetentionRules } from '../../src/backup/retention.js';
import { seededRandom } from '../support/seeded-random.js';

const NOW = new Date('2026-11-26T12:00:00Z');
const DAY = 24 * 3600 * 1000;

/** A complete, verified backup of tenant acme started at `startedAt`, its id derived from the time. */
function b(startedAt: string, extra: Partial<BackupRecord> = {}): BackupRecord {
  return { id: startedAt.replace(/[-:]/g, '').replace('.000', ''), tenant: 'acme', startedAt, verified: true, complete: true, ...extra };
}

const keptIds = (p: RetentionPlan) => p.keep.map((k) => k.id);
const removedIds = (p: RetentionPlan) => p.remove.map((r) => r.id);
const reasonsOf = (p: RetentionPlan, id: string) => p.keep.find((k) => k.id === id)?.reasons ?? [];

describe('guards', () => {
  test("another tenant's backup in the list is refused, naming both tenants", () => {
    const backups = [b('2026-11-25T02:00:00Z'), b('2026-11-24T02:00:00Z', { tenant: 'globex', id: 'g1' })];
    assert.throws(() => planRetention(backups, { keepLast: 1 }, NOW), /backups of 2 tenants \(acme, globex\) were passed together/);
  });

  test('a duplicate id is refused', () => {
    const backups = [b('2026-11-25T02:00:00Z', { id: 'x' }), b('2026-11-24T02:00:00Z', { id: 'x' })];
    assert.throws(() => planRetention(backups, { keepLast: 1 }, NOW), /backup id x is listed twice/);
  });

  test('an unreadable start time is refused rather than guessed', () => {
    assert.throws(() => planRetention([b('yesterday')], { keepLast: 1 }, NOW), /invalid startedAt "yesterday"/);
  });

  test('rules that keep nothing are refused (the API server should have refused them)', () => {
    const backups = [b('2026-11-25T02:00:00Z')];
    assert.throws(() => planRetention(backups, {}, NOW), /keep nothing/);
    assert.throws(() => planRetention(backups, { keepLast: 0, keepDaily: 0 }, NOW), /keep nothing/);
    assert.throws(
      () => planRetention(backups, { keepLast: -1, keepDaily: 3 }, NOW),
      /retention\.keepLast must be a whole number >= 0, got -1/,
    );
    assert.throws(() => planRetention(backups, { keepDaily: 1.5 }, NOW), /retention\.keepDaily/);
  });

  test('an empty list plans nothing', () => {
    assert.deepEqual(planRetention([], { keepLast: 3 }, NOW), { keep: [], remove: [], ignored: [] });
  });
});

interface Row {
  name: string;
  backups: BackupRecord[];
  rules: RetentionRules;
  keep: string[];
  remove: string[];
  ignored?: string[];
  /** Reasons a kept backup must have, by id. */
  reasons?: Record<string, RegExp>;
  now?: Date;
}

const rows: Row[] = [
  {
    name: 'keepLast keeps the newest N',
    backups: [b('2026-11-26T02:00:00Z'), b('2026-11-25T02:00:00Z'), b('2026-11-24T02:00:00Z'), b('2026-11-23T02:00:00Z')],
    rules: { keepLast: 2 },
    keep: ['20261126T020000Z', '20261125T020000Z'],
    remove: ['20261124T020000Z', '20261123T020000Z'],
    reasons: { '20261126T020000Z': /^newest verified backup; keepLast 1\/2$/, '20261125T020000Z': /^keepLast 2\/2$/ },
  },
  {
    name: 'keepDaily counts days that have a backup (restic), the newest of each day',
    backups: [
      b('2026-11-20T02:00:00Z'),
      b('2026-11-15T14:00:00Z'),
      b('2026-11-15T02:00:00Z'),
      b('2026-11-10T02:00:00Z'),
      b('2026-11-01T02:00:00Z'),
    ],
    rules: { keepDaily: 3 },
    keep: ['20261120T020000Z', '20261115T140000Z', '20261110T020000Z'],
    remove: ['20261115T020000Z', '20261101T020000Z'],
    reasons: { '20261115T140000Z': /^keepDaily 2026-11-15 2\/3$/, '20261110T020000Z': /^keepDaily 2026-11-10 3\/3$/ },
  },
  {
    name: 'keepDaily: days change at midnight UTC',
    backups: [b('2026-11-26T00:00:00Z'), b('2026-11-25T23:59:59Z'), b('2026-11-25T00:00:00Z'), b('2026-11-24T23:59:59Z')],
    rules: { keepDaily: 2 },
    keep: ['20261126T000000Z', '20261125T235959Z'],
    remove: ['20261125T000000Z', '20261124T235959Z'],
  },
  {
    name: 'keepWeekly: ISO weeks start on Monday 00:00 UTC',
    backups: [b('2026-11-23T00:00:00Z'), b('2026-11-22T23:59:59Z'), b('2026-11-16T00:00:00Z'), b('2026-11-15T23:59:59Z')],
    rules: { keepWeekly: 3 },
    keep: ['20261123T000000Z', '20261122T235959Z', '20261115T235959Z'],
    remove: ['20261116T000000Z'],
    reasons: {
      '20261123T000000Z': /keepWeekly 2026-W48 1\/3/,
      '20261122T235959Z': /^keepWeekly 2026-W47 2\/3$/,
      '20261115T235959Z': /^keepWeekly 2026-W46 3\/3$/,
    },
  },
  {
    name: 'keepWeekly across the year end: 2026 has 53 ISO weeks, January 3, 2027 is in the last',
    backups: [b('2027-01-04T00:00:00Z'), b('2027-01-03T10:00:00Z'), b('2026-12-31T10:00:00Z'), b('2026-12-27T10:00:00Z')],
    rules: { keepWeekly: 3 },
    now: new Date('2027-01-05T00:00:00Z'),
    keep: ['20270104T000000Z', '20270103T100000Z', '20261227T100000Z'],
    remove: ['20261231T100000Z'],
    reasons: {
      '20270104T000000Z': /keepWeekly 2027-W01/,
      '20270103T100000Z': /keepWeekly 2026-W53/,
      '20261227T100000Z': /keepWeekly 2026-W52/,
    },
  },
  {
    name: 'keepMonthly: months change at midnight UTC on the 1st',
    backups: [
      b('2026-02-01T00:00:00Z'),
      b('2026-01-31T23:59:59Z'),
      b('2026-01-01T00:00:00Z'),
      b('2025-12-31T23:59:59Z'),
      b('2025-12-01T00:00:00Z'),
    ],
    rules: { keepMonthly: 3 },
    keep: ['20260201T000000Z', '20260131T235959Z', '20251231T235959Z'],
    remove: ['20260101T000000Z', '20251201T000000Z'],
    reasons: { '20251231T235959Z': /^keepMonthly 2025-12 3\/3$/ },
  },
  {
    name: 'keepWithinDays keeps what started strictly after now minus N days',
    backups: [b('2026-11-19T12:00:00.001Z'), b('2026-11-19T12:00:00Z'), b('2026-11-01T00:00:00Z')],
    rules: { keepWithinDays: 7 },
    keep: ['20261119T120000.001Z'],
    remove: ['20261119T120000Z', '20261101T000000Z'],
  },
  {
    name: 'rules combine as a union; reasons list every rule that keeps a backup',
    backups: [
      b('2026-11-26T02:00:00Z'),
      b('2026-11-25T02:00:00Z'),
      b('2026-10-31T02:00:00Z'),
      b('2026-10-15T02:00:00Z'),
      b('2026-09-30T02:00:00Z'),
    ],
    rules: { keepLast: 2, keepMonthly: 2 },
    keep: ['20261126T020000Z', '20261125T020000Z', '20261031T020000Z'],
    remove: ['20261015T020000Z', '20260930T020000Z'],
    reasons: { '20261126T020000Z': /newest verified backup.*keepLast 1\/2.*keepMonthly 2026-11 1\/2/ },
  },
  {
    name: 'the newest verified backup is kept even when no rule reaches it',
    backups: [b('2026-01-01T02:00:00Z'), b('2025-12-01T02:00:00Z')],
    rules: { keepWithinDays: 7 },
    keep: ['20260101T020000Z'],
    remove: ['20251201T020000Z'],
    reasons: { '20260101T020000Z': /^newest verified backup$/ },
  },
  {
    name: 'unverified backups count for the rules like verified ones; incomplete ones are left alone',
    backups: [
      b('2026-11-26T11:00:00Z', { verified: false, complete: false }),
      b('2026-11-26T02:00:00Z', { verified: false }),
      b('2026-11-25T02:00:00Z'),
      b('2026-11-24T02:00:00Z', { verified: false }),
      b('2026-11-23T02:00:00Z'),
      b('2026-01-01T02:00:00Z', { complete: false, verified: false }),
    ],
    rules: { keepLast: 2 },
    keep: ['20261126T020000Z', '20261125T020000Z'],
    remove: ['20261124T020000Z', '20261123T020000Z'],
    ignored: ['20261126T110000Z', '20260101T020000Z'],
    reasons: { '20261126T020000Z': /^keepLast 1\/2$/, '20261125T020000Z': /^newest verified backup; keepLast 2\/2$/ },
  },
  {
    name: 'unverified backups fill rule slots like verified ones',
    backups: [b('2026-11-26T02:00:00Z'), b('2026-11-25T14:00:00Z', { verified: false }), b('2026-11-25T02:00:00Z')],
    rules: { keepDaily: 2 },
    keep: ['20261126T020000Z', '20261125T140000Z'],
    remove: ['20261125T020000Z'],
  },
  {
    name: 'review 12: with verify: false (nothing verified) the rules still prune, and the newest complete backup is always kept',
    backups: [
      b('2026-11-26T02:00:00Z', { verified: false }),
      b('2026-11-25T02:00:00Z', { verified: false }),
      b('2026-01-01T02:00:00Z', { verified: false }),
    ],
    rules: { keepLast: 1 },
    keep: ['20261126T020000Z'],
    remove: ['20261125T020000Z', '20260101T020000Z'],
    reasons: { '20261126T020000Z': /^newest complete backup \(none is verified\); keepLast 1\/1$/ },
  },
  {
    name: 'review 12: with nothing verified and no rule reaching any backup, the newest complete one is still kept',
    backups: [b('2026-01-01T02:00:00Z', { verified: false }), b('2025-12-01T02:00:00Z', { verified: false })],
    rules: { keepWithinDays: 7 },
    keep: ['20260101T020000Z'],
    remove: ['20251201T020000Z'],
  },
  {
    name: 'review 12: 12 monthly unverified backups and a newer verified one with keepMonthly 12 keep twelve monthly restore points',
    backups: [
      b('2026-11-26T02:00:00Z'),
      ...Array.from({ length: 12 }, (_, i) =>
        b(new Date(Date.UTC(2026, 9 - i, 1, 2)).toISOString().replace('.000', ''), { verified: false }),
      ),
    ],
    rules: { keepMonthly: 12 },
    // November (the verified one), then October back to December 2025: twelve months; November 2025 falls out.
    keep: [
      '20261126T020000Z',
      ...Array.from({ length: 11 }, (_, i) => new Date(Date.UTC(2026, 9 - i, 1, 2)).toISOString().replace('.000', '').replace(/[-:]/g, '')),
    ],
    remove: ['20251101T020000Z'],
  },
  {
    name: 'a backup dated in the future (clock skew) is kept and takes no slot',
    backups: [
      b('2030-01-01T00:00:00Z'),
      b('2026-11-26T02:00:00Z'),
      b('2026-11-25T02:00:00Z', { verified: false }),
      b('2026-11-24T02:00:00Z'),
    ],
    rules: { keepLast: 1 },
    keep: ['20300101T000000Z', '20261126T020000Z'],
    remove: ['20261125T020000Z', '20261124T020000Z'],
    reasons: {
      '20300101T000000Z': /dated in the future \(2030-01-01T00:00:00Z, clock skew\?\): never counted as old/,
      '20261126T020000Z': /newest verified backup/,
    },
  },
  {
    name: 'an unverified backup dated in the future is kept too',
    backups: [b('2026-11-27T00:00:00Z', { verified: false }), b('2026-11-26T02:00:00Z')],
    rules: { keepLast: 1 },
    keep: ['20261127T000000Z', '20261126T020000Z'],
    remove: [],
  },
  {
    name: 'ISO strings and Dates may be mixed; equal start times are ordered by id',
    backups: [
      { id: 'a', tenant: 'acme', startedAt: new Date('2026-11-25T02:00:00Z'), verified: true, complete: true },
      { id: 'b', tenant: 'acme', startedAt: '2026-11-25T02:00:00Z', verified: true, complete: true },
      { id: 'c', tenant: 'acme', startedAt: '2026-11-24T02:00:00+01:00', verified: true, complete: true },
    ],
    rules: { keepLast: 2 },
    keep: ['b', 'a'],
    remove: ['c'],
  },
];

describe('planRetention', () => {
  for (const row of rows) {
    test(row.name, () => {
      const now = row.now ?? NOW;
      const plan = planRetention(row.backups, row.rules, now);
      assert.deepEqual(keptIds(plan), row.keep, 'kept');
      assert.deepEqual(removedIds(plan), row.remove, 'removed');
      assert.deepEqual(
        plan.ignored.map((i) => i.id),
        row.ignored ?? [],
        'ignored',
      );
      for (const [id, want] of Object.entries(row.reasons ?? {})) assert.match(reasonsOf(plan, id).join('; '), want, `reasons of ${id}`);
      for (const r of plan.remove) assert.ok(r.reason.length > 0);
      // The plan does not depend on the order the bucket listed the backups in.
      assert.deepEqual(planRetention([...row.backups].reverse(), row.rules, now), plan);
    });
  }
});

const RULE_NAMES = ['keepLast', 'keepDaily', 'keepWeekly', 'keepMonthly', 'keepWithinDays'] as const;

function randomBackups(rnd: () => number): BackupRecord[] {
  const n = Math.floor(rnd() * 40);
  const out: BackupRecord[] = [];
  for (let i = 0; i < n; i++) {
    // Mostly the last 400 days, some on the same second, a few in the future.
    const offset = rnd() < 0.05 ? -Math.floor(rnd() * 30 * DAY) : rnd() < 0.1 ? 3 * DAY : Math.floor(rnd() * 400 * DAY);
    const complete = rnd() < 0.9;
    out.push({ id: `b${i}`, tenant: 'acme', startedAt: new Date(NOW.getTime() - offset), complete, verified: complete && rnd() < 0.8 });
  }
  return out;
}

function randomRules(rnd: () => number): RetentionRules {
  const rules: RetentionRules = {};
  for (const name of RULE_NAMES) if (rnd() < 0.5) rules[name] = Math.floor(rnd() * 8);
  if (!RULE_NAMES.some((name) => (rules[name] ?? 0) > 0))
    rules[RULE_NAMES[Math.floor(rnd() * RULE_NAMES.length)] ?? 'keepLast'] = 1 + Math.floor(rnd() * 5);
  return rules;
}

describe('properties over random backup sets and rules', () => {
  test('review 12: verification changes nothing but which backup is protected', () => {
    const rnd = seededRandom(7);
    for (let i = 0; i < 300; i++) {
      const backups = randomBackups(rnd);
      const rules = randomRules(rnd);
      const asIs = new Set(keptIds(planRetention(backups, rules, NOW)));
      const noneVerified = new Set(
        keptIds(
          planRetention(
            backups.map((x) => ({ ...x, verified: false })),
            rules,
            NOW,
          ),
        ),
      );
      const differ = [...asIs].filter((id) => !noneVerified.has(id)).concat([...noneVerified].filter((id) => !asIs.has(id)));
      // At most the two protected backups (newest verified, newest complete) can differ.
      assert.ok(differ.length <= 2, `case ${i}: ${JSON.stringify(rules)}: verification changed ${differ.join(', ')}`);
    }
  });

  test('the newest verified backup is always kept; keep, remove and ignored partition the backups; rules combine as a union', () => {
    const rnd = seededRandom(42);
    for (let i = 0; i < 500; i++) {
      const backups = randomBackups(rnd);
      const rules = randomRules(rnd);
      const where = `case ${i}: ${JSON.stringify(rules)}`;
      const plan = planRetention(backups, rules, NOW);
      const keep = new Set(keptIds(plan));
      const remove = new Set(removedIds(plan));
      const ignored = new Set(plan.ignored.map((x) => x.id));

      const past = backups.filter((x) => new Date(x.startedAt).getTime() <= NOW.getTime());
      const newestVerified = past
        .filter((x) => x.complete && x.verified)
        .sort((x, y) => new Date(y.startedAt).getTime() - new Date(x.startedAt).getTime() || (x.id < y.id ? 1 : -1))[0];
      if (newestVerified) assert.ok(keep.has(newestVerified.id), `${where}: newest verified ${newestVerified.id} kept`);

      assert.equal(keep.size + remove.size + ignored.size, backups.length, `${where}: every backup is in exactly one list`);
      for (const id of keep) assert.ok(!remove.has(id) && !ignored.has(id), `${where}: ${id} in one list only`);
      for (const x of backups) {
        if (!x.complete) assert.ok(ignored.has(x.id), `${where}: incomplete ${x.id} left alone`);
        else if (new Date(x.startedAt).getTime() > NOW.getTime()) assert.ok(keep.has(x.id), `${where}: future ${x.id} kept`);
      }
      for (const k of plan.keep) assert.ok(k.reasons.length > 0, `${where}: ${k.id} has a reason`);

      // Union: what all rules keep is what the rules keep one at a time, together.
      const union = new Set<string>();
      for (const name of RULE_NAMES) {
        if ((rules[name] ?? 0) > 0) for (const id of keptIds(planRetention(backups, { [name]: rules[name] }, NOW))) union.add(id);
      }
      assert.deepEqual([...keep].sort(), [...union].sort(), `${where}: union of the single rules`);

      // Keeping more never removes more.
      const looser = { ...rules, keepLast: (rules.keepLast ?? 0) + 1 };
      for (const id of keep)
        assert.ok(keptIds(planRetention(backups, looser, NOW)).includes(id), `${where}: ${id} still kept with keepLast+1`);

      // Newest first, in every list.
      for (const list of [plan.keep, plan.remove, plan.ignored]) {
        const times = list.map((x) => new Date(backups.find((y) => y.id === x.id)?.startedAt ?? 0).getTime());
        assert.deepEqual(
          times,
          [...times].sort((p, q) => q - p),
          `${where}: newest first`,
        );
      }
    }
  });
});
