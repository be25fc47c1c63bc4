// The `tenantry` command as users run it: every command has --help, and commands that are not
// part of this build refuse to run instead of pretending to work.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../env/paths.js';

const COMMANDS = ['operator', 'backup', 'restore', 'sweep', 'lifecycle', 'version'];

function tenantry(...args: string[]) {
  const r = spawnSync(process.execPath, [join(repoRoot(), 'bin', 'tenantry.js'), ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('tenantry with no command prints the command list and exits 64', () => {
  const r = tenantry();
  assert.equal(r.code, 64);
  for (const c of COMMANDS) assert.match(r.stdout, new RegExp(`^  ${c}\\s`, 'm'));
});

for (const c of COMMANDS) {
  test(`tenantry ${c} --help prints usage and exits 0`, () => {
    const r = tenantry(c, '--help');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^Usage: tenantry ${c}`));
    assert.match(r.stdout, /--log-level/);
  });
}

test('tenantry version prints the package version', () => {
  const r = tenantry('version');
  assert.equal(r.code, 0);
  assert.match(r.stdout, /^tenantry \d+\.\d+\.\d+ \(node v\d+/);
});

test('an unknown command or option is a usage error naming it', () => {
  const unknown = tenantry('frobnicate');
  assert.equal(unknown.code, 64);
  assert.match(unknown.stderr, /unknown command "frobnicate"/);
  const badOption = tenantry('version', '--colour');
  assert.equal(badOption.code, 64);
  assert.match(badOption.stderr, /--colour/);
});

test('tenantry backup without its settings exits 78 naming every missing variable, and touches nothing', () => {
  const r = spawnSync(process.execPath, [join(repoRoot(), 'bin', 'tenantry.js'), 'backup', 'run'], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '' },
  });
  assert.equal(r.status, 78, r.stderr);
  for (const v of ['TENANTRY_TENANT', 'TENANTRY_REGION', 'TENANTRY_BACKUP_BUCKET', 'TENANTRY_KMS_KEY_ID'])
    assert.match(r.stderr, new RegExp(v));
});

test('tenantry restore refuses a backup region other than the tenant region before reading anything', () => {
  const env = {
    PATH: process.env.PATH ?? '',
    TENANTRY_TENANT: 'acme',
    TENANTRY_REGION: 'eu-west-1',
    AWS_REGION: 'us-east-1',
    TENANTRY_BACKUP_BUCKET: 'b',
    TENANTRY_KMS_KEY_ID: 'k',
  };
  const r = spawnSync(process.execPath, [join(repoRoot(), 'bin', 'tenantry.js'), 'restore', '--backup', 'latest'], {
    encoding: 'utf8',
    env,
  });
  assert.equal(r.status, 78, r.stderr);
  assert.match(r.stderr, /never leave a tenant's region/);
});

test('review 7: tenantry restore writes only into the tenant whose environment it runs in; --into in the source tenant environment exits 64', () => {
  const restore = (args: string[], tenant?: string) => {
    // No TENANTRY_REGION: a run that passes the guard stops at its settings (78) and reaches nothing.
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '',
      TENANTRY_BACKUP_BUCKET: 'b',
      TENANTRY_KMS_KEY_ID: 'k',
      ...(tenant ? { TENANTRY_TENANT: tenant } : {}),
    };
    return spawnSync(process.execPath, [join(repoRoot(), 'bin', 'tenantry.js'), 'restore', ...args], { encoding: 'utf8', env });
  };
  // In acme's environment a restore "into acme-copy" would overwrite acme in place.
  const copyInSource = restore(['--tenant', 'acme', '--into', 'acme-copy'], 'acme');
  assert.equal(copyInSource.status, 64, copyInSource.stderr);
  assert.match(copyInSource.stderr, /write into tenant acme-copy, but this environment belongs to tenant acme.*nothing was done/);
  // Reading another tenant's backup without --into still writes into this environment's tenant: refused too.
  assert.equal(restore(['--tenant', 'acme'], 'globex').status, 64);
  // An environment that does not say whose it is cannot prove it is the target's.
  assert.equal(restore(['--tenant', 'acme', '--into', 'acme-copy']).status, 64);
  // The target's own environment passes the guard (and then stops at the missing settings, 78).
  assert.equal(restore(['--tenant', 'acme', '--into', 'acme-copy'], 'acme-copy').status, 78);
});
