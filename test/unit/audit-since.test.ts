// Reading the API server's audit log from a mark: a mark taken while an event was being written
// falls inside that event's line, whose tail must not be parsed as a line of its own; a log
// truncated or rotated since the mark must fail the count, not shorten it.
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { auditMark, auditSince } from '../support/audit.js';

const dir = mkdtempSync(join(tmpdir(), 'tenantry-audit-'));
const log = join(dir, 'audit.log');
process.env.TENANTRY_AUDIT_LOG = log;
after(() => rmSync(dir, { recursive: true, force: true }));

const event = (id: number) => JSON.stringify({ auditID: String(id), stage: 'ResponseComplete', verb: 'create' }) + '\n';

void test('a mark at a line end reads every later event', () => {
  writeFileSync(log, event(1));
  const mark = auditMark();
  appendFileSync(log, event(2) + event(3));
  assert.deepEqual(
    auditSince(mark).map((e) => (e as { auditID?: string }).auditID),
    ['2', '3'],
  );
});

void test('a mark inside a line being written skips that line and reads the rest', () => {
  const half = event(4).slice(0, 25);
  writeFileSync(log, event(1) + half);
  const mark = auditMark();
  appendFileSync(log, event(4).slice(25) + event(5) + event(6));
  assert.deepEqual(
    auditSince(mark).map((e) => (e as { auditID?: string }).auditID),
    ['5', '6'],
  );
});

void test('a mark at the start of the file reads everything', () => {
  writeFileSync(log, event(7) + event(8));
  assert.deepEqual(
    auditSince(0).map((e) => (e as { auditID?: string }).auditID),
    ['7', '8'],
  );
});

/** Points the reader at a log of its own, in a directory of its own (rotation leaves files beside it). */
function freshLog(): string {
  const d = mkdtempSync(join(dir, 'rot-'));
  const path = join(d, 'audit.log');
  process.env.TENANTRY_AUDIT_LOG = path;
  return path;
}

void test('a log truncated below the mark fails loudly instead of counting nothing', () => {
  const path = freshLog();
  writeFileSync(path, event(1) + event(2) + event(3));
  const mark = auditMark();
  writeFileSync(path, event(4));
  assert.throws(() => auditSince(mark), /less than the mark .*truncated or rotated/);
});

void test('a log rotated after the mark fails loudly even when the new file has grown past the mark', () => {
  const path = freshLog();
  writeFileSync(path, event(1));
  const mark = auditMark();
  // What the API server's rotation does: the file is renamed aside and a new one started.
  renameSync(path, path.replace(/\.log$/, '-2026-12-03T06-00-00.000.log'));
  writeFileSync(path, event(2) + event(3) + event(4));
  assert.throws(() => auditSince(mark), /replaced since the mark/);
});

void test('a rotated file beside the log fails loudly, whatever mark the count starts from', () => {
  const path = freshLog();
  writeFileSync(path.replace(/\.log$/, '-2026-12-03T06-00-00.000.log'), event(1));
  writeFileSync(path, event(2));
  assert.throws(() => auditSince(0), /was rotated \(audit-2026-12-03T06-00-00\.000\.log\).*--audit-log-maxsize/);
});

void test('files of other names beside the log do not count as rotations', () => {
  const path = freshLog();
  writeFileSync(path.replace(/audit\.log$/, 'audit-policy.yaml'), 'rules: []\n');
  writeFileSync(path, event(1));
  const mark = auditMark();
  appendFileSync(path, event(2));
  assert.deepEqual(
    auditSince(mark).map((e) => (e as { auditID?: string }).auditID),
    ['2'],
  );
});
