// `tenantry restore`: brings a tenant's database and files back from a backup. Every part is
// first verified end to end (hashes, KMS context, GCM tags), then loaded into scratch space and
// swapped in only after the load succeeded, so a bad backup never replaces live data.
import { randomBytes } from 'node:crypto';
import type { Logger } from '../log.js';
import type { AgentClients } from './clients.js';
import { engineFor } from './engines/index.js';
import { restoreDirectory } from './files.js';
import type { BackupManifest } from './manifest.js';
import type { AgentSettings } from './settings.js';
import { openPart, verifyBackup } from './verify.js';
import { SwapGate } from './swap-gate.js';

/** What a restore did, as printed and recorded in the Restore's status. */
export interface RestoreResult {
  backupId: string;
  sourceTenant: string;
  bytes: number;
  seconds: number;
  verifySeconds: number;
}

/** Options of one restore. */
export interface RestoreOptions {
  /** Backup id, or `latest` for the newest verified backup. */
  backup: string;
  /**
   * Verify every part end to end before loading anything (a second read of the backup). Not
   * needed for safety — nothing is swapped in before every part loaded and authenticated — but it
   * finds a damaged backup before the scratch space is filled.
   */
  preverify?: boolean;
}

/** Resolves `latest` to the newest committed and verified backup of the store's tenant. */
export async function resolveBackup(c: AgentClients, backup: string): Promise<BackupManifest> {
  if (backup !== 'latest') return c.store.manifest(backup);
  const all = await c.store.list();
  const newest = all.find((b) => b.manifest?.verification) ?? all.find((b) => b.manifest);
  if (!newest?.manifest) throw new Error(`tenant has no complete backup under s3://${c.store.bucket}/${c.store.prefix}`);
  return newest.manifest;
}

/** Restores the database and files of the settings' instance from a backup of `c.store`'s tenant. */
export async function runRestore(s: AgentSettings, c: AgentClients, o: RestoreOptions, log: Logger): Promise<RestoreResult> {
  const t0 = performance.now();
  const m = await resolveBackup(c, o.backup);
  // Data residency (P8): a backup restores only into an instance of its own region.
  if (m.region !== s.region)
    throw new Error(
      `refusing to restore backup ${m.backupId} of region ${m.region} into an instance of region ${s.region}: backups never leave their region`,
    );
  if (!s.database) throw new Error('restore needs the database settings (DATABASE_*)');
  if (!s.filesDir) throw new Error('restore needs TENANTRY_FILES_DIR');
  log.info('restore started', { backupId: m.backupId, sourceTenant: m.tenant, bytes: m.parts.reduce((n, p) => n + p.plaintextBytes, 0) });
  let verifySeconds = 0;
  if (o.preverify) {
    verifySeconds = (await verifyBackup(s, c, m, log, { drill: false })).seconds;
    log.info('backup verified; loading', { backupId: m.backupId, seconds: verifySeconds });
  }
  const suffix = randomBytes(4).toString('hex');
  let bytes = 0;
  const engine = engineFor(s.database.engine);
  if (m.database.engine !== s.database.engine)
    throw new Error(`backup ${m.backupId} holds a ${m.database.engine} database; this instance runs ${s.database.engine}`);
  // Both parts load at once into scratch space (a scratch database, a staging folder); every chunk
  // is authenticated and every hash checked as it streams. Neither is swapped in until both have
  // loaded: a damaged or missing part leaves all the live data as it was.
  const loaded = new SwapGate(m.parts.length);
  const target = s.database;
  const filesDir = s.filesDir;
  await Promise.all(
    m.parts.map(async (part) => {
      try {
        const plain = await openPart(s, c, m, part, log, `restore ${part.name}`);
        const beforeSwap = () => loaded.arrive();
        if (part.name === 'database') await engine.restore(target, plain, { scratchSuffix: suffix, beforeSwap });
        else await restoreDirectory(filesDir, plain, { suffix, beforeSwap });
      } catch (e) {
        loaded.fail(e instanceof Error ? e : new Error(String(e)));
        throw e;
      }
      bytes += part.plaintextBytes;
      log.info(`restored ${part.name}`, { backupId: m.backupId, part: part.name });
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  log.info('restore complete', { backupId: m.backupId, bytes, seconds: Number(seconds.toFixed(1)) });
  return { backupId: m.backupId, sourceTenant: m.tenant, bytes, seconds, verifySeconds };
}
