// Streams a body of unknown length into one S3 object: parts of a fixed size, a few in flight,
// read into buffers that are allocated once and reused. lib-storage's Upload builds every part
// with Buffer.concat, a fresh part-sized allocation each time: the kernel maps and zeroes it page
// by page, and V8 counts it as external memory, which drives full collections. On a backup that
// cost the agent about as much CPU as AES-GCM and SHA-256 together; here the parts cycle
// through queueSize + 1 buffers.
import type { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  PutObjectCommand,
  UploadPartCommand,
  type CompletedPart,
  type S3Client,
} from '@aws-sdk/client-s3';

/** S3's smallest part (but the last) and its largest part count. */
export const S3_MIN_PART_BYTES = 5 * 1024 * 1024;
export const S3_MAX_PARTS = 10_000;

/** Where the object goes and what it is. */
export interface StreamUploadTarget {
  Bucket: string;
  Key: string;
  ContentType?: string;
  ServerSideEncryption?: 'aws:kms';
  SSEKMSKeyId?: string;
}

/** How a stream is cut and sent. */
export interface StreamUploadOptions {
  /** Bytes per part; every part but the last has exactly this many. */
  partSize: number;
  /** Parts sent at once; memory is partSize × (queueSize + 1). */
  queueSize: number;
  /** Aborting stops the upload, cancels the parts in flight and aborts the multipart upload. */
  signal?: AbortSignal;
}

/** What was stored. */
export interface StreamUploadResult {
  bytes: number;
  /** Parts of the multipart upload; 0 when the body fit one part and went as a single PutObject. */
  parts: number;
}

/**
 * Uploads `body` to `target`. A body shorter than one part goes as one PutObject; a longer one
 * as a multipart upload with a CRC32 checksum per part, which S3 checks on arrival. On any
 * failure (of the body, of a part, or an abort) the parts in flight are cancelled, the multipart
 * upload is aborted so no parts are left behind, the body is destroyed and the error is thrown:
 * the object never completes with less than the whole body.
 */
export async function uploadStream(
  s3: S3Client,
  target: StreamUploadTarget,
  body: Readable,
  o: StreamUploadOptions,
): Promise<StreamUploadResult> {
  if (!(o.partSize >= S3_MIN_PART_BYTES) || !Number.isInteger(o.partSize)) {
    throw new RangeError(`part size must be a whole number of bytes, at least ${S3_MIN_PART_BYTES}, not ${o.partSize}`);
  }
  if (!(o.queueSize >= 1) || !Number.isInteger(o.queueSize))
    throw new RangeError(`queue size must be a positive integer, not ${o.queueSize}`);
  return new StreamUpload(s3, target, body, o).run();
}

class StreamUpload {
  private readonly free: Buffer[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private readonly completed: CompletedPart[] = [];
  /** Cancels the requests in flight once anything failed. */
  private readonly cancel = new AbortController();
  private uploadId: string | undefined;
  private failure: Error | undefined;
  private partNumber = 0;
  private bytes = 0;

  constructor(
    private readonly s3: S3Client,
    private readonly target: StreamUploadTarget,
    private readonly body: Readable,
    private readonly o: StreamUploadOptions,
  ) {}

  private get where(): string {
    return `s3://${this.target.Bucket}/${this.target.Key}`;
  }

  async run(): Promise<StreamUploadResult> {
    const onAbort = () => this.fail(abortReason(this.o.signal));
    if (this.o.signal?.aborted) onAbort();
    else this.o.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      let current = this.take();
      let filled = 0;
      for await (const data of this.body as AsyncIterable<Uint8Array | string>) {
        this.throwIfFailed();
        const chunk = Buffer.isBuffer(data) ? data : Buffer.from(data);
        for (let offset = 0; offset < chunk.length;) {
          const n = Math.min(this.o.partSize - filled, chunk.length - offset);
          chunk.copy(current, filled, offset, offset + n);
          filled += n;
          offset += n;
          if (filled === this.o.partSize) {
            await this.dispatch(current, filled);
            current = this.take();
            filled = 0;
          }
        }
        this.bytes += chunk.length;
      }
      this.throwIfFailed();
      if (this.uploadId === undefined) {
        await this.putSingle(current.subarray(0, filled));
        return { bytes: this.bytes, parts: 0 };
      }
      if (filled > 0) await this.dispatch(current, filled);
      await Promise.all(this.inFlight);
      this.throwIfFailed();
      await this.complete();
      return { bytes: this.bytes, parts: this.completed.length };
    } catch (e) {
      const err = this.failure ?? this.wrap(e, 'failed');
      this.fail(err);
      await Promise.allSettled(this.inFlight);
      await this.abortMultipart();
      throw err;
    } finally {
      this.o.signal?.removeEventListener('abort', onAbort);
    }
  }

  /** A reusable buffer: one a finished part gave back, or a new one (at most queueSize + 1 exist). */
  private take(): Buffer {
    return this.free.pop() ?? Buffer.allocUnsafe(this.o.partSize);
  }

  /** Sends one part once fewer than queueSize are in flight; its buffer comes back when S3 has it. */
  private async dispatch(buffer: Buffer, length: number): Promise<void> {
    this.uploadId ??= await this.create();
    while (this.inFlight.size >= this.o.queueSize) await Promise.race(this.inFlight);
    this.throwIfFailed();
    const partNumber = ++this.partNumber;
    const sent = this.sendPart(buffer.subarray(0, length), partNumber).then(
      () => {
        this.free.push(buffer);
      },
      // A failed part fails the whole upload; its buffer is not reused (a cancelled request may still hold it).
      (e: unknown) => this.fail(this.wrap(e, `part ${partNumber} failed`)),
    );
    const tracked = sent.finally(() => this.inFlight.delete(tracked));
    this.inFlight.add(tracked);
  }

  private async create(): Promise<string> {
    const out = await this.s3.send(new CreateMultipartUploadCommand({ ...this.target, ChecksumAlgorithm: 'CRC32' }), {
      abortSignal: this.cancel.signal,
    });
    if (!out.UploadId) throw new Error(`${this.where}: CreateMultipartUpload returned no upload id`);
    return out.UploadId;
  }

  private async sendPart(body: Buffer, partNumber: number): Promise<void> {
    const out = await this.s3.send(
      new UploadPartCommand({
        Bucket: this.target.Bucket,
        Key: this.target.Key,
        UploadId: this.uploadId,
        PartNumber: partNumber,
        Body: body,
        ContentLength: body.length,
        ChecksumAlgorithm: 'CRC32',
      }),
      { abortSignal: this.cancel.signal },
    );
    if (!out.ETag) throw new Error('S3 returned no ETag');
    this.completed.push({ PartNumber: partNumber, ETag: out.ETag, ...(out.ChecksumCRC32 ? { ChecksumCRC32: out.ChecksumCRC32 } : {}) });
  }

  private async complete(): Promise<void> {
    const Parts = [...this.completed].sort((a, b) => (a.PartNumber ?? 0) - (b.PartNumber ?? 0));
    if (Parts.length !== this.partNumber) throw new Error(`${this.where}: ${Parts.length} of ${this.partNumber} parts acknowledged`);
    await this.s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: this.target.Bucket,
        Key: this.target.Key,
        UploadId: this.uploadId,
        MultipartUpload: { Parts },
      }),
      { abortSignal: this.cancel.signal },
    );
  }

  private async putSingle(body: Buffer): Promise<void> {
    await this.s3.send(new PutObjectCommand({ ...this.target, Body: body, ContentLength: body.length, ChecksumAlgorithm: 'CRC32' }), {
      abortSignal: this.cancel.signal,
    });
  }

  /** Aborts the multipart upload, if one was started, so S3 keeps none of its parts. */
  private async abortMultipart(): Promise<void> {
    if (this.uploadId === undefined) return;
    const input = { Bucket: this.target.Bucket, Key: this.target.Key, UploadId: this.uploadId };
    // A failed abort leaves parts that the bucket's lifecycle rule (AbortIncompleteMultipartUpload) and the sweep remove.
    await this.s3.send(new AbortMultipartUploadCommand(input)).catch(() => undefined);
  }

  /** Records the first failure, cancels the requests in flight and stops the body. */
  private fail(e: Error): void {
    if (this.failure) return;
    this.failure = e;
    this.cancel.abort(e);
    this.body.destroy(e);
  }

  private throwIfFailed(): void {
    if (this.failure) throw this.failure;
  }

  private wrap(e: unknown, what: string): Error {
    return new Error(`upload of ${this.where} ${what}: ${(e as Error)?.message ?? String(e)}`, { cause: e });
  }
}

function abortReason(signal: AbortSignal | undefined): Error {
  const r: unknown = signal?.reason;
  return r instanceof Error ? r : new Error(`upload aborted${r === undefined ? '' : `: ${String(r)}`}`);
}
