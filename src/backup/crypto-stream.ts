// Streaming encryption and decryption of backups in the format of format.ts: AES-256-GCM per
// chunk, so memory stays at about one chunk whatever the backup size, and a reader learns of
// tampering at the chunk where it happened. Both are plain Node Transforms, so stream.pipeline
// gives them backpressure and error propagation; neither concatenates chunk data — ciphertext
// and plaintext pieces are pushed as OpenSSL returns them, which keeps throughput near AES speed.
import { createCipheriv, createDecipheriv, randomBytes, type DecipherGCM } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import {
  BackupIntegrityError,
  chunkAad,
  chunkNonce,
  DATA_KEY_LENGTH,
  decodeHeader,
  DEFAULT_CHUNK_SIZE,
  encodeHeader,
  FORMAT_VERSION,
  FRAME_PREFIX_LENGTH,
  framePrefix,
  HEADER_PREFIX_LENGTH,
  headerHash,
  MAX_CHUNKS,
  NONCE_PREFIX_LENGTH,
  readHeaderLength,
  TAG_LENGTH,
  type BackupHeader,
  type BackupHeaderFields,
} from './format.js';

const CIPHER = 'aes-256-gcm';

/** What the encrypting stream needs: the plaintext data key and the header it writes. */
export interface EncryptStreamOptions extends Omit<BackupHeaderFields, 'chunkSize' | 'compression'> {
  /** Plaintext AES-256 data key (32 bytes). The stream owns it from now on and zeroes it when done. */
  dataKey: Buffer;
  /** Plaintext bytes per chunk; default DEFAULT_CHUNK_SIZE (1 MiB). */
  chunkSize?: number;
  /** Compression the caller applied before this stream; default `none`. */
  compression?: BackupHeaderFields['compression'];
}

/** Checks the length of a plaintext data key, zeroing it if it is refused. */
function checkKey(key: Buffer, what: string): Buffer {
  if (key.length !== DATA_KEY_LENGTH) {
    key.fill(0);
    throw new TypeError(`${what} must be ${DATA_KEY_LENGTH} bytes, got ${key.length}`);
  }
  return key;
}

/** Encrypts a byte stream into the backup format: header first, then framed, authenticated chunks. */
export class EncryptStream extends Transform {
  /** The header this stream writes (also what a reader will see). */
  readonly header: BackupHeader;
  private readonly headerBytes: Buffer;
  private readonly hash: Buffer;
  private readonly key: Buffer;
  private readonly chunkSize: number;
  /** Plaintext not yet encrypted: views of the written buffers, never copies. */
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private index = 0;
  private headerSent = false;

  constructor(options: EncryptStreamOptions) {
    const chunkSize = options.chunkSize ?? DEFAULT_CHUNK_SIZE;
    // One chunk in the readable buffer before backpressure applies: bigger would only hold more
    // memory, smaller would stall the writer on every chunk.
    super({ readableHighWaterMark: chunkSize + TAG_LENGTH + FRAME_PREFIX_LENGTH });
    this.key = checkKey(options.dataKey, 'data key');
    this.chunkSize = chunkSize;
    this.header = {
      version: FORMAT_VERSION,
      keyId: options.keyId,
      encryptedDataKey: options.encryptedDataKey,
      context: { ...options.context },
      chunkSize,
      contentType: options.contentType,
      compression: options.compression ?? 'none',
      noncePrefix: randomBytes(NONCE_PREFIX_LENGTH),
    };
    try {
      this.headerBytes = encodeHeader(this.header);
    } catch (err) {
      this.key.fill(0);
      throw err;
    }
    this.hash = headerHash(this.headerBytes);
  }

  override _transform(data: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    try {
      this.sendHeader();
      if (data.length > 0) {
        this.pending.push(data);
        this.pendingBytes += data.length;
      }
      // Strictly more than one chunk: a chunk is sealed only once we know it is not the last,
      // because the final flag is part of its AAD and must be set before the first byte.
      while (this.pendingBytes > this.chunkSize) this.seal(this.chunkSize, false);
      callback();
    } catch (err) {
      callback(err as Error);
    }
  }

  override _flush(callback: TransformCallback): void {
    try {
      this.sendHeader();
      this.seal(this.pendingBytes, true);
      this.key.fill(0);
      callback();
    } catch (err) {
      callback(err as Error);
    }
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.key.fill(0);
    this.pending = [];
    callback(error);
  }

  /** Pushes the header once, before the first chunk. */
  private sendHeader(): void {
    if (this.headerSent) return;
    this.headerSent = true;
    this.push(this.headerBytes);
  }

  /** Encrypts the next `length` pending plaintext bytes as one chunk and pushes its frame. */
  private seal(length: number, final: boolean): void {
    const index = this.index;
    if (index >= MAX_CHUNKS) {
      throw new BackupIntegrityError(
        'too-long',
        index,
        `backup stream too long: more than ${MAX_CHUNKS} chunks of ${this.chunkSize} bytes`,
      );
    }
    const cipher = createCipheriv(CIPHER, this.key, chunkNonce(this.header.noncePrefix, index), { authTagLength: TAG_LENGTH });
    cipher.setAAD(chunkAad(this.hash, index, final));
    this.push(framePrefix(final, length));
    let left = length;
    while (left > 0) {
      const head = this.pending[0];
      if (head === undefined) throw new Error(`internal: chunk ${index} short of ${left} plaintext bytes`);
      if (head.length <= left) {
        this.pending.shift();
        this.push(cipher.update(head));
        left -= head.length;
      } else {
        this.push(cipher.update(head.subarray(0, left)));
        this.pending[0] = head.subarray(left);
        left = 0;
      }
    }
    this.pendingBytes -= length;
    cipher.final();
    this.push(cipher.getAuthTag());
    this.index = index + 1;
  }
}

/** Returns a stream that encrypts what is written to it into the backup format (see EncryptStream). */
export function createEncryptStream(options: EncryptStreamOptions): EncryptStream {
  return new EncryptStream(options);
}

/** What the decrypting stream needs: a way to obtain the plaintext data key for a header. */
export interface DecryptStreamOptions {
  /**
   * Returns the plaintext data key for a parsed, not yet authenticated header, typically by KMS
   * Decrypt of `header.encryptedDataKey` with the expected encryption context. The stream owns
   * the returned buffer and zeroes it when done.
   */
  resolveDataKey: (header: BackupHeader) => Promise<Buffer>;
}

type Stage = 'header' | 'key' | 'frame' | 'body' | 'tag' | 'done';

/** Collects a small fixed-size field that may arrive split across writes. */
class Field {
  readonly bytes: Buffer;
  filled = 0;
  constructor(size: number) {
    this.bytes = Buffer.allocUnsafe(size);
  }

  /** Copies what is still missing from `data` at `offset`; returns the new offset. */
  fill(data: Buffer, offset: number): number {
    const n = Math.min(this.bytes.length - this.filled, data.length - offset);
    data.copy(this.bytes, this.filled, offset, offset + n);
    this.filled += n;
    return offset + n;
  }

  /** Tells whether every byte of the field has arrived. */
  get full(): boolean {
    return this.filled === this.bytes.length;
  }
}

/**
 * Decrypts a backup stream. Emits `header` (with the parsed BackupHeader) before asking for the
 * key, then each chunk's plaintext only after that chunk's tag verified. Ends with a
 * BackupIntegrityError if anything is missing, reordered, altered or appended — possibly after
 * earlier chunks were emitted, so a consumer must treat the output as valid only on a clean end.
 */
export class DecryptStream extends Transform {
  private readonly resolveDataKey: DecryptStreamOptions['resolveDataKey'];
  private parsed: BackupHeader | undefined;
  private hash: Buffer | undefined;
  private key: Buffer | undefined;
  private stage: Stage = 'header';
  private field = new Field(HEADER_PREFIX_LENGTH);
  private index = 0;
  private final = false;
  private bodyLength = 0;
  private bodyLeft = 0;
  private decipher: DecipherGCM | undefined;
  /** Plaintext of the current chunk, held back until its tag verifies. */
  private plain: Buffer[] = [];

  constructor(options: DecryptStreamOptions) {
    super();
    this.resolveDataKey = options.resolveDataKey;
  }

  /** The parsed header, once it has been read (not authenticated until chunk 0 verifies). */
  get header(): BackupHeader | undefined {
    return this.parsed;
  }

  override _transform(data: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    let offset: number;
    try {
      offset = this.consume(data, 0);
    } catch (err) {
      callback(err as Error);
      return;
    }
    if (this.stage !== 'key') {
      callback();
      return;
    }
    // The header is complete: hold this write (and so the writer, by backpressure) until the
    // key is known, then go on with the rest of it.
    this.fetchKey().then(
      () => {
        try {
          this.consume(data, offset);
          callback();
        } catch (err) {
          callback(err as Error);
        }
      },
      (err: unknown) => callback(err instanceof Error ? err : new Error(String(err))),
    );
  }

  override _flush(callback: TransformCallback): void {
    if (this.stage === 'done') {
      callback();
      return;
    }
    callback(this.truncation());
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.wipe();
    callback(error);
  }

  /** Zeroes the data key and drops unverified plaintext. */
  private wipe(): void {
    this.key?.fill(0);
    this.plain = [];
    this.decipher = undefined;
  }

  /** Asks for the data key of the parsed header and checks what came back. */
  private async fetchKey(): Promise<void> {
    const header = this.parsed;
    if (!header) throw new Error('internal: key requested before the header was parsed');
    const key = await this.resolveDataKey(header);
    // Destroyed while KMS answered: nobody will use the key, and _destroy has already run.
    if (this.destroyed) {
      key.fill(0);
      return;
    }
    if (key.length !== DATA_KEY_LENGTH) {
      key.fill(0);
      throw new TypeError(`resolveDataKey returned ${key.length} bytes; a data key is ${DATA_KEY_LENGTH} bytes`);
    }
    this.key = key;
    this.stage = 'frame';
    this.field = new Field(FRAME_PREFIX_LENGTH);
  }

  /** Advances the parser over `data` from `offset`; stops early only when the key is needed. */
  private consume(data: Buffer, offset: number): number {
    while (offset < data.length) {
      switch (this.stage) {
        case 'header':
          offset = this.field.fill(data, offset);
          if (this.field.full) this.headerField();
          break;
        case 'key':
          return offset;
        case 'frame':
          offset = this.field.fill(data, offset);
          if (this.field.full) this.startChunk();
          break;
        case 'body': {
          const n = Math.min(this.bodyLeft, data.length - offset);
          this.plain.push(this.decipher!.update(data.subarray(offset, offset + n)));
          this.bodyLeft -= n;
          offset += n;
          if (this.bodyLeft === 0) this.toTag();
          break;
        }
        case 'tag':
          offset = this.field.fill(data, offset);
          if (this.field.full) this.endChunk();
          break;
        case 'done':
          throw new BackupIntegrityError(
            'trailing-data',
            this.index,
            `data after the final chunk (chunk ${this.index}): the stream was appended to`,
          );
      }
    }
    return offset;
  }

  /** Handles a completed header field: the fixed prefix (then sizes the rest) or the whole header. */
  private headerField(): void {
    const bytes = this.field.bytes;
    if (bytes.length === HEADER_PREFIX_LENGTH) {
      // readHeaderLength guarantees more bytes follow, so the whole header is a larger field.
      const whole = new Field(readHeaderLength(bytes));
      whole.fill(bytes, 0);
      this.field = whole;
      return;
    }
    this.parsed = decodeHeader(bytes);
    this.hash = headerHash(bytes);
    this.stage = 'key';
    this.emit('header', this.parsed);
  }

  /** Reads a frame prefix, checks it against the header, and sets up the chunk's decipher. */
  private startChunk(): void {
    const header = this.parsed!;
    const index = this.index;
    const flag = this.field.bytes[0]!;
    const length = this.field.bytes.readUInt32BE(1);
    if (flag > 1) throw new BackupIntegrityError('malformed', index, `chunk ${index} has an invalid final flag ${flag} in its frame`);
    const final = flag === 1;
    if (!final && length !== header.chunkSize) {
      throw new BackupIntegrityError(
        'malformed',
        index,
        `chunk ${index} is not final but holds ${length} bytes; the header's chunk size is ${header.chunkSize}`,
      );
    }
    if (final && length > header.chunkSize) {
      throw new BackupIntegrityError(
        'malformed',
        index,
        `final chunk ${index} holds ${length} bytes, more than the header's chunk size ${header.chunkSize}`,
      );
    }
    if (final && length === 0 && index > 0) {
      throw new BackupIntegrityError('malformed', index, `final chunk ${index} is empty; only an empty backup has an empty final chunk`);
    }
    if (index >= MAX_CHUNKS) throw new BackupIntegrityError('too-long', index, `backup stream has more than ${MAX_CHUNKS} chunks`);
    this.final = final;
    this.bodyLength = length;
    this.bodyLeft = length;
    this.decipher = createDecipheriv(CIPHER, this.key!, chunkNonce(header.noncePrefix, index), { authTagLength: TAG_LENGTH });
    this.decipher.setAAD(chunkAad(this.hash!, index, final));
    this.stage = 'body';
    if (length === 0) this.toTag();
  }

  /** Moves on to the chunk's tag. */
  private toTag(): void {
    this.stage = 'tag';
    this.field = new Field(TAG_LENGTH);
  }

  /** Verifies the chunk's tag, and only then releases its plaintext. */
  private endChunk(): void {
    const index = this.index;
    const decipher = this.decipher!;
    this.decipher = undefined;
    try {
      decipher.setAuthTag(this.field.bytes);
      decipher.final();
    } catch {
      this.plain = [];
      throw new BackupIntegrityError(
        'authentication',
        index,
        `chunk ${index} failed authentication (bit flip, wrong key, edited header, or a chunk from another backup or position)`,
      );
    }
    const plain = this.plain;
    this.plain = [];
    for (const piece of plain) if (piece.length > 0) this.push(piece);
    if (this.final) {
      this.stage = 'done';
      this.key?.fill(0);
      return;
    }
    this.index = index + 1;
    this.stage = 'frame';
    this.field = new Field(FRAME_PREFIX_LENGTH);
  }

  /** Describes where the stream ended short, for the error at end of input. */
  private truncation(): Error {
    switch (this.stage) {
      case 'header':
        if (this.field.filled === 0 && this.field.bytes.length === HEADER_PREFIX_LENGTH) {
          return new BackupIntegrityError('truncated', undefined, 'stream is empty: no backup header');
        }
        return new BackupIntegrityError(
          'truncated',
          undefined,
          `stream truncated inside the header (${this.field.filled} of ${this.field.bytes.length} bytes)`,
        );
      case 'key':
      case 'frame':
        if (this.stage === 'frame' && this.field.filled > 0) break;
        return this.index === 0
          ? new BackupIntegrityError('truncated', undefined, 'stream truncated after the header: no chunks')
          : new BackupIntegrityError('truncated', this.index - 1, `stream truncated after chunk ${this.index - 1}: no final chunk`);
      default:
        break;
    }
    const expected = FRAME_PREFIX_LENGTH + this.bodyLength + TAG_LENGTH;
    const got =
      this.stage === 'frame'
        ? this.field.filled
        : this.stage === 'body'
          ? FRAME_PREFIX_LENGTH + this.bodyLength - this.bodyLeft
          : FRAME_PREFIX_LENGTH + this.bodyLength + this.field.filled;
    const of = this.stage === 'frame' ? `${got} of ${FRAME_PREFIX_LENGTH} frame bytes` : `${got} of ${expected} bytes`;
    return new BackupIntegrityError('truncated', this.index, `stream truncated inside chunk ${this.index} (${of})`);
  }
}

/** Returns a stream that decrypts and verifies a backup stream (see DecryptStream). */
export function createDecryptStream(options: DecryptStreamOptions): DecryptStream {
  return new DecryptStream(options);
}
