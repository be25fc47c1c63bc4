// The restore algorithm both engines share: load into a new scratch database, swap it with the
// live one, drop what was replaced. Each engine supplies only its own parts (name rules, creating,
// loading, dropping and swapping databases); the order of the steps and what is cleaned up when
// one fails live here once, so the two engines cannot drift apart in what they leave behind.
import type { Readable } from 'node:stream';
import type { DatabaseEngine, DatabaseTarget, EngineKind, RestoreOptions } from './index.js';

/** What an engine supplies to {@link scratchRestore}: its tools and SQL, none of the algorithm. */
export interface ScratchParts {
  /** The engine's name, the first word of every error message. */
  kind: EngineKind;
  /** How error messages name what the old database holds after the swap (`copy`, `tables in`). */
  oldHolds: string;
  /** Returns `name` if it is an acceptable database name, else throws saying why. */
  checkName(name: string, what: string): string;
  /** Creates `name` (failing if it exists) like the database `like`, or with the server's defaults if `like` does not exist. */
  createDatabaseLike(t: DatabaseTarget, name: string, like: string): Promise<void>;
  /** Loads a dump into an existing, empty database; resolves with the number of dump bytes read. */
  load(t: DatabaseTarget, database: string, dump: Readable): Promise<number>;
  /** Drops a database if it exists. */
  dropDatabase(t: DatabaseTarget, name: string): Promise<void>;
  /**
   * Puts the loaded `scratch` in place of `live`, keeping the replaced data in `old`. On failure
   * the live database is unchanged and `scratch` is left for the caller to drop.
   */
  swap(t: DatabaseTarget, live: string, scratch: string, old: string): Promise<void>;
  /** Runs before the scratch database is created: refuses scratch or old names already taken where the swap could not. */
  reserve?(t: DatabaseTarget, scratch: string, old: string): Promise<void>;
  /** Runs after a successful swap, before the replaced data is dropped (unless `keepOld`). */
  afterSwap?(t: DatabaseTarget, scratch: string, old: string, keepOld: boolean): Promise<void>;
}

/** Says where an operation ran, for error messages. */
export function where(t: DatabaseTarget, database: string): string {
  return `database "${database}" on ${t.host}:${t.port}`;
}

/** Quotes a checked database name as an SQL string literal (both engines' names need no escaping). */
export function literal(name: string): string {
  return `'${name}'`;
}

/** Drops a database we created, keeping the original error if that fails too. */
async function discard(p: ScratchParts, t: DatabaseTarget, name: string, cause: unknown): Promise<never> {
  try {
    await p.dropDatabase(t, name);
  } catch (e) {
    throw new Error(`${(cause as Error).message}\n(also failed to drop "${name}": ${(e as Error).message})`, { cause });
  }
  throw cause;
}

/** Restores a dump into a scratch database and swaps it with the live one. */
async function restore(p: ScratchParts, t: DatabaseTarget, dump: Readable, opts: RestoreOptions): Promise<{ bytes: number }> {
  const live = p.checkName(t.database, 'database');
  if (!/^[A-Za-z0-9_]+$/.test(opts.scratchSuffix))
    throw new Error(`${p.kind}: scratch suffix "${opts.scratchSuffix}" must be letters, digits and _`);
  const scratch = p.checkName(`${live}_restore_${opts.scratchSuffix}`, 'scratch database');
  const old = p.checkName(`${live}_old_${opts.scratchSuffix}`, 'old database');
  await p.reserve?.(t, scratch, old);
  await p.createDatabaseLike(t, scratch, live);
  let bytes: number;
  try {
    bytes = await p.load(t, scratch, dump);
    await opts.beforeSwap?.();
    await p.swap(t, live, scratch, old);
  } catch (e) {
    return discard(p, t, scratch, e);
  }
  await p.afterSwap?.(t, scratch, old, opts.keepOld ?? false);
  if (!opts.keepOld) {
    await p.dropDatabase(t, old).catch((e: unknown) => {
      throw new Error(
        `${p.kind}: ${where(t, live)} was restored, but dropping the replaced ${p.oldHolds} "${old}" failed (drop it by hand): ${(e as Error).message}`,
        { cause: e },
      );
    });
  }
  return { bytes };
}

/** Loads a dump into a new database next to the live one; drops it again if the load fails. */
async function restoreInto(p: ScratchParts, t: DatabaseTarget, targetDatabase: string, dump: Readable): Promise<void> {
  const target = p.checkName(targetDatabase, 'target database');
  if (target === t.database) throw new Error(`${p.kind}: restoreInto would overwrite the live database "${target}"; use restore`);
  await p.createDatabaseLike(t, target, p.checkName(t.database, 'database'));
  try {
    await p.load(t, target, dump);
  } catch (e) {
    await discard(p, t, target, e);
  }
}

/** Returns an engine's `restore`, `restoreInto` and `dropDatabase`, built from its parts. */
export function scratchRestore(p: ScratchParts): Pick<DatabaseEngine, 'restore' | 'restoreInto' | 'dropDatabase'> {
  return {
    restore: (t, dump, opts) => restore(p, t, dump, opts),
    restoreInto: (t, targetDatabase, dump) => restoreInto(p, t, targetDatabase, dump),
    dropDatabase: (t, name) => p.dropDatabase(t, name),
  };
}
