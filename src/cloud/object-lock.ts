// Writes one record that nobody — not the operator, not a bucket owner, not root — can change or
// delete before its retain-until date: S3 Object Lock in COMPLIANCE mode. Used for billing
// archives, erasure receipts and audit records. The bucket must have been created with Object Lock
// enabled (which also turns on versioning); S3 refuses the retention headers otherwise.
import { createHash } from 'node:crypto';
import { PutObjectCommand, type PutObjectCommandInput, type S3Client } from '@aws-sdk/client-s3';

/** A record that is already there: a locked record is never overwritten, not even with the same bytes. */
export class LockedObjectExists extends Error {
  constructor(
    readonly bucket: string,
    readonly key: string,
    options?: { cause?: unknown },
  ) {
    super(`s3://${bucket}/${key} already exists: a locked record is never overwritten`, options);
    this.name = 'LockedObjectExists';
  }
}

/** What a PutObject error says, read without trusting its shape. */
function statusOf(err: unknown): { name: string; status: number | undefined } {
  const e = (typeof err === 'object' && err !== null ? err : {}) as { name?: unknown; $metadata?: { httpStatusCode?: unknown } };
  return {
    name: typeof e.name === 'string' ? e.name : '',
    status: typeof e.$metadata?.httpStatusCode === 'number' ? e.$metadata.httpStatusCode : undefined,
  };
}

/** A store that does not implement conditional writes answers 501 (or names the header it does not know). */
function conditionalWriteUnsupported(err: unknown): boolean {
  const { name, status } = statusOf(err);
  return status === 501 || name === 'NotImplemented';
}

/**
 * Puts `body` under `key` with COMPLIANCE retention until `retainUntil`, SSE-KMS under `kmsKeyId`
 * when given, and a Content-MD5 (Object Lock requires an integrity checksum on every locked write).
 * `If-None-Match: *` makes S3 refuse the write when the key exists ({@link LockedObjectExists}).
 * A store without conditional writes (501) is written to without it: in a locked bucket
 * versioning is on, so a second write adds a version and the first stays locked and readable.
 */
export async function putLocked(
  s3: S3Client,
  o: { bucket: string; key: string; body: Uint8Array | string; retainUntil: Date; kmsKeyId?: string; contentType?: string },
): Promise<{ versionId?: string; etag?: string }> {
  if (!(o.retainUntil instanceof Date) || Number.isNaN(o.retainUntil.getTime()) || o.retainUntil.getTime() <= Date.now()) {
    throw new Error(`refusing to write s3://${o.bucket}/${o.key}: retain-until ${String(o.retainUntil)} is not a date in the future`);
  }
  const body = typeof o.body === 'string' ? Buffer.from(o.body, 'utf8') : o.body;
  const input: PutObjectCommandInput = {
    Bucket: o.bucket,
    Key: o.key,
    Body: body,
    ContentLength: body.byteLength,
    ContentMD5: createHash('md5').update(body).digest('base64'),
    ContentType: o.contentType ?? 'application/octet-stream',
    ObjectLockMode: 'COMPLIANCE',
    ObjectLockRetainUntilDate: o.retainUntil,
    ...(o.kmsKeyId ? { ServerSideEncryption: 'aws:kms' as const, SSEKMSKeyId: o.kmsKeyId } : {}),
  };
  let out;
  try {
    out = await s3.send(new PutObjectCommand({ ...input, IfNoneMatch: '*' }));
  } catch (err) {
    const { name, status } = statusOf(err);
    if (status === 412 || name === 'PreconditionFailed') throw new LockedObjectExists(o.bucket, o.key, { cause: err });
    if (!conditionalWriteUnsupported(err)) throw err;
    out = await s3.send(new PutObjectCommand(input));
  }
  return {
    ...(out.VersionId ? { versionId: out.VersionId } : {}),
    ...(out.ETag ? { etag: out.ETag } : {}),
  };
}
