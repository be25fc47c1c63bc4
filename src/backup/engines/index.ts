// The database engines of the backup agent: one interface, one implementation per engine, each
// driving the engine's own command-line tools (no driver dependency) and producing or consuming
// plain byte streams; compression, encryption and storage happen around them.
// The restore algorithm both share (load into a scratch database, swap, clean up) is
// scratch-restore.ts; an engine supplies only its own steps to it.
import type { Readable } from 'node:stream';
import { mariadbEngine } from './mariadb.js';
import { postgresEngine } from './postgres.js';

/** The engines the agent supports. */
export type EngineKind = 'postgres' | 'mariadb';

/** Where a database is and how to log in; the password reaches the tools only through their environment. */
export interface DatabaseTarget {
  engine: EngineKind;
  host: string;
  port: number;
  /** The live database: what `dump` reads and `restore` replaces. */
  database: string;
  /** A user that may create, rename and drop databases (PostgreSQL: the server's superuser; MariaDB: root). */
  user: string;
  password: string;
  /** Folder of the client tools (pg_dump, psql, ...) when they are not the ones on PATH. */
  binDir?: string;
}

/** A dump in progress: the bytes, and whether the tool that made them succeeded. */
export interface DumpStream {
  /** The dump; errors instead of ending if the tool fails, so a truncated dump never looks complete. */
  stream: Readable;
  /** Resolves after the tool exited successfully; rejects naming the engine, database, exit code and stderr. */
  done: Promise<void>;
}

/** Options of {@link DatabaseEngine.restore}. */
export interface RestoreOptions {
  /** Makes the scratch and old database names unique to this restore ([A-Za-z0-9_]). */
  scratchSuffix: string;
  /** Keep the replaced database as `<live>_old_<suffix>` instead of dropping it. */
  keepOld?: boolean;
  /**
   * Awaited after the load succeeded and before the swap; a rejection discards the scratch
   * database. A restore of several parts uses it so that no part is swapped in unless every
   * part loaded.
   */
  beforeSwap?: () => Promise<void>;
}

/** Dumps and restores one engine's databases through its command-line tools. */
export interface DatabaseEngine {
  /** The dump tool's name, as recorded in a backup's manifest. */
  toolName: string;
  /** Media type of a dump. */
  contentType: string;
  /** Whether the agent should compress the dump (with zstd; false when the dump tool compresses already). */
  compressInAgent: boolean;
  /** Starts a dump of the target's database; with `zstd`, compressed by that program on its way out (see spawnProducer). */
  dump(t: DatabaseTarget, o?: { zstd?: string }): DumpStream;
  /**
   * Restores a dump into a new scratch database, then swaps it with the live one; the live data
   * is untouched unless the whole load succeeded. Resolves with the number of dump bytes read.
   */
  restore(t: DatabaseTarget, dump: Readable, opts: RestoreOptions): Promise<{ bytes: number }>;
  /** Loads a dump into a new database `targetDatabase` (a drill, or a restore next to the live one); drops it again if the load fails. */
  restoreInto(t: DatabaseTarget, targetDatabase: string, dump: Readable): Promise<void>;
  /** Drops a database if it exists. */
  dropDatabase(t: DatabaseTarget, name: string): Promise<void>;
  /** Returns the dump tool's and the server's versions, for the manifest. */
  versions(t: DatabaseTarget): Promise<{ client: string; server: string }>;
}

/** Returns the engine implementation for a kind. */
export function engineFor(kind: EngineKind): DatabaseEngine {
  switch (kind) {
    case 'postgres':
      return postgresEngine;
    case 'mariadb':
      return mariadbEngine;
    default:
      throw new Error(`unknown database engine ${String(kind)}: expected postgres or mariadb`);
  }
}
