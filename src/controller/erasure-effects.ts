// The real effects of an erasure (controller/erasure.ts runs them in order and records each):
// the billing export Job, the tenant's backup prefix, its namespace, its KMS key, the receipt and
// the audit trail. Each is idempotent (see lifecycle/erasure-effects.ts) and checks ownership
// before it deletes anything; what only has a matching name is reported, never deleted.
import { GetObjectRetentionCommand, HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { KMSClient } from '@aws-sdk/client-kms';
import type { BackupPolicy, Tenant } from '../api/generated/index.js';
import { tenantNamespace } from '../api/names.js';
import { billingExportKey } from '../billing/run-export.js';
import { scheduleTenantKeyDeletion, TenantKeyConflict, tenantKeyAlias } from '../cloud/tenant-key.js';
import type { OperatorConfig, RegionConfig } from '../config.js';
import { RegionArchive, type ErasureReceipt } from '../lifecycle/archive.js';
import { AuditTrail, type AuditAction, type AuditRecord } from '../lifecycle/audit.js';
import { deleteTenantBackups } from '../lifecycle/backup-erasure.js';
import type {
  BackupDeletionResult,
  BillingExportResult,
  ErasureAuditRecord,
  ErasureEffects,
  ErasureReceiptDocument,
  KeyDeletionResult,
} from '../lifecycle/erasure-effects.js';
import type { NamespaceEraser, NamespaceErasureResult } from '../lifecycle/namespace-erasure.js';
import {
  billingExportJobError,
  BILLING_EXPORT_JOB_NAME,
  buildBillingExportJob,
  buildContext,
  isBuildContextError,
} from '../resources/index.js';
import type { ClusterView, ClusterWriter } from './cluster.js';
import { hasTrueCondition, readAs } from './read-back.js';

/** The AWS clients erasure uses: the region's archive and KMS as the operator itself, a policy's bucket with its credentials. */
export interface LifecycleClients {
  archiveS3(region: string): S3Client;
  kms(region: string): KMSClient;
  backupS3(policy: BackupPolicy): Promise<S3Client>;
}

/** What the effects read and write. */
export interface ErasureEffectsDeps {
  config: OperatorConfig;
  view: () => ClusterView;
  writer: ClusterWriter;
  clients: LifecycleClients;
  namespaces: Pick<NamespaceEraser, 'erase'>;
}

/** The region's archive settings, or why erasure cannot keep its records there. */
export function archiveOf(
  config: OperatorConfig,
  tenant: Tenant,
): { region: RegionConfig & { archiveBucket: string } } | { error: string } {
  const region = config.regions[tenant.spec.region];
  if (!region) return { error: `this operator does not serve region ${tenant.spec.region}` };
  if (!region.archiveBucket) {
    return {
      error: `region ${tenant.spec.region} has no archiveBucket in the operator configuration: the erasure receipt and audit records could not be kept, so erasure does not start`,
    };
  }
  if (tenant.spec.lifecycle?.billingExport && !region.billingKmsKeyId) {
    return {
      error: `region ${tenant.spec.region} has no billingKmsKeyId: the billing records could not be archived, so erasure does not start`,
    };
  }
  return { region: { ...region, archiveBucket: region.archiveBucket } };
}

/** The name the audit trail accepts for a runner action (erasure.start, erasure.<Step>). */
function auditAction(action: string): AuditAction {
  if (action === 'erasure.start') return 'EraseStart';
  const step = action.replace(/^erasure\./, '');
  if (step === 'BillingExport' || step === 'Backups' || step === 'Namespace' || step === 'KmsKey' || step === 'Receipt')
    return `EraseStep:${step}`;
  return 'Erased';
}

/** Erasure's effects on the cluster, S3 and KMS. */
export class OperatorErasureEffects implements ErasureEffects {
  constructor(private readonly deps: ErasureEffectsDeps) {}

  async exportBilling(tenant: Tenant): Promise<BillingExportResult> {
    const ctx = buildContext(tenant, this.deps.config);
    if (isBuildContextError(ctx)) throw new Error(ctx.error);
    const exp = tenant.spec.lifecycle?.billingExport;
    if (!exp || (!exp.tables?.length && !exp.paths?.length)) {
      return { objects: 0, bytes: 0, message: 'no spec.lifecycle.billingExport: erased without a billing export' };
    }
    const problem = billingExportJobError(ctx);
    if (problem) throw new Error(problem);
    const bucket = ctx.region.archiveBucket!;
    const key = billingExportKey(tenant.metadata.name ?? '', tenant.metadata.uid ?? '');
    const s3 = this.deps.clients.archiveS3(tenant.spec.region);
    const stored = await lockedObject(s3, bucket, key);
    if (stored) return { ...stored, objects: 1, message: `billing records archived at ${stored.location} until ${stored.retainUntil}` };
    const ns = tenantNamespace(tenant.metadata.name ?? '');
    const job = readAs('batch/v1/Job', this.deps.view().get('batch/v1/Job', ns, BILLING_EXPORT_JOB_NAME));
    if (!job) {
      const policy = this.policyOf(tenant);
      if (!policy) throw new Error('the billing export runs as the backup agent, which needs the tenant’s BackupPolicy; none is found');
      await this.deps.writer.apply(buildBillingExportJob(ctx, policy, { retainDays: this.deps.config.lifecycle.billingRetentionDays }));
      return { objects: 0, bytes: 0, pending: true, message: `billing export Job ${ns}/${BILLING_EXPORT_JOB_NAME} started` };
    }
    if (hasTrueCondition(job, 'Failed')) {
      // A failed Job is not retried by itself: delete it so the next attempt starts a new one.
      await this.deps.writer.delete(job);
      throw new Error(`billing export Job ${ns}/${BILLING_EXPORT_JOB_NAME} failed (see its pod's log); it is started again`);
    }
    if (hasTrueCondition(job, 'Complete')) {
      throw new Error(`billing export Job ${ns}/${BILLING_EXPORT_JOB_NAME} completed but s3://${bucket}/${key} is not there`);
    }
    return { objects: 0, bytes: 0, pending: true, message: `billing export Job ${ns}/${BILLING_EXPORT_JOB_NAME} is running` };
  }

  async deleteBackups(tenant: Tenant, options: { dryRun: boolean }): Promise<BackupDeletionResult> {
    const named = tenant.spec.backupPolicyRef?.name ?? this.deps.config.backup.defaultPolicy;
    // No policy ever applied: the tenant never had backups.
    if (!named) return { objects: 0, bytes: 0 };
    const policy = this.policyOf(tenant);
    if (!policy)
      throw new Error(`BackupPolicy ${named} is not found: the tenant's backups cannot be located, so none are reported deleted`);
    const d = policy.spec.destination;
    const s3 = await this.deps.clients.backupS3(policy);
    const r = await deleteTenantBackups(s3, {
      bucket: d.bucket,
      tenant: tenant.metadata.name ?? '',
      dryRun: options.dryRun,
      ...(d.prefix ? { prefix: d.prefix } : {}),
    });
    return { objects: r.objects, bytes: r.bytes };
  }

  deleteNamespace(tenant: Tenant, options: { dryRun: boolean }): Promise<NamespaceErasureResult> {
    return this.deps.namespaces.erase(tenant, options);
  }

  async scheduleKeyDeletion(tenant: Tenant, options: { dryRun: boolean }): Promise<KeyDeletionResult> {
    const name = tenant.metadata.name ?? '';
    const keyId = tenant.status?.kmsKeyId ?? (this.deps.config.lifecycle.tenantKmsKeys ? tenantKeyAlias(name) : undefined);
    if (!keyId) {
      return {
        message: `tenant ${name} had no KMS key of its own (the region's shared key): nothing to schedule, and copies of its backups elsewhere are not crypto-shredded`,
      };
    }
    try {
      const r = await scheduleTenantKeyDeletion(this.deps.clients.kms(tenant.spec.region), {
        tenant: name,
        uid: tenant.metadata.uid ?? '',
        keyId,
        dryRun: options.dryRun,
      });
      const date = r.deletionDate?.toISOString();
      const message =
        r.outcome === 'gone'
          ? `no KMS key ${keyId} exists (any more)`
          : r.outcome === 'dry-run'
            ? `would schedule deletion of KMS key ${r.keyArn}`
            : `KMS key ${r.keyArn} pending deletion${date ? ` until ${date}` : ''}`;
      return { ...(r.outcome === 'gone' ? {} : { keyId: r.keyArn }), ...(date ? { deletionDate: date } : {}), message };
    } catch (e) {
      if (e instanceof TenantKeyConflict) return { foreign: true, message: e.message };
      throw e;
    }
  }

  async writeReceipt(tenant: Tenant, receipt: ErasureReceiptDocument): Promise<string> {
    const archive = this.archive(tenant);
    const { tenant: name, uid, ...rest } = receipt;
    const stored = await archive.writeReceipt(name, uid, rest as unknown as ErasureReceipt);
    return stored.location;
  }

  async audit(record: ErasureAuditRecord): Promise<void> {
    if (record.result === 'Waiting') return;
    const tenant = this.deps.view().tenant(record.tenant);
    const trail = this.trail(tenant ?? ({ spec: { region: record.region } } as Tenant), record.region);
    const entry: AuditRecord = {
      at: new Date(record.at),
      actor: record.who,
      action: auditAction(record.action),
      tenant: record.tenant,
      uid: record.uid,
      region: record.region,
      result: record.dryRun ? 'DryRun' : record.result,
      details: {
        trigger: record.trigger,
        message: record.message,
        ...(record.objects !== undefined ? { objects: record.objects } : {}),
        ...(record.bytes !== undefined ? { bytes: record.bytes } : {}),
      },
    };
    await trail.append(entry);
  }

  /** Appends a lifecycle transition's audit record (suspend, resume, close, erase, deletion, erase-now). */
  async auditTransition(record: AuditRecord): Promise<void> {
    const tenant = this.deps.view().tenant(record.tenant);
    if (!tenant) return;
    await this.trail(tenant, record.region).append(record);
  }

  private policyOf(tenant: Tenant): BackupPolicy | undefined {
    const named = tenant.spec.backupPolicyRef?.name ?? this.deps.config.backup.defaultPolicy;
    return named ? this.deps.view().backupPolicy?.(named) : undefined;
  }

  private archive(tenant: Tenant): RegionArchive {
    const a = archiveOf(this.deps.config, tenant);
    if ('error' in a) throw new Error(a.error);
    return new RegionArchive(this.deps.clients.archiveS3(tenant.spec.region), {
      region: tenant.spec.region,
      bucket: a.region.archiveBucket,
      ...(a.region.billingKmsKeyId ? { kmsKeyId: a.region.billingKmsKeyId } : {}),
      retention: {
        billingRetentionDays: this.deps.config.lifecycle.billingRetentionDays,
        auditRetentionDays: this.deps.config.lifecycle.auditRetentionDays,
      },
    });
  }

  private trail(tenant: Tenant, region: string): AuditTrail {
    const a = archiveOf(this.deps.config, { ...tenant, spec: { ...tenant.spec, region } } as Tenant);
    if ('error' in a) throw new Error(a.error);
    return new AuditTrail(this.deps.clients.archiveS3(region), {
      region,
      bucket: a.region.archiveBucket,
      ...(a.region.billingKmsKeyId ? { kmsKeyId: a.region.billingKmsKeyId } : {}),
      retentionDays: this.deps.config.lifecycle.auditRetentionDays,
    });
  }
}

/** A locked object's location and retention, or undefined when there is none at the key. */
async function lockedObject(
  s3: S3Client,
  bucket: string,
  key: string,
): Promise<{ location: string; retainUntil?: string; bytes: number } | undefined> {
  try {
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    let until = head.ObjectLockRetainUntilDate;
    if (!until) until = (await s3.send(new GetObjectRetentionCommand({ Bucket: bucket, Key: key }))).Retention?.RetainUntilDate;
    return { location: `s3://${bucket}/${key}`, bytes: head.ContentLength ?? 0, ...(until ? { retainUntil: until.toISOString() } : {}) };
  } catch (e) {
    const status = (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    if (status === 404 || (e as { name?: string }).name === 'NotFound') return undefined;
    throw e;
  }
}
