// Settings of `tenantry backup export-billing`: the backup agent's (src/backup/settings.ts), plus
// where the billing archive goes, under which key and for how long, and what to export. The
// billing-export Job (src/resources/billing-export-job.ts) sets them.
import { settingsFromEnv, SettingsError, type AgentSettings } from '../backup/settings.js';

/** The environment variables only the billing export reads. */
export const BillingEnv = {
  ArchiveBucket: 'TENANTRY_ARCHIVE_BUCKET',
  KmsKeyId: 'TENANTRY_BILLING_KMS_KEY_ID',
  RetainDays: 'TENANTRY_BILLING_RETAIN_DAYS',
  Tables: 'TENANTRY_BILLING_TABLES',
  Paths: 'TENANTRY_BILLING_PATHS',
  TenantUid: 'TENANTRY_TENANT_UID',
} as const;

/** Everything the billing export needs. */
export interface BillingSettings {
  agent: AgentSettings;
  /** The region's archive bucket (Object Lock enabled). */
  archiveBucket: string;
  /** The region's billing KMS key for SSE-KMS of the archive: never the tenant's own key. */
  billingKmsKeyId: string;
  retainDays: number;
  tables: string[];
  paths: string[];
  tenantUid: string;
}

/** Parses a JSON list of strings (paths may hold commas, so lists are JSON). */
function stringList(env: NodeJS.ProcessEnv, name: string): string[] {
  const text = env[name];
  if (!text) return [];
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new SettingsError(`${name} is not JSON: ${(e as Error).message}`);
  }
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string' && v !== ''))
    throw new SettingsError(`${name} must be a JSON list of non-empty strings`);
  return value as string[];
}

/** Reads the billing export's settings; throws a {@link SettingsError} naming every missing or bad one. */
export function billingSettingsFromEnv(env: NodeJS.ProcessEnv): BillingSettings {
  const agent = settingsFromEnv(env);
  const missing = [BillingEnv.ArchiveBucket, BillingEnv.KmsKeyId, BillingEnv.RetainDays, BillingEnv.TenantUid].filter((k) => !env[k]);
  if (missing.length) throw new SettingsError(`missing environment: ${missing.join(', ')} (set by the billing-export Job)`);
  const retainDays = Number(env[BillingEnv.RetainDays]);
  if (!Number.isInteger(retainDays) || retainDays < 1)
    throw new SettingsError(`${BillingEnv.RetainDays}=${env[BillingEnv.RetainDays]} is not a whole number of days of 1 or more`);
  const billingKmsKeyId = env[BillingEnv.KmsKeyId]!;
  // The archive must outlive the tenant's key, which erasure schedules for deletion.
  if (billingKmsKeyId === agent.kmsKeyId)
    throw new SettingsError(
      `${BillingEnv.KmsKeyId} is the tenant's own backup key ${agent.kmsKeyId}: billing records must be under the region's billing key`,
    );
  const tables = stringList(env, BillingEnv.Tables);
  const paths = stringList(env, BillingEnv.Paths);
  if (tables.length === 0 && paths.length === 0)
    throw new SettingsError(`${BillingEnv.Tables} and ${BillingEnv.Paths} are both empty: there is nothing to export`);
  if (tables.length && !agent.database) throw new SettingsError(`${BillingEnv.Tables} names tables, but DATABASE_ENGINE is not set`);
  if (paths.length && !agent.filesDir) throw new SettingsError(`${BillingEnv.Paths} names paths, but TENANTRY_FILES_DIR is not set`);
  return {
    agent,
    archiveBucket: env[BillingEnv.ArchiveBucket]!,
    billingKmsKeyId,
    retainDays,
    tables,
    paths,
    tenantUid: env[BillingEnv.TenantUid]!,
  };
}
