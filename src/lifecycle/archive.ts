// The region's archive bucket (`tenantry-archive-<region>`, created with Object Lock): what stays
// after a tenant is erased — its billing export, the erasure receipt and the audit trail — each
// written once, locked in COMPLIANCE mode, encrypted under the region's billing key and never
// under the tenant's own (which erasure schedules for deletion). A region's records stay in that
// region's bucket (P8): nothing here writes to another region.
import { GetObjectCommand, GetObjectRetentionCommand, type S3Client } from '@aws-sdk/client-s3';
import type { TenantStatusLifecycleReceipt } from '../api/generated/tenant.js';
import { LockedObjectExists, putLocked } from '../cloud/object-lock.js';

/** How long the archive locks what it keeps, in 24-hour days (operator config `lifecycle:`). */
export interface ArchiveRetention {
  /** Billing exports and erasure receipts (P10: 7 years). */
  billingRetentionDays: number;
  /** Audit records (P11). */
  auditRetentionDays: number;
}

/** 7 × 365 days plus the two leap days seven consecutive years can hold: never shorter than 7 calendar years. */
export const SEVEN_YEARS_DAYS = 7 * 365 + 2;
/** Default retention: 7 years for billing records, receipts and audit records alike. */
export const DEFAULT_ARCHIVE_RETENTION: Readonly<ArchiveRetention> = Object.freeze({
  billingRetentionDays: SEVEN_YEARS_DAYS,
  auditRetentionDays: SEVEN_YEARS_DAYS,
});

const DAY_MS = 24 * 60 * 60 * 1000;
const TENANT_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const UID_RE = /^[A-Za-z0-9-]{1,64}$/;
const REGION_RE = /^[a-z]{2}(-[a-z]+)+-\d$/;

/** The archive bucket of a region. */
export function archiveBucketFor(region: string): string {
  if (!REGION_RE.test(region)) throw new Error(`invalid region ${JSON.stringify(region)}`);
  return `tenantry-archive-${region}`;
}

/** `now` plus whole 24-hour days. */
export function retainUntil(now: Date, days: number): Date {
  if (!Number.isInteger(days) || days < 1) throw new Error(`a retention must be a whole number of days ≥ 1, got ${days}`);
  return new Date(now.getTime() + days * DAY_MS);
}

/** Throws unless the tenant name is a DNS label and the uid looks like a Kubernetes uid. */
export function assertTenantIdentity(tenant: string, uid: string): void {
  if (!TENANT_RE.test(tenant) || tenant.length > 63) throw new Error(`invalid tenant name ${JSON.stringify(tenant)}: must be a DNS label`);
  if (!UID_RE.test(uid)) throw new Error(`invalid tenant uid ${JSON.stringify(uid)}`);
}

/** Where a locked record was written. */
export interface ArchivedObject {
  bucket: string;
  key: string;
  /** `s3://bucket/key`. */
  location: string;
  versionId?: string;
  retainUntil: Date;
  /** The record was already there (a retried write): it was read back, not written again. */
  existed?: boolean;
}

/** The receipt's content: what erasure deleted and kept (status.lifecycle.receipt without its own location). */
export type ErasureReceipt = Omit<TenantStatusLifecycleReceipt, 'location'> & { [detail: string]: unknown };

/** The region's archive bucket, as the operator uses it. */
export interface RegionArchiveOptions {
  region: string;
  /** Default `tenantry-archive-<region>`. */
  bucket?: string;
  /** The region's billing key (`alias/tenantry-billing-<region>`) for SSE-KMS; the bucket default when unset. */
  kmsKeyId?: string;
  retention?: Partial<ArchiveRetention>;
  /** The clock (tests); default the system clock. */
  now?: () => Date;
}

/** Reads an object's body as text. */
async function readText(s3: S3Client, bucket: string, key: string): Promise<string> {
  const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  if (!out.Body) throw new Error(`s3://${bucket}/${key}: no body`);
  return out.Body.transformToString('utf8');
}

/** Writes and reads the erasure receipts of one region's tenants. */
export class RegionArchive {
  readonly region: string;
  readonly bucket: string;
  readonly retention: Readonly<ArchiveRetention>;
  private readonly now: () => Date;

  constructor(
    private readonly s3: S3Client,
    private readonly o: RegionArchiveOptions,
  ) {
    this.region = o.region;
    this.bucket = o.bucket ?? archiveBucketFor(o.region);
    this.retention = { ...DEFAULT_ARCHIVE_RETENTION, ...o.retention };
    this.now = o.now ?? (() => new Date());
  }

  /** The key of a tenant's receipt: the uid tells apart two tenants that had the same name. */
  static receiptKey(tenant: string, uid: string): string {
    assertTenantIdentity(tenant, uid);
    return `receipts/${tenant}/${uid}.json`;
  }

  /**
   * Writes the erasure receipt, locked for billingRetentionDays. Written once: a retry after the
   * receipt was stored (an operator restarted before it recorded the step) gets the stored one back.
   */
  async writeReceipt(tenant: string, uid: string, receipt: ErasureReceipt): Promise<ArchivedObject> {
    const key = RegionArchive.receiptKey(tenant, uid);
    const at = this.now();
    const until = retainUntil(at, this.retention.billingRetentionDays);
    const record = { kind: 'ErasureReceipt', tenant, uid, region: this.region, writtenAt: at.toISOString(), ...receipt };
    const where = { bucket: this.bucket, key, location: `s3://${this.bucket}/${key}` };
    try {
      const out = await putLocked(this.s3, {
        bucket: this.bucket,
        key,
        body: JSON.stringify(record, null, 2) + '\n',
        retainUntil: until,
        contentType: 'application/json',
        ...(this.o.kmsKeyId ? { kmsKeyId: this.o.kmsKeyId } : {}),
      });
      return { ...where, ...(out.versionId ? { versionId: out.versionId } : {}), retainUntil: until };
    } catch (e) {
      if (!(e instanceof LockedObjectExists)) throw e;
      const stored = await this.readReceipt(tenant, uid);
      if (stored?.['uid'] !== uid)
        throw new Error(`${where.location} exists but is not the receipt of tenant ${tenant} uid ${uid}`, { cause: e });
      const held = await this.s3.send(new GetObjectRetentionCommand({ Bucket: this.bucket, Key: key }));
      return { ...where, retainUntil: held.Retention?.RetainUntilDate ?? until, existed: true };
    }
  }

  /** Reads a tenant's receipt; undefined when there is none (the proof the sweep needs before removing leftovers). */
  async readReceipt(tenant: string, uid: string): Promise<Record<string, unknown> | undefined> {
    const key = RegionArchive.receiptKey(tenant, uid);
    try {
      return JSON.parse(await readText(this.s3, this.bucket, key)) as Record<string, unknown>;
    } catch (e) {
      const name = (e as { name?: string }).name;
      if (name === 'NoSuchKey' || name === 'NotFound') return undefined;
      throw e;
    }
  }
}
