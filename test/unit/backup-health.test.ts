// The BackupHealthy and RestoreWithinObjective conditions: plain tables with fixed dates, and a
// fake clock moved through three months of daily Europe/Berlin runs, daylight saving included,
// requeueing exactly at `staleAt` as the controller does.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Reason } from '../../src/api/conditions.js';
import { backupHealth, DEFAULT_BACKUP_GRACE_MS, type BackupHealthInput } from '../../src/backup/health.js';
import { formatDuration, projectRestore } from '../../src/backup/objective.js';
import { nextRun } from '../../src/backup/schedule.js';

const at = (iso: string) => new Date(iso);
const HOUR = 3600 * 1000;
const GiB = 1024 ** 3;

/** A daily 02:00 UTC policy and a tenant created long ago. */
const base: BackupHealthInput = {
  schedule: '0 2 * * *',
  timeZone: 'UTC',
  now: at('2026-11-26T10:00:00Z'),
  tenantCreatedAt: at('2026-01-01T00:00:00Z'),
  cronJob: 'tenant-acme/backup',
};

interface Row {
  name: string;
  input: Partial<BackupHealthInput>;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message?: RegExp;
  staleAt?: string;
}

const rows: Row[] = [
  {
    name: "today's run produced a verified backup",
    input: { newestVerifiedAt: at('2026-11-26T02:00:04Z') },
    status: 'True',
    reason: Reason.BackupFresh,
    message:
      /^newest verified backup 2026-11-26T02:00:04Z started 2026-11-26T02:00:04Z; the policy \(0 2 \* \* \* UTC\) expects the next by 2026-11-27T02:00:00Z \(\+2h grace\)$/,
    staleAt: '2026-11-27T04:00:00Z',
  },
  {
    name: 'a backup recorded as starting up to a minute early still counts for its run',
    input: { newestVerifiedAt: at('2026-11-26T01:59:00Z') },
    status: 'True',
    reason: Reason.BackupFresh,
    staleAt: '2026-11-27T04:00:00Z',
  },
  {
    name: 'more than a minute early belongs to the run before',
    input: { newestVerifiedAt: at('2026-11-26T01:58:59Z') },
    status: 'False',
    reason: Reason.BackupStale,
    message: /expected one by 2026-11-26T02:00:00Z \(\+2h grace\)/,
  },
  {
    name: "within the grace of today's run, yesterday's backup still counts",
    input: { newestVerifiedAt: at('2026-11-25T02:00:00Z'), now: at('2026-11-26T03:59:59.999Z') },
    status: 'True',
    reason: Reason.BackupFresh,
    staleAt: '2026-11-26T04:00:00Z',
  },
  {
    name: 'stale exactly at staleAt',
    input: { newestVerifiedAt: at('2026-11-25T02:00:00Z'), now: at('2026-11-26T04:00:00Z') },
    status: 'False',
    reason: Reason.BackupStale,
  },
  {
    name: 'the message of a stale backup says how old it is, what was expected and what to check',
    input: { newestVerifiedAt: at('2026-11-25T02:00:00Z'), newestVerifiedId: '20261125T020000Z', now: at('2026-11-27T03:00:00Z') },
    status: 'False',
    reason: Reason.BackupStale,
    message:
      /^newest verified backup 20261125T020000Z started 2026-11-25T02:00:00Z; the policy \(0 2 \* \* \* UTC\) expected one by 2026-11-26T02:00:00Z \(\+2h grace\): check the CronJob tenant-acme\/backup and its last Job$/,
  },
  {
    name: 'a custom grace',
    input: { newestVerifiedAt: at('2026-11-25T02:00:00Z'), now: at('2026-11-26T07:00:00Z'), grace: 6 * HOUR },
    status: 'True',
    reason: Reason.BackupFresh,
    message: /\(\+6h grace\)/,
    staleAt: '2026-11-26T08:00:00Z',
  },
  {
    name: 'a new tenant without a backup is Unknown until its first counted run plus grace',
    // Created 01:00: the 02:00 run comes before it can be provisioned (grace), so the first that counts is tomorrow's.
    input: { tenantCreatedAt: at('2026-11-26T01:00:00Z'), now: at('2026-11-26T05:00:00Z') },
    status: 'Unknown',
    reason: Reason.NoBackupYet,
    message:
      /^no verified backup yet for this new tenant; the policy \(0 2 \* \* \* UTC\) expects the first by 2026-11-27T02:00:00Z \(\+2h grace\)$/,
    staleAt: '2026-11-27T04:00:00Z',
  },
  {
    name: 'a new tenant whose first counted run passed without a backup is False',
    input: { tenantCreatedAt: at('2026-11-25T12:00:00Z'), now: at('2026-11-26T04:00:00Z') },
    status: 'False',
    reason: Reason.NoBackupYet,
    message:
      /^no verified backup yet; the policy \(0 2 \* \* \* UTC\) expected the first by 2026-11-26T02:00:00Z \(\+2h grace\): check the CronJob tenant-acme\/backup/,
  },
  {
    name: 'a new tenant that already has a backup (taken by hand) is healthy',
    input: { tenantCreatedAt: at('2026-11-26T08:00:00Z'), newestVerifiedAt: at('2026-11-26T09:00:00Z') },
    status: 'True',
    reason: Reason.BackupFresh,
    staleAt: '2026-11-27T04:00:00Z',
  },
  {
    name: 'a suspended policy is False: no new backups, however fresh the last',
    input: { newestVerifiedAt: at('2026-11-26T02:00:00Z'), policySuspended: true },
    status: 'False',
    reason: Reason.BackupsSuspended,
    message:
      /^the backup policy is suspended, so no new backups are taken; newest verified backup .* started [0-9TZ:-]+\. Set spec\.suspend to false/,
  },
  {
    name: 'an invalid schedule is False: no backup will come',
    input: { schedule: '0 2 * * 7', newestVerifiedAt: at('2026-11-26T02:00:00Z') },
    status: 'False',
    reason: Reason.ScheduleInvalid,
    message:
      /^newest verified backup 2026-11-26T02:00:00Z started 2026-11-26T02:00:00Z, and no backups can be scheduled: spec\.schedule "0 2 \* \* 7": the day-of-week field/,
  },
  {
    name: 'an unknown time zone is False',
    input: { timeZone: 'Europe/Atlantis' },
    status: 'False',
    reason: Reason.UnknownTimeZone,
    message:
      /^this tenant has no verified backup, and no backups can be scheduled: spec\.timeZone "Europe\/Atlantis" is not in the time zone database/,
  },
  {
    name: 'a backup dated in the future (clock skew) counts as fresh',
    input: { newestVerifiedAt: at('2026-11-26T13:00:00Z') },
    status: 'True',
    reason: Reason.BackupFresh,
    staleAt: '2026-11-27T04:00:00Z',
  },
  {
    name: "spring forward in Berlin: no 02:30 on March 29, so Saturday's backup is still fresh on Sunday",
    input: {
      schedule: '30 2 * * *',
      timeZone: 'Europe/Berlin',
      newestVerifiedAt: at('2026-03-28T01:30:10Z'),
      now: at('2026-03-29T12:00:00Z'),
    },
    status: 'True',
    reason: Reason.BackupFresh,
    staleAt: '2026-03-30T02:30:00Z',
  },
  {
    name: 'fall back in Berlin: 02:30 runs once, at 02:30 CEST',
    input: {
      schedule: '30 2 * * *',
      timeZone: 'Europe/Berlin',
      newestVerifiedAt: at('2026-10-25T00:30:10Z'),
      now: at('2026-10-25T05:00:00Z'),
    },
    status: 'True',
    reason: Reason.BackupFresh,
    staleAt: '2026-10-26T03:30:00Z',
  },
];

describe('backupHealth', () => {
  for (const row of rows) {
    test(row.name, () => {
      const h = backupHealth({ ...base, ...row.input });
      assert.equal(h.status, row.status, h.message);
      assert.equal(h.reason, row.reason, h.message);
      if (row.message) assert.match(h.message, row.message);
      assert.equal(h.staleAt?.toISOString(), row.staleAt && at(row.staleAt).toISOString());
    });
  }

  test('the default grace is 2 hours, and a bad grace is refused', () => {
    assert.equal(DEFAULT_BACKUP_GRACE_MS, 2 * HOUR);
    assert.throws(() => backupHealth({ ...base, grace: -1 }), /grace must be a finite number/);
  });

  test('without a CronJob name, the message still says what to check', () => {
    const h = backupHealth({ ...base, cronJob: undefined, newestVerifiedAt: at('2026-11-20T02:00:00Z') });
    assert.match(h.message, /check the tenant's backup CronJob and its last Job$/);
    assert.match(h.message, /started \d{4}-\d\d-\d\dT/);
  });

  test('nine months of daily Berlin runs on a fake clock: never False while runs succeed, False exactly at staleAt once they stop', () => {
    const input = { ...base, schedule: '30 2 * * *', timeZone: 'Europe/Berlin', tenantCreatedAt: at('2026-02-01T00:00:00Z') };
    const end = at('2026-11-01T00:00:00Z').getTime();
    let now = at('2026-02-01T00:00:00Z').getTime();
    let newest: Date | undefined;
    let run = nextRun(input.schedule, input.timeZone, new Date(now));
    let checks = 0;
    // Each run starts within 20 s of its fire time and is verified 75 minutes later.
    while (run && run.getTime() < end) {
      const verifiedAt = run.getTime() + 75 * 60 * 1000;
      // The controller wakes at each staleAt it was given before the run is verified, and on the verification itself.
      for (;;) {
        const h = backupHealth({ ...input, now: new Date(now), newestVerifiedAt: newest });
        checks++;
        assert.notEqual(h.status, 'False', `${new Date(now).toISOString()}: ${h.message}`);
        if (!h.staleAt || h.staleAt.getTime() > verifiedAt) break;
        now = h.staleAt.getTime();
      }
      newest = new Date(run.getTime() + (checks % 20) * 1000);
      now = verifiedAt;
      run = nextRun(input.schedule, input.timeZone, run);
    }
    assert.ok(checks > 250, `${checks} checks`);
    // The runs stop: the condition holds until staleAt and turns False exactly then.
    const h = backupHealth({ ...input, now: new Date(now), newestVerifiedAt: newest });
    assert.equal(h.status, 'True');
    assert.ok(h.staleAt);
    assert.equal(backupHealth({ ...input, now: new Date(h.staleAt.getTime() - 1), newestVerifiedAt: newest }).status, 'True');
    assert.equal(backupHealth({ ...input, now: h.staleAt, newestVerifiedAt: newest }).status, 'False');
  });
});

describe('projectRestore', () => {
  test('measured by a drill, within the objective', () => {
    const p = projectRestore({
      bytes: 512 * GiB,
      measuredRestoreBytesPerSecond: 121e6,
      drillAt: at('2026-11-25T04:00:00Z'),
      defaultBytesPerSecond: 50e6,
      overheadSeconds: 0,
    });
    assert.equal(Math.round(p.projectedSeconds), 4543);
    assert.equal(p.withinObjective, true);
    assert.equal(p.status, 'True');
    assert.equal(p.reason, Reason.RestoreProjectedWithinObjective);
    assert.equal(p.message, 'projected restore 1h16m for 512 GiB at 121 MB/s (drill 2026-11-25), objective 8h');
  });

  test('fixed overhead is added and named', () => {
    const p = projectRestore({ bytes: 10 * GiB, measuredRestoreBytesPerSecond: 100e6, defaultBytesPerSecond: 50e6, overheadSeconds: 600 });
    assert.equal(Math.round(p.projectedSeconds), 707);
    assert.equal(p.message, 'projected restore 12m for 10 GiB at 100 MB/s (restore drill) + 10m fixed, objective 8h');
  });

  test('over the objective: False, with the speed or size that would meet it', () => {
    const p = projectRestore({
      bytes: 4 * 1024 * GiB,
      measuredRestoreBytesPerSecond: 100e6,
      drillAt: at('2026-11-25T00:00:00Z'),
      defaultBytesPerSecond: 50e6,
      overheadSeconds: 1800,
      objectiveSeconds: 4 * 3600,
    });
    assert.equal(p.withinObjective, false);
    assert.equal(p.status, 'False');
    assert.equal(p.reason, Reason.RestoreProjectedOverObjective);
    assert.match(
      p.message,
      /^projected restore 12h43m for 4 TiB at 100 MB\/s \(drill 2026-11-25\) \+ 30m fixed, objective 4h; to meet it, restores must run at 349 MB\/s or more, or the tenant must hold at most 1\.15 TiB$/,
    );
  });

  test('no drill yet: Unknown when the fleet default meets the objective, False when even it does not', () => {
    const within = projectRestore({ bytes: 20 * GiB, defaultBytesPerSecond: 100e6, overheadSeconds: 0 });
    assert.equal(within.status, 'Unknown');
    assert.equal(within.reason, Reason.NoRestoreDrill);
    assert.equal(within.withinObjective, true);
    assert.match(
      within.message,
      /^projected restore 4m for 20 GiB at 100 MB\/s \(fleet default: no restore drill of this tenant yet\), objective 8h; a restore drill will measure the real speed$/,
    );
    const over = projectRestore({ bytes: 20 * 1024 * GiB, defaultBytesPerSecond: 100e6, overheadSeconds: 0 });
    assert.equal(over.status, 'False');
    assert.equal(over.reason, Reason.RestoreProjectedOverObjective);
  });

  test('a fixed overhead beyond the objective says so', () => {
    const p = projectRestore({ bytes: 1, measuredRestoreBytesPerSecond: 1e6, defaultBytesPerSecond: 1e6, overheadSeconds: 9 * 3600 });
    assert.match(p.message, /the fixed 9h alone exceeds it$/);
  });

  test('nonsense input is refused', () => {
    assert.throws(
      () => projectRestore({ bytes: -1, defaultBytesPerSecond: 1, overheadSeconds: 0 }),
      /bytes must be a finite number of at least 0/,
    );
    assert.throws(
      () => projectRestore({ bytes: 1, defaultBytesPerSecond: 0, overheadSeconds: 0 }),
      /defaultBytesPerSecond must be a finite number above 0/,
    );
    assert.throws(
      () => projectRestore({ bytes: 1, measuredRestoreBytesPerSecond: Number.NaN, defaultBytesPerSecond: 1, overheadSeconds: 0 }),
      /measuredRestoreBytesPerSecond/,
    );
  });

  test('formatDuration', () => {
    const cases: [number, string][] = [
      [0, '0s'],
      [45_000, '45s'],
      [35 * 60_000, '35m'],
      [72 * 60_000, '1h12m'],
      [8 * HOUR, '8h'],
      [49 * HOUR + 20_000, '49h'],
      [76 * HOUR, '3d4h'],
      [-90 * 60_000, '-1h30m'],
    ];
    for (const [ms, want] of cases) assert.equal(formatDuration(ms), want, `${ms} ms`);
  });
});
