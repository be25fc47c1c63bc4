// The byte layout of an encrypted backup stream (`*.tenc`): the header, the chunk framing, and
// the nonce and additional authenticated data (AAD) of each chunk. docs/backup-format.md is the
// specification; this file is its executable form, so the two change together. The layout is
// fixed per format version: a reader never guesses, it checks and names what it found instead.
import { createHash } from 'node:crypto';

/** The first 8 bytes of every stream, so a wrong object fails before any key is fetched. */
export const BACKUP_MAGIC: Buffer = Buffer.from('TNTRYENC', 'latin1');
/** The only format version this code writes and reads. */
export const FORMAT_VERSION = 1;
/** Magic (8) + version (2) + header length (4): what a reader needs before it can size the header. */
export const HEADER_PREFIX_LENGTH = 14;
/** An upper bound on the header, so an edited length field cannot make a reader allocate gigabytes. */
export const MAX_HEADER_LENGTH = 64 * 1024;
/** Plaintext bytes per chunk unless the writer chooses otherwise. */
export const DEFAULT_CHUNK_SIZE = 1024 * 1024;
/** Smallest chunk size accepted; smaller chunks only add per-chunk overhead. */
export const MIN_CHUNK_SIZE = 1024;
/** Largest chunk size accepted: a reader holds one chunk's plaintext, so this bounds its memory. */
export const MAX_CHUNK_SIZE = 16 * 1024 * 1024;
/** Random per-stream bytes at the front of every nonce. */
export const NONCE_PREFIX_LENGTH = 8;
/** AES-GCM nonce length: prefix (8) + big-endian chunk counter (4). */
export const NONCE_LENGTH = 12;
/** AES-GCM authentication tag length after every chunk's ciphertext. */
export const TAG_LENGTH = 16;
/** Chunk frame prefix: final flag (1) + plaintext length (4). */
export const FRAME_PREFIX_LENGTH = 5;
/** Length of a chunk's AAD: header SHA-256 (32) + u64 chunk index (8) + final flag (1). */
export const AAD_LENGTH = 41;
/** Most chunks one stream may hold: the nonce counter has 32 bits, and it must never wrap. */
export const MAX_CHUNKS = 0xffff_ffff;
/** Length of the AES-256 data key. */
export const DATA_KEY_LENGTH = 32;

const MAX_KEY_ID_LENGTH = 2048;
const MAX_ENCRYPTED_KEY_LENGTH = 6144;
const MAX_CONTEXT_LENGTH = 8192;
const MAX_CONTENT_TYPE_LENGTH = 255;

/** How the plaintext was compressed before encryption (the crypto stream itself never compresses). */
export type Compression = 'none' | 'gzip' | 'zstd';
/** Index = the header's compression byte. Codes are only ever appended: old backups keep their meaning. */
const COMPRESSION_CODES: readonly Compression[] = ['none', 'gzip', 'zstd'];

/** KMS encryption context: a flat string map, bound to the data key by KMS. */
export type EncryptionContext = Readonly<Record<string, string>>;

/** What a writer chooses; the format version and nonce prefix are filled in by the encoder's caller. */
export interface BackupHeaderFields {
  /** ARN of the KMS key that encrypted the data key (as GenerateDataKey returned it). */
  keyId: string;
  /** The KMS CiphertextBlob of the data key. */
  encryptedDataKey: Buffer;
  /** The encryption context the data key was generated with. */
  context: EncryptionContext;
  /** Plaintext bytes per non-final chunk. */
  chunkSize: number;
  /** MIME type of the plaintext, e.g. `application/x-pg-dump`. */
  contentType: string;
  /** Compression applied before encryption. */
  compression: Compression;
}

/** A complete header as stored at the start of a stream. */
export interface BackupHeader extends BackupHeaderFields {
  /** Format version; always FORMAT_VERSION for headers this code decodes. */
  version: number;
  /** Random per-stream nonce prefix (NONCE_PREFIX_LENGTH bytes). */
  noncePrefix: Buffer;
}

/** The header of a stream could not be read: not a backup, an unknown version, or malformed fields. */
export class BackupFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BackupFormatError';
  }
}

/** What kind of integrity violation a reader found. */
export type IntegrityViolation = 'authentication' | 'truncated' | 'trailing-data' | 'malformed' | 'too-long';

/**
 * The body of a stream failed a check: `chunk` is the index of the chunk concerned (undefined
 * when the problem is before the first chunk), `kind` what was wrong.
 */
export class BackupIntegrityError extends Error {
  constructor(
    readonly kind: IntegrityViolation,
    readonly chunk: number | undefined,
    message: string,
  ) {
    super(message);
    this.name = 'BackupIntegrityError';
  }
}

/** Encodes an encryption context as JSON with its keys sorted, the one form stored and compared. */
export function canonicalContext(context: EncryptionContext): string {
  const sorted: Record<string, string> = {};
  for (const key of Object.keys(context).sort()) {
    const value = context[key];
    if (typeof value !== 'string') throw new BackupFormatError(`encryption context value of "${key}" is not a string`);
    sorted[key] = value;
  }
  return JSON.stringify(sorted);
}

/** Returns the SHA-256 of the header bytes, the value every chunk's AAD starts with. */
export function headerHash(headerBytes: Buffer): Buffer {
  return createHash('sha256').update(headerBytes).digest();
}

/** Builds the 12-byte nonce of a chunk: the stream's prefix, then the chunk index as u32 big-endian. */
export function chunkNonce(noncePrefix: Buffer, index: number): Buffer {
  if (noncePrefix.length !== NONCE_PREFIX_LENGTH) {
    throw new BackupFormatError(`nonce prefix must be ${NONCE_PREFIX_LENGTH} bytes, got ${noncePrefix.length}`);
  }
  if (!Number.isInteger(index) || index < 0 || index >= MAX_CHUNKS) {
    throw new BackupIntegrityError('too-long', index, `chunk index ${index} out of range: a stream holds at most ${MAX_CHUNKS} chunks`);
  }
  const nonce = Buffer.allocUnsafe(NONCE_LENGTH);
  noncePrefix.copy(nonce, 0);
  nonce.writeUInt32BE(index, NONCE_PREFIX_LENGTH);
  return nonce;
}

/** Builds the 41-byte AAD of a chunk: header hash, u64 big-endian chunk index, final flag byte. */
export function chunkAad(hash: Buffer, index: number, final: boolean): Buffer {
  if (hash.length !== 32) throw new BackupFormatError(`header hash must be 32 bytes, got ${hash.length}`);
  const aad = Buffer.allocUnsafe(AAD_LENGTH);
  hash.copy(aad, 0);
  aad.writeBigUInt64BE(BigInt(index), 32);
  aad[40] = final ? 1 : 0;
  return aad;
}

/** Builds the 5-byte frame prefix of a chunk: final flag, then plaintext length as u32 big-endian. */
export function framePrefix(final: boolean, length: number): Buffer {
  const frame = Buffer.allocUnsafe(FRAME_PREFIX_LENGTH);
  frame[0] = final ? 1 : 0;
  frame.writeUInt32BE(length, 1);
  return frame;
}

/** Checks the writer-chosen fields against the format's limits, naming the first bad one. */
function checkFields(h: BackupHeader): void {
  if (h.version !== FORMAT_VERSION)
    throw new BackupFormatError(`unsupported format version ${h.version} (this code writes ${FORMAT_VERSION})`);
  if (!h.keyId || Buffer.byteLength(h.keyId, 'utf8') > MAX_KEY_ID_LENGTH) {
    throw new BackupFormatError(`KMS key id must be 1..${MAX_KEY_ID_LENGTH} bytes`);
  }
  if (h.encryptedDataKey.length === 0 || h.encryptedDataKey.length > MAX_ENCRYPTED_KEY_LENGTH) {
    throw new BackupFormatError(`encrypted data key must be 1..${MAX_ENCRYPTED_KEY_LENGTH} bytes, got ${h.encryptedDataKey.length}`);
  }
  if (!Number.isInteger(h.chunkSize) || h.chunkSize < MIN_CHUNK_SIZE || h.chunkSize > MAX_CHUNK_SIZE) {
    throw new BackupFormatError(`chunk size must be an integer in ${MIN_CHUNK_SIZE}..${MAX_CHUNK_SIZE}, got ${h.chunkSize}`);
  }
  if (!/^[\x20-\x7e]+$/.test(h.contentType) || h.contentType.length > MAX_CONTENT_TYPE_LENGTH) {
    throw new BackupFormatError(
      `content type must be 1..${MAX_CONTENT_TYPE_LENGTH} printable ASCII characters, got ${JSON.stringify(h.contentType)}`,
    );
  }
  if (!COMPRESSION_CODES.includes(h.compression)) throw new BackupFormatError(`unknown compression ${JSON.stringify(h.compression)}`);
  if (h.noncePrefix.length !== NONCE_PREFIX_LENGTH) {
    throw new BackupFormatError(`nonce prefix must be ${NONCE_PREFIX_LENGTH} bytes, got ${h.noncePrefix.length}`);
  }
}

/** Serialises a header to its stored bytes (docs/backup-format.md, "Header"). */
export function encodeHeader(header: BackupHeader): Buffer {
  checkFields(header);
  const keyId = Buffer.from(header.keyId, 'utf8');
  const context = Buffer.from(canonicalContext(header.context), 'utf8');
  if (context.length > MAX_CONTEXT_LENGTH)
    throw new BackupFormatError(`encryption context must be at most ${MAX_CONTEXT_LENGTH} bytes of JSON`);
  const contentType = Buffer.from(header.contentType, 'latin1');
  const length =
    HEADER_PREFIX_LENGTH +
    2 +
    keyId.length +
    2 +
    header.encryptedDataKey.length +
    2 +
    context.length +
    4 +
    2 +
    contentType.length +
    1 +
    NONCE_PREFIX_LENGTH;
  const out = Buffer.alloc(length);
  let at = BACKUP_MAGIC.copy(out, 0);
  at = out.writeUInt16BE(header.version, at);
  at = out.writeUInt32BE(length, at);
  for (const field of [keyId, header.encryptedDataKey, context]) {
    at = out.writeUInt16BE(field.length, at);
    at += field.copy(out, at);
  }
  at = out.writeUInt32BE(header.chunkSize, at);
  at = out.writeUInt16BE(contentType.length, at);
  at += contentType.copy(out, at);
  at = out.writeUInt8(COMPRESSION_CODES.indexOf(header.compression), at);
  header.noncePrefix.copy(out, at);
  return out;
}

/**
 * Reads the fixed prefix (magic, version, header length) and returns the total header length.
 * Checks magic and version first, so a wrong object or a newer writer is named as such.
 */
export function readHeaderLength(prefix: Buffer): number {
  if (prefix.length < HEADER_PREFIX_LENGTH) {
    throw new BackupFormatError(`header prefix needs ${HEADER_PREFIX_LENGTH} bytes, got ${prefix.length}`);
  }
  if (!prefix.subarray(0, BACKUP_MAGIC.length).equals(BACKUP_MAGIC)) {
    throw new BackupFormatError(
      `not a Tenantry encrypted backup: magic is ${prefix.subarray(0, 8).toString('hex')}, expected ${BACKUP_MAGIC.toString('hex')}`,
    );
  }
  const version = prefix.readUInt16BE(8);
  if (version !== FORMAT_VERSION) {
    throw new BackupFormatError(`unsupported backup format version ${version}: this reader understands version ${FORMAT_VERSION} only`);
  }
  const length = prefix.readUInt32BE(10);
  if (length <= HEADER_PREFIX_LENGTH || length > MAX_HEADER_LENGTH) {
    throw new BackupFormatError(`header length ${length} out of range ${HEADER_PREFIX_LENGTH + 1}..${MAX_HEADER_LENGTH}`);
  }
  return length;
}

/** A cursor over the header bytes that names the field it was reading when the bytes ran out. */
class HeaderReader {
  private at = HEADER_PREFIX_LENGTH;
  constructor(private readonly bytes: Buffer) {}

  /** Returns the next `n` bytes (a view, not a copy). */
  take(n: number, field: string): Buffer {
    if (this.at + n > this.bytes.length) {
      throw new BackupFormatError(
        `header ends inside ${field}: needs ${n} bytes at offset ${this.at}, header is ${this.bytes.length} bytes`,
      );
    }
    const out = this.bytes.subarray(this.at, this.at + n);
    this.at += n;
    return out;
  }

  /** Returns a u16-length-prefixed field. */
  sized(field: string): Buffer {
    return this.take(this.take(2, `the length of ${field}`).readUInt16BE(0), field);
  }

  /** Tells how many header bytes were not consumed. */
  get left(): number {
    return this.bytes.length - this.at;
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Decodes a UTF-8 field, naming it when the bytes are not valid UTF-8. */
function text(bytes: Buffer, field: string): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw new BackupFormatError(`header field ${field} is not valid UTF-8`);
  }
}

/** Parses the canonical-JSON encryption context and rejects any other spelling of it. */
function parseContext(json: string): EncryptionContext {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (err) {
    throw new BackupFormatError(`header encryption context is not JSON: ${(err as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new BackupFormatError('header encryption context is not a JSON object');
  }
  const context = value as Record<string, unknown>;
  for (const [k, v] of Object.entries(context)) {
    if (typeof v !== 'string') throw new BackupFormatError(`header encryption context value of "${k}" is not a string`);
  }
  // One plaintext context has exactly one stored form; a second spelling would be a second
  // header hash for the same meaning, which the format does not allow.
  if (canonicalContext(context as EncryptionContext) !== json) {
    throw new BackupFormatError('header encryption context is not canonical JSON (sorted keys, no whitespace)');
  }
  return context as EncryptionContext;
}

/**
 * Parses a complete header (exactly `readHeaderLength` bytes). Structure only: the header is
 * authenticated later, when chunk 0 verifies against its hash.
 */
export function decodeHeader(bytes: Buffer): BackupHeader {
  const length = readHeaderLength(bytes);
  if (bytes.length !== length) throw new BackupFormatError(`header length field says ${length} bytes, got ${bytes.length}`);
  const r = new HeaderReader(bytes);
  const keyId = text(r.sized('the KMS key id'), 'KMS key id');
  const encryptedDataKey = Buffer.from(r.sized('the encrypted data key'));
  const context = parseContext(text(r.sized('the encryption context'), 'encryption context'));
  const chunkSize = r.take(4, 'the chunk size').readUInt32BE(0);
  const contentType = r.sized('the content type').toString('latin1');
  const compressionCode = r.take(1, 'the compression').readUInt8(0);
  const compression = COMPRESSION_CODES[compressionCode];
  if (compression === undefined) throw new BackupFormatError(`header names unknown compression code ${compressionCode}`);
  const noncePrefix = Buffer.from(r.take(NONCE_PREFIX_LENGTH, 'the nonce prefix'));
  if (r.left !== 0) throw new BackupFormatError(`header has ${r.left} unexpected bytes after the nonce prefix`);
  const header: BackupHeader = {
    version: FORMAT_VERSION,
    keyId,
    encryptedDataKey,
    context,
    chunkSize,
    contentType,
    compression,
    noncePrefix,
  };
  checkFields(header);
  return header;
}
