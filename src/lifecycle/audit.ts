// The audit trail (P11): one record per administrative or destructive action on a tenant, each a
// JSON object of its own in the region's archive bucket, locked in COMPLIANCE mode. The module
// can only append: it has no delete, and the operator's IAM policy grants none on that bucket.
import { randomBytes } from 'node:crypto';
import type { S3Client } from '@aws-sdk/client-s3';
import { putLocked } from '../cloud/object-lock.js';
import { archiveBucketFor, DEFAULT_ARCHIVE_RETENTION, retainUntil, type ArchivedObject } from './archive.js';

/** Erasure steps as audit actions name them (`EraseStep:<step>`), the names of status.lifecycle.erasure.steps. */
export type ErasureStepName = 'BillingExport' | 'Backups' | 'Namespace' | 'KmsKey' | 'Receipt';

/** What was done. */
export type AuditAction =
  | 'Suspend'
  | 'Resume'
  | 'Close'
  | 'EraseNow'
  | 'Erase'
  | 'EraseStart'
  | 'DeletionRequested'
  | 'Restore'
  | 'Erased'
  | 'Provision'
  | 'SweepDelete'
  | `EraseStep:${ErasureStepName}`;

/** One audit record. */
export interface AuditRecord {
  /** When the action happened; default the time of the append. */
  at?: Date;
  /** Who: the field manager or user from managedFields where known, else the operator itself. */
  actor: string;
  action: AuditAction;
  tenant: string;
  /** The Tenant's metadata.uid. */
  uid: string;
  /** Must be the trail's region: a region's records stay in its own bucket (P8). */
  region: string;
  result: 'Succeeded' | 'Failed' | 'DryRun' | 'Refused';
  details?: Readonly<Record<string, unknown>>;
}

/** Where an audit trail writes. */
export interface AuditTrailOptions {
  region: string;
  /** Default `tenantry-archive-<region>`. */
  bucket?: string;
  /** The region's billing key for SSE-KMS (never a tenant's key, which erasure deletes). */
  kmsKeyId?: string;
  /** Days each record is locked; default 7 years. */
  retentionDays?: number;
  /** The clock (tests); default the system clock. */
  now?: () => Date;
}

const ACTION_RE =
  /^(Suspend|Resume|Close|EraseNow|Erase|EraseStart|DeletionRequested|Restore|Erased|Provision|SweepDelete|EraseStep:[A-Za-z]+)$/;
const TENANT_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** An ISO 8601 instant without characters that need escaping in keys: 20261202T123456.789Z. */
function compactIso(d: Date): string {
  return d.toISOString().replace(/[-:]/g, '');
}

/** Appends audit records of one region to that region's archive bucket. */
export class AuditTrail {
  readonly region: string;
  readonly bucket: string;
  private readonly days: number;
  private readonly now: () => Date;

  constructor(
    private readonly s3: S3Client,
    private readonly o: AuditTrailOptions,
  ) {
    this.region = o.region;
    this.bucket = o.bucket ?? archiveBucketFor(o.region);
    this.days = o.retentionDays ?? DEFAULT_ARCHIVE_RETENTION.auditRetentionDays;
    this.now = o.now ?? (() => new Date());
  }

  /** The key of a record: by region and UTC day, then tenant, so a day's or a tenant's records list by prefix. */
  static keyFor(region: string, tenant: string, at: Date, action: string, random: string): string {
    const iso = at.toISOString();
    const day = `${iso.slice(0, 4)}/${iso.slice(5, 7)}/${iso.slice(8, 10)}`;
    return `audit/${region}/${day}/${tenant}/${compactIso(at)}-${action.replace(/:/g, '-')}-${random}.json`;
  }

  /** Appends one record (locked for the retention) and returns where it is. Never overwrites: each key is new. */
  async append(record: AuditRecord): Promise<ArchivedObject> {
    if (record.region !== this.region) {
      throw new Error(
        `an audit record of region ${record.region} belongs in that region's archive, not in ${this.bucket} (${this.region})`,
      );
    }
    if (!ACTION_RE.test(record.action)) throw new Error(`unknown audit action ${JSON.stringify(record.action)}`);
    if (!TENANT_RE.test(record.tenant)) throw new Error(`invalid tenant name ${JSON.stringify(record.tenant)}`);
    const written = this.now();
    const at = record.at ?? written;
    const key = AuditTrail.keyFor(this.region, record.tenant, at, record.action, randomBytes(6).toString('hex'));
    const until = retainUntil(written, this.days);
    const body = {
      at: at.toISOString(),
      actor: record.actor,
      action: record.action,
      tenant: record.tenant,
      uid: record.uid,
      region: record.region,
      result: record.result,
      details: record.details ?? {},
      recordedAt: written.toISOString(),
    };
    const out = await putLocked(this.s3, {
      bucket: this.bucket,
      key,
      body: JSON.stringify(body) + '\n',
      retainUntil: until,
      contentType: 'application/json',
      ...(this.o.kmsKeyId ? { kmsKeyId: this.o.kmsKeyId } : {}),
    });
    return {
      bucket: this.bucket,
      key,
      location: `s3://${this.bucket}/${key}`,
      ...(out.versionId ? { versionId: out.versionId } : {}),
      retainUntil: until,
    };
  }
}

/** One trail per region, made on first use: the operator of a multi-region cluster writes each record to its tenant's region. */
export class AuditTrails {
  private readonly trails = new Map<string, AuditTrail>();

  constructor(
    private readonly s3For: (region: string) => S3Client,
    private readonly options: (region: string) => Omit<AuditTrailOptions, 'region'> = () => ({}),
  ) {}

  /** Appends the record to its own region's trail. */
  append(record: AuditRecord): Promise<ArchivedObject> {
    let trail = this.trails.get(record.region);
    if (!trail) {
      trail = new AuditTrail(this.s3For(record.region), { ...this.options(record.region), region: record.region });
      this.trails.set(record.region, trail);
    }
    return trail.append(record);
  }
}
