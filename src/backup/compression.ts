// Compression of a part's plaintext before encryption, and its undoing after decryption. The
// code a stream was written with is in its (authenticated) header and in the manifest; readers
// keep every code that backups still within retention may use.
import type { Transform } from 'node:stream';
import { constants, createGunzip, createGzip, createZstdCompress, createZstdDecompress } from 'node:zlib';
import type { Compression } from './format.js';

/** What the agent writes when a part is compressed; gzip stays readable (and writable) for older backups. */
export const WRITE_COMPRESSION: Compression = 'zstd';

/**
 * zstd level 2: on the benchmark's text, levels 1 and 2 both ran about 200 MB/s on one core and
 * 2 stored 4 % less; level 3 was 40 % slower for no further gain. gzip -1 ran about 105 MB/s.
 */
export const ZSTD_LEVEL = 2;

/** gzip level of the backups written before zstd: fast, most of the gain on SQL text. */
const GZIP_LEVEL = 1;

/**
 * zstd's window is 2^21 bytes (2 MiB) at level 2; a decoder accepts at most 2^23 here, so a
 * damaged or foreign stream cannot make the agent allocate a large window (the format authenticates
 * the bytes, but the manifest's compression code is what selects the decoder).
 */
export const ZSTD_MAX_WINDOW_LOG = 23;

/**
 * Bytes per output chunk of every (de)compressor, instead of zlib's 16 KiB: each chunk costs a
 * callback from the thread pool and a write down the pipeline (to pg_restore, tar, the encryption),
 * and on a restore those per-chunk costs showed in the agent's profile next to the hashing.
 */
const CHUNK_SIZE = 256 * 1024;

/** Returns the transforms that compress a part's plaintext with `c` (none for `none`). */
export function compressor(c: Compression): Transform[] {
  switch (c) {
    case 'none':
      return [];
    case 'zstd':
      return [
        createZstdCompress({
          chunkSize: CHUNK_SIZE,
          params: {
            [constants.ZSTD_c_compressionLevel]: ZSTD_LEVEL,
            // The content size is unknown when the stream starts; a checksum per frame lets a
            // decoder tell a damaged frame from a short one (the GCM tags cover the bytes anyway).
            [constants.ZSTD_c_checksumFlag]: 1,
          },
        }),
      ];
    case 'gzip':
      return [createGzip({ level: GZIP_LEVEL, chunkSize: CHUNK_SIZE })];
    default:
      throw new Error(`unknown compression ${JSON.stringify(c)}`);
  }
}

/** Returns the transforms that undo compression `c` on authenticated plaintext; throws naming an unknown code. */
export function decompressor(c: Compression): Transform[] {
  switch (c) {
    case 'none':
      return [];
    case 'gzip':
      return [createGunzip({ chunkSize: CHUNK_SIZE })];
    case 'zstd':
      return [createZstdDecompress({ chunkSize: CHUNK_SIZE, params: { [constants.ZSTD_d_windowLogMax]: ZSTD_MAX_WINDOW_LOG } })];
    default:
      throw new Error(`unknown compression ${JSON.stringify(c)}: this agent reads none, gzip and zstd`);
  }
}
