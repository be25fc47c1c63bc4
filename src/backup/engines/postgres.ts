// PostgreSQL through its own tools: pg_dump's custom format (uncompressed: the agent compresses the
// stream with zstd, see DUMP_COMPRESSION; restorable with pg_restore), loaded into a scratch
// database and swapped in by renaming both databases in one transaction, so the live name never
// points at a half-loaded database.
//
// The agent connects as the server's superuser, which in Tenantry is the app user itself (the
// official image makes POSTGRES_USER a superuser): it needs CREATE DATABASE, ALTER DATABASE
// RENAME, pg_terminate_backend on the app's sessions, and DROP DATABASE. Needs PostgreSQL 14 or
// newer on the server (pg_terminate_backend with a timeout).
//
// What a dump of one database does not hold is not restored: database-level settings (ALTER
// DATABASE ... SET), the database's comment and GRANTs on it. The restored database gets the
// live one's owner, encoding and collation; its locale provider is template0's.
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { runTool, whenDone } from '../child.js';
import { loadIntoTool, spawnProducer } from '../zstd-program.js';
import type { DatabaseEngine, DatabaseTarget, DumpStream } from './index.js';
import { literal, scratchRestore, where } from './scratch-restore.js';

/**
 * The only database names accepted: letters, digits and underscores, at most 63 bytes (longer
 * names PostgreSQL would silently truncate). Such a name needs no escaping in SQL or psql
 * scripts, and pg_dump cannot mistake it for a connection string (which any name with `=` is).
 */
const NAME = /^[A-Za-z0-9_]{1,63}$/;
/**
 * pg_dump compresses nothing: its own gzip (one process, ~40–55 MB/s even at level 1) bounded the
 * whole backup, while zstd in the agent runs several times faster for a slightly smaller dump.
 * pg_restore reads both kinds, so backups whose dump pg_dump compressed itself still restore.
 * A bare level works with pg_dump 14 to 16.
 */
const DUMP_COMPRESSION = '0';
/** How long the swap waits for the app's sessions to end after they were told to. */
const TERMINATE_TIMEOUT_MS = 10_000;

/** Returns `name` if it is an acceptable database name, else throws saying why. */
function checkName(name: string, what: string): string {
  if (!NAME.test(name))
    throw new Error(`postgres: ${what} "${name}" is not a database name the agent accepts (letters, digits and _, at most 63)`);
  return name;
}

/** Quotes a checked database name as an SQL identifier (keeps its case). */
function ident(name: string): string {
  return `"${name}"`;
}

/** Returns the path of a client tool: from the target's binDir, else from PATH. */
export function bin(t: DatabaseTarget, tool: string): string {
  return t.binDir ? join(t.binDir, tool) : tool;
}

/** Connection options common to all the tools; never a password (that is PGPASSWORD). */
export function connArgs(t: DatabaseTarget): string[] {
  return [`--host=${t.host}`, `--port=${t.port}`, `--username=${t.user}`, '--no-password'];
}

/** The tools' environment: the password, a connect timeout, and a name in pg_stat_activity. */
export function pgEnv(t: DatabaseTarget, extra: Record<string, string> = {}): Record<string, string> {
  return { PGPASSWORD: t.password, PGCONNECT_TIMEOUT: '15', PGAPPNAME: 'tenantry-backup', ...extra };
}

/** The database to connect to for CREATE/ALTER/DROP DATABASE: never the one being renamed. */
function maintenanceDb(t: DatabaseTarget): string {
  return t.database === 'postgres' ? 'template1' : 'postgres';
}

/** Runs an SQL script with psql (stops at the first error); resolves with its unaligned, tuples-only output. */
export function runPsql(t: DatabaseTarget, database: string, script: string): Promise<string> {
  const db = checkName(database, 'database');
  return runTool(
    bin(t, 'psql'),
    [...connArgs(t), `--dbname=${db}`, '--no-psqlrc', '--no-align', '--tuples-only', '--quiet', '--set=ON_ERROR_STOP=1', '--file=-'],
    {
      context: `postgres: psql on ${where(t, db)}`,
      env: pgEnv(t),
      input: script,
    },
  );
}

/** Lists which of `names` exist as databases. */
async function existing(t: DatabaseTarget, names: string[]): Promise<Set<string>> {
  const out = await runPsql(t, maintenanceDb(t), `SELECT datname FROM pg_database WHERE datname IN (${names.map(literal).join(', ')});`);
  return new Set(out.split('\n').filter(Boolean));
}

/**
 * Creates `name` from template0 with the owner, encoding and collation of `like` (the server's
 * defaults if `like` does not exist); fails if `name` exists. The server quotes what it copies.
 */
async function createDatabaseLike(t: DatabaseTarget, name: string, like: string): Promise<void> {
  await runPsql(
    t,
    maintenanceDb(t),
    `SELECT format('CREATE DATABASE %I OWNER %I TEMPLATE template0 ENCODING %L LC_COLLATE %L LC_CTYPE %L', ${literal(name)}, pg_get_userbyid(datdba), pg_encoding_to_char(encoding), datcollate, datctype)
  FROM pg_database WHERE datname = ${literal(like)}
UNION ALL
SELECT format('CREATE DATABASE %I TEMPLATE template0', ${literal(name)})
  WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = ${literal(like)})
\\gexec
`,
  );
}

/** Drops a database, ending its sessions first. */
async function dropDatabase(t: DatabaseTarget, name: string): Promise<void> {
  const db = checkName(name, 'database to drop');
  await runPsql(t, maintenanceDb(t), `DROP DATABASE IF EXISTS ${ident(db)} WITH (FORCE);\n`);
}

/**
 * Loads a custom-format dump into an existing, empty database. Single job, since parallel
 * restore needs a seekable file and the dump arrives as a stream. `--no-owner`: objects belong
 * to the user the agent connects as, which in Tenantry is the app user that owned them.
 */
async function load(t: DatabaseTarget, database: string, dump: Readable): Promise<number> {
  const context = `postgres: restore into ${where(t, database)}`;
  return loadIntoTool(
    bin(t, 'pg_restore'),
    [...connArgs(t), `--dbname=${database}`, '--exit-on-error', '--no-owner'],
    // A crash during the load only loses the scratch database, which is thrown away anyway.
    { context, env: pgEnv(t, { PGOPTIONS: '-c synchronous_commit=off' }) },
    dump,
  );
}

/**
 * Puts the loaded `scratch` in place of `live`: blocks and ends the app's sessions on `live` (it
 * reconnects to the restored database), then renames both in one transaction. On failure, the
 * live database accepts connections again and `scratch` is left for the caller to drop.
 */
async function swap(t: DatabaseTarget, live: string, scratch: string, old: string): Promise<void> {
  const hasLive = (await existing(t, [live])).has(live);
  const script = hasLive
    ? `ALTER DATABASE ${ident(live)} WITH ALLOW_CONNECTIONS false;
SELECT count(pg_terminate_backend(pid, ${TERMINATE_TIMEOUT_MS})) FROM pg_stat_activity WHERE datname = ${literal(live)} AND pid <> pg_backend_pid();
BEGIN;
ALTER DATABASE ${ident(live)} RENAME TO ${ident(old)};
ALTER DATABASE ${ident(scratch)} RENAME TO ${ident(live)};
COMMIT;
`
    : `ALTER DATABASE ${ident(scratch)} RENAME TO ${ident(live)};\n`;
  try {
    await runPsql(t, maintenanceDb(t), script);
  } catch (e) {
    // psql may have died after the COMMIT went through: then the swap happened.
    const now = await existing(t, [old, scratch]).catch(() => new Set<string>());
    if (now.has(old) && !now.has(scratch)) return;
    if (hasLive) await runPsql(t, maintenanceDb(t), `ALTER DATABASE ${ident(live)} WITH ALLOW_CONNECTIONS true;\n`).catch(() => undefined);
    throw new Error(
      `postgres: swapping the restored database into ${where(t, live)} failed; the live database is unchanged: ${(e as Error).message}`,
      { cause: e },
    );
  }
}

/** Starts pg_dump (custom format, uncompressed) of the target's database. */
function dump(t: DatabaseTarget, o: { zstd?: string } = {}): DumpStream {
  const db = checkName(t.database, 'database');
  const tool = spawnProducer(
    bin(t, 'pg_dump'),
    [
      ...connArgs(t),
      `--dbname=${db}`,
      '--format=custom',
      `--compress=${DUMP_COMPRESSION}`,
      // A migration holding a table lock fails the dump instead of stalling it for hours.
      '--lock-wait-timeout=60000',
      // Keywords of a newer server cannot break the restore of an older dump.
      '--quote-all-identifiers',
    ],
    { context: `postgres: dump of ${where(t, db)}`, env: pgEnv(t) },
    o.zstd,
  );
  return { stream: tool.stream, done: whenDone(tool) };
}

/** Returns pg_dump's version and the server's. */
async function versions(t: DatabaseTarget): Promise<{ client: string; server: string }> {
  const client = await runTool(bin(t, 'pg_dump'), ['--version'], { context: 'postgres: pg_dump --version' });
  const server = await runPsql(t, checkName(t.database, 'database'), 'SHOW server_version;\n');
  return { client: client.trim(), server: server.trim() };
}

/** The PostgreSQL engine. */
export const postgresEngine: DatabaseEngine = {
  toolName: 'pg_dump',
  contentType: 'application/x-postgresql-custom',
  compressInAgent: true,
  dump,
  versions,
  ...scratchRestore({
    kind: 'postgres',
    oldHolds: 'copy',
    checkName,
    createDatabaseLike,
    load,
    dropDatabase,
    swap,
    // Kept for a person to compare: it accepts connections again (the swap had blocked them).
    afterSwap: async (t, _scratch, old, keepOld) => {
      if (keepOld) await runPsql(t, maintenanceDb(t), `ALTER DATABASE ${ident(old)} WITH ALLOW_CONNECTIONS true;\n`).catch(() => undefined);
    },
  }),
};
