// A tenant's backups in S3: upload of encrypted streams (multipart, SSE-KMS), the manifest as
// the commit point, listing, download and deletion — each confined to one tenant's prefix.
import { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { S3_MAX_PARTS, S3_MIN_PART_BYTES, uploadStream } from '../cloud/stream-upload.js';
import { backupIdTime, backupPrefix, MANIFEST_NAME, manifestKey, parseTenantKey, tenantPrefix } from './layout.js';
import { parseManifest, type BackupManifest } from './manifest.js';

/**
 * Parts are S3's smallest (5 MiB) unless the expected size needs bigger ones to stay under S3's
 * 10 000 parts per object (5 MiB parts carry up to 48 GiB). The agent's memory is part size ×
 * (queue + 1) per backup part, and two backup parts upload at once, so parts stay small.
 */
const MIB = 1024 * 1024;
/** Parts in flight at once, per object. */
const UPLOAD_QUEUE = 2;

/**
 * Largest manifest read: ours are a few KB. Anything bigger under a manifest's name is refused
 * without being read whole, so one planted object cannot exhaust the operator's heap.
 */
export const MAX_MANIFEST_BYTES = 1024 * 1024;
/** Manifests read at once by {@link TenantBackupStore.list}. */
const MANIFEST_READS = 4;

/** Reads a stream into a string, refusing (and closing it) once it passes `max` bytes. */
async function readCapped(body: Readable, max: number, what: string): Promise<string> {
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const c of body) {
    bytes += (c as Buffer).length;
    if (bytes > max) {
      body.destroy();
      throw new Error(
        `${what} is larger than ${max} bytes, which no manifest written by Tenantry is: ignored (an object planted or damaged in the bucket?)`,
      );
    }
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Runs `f` over `items` with at most `limit` calls in flight. */
async function eachLimited<T>(items: readonly T[], limit: number, f: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await f(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** One backup as found in the bucket. */
export interface StoredBackup {
  backupId: string;
  startedAt: Date;
  /** The parsed manifest; undefined for an upload that never committed. */
  manifest?: BackupManifest;
  /** Why a manifest that exists could not be read. */
  manifestError?: string;
  keys: string[];
  lastModified: Date;
}

/** The bucket location and SSE settings of one tenant's backups. */
export interface TenantStoreOptions {
  bucket: string;
  prefix?: string;
  tenant: string;
  /** KMS key for SSE-KMS of every object (defence in depth on top of client-side encryption). */
  sseKmsKeyId?: string;
  /** Expected largest object, so the part size keeps the upload under S3's part limit. */
  expectedMaxBytes?: number;
}

/** Reads and writes one tenant's backups; every key it touches starts with the tenant's prefix. */
export class TenantBackupStore {
  readonly prefix: string;

  constructor(
    private readonly s3: S3Client,
    private readonly o: TenantStoreOptions,
  ) {
    this.prefix = tenantPrefix(o.prefix, o.tenant);
  }

  /** Returns the bucket name. */
  get bucket(): string {
    return this.o.bucket;
  }

  /** Refuses any key outside this tenant's prefix: the guard against deleting another tenant's data. */
  private own(key: string): string {
    if (!key.startsWith(this.prefix) || key.includes('/../'))
      throw new Error(`refusing key ${key}: not under tenant prefix ${this.prefix}`);
    return key;
  }

  private sse(): { ServerSideEncryption?: 'aws:kms'; SSEKMSKeyId?: string } {
    return this.o.sseKmsKeyId ? { ServerSideEncryption: 'aws:kms', SSEKMSKeyId: this.o.sseKmsKeyId } : {};
  }

  /**
   * Uploads a stream as one object (multipart once it outgrows a part); on any failure the multipart
   * upload is aborted (no parts left behind) and the error is thrown: the source's own error when
   * the source failed (dump tool died, KMS error), so the cause is named rather than its echo.
   */
  async upload(key: string, body: Readable, contentType: string, expectedBytes?: number, signal?: AbortSignal): Promise<void> {
    // Room for twice the estimate: a dump may outgrow the database it came from (SQL text, hex blobs).
    const needed = Math.ceil((2 * Math.max(expectedBytes ?? 0, this.o.expectedMaxBytes ?? 0)) / (S3_MAX_PARTS - 100) / MIB) * MIB;
    let sourceError: Error | undefined;
    const onSourceError = (e: Error) => (sourceError ??= e);
    body.once('error', onSourceError);
    try {
      await uploadStream(this.s3, { Bucket: this.o.bucket, Key: this.own(key), ContentType: contentType, ...this.sse() }, body, {
        partSize: Math.max(S3_MIN_PART_BYTES, needed),
        queueSize: UPLOAD_QUEUE,
        ...(signal ? { signal } : {}),
      });
    } catch (e) {
      throw sourceError ?? e;
    } finally {
      body.off('error', onSourceError);
    }
  }

  /** Writes the manifest: the commit point that turns the uploaded parts into a backup. */
  async commit(manifest: BackupManifest): Promise<void> {
    const key = this.own(manifestKey(this.o.prefix, this.o.tenant, manifest.backupId));
    await this.s3.send(
      new PutObjectCommand({
        Bucket: this.o.bucket,
        Key: key,
        Body: JSON.stringify(manifest, null, 2) + '\n',
        ContentType: 'application/json',
        ...this.sse(),
      }),
    );
  }

  /** Opens an object of this tenant for reading, as a stream. */
  async download(key: string): Promise<Readable> {
    const out = await this.s3.send(new GetObjectCommand({ Bucket: this.o.bucket, Key: this.own(key) }));
    if (!(out.Body instanceof Readable)) throw new Error(`s3://${this.o.bucket}/${key}: no body`);
    return out.Body;
  }

  /** Reads and checks the manifest of one backup. */
  async manifest(backupId: string): Promise<BackupManifest> {
    const key = manifestKey(this.o.prefix, this.o.tenant, backupId);
    const body = await this.download(key).catch((e: unknown) => {
      const name = (e as { name?: string }).name;
      if (name === 'NoSuchKey' || name === 'NotFound')
        throw new Error(`backup ${backupId} of tenant ${this.o.tenant} has no manifest: it does not exist or never completed`);
      throw e;
    });
    return parseManifest(await readCapped(body, MAX_MANIFEST_BYTES, `manifest of backup ${backupId} of tenant ${this.o.tenant}`), {
      tenant: this.o.tenant,
      backupId,
    });
  }

  /** Lists this tenant's backups (committed or not), newest first, with their manifests read. */
  async list(): Promise<StoredBackup[]> {
    const byId = new Map<string, StoredBackup>();
    let token: string | undefined;
    do {
      const page = await this.s3.send(new ListObjectsV2Command({ Bucket: this.o.bucket, Prefix: this.prefix, ContinuationToken: token }));
      for (const obj of page.Contents ?? []) {
        const parsed = obj.Key ? parseTenantKey(this.prefix, obj.Key) : undefined;
        if (!parsed || !obj.Key) continue;
        const b = byId.get(parsed.backupId) ?? {
          backupId: parsed.backupId,
          startedAt: backupIdTime(parsed.backupId),
          keys: [],
          lastModified: new Date(0),
        };
        b.keys.push(obj.Key);
        if (obj.LastModified && obj.LastModified > b.lastModified) b.lastModified = obj.LastModified;
        byId.set(parsed.backupId, b);
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    const backups = [...byId.values()].sort((a, b) => (a.backupId < b.backupId ? 1 : -1));
    // A few manifests at a time: the operator lists every tenant's bucket prefix, and a tenant
    // with thousands of backups must not open thousands of connections or buffers at once.
    await eachLimited(
      backups.filter((b) => b.keys.some((k) => k.endsWith(`/${MANIFEST_NAME}`))),
      MANIFEST_READS,
      async (b) => {
        try {
          b.manifest = await this.manifest(b.backupId);
        } catch (e) {
          b.manifestError = (e as Error).message;
        }
      },
    );
    return backups;
  }

  /** Deletes every object of one backup of this tenant (manifest first, so it stops counting at once). */
  async delete(backupId: string): Promise<number> {
    const prefix = this.own(backupPrefix(this.o.prefix, this.o.tenant, backupId));
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.s3.send(new ListObjectsV2Command({ Bucket: this.o.bucket, Prefix: prefix, ContinuationToken: token }));
      for (const o of page.Contents ?? []) if (o.Key) keys.push(this.own(o.Key));
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    keys.sort((a, b) => Number(b.endsWith(MANIFEST_NAME)) - Number(a.endsWith(MANIFEST_NAME)));
    for (let i = 0; i < keys.length; i += 1000) {
      const batch = keys.slice(i, i + 1000);
      const out = await this.s3.send(
        new DeleteObjectsCommand({ Bucket: this.o.bucket, Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true } }),
      );
      if (out.Errors?.length)
        throw new Error(`deleting backup ${backupId}: ${out.Errors.map((e) => `${e.Key}: ${e.Code} ${e.Message}`).join('; ')}`);
    }
    return keys.length;
  }

  /** Aborts this tenant's multipart uploads started before a time (left by a killed agent). */
  async abortStaleUploads(startedBefore: Date): Promise<number> {
    let aborted = 0;
    let keyMarker: string | undefined;
    let uploadIdMarker: string | undefined;
    do {
      const page = await this.s3.send(
        new ListMultipartUploadsCommand({
          Bucket: this.o.bucket,
          Prefix: this.prefix,
          KeyMarker: keyMarker,
          UploadIdMarker: uploadIdMarker,
        }),
      );
      for (const u of page.Uploads ?? []) {
        if (!u.Key || !u.UploadId || !u.Initiated || u.Initiated >= startedBefore) continue;
        await this.s3.send(new AbortMultipartUploadCommand({ Bucket: this.o.bucket, Key: this.own(u.Key), UploadId: u.UploadId }));
        aborted++;
      }
      keyMarker = page.IsTruncated ? page.NextKeyMarker : undefined;
      uploadIdMarker = page.IsTruncated ? page.NextUploadIdMarker : undefined;
    } while (keyMarker);
    return aborted;
  }
}
