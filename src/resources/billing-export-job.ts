// The Job of erasure step 1 (P10): the backup agent in the tenant namespace, run once with
// `tenantry backup export-billing`, reading the tables and files of spec.lifecycle.billingExport
// with the backup agent's database and files access, and writing them to the region's archive
// bucket under COMPLIANCE Object Lock and the region's billing key. Same image, ServiceAccount,
// credentials and NetworkPolicies as the backup agent (its pods carry the backup component's
// labels, so allow-backup-egress and allow-backup-to-database apply). The export is idempotent (a
// stored export is verified, not rewritten), so a failed pod may be retried.
import type { BackupPolicy } from '../api/generated/index.js';
import type { RegionConfig } from '../config.js';
import type { Job } from 'kubernetes-types/batch/v1.js';
import type { EnvVar } from 'kubernetes-types/core/v1.js';
import { BillingEnv } from '../billing/settings.js';
import type { BuildContext, Owned } from './types.js';
import { agentPodSpec, assertBackupPolicy } from './backup.js';
import { Component, ownedLabels, ownedMetadata } from './meta.js';

/** Name of the tenant's billing-export Job: one per tenant, so a second start finds the first. */
export const BILLING_EXPORT_JOB_NAME = 'billing-export';
/** Retries after the first attempt: each attempt either stores a complete locked archive or nothing. */
export const BILLING_EXPORT_BACKOFF_LIMIT = 2;
/** How long a finished Job (and its pod's logs) is kept, unless the namespace goes first. */
export const BILLING_EXPORT_JOB_TTL_SECONDS = 7 * 24 * 3600;
/** Retention of the billing archive: 7 years of 365 days plus the 2 leap days they may hold (P10). */
export const DEFAULT_BILLING_RETAIN_DAYS = 7 * 365 + 2;
/** Scratch space: the tables are spooled and the archive staged there before the upload. */
export const BILLING_SCRATCH_SIZE = '4Gi';

/**
 * The region's archive settings. Read as optional fields of the region's configuration until
 * RegionConfig declares them; the builder refuses a region without them.
 */
export type BillingRegionConfig = RegionConfig & { archiveBucket?: string; billingKmsKeyId?: string };

/** Inputs of {@link buildBillingExportJob} beyond the context and the policy. */
export interface BillingExportJobOptions {
  /** Default {@link DEFAULT_BILLING_RETAIN_DAYS}. */
  retainDays?: number;
  /** Size limit of the scratch folder; default {@link BILLING_SCRATCH_SIZE}. */
  scratchSize?: string;
}

/** Returns why no billing-export Job can be built for the tenant, or undefined when one can. */
export function billingExportJobError(ctx: BuildContext): string | undefined {
  const region = ctx.region as BillingRegionConfig;
  const name = ctx.tenant.metadata.name ?? '(unnamed)';
  const exp = ctx.tenant.spec.lifecycle?.billingExport;
  if (!exp || (!exp.tables?.length && !exp.paths?.length))
    return `tenant ${name} has no spec.lifecycle.billingExport tables or paths: it is erased without an export`;
  if (!ctx.tenant.metadata.uid) return `tenant ${name} has no uid: build from the object as stored by the API server`;
  const missing = (['archiveBucket', 'billingKmsKeyId'] as const).filter((k) => !region[k]);
  if (missing.length)
    return `region ${ctx.tenant.spec.region} has no ${missing.join(' and ')} in the operator configuration: billing records cannot be archived`;
  return undefined;
}

/** Builds the billing-export Job of the context's tenant; throws the {@link billingExportJobError}, if any. */
export function buildBillingExportJob(ctx: BuildContext, policy: BackupPolicy, opts: BillingExportJobOptions = {}): Owned<Job> {
  assertBackupPolicy(ctx, policy);
  const error = billingExportJobError(ctx);
  if (error) throw new Error(`buildBillingExportJob: ${error}`);
  const region = ctx.region as BillingRegionConfig;
  const exp = ctx.tenant.spec.lifecycle!.billingExport!;
  const retainDays = opts.retainDays ?? DEFAULT_BILLING_RETAIN_DAYS;
  if (!Number.isInteger(retainDays) || retainDays < 1)
    throw new Error(`buildBillingExportJob: retainDays ${retainDays} is not a whole number of days`);
  const spec = agentPodSpec(ctx, policy, {
    containerName: 'billing-export',
    args: ['backup', 'export-billing'],
    filesReadOnly: true,
    staticCredentials: policy.spec.destination.credentialsSecretRef !== undefined,
    // No pod affinity: at erasure the app is at zero, so nothing else holds the files volume.
  });
  const billingEnv: EnvVar[] = [
    { name: BillingEnv.TenantUid, value: ctx.tenant.metadata.uid! },
    { name: BillingEnv.ArchiveBucket, value: region.archiveBucket! },
    { name: BillingEnv.KmsKeyId, value: region.billingKmsKeyId! },
    { name: BillingEnv.RetainDays, value: String(retainDays) },
    // JSON lists: paths may hold commas. Sorted copies, so the Job does not change with the list's order.
    ...(exp.tables?.length ? [{ name: BillingEnv.Tables, value: JSON.stringify([...exp.tables].sort()) }] : []),
    ...(exp.paths?.length ? [{ name: BillingEnv.Paths, value: JSON.stringify([...exp.paths].sort()) }] : []),
  ];
  const container = spec.containers[0]!;
  container.env = [...(container.env ?? []), ...billingEnv];
  spec.volumes = spec.volumes?.map((v) =>
    v.name === 'tmp' ? { name: 'tmp', emptyDir: { sizeLimit: opts.scratchSize ?? BILLING_SCRATCH_SIZE } } : v,
  );
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: ownedMetadata(ctx, BILLING_EXPORT_JOB_NAME, { component: Component.Backup, appName: BILLING_EXPORT_JOB_NAME }),
    spec: {
      backoffLimit: BILLING_EXPORT_BACKOFF_LIMIT,
      // As long as a backup may take: the export reads the same database and volume.
      activeDeadlineSeconds: ctx.config.backup.backupDeadlineSeconds,
      ttlSecondsAfterFinished: BILLING_EXPORT_JOB_TTL_SECONDS,
      template: {
        metadata: { labels: ownedLabels(ctx, Component.Backup, BILLING_EXPORT_JOB_NAME) },
        spec,
      },
    },
  };
}
