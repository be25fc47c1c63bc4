// The streamed upload against the S3 server: bodies cut into parts at any chunk boundary read back
// equal, a short body goes as one PutObject, and every failure (of the body, of a part, an abort)
// leaves neither an object nor an open multipart upload behind.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { describe, test } from 'node:test';
import { GetObjectCommand, HeadObjectCommand, ListMultipartUploadsCommand, type S3Client } from '@aws-sdk/client-s3';
import { S3_MIN_PART_BYTES, uploadStream } from '../../src/cloud/stream-upload.js';
import { adminS3, need } from '../support/backup-env.js';
import { collect } from '../support/streams.js';

const RUN = randomBytes(4).toString('hex');
const PART = S3_MIN_PART_BYTES;
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** Yields `body` in pieces of the given sizes, cycling, so part boundaries fall inside chunks. */
function chunked(body: Buffer, sizes: number[], failAfter?: { bytes: number; error: Error }): Readable {
  return Readable.from(
    (function* () {
      for (let at = 0, i = 0; at < body.length; i++) {
        if (failAfter && at >= failAfter.bytes) throw failAfter.error;
        const n = sizes[i % sizes.length]!;
        yield body.subarray(at, at + n);
        at += n;
      }
    })(),
  );
}

async function readBack(s3: S3Client, Bucket: string, Key: string): Promise<Buffer> {
  const out = await s3.send(new GetObjectCommand({ Bucket, Key }));
  return collect(out.Body as Readable);
}

async function absent(s3: S3Client, Bucket: string, Key: string): Promise<void> {
  await assert.rejects(s3.send(new HeadObjectCommand({ Bucket, Key })), (e: { name?: string }) =>
    ['NotFound', 'NoSuchKey'].includes(e.name ?? ''),
  );
  const open = await s3.send(new ListMultipartUploadsCommand({ Bucket, Prefix: Key }));
  assert.deepEqual(
    (open.Uploads ?? []).map((u) => u.Key),
    [],
    'a multipart upload was left open',
  );
}

describe('uploadStream', () => {
  const s3 = adminS3();
  const Bucket = need('TENANTRY_S3_BUCKET');
  const key = (name: string) => `stream-upload-test/${RUN}/${name}`;

  test('a body of 2.5 parts in odd-sized chunks reads back equal, in three parts', async () => {
    const body = randomBytes(2 * PART + PART / 2 + 7);
    const Key = key('odd-chunks.bin');
    const out = await uploadStream(
      s3,
      { Bucket, Key, ContentType: 'application/octet-stream' },
      chunked(body, [65_537, 1, 3 * 1024 * 1024 + 5]),
      {
        partSize: PART,
        queueSize: 2,
      },
    );
    assert.deepEqual(out, { bytes: body.length, parts: 3 });
    assert.equal(sha(await readBack(s3, Bucket, Key)), sha(body));
  });

  test('a body of exactly two parts sends two parts and no empty third', async () => {
    const body = randomBytes(2 * PART);
    const Key = key('exact.bin');
    const out = await uploadStream(s3, { Bucket, Key }, chunked(body, [PART / 4]), { partSize: PART, queueSize: 1 });
    assert.deepEqual(out, { bytes: body.length, parts: 2 });
    assert.equal(sha(await readBack(s3, Bucket, Key)), sha(body));
  });

  test('a body shorter than a part, and an empty one, go as one PutObject', async () => {
    for (const size of [1000, 0]) {
      const body = randomBytes(size);
      const Key = key(`single-${size}.bin`);
      const out = await uploadStream(s3, { Bucket, Key }, chunked(body, [333]), { partSize: PART, queueSize: 2 });
      assert.deepEqual(out, { bytes: size, parts: 0 });
      assert.equal(sha(await readBack(s3, Bucket, Key)), sha(body));
    }
  });

  test('a body that fails after two parts rejects with its error and leaves nothing behind', async () => {
    const Key = key('body-fails.bin');
    const cause = new Error('the dump tool exited with code 1');
    await assert.rejects(
      uploadStream(s3, { Bucket, Key }, chunked(randomBytes(3 * PART), [1024 * 1024], { bytes: 2 * PART + 1, error: cause }), {
        partSize: PART,
        queueSize: 2,
      }),
      /upload of s3:\/\/.*body-fails\.bin failed: the dump tool exited with code 1/,
    );
    await absent(s3, Bucket, Key);
  });

  test('an abort mid-stream cancels the upload, destroys the body and leaves nothing behind', async () => {
    const Key = key('aborted.bin');
    const stop = new AbortController();
    let sent = 0;
    const body = new Readable({
      read() {
        sent += 1024 * 1024;
        if (sent === 7 * 1024 * 1024) stop.abort(new Error('another part of the backup failed'));
        this.push(randomBytes(1024 * 1024));
      },
    });
    await assert.rejects(
      uploadStream(s3, { Bucket, Key }, body, { partSize: PART, queueSize: 2, signal: stop.signal }),
      /another part of the backup failed/,
    );
    assert.ok(body.destroyed, 'the body was left open');
    await absent(s3, Bucket, Key);
  });

  test('a part S3 refuses fails the upload with its number and aborts the multipart upload', async () => {
    const faulty = adminS3();
    // The second part fails as a request S3 answered with an error would (before the SDK's retries, so once for good).
    faulty.middlewareStack.add(
      (next) => async (args) => {
        if ((args.input as { PartNumber?: number }).PartNumber === 2)
          throw Object.assign(new Error('We encountered an internal error'), { name: 'InternalError' });
        return next(args);
      },
      { step: 'initialize', name: 'failSecondPart' },
    );
    const Key = key('refused-part.bin');
    const body = chunked(randomBytes(3 * PART), [1024 * 1024]);
    await assert.rejects(uploadStream(faulty, { Bucket, Key }, body, { partSize: PART, queueSize: 2 }), /refused-part\.bin part 2 failed/);
    assert.ok(body.destroyed, 'the body was left open');
    await absent(s3, Bucket, Key);
    faulty.destroy();
  });

  test('a part size below S3 minimum or a queue of 0 is refused before anything is sent', async () => {
    await assert.rejects(
      uploadStream(s3, { Bucket, Key: key('x') }, Readable.from([]), { partSize: PART - 1, queueSize: 2 }),
      /at least 5242880/,
    );
    await assert.rejects(
      uploadStream(s3, { Bucket, Key: key('x') }, Readable.from([]), { partSize: PART, queueSize: 0 }),
      /positive integer/,
    );
  });
});
