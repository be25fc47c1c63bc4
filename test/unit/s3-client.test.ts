// The S3 client's signing: the backup agent's client signs bodies as UNSIGNED-PAYLOAD (its parts
// carry their own end-to-end hashes), every other client hashes them. The requests are captured
// by a request handler in place of the network, after the SDK signed them.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { PutObjectCommand, UploadPartCommand } from '@aws-sdk/client-s3';
import { createS3Client } from '../../src/cloud/s3.js';

interface Captured {
  headers: Record<string, string>;
}

/** A client whose requests end in `seen` with a 200 and an ETag instead of going out. */
function capturingClient(unsignedPayload: boolean | undefined): { client: ReturnType<typeof createS3Client>; seen: Captured[] } {
  const seen: Captured[] = [];
  const client = createS3Client({
    region: 'eu-west-1',
    endpoint: 'http://127.0.0.1:1',
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
    ...(unsignedPayload === undefined ? {} : { unsignedPayload }),
  });
  const handler = {
    handle: (request: Captured) => {
      seen.push({ headers: { ...request.headers } });
      return Promise.resolve({ response: { statusCode: 200, headers: { etag: '"e"' }, body: undefined } });
    },
    updateHttpClientConfig: () => undefined,
    httpHandlerConfigs: () => ({}),
  };
  (client.config as unknown as { requestHandler: unknown }).requestHandler = handler;
  return { client, seen };
}

const body = Buffer.from('ciphertext of one part');
const bodySha256 = createHash('sha256').update(body).digest('hex');

/** Sends one request with a body, as the agent's uploads do. */
type Send = (client: ReturnType<typeof createS3Client>) => Promise<unknown>;
const requests: [string, Send][] = [
  ['UploadPart', (c) => c.send(new UploadPartCommand({ Bucket: 'b', Key: 'k', UploadId: 'u', PartNumber: 1, Body: body }))],
  ['PutObject', (c) => c.send(new PutObjectCommand({ Bucket: 'b', Key: 'k', Body: body }))],
];

for (const [name, send] of requests) {
  void test(`${name}: with unsignedPayload the signature covers UNSIGNED-PAYLOAD and the CRC32 checksum is still sent`, async () => {
    const { client, seen } = capturingClient(true);
    await send(client);
    const h = seen[0]!.headers;
    assert.equal(h['x-amz-content-sha256'], 'UNSIGNED-PAYLOAD');
    assert.match(h['authorization'] ?? '', /SignedHeaders=[^,]*x-amz-content-sha256/);
    assert.ok(h['x-amz-checksum-crc32'], `no CRC32 header in ${JSON.stringify(h)}`);
    client.destroy();
  });

  void test(`${name}: by default the signature covers the SHA-256 of the body`, async () => {
    for (const option of [undefined, false]) {
      const { client, seen } = capturingClient(option);
      await send(client);
      assert.equal(seen[0]!.headers['x-amz-content-sha256'], bodySha256);
      client.destroy();
    }
  });
}
