// Integration test of the backup agent's database engines against real servers: for PostgreSQL
// and MariaDB, a dump restored over the live database brings a deleted row back byte for byte
// (with its views, triggers and routines); a cut-off or damaged dump fails the restore and leaves
// the live database and no scratch database behind; a dump that cannot log in fails loudly
// instead of producing an empty stream. The servers come from TENANTRY_PG_* / TENANTRY_MARIADB_*
// (set by the test driver; set them by hand to run this file alone).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { childEnv } from '../../src/backup/child.js';
import { engineFor, type DatabaseTarget, type EngineKind } from '../../src/backup/engines/index.js';
import { runMariadb } from '../../src/backup/engines/mariadb.js';
import { bin, connArgs, pgEnv, runPsql } from '../../src/backup/engines/postgres.js';
import { dbTarget } from '../support/backup-env.js';
import { collect } from '../support/streams.js';

/** Dumps a database into memory, checking both the stream and the tool's result. */
async function dumpToBuffer(t: DatabaseTarget): Promise<Buffer> {
  const d = engineFor(t.engine).dump(t);
  const [buf] = await Promise.all([collect(d.stream), d.done]);
  return buf;
}

/** Dumps a PostgreSQL database as the agent did before zstd: custom format, pg_dump's own gzip at level 1. */
async function pgDumpCompressed(t: DatabaseTarget): Promise<Buffer> {
  const tool = spawn(
    bin(t, 'pg_dump'),
    [...connArgs(t), `--dbname=${t.database}`, '--format=custom', '--compress=1', '--quote-all-identifiers'],
    { env: childEnv(pgEnv(t)), stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const [buf, code] = await Promise.all([collect(tool.stdout), new Promise((resolve) => tool.once('close', resolve))]);
  assert.equal(code, 0, 'pg_dump --compress=1 succeeded');
  return buf;
}

/** Returns a copy of `buf` with `n` bytes in the middle replaced by garbage. */
function damaged(buf: Buffer, n = 4096): Buffer {
  const copy = Buffer.from(buf);
  randomBytes(n).copy(copy, Math.floor(buf.length / 2));
  return copy;
}

/** What each engine's test needs: SQL to build the fixture and to read it back. */
interface EngineCase {
  kind: EngineKind;
  /** Runs SQL in a database (or on the server) and returns the output text. */
  sql(t: DatabaseTarget, database: string | undefined, script: string): Promise<string>;
  fixture: string;
  /** One line that changes if any byte of the fixture's data changes. */
  checksum: string;
  /** Lists databases whose names start with a prefix. */
  databases(prefix: string): string;
  /** Checks the views, triggers and routines work in the restored database. */
  extras: string;
  extrasExpected: RegExp;
}

/** Every byte value once, as hex. */
const ALL_BYTES = Buffer.from(Array.from({ length: 256 }, (_v, i) => i)).toString('hex');
const UNICODE = `Zoë ✓ 日本語 🚀 'quote' "dq" back\\slash tab\there`;

const POSTGRES: EngineCase = {
  kind: 'postgres',
  sql: (t, db, script) => runPsql(t, db ?? 'postgres', script),
  fixture: `
CREATE TABLE items (id serial PRIMARY KEY, name text NOT NULL, body text, data bytea, created timestamptz NOT NULL DEFAULT '2024-05-06 07:08:09.123456+00');
CREATE TABLE audit (id serial PRIMARY KEY, item_id int REFERENCES items(id) ON DELETE CASCADE, note text);
INSERT INTO items (name, body, data)
  SELECT ${pgLiteral(UNICODE)} || ' ' || i, repeat('line ' || i || E'\\n', 50),
         (SELECT decode(string_agg(md5(i::text || '/' || j), ''), 'hex') FROM generate_series(1, 96) j)
  FROM generate_series(1, 2000) i;
INSERT INTO items (name, data) VALUES ('all bytes', decode('${ALL_BYTES}', 'hex'));
INSERT INTO audit (item_id, note) SELECT id, 'seen ' || id FROM items WHERE id % 10 = 0;
CREATE VIEW item_names AS SELECT id, name FROM items;
CREATE FUNCTION audit_insert() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN INSERT INTO audit (item_id, note) VALUES (NEW.id, 'trigger'); RETURN NEW; END $$;
CREATE TRIGGER items_ai AFTER INSERT ON items FOR EACH ROW EXECUTE FUNCTION audit_insert();
`,
  checksum: `SELECT md5(string_agg(md5(x::text), '' ORDER BY id)) || '/' || (SELECT md5(string_agg(md5(a::text), '' ORDER BY id)) FROM audit a) FROM items x;`,
  databases: (prefix) => `SELECT datname FROM pg_database WHERE starts_with(datname, '${prefix}') ORDER BY 1;`,
  extras: `INSERT INTO items (name) VALUES ('after restore');
SELECT count(*) FROM item_names;
SELECT note FROM audit WHERE item_id = (SELECT max(id) FROM items);`,
  extrasExpected: /^2002\ntrigger$/,
};

const MARIADB: EngineCase = {
  kind: 'mariadb',
  sql: (t, db, script) => runMariadb(t, db, script),
  fixture: `
CREATE TABLE items (id int AUTO_INCREMENT PRIMARY KEY, name varchar(200) NOT NULL, body mediumtext, data longblob, created datetime(6) NOT NULL DEFAULT '2024-05-06 07:08:09.123456') CHARSET utf8mb4;
CREATE TABLE audit (id int AUTO_INCREMENT PRIMARY KEY, item_id int, note varchar(100), FOREIGN KEY (item_id) REFERENCES items(id) ON DELETE CASCADE) CHARSET utf8mb4;
SET SESSION max_recursive_iterations = 10000;
INSERT INTO items (name, body, data)
  WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < 2000)
  SELECT CONCAT(${myLiteral(UNICODE)}, ' ', i), REPEAT(CONCAT('line ', i, '\\n'), 50), UNHEX(REPEAT(SHA2(CONCAT(i, '/'), 512), 24)) FROM seq;
INSERT INTO items (name, data) VALUES ('all bytes', 0x${ALL_BYTES});
INSERT INTO audit (item_id, note) SELECT id, CONCAT('seen ', id) FROM items WHERE id % 10 = 0;
CREATE VIEW item_names AS SELECT id, name FROM items;
CREATE TRIGGER items_ai AFTER INSERT ON items FOR EACH ROW INSERT INTO audit (item_id, note) VALUES (NEW.id, 'trigger');
CREATE VIEW first_names AS SELECT name FROM item_names WHERE id < 10;
CREATE EVENT prune_audit ON SCHEDULE EVERY 1 DAY DISABLE DO DELETE FROM audit WHERE note = 'never';
DELIMITER //
CREATE PROCEDURE count_items(OUT n int) BEGIN SELECT count(*) INTO n FROM items; SELECT n; END //
DELIMITER ;
`,
  checksum: `SET SESSION group_concat_max_len = 67108864;
SELECT CONCAT(
  (SELECT MD5(GROUP_CONCAT(MD5(CONCAT_WS('|', id, HEX(name), HEX(body), HEX(data), created)) ORDER BY id SEPARATOR '')) FROM items), '/',
  (SELECT MD5(GROUP_CONCAT(MD5(CONCAT_WS('|', id, item_id, note)) ORDER BY id SEPARATOR '')) FROM audit));`,
  databases: (prefix) =>
    `SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME LIKE '${prefix.replaceAll('_', '\\_')}%' ORDER BY 1;`,
  extras: `INSERT INTO items (name) VALUES ('after restore');
SELECT count(*) FROM item_names;
SELECT note FROM audit WHERE item_id = (SELECT max(id) FROM items);
CALL count_items(@n);
SELECT count(*) FROM first_names;
SELECT EVENT_NAME FROM information_schema.EVENTS WHERE EVENT_SCHEMA = DATABASE();`,
  extrasExpected: /^2002\ntrigger\n2002\n9\nprune_audit$/,
};

/** Quotes a string as a PostgreSQL literal. */
function pgLiteral(s: string): string {
  return `'${s.replaceAll("'", "''")}'`;
}

/** Quotes a string as a MariaDB literal (backslashes are escapes there). */
function myLiteral(s: string): string {
  return `'${s.replaceAll('\\', '\\\\').replaceAll("'", "''")}'`;
}

for (const c of [POSTGRES, MARIADB]) {
  describe(`${c.kind} engine`, () => {
    const run = randomBytes(4).toString('hex');
    const live = `tenantry_engine_${run}`;
    const t = dbTarget(c.kind, live);
    const engine = engineFor(c.kind);
    let dump: Buffer;
    let checksum: string;

    const sum = async () => (await c.sql(t, live, c.checksum)).trim();
    const leftovers = async () => (await c.sql(t, undefined, c.databases(`${live}_`))).trim();

    before(async () => {
      await c.sql(t, undefined, `CREATE DATABASE ${live};`);
      await c.sql(t, live, c.fixture);
      checksum = await sum();
      dump = await dumpToBuffer(t);
    });

    after(async () => {
      const rest = (await c.sql(t, undefined, c.databases(live))).split('\n').filter(Boolean);
      for (const db of rest) await engine.dropDatabase(t, db);
    });

    test('the dump is a few megabytes of the expected format', () => {
      assert.ok(dump.length > 1_000_000, `dump is only ${dump.length} bytes`);
      if (c.kind === 'postgres') assert.equal(dump.subarray(0, 5).toString(), 'PGDMP');
      else assert.match(dump.subarray(-200).toString(), /-- Dump completed/);
    });

    test('versions names the client tool and the server', async () => {
      const v = await engine.versions(t);
      assert.match(v.client, c.kind === 'postgres' ? /pg_dump \(PostgreSQL\) \d+/ : /(mariadb-dump|mysqldump) .*\d+\.\d+/);
      assert.match(v.server, /^\d+\.\d+/);
    });

    test('restore brings back a deleted row, byte for byte, with views, triggers and routines', async () => {
      await c.sql(t, live, 'DELETE FROM items WHERE id = 7;');
      assert.notEqual(await sum(), checksum, 'deleting a row changes the checksum');
      const r = await engine.restore(t, Readable.from([dump]), { scratchSuffix: `ok${run}` });
      assert.equal(r.bytes, dump.length);
      assert.equal(await sum(), checksum);
      assert.equal(await leftovers(), '', 'no scratch or old database is left');
      // The restored copy works like the original: its view, trigger and routine.
      const out = (await c.sql(t, live, c.extras)).trim();
      assert.match(out, c.extrasExpected);
      await c.sql(t, live, "DELETE FROM items WHERE name = 'after restore';");
    });

    test('restore with keepOld keeps the replaced database', async () => {
      const suffix = `keep${run}`;
      await engine.restore(t, Readable.from([dump]), { scratchSuffix: suffix, keepOld: true });
      assert.equal(await leftovers(), `${live}_old_${suffix}`);
      await engine.dropDatabase(t, `${live}_old_${suffix}`);
      assert.equal(await leftovers(), '');
    });

    const bad: [string, () => Buffer][] = [
      ['a cut-off dump', () => dump.subarray(0, Math.floor(dump.length * 0.6))],
      ['a dump damaged in the middle', () => damaged(dump)],
      ['an empty dump', () => Buffer.alloc(0)],
    ];
    for (const [what, make] of bad) {
      test(`${what} fails the restore and leaves the live database as it was`, async () => {
        await c.sql(t, live, "UPDATE items SET name = 'changed since the backup' WHERE id = 3;");
        const before = await sum();
        await assert.rejects(engine.restore(t, Readable.from([make()]), { scratchSuffix: `bad${run}` }), (e: Error) => {
          assert.match(e.message, new RegExp(`^${c.kind}: `), e.message);
          return true;
        });
        assert.equal(await sum(), before, 'the live data is unchanged');
        assert.equal(await leftovers(), '', 'the scratch database was dropped');
      });
    }

    if (c.kind === 'postgres')
      test('a dump pg_dump compressed itself (PostgreSQL backups made before zstd) still restores', async () => {
        const old = await pgDumpCompressed(t);
        const atDump = await sum();
        assert.equal(old.subarray(0, 5).toString(), 'PGDMP');
        assert.ok(old.length < dump.length, `pg_dump's gzip made ${old.length} bytes, the uncompressed dump is ${dump.length}`);
        await c.sql(t, live, 'DELETE FROM items WHERE id = 5;');
        assert.notEqual(await sum(), atDump, 'deleting a row changes the checksum');
        await engine.restore(t, Readable.from([old]), { scratchSuffix: `gz${run}` });
        assert.equal(await sum(), atDump, 'the deleted row is back');
        assert.equal(await leftovers(), '');
      });

    test('an input stream that fails mid-way fails the restore', async () => {
      const before = await sum();
      const half = dump.subarray(0, Math.floor(dump.length / 2));
      const failing = new Readable({
        read() {
          this.push(half);
          this.destroy(new Error('decryption failed: bad tag'));
        },
      });
      await assert.rejects(engine.restore(t, failing, { scratchSuffix: `src${run}` }), /decryption failed: bad tag/);
      assert.equal(await sum(), before);
      assert.equal(await leftovers(), '');
    });

    test('restoreInto loads a copy next to the live database; dropDatabase removes it', async () => {
      const copy = `${live}_drill`;
      await engine.restoreInto(t, copy, Readable.from([dump]));
      assert.equal((await c.sql(t, copy, c.checksum)).trim(), checksum);
      await engine.dropDatabase(t, copy);
      assert.equal(await leftovers(), '');
      await assert.rejects(engine.restoreInto(t, live, Readable.from([dump])), /would overwrite the live database/);
    });

    test('restore into a server without the live database creates it', async () => {
      const fresh = { ...t, database: `${live}_fresh` };
      await engine.restore(fresh, Readable.from([dump]), { scratchSuffix: `new${run}` });
      assert.equal((await c.sql(t, fresh.database, c.checksum)).trim(), checksum);
      await engine.dropDatabase(t, fresh.database);
      assert.equal(await leftovers(), '');
    });

    test('a dump whose reader goes away stops the dump tool', async () => {
      const d = engine.dump(t);
      for await (const _chunk of d.stream) break;
      await assert.rejects(d.done, /was stopped by the agent/);
    });

    test('a dump with a wrong password errors its stream and names the cause', async () => {
      const d = engine.dump({ ...t, password: 'not-the-password' });
      const streamed = collect(d.stream);
      const message =
        c.kind === 'postgres'
          ? /postgres: dump of database "tenantry_engine_\w+" on .*pg_dump exited with code 1.*password authentication failed/s
          : /mariadb: dump of database "tenantry_engine_\w+" on .*mariadb-dump exited with code 2.*Access denied/s;
      await assert.rejects(streamed, message);
      await assert.rejects(d.done, message);
    });

    test('names that are not plain identifiers are refused before any tool runs', async () => {
      assert.throws(() => engine.dump({ ...t, database: 'app; DROP DATABASE x' }), /is not a database name the agent accepts/);
      await assert.rejects(engine.dropDatabase(t, 'a"b'), /is not a database name the agent accepts/);
      await assert.rejects(engine.restore(t, Readable.from([dump]), { scratchSuffix: 'x y' }), /scratch suffix/);
    });

    if (c.kind === 'postgres') {
      test('restore ends the sessions open on the live database', async () => {
        // An app session in the middle of a query: the swap must end it rather than fail or wait.
        const args = [
          `--host=${t.host}`,
          `--port=${t.port}`,
          `--username=${t.user}`,
          `--dbname=${live}`,
          '--no-psqlrc',
          '--command=SELECT pg_sleep(120)',
        ];
        const psql = spawn(t.binDir ? `${t.binDir}/psql` : 'psql', args, { env: childEnv({ PGPASSWORD: t.password }), stdio: 'ignore' });
        const exited = new Promise<number | null>((resolve) => psql.once('exit', (code) => resolve(code)));
        await new Promise((r) => setTimeout(r, 1000));
        await engine.restore(t, Readable.from([dump]), { scratchSuffix: `busy${run}` });
        assert.notEqual(await exited, 0, 'the open session was ended');
        assert.equal(await sum(), checksum);
      });
    }
  });
}
