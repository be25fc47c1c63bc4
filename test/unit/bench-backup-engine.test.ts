// bench:backup's engine choice and its dataset size accounting: --engine parsing, how many rows
// make a database of a given size, and MariaDB's size from information_schema (NULL when empty).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { databaseSizeQuery, mariadbInsertRows, parseByteSum } from '../../bench/backup-dataset-mariadb.js';
import { rowsToLoad } from '../../bench/backup-dataset.js';
import { benchEngine, parseEngine } from '../../bench/backup-engine.js';

describe('parseEngine', () => {
  test('postgres when not given', () => assert.equal(parseEngine(undefined), 'postgres'));
  test('either engine, any case and spacing', () => {
    assert.equal(parseEngine('postgres'), 'postgres');
    assert.equal(parseEngine(' MariaDB '), 'mariadb');
  });
  for (const bad of ['mysql', 'pg', '', 'postgres,mariadb'])
    test(`rejects ${JSON.stringify(bad)}`, () => assert.throws(() => parseEngine(bad), /--engine must be postgres or mariadb/));
  test('each engine names its own tools and server', () => {
    assert.deepEqual(
      (['postgres', 'mariadb'] as const).map((k) => [benchEngine(k).kind, benchEngine(k).dumpName, benchEngine(k).serviceName]),
      [
        ['postgres', 'pg_dump', 'postgres'],
        ['mariadb', 'mariadb-dump', 'mariadb'],
      ],
    );
  });
  test('the load floor times pg_restore in two steps on the dump file; mariadb loads in one', () => {
    const t = { host: '127.0.0.1', port: 5432, user: 'u', password: 'p', database: 'd', engine: 'postgres' as const };
    const steps = benchEngine('postgres').loadSteps?.(t, 'scratch', '/x/db.dump') ?? [];
    assert.deepEqual(
      steps.map((s) => [s.step, s.tool.args.filter((a) => a.startsWith('--section=') || a.startsWith('--dbname=')), s.tool.args.at(-1)]),
      [
        ['data', ['--dbname=scratch', '--section=pre-data', '--section=data'], '/x/db.dump'],
        ['indexes', ['--dbname=scratch', '--section=post-data'], '/x/db.dump'],
      ],
    );
    assert.equal(benchEngine('mariadb').loadSteps, undefined);
  });
  test('only pg_dump has a gzip of its own to time', () => {
    assert.equal(typeof benchEngine('postgres').gzipDumpTool, 'function');
    assert.equal(benchEngine('mariadb').gzipDumpTool, undefined);
  });
});

describe('rowsToLoad', () => {
  test('scales the sample to the target, net of the empty database', () => {
    // 20,000 rows took 10 MB over an empty 1 MB: 500 bytes a row; 101 MB needs 200,000 rows.
    assert.equal(rowsToLoad(101e6, 1e6, 11e6, 20_000), 200_000);
  });
  test('never fewer than the sample already loaded', () => assert.equal(rowsToLoad(2e6, 1e6, 11e6, 20_000), 20_000));
  test('a sample that added no bytes counts one byte a row rather than dividing by zero', () =>
    assert.equal(rowsToLoad(1e6 + 50_000, 1e6, 1e6, 20_000), 50_000));
});

describe('MariaDB size accounting', () => {
  test('a database without tables sums to NULL: zero bytes', () => {
    assert.equal(parseByteSum('NULL\n'), 0);
    assert.equal(parseByteSum(''), 0);
  });
  test('a byte count', () => assert.equal(parseByteSum('134676480\n'), 134_676_480));
  test('anything else is an error, not a size', () => {
    assert.throws(() => parseByteSum('ERROR 1146'), /expected a byte count/);
    assert.throws(() => parseByteSum('-5'), /expected a byte count/);
  });
  test('data and index bytes of the one database', () => {
    const q = databaseSizeQuery('bench');
    assert.match(q, /SUM\(DATA_LENGTH \+ INDEX_LENGTH\)/);
    assert.match(q, /TABLE_SCHEMA = 'bench'/);
  });
  test('the insert covers exactly the rows asked for, with 30 words a note', () => {
    const sql = mariadbInsertRows(20_001, 270_000);
    assert.match(sql, /FROM seq_20001_to_270000;/);
    assert.equal(sql.match(/ELT\(1 \+ FLOOR\(RAND\(\) \* RAND\(\) \* 256\)/g)?.length, 30);
  });
});
