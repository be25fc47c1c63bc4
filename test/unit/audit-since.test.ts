// Reading the API server's audit log from a mark: a mark taken while an event was being written
// falls inside that event's line, whose tail must not be parsed as a line of its own.
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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
