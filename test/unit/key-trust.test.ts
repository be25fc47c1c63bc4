// Which KMS keys may decrypt a tenant's backups: key ARNs of the tenant's region in the account of
// its configured key, whatever key the configured alias points to today. With the configured key
// given as an ARN, no KMS call is needed, so these run without one.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BackupKeyTrust } from '../../src/backup/key-trust.js';
import { KmsError, parseKeyArn } from '../../src/cloud/kms.js';

const HOME = 'arn:aws:kms:eu-west-1:111122223333:key/2f1d6f0e-5d1b-4b7e-9b52-6c2a3c9f0a11';
const ROTATED = 'arn:aws:kms:eu-west-1:111122223333:key/7c0e1a44-0b8f-4a55-8d31-0f9e2c7b5d22';
const noKms = { describe: () => Promise.reject(new Error('KMS must not be asked')) };

test('parseKeyArn reads key ARNs only', () => {
  assert.deepEqual(parseKeyArn(HOME), {
    partition: 'aws',
    region: 'eu-west-1',
    account: '111122223333',
    keyId: '2f1d6f0e-5d1b-4b7e-9b52-6c2a3c9f0a11',
  });
  assert.equal(parseKeyArn('arn:aws-cn:kms:cn-north-1:111122223333:key/abc')?.partition, 'aws-cn');
  for (const other of [
    'alias/tenantry-eu-west-1',
    'arn:aws:kms:eu-west-1:111122223333:alias/tenantry',
    '2f1d6f0e-5d1b-4b7e-9b52-6c2a3c9f0a11',
    'arn:aws:s3:::bucket',
    `${HOME}\n`,
  ]) {
    assert.equal(parseKeyArn(other), undefined, other);
  }
});

test('review 1: a rotated key of the same account and region is trusted; other accounts, regions and non-ARNs are refused before KMS is asked', async () => {
  const trust = new BackupKeyTrust(noKms, { keyId: HOME, region: 'eu-west-1' });
  await trust.check(HOME, 'header');
  await trust.check(ROTATED, 'header');
  const refused = async (arn: string, why: RegExp) =>
    assert.rejects(trust.check(arn, 'backup x (stream header)'), (e: unknown) => {
      assert.ok(e instanceof KmsError && e.failure === 'untrusted-key', String(e));
      assert.match(e.message, why);
      assert.match(e.message, /^backup x \(stream header\) names KMS key .*refused before KMS was asked/);
      return true;
    });
  await refused(ROTATED.replace('111122223333', '999999999999'), /which belongs to account 999999999999/);
  await refused(ROTATED.replace(':eu-west-1:', ':us-east-1:'), /which is in region us-east-1/);
  await refused(ROTATED.replace('arn:aws:', 'arn:aws-cn:'), /which belongs to account/);
  await refused('alias/tenantry-eu-west-1', /which is not a key ARN/);
  await refused('arn:aws:kms:eu-west-1:111122223333:alias/tenantry-eu-west-1', /which is not a key ARN/);
});

test('review 1: a manifest may record the configured alias, but an ARN it names must be of the tenant’s account and region', async () => {
  const trust = new BackupKeyTrust(noKms, { keyId: HOME, region: 'eu-west-1' });
  await trust.checkManifestKey('alias/tenantry-eu-west-1', 'manifest');
  await trust.checkManifestKey(ROTATED, 'manifest');
  await trust.checkManifestKey('arn:aws:kms:eu-west-1:111122223333:alias/tenantry-eu-west-1', 'manifest');
  await assert.rejects(
    trust.checkManifestKey('arn:aws:kms:eu-west-1:999999999999:alias/mine', 'manifest'),
    /outside this tenant's account/,
  );
  await assert.rejects(
    trust.checkManifestKey(ROTATED.replace('111122223333', '999999999999'), 'manifest'),
    /belongs to account 999999999999/,
  );
  await assert.rejects(trust.checkManifestKey('arn:aws:iam::999999999999:role/x', 'manifest'), /not a KMS key or alias ARN/);
});

test('the configured alias is resolved once through DescribeKey, and a failed lookup is asked again', async () => {
  let calls = 0;
  let fail = true;
  const kms = {
    describe: (keyId: string) => {
      calls++;
      assert.equal(keyId, 'alias/tenantry-eu-west-1');
      if (fail) return Promise.reject(new Error('KMS unreachable'));
      return Promise.resolve(HOME);
    },
  };
  const trust = new BackupKeyTrust(kms, { keyId: 'alias/tenantry-eu-west-1', region: 'eu-west-1' });
  await assert.rejects(trust.check(ROTATED, 'header'), /KMS unreachable/);
  fail = false;
  await trust.check(ROTATED, 'header');
  await trust.check(HOME, 'header');
  assert.equal(calls, 2);
});
