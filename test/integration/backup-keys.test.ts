// Which KMS key decrypts a backup, against the real KMS emulator: backups keep restoring after
// the key alias is repointed (rotation), and a manifest naming a key the tenant does not own is
// refused before KMS is asked to decrypt anything.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { CreateAliasCommand, DeleteAliasCommand, KMSClient, UpdateAliasCommand } from '@aws-sdk/client-kms';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { createAgentClients } from '../../src/backup/clients.js';
import { manifestKey } from '../../src/backup/layout.js';
import { verifyBackup } from '../../src/backup/verify.js';
import { settingsFromEnv } from '../../src/backup/settings.js';
import { KmsError } from '../../src/cloud/kms.js';
import { createLogger } from '../../src/log.js';
import { runAgent } from '../support/agent.js';
import { adminS3, agentEnv, countNotes, dbTarget, need, seedDatabase, seedFiles, sql } from '../support/backup-env.js';

const RUN = randomBytes(2).toString('hex');
const quiet = createLogger('error');

/** A KMS client for the emulator that counts the commands it sends, by name. */
function countingKms(): { client: KMSClient; calls: Map<string, number> } {
  const calls = new Map<string, number>();
  const client = new KMSClient({
    region: need('TENANTRY_AWS_REGION'),
    endpoint: need('TENANTRY_KMS_ENDPOINT'),
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  client.middlewareStack.add(
    (next, context) => (args) => {
      const name = context.commandName ?? '?';
      calls.set(name, (calls.get(name) ?? 0) + 1);
      return next(args);
    },
    { step: 'initialize', name: 'countCommands' },
  );
  return { client, calls };
}

describe('backup keys', () => {
  const tenant = `keys-${RUN}`;
  const alias = `alias/rotation-${RUN}`;
  const db = dbTarget('postgres', 'app_keys');
  const admin = countingKms().client;
  let files = '';
  let env: Record<string, string>;
  before(async () => {
    await seedDatabase(db, 300);
    files = seedFiles();
    await admin.send(new CreateAliasCommand({ AliasName: alias, TargetKeyId: need('TENANTRY_KMS_KEY_ID') }));
    env = agentEnv(tenant, db, files, { TENANTRY_KMS_KEY_ID: alias });
  });
  after(async () => {
    rmSync(files, { recursive: true, force: true });
    await admin.send(new DeleteAliasCommand({ AliasName: alias })).catch(() => undefined);
    admin.destroy();
  });

  test('review 1: backups made through a key alias still verify and restore after the alias is repointed to a new key', async () => {
    const first = await runAgent(['backup', 'run'], env);
    assert.equal(first.code, 0, first.stderr.slice(-3000));
    const oldId = String(first.result?.['backupId']);
    // Rotation by repointing the alias: new backups use the new key, old ones stay under the old key.
    await admin.send(new UpdateAliasCommand({ AliasName: alias, TargetKeyId: need('TENANTRY_KMS_KEY_ID_OTHER') }));
    const verify = await runAgent(['backup', 'verify', oldId], env);
    assert.equal(verify.code, 0, `the backup made before the rotation no longer verifies:\n${verify.stderr.slice(-3000)}`);
    const second = await runAgent(['backup', 'run'], env);
    assert.equal(second.code, 0, second.stderr.slice(-3000));
    const clients = createAgentClients(settingsFromEnv(env));
    try {
      // The manifest records the key ARN KMS used, so it says which key a backup needs.
      assert.equal((await clients.store.manifest(oldId)).kmsKeyId, need('TENANTRY_KMS_KEY_ID'));
      assert.equal((await clients.store.manifest(String(second.result?.['backupId']))).kmsKeyId, need('TENANTRY_KMS_KEY_ID_OTHER'));
    } finally {
      clients.close();
    }
    await sql(db, 'DELETE FROM notes WHERE id < 11;');
    const restore = await runAgent(['restore', '--tenant', tenant, '--backup', oldId], env);
    assert.equal(restore.code, 0, `the backup made before the rotation no longer restores:\n${restore.stderr.slice(-3000)}`);
    assert.equal(await countNotes(db), 300);
  });

  test('review 1: a manifest naming a key of another account is refused before any Decrypt', async () => {
    const r = await runAgent(['backup', 'run'], env);
    assert.equal(r.code, 0, r.stderr.slice(-3000));
    const id = String(r.result?.['backupId']);
    const s3 = adminS3();
    const { client, calls } = countingKms();
    const s = settingsFromEnv(env);
    const c = createAgentClients(s, s.tenant, { kmsClient: client });
    try {
      const m = await c.store.manifest(id);
      const foreign = 'arn:aws:kms:eu-west-1:999999999999:key/0b9e7d1c-5f7a-4c1e-9d53-2f6c1b8a4e11';
      await s3.send(
        new PutObjectCommand({
          Bucket: need('TENANTRY_S3_BUCKET'),
          Key: manifestKey('it', tenant, id),
          Body: JSON.stringify({ ...m, kmsKeyId: foreign }),
        }),
      );
      const tampered = await c.store.manifest(id);
      await assert.rejects(verifyBackup(s, c, tampered, quiet, { drill: false }), (e: unknown) => {
        assert.ok(e instanceof KmsError && e.failure === 'untrusted-key', `expected an untrusted-key refusal, got ${String(e)}`);
        assert.match(e.message, /account 999999999999.*not this tenant's backup key.*before KMS was asked/);
        return true;
      });
      assert.equal(calls.get('DecryptCommand') ?? 0, 0, 'KMS was asked to decrypt');
      // A key of the tenant's own account but another region is refused the same way (P8).
      const region = need('TENANTRY_AWS_REGION');
      const elsewhere = region === 'us-east-1' ? 'eu-west-1' : 'us-east-1';
      await assert.rejects(
        c.keys.check(need('TENANTRY_KMS_KEY_ID').replace(`:${region}:`, `:${elsewhere}:`), 'a header'),
        new RegExp(`in region ${elsewhere}`),
      );
      const cli = await runAgent(['backup', 'verify', id], env);
      assert.equal(cli.code, 1);
      assert.match(cli.stderr, /not this tenant's backup key/);
    } finally {
      c.close();
      s3.destroy();
    }
  });
});
