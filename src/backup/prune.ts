// Retention after each backup, strictly under one tenant's prefix: the plan comes from the pure
// planRetention (which keeps the newest verified backup whatever the rules say); this file only
// lists, deletes what the plan says, and clears uploads that never committed.
import type { Logger } from '../log.js';
import type { AgentClients } from './clients.js';
import { planRetention, type RetentionPlan } from './retention.js';
import type { AgentSettings } from './settings.js';

/** Uncommitted uploads older than this are abandoned (the longest a backup Job may run, plus margin). */
export const ABANDONED_AFTER_MS = 12 * 3600 * 1000;

/** What a prune did (or, with dryRun, would do). */
export interface PruneResult {
  dryRun: boolean;
  keep: RetentionPlan['keep'];
  removed: RetentionPlan['remove'];
  abandoned: string[];
  abortedUploads: number;
}

/** Applies the retention rules to the tenant's backups; with dryRun only reports. */
export async function pruneBackups(
  s: AgentSettings,
  c: AgentClients,
  log: Logger,
  o: { dryRun: boolean; now?: Date },
): Promise<PruneResult> {
  if (!s.retention) throw new Error('no retention rules: TENANTRY_RETENTION is not set');
  const now = o.now ?? new Date();
  const listed = await c.store.list();
  const records = listed.map((b) => ({
    id: b.backupId,
    tenant: s.tenant,
    startedAt: b.startedAt,
    complete: !!b.manifest,
    verified: !!b.manifest?.verification,
  }));
  const plan = planRetention(records, s.retention, now);
  // An upload without a manifest is not a backup: once older than any running job could be, it is debris.
  const abandoned = listed
    .filter((b) => !b.manifest && !b.manifestError && now.getTime() - b.lastModified.getTime() > ABANDONED_AFTER_MS)
    .map((b) => b.backupId);
  for (const r of plan.remove) log.info(o.dryRun ? 'would remove backup' : 'removing backup', { backupId: r.id, reason: r.reason });
  for (const id of abandoned) log.info(o.dryRun ? 'would remove abandoned upload' : 'removing abandoned upload', { backupId: id });
  let abortedUploads = 0;
  if (!o.dryRun) {
    for (const r of plan.remove) await c.store.delete(r.id);
    for (const id of abandoned) await c.store.delete(id);
    abortedUploads = await c.store.abortStaleUploads(new Date(now.getTime() - ABANDONED_AFTER_MS));
  }
  return { dryRun: o.dryRun, keep: plan.keep, removed: plan.remove, abandoned, abortedUploads };
}
