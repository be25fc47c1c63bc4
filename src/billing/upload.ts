// Writes the staged billing archive to the archive bucket under COMPLIANCE Object Lock. Up to
// SINGLE_PUT_MAX_BYTES it is one putLocked (read into memory); beyond, a multipart upload, which
// S3 locks only when the lock headers come with CreateMultipartUpload (UploadPart cannot carry
// them), each part with its Content-MD5 as Object Lock requires, and If-None-Match on the
// completion so an existing export is never replaced. A failed multipart upload is aborted.
import { createHash } from 'node:crypto';
import { open, readFile } from 'node:fs/promises';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  UploadPartCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { LockedObjectExists, putLocked } from '../cloud/object-lock.js';

/** Largest archive written with one PutObject (held in memory once); S3's own limit is 5 GiB. */
export const SINGLE_PUT_MAX_BYTES = 64 * 1024 * 1024;
/** Smallest part S3 accepts (but the last). */
const MIN_PART_BYTES = 5 * 1024 * 1024;
/** Preferred part size; grows so that no upload needs more than S3's 10 000 parts. */
const PART_BYTES = 16 * 1024 * 1024;
const MAX_PARTS = 10_000;

/** Where and how the archive is written. */
export interface LockedUpload {
  bucket: string;
  key: string;
  /** The staged archive. */
  file: string;
  size: number;
  retainUntil: Date;
  kmsKeyId: string;
  contentType: string;
  /** Override of {@link SINGLE_PUT_MAX_BYTES} (tests use a small one to exercise multipart). */
  singlePutMaxBytes?: number;
  /** Called after each part with the bytes written so far. */
  onProgress?: (bytes: number) => void;
}

/** Returns the part size for an upload of `size` bytes. */
export function partSize(size: number): number {
  return Math.max(MIN_PART_BYTES, PART_BYTES, Math.ceil(size / MAX_PARTS));
}

function isPreconditionFailed(e: unknown): boolean {
  const err = e as { name?: string; $metadata?: { httpStatusCode?: number } };
  return err?.name === 'PreconditionFailed' || err?.$metadata?.httpStatusCode === 412;
}

function isNotImplemented(e: unknown): boolean {
  const err = e as { name?: string; $metadata?: { httpStatusCode?: number } };
  return err?.name === 'NotImplemented' || err?.$metadata?.httpStatusCode === 501;
}

async function multipart(s3: S3Client, u: LockedUpload): Promise<{ versionId?: string; etag?: string; method: 'multipart' }> {
  const created = await s3.send(
    new CreateMultipartUploadCommand({
      Bucket: u.bucket,
      Key: u.key,
      ContentType: u.contentType,
      ObjectLockMode: 'COMPLIANCE',
      ObjectLockRetainUntilDate: u.retainUntil,
      ServerSideEncryption: 'aws:kms',
      SSEKMSKeyId: u.kmsKeyId,
    }),
  );
  const uploadId = created.UploadId;
  if (!uploadId) throw new Error(`s3://${u.bucket}/${u.key}: CreateMultipartUpload returned no upload id`);
  const file = await open(u.file, 'r');
  try {
    const size = partSize(u.size);
    const parts: { PartNumber: number; ETag: string }[] = [];
    for (let offset = 0, n = 1; offset < u.size; offset += size, n++) {
      const body = Buffer.alloc(Math.min(size, u.size - offset));
      const { bytesRead } = await file.read(body, 0, body.length, offset);
      if (bytesRead !== body.length) throw new Error(`${u.file} shrank while it was uploaded`);
      const out = await s3.send(
        new UploadPartCommand({
          Bucket: u.bucket,
          Key: u.key,
          UploadId: uploadId,
          PartNumber: n,
          Body: body,
          ContentLength: body.length,
          ContentMD5: createHash('md5').update(body).digest('base64'),
        }),
      );
      if (!out.ETag) throw new Error(`s3://${u.bucket}/${u.key}: part ${n} returned no ETag`);
      parts.push({ PartNumber: n, ETag: out.ETag });
      u.onProgress?.(offset + body.length);
    }
    const complete = { Bucket: u.bucket, Key: u.key, UploadId: uploadId, MultipartUpload: { Parts: parts } };
    // As putLocked: a store without conditional writes (501) completes without; versioning keeps an earlier export.
    const done = await s3
      .send(new CompleteMultipartUploadCommand({ ...complete, IfNoneMatch: '*' }))
      .catch((e: unknown) => (isNotImplemented(e) ? s3.send(new CompleteMultipartUploadCommand(complete)) : Promise.reject(e)));
    return { ...(done.VersionId ? { versionId: done.VersionId } : {}), ...(done.ETag ? { etag: done.ETag } : {}), method: 'multipart' };
  } catch (e) {
    await s3.send(new AbortMultipartUploadCommand({ Bucket: u.bucket, Key: u.key, UploadId: uploadId })).catch(() => undefined);
    if (isPreconditionFailed(e)) throw new LockedObjectExists(u.bucket, u.key, { cause: e });
    throw e;
  } finally {
    await file.close();
  }
}

/**
 * Uploads the staged archive with COMPLIANCE retention and SSE-KMS; throws {@link LockedObjectExists}
 * when the key already exists (a concurrent or earlier export), which the caller then verifies.
 */
export async function uploadLocked(
  s3: S3Client,
  u: LockedUpload,
): Promise<{ versionId?: string; etag?: string; method: 'single' | 'multipart' }> {
  if (u.size > (u.singlePutMaxBytes ?? SINGLE_PUT_MAX_BYTES)) return multipart(s3, u);
  const body = await readFile(u.file);
  if (body.length !== u.size) throw new Error(`${u.file} changed size while it was staged (${body.length} of ${u.size} bytes)`);
  const out = await putLocked(s3, {
    bucket: u.bucket,
    key: u.key,
    body,
    retainUntil: u.retainUntil,
    kmsKeyId: u.kmsKeyId,
    contentType: u.contentType,
  });
  u.onProgress?.(u.size);
  return { ...out, method: 'single' };
}
