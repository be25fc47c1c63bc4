// Erasure step 2: every object under exactly one tenant's backup prefix goes — each version and
// delete marker too when the bucket is versioned, and unfinished multipart uploads (their parts are
// that tenant's data as well). The prefix is the store's (`<prefix>/<tenant>/`, with its slash, so
// tenant `acme` never reaches `acme-2/`), and every key listed is checked against it again before
// it is deleted, as the store does for retention.
import {
  AbortMultipartUploadCommand,
  DeleteObjectsCommand,
  GetBucketVersioningCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
  type ObjectIdentifier,
  type S3Client,
} from '@aws-sdk/client-s3';
import { tenantPrefix } from '../backup/layout.js';

/** Which tenant's backups, where. */
export interface TenantBackupsTarget {
  bucket: string;
  /** The backup prefix of the BackupPolicy/agent (TENANTRY_S3_PREFIX), without the tenant. */
  prefix?: string;
  tenant: string;
  /** Count only; delete nothing. */
  dryRun?: boolean;
}

/** What {@link deleteTenantBackups} deleted (or, dry, would delete). */
export interface BackupErasure {
  /** The prefix that was emptied. */
  prefix: string;
  /** Objects deleted: object versions and delete markers in a versioned bucket, objects otherwise. */
  objects: number;
  /** Their bytes (delete markers have none). */
  bytes: number;
  /** Multipart uploads aborted under the prefix. */
  uploadsAborted: number;
  dryRun: boolean;
}

/** S3's limit of keys per DeleteObjects. */
const DELETE_BATCH = 1000;

/** Refuses any key outside the prefix: the guard that keeps every other tenant's data out of reach. */
function ownKey(prefix: string, key: string | undefined): string {
  if (!key || !key.startsWith(prefix) || key.includes('/../') || key.includes('/./')) {
    throw new Error(`refusing key ${JSON.stringify(key)}: not under tenant prefix ${prefix}; nothing more was deleted`);
  }
  return key;
}

/** One thing to delete. */
interface Doomed {
  id: ObjectIdentifier;
  bytes: number;
}

/** Whether the bucket keeps versions (Enabled or Suspended: both may hold older versions). */
async function versioned(s3: S3Client, bucket: string): Promise<boolean> {
  const out = await s3.send(new GetBucketVersioningCommand({ Bucket: bucket }));
  return out.Status === 'Enabled' || out.Status === 'Suspended';
}

/** Lists every version and delete marker under the prefix. */
async function listVersions(s3: S3Client, bucket: string, prefix: string): Promise<Doomed[]> {
  const out: Doomed[] = [];
  let keyMarker: string | undefined;
  let versionMarker: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectVersionsCommand({ Bucket: bucket, Prefix: prefix, KeyMarker: keyMarker, VersionIdMarker: versionMarker }),
    );
    for (const v of page.Versions ?? []) out.push({ id: { Key: ownKey(prefix, v.Key), VersionId: v.VersionId }, bytes: v.Size ?? 0 });
    for (const m of page.DeleteMarkers ?? []) out.push({ id: { Key: ownKey(prefix, m.Key), VersionId: m.VersionId }, bytes: 0 });
    keyMarker = page.IsTruncated ? page.NextKeyMarker : undefined;
    versionMarker = page.IsTruncated ? page.NextVersionIdMarker : undefined;
  } while (keyMarker);
  return out;
}

/** Lists every object under the prefix. */
async function listObjects(s3: S3Client, bucket: string, prefix: string): Promise<Doomed[]> {
  const out: Doomed[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    for (const o of page.Contents ?? []) out.push({ id: { Key: ownKey(prefix, o.Key) }, bytes: o.Size ?? 0 });
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return out;
}

/** Aborts (or, dry, counts) every multipart upload under the prefix. */
async function abortUploads(s3: S3Client, bucket: string, prefix: string, dryRun: boolean): Promise<number> {
  let n = 0;
  let keyMarker: string | undefined;
  let uploadIdMarker: string | undefined;
  do {
    const page = await s3.send(
      new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: prefix, KeyMarker: keyMarker, UploadIdMarker: uploadIdMarker }),
    );
    for (const u of page.Uploads ?? []) {
      const key = ownKey(prefix, u.Key);
      if (!u.UploadId) continue;
      if (!dryRun) await s3.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: u.UploadId }));
      n++;
    }
    keyMarker = page.IsTruncated ? page.NextKeyMarker : undefined;
    uploadIdMarker = page.IsTruncated ? page.NextUploadIdMarker : undefined;
  } while (keyMarker);
  return n;
}

/**
 * Deletes every object (and version, and delete marker) under the tenant's backup prefix, in
 * batches of 1000, manifests first so no backup counts as complete while its parts go. Idempotent:
 * a second run finds nothing and returns 0 objects, 0 bytes. Any key outside the prefix in a
 * listing stops the whole step before anything of that batch is deleted.
 */
export async function deleteTenantBackups(s3: S3Client, t: TenantBackupsTarget): Promise<BackupErasure> {
  const prefix = tenantPrefix(t.prefix, t.tenant);
  const dryRun = t.dryRun ?? false;
  const uploadsAborted = await abortUploads(s3, t.bucket, prefix, dryRun);
  const doomed = (await versioned(s3, t.bucket)) ? await listVersions(s3, t.bucket, prefix) : await listObjects(s3, t.bucket, prefix);
  doomed.sort((a, b) => Number(b.id.Key!.endsWith('/manifest.json')) - Number(a.id.Key!.endsWith('/manifest.json')));
  const bytes = doomed.reduce((sum, d) => sum + d.bytes, 0);
  if (!dryRun) {
    for (let i = 0; i < doomed.length; i += DELETE_BATCH) {
      const batch = doomed.slice(i, i + DELETE_BATCH).map((d) => ({ ...d.id, Key: ownKey(prefix, d.id.Key) }));
      const out = await s3.send(new DeleteObjectsCommand({ Bucket: t.bucket, Delete: { Objects: batch, Quiet: true } }));
      if (out.Errors?.length) {
        throw new Error(
          `deleting the backups of tenant ${t.tenant} under s3://${t.bucket}/${prefix}: ` +
            out.Errors.map((e) => `${e.Key}${e.VersionId ? `@${e.VersionId}` : ''}: ${e.Code} ${e.Message}`).join('; '),
        );
      }
    }
  }
  return { prefix, objects: doomed.length, bytes, uploadsAborted, dryRun };
}
