// Unit tests of the backup stream header and per-chunk nonce/AAD: the worked example of
// docs/backup-format.md byte for byte, the round trip, and every way a header is refused.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AAD_LENGTH,
  BACKUP_MAGIC,
  BackupFormatError,
  BackupIntegrityError,
  canonicalContext,
  chunkAad,
  chunkNonce,
  decodeHeader,
  encodeHeader,
  FORMAT_VERSION,
  framePrefix,
  headerHash,
  MAX_CHUNKS,
  MAX_HEADER_LENGTH,
  readHeaderLength,
  type BackupHeader,
} from '../../src/backup/format.js';

/** The header of the worked example in docs/backup-format.md. */
const EXAMPLE: BackupHeader = {
  version: FORMAT_VERSION,
  keyId: 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
  encryptedDataKey: Buffer.from('0102030405060708090a0b0c0d0e0f10', 'hex'),
  context: { tenant: 'acme', backupId: '20261126T020000Z-a1b2c3', region: 'eu-west-1', part: 'database' },
  chunkSize: 1048576,
  contentType: 'application/x-pg-dump',
  compression: 'none',
  noncePrefix: Buffer.from('a1b2c3d4e5f60718', 'hex'),
};

/** The same bytes as the hex dump in docs/backup-format.md, 16 bytes a line. */
const EXAMPLE_HEX = [
  '544e545259454e430001000000f0004b',
  '61726e3a6177733a6b6d733a65752d77',
  '6573742d313a31313131323232323333',
  '33333a6b65792f31323334616263642d',
  '313261622d333463642d353665662d31',
  '32333435363738393061620010010203',
  '0405060708090a0b0c0d0e0f10005d7b',
  '226261636b75704964223a2232303236',
  '31313236543032303030305a2d613162',
  '326333222c2270617274223a22646174',
  '6162617365222c22726567696f6e223a',
  '2265752d776573742d31222c2274656e',
  '616e74223a2261636d65227d00100000',
  '00156170706c69636174696f6e2f782d',
  '70672d64756d7000a1b2c3d4e5f60718',
].join('');
const EXAMPLE_HASH = 'c1ff866aec06180ee3b0e46e072ba27ab3d2c6e8e0e0a6856749782a629524cc';

/** Assembles a header from raw parts with a correct length field, to build malformed headers. */
function rawHeader(parts: { version?: number; fields: Buffer[] }): Buffer {
  const body = Buffer.concat(parts.fields);
  const prefix = Buffer.alloc(14);
  BACKUP_MAGIC.copy(prefix, 0);
  prefix.writeUInt16BE(parts.version ?? FORMAT_VERSION, 8);
  prefix.writeUInt32BE(14 + body.length, 10);
  return Buffer.concat([prefix, body]);
}

/** A u16-length-prefixed field. */
function sized(value: Buffer | string): Buffer {
  const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
  const len = Buffer.alloc(2);
  len.writeUInt16BE(bytes.length, 0);
  return Buffer.concat([len, bytes]);
}

/** A u32 big-endian number. */
function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n, 0);
  return b;
}

/** The fields of a valid header, with overrides, in stored order. */
function fields(over: { keyId?: Buffer; context?: string; chunkSize?: number; compression?: number; tail?: Buffer } = {}): Buffer[] {
  return [
    sized(over.keyId ?? 'arn:aws:kms:eu-west-1:111122223333:key/k'),
    sized(Buffer.alloc(16, 7)),
    sized(over.context ?? '{"part":"files","tenant":"t"}'),
    u32(over.chunkSize ?? 1024),
    sized('application/x-tar'),
    Buffer.from([over.compression ?? 1]),
    Buffer.alloc(8, 9),
    ...(over.tail ? [over.tail] : []),
  ];
}

/** Asserts that decoding fails with a BackupFormatError whose message matches. */
function refuses(bytes: Buffer, message: RegExp): void {
  assert.throws(
    () => decodeHeader(bytes),
    (err: unknown) => err instanceof BackupFormatError && message.test(err.message),
  );
}

describe('header: the worked example of docs/backup-format.md', () => {
  test('encodes to the documented bytes and hash', () => {
    const bytes = encodeHeader(EXAMPLE);
    assert.equal(bytes.toString('hex'), EXAMPLE_HEX);
    assert.equal(bytes.length, 240);
    assert.equal(headerHash(bytes).toString('hex'), EXAMPLE_HASH);
  });

  test('nonce and AAD of chunk 0 and of the final chunk 5 of a 5.5 MiB stream', () => {
    const hash = Buffer.from(EXAMPLE_HASH, 'hex');
    assert.equal(chunkNonce(EXAMPLE.noncePrefix, 0).toString('hex'), 'a1b2c3d4e5f6071800000000');
    assert.equal(chunkAad(hash, 0, false).toString('hex'), `${EXAMPLE_HASH}000000000000000000`);
    assert.equal(chunkNonce(EXAMPLE.noncePrefix, 5).toString('hex'), 'a1b2c3d4e5f6071800000005');
    assert.equal(chunkAad(hash, 5, true).toString('hex'), `${EXAMPLE_HASH}000000000000000501`);
    assert.equal(chunkAad(hash, 5, true).length, AAD_LENGTH);
    assert.equal(framePrefix(false, 1048576).toString('hex'), '0000100000');
    assert.equal(framePrefix(true, 524288).toString('hex'), '0100080000');
  });

  test('decodes back to the same header', () => {
    const bytes = encodeHeader(EXAMPLE);
    assert.equal(readHeaderLength(bytes.subarray(0, 14)), 240);
    assert.deepEqual(decodeHeader(bytes), EXAMPLE);
  });
});

describe('header: canonical encryption context', () => {
  test('sorts keys, so insertion order does not change the bytes or the hash', () => {
    const a = canonicalContext({ tenant: 't', region: 'r', part: 'files', backupId: 'b' });
    const b = canonicalContext({ backupId: 'b', part: 'files', region: 'r', tenant: 't' });
    assert.equal(a, b);
    assert.equal(a, '{"backupId":"b","part":"files","region":"r","tenant":"t"}');
    const h1 = encodeHeader({
      ...EXAMPLE,
      context: { part: 'database', tenant: 'acme', region: 'eu-west-1', backupId: '20261126T020000Z-a1b2c3' },
    });
    assert.equal(h1.toString('hex'), EXAMPLE_HEX);
  });

  test('any field edit changes the header hash', () => {
    const base = headerHash(encodeHeader(EXAMPLE)).toString('hex');
    const edits: Partial<BackupHeader>[] = [
      { context: { ...EXAMPLE.context, tenant: 'acmf' } },
      { chunkSize: 2 * 1048576 },
      { contentType: 'application/x-tar' },
      { compression: 'gzip' },
      { noncePrefix: Buffer.from('a1b2c3d4e5f60719', 'hex') },
      { keyId: `${EXAMPLE.keyId}x` },
    ];
    for (const edit of edits)
      assert.notEqual(headerHash(encodeHeader({ ...EXAMPLE, ...edit })).toString('hex'), base, JSON.stringify(edit));
  });
});

describe('header: refusals', () => {
  test('a different magic is named as not a backup', () => {
    const bytes = encodeHeader(EXAMPLE);
    bytes[0] = 0x50;
    refuses(bytes, /not a Tenantry encrypted backup: magic is 504e5452/);
  });

  test('an unknown version is named, before anything else is read', () => {
    refuses(rawHeader({ version: 2, fields: fields() }), /unsupported backup format version 2: this reader understands version 1 only/);
  });

  test('a header length out of range is refused without reading further', () => {
    const prefix = encodeHeader(EXAMPLE).subarray(0, 14);
    prefix.writeUInt32BE(MAX_HEADER_LENGTH + 1, 10);
    assert.throws(() => readHeaderLength(prefix), /header length 65537 out of range/);
    prefix.writeUInt32BE(13, 10);
    assert.throws(() => readHeaderLength(prefix), /header length 13 out of range/);
  });

  test('bytes that disagree with the length field', () => {
    const bytes = encodeHeader(EXAMPLE);
    refuses(bytes.subarray(0, 200), /header length field says 240 bytes, got 200/);
  });

  test('a field that runs past the end of the header names the field', () => {
    const f = fields();
    f[0] = Buffer.concat([Buffer.from([0x7f, 0xff]), Buffer.from('x')]);
    refuses(rawHeader({ fields: f }), /header ends inside the KMS key id/);
  });

  test('a non-canonical encryption context (whitespace, unsorted) is refused', () => {
    refuses(rawHeader({ fields: fields({ context: '{"tenant":"t", "part":"files"}' }) }), /not canonical JSON/);
    refuses(rawHeader({ fields: fields({ context: '{"tenant":"t","part":"files"}' }) }), /not canonical JSON/);
    refuses(rawHeader({ fields: fields({ context: '{"tenant":1}' }) }), /value of "tenant" is not a string/);
    refuses(rawHeader({ fields: fields({ context: '["t"]' }) }), /not a JSON object/);
    refuses(rawHeader({ fields: fields({ context: '{"tenant' }) }), /not JSON/);
  });

  test('unknown compression, bad chunk size, invalid UTF-8, trailing bytes', () => {
    assert.doesNotThrow(() => decodeHeader(rawHeader({ fields: fields() })));
    refuses(rawHeader({ fields: fields({ compression: 7 }) }), /unknown compression code 7/);
    refuses(rawHeader({ fields: fields({ chunkSize: 0 }) }), /chunk size must be an integer in 1024\.\.16777216, got 0/);
    refuses(rawHeader({ fields: fields({ chunkSize: 64 * 1024 * 1024 }) }), /chunk size/);
    refuses(rawHeader({ fields: fields({ keyId: Buffer.from([0xc3, 0x28]) }) }), /KMS key id is not valid UTF-8/);
    refuses(rawHeader({ fields: fields({ tail: Buffer.from([0]) }) }), /1 unexpected bytes after the nonce prefix/);
  });

  test('the encoder refuses what the decoder would refuse', () => {
    assert.throws(() => encodeHeader({ ...EXAMPLE, contentType: 'a\nb' }), BackupFormatError);
    assert.throws(() => encodeHeader({ ...EXAMPLE, contentType: '' }), BackupFormatError);
    assert.throws(() => encodeHeader({ ...EXAMPLE, chunkSize: 100 }), /chunk size/);
    assert.throws(() => encodeHeader({ ...EXAMPLE, noncePrefix: Buffer.alloc(12) }), /nonce prefix must be 8 bytes/);
    assert.throws(() => encodeHeader({ ...EXAMPLE, keyId: '' }), /KMS key id/);
    assert.throws(() => encodeHeader({ ...EXAMPLE, encryptedDataKey: Buffer.alloc(0) }), /encrypted data key/);
    assert.throws(() => encodeHeader({ ...EXAMPLE, version: 2 }), /unsupported format version 2/);
    assert.throws(() => encodeHeader({ ...EXAMPLE, compression: 'brotli' as 'gzip' }), /unknown compression "brotli"/);
  });
});

describe('chunk nonce and AAD', () => {
  test('the counter is the last 4 nonce bytes and must not wrap', () => {
    const prefix = Buffer.alloc(8, 0xaa);
    assert.equal(chunkNonce(prefix, MAX_CHUNKS - 1).toString('hex'), 'aaaaaaaaaaaaaaaafffffffe');
    assert.throws(
      () => chunkNonce(prefix, MAX_CHUNKS),
      (err: unknown) => err instanceof BackupIntegrityError && err.kind === 'too-long' && err.chunk === MAX_CHUNKS,
    );
    assert.throws(() => chunkNonce(Buffer.alloc(7), 0), /nonce prefix must be 8 bytes/);
  });

  test('the AAD carries the index as u64 and the final flag', () => {
    const hash = Buffer.alloc(32, 0x11);
    assert.equal(chunkAad(hash, 0x1_0000_0001, false).subarray(32).toString('hex'), '000000010000000100');
    assert.equal(chunkAad(hash, 3, true).subarray(32).toString('hex'), '000000000000000301');
    assert.throws(() => chunkAad(Buffer.alloc(31), 0, false), /header hash must be 32 bytes/);
  });
});
