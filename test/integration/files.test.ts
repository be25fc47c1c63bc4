// Integration test of the files part of a backup with the real GNU tar: a tar restored over the
// folder brings back deleted and changed files with their modes, mtimes (to the nanosecond), links
// and odd names; a cut-off or malicious archive fails and leaves the live folder as it was.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  linkSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { extractInto, removeTree, restoreDirectory, tarDirectory } from '../../src/backup/files.js';
import { collect } from '../support/streams.js';

/** Tars a folder into memory, checking both the stream and tar's result. */
async function tarToBuffer(dir: string): Promise<Buffer> {
  const t = tarDirectory(dir);
  const [buf] = await Promise.all([collect(t.stream), t.done]);
  return buf;
}

/** One line per entry below `dir`: name, type, mode, mtime in ns, and content hash or link target. */
function snapshot(dir: string, rel = ''): string[] {
  const out: string[] = [];
  for (const name of readdirSync(join(dir, rel)).sort()) {
    const path = join(rel, name);
    const s = lstatSync(join(dir, path), { bigint: true });
    const mode = (Number(s.mode) & 0o7777).toString(8);
    if (s.isSymbolicLink()) out.push(`${JSON.stringify(path)} link -> ${readlinkSync(join(dir, path))}`);
    else if (s.isDirectory()) out.push(`${JSON.stringify(path)} dir ${mode} ${s.mtimeNs}`, ...snapshot(dir, path));
    else
      out.push(
        `${JSON.stringify(path)} file ${mode} ${s.mtimeNs} ${createHash('sha256')
          .update(readFileSync(join(dir, path)))
          .digest('hex')}`,
      );
  }
  return out;
}

/** Sets an exact mtime (with a fraction of a second) on a path. */
function stamp(path: string, iso: string): void {
  const d = new Date(iso);
  utimesSync(path, d, d);
}

/** Fills `dir` with the fixture: odd names, modes, links, an empty folder, a folder named like the restore's own. */
function makeFixture(dir: string): void {
  mkdirSync(join(dir, 'sub', 'deeper'), { recursive: true });
  mkdirSync(join(dir, 'empty'));
  mkdirSync(join(dir, 'private'), { mode: 0o750 });
  mkdirSync(join(dir, 'sub', '.tenantry-old-not-ours'));
  writeFileSync(join(dir, 'sub', '.tenantry-old-not-ours', 'kept'), 'a nested name like ours is the tenant’s file');
  writeFileSync(join(dir, 'plain.txt'), 'plain\n');
  writeFileSync(join(dir, 'with space.txt'), 'spaces\n');
  writeFileSync(join(dir, 'new\nline.txt'), 'newline in the name\n');
  writeFileSync(join(dir, 'ünïcødé ✓ 日本.txt'), 'unicode\n');
  writeFileSync(join(dir, 'sub', 'changed.txt'), 'original content\n');
  writeFileSync(join(dir, 'sub', 'deeper', 'big.bin'), Buffer.alloc(3 * 1024 * 1024, 0xab));
  writeFileSync(join(dir, 'private', 'secret.txt'), 'only the owner\n', { mode: 0o600 });
  writeFileSync(join(dir, 'run.sh'), '#!/bin/sh\necho hi\n', { mode: 0o755 });
  writeFileSync(join(dir, 'readonly.txt'), 'read only\n', { mode: 0o444 });
  chmodSync(join(dir, 'readonly.txt'), 0o444);
  // Read-only folder: restoring over it, and removing it afterwards, must work as a non-root user too.
  mkdirSync(join(dir, 'sealed'));
  writeFileSync(join(dir, 'sealed', 'inside.txt'), 'in a read-only folder\n');
  chmodSync(join(dir, 'sealed'), 0o555);
  linkSync(join(dir, 'plain.txt'), join(dir, 'hardlink.txt'));
  symlinkSync('sub/changed.txt', join(dir, 'relative-link'));
  stamp(join(dir, 'plain.txt'), '2021-03-04T05:06:07.891Z');
  stamp(join(dir, 'sub', 'changed.txt'), '2019-12-31T23:59:59.5Z');
  stamp(join(dir, 'sub', 'deeper'), '2018-01-01T00:00:00.25Z');
  stamp(join(dir, 'sub'), '2018-06-01T00:00:00.75Z');
}

describe('files backup', () => {
  let root: string;
  let live: string;
  let original: string[];
  let archive: Buffer;

  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'tenantry-files-test-'));
    live = join(root, 'live');
    mkdirSync(live);
    makeFixture(live);
    // A leftover of an earlier restore at the top is not the tenant's data: not archived.
    mkdirSync(join(live, '.tenantry-old-leftover'));
    original = snapshot(live).filter((l) => !l.startsWith('".tenantry-old-leftover"'));
    archive = await tarToBuffer(live);
    rmSync(join(live, '.tenantry-old-leftover'), { recursive: true });
  });

  after(async () => {
    await removeTree(root);
  });

  test('the archive leaves out restore leftovers at the top only', () => {
    const list = spawnSync('tar', ['--list', '--file=-'], { input: archive, encoding: 'utf8' });
    assert.equal(list.status, 0, list.stderr);
    const names = list.stdout.split('\n').filter(Boolean);
    assert.ok(names.includes('./sub/.tenantry-old-not-ours/kept'), 'nested names like ours are kept');
    assert.ok(!names.some((n) => n.startsWith('./.tenantry-old-leftover')), 'top-level leftovers are excluded');
    assert.ok(archive.length > 3 * 1024 * 1024);
  });

  test('two tars of an unchanged folder are byte-identical', async () => {
    const a = await tarToBuffer(live);
    assert.ok((await tarToBuffer(live)).equals(a));
  });

  test('restoreDirectory brings back deleted and changed files with modes, mtimes and odd names', async () => {
    rmSync(join(live, 'with space.txt'));
    rmSync(join(live, 'new\nline.txt'));
    writeFileSync(join(live, 'sub', 'changed.txt'), 'changed after the backup\n');
    chmodSync(join(live, 'run.sh'), 0o644);
    writeFileSync(join(live, 'created-after-backup.txt'), 'gone after the restore\n');
    assert.notDeepEqual(snapshot(live), original);
    const r = await restoreDirectory(live, Readable.from([archive]), { suffix: 'ok1' });
    assert.equal(r.bytes, archive.length);
    assert.deepEqual(snapshot(live), original);
    assert.equal(lstatSync(join(live, 'plain.txt')).ino, lstatSync(join(live, 'hardlink.txt')).ino, 'hard links stay linked');
    assert.deepEqual(
      readdirSync(live).filter((n) => n.startsWith('.tenantry-')),
      [],
      'no staging or old folder is left',
    );
  });

  test('keepOld keeps the replaced files next to the restored ones', async () => {
    writeFileSync(join(live, 'plain.txt'), 'edited\n');
    await restoreDirectory(live, Readable.from([archive]), { suffix: 'keep1', keepOld: true });
    assert.equal(readFileSync(join(live, '.tenantry-old-keep1', 'plain.txt'), 'utf8'), 'edited\n');
    await removeTree(join(live, '.tenantry-old-keep1'));
    assert.deepEqual(snapshot(live), original);
  });

  test('a cut-off archive fails and leaves the live folder untouched', async () => {
    writeFileSync(join(live, 'sub', 'changed.txt'), 'changed again\n');
    const before = snapshot(live);
    // Cut inside the big file's data, well before tar's end-of-archive blocks.
    const cut = archive.subarray(0, Math.floor(archive.length / 2));
    await assert.rejects(restoreDirectory(live, Readable.from([cut]), { suffix: 'cut1' }), (e: Error) => {
      assert.match(e.message, /^files: restore of .*: tar exited with code 2.*Unexpected EOF/s);
      return true;
    });
    assert.deepEqual(snapshot(live), before);
    assert.ok(!existsSync(join(live, '.tenantry-restore-cut1')));
  });

  test('an archive of end blocks only (no entries) is refused', async () => {
    const before = snapshot(live);
    await assert.rejects(restoreDirectory(live, Readable.from([Buffer.alloc(10240)]), { suffix: 'zero1' }), /the archive has no entries/);
    assert.deepEqual(snapshot(live), before);
    assert.ok(!existsSync(join(live, '.tenantry-restore-zero1')));
  });

  test('an input stream that fails mid-way fails the restore and leaves the live folder untouched', async () => {
    const before = snapshot(live);
    const failing = new Readable({
      read() {
        this.push(archive.subarray(0, 1024 * 1024));
        this.destroy(new Error('decryption failed: bad tag'));
      },
    });
    await assert.rejects(restoreDirectory(live, failing, { suffix: 'src1' }), /the input failed after .*decryption failed: bad tag/);
    assert.deepEqual(snapshot(live), before);
    assert.ok(!existsSync(join(live, '.tenantry-restore-src1')));
  });

  test('an archive that writes through a symlink to outside fails and writes nothing outside', async () => {
    const outside = join(root, 'outside');
    const evil = join(root, 'evil');
    const evil2 = join(root, 'evil2');
    mkdirSync(outside);
    mkdirSync(join(evil2, 'escape'), { recursive: true });
    mkdirSync(evil);
    symlinkSync(outside, join(evil, 'escape'));
    writeFileSync(join(evil2, 'escape', 'pwned'), 'outside the folder\n');
    // tar itself would not write such an archive from one folder: append the file to the link's archive.
    const file = join(root, 'evil.tar');
    for (const [op, from, member] of [
      ['--create', evil, './escape'],
      ['--append', evil2, './escape/pwned'],
    ] as const) {
      const r = spawnSync('tar', [op, `--file=${file}`, `--directory=${from}`, member], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
    }
    const joined = readFileSync(file);
    const before = snapshot(live);
    await assert.rejects(restoreDirectory(live, Readable.from([joined]), { suffix: 'evil1' }), /tar exited with code 2/);
    assert.deepEqual(readdirSync(outside), []);
    assert.deepEqual(snapshot(live), before);
  });

  test('extractInto restores a copy into a new folder and refuses a non-empty one', async () => {
    const copy = join(root, 'copy', 'nested');
    const r = await extractInto(copy, Readable.from([archive]));
    assert.equal(r.bytes, archive.length);
    assert.deepEqual(snapshot(copy), original);
    await assert.rejects(extractInto(copy, Readable.from([archive])), /is not empty/);
    const fresh = join(root, 'fresh');
    await assert.rejects(extractInto(fresh, Readable.from([archive.subarray(0, 100_000)])), /tar exited with code 2/);
    assert.ok(!existsSync(fresh), 'a folder extractInto created is removed when tar fails');
  });

  test('a tar of a missing folder errors its stream and rejects, naming tar', async () => {
    const t = tarDirectory(join(root, 'does-not-exist'));
    await assert.rejects(collect(t.stream), /files: tar of .*does-not-exist: tar exited with code 2/);
    await assert.rejects(t.done, /No such file or directory/);
  });
});
