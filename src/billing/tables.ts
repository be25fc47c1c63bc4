// One table of the tenant's database as CSV with a header line, through the engine's own client
// (no driver dependency, as for backups). PostgreSQL: COPY ... TO STDOUT WITH CSV HEADER. MariaDB
// has no COPY and its client's batch output is not CSV (NULL and the text "NULL" look alike): the
// server builds each row as one CSV line (every value quoted with quotes doubled, NULL an empty
// unquoted field, binary values as \x hex like PostgreSQL's bytea), and the client prints it raw.
import { PassThrough, type Readable } from 'node:stream';
import { spawnTool, whenDone } from '../backup/child.js';
import type { DatabaseTarget } from '../backup/engines/index.js';
import { bin as mariadbBin, clientArgs, myEnv, rows, runMariadb } from '../backup/engines/mariadb.js';
import { bin as pgBin, connArgs, pgEnv, runPsql } from '../backup/engines/postgres.js';
import { literal, where } from '../backup/engines/scratch-restore.js';
import { csvLine } from './csv.js';

/** A table name as the CRD allows it: `name` or `schema.name`, letters, digits, _ and $ (so it needs no escaping in SQL text). */
const TABLE = /^[A-Za-z_][A-Za-z0-9_$]*(\.[A-Za-z_][A-Za-z0-9_$]*)?$/;
/** MariaDB column types whose values are bytes, exported as \x hex. */
const BINARY_TYPES = new Set(['binary', 'varbinary', 'tinyblob', 'blob', 'mediumblob', 'longblob', 'bit', 'geometry']);

/** A table that is not there: the export fails naming it, never exports an empty stand-in. */
export class MissingTableError extends Error {
  constructor(
    readonly table: string,
    where: string,
  ) {
    super(`billing export: table ${table} does not exist in ${where}: fix spec.lifecycle.billingExport.tables; nothing was exported`);
    this.name = 'MissingTableError';
  }
}

/** A table's CSV in progress. */
export interface TableStream {
  stream: Readable;
  /** Resolves after the client exited successfully. */
  done: Promise<void>;
}

/** Splits `schema.name` (or `name`) into its parts, with the engine's default schema; throws on a name the CRD would refuse. */
export function splitTableName(name: string, defaultSchema: string): { schema: string; table: string } {
  if (!TABLE.test(name))
    throw new Error(`billing export: ${JSON.stringify(name)} is not a table name (name or schema.name; letters, digits, _ and $)`);
  const dot = name.indexOf('.');
  return dot < 0 ? { schema: defaultSchema, table: name } : { schema: name.slice(0, dot), table: name.slice(dot + 1) };
}

/** Quotes a checked PostgreSQL identifier. */
function pgIdent(name: string): string {
  return `"${name}"`;
}

/** Quotes a checked MariaDB identifier. */
function myIdent(name: string): string {
  return `\`${name}\``;
}

async function postgresTable(t: DatabaseTarget, name: string): Promise<TableStream> {
  const { schema, table } = splitTableName(name, 'public');
  const found = await runPsql(
    t,
    t.database,
    `SELECT 1 FROM information_schema.tables WHERE table_schema = ${literal(schema)} AND table_name = ${literal(table)};\n`,
  );
  if (found.trim() === '') throw new MissingTableError(name, where(t, t.database));
  // The identifiers are quoted as given: the export names exactly the table the spec names.
  const copy = `COPY (SELECT * FROM ${pgIdent(schema)}.${pgIdent(table)}) TO STDOUT WITH (FORMAT csv, HEADER)`;
  const tool = spawnTool(
    pgBin(t, 'psql'),
    [...connArgs(t), `--dbname=${t.database}`, '--no-psqlrc', '--quiet', '--set=ON_ERROR_STOP=1', `--command=${copy}`],
    { context: `billing export: table ${name} of ${where(t, t.database)}`, env: pgEnv(t, { PGCLIENTENCODING: 'UTF8' }) },
  );
  return { stream: tool.stdout, done: whenDone(tool) };
}

/** The CSV expression of one MariaDB column: '' for NULL, else the value quoted (text) or \x hex (bytes). */
function mariadbColumn(column: string, type: string): string {
  const c = myIdent(column);
  const value = BINARY_TYPES.has(type.toLowerCase()) ? `CONCAT('\\\\x', LOWER(HEX(${c})))` : `CONCAT('"', REPLACE(${c}, '"', '""'), '"')`;
  return `IF(${c} IS NULL, '', ${value})`;
}

async function mariadbTable(t: DatabaseTarget, name: string): Promise<TableStream> {
  const { schema, table } = splitTableName(name, t.database);
  if (schema !== t.database)
    throw new Error(
      `billing export: table ${name} is not in the tenant's database ${t.database}: name it as ${table} or ${t.database}.${table}`,
    );
  // Column names come hex-encoded, so any name survives the client's tab-separated output.
  const out = await runMariadb(
    t,
    undefined,
    `SELECT HEX(COLUMN_NAME), DATA_TYPE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ${literal(schema)} AND TABLE_NAME = ${literal(table)} ORDER BY ORDINAL_POSITION;\n`,
  );
  const columns = rows(out).map(([hex = '', type = '']) => ({ name: Buffer.from(hex, 'hex').toString('utf8'), type }));
  if (columns.length === 0) throw new MissingTableError(name, where(t, t.database));
  const select = `SELECT CONCAT_WS(',', ${columns.map((c) => mariadbColumn(c.name, c.type)).join(', ')}) FROM ${myIdent(schema)}.${myIdent(table)}`;
  // --raw: values as they are (no escaping of newlines or tabs), one row per line; --quick: rows
  // are streamed, not buffered whole in the client.
  const tool = spawnTool(mariadbBin(t, ['mariadb', 'mysql']), [...clientArgs(t, t.database), '--raw', '--quick', `--execute=${select}`], {
    context: `billing export: table ${name} of ${where(t, t.database)}`,
    env: myEnv(t),
  });
  const stream = new PassThrough({ highWaterMark: 1024 * 1024 });
  stream.write(csvLine(columns.map((c) => c.name)));
  tool.stdout.pipe(stream);
  tool.stdout.once('error', (e) => stream.destroy(e));
  return { stream, done: whenDone(tool) };
}

/** Starts the CSV export of one table; rejects with a {@link MissingTableError} when it does not exist. */
export function exportTable(t: DatabaseTarget, name: string): Promise<TableStream> {
  return t.engine === 'postgres' ? postgresTable(t, name) : mariadbTable(t, name);
}
