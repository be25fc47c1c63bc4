// Maintenance windows of a ReleaseChannel: open in [fire, fire + duration), a millisecond either
// side of both ends; several windows; time zones (including a daylight saving change); the next
// opening; and refused schedules and zones named by field instead of thrown.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { nextWindowOpening, validateWindows, windowOpenAt, type MaintenanceWindow } from '../../src/release/index.js';

const d = (text: string, ms = 0) => new Date(Date.parse(text) + ms);

describe('windowOpenAt', () => {
  // Weekdays 02:00 for 2 hours, UTC. 2026-12-02 is a Wednesday, 2026-12-05 a Saturday.
  const weekdays: MaintenanceWindow[] = [{ schedule: '0 2 * * 1-5', durationMinutes: 120, timeZone: 'UTC' }];
  const cases: [string, MaintenanceWindow[], Date, boolean][] = [
    ['1 ms before the opening', weekdays, d('2026-12-02T02:00:00Z', -1), false],
    ['at the opening', weekdays, d('2026-12-02T02:00:00Z'), true],
    ['1 ms before the end', weekdays, d('2026-12-02T04:00:00Z', -1), true],
    ['at the end', weekdays, d('2026-12-02T04:00:00Z'), false],
    ['a Saturday', weekdays, d('2026-12-05T03:00:00Z'), false],
    ['no time zone: UTC', [{ schedule: '0 2 * * *', durationMinutes: 60 }], d('2026-12-02T02:30:00Z'), true],
    // Berlin is UTC+1 in winter: 02:00 local is 01:00Z.
    ['Berlin winter, open', [{ schedule: '0 2 * * *', durationMinutes: 60, timeZone: 'Europe/Berlin' }], d('2026-12-02T01:30:00Z'), true],
    [
      'Berlin winter, closed',
      [{ schedule: '0 2 * * *', durationMinutes: 60, timeZone: 'Europe/Berlin' }],
      d('2026-12-02T02:30:00Z'),
      false,
    ],
    // UTC+2 in summer: 03:00 local is 01:00Z.
    ['Berlin summer', [{ schedule: '0 3 * * *', durationMinutes: 60, timeZone: 'Europe/Berlin' }], d('2026-07-01T01:30:00Z'), true],
    ['New York', [{ schedule: '30 22 * * *', durationMinutes: 30, timeZone: 'America/New_York' }], d('2026-12-03T03:45:00Z'), true],
    [
      'a window over midnight and a weekend',
      [{ schedule: '0 22 * * 5', durationMinutes: 3 * 24 * 60, timeZone: 'UTC' }],
      d('2026-12-06T12:00:00Z'),
      true,
    ],
    [
      'the second of two windows',
      [
        { schedule: '0 2 * * *', durationMinutes: 60, timeZone: 'UTC' },
        { schedule: '0 14 * * *', durationMinutes: 60, timeZone: 'UTC' },
      ],
      d('2026-12-02T14:10:00Z'),
      true,
    ],
    ['a refused schedule is never open', [{ schedule: '* * * * * *', durationMinutes: 60 }], d('2026-12-02T14:10:00Z'), false],
    [
      'an unknown zone is never open',
      [{ schedule: '* * * * *', durationMinutes: 60, timeZone: 'Mars/Base' }],
      d('2026-12-02T14:10:00Z'),
      false,
    ],
  ];
  for (const [name, windows, now, open] of cases) test(name, () => assert.equal(windowOpenAt(windows, now), open));
});

describe('nextWindowOpening', () => {
  test('the earliest opening of all windows, strictly after now', () => {
    const windows: MaintenanceWindow[] = [
      { schedule: '0 2 * * *', durationMinutes: 60, timeZone: 'Europe/Berlin' },
      { schedule: '0 14 * * *', durationMinutes: 60, timeZone: 'UTC' },
    ];
    assert.equal(nextWindowOpening(windows, d('2026-12-02T10:00:00Z'))?.toISOString(), '2026-12-02T14:00:00.000Z');
    assert.equal(nextWindowOpening(windows, d('2026-12-02T14:00:00Z'))?.toISOString(), '2026-12-03T01:00:00.000Z');
  });

  test('across the spring-forward change the opening keeps its wall-clock time', () => {
    // Berlin moves to UTC+2 on 2026-03-29: 03:00 local is 02:00Z before, 01:00Z after.
    const windows: MaintenanceWindow[] = [{ schedule: '0 3 * * *', durationMinutes: 60, timeZone: 'Europe/Berlin' }];
    assert.equal(nextWindowOpening(windows, d('2026-03-28T03:00:00Z'))?.toISOString(), '2026-03-29T01:00:00.000Z');
  });

  test('none for no windows or only refused ones', () => {
    assert.equal(nextWindowOpening([], d('2026-12-02T10:00:00Z')), undefined);
    assert.equal(nextWindowOpening([{ schedule: 'nope', durationMinutes: 5 }], d('2026-12-02T10:00:00Z')), undefined);
  });
});

describe('validateWindows', () => {
  const cases: [string, MaintenanceWindow[], RegExp | undefined][] = [
    ['valid', [{ schedule: '0 2 * * 1-5', durationMinutes: 60, timeZone: 'Europe/Berlin' }], undefined],
    ['six fields', [{ schedule: '0 0 2 * * *', durationMinutes: 60 }], /^spec\.rollout\.maintenanceWindows\[0\]\.schedule .*6 fields/],
    ['hour 24', [{ schedule: '0 24 * * *', durationMinutes: 60 }], /^spec\.rollout\.maintenanceWindows\[0\]\.schedule .*hour field/],
    [
      'the second window has an unknown zone',
      [
        { schedule: '0 2 * * *', durationMinutes: 60 },
        { schedule: '0 2 * * *', durationMinutes: 60, timeZone: 'Europe/Atlantis' },
      ],
      /^spec\.rollout\.maintenanceWindows\[1\]\.timeZone "Europe\/Atlantis"/,
    ],
    ['an offset instead of a zone', [{ schedule: '0 2 * * *', durationMinutes: 60, timeZone: '+01:00' }], /timeZone "\+01:00"/],
    ['a zero duration (an object the API server did not check)', [{ schedule: '0 2 * * *', durationMinutes: 0 }], /durationMinutes/],
  ];
  for (const [name, windows, message] of cases)
    test(name, () => {
      const problem = validateWindows(windows);
      if (message === undefined) assert.equal(problem, undefined);
      else assert.match(problem?.message ?? '', message);
    });
});
