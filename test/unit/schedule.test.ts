// BackupPolicy schedules: what is refused (and how the message names the field), and when a
// schedule fires, in UTC and across Europe/Berlin's daylight-saving transitions, as the
// Kubernetes CronJob controller would run it. Fixed dates only.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CronTime } from 'cron';
import { Reason } from '../../src/api/conditions.js';
import { isKnownTimeZone, nextRun, parseSchedule, previousRun } from '../../src/backup/schedule.js';
import { seededRandom } from '../support/seeded-random.js';

const at = (iso: string) => new Date(iso);
const BERLIN = 'Europe/Berlin';

describe('parseSchedule accepts', () => {
  const rows: [expr: string, timeZone: string][] = [
    ['0 2 * * *', 'UTC'],
    ['*/15 * * * *', 'UTC'],
    ['30 2 * * *', BERLIN],
    ['0 2 ? * mon-fri', BERLIN],
    ['0 2 * JAN,jul SUN', 'America/New_York'],
    ['0 3 28-31 * *', 'Australia/Sydney'],
    ['0 0 29 2 *', 'UTC'],
    ['5/20 1-5/2 1,15 * ?', 'Asia/Kolkata'],
    ['  0   2 * * *  ', 'Etc/GMT+5'],
  ];
  for (const [expr, timeZone] of rows) {
    test(`"${expr}" in ${timeZone}`, () => assert.deepEqual(parseSchedule(expr, timeZone), { ok: true }));
  }
});

describe('parseSchedule refuses, naming the field and the rule', () => {
  const schedule = (expr: string, message: RegExp) => ({
    expr,
    timeZone: 'UTC',
    field: 'spec.schedule',
    reason: Reason.ScheduleInvalid,
    message,
  });
  const zone = (timeZone: string, message: RegExp) => ({
    expr: '0 2 * * *',
    timeZone,
    field: 'spec.timeZone',
    reason: Reason.UnknownTimeZone,
    message,
  });
  const rows = [
    schedule('@daily', /^spec\.schedule "@daily" is a macro; write the 5 fields/),
    schedule('0 0 2 * * *', /has 6 fields \(a seconds field is not accepted\); it needs exactly 5/),
    schedule('0 2 * *', /has 4 fields; it needs exactly 5: minute hour day-of-month month day-of-week/),
    schedule('', /has 0 fields/),
    schedule('0 25 * * *', /the hour field "25" is invalid \(.*out of range\); it takes 0-23$/),
    schedule('60 2 * * *', /the minute field "60" is invalid .*; it takes 0-59$/),
    schedule('0 2 0 * *', /the day-of-month field "0" is invalid/),
    schedule('0 2 * 13 *', /the month field "13" is invalid/),
    schedule('*/0 2 * * *', /the minute field "\*\/0" is invalid \(.*step of zero\)/),
    schedule('0 5-1 * * *', /the hour field "5-1" is invalid \(.*invalid range\)/),
    // robfig/cron (the CronJob controller) has no 7 for Sunday, though the cron package does.
    schedule('0 2 * * 7', /the day-of-week field "7" has a value above 6; it takes 0-6 \(0 = Sunday\) or sun-sat/),
    schedule('0 2 * * 1-7', /the day-of-week field "1-7" has a value above 6/),
    schedule('0 2 * * jan', /the day-of-week field "jan" has the unknown name "jan"/),
    schedule('0 2 mon * *', /the day-of-month field "mon" has characters other than digits and \* \/ , - \?/),
    schedule('0 2 * * L', /the day-of-week field "L" has the unknown name "L"/),
    schedule('0 2 * ? *', /the month field "\?" has characters other than/),
    schedule('0 0 30 2 *', /never fires: no month in the month field has the day given/),
    schedule('0 0 31 4,6 *', /never fires/),
    zone(
      'europe/berlin',
      /^spec\.timeZone "europe\/berlin" is not spelled as in the time zone database \(names are case-sensitive\); did you mean "Europe\/Berlin"\?$/,
    ),
    zone('utc', /did you mean "UTC"/),
    zone('Mars/Olympus', /^spec\.timeZone "Mars\/Olympus" is not in the time zone database/),
    zone('+01:00', /is not an IANA time zone name .* not an offset/),
    zone('', /is not an IANA time zone name/),
  ];
  for (const row of rows) {
    test(`"${row.expr}" in "${row.timeZone}"`, () => {
      const r = parseSchedule(row.expr, row.timeZone);
      assert.equal(r.ok, false);
      if (r.ok) return;
      assert.equal(r.field, row.field);
      assert.equal(r.reason, row.reason);
      assert.match(r.message, row.message);
    });
  }

  test('a schedule error is reported before a time zone error', () => {
    const r = parseSchedule('0 25 * * *', 'Mars/Olympus');
    assert.equal(r.ok ? undefined : r.field, 'spec.schedule');
  });

  test('isKnownTimeZone', () => {
    assert.equal(isKnownTimeZone('UTC'), true);
    assert.equal(isKnownTimeZone('Europe/Berlin'), true);
    assert.equal(isKnownTimeZone('Europe/berlin'), false);
    assert.equal(isKnownTimeZone('Nowhere/Special'), false);
  });

  test('the run-time functions throw the parse message for a schedule that was never checked', () => {
    assert.throws(() => nextRun('0 2 * * 7', 'UTC', at('2026-01-01T00:00:00Z')), /day-of-week field "7"/);
    assert.throws(() => previousRun('0 2 * * *', 'Mars/Olympus', at('2026-01-01T00:00:00Z')), /spec\.timeZone "Mars\/Olympus"/);
    assert.throws(() => nextRun('0 2 * * *', 'UTC', new Date(Number.NaN)), /after is not a valid date/);
  });
});

interface RunRow {
  name: string;
  expr: string;
  timeZone: string;
  from: string;
  next: string | undefined;
  previous: string | undefined;
}

const runRows: RunRow[] = [
  {
    name: 'daily, between runs',
    expr: '0 2 * * *',
    timeZone: 'UTC',
    from: '2026-11-26T10:00:00Z',
    next: '2026-11-27T02:00:00Z',
    previous: '2026-11-26T02:00:00Z',
  },
  {
    name: 'daily, exactly at a run: next is strictly after, previous is at',
    expr: '0 2 * * *',
    timeZone: 'UTC',
    from: '2026-11-26T02:00:00Z',
    next: '2026-11-27T02:00:00Z',
    previous: '2026-11-26T02:00:00Z',
  },
  {
    name: 'daily, a millisecond before a run',
    expr: '0 2 * * *',
    timeZone: 'UTC',
    from: '2026-11-26T01:59:59.999Z',
    next: '2026-11-26T02:00:00Z',
    previous: '2026-11-25T02:00:00Z',
  },
  {
    name: 'every 15 minutes',
    expr: '*/15 * * * *',
    timeZone: 'UTC',
    from: '2026-11-26T10:07:30Z',
    next: '2026-11-26T10:15:00Z',
    previous: '2026-11-26T10:00:00Z',
  },
  {
    name: 'weekdays only, from a Saturday',
    expr: '0 2 * * mon-fri',
    timeZone: 'UTC',
    from: '2026-11-28T12:00:00Z',
    next: '2026-11-30T02:00:00Z',
    previous: '2026-11-27T02:00:00Z',
  },
  // Month ends.
  {
    name: 'the 31st skips short months',
    expr: '0 3 31 * *',
    timeZone: 'UTC',
    from: '2026-01-31T03:00:00Z',
    next: '2026-03-31T03:00:00Z',
    previous: '2026-01-31T03:00:00Z',
  },
  {
    name: 'the 31st, looking back over February',
    expr: '0 3 31 * *',
    timeZone: 'UTC',
    from: '2026-03-15T00:00:00Z',
    next: '2026-03-31T03:00:00Z',
    previous: '2026-01-31T03:00:00Z',
  },
  {
    name: 'the 28th to the 31st in February',
    expr: '0 3 28-31 * *',
    timeZone: 'UTC',
    from: '2026-02-28T03:00:00Z',
    next: '2026-03-28T03:00:00Z',
    previous: '2026-02-28T03:00:00Z',
  },
  {
    name: 'the 30th in a leap February',
    expr: '0 3 29,30 * *',
    timeZone: 'UTC',
    from: '2028-02-01T00:00:00Z',
    next: '2028-02-29T03:00:00Z',
    previous: '2028-01-30T03:00:00Z',
  },
  {
    name: 'February 29 waits for a leap year',
    expr: '0 0 29 2 *',
    timeZone: 'UTC',
    from: '2026-06-01T00:00:00Z',
    next: '2028-02-29T00:00:00Z',
    previous: '2024-02-29T00:00:00Z',
  },
  {
    name: 'February 29 skips 2100',
    expr: '0 0 29 2 *',
    timeZone: 'UTC',
    from: '2097-01-01T00:00:00Z',
    next: '2104-02-29T00:00:00Z',
    previous: '2096-02-29T00:00:00Z',
  },
  {
    name: 'first of the month at midnight Berlin is the evening before in UTC',
    expr: '0 0 1 * *',
    timeZone: BERLIN,
    from: '2026-01-15T00:00:00Z',
    next: '2026-01-31T23:00:00Z',
    previous: '2025-12-31T23:00:00Z',
  },
  {
    name: 'first of the month across the spring-forward month',
    expr: '0 0 1 * *',
    timeZone: BERLIN,
    from: '2026-03-15T00:00:00Z',
    next: '2026-03-31T22:00:00Z',
    previous: '2026-02-28T23:00:00Z',
  },
  // Day fields (robfig/cron): both restricted = either may match; one starting with * = both must.
  {
    name: 'day-of-month OR day-of-week',
    expr: '0 0 13 * 5',
    timeZone: 'UTC',
    from: '2026-11-01T00:00:00Z',
    next: '2026-11-06T00:00:00Z',
    previous: '2026-10-30T00:00:00Z',
  },
  {
    name: 'day-of-month OR day-of-week: the 13th, a Friday',
    expr: '0 0 13 * 5',
    timeZone: 'UTC',
    from: '2026-11-10T00:00:00Z',
    next: '2026-11-13T00:00:00Z',
    previous: '2026-11-06T00:00:00Z',
  },
  {
    name: '? is *: then the day of week alone decides',
    expr: '0 0 ? * 5',
    timeZone: 'UTC',
    from: '2026-11-10T00:00:00Z',
    next: '2026-11-13T00:00:00Z',
    previous: '2026-11-06T00:00:00Z',
  },
  {
    name: '1-31 is not *: Mondays OR any day',
    expr: '0 0 1-31 * 1',
    timeZone: 'UTC',
    from: '2026-11-10T12:00:00Z',
    next: '2026-11-11T00:00:00Z',
    previous: '2026-11-10T00:00:00Z',
  },
  {
    name: '*/2 is not *: odd days OR Sundays',
    expr: '0 0 */2 * 0',
    timeZone: 'UTC',
    from: '2026-11-21T12:00:00Z',
    next: '2026-11-22T00:00:00Z',
    previous: '2026-11-21T00:00:00Z',
  },
];

describe('nextRun and previousRun', () => {
  for (const row of runRows) {
    test(`${row.name}: ${row.expr} ${row.timeZone} from ${row.from}`, () => {
      assert.equal(nextRun(row.expr, row.timeZone, at(row.from))?.toISOString(), row.next && at(row.next).toISOString());
      assert.equal(previousRun(row.expr, row.timeZone, at(row.from))?.toISOString(), row.previous && at(row.previous).toISOString());
    });
  }
});

describe('Europe/Berlin daylight saving (2026: spring forward March 29 02:00 CET, fall back October 25 03:00 CEST)', () => {
  test('02:30 does not exist on the spring-forward day, so that day has no run (as with the CronJob controller)', () => {
    // 2026-03-28 02:30 CET = 01:30Z; 2026-03-30 02:30 CEST = 00:30Z.
    assert.equal(nextRun('30 2 * * *', BERLIN, at('2026-03-28T01:30:00Z'))?.toISOString(), '2026-03-30T00:30:00.000Z');
    assert.equal(previousRun('30 2 * * *', BERLIN, at('2026-03-30T00:29:59Z'))?.toISOString(), '2026-03-28T01:30:00.000Z');
    assert.equal(previousRun('30 2 * * *', BERLIN, at('2026-03-30T00:30:00Z'))?.toISOString(), '2026-03-30T00:30:00.000Z');
  });

  test('hourly runs jump from 01:00 CET to 03:00 CEST', () => {
    assert.equal(nextRun('0 * * * *', BERLIN, at('2026-03-29T00:00:00Z'))?.toISOString(), '2026-03-29T01:00:00.000Z');
    assert.equal(previousRun('0 * * * *', BERLIN, at('2026-03-29T00:59:59Z'))?.toISOString(), '2026-03-29T00:00:00.000Z');
  });

  test('02:30 happens twice on the fall-back day and runs once, at its first occurrence (CEST)', () => {
    assert.equal(nextRun('30 2 * * *', BERLIN, at('2026-10-24T12:00:00Z'))?.toISOString(), '2026-10-25T00:30:00.000Z');
    assert.equal(nextRun('30 2 * * *', BERLIN, at('2026-10-25T00:30:00Z'))?.toISOString(), '2026-10-26T01:30:00.000Z');
    // Looking back from the second 02:30 (CET, 01:30Z) finds the first.
    assert.equal(previousRun('30 2 * * *', BERLIN, at('2026-10-25T01:30:00Z'))?.toISOString(), '2026-10-25T00:30:00.000Z');
  });

  test('hourly runs through the repeated hour: 02:00 CEST, then 03:00 CET', () => {
    assert.equal(nextRun('0 * * * *', BERLIN, at('2026-10-24T23:00:00Z'))?.toISOString(), '2026-10-25T00:00:00.000Z');
    assert.equal(nextRun('0 * * * *', BERLIN, at('2026-10-25T00:00:00Z'))?.toISOString(), '2026-10-25T02:00:00.000Z');
    assert.equal(previousRun('0 * * * *', BERLIN, at('2026-10-25T01:59:59Z'))?.toISOString(), '2026-10-25T00:00:00.000Z');
  });

  test('a run in the repeated hour, asked for from inside its second pass', () => {
    // 02:10 CET (01:10Z): the 02:40 of today already ran at 02:40 CEST (00:40Z).
    assert.equal(previousRun('40 2 * * *', BERLIN, at('2026-10-25T01:10:00Z'))?.toISOString(), '2026-10-25T00:40:00.000Z');
    assert.equal(nextRun('40 2 * * *', BERLIN, at('2026-10-25T01:10:00Z'))?.toISOString(), '2026-10-26T01:40:00.000Z');
  });
});

describe('properties', () => {
  const pick = <T>(rnd: () => number, xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
  // Day fields avoid lists that cover every value without *, where the cron package and
  // robfig/cron read the day rule differently (rows above pin robfig/cron's reading).
  const minutes = ['0', '30', '*/15', '5,35', '59', '0-10/5'];
  const hours = ['*', '2', '0,12', '*/6', '1-3', '23'];
  const doms = ['*', '1', '15', '31', '28-31', '1,15', '*/10', '29'];
  const months = ['*', '2', 'jan,jul', '*/3', '4-6', '12'];
  const dows = ['*', '0', 'mon-fri', '6', '1,3'];
  const randomExpr = (rnd: () => number) =>
    [pick(rnd, minutes), pick(rnd, hours), pick(rnd, doms), pick(rnd, months), pick(rnd, dows)].join(' ');
  const YEAR_START = Date.UTC(2026, 0, 1);
  const YEAR_MS = 365 * 24 * 3600 * 1000;

  test('in UTC, nextRun agrees with the cron package', () => {
    const rnd = seededRandom(7);
    let compared = 0;
    for (let i = 0; i < 150; i++) {
      const expr = randomExpr(rnd);
      if (!parseSchedule(expr, 'UTC').ok) continue; // e.g. the 31st of February: never fires
      const from = new Date(YEAR_START + Math.floor(rnd() * YEAR_MS));
      const theirs = new CronTime(expr, 'UTC').getNextDateFrom(from, 'UTC').toJSDate().toISOString();
      assert.equal(nextRun(expr, 'UTC', from)?.toISOString(), theirs, `${expr} from ${from.toISOString()}`);
      compared++;
    }
    assert.ok(compared > 120, `only ${compared} expressions compared`);
  });

  test('previousRun is a fire at or before the time, with no fire between it and the time', () => {
    const rnd = seededRandom(11);
    // Times near the transitions of a northern and a southern zone, and anywhere in the year.
    const anchors = [Date.UTC(2026, 2, 29, 1), Date.UTC(2026, 9, 25, 1), Date.UTC(2026, 3, 4, 16), Date.UTC(2026, 9, 3, 16)];
    for (let i = 0; i < 200; i++) {
      const expr = randomExpr(rnd);
      if (!parseSchedule(expr, 'UTC').ok) continue;
      const timeZone = pick(rnd, ['UTC', BERLIN, 'Australia/Sydney', 'America/New_York']);
      const base =
        rnd() < 0.5 ? pick(rnd, anchors) + Math.floor((rnd() - 0.5) * 6 * 3600 * 1000) : YEAR_START + Math.floor(rnd() * YEAR_MS);
      const before = new Date(base);
      const p = previousRun(expr, timeZone, before);
      const where = `${expr} ${timeZone} before ${before.toISOString()}`;
      assert.ok(p, where);
      assert.ok(p.getTime() <= before.getTime(), where);
      assert.equal(nextRun(expr, timeZone, new Date(p.getTime() - 1))?.getTime(), p.getTime(), `${where}: ${p.toISOString()} is a fire`);
      assert.ok(
        (nextRun(expr, timeZone, p)?.getTime() ?? Infinity) > before.getTime(),
        `${where}: nothing between ${p.toISOString()} and then`,
      );
    }
  });
});
