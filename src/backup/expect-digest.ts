// A pass-through stream that fails at its end unless what passed matches the manifest's hash and
// size. Placed before a restore tool's input, it withholds end-of-input on a mismatch, so the tool
// never finishes and the live data is never swapped for a wrong copy.
import type { TransformCallback } from 'node:stream';
import { DigestStream } from './digest.js';

/** Raised when a part's bytes differ from what its manifest recorded. */
export class DigestMismatchError extends Error {}

/** Checks SHA-256 and size of a stream against expected values before letting it end. */
export class ExpectDigest extends DigestStream {
  constructor(
    private readonly what: string,
    private readonly expected: { sha256: string; bytes: number },
  ) {
    super();
  }

  override _flush(cb: TransformCallback): void {
    super._flush(() => {
      const got = this.digest();
      if (got !== this.expected.sha256 || this.bytes !== this.expected.bytes) {
        cb(
          new DigestMismatchError(
            `${this.what}: ${this.bytes} bytes with SHA-256 ${got}, the manifest records ${this.expected.bytes} bytes with ${this.expected.sha256}`,
          ),
        );
        return;
      }
      cb();
    });
  }
}
