// Unit tests of a part's compression before encryption and its undoing on restore: the header
// codes are stable (0 none, 1 gzip, 2 zstd), every code round-trips through the agent's read path
// (openPart: hashes, decryption, decompression), and streams written the way backups were
// written before zstd — gzip in the agent, or no compression with pg_dump compressing itself —
// still come back byte for byte. A KMS-less fake stands in for the clients.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, test } from 'node:test';
import { gzipSync, zstdCompressSync } from 'node:zlib';
import type { AgentClients } from '../../src/backup/clients.js';
import { compressor, decompressor, WRITE_COMPRESSION } from '../../src/backup/compression.js';
import { createEncryptStream } from '../../src/backup/crypto-stream.js';
import { decodeHeader, encodeHeader, readHeaderLength, type BackupHeader, type Compression } from '../../src/backup/format.js';
import type { BackupManifest, ManifestPart } from '../../src/backup/manifest.js';
import type { AgentSettings } from '../../src/backup/settings.js';
import { openPart } from '../../src/backup/verify.js';
import { createLogger } from '../../src/log.js';
import { collect } from '../support/streams.js';

const TENANT = 'acme';
const BACKUP_ID = '20261126T020000Z-a1b2c3';
const REGION = 'eu-west-1';
const KEY_ARN = 'arn:aws:kms:eu-west-1:111122223333:key/test';

/** Log-like text that compresses about 3×, and random bytes that do not compress, as a tenant's data mixes them. */
function sample(): Buffer {
  const lines: string[] = [];
  for (let i = 0; i < 20_000; i++) lines.push(`${i}\torder ${i % 97}\tcustomer-${(i * 7919) % 1000}\t${randomBytes(4).toString('hex')}\n`);
  return Buffer.concat([Buffer.from(lines.join('')), randomBytes(256 * 1024)]);
}

/** What a writer stored for one part: the object's bytes and its manifest entry. */
interface Stored {
  bytes: Buffer;
  part: ManifestPart;
}

/** Encrypts already-compressed `body` as the backup writer does and returns the object and its manifest entry. */
async function store(body: Buffer, compression: Compression, key: Buffer): Promise<Stored> {
  const enc = createEncryptStream({
    dataKey: Buffer.from(key),
    keyId: KEY_ARN,
    encryptedDataKey: Buffer.alloc(184, 0x5a),
    context: { backupId: BACKUP_ID, part: 'database', region: REGION, tenant: TENANT },
    contentType: 'application/x-postgresql-custom',
    compression,
    chunkSize: 64 * 1024,
  });
  const [bytes] = await Promise.all([collect(enc), (async () => enc.end(body))()]);
  const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
  return {
    bytes,
    part: {
      name: 'database',
      key: `${TENANT}/${BACKUP_ID}/database.tenc`,
      contentType: 'application/x-postgresql-custom',
      compression,
      plaintextBytes: body.length,
      ciphertextBytes: bytes.length,
      plaintextSha256: sha(body),
      ciphertextSha256: sha(bytes),
    },
  };
}

/** Reads a stored part back through the agent's own read path, with fakes for S3 and KMS. */
async function restoreThroughAgent(s: Stored, key: Buffer): Promise<Buffer> {
  const clients = {
    keys: { checkManifestKey: async () => undefined, check: async () => undefined },
    kms: { resolverFor: () => async () => Buffer.from(key) },
    store: { download: async () => Readable.from([s.bytes]) },
  } as unknown as AgentClients;
  const manifest = { tenant: TENANT, backupId: BACKUP_ID, region: REGION, kmsKeyId: KEY_ARN, parts: [s.part] } as unknown as BackupManifest;
  const log = createLogger('error', { stream: new Writable({ write: (_c, _e, cb) => cb() }) });
  return collect(await openPart({} as AgentSettings, clients, manifest, s.part, log));
}

/** Compresses with the agent's own writer transforms. */
async function compressWith(c: Compression, data: Buffer): Promise<Buffer> {
  const out: Buffer[] = [];
  const sink = new Writable({
    write: (chunk: Buffer, _e, cb) => {
      out.push(chunk);
      cb();
    },
  });
  await pipeline([Readable.from([data]), ...compressor(c), sink]);
  return Buffer.concat(out);
}

/** The compression byte of a stored stream's header. */
function headerOf(stored: Buffer): BackupHeader {
  return decodeHeader(stored.subarray(0, readHeaderLength(stored)));
}

describe('compression codes', () => {
  test('the header byte is 0 for none, 1 for gzip, 2 for zstd, and decodes back', () => {
    const base: BackupHeader = {
      version: 1,
      keyId: KEY_ARN,
      encryptedDataKey: Buffer.alloc(16, 1),
      context: { tenant: TENANT },
      chunkSize: 1048576,
      contentType: 'application/x-tar',
      compression: 'none',
      noncePrefix: Buffer.alloc(8, 7),
    };
    for (const [compression, code] of [
      ['none', 0],
      ['gzip', 1],
      ['zstd', 2],
    ] as const) {
      const bytes = encodeHeader({ ...base, compression });
      assert.equal(bytes[bytes.length - 9], code, compression);
      assert.equal(decodeHeader(bytes).compression, compression);
    }
  });

  test('the agent writes zstd, and a manifest naming an unknown compression is refused before any download', async () => {
    assert.equal(WRITE_COMPRESSION, 'zstd');
    assert.throws(() => decompressor('brotli' as Compression), /unknown compression "brotli"/);
    const key = randomBytes(32);
    const s = await store(Buffer.from('x'), 'none', key);
    let downloads = 0;
    const clients = {
      keys: { checkManifestKey: async () => undefined, check: async () => undefined },
      kms: { resolverFor: () => async () => Buffer.from(key) },
      store: { download: async () => (downloads++, Readable.from([s.bytes])) },
    } as unknown as AgentClients;
    const part = { ...s.part, compression: 'lz4' as Compression };
    const m = { tenant: TENANT, backupId: BACKUP_ID, region: REGION, kmsKeyId: KEY_ARN, parts: [part] } as unknown as BackupManifest;
    await assert.rejects(openPart({} as AgentSettings, clients, m, part, createLogger('error')), /unknown compression "lz4"/);
    assert.equal(downloads, 0);
  });
});

describe('round trips through the read path', () => {
  const data = sample();

  test('zstd, as the agent writes now: smaller than the input, restored byte for byte', async () => {
    const key = randomBytes(32);
    const compressed = await compressWith('zstd', data);
    assert.ok(compressed.length < data.length * 0.8, `zstd stored ${compressed.length} of ${data.length} bytes`);
    assert.equal(compressed.readUInt32LE(0), 0xfd2fb528, 'a zstd frame');
    const s = await store(compressed, 'zstd', key);
    assert.equal(headerOf(s.bytes).compression, 'zstd');
    assert.ok((await restoreThroughAgent(s, key)).equals(data));
  });

  test('gzip, as the agent wrote MariaDB dumps and files before zstd: still restored byte for byte', async () => {
    const key = randomBytes(32);
    // gzip level 1 is what those backups hold; the writer transform still produces it.
    const old = gzipSync(data, { level: 1 });
    assert.ok(old.equals(await compressWith('gzip', data)));
    const s = await store(old, 'gzip', key);
    assert.equal(headerOf(s.bytes).compression, 'gzip');
    assert.ok((await restoreThroughAgent(s, key)).equals(data));
  });

  test('none, as PostgreSQL backups were stored before zstd (pg_dump compressed): handed on unchanged', async () => {
    const key = randomBytes(32);
    // Stands in for pg_dump's own compressed custom format: the agent must not touch it.
    const dump = Buffer.concat([Buffer.from('PGDMP'), gzipSync(data, { level: 1 })]);
    const s = await store(dump, 'none', key);
    assert.ok((await restoreThroughAgent(s, key)).equals(dump));
  });

  test('a part whose compressed bytes do not decompress fails the read instead of ending short', async () => {
    const key = randomBytes(32);
    const compressed = zstdCompressSync(data);
    // Authentic ciphertext of a damaged frame (a writer bug, say): the hashes match, the decoder refuses.
    const broken = Buffer.from(compressed);
    broken.writeUInt32LE(0, Math.floor(broken.length / 2));
    const s = await store(broken.subarray(0, broken.length - 100), 'zstd', key);
    await assert.rejects(restoreThroughAgent(s, key));
  });
});
