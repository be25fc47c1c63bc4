// Unit tests of the encrypting and decrypting backup streams, with a random data key instead of
// KMS: round trips at every chunk boundary, each tampering the format must detect (named by
// chunk), no plaintext released before its tag verifies, key zeroing, and bounded memory.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createCipheriv, randomBytes } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { createDecryptStream, createEncryptStream, type EncryptStreamOptions } from '../../src/backup/crypto-stream.js';
import {
  BackupFormatError,
  BackupIntegrityError,
  chunkAad,
  chunkNonce,
  decodeHeader,
  DEFAULT_CHUNK_SIZE,
  encodeHeader,
  FRAME_PREFIX_LENGTH,
  framePrefix,
  headerHash,
  readHeaderLength,
  TAG_LENGTH,
  type BackupHeader,
  type IntegrityViolation,
} from '../../src/backup/format.js';

const SMALL = 1024;
const CONTEXT = { tenant: 'acme', backupId: '20261126T020000Z-a1b2c3', region: 'eu-west-1', part: 'files' };

/** Header fields of a test stream (`default`: the 1 MiB default chunk size); the stream zeroes its key, so it gets a copy. */
function options(key: Buffer, chunkSize: number | 'default' = SMALL): EncryptStreamOptions {
  return {
    dataKey: Buffer.from(key),
    keyId: 'arn:aws:kms:eu-west-1:111122223333:key/test',
    encryptedDataKey: Buffer.alloc(184, 0x5a),
    context: CONTEXT,
    contentType: 'application/x-tar',
    compression: 'gzip',
    ...(chunkSize === 'default' ? {} : { chunkSize }),
  };
}

/** Splits a buffer into pieces of `size` bytes (views), as a stream would deliver it. */
function pieces(buf: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let at = 0; at < buf.length; at += size) out.push(buf.subarray(at, at + size));
  return out;
}

/** A sink that keeps what it receives. */
function collector(): { sink: Writable; out: Buffer[] } {
  const out: Buffer[] = [];
  const sink = new Writable({
    write: (c: Buffer, _e, cb) => {
      out.push(c);
      cb();
    },
  });
  return { out, sink };
}

/** Encrypts `plain`, delivered in pieces of `pieceSize` bytes. */
async function encrypt(plain: Buffer, key: Buffer, chunkSize: number | 'default' = SMALL, pieceSize = 333): Promise<Buffer> {
  const { sink, out } = collector();
  await pipeline(Readable.from(pieces(plain, pieceSize)), createEncryptStream(options(key, chunkSize)), sink);
  return Buffer.concat(out);
}

interface Decrypted {
  plain: Buffer;
  error: unknown;
  header: BackupHeader | undefined;
  keyReturned: Buffer | undefined;
}

/** Decrypts `ct`, delivered in pieces of `pieceSize` bytes; keeps the output even on error. */
async function decrypt(ct: Buffer, key: Buffer, pieceSize = 4096): Promise<Decrypted> {
  const { sink, out } = collector();
  let header: BackupHeader | undefined;
  let keyReturned: Buffer | undefined;
  const dec = createDecryptStream({
    resolveDataKey: async () => {
      // Answer later, as KMS would: the stream must hold its input meanwhile.
      await sleep(1);
      keyReturned = Buffer.from(key);
      return keyReturned;
    },
  });
  dec.on('header', (h: BackupHeader) => (header = h));
  let error: unknown;
  try {
    await pipeline(Readable.from(pieces(ct, pieceSize)), dec, sink);
  } catch (err) {
    error = err;
  }
  return { plain: Buffer.concat(out), error, header, keyReturned };
}

/** Where each chunk frame of a stream starts and ends. */
function frames(ct: Buffer): { start: number; end: number }[] {
  const out: { start: number; end: number }[] = [];
  let at = readHeaderLength(ct);
  while (at < ct.length) {
    const end = at + FRAME_PREFIX_LENGTH + ct.readUInt32BE(at + 1) + TAG_LENGTH;
    out.push({ start: at, end });
    at = end;
  }
  return out;
}

/** The bytes of chunk `i`'s frame. */
function frame(ct: Buffer, i: number): Buffer {
  const f = frames(ct)[i];
  assert.ok(f, `no chunk ${i}`);
  return ct.subarray(f.start, f.end);
}

/** Asserts a BackupIntegrityError of the given kind and chunk, whose message matches. */
function assertIntegrity(err: unknown, kind: IntegrityViolation, chunk: number | undefined, message: RegExp): void {
  assert.ok(err instanceof BackupIntegrityError, `expected a BackupIntegrityError, got ${String(err)}`);
  assert.equal(err.kind, kind);
  assert.equal(err.chunk, chunk);
  assert.match(err.message, message);
}

/** Flips one bit of a copy of `buf`. */
function flip(buf: Buffer, at: number): Buffer {
  const out = Buffer.from(buf);
  out[at] = out[at]! ^ 0x04;
  return out;
}

/** Replaces the header of a stream with an edited one, keeping the body. */
function withHeader(ct: Buffer, edit: (h: BackupHeader) => BackupHeader): Buffer {
  const length = readHeaderLength(ct);
  return Buffer.concat([encodeHeader(edit(decodeHeader(ct.subarray(0, length)))), ct.subarray(length)]);
}

describe('round trip', () => {
  const key = randomBytes(32);
  const cases: [string, number, number][] = [
    ['empty', 0, 1],
    ['1 byte', 1, 1],
    ['chunkSize - 1', SMALL - 1, 1],
    ['chunkSize', SMALL, 1],
    ['chunkSize + 1', SMALL + 1, 2],
    ['5.5 chunks', SMALL * 5.5, 6],
    ['exactly 3 chunks', SMALL * 3, 3],
  ];
  for (const [name, size, chunks] of cases) {
    test(`${name}: ${size} bytes in ${chunks} chunk(s)`, async () => {
      const plain = randomBytes(size);
      const ct = await encrypt(plain, key);
      const layout = frames(ct);
      assert.equal(layout.length, chunks);
      for (const [i, f] of layout.entries()) assert.equal(ct[f.start], i === chunks - 1 ? 1 : 0, `final flag of chunk ${i}`);
      for (const pieceSize of [1, 7, 4096]) {
        const r = await decrypt(ct, key, pieceSize);
        assert.equal(r.error, undefined);
        assert.ok(r.plain.equals(plain), `piece size ${pieceSize}`);
      }
    });
  }

  test('8 MiB with the default 1 MiB chunks', async () => {
    const plain = randomBytes(8 * 1024 * 1024);
    const ct = await encrypt(plain, key, 'default', 64 * 1024);
    assert.equal(frames(ct).length, 8);
    assert.equal(ct.length - readHeaderLength(ct), plain.length + 8 * (FRAME_PREFIX_LENGTH + TAG_LENGTH));
    const r = await decrypt(ct, key, 64 * 1024);
    assert.equal(r.error, undefined);
    assert.ok(r.plain.equals(plain));
    assert.equal(r.header?.chunkSize, DEFAULT_CHUNK_SIZE);
  });

  test('the header is announced before any plaintext, and matches what was written', async () => {
    const plain = randomBytes(3000);
    const enc = createEncryptStream(options(key));
    const { sink, out } = collector();
    await pipeline(Readable.from([plain]), enc, sink);
    const ct = Buffer.concat(out);
    const events: string[] = [];
    const dec = createDecryptStream({ resolveDataKey: () => Promise.resolve(Buffer.from(key)) });
    dec.on('header', (h: BackupHeader) => {
      events.push('header');
      assert.deepEqual(h, enc.header);
      assert.deepEqual(dec.header, enc.header);
    });
    await pipeline(
      Readable.from([ct]),
      dec,
      new Writable({
        write: (_c, _e, cb) => {
          events.push('data');
          cb();
        },
      }),
    );
    assert.equal(events[0], 'header');
    assert.ok(events.length > 1);
    assert.deepEqual(enc.header.context, CONTEXT);
    assert.equal(enc.header.compression, 'gzip');
  });

  test('every stream gets its own nonce prefix', async () => {
    const plain = randomBytes(100);
    const a = await encrypt(plain, key);
    const b = await encrypt(plain, key);
    assert.notDeepEqual(
      decodeHeader(a.subarray(0, readHeaderLength(a))).noncePrefix,
      decodeHeader(b.subarray(0, readHeaderLength(b))).noncePrefix,
    );
    assert.ok(!a.equals(b));
  });
});

describe('tampering is detected and named by chunk', () => {
  const key = randomBytes(32);
  const plain = randomBytes(SMALL * 5.5);
  let ct: Buffer;
  const stream = async (): Promise<Buffer> => (ct ??= await encrypt(plain, key));

  test('a flipped bit in the header fails chunk 0', async () => {
    const c = await stream();
    // Inside the content type: the header still parses, so only the AAD can notice.
    const at = c.indexOf('application/x-tar');
    const r = await decrypt(flip(c, at + 3), key);
    assertIntegrity(
      r.error,
      'authentication',
      0,
      /^chunk 0 failed authentication \(bit flip, wrong key, edited header, or a chunk from another backup or position\)$/,
    );
    assert.equal(r.plain.length, 0);
  });

  test('a flipped bit in the magic is not a backup at all', async () => {
    const r = await decrypt(flip(await stream(), 2), key);
    assert.ok(r.error instanceof BackupFormatError);
    assert.match(r.error.message, /not a Tenantry encrypted backup/);
    assert.equal(r.keyReturned, undefined, 'KMS is not asked for a stream that is not a backup');
  });

  test('a flipped bit in chunk 2 ciphertext fails chunk 2; chunks 0 and 1 came out, nothing of chunk 2', async () => {
    const c = await stream();
    const f = frames(c)[2]!;
    const r = await decrypt(flip(c, f.start + FRAME_PREFIX_LENGTH + 500), key);
    assertIntegrity(r.error, 'authentication', 2, /^chunk 2 failed authentication/);
    assert.ok(r.plain.equals(plain.subarray(0, 2 * SMALL)));
  });

  test('a flipped bit in a tag fails that chunk', async () => {
    const c = await stream();
    const r = await decrypt(flip(c, frames(c)[1]!.end - 1), key);
    assertIntegrity(r.error, 'authentication', 1, /chunk 1 failed authentication/);
    assert.ok(r.plain.equals(plain.subarray(0, SMALL)));
  });

  test('a flipped bit in the last byte of the final chunk releases nothing of it', async () => {
    const c = await stream();
    const last = frames(c).at(-1)!;
    const r = await decrypt(flip(c, last.end - TAG_LENGTH - 1), key, 1);
    assertIntegrity(r.error, 'authentication', 5, /chunk 5 failed authentication/);
    assert.ok(r.plain.equals(plain.subarray(0, 5 * SMALL)));
  });

  test('decrypt never emits plaintext of a chunk that fails authentication', async () => {
    const c = await stream();
    for (const [i, f] of frames(c).entries()) {
      // Delivered byte by byte, so OpenSSL has produced the chunk's plaintext before its tag.
      for (const pieceSize of [1, 4096]) {
        const r = await decrypt(flip(c, f.start + FRAME_PREFIX_LENGTH), key, pieceSize);
        assertIntegrity(r.error, 'authentication', i, new RegExp(`^chunk ${i} failed authentication`));
        assert.ok(r.plain.equals(plain.subarray(0, i * SMALL)), `chunk ${i}, pieces of ${pieceSize}: only chunks before ${i} emitted`);
      }
    }
  });

  test('a final flag set on a full non-final chunk fails authentication', async () => {
    const c = Buffer.from(await stream());
    c[frames(c)[0]!.start] = 1;
    assertIntegrity((await decrypt(c, key)).error, 'authentication', 0, /chunk 0 failed authentication/);
  });

  test('frames that disagree with the header are malformed', async () => {
    const c = await stream();
    const bad = Buffer.from(c);
    bad.writeUInt32BE(SMALL - 1, frames(c)[1]!.start + 1);
    assertIntegrity(
      (await decrypt(bad, key)).error,
      'malformed',
      1,
      /chunk 1 is not final but holds 1023 bytes; the header's chunk size is 1024/,
    );
    const flag = Buffer.from(c);
    flag[frames(c)[0]!.start] = 2;
    assertIntegrity((await decrypt(flag, key)).error, 'malformed', 0, /invalid final flag 2/);
  });

  test('dropping the final chunk is a truncation after the last chunk present', async () => {
    const c = await stream();
    const r = await decrypt(c.subarray(0, frames(c)[4]!.end), key);
    assertIntegrity(r.error, 'truncated', 4, /^stream truncated after chunk 4: no final chunk$/);
    assert.ok(r.plain.equals(plain.subarray(0, 5 * SMALL)));
  });

  test('a cut inside a chunk names the chunk and how much of it arrived', async () => {
    const c = await stream();
    const f = frames(c)[3]!;
    assertIntegrity(
      (await decrypt(c.subarray(0, f.start + 100), key)).error,
      'truncated',
      3,
      /stream truncated inside chunk 3 \(100 of 1045 bytes\)/,
    );
    assertIntegrity(
      (await decrypt(c.subarray(0, f.end - 3), key)).error,
      'truncated',
      3,
      /stream truncated inside chunk 3 \(1042 of 1045 bytes\)/,
    );
    assertIntegrity((await decrypt(c.subarray(0, f.start + 2), key)).error, 'truncated', 3, /inside chunk 3 \(2 of 5 frame bytes\)/);
  });

  test('cuts before the first chunk', async () => {
    const c = await stream();
    const h = readHeaderLength(c);
    assertIntegrity((await decrypt(c.subarray(0, h), key)).error, 'truncated', undefined, /truncated after the header: no chunks/);
    assertIntegrity(
      (await decrypt(c.subarray(0, h - 1), key)).error,
      'truncated',
      undefined,
      /truncated inside the header \(\d+ of \d+ bytes\)/,
    );
    assertIntegrity((await decrypt(c.subarray(0, 5), key)).error, 'truncated', undefined, /truncated inside the header \(5 of 14 bytes\)/);
    assertIntegrity((await decrypt(Buffer.alloc(0), key)).error, 'truncated', undefined, /stream is empty/);
  });

  test('two chunks swapped fail at the first of them', async () => {
    const c = await stream();
    const h = readHeaderLength(c);
    const swapped = Buffer.concat([c.subarray(0, h), frame(c, 0), frame(c, 2), frame(c, 1), ...[3, 4, 5].map((i) => frame(c, i))]);
    const r = await decrypt(swapped, key);
    assertIntegrity(r.error, 'authentication', 1, /chunk 1 failed authentication/);
    assert.ok(r.plain.equals(plain.subarray(0, SMALL)));
  });

  test('a chunk from another stream under the same key is refused', async () => {
    const c = await stream();
    const other = await encrypt(randomBytes(plain.length), key);
    const h = readHeaderLength(c);
    const spliced = Buffer.concat([c.subarray(0, h), frame(c, 0), frame(other, 1), ...[2, 3, 4, 5].map((i) => frame(c, i))]);
    assertIntegrity((await decrypt(spliced, key)).error, 'authentication', 1, /chunk 1 failed authentication/);
  });

  test('bytes appended after the final chunk are refused', async () => {
    const c = await stream();
    assertIntegrity(
      (await decrypt(Buffer.concat([c, Buffer.from([0])]), key)).error,
      'trailing-data',
      5,
      /^data after the final chunk \(chunk 5\)/,
    );
    assertIntegrity((await decrypt(Buffer.concat([c, frame(c, 5)]), key, 1)).error, 'trailing-data', 5, /data after the final chunk/);
  });

  test('an empty final chunk after a full one is malformed, even when its tag is valid', async () => {
    // A writer never produces this (only an empty backup has an empty final chunk), so a reader
    // refuses it: one plaintext has exactly one encoding. Forged here with the key itself.
    const c = await encrypt(randomBytes(SMALL), key);
    const h = readHeaderLength(c);
    const header = decodeHeader(c.subarray(0, h));
    const hash = headerHash(c.subarray(0, h));
    const seal = (index: number, final: boolean, data: Buffer): Buffer => {
      const cipher = createCipheriv('aes-256-gcm', key, chunkNonce(header.noncePrefix, index));
      cipher.setAAD(chunkAad(hash, index, final));
      return Buffer.concat([framePrefix(final, data.length), cipher.update(data), cipher.final(), cipher.getAuthTag()]);
    };
    const chunk0 = randomBytes(SMALL);
    const forged = Buffer.concat([c.subarray(0, h), seal(0, false, chunk0), seal(1, true, Buffer.alloc(0))]);
    const r = await decrypt(forged, key);
    assertIntegrity(r.error, 'malformed', 1, /final chunk 1 is empty; only an empty backup has an empty final chunk/);
    assert.ok(r.plain.equals(chunk0));
    const appended = Buffer.concat([c, seal(1, true, Buffer.alloc(0))]);
    assertIntegrity((await decrypt(appended, key)).error, 'trailing-data', 0, /data after the final chunk/);
  });

  test('the wrong data key fails chunk 0 and releases nothing', async () => {
    const r = await decrypt(await stream(), randomBytes(32));
    assertIntegrity(r.error, 'authentication', 0, /chunk 0 failed authentication/);
    assert.equal(r.plain.length, 0);
  });

  test('header field edits that still parse fail chunk 0', async () => {
    const c = await stream();
    const edits: [string, (h: BackupHeader) => BackupHeader][] = [
      ['tenant', (h) => ({ ...h, context: { ...h.context, tenant: 'globex' } })],
      ['content type', (h) => ({ ...h, contentType: 'application/x-pg-dump' })],
      ['compression', (h) => ({ ...h, compression: 'none' })],
      ['key id', (h) => ({ ...h, keyId: 'arn:aws:kms:eu-west-1:111122223333:key/other' })],
      ['nonce prefix', (h) => ({ ...h, noncePrefix: randomBytes(8) })],
      ['encrypted data key', (h) => ({ ...h, encryptedDataKey: randomBytes(184) })],
    ];
    for (const [name, edit] of edits) {
      const r = await decrypt(withHeader(c, edit), key);
      assertIntegrity(r.error, 'authentication', 0, /chunk 0 failed authentication/);
      assert.equal(r.plain.length, 0, name);
    }
    const resized = await decrypt(
      withHeader(c, (h) => ({ ...h, chunkSize: 2048 })),
      key,
    );
    assertIntegrity(resized.error, 'malformed', 0, /chunk 0 is not final but holds 1024 bytes; the header's chunk size is 2048/);
  });
});

describe('data key handling', () => {
  test('the encrypting stream zeroes its key when it finishes', async () => {
    const opts = options(randomBytes(32));
    const { sink } = collector();
    await pipeline(Readable.from([randomBytes(5000)]), createEncryptStream(opts), sink);
    assert.ok(opts.dataKey.equals(Buffer.alloc(32)));
  });

  test('the encrypting stream zeroes its key when destroyed', () => {
    const opts = options(randomBytes(32));
    const enc = createEncryptStream(opts);
    enc.destroy(new Error('upload failed'));
    enc.on('error', () => undefined);
    assert.ok(opts.dataKey.equals(Buffer.alloc(32)));
  });

  test('a key of the wrong length is refused up front', () => {
    assert.throws(
      () => createEncryptStream({ ...options(randomBytes(32)), dataKey: randomBytes(16) }),
      /data key must be 32 bytes, got 16/,
    );
  });

  test('the decrypting stream zeroes the resolved key at the end and on failure', async () => {
    const key = randomBytes(32);
    const ct = await encrypt(randomBytes(3000), key);
    const ok = await decrypt(ct, key);
    assert.equal(ok.error, undefined);
    assert.ok(ok.keyReturned?.equals(Buffer.alloc(32)));
    const bad = await decrypt(flip(ct, frames(ct)[1]!.start + 10), key);
    assert.ok(bad.error instanceof BackupIntegrityError);
    assert.ok(bad.keyReturned?.equals(Buffer.alloc(32)));
  });

  test('the resolver sees the header, and its failure ends the stream with nothing emitted', async () => {
    const key = randomBytes(32);
    const ct = await encrypt(randomBytes(3000), key);
    let seen: BackupHeader | undefined;
    const dec = createDecryptStream({
      resolveDataKey: (h) => {
        seen = h;
        return Promise.reject(new Error('KMS refused to decrypt the data key'));
      },
    });
    const { sink, out } = collector();
    await assert.rejects(pipeline(Readable.from([ct]), dec, sink), /KMS refused to decrypt the data key/);
    assert.deepEqual(seen?.context, CONTEXT);
    assert.equal(out.length, 0);
  });

  test('a resolved key of the wrong length is refused and zeroed', async () => {
    const ct = await encrypt(randomBytes(10), randomBytes(32));
    const short = randomBytes(16);
    const dec = createDecryptStream({ resolveDataKey: () => Promise.resolve(short) });
    await assert.rejects(pipeline(Readable.from([ct]), dec, collector().sink), /resolveDataKey returned 16 bytes/);
    assert.ok(short.equals(Buffer.alloc(16)));
  });
});

describe('memory and backpressure', () => {
  test('a slow consumer holds the encryptor to about two chunks and its write buffer', async () => {
    const source = randomBytes(SMALL * 1024);
    const enc = createEncryptStream(options(randomBytes(32)));
    let peak = 0;
    const slow = new Writable({
      highWaterMark: SMALL,
      write: (_c, _e, cb) => {
        peak = Math.max(peak, enc.readableLength + enc.writableLength);
        setImmediate(cb);
      },
    });
    await pipeline(Readable.from(pieces(source, 100)), enc, slow);
    const bound = 2 * (SMALL + FRAME_PREFIX_LENGTH + TAG_LENGTH) + enc.writableHighWaterMark;
    assert.ok(peak <= bound, `encryptor held ${peak} bytes of a ${source.length}-byte stream; bound ${bound}`);
  });

  test('encrypting 192 MiB keeps rss growth well under the stream size', async () => {
    const block = randomBytes(DEFAULT_CHUNK_SIZE);
    const total = 192;
    function* source(): Generator<Buffer> {
      for (let i = 0; i < total; i++) yield* pieces(block, 64 * 1024);
    }
    const before = process.memoryUsage().rss;
    let peak = before;
    let seen = 0;
    const sink = new Writable({
      write: (c: Buffer, _e, cb) => {
        seen += c.length;
        peak = Math.max(peak, process.memoryUsage().rss);
        cb();
      },
    });
    await pipeline(Readable.from(source()), createEncryptStream(options(randomBytes(32), 'default')), sink);
    assert.ok(seen > total * DEFAULT_CHUNK_SIZE);
    const growth = (peak - before) / 2 ** 20;
    // V8 collects the freed ciphertext buffers only every few tens of MiB of external memory,
    // so rss rises by about 40 MiB whatever the size; holding the stream would add 192 MiB.
    assert.ok(growth < 96, `rss grew by ${growth.toFixed(1)} MiB while encrypting ${total} MiB`);
  });
});
