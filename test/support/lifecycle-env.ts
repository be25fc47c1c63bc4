// What the lifecycle integration tests need around a running operator: its configuration with
// per-tenant keys, the archive bucket and the billing key of the test region; the credentials it
// reaches S3 and KMS with; Tenants whose lifecycle timestamps are set relative to the real clock;
// and readers of what erasure leaves or removes (status.lifecycle, objects under a prefix, a KMS
// key's state, a tenant's audit records, a receipt).
import { DescribeKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { GetObjectCommand, ListObjectsV2Command, ListObjectVersionsCommand, type S3Client } from '@aws-sdk/client-s3';
import type { Tenant } from '../../src/api/generated/index.js';
import type { TenantStatusLifecycle } from '../../src/api/generated/tenant.js';
import { backupOperatorConfig, need } from './backup-env.js';
import { getJson } from './cluster.js';

const DAY_MS = 24 * 3600_000;
/** The region the test services serve. */
export const LIFECYCLE_REGION = 'eu-west-1';

/** Options of {@link lifecycleOperatorConfig}. */
export interface LifecycleConfigOptions {
  /** lifecycle.dryRun; default false. */
  dryRun?: boolean;
  /** lifecycle.tenantKmsKeys; default true (each tenant gets its own key from the test KMS). */
  tenantKmsKeys?: boolean;
}

/**
 * The backup tests' operator configuration plus the lifecycle: the test S3 and KMS endpoints,
 * per-tenant keys, and for eu-west-1 the Object Lock archive bucket and the billing key.
 */
export function lifecycleOperatorConfig(
  base: Record<string, unknown>,
  storageClassName: string,
  o: LifecycleConfigOptions = {},
): Record<string, unknown> {
  const config = backupOperatorConfig(base, storageClassName);
  const regions = config['regions'] as Record<string, Record<string, unknown>>;
  return {
    ...config,
    regions: {
      ...regions,
      [LIFECYCLE_REGION]: {
        ...regions[LIFECYCLE_REGION],
        archiveBucket: need('TENANTRY_S3_ARCHIVE_BUCKET'),
        billingKmsKeyId: need('TENANTRY_KMS_BILLING_KEY_ID'),
      },
    },
    lifecycle: {
      ...(base['lifecycle'] as Record<string, unknown> | undefined),
      s3Endpoint: need('TENANTRY_S3_ENDPOINT'),
      kmsEndpoint: need('TENANTRY_KMS_ENDPOINT'),
      tenantKmsKeys: o.tenantKmsKeys ?? true,
      dryRun: o.dryRun ?? false,
    },
  };
}

/** The operator process's environment: it reaches the archive bucket and KMS through the SDK's default credential chain. */
export function lifecycleRuntimeEnv(): Record<string, string> {
  return {
    AWS_ACCESS_KEY_ID: need('TENANTRY_S3_ACCESS_KEY_ID'),
    AWS_SECRET_ACCESS_KEY: need('TENANTRY_S3_SECRET_ACCESS_KEY'),
    AWS_REGION: need('TENANTRY_AWS_REGION'),
  };
}

/** RFC 3339 instant `days` days and `seconds` seconds before now (negative values: ahead of now). */
export function ago(days: number, seconds = 0): string {
  return new Date(Date.now() - days * DAY_MS - seconds * 1000).toISOString();
}

/** RFC 3339 instant `ms` milliseconds after now. */
export function ahead(ms: number): string {
  return new Date(Date.now() + ms).toISOString();
}

/** A Tenant of the test region with lifecycle timestamps (and any other spec fields), labelled for the operator's selector. */
export function lifecycleTenant(
  name: string,
  labels: Record<string, string>,
  spec: Partial<Tenant['spec']> & Pick<Tenant['spec'], 'plan'>,
  annotations: Record<string, string> = {},
): Tenant {
  return {
    apiVersion: 'tenantry.io/v1alpha1',
    kind: 'Tenant',
    metadata: { name, labels, ...(Object.keys(annotations).length ? { annotations } : {}) },
    spec: { region: LIFECYCLE_REGION, database: { engine: 'postgres' }, ...spec },
  };
}

/** status.lifecycle of a Tenant as stored; undefined when the Tenant or its lifecycle status is absent. */
export async function readLifecycle(name: string): Promise<TenantStatusLifecycle | undefined> {
  return (await getJson<Tenant>('tenant', name))?.status?.lifecycle;
}

/** One object (or version, or delete marker) in a listing. */
export interface ListedObject {
  key: string;
  size: number;
  versionId?: string;
}

/** Every object under a prefix (current versions only). */
export async function listObjects(s3: S3Client, bucket: string, prefix: string): Promise<ListedObject[]> {
  const out: ListedObject[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    for (const o of page.Contents ?? []) out.push({ key: o.Key ?? '', size: o.Size ?? 0 });
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return out;
}

/** Every version and delete marker under a prefix (of a versioned bucket; a plain bucket lists its objects as versions "null"). */
export async function listVersions(s3: S3Client, bucket: string, prefix: string): Promise<ListedObject[]> {
  const out: ListedObject[] = [];
  let KeyMarker: string | undefined;
  let VersionIdMarker: string | undefined;
  for (;;) {
    const page = await s3.send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: prefix, KeyMarker, VersionIdMarker }));
    for (const v of page.Versions ?? [])
      out.push({ key: v.Key ?? '', size: v.Size ?? 0, ...(v.VersionId ? { versionId: v.VersionId } : {}) });
    for (const m of page.DeleteMarkers ?? []) out.push({ key: m.Key ?? '', size: 0, ...(m.VersionId ? { versionId: m.VersionId } : {}) });
    if (!page.IsTruncated) return out;
    KeyMarker = page.NextKeyMarker;
    VersionIdMarker = page.NextVersionIdMarker;
  }
}

/** A KMS client for the test KMS. */
export function testKms(): KMSClient {
  return new KMSClient({
    region: need('TENANTRY_AWS_REGION'),
    endpoint: need('TENANTRY_KMS_ENDPOINT'),
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
}

/** A KMS key's state (Enabled, PendingDeletion, …); undefined when there is no such key or alias. */
export async function kmsKeyState(kms: KMSClient, keyId: string): Promise<string | undefined> {
  try {
    return (await kms.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata?.KeyState;
  } catch (e) {
    if ((e as { name?: string }).name === 'NotFoundException') return undefined;
    throw e;
  }
}

/** Reads a JSON object from the bucket. */
export async function readJsonObject(s3: S3Client, bucket: string, key: string): Promise<Record<string, unknown>> {
  const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return JSON.parse(await out.Body!.transformToString('utf8')) as Record<string, unknown>;
}

/** Splits `s3://bucket/key`. */
export function parseS3Location(location: string): { bucket: string; key: string } {
  const m = /^s3:\/\/([^/]+)\/(.+)$/.exec(location);
  if (!m) throw new Error(`not an s3:// location: ${location}`);
  return { bucket: m[1]!, key: m[2]! };
}

/** The erasure receipt stored at `location` (status.lifecycle.receipt.location). */
export function readReceipt(s3: S3Client, location: string): Promise<Record<string, unknown>> {
  const { bucket, key } = parseS3Location(location);
  return readJsonObject(s3, bucket, key);
}

/** One audit record as stored, with its key. */
export interface StoredAuditRecord {
  key: string;
  at: string;
  actor: string;
  action: string;
  tenant: string;
  uid: string;
  region: string;
  result: string;
  details: Record<string, unknown>;
}

/** Every audit record of a tenant in the test region's archive bucket (keys audit/<region>/<yyyy/mm/dd>/<tenant>/…), oldest first. */
export async function auditRecordsOf(s3: S3Client, tenant: string, region = LIFECYCLE_REGION): Promise<StoredAuditRecord[]> {
  const bucket = need('TENANTRY_S3_ARCHIVE_BUCKET');
  const keys = (await listObjects(s3, bucket, `audit/${region}/`)).map((o) => o.key).filter((k) => k.split('/')[5] === tenant);
  const records = await Promise.all(keys.map(async (key) => ({ key, ...(await readJsonObject(s3, bucket, key)) }) as StoredAuditRecord));
  return records.sort((a, b) => a.at.localeCompare(b.at));
}
