// The demo's relays: the operator is configured with their ports before KMS and S3 exist, so a
// relay must refuse clients until its target is set (the service is down, and says so at once)
// and then pass bytes both ways unchanged.
import assert from 'node:assert/strict';
import { connect, createServer, type AddressInfo } from 'node:net';
import { test } from 'node:test';
import { startRelay } from '../env/demo-relay.js';

/** Sends `text` to 127.0.0.1:port and returns all it answers until the connection ends. */
function exchange(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.end(text));
    let got = '';
    socket.setEncoding('utf8').on('data', (d: string) => (got += d));
    socket.on('close', () => resolve(got));
    socket.on('error', reject);
  });
}

test('a relay closes connections until it has a target, then forwards both ways', async () => {
  const upper = createServer((s) => {
    let got = '';
    s.setEncoding('utf8').on('data', (d: string) => (got += d));
    s.on('end', () => s.end(got.toUpperCase()));
  });
  await new Promise<void>((r) => upper.listen(0, '127.0.0.1', r));
  const relay = await startRelay();
  try {
    assert.match(relay.endpoint, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(await exchange(relay.port, 'before'), '', 'no target yet: closed without an answer');
    relay.setTarget((upper.address() as AddressInfo).port);
    assert.equal(await exchange(relay.port, 'hello relay'), 'HELLO RELAY');
  } finally {
    await relay.close();
    await new Promise((r) => upper.close(r));
  }
});
