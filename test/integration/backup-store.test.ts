// Reading a tenant's backups from a bucket that holds what someone else put there: an object far
// larger than any manifest, under a manifest's name, is refused without being read whole, and
// only that backup is affected.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { test } from 'node:test';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { createAgentClients } from '../../src/backup/clients.js';
import { manifestKey } from '../../src/backup/layout.js';
import { runBackup } from '../../src/backup/run-backup.js';
import { settingsFromEnv } from '../../src/backup/settings.js';
import { MAX_MANIFEST_BYTES } from '../../src/backup/store.js';
import { createLogger } from '../../src/log.js';
import { adminS3, agentEnv, dbTarget, need, seedDatabase, seedFiles } from '../support/backup-env.js';

test('review 5: an oversized manifest is refused without being read whole, and the other backups still list', async () => {
  const tenant = `store-cap-${randomBytes(2).toString('hex')}`;
  const db = dbTarget('postgres', 'app_store_cap');
  await seedDatabase(db, 20);
  const files = seedFiles();
  const s = settingsFromEnv(agentEnv(tenant, db, files));
  const c = createAgentClients(s);
  const s3 = adminS3();
  try {
    const quiet = createLogger('error');
    const good = await runBackup(s, c, quiet, () => new Date(Date.UTC(2026, 10, 1, 2)));
    const planted = await runBackup(s, c, quiet, () => new Date(Date.UTC(2026, 10, 2, 2)));
    // A well-formed manifest padded to 8 MiB: only its size tells it from a real one.
    const padded = JSON.stringify({ ...planted.manifest, padding: 'x'.repeat(8 * 1024 * 1024) });
    await s3.send(
      new PutObjectCommand({ Bucket: need('TENANTRY_S3_BUCKET'), Key: manifestKey('it', tenant, planted.backupId), Body: padded }),
    );

    await assert.rejects(
      c.store.manifest(planted.backupId),
      new RegExp(`manifest of backup ${planted.backupId} of tenant ${tenant} is larger than ${MAX_MANIFEST_BYTES} bytes`),
    );
    const listed = await c.store.list();
    const byId = new Map(listed.map((b) => [b.backupId, b]));
    assert.match(byId.get(planted.backupId)?.manifestError ?? '', /larger than/);
    assert.equal(byId.get(planted.backupId)?.manifest, undefined);
    assert.equal(byId.get(good.backupId)?.manifest?.backupId, good.backupId, 'the good backup no longer lists');
  } finally {
    c.close();
    s3.destroy();
    rmSync(files, { recursive: true, force: true });
  }
});
