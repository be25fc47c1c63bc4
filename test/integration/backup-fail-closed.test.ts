// A backup that cannot succeed must stop at once and leave nothing running: no dump holding its
// snapshot (and its locks) until the Job's deadline, no tar, no upload finishing after the backup
// was declared failed. Against the real PostgreSQL, KMS emulator and S3 server.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ListMultipartUploadsCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { createAgentClients } from '../../src/backup/clients.js';
import { tenantPrefix } from '../../src/backup/layout.js';
import { runBackup } from '../../src/backup/run-backup.js';
import { settingsFromEnv } from '../../src/backup/settings.js';
import { createLogger } from '../../src/log.js';
import { runAgent } from '../support/agent.js';
import { adminS3, agentEnv, dbTarget, need, seedDatabase, seedFiles } from '../support/backup-env.js';

const RUN = randomBytes(2).toString('hex');
const quiet = createLogger('error');
const s3 = adminS3();
after(() => s3.destroy());

/** The processes whose parent is this one (the agent's pg_dump and tar when run in-process), as `pid name`. */
function children(): string[] {
  const out: string[] = [];
  for (const pid of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      continue; // exited while we looked
    }
    // pid (comm) state ppid ...; comm may hold spaces and parentheses, so split after the last ')'.
    const close = stat.lastIndexOf(')');
    const ppid = Number(stat.slice(close + 2).split(' ')[1]);
    if (ppid === process.pid) out.push(`${pid} ${stat.slice(stat.indexOf('(') + 1, close)}`);
  }
  return out;
}

/** Waits up to `ms` for this process to have no children; returns those left. */
async function childrenAfter(ms: number): Promise<string[]> {
  const until = Date.now() + ms;
  for (;;) {
    const left = children();
    if (left.length === 0 || Date.now() > until) return left;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Keys and open multipart uploads under a tenant's prefix. */
async function leftovers(tenant: string): Promise<{ keys: string[]; uploads: string[] }> {
  const Prefix = tenantPrefix('it', tenant);
  const keys = await s3.send(new ListObjectsV2Command({ Bucket: need('TENANTRY_S3_BUCKET'), Prefix }));
  const uploads = await s3.send(new ListMultipartUploadsCommand({ Bucket: need('TENANTRY_S3_BUCKET'), Prefix }));
  return { keys: (keys.Contents ?? []).map((o) => o.Key!), uploads: (uploads.Uploads ?? []).map((u) => u.Key!) };
}

describe('a failing backup stops everything it started', () => {
  const db = dbTarget('postgres', 'app_fail_closed');
  let files = '';
  before(async () => {
    // Big enough that neither the dump nor the tar fits in the pipes: a source nobody reads blocks.
    await seedDatabase(db, 60_000);
    files = seedFiles();
    writeFileSync(join(files, 'uploads', 'big.bin'), randomBytes(24 * 1024 * 1024));
  });
  after(() => rmSync(files, { recursive: true, force: true }));

  test('review 2: KMS refusing the data key fails the backup within seconds, with no dump or tar left running and nothing uploaded', async () => {
    const tenant = `fail-kms-${RUN}`;
    const s = settingsFromEnv(agentEnv(tenant, db, files, { TENANTRY_KMS_KEY_ID: 'alias/tenantry-no-such-key' }));
    const c = createAgentClients(s);
    const t0 = Date.now();
    try {
      await assert.rejects(runBackup(s, c, quiet), /KMS key alias\/tenantry-no-such-key not found/);
    } finally {
      c.close();
    }
    assert.ok(Date.now() - t0 < 10_000, `the backup took ${Date.now() - t0} ms to fail`);
    assert.deepEqual(await childrenAfter(1000), [], 'child processes outlived the failed backup');
    assert.deepEqual(await leftovers(tenant), { keys: [], uploads: [] });
  });

  test('review 2: the agent exits promptly with a clear error when KMS refuses', async () => {
    const tenant = `fail-kms-cli-${RUN}`;
    const t0 = Date.now();
    const r = await Promise.race([
      runAgent(['backup', 'run'], agentEnv(tenant, db, files, { TENANTRY_KMS_KEY_ID: 'alias/tenantry-no-such-key' })),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error('the agent did not exit within 30 s')), 30_000).unref()),
    ]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /KMS key alias\/tenantry-no-such-key not found.*backup aborted, nothing uploaded/);
    assert.ok(Date.now() - t0 < 15_000, `the agent took ${Date.now() - t0} ms to exit`);
  });

  test('review 2: one part failing stops the other: its dump is killed and its upload aborted, and nothing appears later', async () => {
    const tenant = `fail-part-${RUN}`;
    // The files part fails at once (the volume is not there); the database part is mid-dump then.
    const s = settingsFromEnv(agentEnv(tenant, db, join(files, 'not-mounted')));
    const c = createAgentClients(s);
    try {
      await assert.rejects(runBackup(s, c, quiet), /files: tar of .*not-mounted/);
    } finally {
      c.close();
    }
    assert.deepEqual(await childrenAfter(1000), [], 'the dump outlived the failed backup');
    assert.deepEqual((await leftovers(tenant)).uploads, [], 'a multipart upload was left open');
    // An upload that kept going would commit its object after the backup was deleted.
    await new Promise((r) => setTimeout(r, 3000));
    assert.deepEqual(await leftovers(tenant), { keys: [], uploads: [] }, 'objects of the failed backup appeared after it failed');
  });
});
