// How big a backup's parts will be, estimated before the upload starts: the multipart part size is
// fixed per upload and S3 allows 10 000 parts, so a large tenant needs larger parts from the start.
import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { DatabaseTarget } from './engines/index.js';
import { runMariadb } from './engines/mariadb.js';
import { runPsql } from './engines/postgres.js';

/** Returns the total size of the regular files under a folder (symlinks are not followed). */
export async function directoryBytes(dir: string): Promise<number> {
  let total = 0;
  const stack = [dir];
  while (stack.length > 0) {
    const d = stack.pop()!;
    for (const entry of await readdir(d, { withFileTypes: true })) {
      const p = join(d, entry.name);
      if (entry.isDirectory()) stack.push(p);
      else if (entry.isFile()) total += (await lstat(p)).size;
    }
  }
  return total;
}

/** Returns the on-disk size of the target database as its server reports it. */
export async function databaseBytes(t: DatabaseTarget): Promise<number> {
  const out =
    t.engine === 'postgres'
      ? await runPsql(t, t.database, 'SELECT pg_database_size(current_database());')
      : await runMariadb(
          t,
          t.database,
          'SELECT COALESCE(SUM(data_length + index_length), 0) FROM information_schema.tables WHERE table_schema = DATABASE();',
        );
  const n = Number(out.trim());
  if (!Number.isFinite(n) || n < 0) throw new Error(`unexpected database size ${JSON.stringify(out.trim())}`);
  return n;
}
