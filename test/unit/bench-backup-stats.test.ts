// bench:backup's summary over rounds decides what the README quotes: min / median / max of every
// number however deeply nested, NaN and absent figures left out and counted, non-numbers kept when
// the rounds agree, and the medians projected back into the shape of one round.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { mediansOf, spread, Spread, summarizeRounds } from '../../bench/backup-stats.js';

describe('spread', () => {
  const cases: { name: string; values: unknown[]; want: Spread }[] = [
    { name: 'one round', values: [7], want: new Spread(7, 7, 7) },
    { name: 'odd count: the middle value, whatever the order', values: [5, 1, 3], want: new Spread(1, 3, 5) },
    { name: 'even count: the mean of the two middle values', values: [4, 1, 3, 2], want: new Spread(1, 2.5, 4) },
    { name: 'no float noise from the mean', values: [45.6, 45.7], want: new Spread(45.6, 45.65, 45.7) },
    { name: 'NaN left out and counted', values: [2, NaN, 4], want: new Spread(2, 3, 4, 1) },
    { name: 'absent and infinite left out and counted', values: [undefined, 1, Infinity, null], want: new Spread(1, 1, 1, 3) },
    { name: 'nothing finite: NaN for all three', values: [NaN, NaN], want: new Spread(NaN, NaN, NaN, 2) },
    { name: 'negative and zero', values: [0, -2, 5], want: new Spread(-2, 0, 5) },
  ];
  for (const c of cases) test(c.name, () => assert.deepEqual(spread(c.values), c.want));
});

describe('summarizeRounds', () => {
  test('nested objects: every number at every depth becomes a spread', () => {
    const rounds = [
      { backupMBps: 40, backupParts: { database: { bytes: 10, seconds: 2 } }, cpu: { agent: 1.5 } },
      { backupMBps: 60, backupParts: { database: { bytes: 10, seconds: 4 } }, cpu: { agent: 2.5 } },
      { backupMBps: 50, backupParts: { database: { bytes: 10, seconds: 3 } }, cpu: { agent: 0.5 } },
    ];
    assert.deepEqual(summarizeRounds(rounds), {
      backupMBps: new Spread(40, 50, 60),
      backupParts: { database: { bytes: new Spread(10, 10, 10), seconds: new Spread(2, 3, 4) } },
      cpu: { agent: new Spread(0.5, 1.5, 2.5) },
    });
  });

  test('a key some rounds lack: summarised over the rounds that have it, the others counted as missing', () => {
    const s = summarizeRounds([{ a: 1 }, { a: 3, b: 9 }]) as Record<string, unknown>;
    assert.deepEqual(s, { a: new Spread(1, 2, 3), b: new Spread(9, 9, 9, 1) });
  });

  test('lists of objects are summarised position by position', () => {
    const rounds = [
      {
        rssRuns: [
          { size: '1GiB', peakRssMb: 180 },
          { size: '4GiB', peakRssMb: 190 },
        ],
      },
      {
        rssRuns: [
          { size: '1GiB', peakRssMb: 170 },
          { size: '4GiB', peakRssMb: 210 },
        ],
      },
    ];
    assert.deepEqual(summarizeRounds(rounds), {
      rssRuns: [
        { size: '1GiB', peakRssMb: new Spread(170, 175, 180) },
        { size: '4GiB', peakRssMb: new Spread(190, 200, 210) },
      ],
    });
  });

  test('non-numbers stay as they are when the rounds agree, and become the list of values when they differ', () => {
    const rounds = [
      { restic: 'restic 0.14', rssWithinTarget: true, error: undefined },
      { restic: 'restic 0.14', rssWithinTarget: false, error: 'exit 1' },
    ];
    assert.deepEqual(summarizeRounds(rounds), { restic: 'restic 0.14', rssWithinTarget: [true, false], error: [null, 'exit 1'] });
  });

  test('a figure absent from every round is null', () => {
    assert.equal(summarizeRounds([undefined, null]), null);
  });
});

describe('mediansOf', () => {
  test('projects the summary back into the shape of one round, with medians', () => {
    const rounds = [
      { ratio: 1.2, nested: { rss: 200 }, list: [{ mb: 1 }], name: 'x' },
      { ratio: 1.6, nested: { rss: 190 }, list: [{ mb: 3 }], name: 'x' },
      { ratio: 1.4, nested: { rss: NaN }, list: [{ mb: 2 }], name: 'x' },
    ];
    assert.deepEqual(mediansOf(summarizeRounds(rounds)), { ratio: 1.4, nested: { rss: 195 }, list: [{ mb: 2 }], name: 'x' });
  });

  test('the JSON of a summary has min, median and max, and missing only where some round lacked the figure', () => {
    assert.equal(
      JSON.stringify(
        summarizeRounds([
          { a: 1, b: NaN },
          { a: 2, b: 5 },
        ]),
      ),
      '{"a":{"min":1,"median":1.5,"max":2},"b":{"min":5,"median":5,"max":5,"missing":1}}',
    );
  });
});
