// Integration test of restoring through the zstd program (src/backup/zstd-program.ts) with the real
// zstd and GNU tar: authenticated, still-compressed bytes go through `zstd -d` straight into the
// tool; a part that fails half-way, a tool that fails on its own and a damaged frame each fail with
// their own cause and leave the live folder as it was; the agent-side decoder reads the same frames.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { compressor, decompressor } from '../../src/backup/compression.js';
import {
  decodedInAgent,
  loadIntoTool,
  spawnProducer,
  testDecompression,
  ZstdEncodedPart,
  zstdProgram,
} from '../../src/backup/zstd-program.js';
import { BackupIntegrityError } from '../../src/backup/format.js';
import { restoreDirectory, tarDirectory } from '../../src/backup/files.js';
import { collect } from '../support/streams.js';

/** Compresses bytes as the agent does (Node's zstd, level and checksum of compression.ts). */
async function zstd(data: Buffer): Promise<Buffer> {
  const [c] = compressor('zstd');
  const out = collect(c!);
  await pipeline(Readable.from([data]), c!);
  return out;
}

/** An encoded part that yields `bytes` in pieces, then fails with `failWith` if given. */
function encodedPart(bytes: Buffer, failWith?: Error): ZstdEncodedPart {
  const part = new ZstdEncodedPart();
  const pieces = [bytes.subarray(0, bytes.length >> 1), bytes.subarray(bytes.length >> 1)];
  setImmediate(() => {
    part.write(pieces[0]);
    if (failWith) setTimeout(() => part.destroy(failWith), 50);
    else part.end(pieces[1]);
  });
  return part;
}

let root: string;
let live: string;
let archive: Buffer;
let liveBefore: string[];

before(async () => {
  assert.ok(zstdProgram(), 'the zstd program must be on PATH (the image and .ci/run install it)');
  root = mkdtempSync(join(tmpdir(), 'tenantry-zstd-'));
  const source = join(root, 'source');
  mkdirSync(join(source, 'docs'), { recursive: true });
  writeFileSync(join(source, 'docs', 'note.txt'), 'restored through zstd\n'.repeat(5000));
  writeFileSync(join(source, 'random.bin'), randomBytes(3 * 1024 * 1024));
  const t = tarDirectory(source);
  [archive] = await Promise.all([collect(t.stream), t.done]);
  live = join(root, 'live');
  mkdirSync(live);
  writeFileSync(join(live, 'live.txt'), 'the live data\n');
  liveBefore = readdirSync(live);
});

after(() => rmSync(root, { recursive: true, force: true }));

describe('restoring through the zstd program', () => {
  test('the files come back, and the bytes read are the compressed ones', async () => {
    const compressed = await zstd(archive);
    const into = join(root, 'good');
    mkdirSync(into);
    writeFileSync(join(into, 'old.txt'), 'replaced\n');
    const r = await restoreDirectory(into, encodedPart(compressed), { suffix: 'zgood' });
    assert.equal(r.bytes, compressed.length);
    assert.deepEqual(readdirSync(into).sort(), ['docs', 'random.bin']);
    assert.equal(readFileSync(join(into, 'docs', 'note.txt'), 'utf8'), 'restored through zstd\n'.repeat(5000));
  });

  test('a part that fails half-way fails the restore with its own error; the live folder is untouched', async () => {
    const compressed = await zstd(archive);
    const cause = new BackupIntegrityError('authentication', 3, 'chunk 3 failed authentication');
    await assert.rejects(restoreDirectory(live, encodedPart(compressed, cause), { suffix: 'zcut' }), /chunk 3 failed authentication/);
    assert.deepEqual(readdirSync(live), liveBefore);
  });

  test('a part that failed before the load started is reported, and no tool starts', async () => {
    const part = new ZstdEncodedPart();
    part.destroy(new Error('the stream header names another tenant'));
    part.on('error', () => undefined);
    await new Promise((r) => setImmediate(r));
    await assert.rejects(
      loadIntoTool('false', [], { context: 'test' }, part),
      /the input failed before the load started: .*another tenant/,
    );
  });

  test('a tool that fails on its own is reported with its error, not zstd broken pipe', async () => {
    const compressed = await zstd(randomBytes(4 * 1024 * 1024));
    await assert.rejects(restoreDirectory(live, encodedPart(compressed), { suffix: 'znotar' }), /tar exited with code 2/);
    assert.deepEqual(readdirSync(live), liveBefore);
  });

  test('bytes that are not zstd frames fail in zstd, named', async () => {
    await assert.rejects(restoreDirectory(live, encodedPart(randomBytes(64 * 1024)), { suffix: 'zjunk' }), /zstd decompression/);
    assert.deepEqual(readdirSync(live), liveBefore);
  });

  test('zstd --test passes whole frames and fails a cut-off one', async () => {
    const compressed = await zstd(archive);
    await testDecompression(encodedPart(compressed), 'verify of whole');
    await assert.rejects(testDecompression(encodedPart(compressed.subarray(0, compressed.length - 100)), 'verify of cut'), /zstd/);
  });

  test("the agent's own decoder reads the same frames (the path of MariaDB and TENANTRY_EXTERNAL_ZSTD=false)", async () => {
    const compressed = await zstd(archive);
    assert.ok((await collect(decodedInAgent(encodedPart(compressed)))).equals(archive));
  });
});

/** Decompresses zstd frames with the agent's own decoder. */
async function unzstd(data: Buffer): Promise<Buffer> {
  const [d] = decompressor('zstd');
  const out = collect(d!);
  await pipeline(Readable.from([data]), d!);
  return out;
}

describe('backing up through the zstd program', () => {
  test("a tool's output comes out compressed in frames the agent's decoder reads back", async () => {
    const file = join(root, 'produced.bin');
    const data = Buffer.concat([Buffer.from('text that compresses\n'.repeat(200_000)), randomBytes(1024 * 1024)]);
    writeFileSync(file, data);
    const p = spawnProducer('cat', [file], { context: 'test: cat' }, zstdProgram());
    const [compressed, result] = await Promise.all([collect(p.stream), p.done]);
    assert.equal(result.exitCode, 0);
    assert.ok(compressed.length < data.length / 2, `compressed ${compressed.length} of ${data.length} bytes`);
    assert.ok((await unzstd(compressed)).equals(data));
  });

  test('a tool that fails half-way never yields a complete stream, though zstd closed its frame', async () => {
    const p = spawnProducer(
      'sh',
      ['-c', 'head -c 300000 /dev/urandom; echo dump broke >&2; exit 3'],
      { context: 'test: dump' },
      zstdProgram(),
    );
    await assert.rejects(collect(p.stream), /test: dump: sh exited with code 3.*\n.*dump broke/s);
    await assert.rejects(p.done, /exited with code 3/);
  });

  test('a consumer that stops reading stops the tool and zstd', async () => {
    const p = spawnProducer('sh', ['-c', 'exec cat /dev/zero'], { context: 'test: endless' }, zstdProgram());
    await new Promise<void>((resolve) => p.stream.once('data', () => resolve()));
    p.stream.destroy(new Error('the upload failed'));
    await assert.rejects(p.done, /stopped by the agent|killed by/);
  });

  test('without the program the output is passed on as the tool wrote it', async () => {
    const p = spawnProducer('sh', ['-c', 'printf plain'], { context: 'test: plain' }, undefined);
    assert.equal((await collect(p.stream)).toString(), 'plain');
    await p.done;
  });
});
