// MariaDB through its own tools: mariadb-dump's SQL text of one database (no CREATE DATABASE, so
// it loads into any name), loaded into a scratch database and swapped in table by table.
//
// MariaDB has no RENAME DATABASE. The swap moves every table of the live database into an "old"
// database and every table of the scratch database into the live one in ONE `RENAME TABLE`,
// which is atomic: the app sees either all old tables or all restored ones. Objects that cannot
// move between databases are handled around it: triggers (a table with triggers cannot change
// database) are dropped just before the rename and recreated from the restored copy right after;
// views, stored procedures and functions, and events of the live database are replaced by the
// restored copy's right after. So tables, their data and foreign keys switch atomically, while
// for a moment after the rename the restored tables have no triggers and the views are the old
// ones (which, naming tables by name, already read the restored tables). The swap waits at most
// LOCK_WAIT_SECONDS for the app's open transactions on the live tables, then gives up unchanged.
//
// The load runs the dump as written, so it must be mariadb-dump's dump of one database, as made
// here: a `USE other`, or a trigger the app created as `app.name`, would act on that database.
//
// The agent connects as root (MARIADB_ROOT_PASSWORD of the tenant's Secret). A narrower account
// would need, on all databases: SELECT, SHOW VIEW, TRIGGER, EVENT and SELECT on mysql.proc to
// dump; CREATE, DROP, ALTER, INDEX, REFERENCES, INSERT, LOCK TABLES, CREATE VIEW, CREATE ROUTINE,
// ALTER ROUTINE, TRIGGER and EVENT to restore and swap; and SET USER (or SUPER) for the DEFINER
// clauses of views, triggers and routines.
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { feedTool, runTool, spawnTool, whenDone } from '../child.js';
import { decodedInAgent, spawnProducer } from '../zstd-program.js';
import type { DatabaseEngine, DatabaseTarget, DumpStream } from './index.js';
import { literal, scratchRestore, where } from './scratch-restore.js';

/**
 * The only database names accepted: letters, digits and underscores, at most 64. Such a name
 * needs no escaping in SQL, in a tool's arguments, or in MariaDB's mapping of names to files.
 */
const NAME = /^[A-Za-z0-9_]{1,64}$/;
/** Character sets and collations copied from the live database end up in SQL text unquoted. */
const CHARSET = /^[A-Za-z0-9_]{1,64}$/;
/** The last line mariadb-dump writes (unless told --skip-comments): its absence means a cut-off dump. */
const TRAILER = '\n-- Dump completed';
/** How long the swap waits for the app's transactions on the live tables before giving up. */
const LOCK_WAIT_SECONDS = 60;
/** Large enough for any row a dump can hold; the server's own max_allowed_packet still applies. */
const MAX_PACKET = '--max-allowed-packet=1G';

/** Returns `name` if it is an acceptable database name, else throws saying why. */
function checkName(name: string, what: string): string {
  if (!NAME.test(name))
    throw new Error(`mariadb: ${what} "${name}" is not a database name the agent accepts (letters, digits and _, at most 64)`);
  return name;
}

/** Quotes any name as a MariaDB identifier (object names come from the server and may hold anything). */
function ident(name: string): string {
  return `\`${name.replaceAll('`', '``')}\``;
}

/** Finds the first of `names` in the target's binDir, then on PATH (MariaDB's names, then MySQL's). */
export function bin(t: DatabaseTarget, names: [string, string]): string {
  const dirs = [...(t.binDir ? [t.binDir] : []), ...(process.env.PATH ?? '').split(delimiter).filter(Boolean)];
  for (const name of names)
    for (const dir of dirs) {
      try {
        accessSync(join(dir, name), constants.X_OK);
        return join(dir, name);
      } catch {
        // not here
      }
    }
  return names[0];
}

/** Connection options; --no-defaults (first, as required) keeps option files out, the password is MYSQL_PWD. */
function connArgs(t: DatabaseTarget): string[] {
  return ['--no-defaults', `--host=${t.host}`, `--port=${t.port}`, `--user=${t.user}`, '--protocol=TCP', '--default-character-set=utf8mb4'];
}

/** The tools' environment: only the password. */
export function myEnv(t: DatabaseTarget): Record<string, string> {
  return { MYSQL_PWD: t.password };
}

/**
 * Arguments of the mariadb client for running scripts. --binary-mode: client commands such as
 * `\!` (run a shell command) are not interpreted, so a dump cannot make the agent run anything.
 */
export function clientArgs(t: DatabaseTarget, database?: string): string[] {
  return [
    ...connArgs(t),
    '--connect-timeout=15',
    '--batch',
    '--skip-column-names',
    '--binary-mode',
    MAX_PACKET,
    ...(database ? [`--database=${database}`] : []),
  ];
}

/** Runs an SQL script with the mariadb client (stops at the first error); resolves with its tab-separated output. */
export function runMariadb(t: DatabaseTarget, database: string | undefined, script: string): Promise<string> {
  const db = database === undefined ? undefined : checkName(database, 'database');
  return runTool(bin(t, ['mariadb', 'mysql']), clientArgs(t, db), {
    context: `mariadb: client on ${db ? where(t, db) : `${t.host}:${t.port}`}`,
    env: myEnv(t),
    input: script,
  });
}

/** Splits the client's batch output into rows of fields, undoing its escapes of tab, newline, backslash and NUL. */
export function rows(out: string): string[][] {
  const unescape = (f: string) => f.replace(/\\(.)/g, (_m, c: string) => ({ t: '\t', n: '\n', '0': '\0', '\\': '\\' })[c] ?? c);
  return out
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => l.split('\t').map(unescape));
}

/** The schema objects of one database, by kind. */
interface Objects {
  tables: string[];
  views: string[];
  triggers: string[];
  /** [type, name], type as in information_schema.ROUTINES (PROCEDURE, FUNCTION, PACKAGE, PACKAGE BODY). */
  routines: [string, string][];
  events: string[];
}

/** Returns a routine type from information_schema, checked, as it may appear in a DROP statement. */
function routineType(type: string): string {
  if (!['PROCEDURE', 'FUNCTION', 'PACKAGE', 'PACKAGE BODY'].includes(type))
    throw new Error(`mariadb: unknown routine type ${JSON.stringify(type)}`);
  return type;
}

/** Lists a database's tables (including sequences), views, triggers, routines and events. */
async function objects(t: DatabaseTarget, db: string): Promise<Objects> {
  const s = literal(db);
  const out = await runMariadb(
    t,
    undefined,
    `SELECT 'table', TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = ${s} AND TABLE_TYPE <> 'VIEW'
UNION ALL SELECT 'view', TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = ${s} AND TABLE_TYPE = 'VIEW'
UNION ALL SELECT 'trigger', TRIGGER_NAME FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = ${s}
UNION ALL SELECT ROUTINE_TYPE, ROUTINE_NAME FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = ${s}
UNION ALL SELECT 'event', EVENT_NAME FROM information_schema.EVENTS WHERE EVENT_SCHEMA = ${s};
`,
  );
  const o: Objects = { tables: [], views: [], triggers: [], routines: [], events: [] };
  for (const [kind = '', name = ''] of rows(out)) {
    if (kind === 'table') o.tables.push(name);
    else if (kind === 'view') o.views.push(name);
    else if (kind === 'trigger') o.triggers.push(name);
    else if (kind === 'event') o.events.push(name);
    else o.routines.push([kind, name]);
  }
  return o;
}

/** Lists which of `names` exist as databases. */
async function existing(t: DatabaseTarget, names: string[]): Promise<Set<string>> {
  const out = await runMariadb(
    t,
    undefined,
    `SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME IN (${names.map(literal).join(', ')});\n`,
  );
  return new Set(rows(out).map((r) => r[0] ?? ''));
}

/** Creates `name` (failing if it exists) with the character set and collation of `like`, or the server's defaults. */
async function createDatabaseLike(t: DatabaseTarget, name: string, like: string): Promise<void> {
  const out = await runMariadb(
    t,
    undefined,
    `SELECT DEFAULT_CHARACTER_SET_NAME, DEFAULT_COLLATION_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ${literal(like)};\n`,
  );
  const [charset, collation] = rows(out)[0] ?? [];
  const options =
    charset && collation && CHARSET.test(charset) && CHARSET.test(collation) ? ` CHARACTER SET ${charset} COLLATE ${collation}` : '';
  await runMariadb(t, undefined, `CREATE DATABASE ${ident(name)}${options};\n`);
}

/** Drops a database if it exists. */
async function dropDatabase(t: DatabaseTarget, name: string): Promise<void> {
  const db = checkName(name, 'database to drop');
  await runMariadb(t, undefined, `DROP DATABASE IF EXISTS ${ident(db)};\n`);
}

/** Fails the stream at its end unless the last bytes hold mariadb-dump's closing line. */
class TrailerCheck extends Transform {
  private last = Buffer.alloc(0);

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.last = Buffer.concat([this.last, chunk.subarray(-256)]).subarray(-256);
    cb(null, chunk);
  }

  override _flush(cb: TransformCallback): void {
    if (this.last.includes(TRAILER)) cb();
    else cb(new Error(`the dump does not end with mariadb-dump's "-- Dump completed" line: it is cut off, or not made by mariadb-dump`));
  }
}

/** Loads a dump into an existing database; the closing-line check fails a cut-off dump even if it ends between statements. */
async function load(t: DatabaseTarget, database: string, dump: Readable): Promise<number> {
  const context = `mariadb: restore into ${where(t, database)}`;
  const tool = spawnTool(bin(t, ['mariadb', 'mysql']), clientArgs(t, database), { context, env: myEnv(t), stdin: true });
  return feedTool(tool, decodedInAgent(dump), context, new TrailerCheck());
}

/** Returns the CREATE statements of some of a database's objects, as mariadb-dump writes them (with their DELIMITERs). */
async function definitions(t: DatabaseTarget, db: string, what: 'code' | 'triggers' | 'views', views: string[] = []): Promise<string> {
  const opts =
    what === 'views'
      ? ['--no-data', '--skip-triggers', '--skip-routines', '--skip-events', '--', db, ...views]
      : [
          '--no-data',
          '--no-create-info',
          '--triggers',
          ...(what === 'code' ? ['--routines', '--events'] : ['--skip-routines', '--skip-events']),
          '--',
          db,
        ];
  return runTool(bin(t, ['mariadb-dump', 'mysqldump']), [...connArgs(t), '--skip-dump-date', ...opts], {
    context: `mariadb: reading the ${what} of ${where(t, db)}`,
    env: myEnv(t),
  });
}

/**
 * Swaps the loaded `scratch` in for `live` (see the header), creating `live` first if it does not
 * exist. Until the RENAME succeeds the live tables are unchanged, and their triggers are put back
 * if it fails; a failure after it names what is missing and keeps the replaced tables in `old`.
 */
async function swap(t: DatabaseTarget, live: string, scratch: string, old: string): Promise<void> {
  if (!(await existing(t, [live])).has(live)) await createDatabaseLike(t, live, scratch);
  const [next, prev] = await Promise.all([objects(t, scratch), objects(t, live)]);
  const code = next.triggers.length || next.routines.length || next.events.length ? await definitions(t, scratch, 'code') : '';
  const views = next.views.length ? await definitions(t, scratch, 'views', next.views) : '';
  const prevTriggers = prev.triggers.length ? await definitions(t, live, 'triggers') : '';
  await createDatabaseLike(t, old, live);
  // A live view named like a restored table would make the RENAME fail; it is replaced anyway.
  const clashing = prev.views.filter((n) => next.tables.includes(n));
  const moves = [
    ...prev.tables.map((n) => `${ident(live)}.${ident(n)} TO ${ident(old)}.${ident(n)}`),
    ...next.tables.map((n) => `${ident(scratch)}.${ident(n)} TO ${ident(live)}.${ident(n)}`),
  ];
  const swapScript = [
    `SET SESSION lock_wait_timeout = ${LOCK_WAIT_SECONDS};`,
    ...next.triggers.map((n) => `DROP TRIGGER ${ident(scratch)}.${ident(n)};`),
    ...prev.triggers.map((n) => `DROP TRIGGER ${ident(live)}.${ident(n)};`),
    ...clashing.map((n) => `DROP VIEW ${ident(live)}.${ident(n)};`),
    ...(moves.length ? [`RENAME TABLE ${moves.join(', ')};`] : []),
    '',
  ].join('\n');
  try {
    await runMariadb(t, undefined, swapScript);
  } catch (e) {
    // The RENAME is all or nothing: if scratch still has its tables it did not happen (the client
    // may also have died just after it did, and then the swap goes on).
    const renamed =
      next.tables.length > 0 &&
      (await objects(t, scratch).then(
        (o) => o.tables.length === 0,
        () => false,
      ));
    if (!renamed) await failedSwap(t, live, old, prev.triggers, prevTriggers, e);
  }
  const replace = [
    `SET SESSION lock_wait_timeout = ${LOCK_WAIT_SECONDS};`,
    ...prev.views.filter((n) => !clashing.includes(n)).map((n) => `DROP VIEW IF EXISTS ${ident(n)};`),
    ...prev.routines.map(([type, n]) => `DROP ${routineType(type)} IF EXISTS ${ident(n)};`),
    ...prev.events.map((n) => `DROP EVENT IF EXISTS ${ident(n)};`),
    code,
    views,
    '',
  ].join('\n');
  try {
    await runMariadb(t, live, replace);
  } catch (e) {
    throw new Error(
      `mariadb: the restored tables are in ${where(t, live)}, but recreating its triggers, views, routines or events failed; the replaced tables are kept in "${old}": ${(e as Error).message}`,
      { cause: e },
    );
  }
}

/** Cleans up after a swap whose RENAME did not happen, then throws: live triggers put back, the empty `old` dropped. */
async function failedSwap(
  t: DatabaseTarget,
  live: string,
  old: string,
  triggers: string[],
  triggerDdl: string,
  cause: unknown,
): Promise<never> {
  const note = triggerDdl ? await putBackTriggers(t, live, triggers, triggerDdl) : '';
  await dropDatabase(t, old).catch(() => undefined);
  throw new Error(
    `mariadb: swapping the restored tables into ${where(t, live)} failed; the live tables are unchanged${note}: ${(cause as Error).message}`,
    { cause },
  );
}

/**
 * After a failed swap, recreates the live database's triggers if any is missing (mariadb-dump
 * wrote them as one script, so the survivors are dropped first); returns a note for the error.
 */
async function putBackTriggers(t: DatabaseTarget, live: string, names: string[], ddl: string): Promise<string> {
  try {
    const now = (await objects(t, live)).triggers;
    if (names.every((n) => now.includes(n))) return '';
    await runMariadb(
      t,
      live,
      [`SET SESSION lock_wait_timeout = ${LOCK_WAIT_SECONDS};`, ...names.map((n) => `DROP TRIGGER IF EXISTS ${ident(n)};`), ddl].join('\n'),
    );
    return ' (its triggers were dropped and have been recreated)';
  } catch (e) {
    return ` (but some of its triggers were dropped and recreating them failed: ${(e as Error).message})`;
  }
}

/** mariadb-dump's arguments for a dump of the target's database (exported so that a benchmark dumps the same bytes). */
export function dumpArgs(t: DatabaseTarget): string[] {
  const db = checkName(t.database, 'database');
  return [...connArgs(t), '--single-transaction', '--quick', '--routines', '--triggers', '--events', '--hex-blob', MAX_PACKET, '--', db];
}

/** Starts mariadb-dump of the target's database (a consistent snapshot of its InnoDB tables). */
function dump(t: DatabaseTarget, o: { zstd?: string } = {}): DumpStream {
  const db = checkName(t.database, 'database');
  const tool = spawnProducer(
    bin(t, ['mariadb-dump', 'mysqldump']),
    dumpArgs(t),
    { context: `mariadb: dump of ${where(t, db)}`, env: myEnv(t) },
    o.zstd,
  );
  return { stream: tool.stream, done: whenDone(tool) };
}

/** Returns mariadb-dump's version and the server's. */
async function versions(t: DatabaseTarget): Promise<{ client: string; server: string }> {
  const client = await runTool(bin(t, ['mariadb-dump', 'mysqldump']), ['--version'], { context: 'mariadb: mariadb-dump --version' });
  const server = await runMariadb(t, undefined, 'SELECT VERSION();\n');
  return { client: client.trim(), server: server.trim() };
}

/** The MariaDB engine. */
export const mariadbEngine: DatabaseEngine = {
  toolName: 'mariadb-dump',
  contentType: 'application/sql',
  compressInAgent: true,
  dump,
  versions,
  ...scratchRestore({
    kind: 'mariadb',
    oldHolds: 'tables in',
    checkName,
    createDatabaseLike,
    load,
    dropDatabase,
    swap,
    // A scratch or old database left by an earlier restore fails this one before the load, not
    // only at the swap after the whole dump was loaded.
    reserve: async (t, scratch, old) => {
      const taken = await existing(t, [scratch, old]);
      if (taken.size)
        throw new Error(`mariadb: ${[...taken].join(', ')} already exist(s) on ${t.host}:${t.port}; choose another scratch suffix`);
    },
    // What is left in scratch: its routines, events and views, now recreated in live.
    afterSwap: (t, scratch) => dropDatabase(t, scratch),
  }),
};
