// SHA-256 and size of a stream as it passes: the manifest records both for the plaintext and the
// ciphertext of each part, so verify can tell a storage fault from a decryption fault.
import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';

/** A pass-through stream that hashes and counts what flows through it. */
export class DigestStream extends Transform {
  bytes = 0;
  private readonly hash: Hash = createHash('sha256');
  private hex: string | undefined;

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    cb(null, chunk);
  }

  override _flush(cb: TransformCallback): void {
    this.hex = this.hash.digest('hex');
    cb();
  }

  /** Returns the hex SHA-256; throws if the stream has not finished (a partial hash means nothing). */
  digest(): string {
    if (this.hex === undefined) throw new Error('digest requested before the stream ended');
    return this.hex;
  }
}
