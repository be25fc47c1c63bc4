// What bench:backup does differently per database engine (--engine postgres|mariadb): how the
// dataset's database is made, sized and checked, the dump and load commands restic is measured
// with (the agent's own dump, so both move the same bytes), and the names the output gives the
// engine's tools. Everything else in a round is the same for both engines.
import type { DatabaseTarget, EngineKind } from '../src/backup/engines/index.js';
import { bin as mariadbBin, clientArgs, dumpArgs, myEnv, runMariadb } from '../src/backup/engines/mariadb.js';
import { runPsql } from '../src/backup/engines/postgres.js';
import { mariadbCountRows, mariadbDatabaseBytes, seedMariadb } from './backup-dataset-mariadb.js';
import { countRows, databaseBytes, seedDatabase, type DatabaseDataset } from './backup-dataset.js';
import { pgTool } from './backup-run.js';

/** A command with its arguments and environment, as backup-run's run and runPipe take it. */
export interface Tool {
  cmd: string;
  args: string[];
  env: Record<string, string>;
}

/** An engine as bench:backup drives it. */
export interface BenchEngine {
  kind: EngineKind;
  /** The engine's name in progress lines. */
  label: string;
  /** How the database half of the dataset size is measured, as the output states it. */
  datasetDefinition: string;
  /** The database server's process among the services, for its CPU time. */
  serviceName: string;
  /** The dump tool's name in progress lines, the figures' keys and restic's file name for the dump. */
  dumpName: string;
  dumpFile: string;
  /** The tool that loads a dump, in progress lines and CPU figures. */
  loadName: string;
  /** Creates the database afresh with the table `orders` of about `bytes`. */
  seed(t: DatabaseTarget, bytes: number, progress: (msg: string) => void): Promise<DatabaseDataset>;
  /** The database's size by the engine's own accounting. */
  databaseBytes(t: DatabaseTarget): Promise<number>;
  countRows(t: DatabaseTarget): Promise<number>;
  /** Brings a database a restore reloaded to the state the generated one was measured in. */
  settle(t: DatabaseTarget): Promise<void>;
  /** Drops a database and anything connected to it. */
  drop(t: DatabaseTarget, database: string): Promise<void>;
  /** Creates an empty database next to the live one. */
  create(t: DatabaseTarget, database: string): Promise<void>;
  /** Runs SQL in a database. */
  sql(t: DatabaseTarget, database: string, script: string): Promise<string>;
  /** The agent's dump of the target's database, as a command of its own. */
  dumpTool(t: DatabaseTarget): Tool;
  /** The dump with the dump tool's own gzip, where the tool has one the agent used before (pg_dump). */
  gzipDumpTool?(t: DatabaseTarget): Tool;
  /** The command that loads a dump from stdin into `database`. */
  loadTool(t: DatabaseTarget, database: string): Tool;
  /**
   * Where the engine's load of a dump file splits into steps the output times apart (pg_restore's
   * sections: the table and its data, then the index builds); absent where it does not (mariadb
   * builds InnoDB's clustered primary key as it inserts).
   */
  loadSteps?(t: DatabaseTarget, database: string, file: string): { step: string; tool: Tool }[];
}

/**
 * The agent's pg_dump command (custom format, uncompressed: the agent compresses with zstd), so
 * restic and the stage timing dump the same bytes; restic compresses them itself (repository v2).
 */
export const DUMP_ARGS = ['--format=custom', '--compress=0', '--quote-all-identifiers'];
/** What the agent ran before zstd (pg_dump's own gzip, level 1), timed alone for comparison. */
const DUMP_ARGS_GZIP = ['--format=custom', '--compress=1', '--quote-all-identifiers'];

const postgres: BenchEngine = {
  kind: 'postgres',
  label: 'PostgreSQL',
  datasetDefinition: 'pg_database_size + bytes of the files',
  serviceName: 'postgres',
  dumpName: 'pg_dump',
  dumpFile: 'db.dump',
  loadName: 'pg_restore',
  seed: seedDatabase,
  databaseBytes,
  countRows,
  settle: async (t) => void (await runPsql(t, t.database, 'VACUUM (FREEZE, ANALYZE) orders;')),
  drop: async (t, database) => void (await runPsql(t, 'postgres', `DROP DATABASE IF EXISTS ${database} WITH (FORCE);`)),
  create: async (t, database) => void (await runPsql(t, 'postgres', `CREATE DATABASE ${database};`)),
  sql: runPsql,
  dumpTool: (t) => pgTool(t, 'pg_dump', t.database, DUMP_ARGS),
  gzipDumpTool: (t) => pgTool(t, 'pg_dump', t.database, DUMP_ARGS_GZIP),
  loadTool: (t, database) => pgTool(t, 'pg_restore', database, ['--exit-on-error', '--no-owner']),
  loadSteps: (t, database, file) => [
    {
      step: 'data',
      tool: pgTool(t, 'pg_restore', database, ['--exit-on-error', '--no-owner', '--section=pre-data', '--section=data', file]),
    },
    { step: 'indexes', tool: pgTool(t, 'pg_restore', database, ['--exit-on-error', '--no-owner', '--section=post-data', file]) },
  ],
};

const mariadb: BenchEngine = {
  kind: 'mariadb',
  label: 'MariaDB',
  datasetDefinition: 'information_schema data_length + index_length of the database (after ANALYZE TABLE) + bytes of the files',
  serviceName: 'mariadb',
  dumpName: 'mariadb-dump',
  dumpFile: 'db.sql',
  loadName: 'mariadb',
  seed: seedMariadb,
  databaseBytes: mariadbDatabaseBytes,
  countRows: mariadbCountRows,
  // Nothing to freeze: InnoDB sets no hint bits; fresh statistics are all a reloaded table lacks.
  settle: async (t) => void (await runMariadb(t, t.database, 'ANALYZE TABLE orders;\n')),
  drop: async (t, database) => void (await runMariadb(t, undefined, `DROP DATABASE IF EXISTS ${database};\n`)),
  create: async (t, database) => void (await runMariadb(t, undefined, `CREATE DATABASE ${database} CHARACTER SET utf8mb4;\n`)),
  sql: runMariadb,
  dumpTool: (t) => ({ cmd: mariadbBin(t, ['mariadb-dump', 'mysqldump']), args: dumpArgs(t), env: myEnv(t) }),
  loadTool: (t, database) => ({ cmd: mariadbBin(t, ['mariadb', 'mysql']), args: clientArgs(t, database), env: myEnv(t) }),
};

/** Parses --engine: postgres (the default) or mariadb. */
export function parseEngine(text: string | undefined): EngineKind {
  const v = (text ?? 'postgres').trim().toLowerCase();
  if (v === 'postgres' || v === 'mariadb') return v;
  throw new Error(`--engine must be postgres or mariadb, not "${text}"`);
}

/** The bench's view of an engine. */
export function benchEngine(kind: EngineKind): BenchEngine {
  return kind === 'postgres' ? postgres : mariadb;
}
