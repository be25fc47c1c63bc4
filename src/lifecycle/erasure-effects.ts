// What an erasure does to the world, as one interface, so that the order, the records and the
// restart safety (controller/erasure.ts) are independent of S3, KMS and the billing export Job.
//
// Every effect is IDEMPOTENT. The runner records a step in the Tenant's status only after its
// effect returned; an operator killed between the two runs the effect again on restart. So each
// effect must give the same outcome when called again after it already succeeded: deleting an
// already deleted prefix or namespace reports 0 / gone, scheduling the deletion of a key already
// pending deletion reports the same deletion date, an export whose deterministic object key
// already exists reuses it and reports its location, and a receipt or audit record written again
// is the same record (or a duplicate of it, never a contradiction).
import type { Tenant, TenantStatusLifecycleErasureStepsItem } from '../api/generated/index.js';
import type { NamespaceErasureResult } from './namespace-erasure.js';

/** What the billing export reports. */
export interface BillingExportResult {
  /** s3://bucket/key of the export in the region's archive bucket (absent while pending or when nothing was exported). */
  location?: string;
  /** Until when the export is locked, COMPLIANCE mode (RFC 3339). */
  retainUntil?: string;
  objects: number;
  bytes: number;
  message: string;
  /** The export Job is still running: nothing is recorded, and the runner asks again later. */
  pending?: boolean;
}

/** What deleting the tenant's backups reports (a dry run: what it would delete). */
export interface BackupDeletionResult {
  objects: number;
  bytes: number;
}

/** What scheduling the tenant's KMS key for deletion reports. */
export interface KeyDeletionResult {
  /** The key scheduled (or, in a dry run, that would be); absent when the tenant has no key of its own. */
  keyId?: string;
  /** When KMS deletes the key for good (RFC 3339). */
  deletionDate?: string;
  message: string;
  /** A key with the tenant's alias exists but its tags do not name this tenant: it was left untouched and is reported. */
  foreign?: boolean;
}

/** The receipt stored in the archive bucket under Object Lock. */
export interface ErasureReceiptDocument {
  tenant: string;
  uid: string;
  region: string;
  trigger: string;
  startedAt: string;
  erasedAt: string;
  billingArchive?: string;
  billingRetainUntil?: string;
  backupObjectsDeleted?: number;
  backupBytesDeleted?: number;
  kmsKeyId?: string;
  kmsKeyDeletionDate?: string;
  /** Every step before the receipt, as recorded. */
  steps: TenantStatusLifecycleErasureStepsItem[];
}

/** One audit record of an erasure action (P11). */
export interface ErasureAuditRecord {
  /** When the action happened (RFC 3339). */
  at: string;
  /** Who acted: the operator's field manager; the request behind it is in `trigger`. */
  who: string;
  tenant: string;
  uid: string;
  region: string;
  /** e.g. erasure.start, erasure.BillingExport, erasure.Namespace. */
  action: string;
  /** What made erasure due (lifecycle reason, or EraseNow with its ticket). */
  trigger: string;
  dryRun: boolean;
  result: 'Succeeded' | 'Failed' | 'Waiting';
  message: string;
  objects?: number;
  bytes?: number;
}

/** The effects of the five erasure steps, plus the audit trail. See the file comment: every one is idempotent. */
export interface ErasureEffects {
  /**
   * Exports spec.lifecycle.billingExport to the region's archive bucket (Object Lock COMPLIANCE,
   * 7 years, the region's billing key), under an object key derived from the tenant's uid so that a
   * second call finds the first export and reports its location. Only called when the tenant names
   * billing records, and never in a dry run (an Object Lock object cannot be taken back).
   */
  exportBilling(tenant: Tenant): Promise<BillingExportResult>;
  /** Deletes every object under the tenant's backup prefix (only there); an emptied prefix reports 0. */
  deleteBackups(tenant: Tenant, options: { dryRun: boolean }): Promise<BackupDeletionResult>;
  /** Deletes the tenant's namespace if it is provably the tenant's (see namespace-erasure.ts); gone=false means "ask again later". */
  deleteNamespace(tenant: Tenant, options: { dryRun: boolean }): Promise<NamespaceErasureResult>;
  /** Schedules deletion of the tenant's own KMS key (tag-checked); a key already pending deletion reports its date. */
  scheduleKeyDeletion(tenant: Tenant, options: { dryRun: boolean }): Promise<KeyDeletionResult>;
  /** Writes the receipt (Object Lock) under a key derived from the tenant's uid; resolves with its s3:// location. Never called in a dry run. */
  writeReceipt(tenant: Tenant, receipt: ErasureReceiptDocument): Promise<string>;
  /** Appends an audit record under the archive bucket's audit/ prefix (append-only). */
  audit(record: ErasureAuditRecord): Promise<void>;
}
