// Keeps the per-tenant backup gauges in step with the Tenant's status.lastBackup, so alerting can
// use the age of the newest verified backup (the same fact BackupHealthy is judged from).
import type { Tenant } from '../api/generated/index.js';
import { backupBytes, backupDurationSeconds, backupLastSuccessTimestamp } from '../metrics.js';

/** Sets (or, for a deleted tenant or one without a backup, removes) the tenant's backup gauges. */
export function recordBackupMetrics(name: string, tenant: Tenant | undefined): void {
  const last = tenant?.status?.lastBackup;
  if (!last?.time) {
    for (const g of [backupLastSuccessTimestamp, backupBytes, backupDurationSeconds]) g.remove({ tenant: name });
    return;
  }
  backupLastSuccessTimestamp.set({ tenant: name }, new Date(last.time).getTime() / 1000);
  if (last.sizeBytes !== undefined) backupBytes.set({ tenant: name }, last.sizeBytes);
  if (last.durationSeconds !== undefined) backupDurationSeconds.set({ tenant: name }, last.durationSeconds);
}
