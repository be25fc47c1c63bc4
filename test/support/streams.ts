// Stream helpers the tests share.
import type { Readable } from 'node:stream';

/** Reads a stream to the end. */
export async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}
