// Operator configuration: defaults merged under the user's file, and every mistake reported with
// the path of the field, before the operator touches a tenant.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ConfigError, loadConfigFile, parseConfig } from '../../src/config.js';

const REGION = { storageClassName: 'gp3-encrypted', kmsKeyId: 'alias/k', backupBucket: 'b' };
const minimal = { regions: { 'eu-central-1': REGION } };

/** Returns the problems parseConfig reports for a configuration, or [] when it is accepted. */
function problems(cfg: unknown): string[] {
  try {
    parseConfig(cfg);
    return [];
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
}

test('a minimal configuration is completed from the defaults', () => {
  const c = parseConfig(minimal);
  assert.deepEqual(c.regions['eu-central-1']?.nodeSelector, { 'topology.kubernetes.io/region': 'eu-central-1' });
  assert.equal(c.ingress.provider, 'nginx');
  assert.ok(c.ingress.hstsMaxAgeSeconds >= 31_536_000);
  assert.ok(c.plans.trial.quota['requests.cpu']);
});

test('each mistake is reported with the path of its field', () => {
  const cases: [string, unknown, RegExp][] = [
    ['no regions', {}, /^regions must name at least one region/],
    ['unknown region', { regions: { 'mars-1': REGION } }, /^regions\.mars-1: unknown region/],
    ['missing storage class', { regions: { 'eu-central-1': { ...REGION, storageClassName: '' } } }, /^regions\.eu-central-1\.storageClassName is required/],
    ['unknown provider', { ...minimal, ingress: { provider: 'haproxy' } }, /^ingress\.provider must be one of nginx, traefik, gateway/],
    ['HSTS under a year', { ...minimal, ingress: { hstsMaxAgeSeconds: 3600 } }, /^ingress\.hstsMaxAgeSeconds must be at least 31536000/],
    ['egress without CIDR', { ...minimal, egress: [{ description: 'smtp', cidr: 'mail.example.com', ports: [{ port: 587, protocol: 'TCP' }] }] }, /^egress\[0\]\.cidr must be a CIDR/],
    ['egress port out of range', { ...minimal, egress: [{ description: 'x', cidr: '192.0.2.0/24', ports: [{ port: 70000, protocol: 'TCP' }] }] }, /^egress\[0\]\.ports\[0\]\.port must be 1\.\.65535/],
    ['bad quantity', { ...minimal, plans: { paid: { quota: { 'requests.cpu': 'lots' } } } }, /^plans\.paid\.quota\.requests\.cpu must be a Kubernetes quantity/],
    ['typo at the top level', { ...minimal, regoins: {} }, /^regoins: unknown field/],
    ['concurrency zero', { ...minimal, concurrency: 0 }, /^concurrency must be 1\.\.256/],
  ];
  for (const [name, cfg, expected] of cases) {
    const found = problems(cfg);
    assert.ok(found.some((p) => expected.test(p)), `${name}: got ${JSON.stringify(found)}`);
  }
});

test('loadConfigFile names the file in every problem, and refuses what is not YAML', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tenantry-config-'));
  const bad = join(dir, 'bad.yaml');
  writeFileSync(bad, 'regions: {}\ningress:\n  provider: haproxy\n');
  assert.throws(() => loadConfigFile(bad), (e: unknown) => e instanceof ConfigError && e.problems.every((p) => p.startsWith(`${bad}: `)) && e.problems.length >= 2);
  const broken = join(dir, 'broken.yaml');
  writeFileSync(broken, 'regions: [unclosed\n');
  assert.throws(() => loadConfigFile(broken), /is not valid YAML/);
  assert.throws(() => loadConfigFile(join(dir, 'missing.yaml')), /cannot read/);
  const good = join(dir, 'good.yaml');
  writeFileSync(good, 'regions:\n  ap-south-1: {storageClassName: enc, kmsKeyId: k, backupBucket: b}\n');
  assert.deepEqual(Object.keys(loadConfigFile(good).regions), ['ap-south-1']);
});

test('review 9: allowedDomains is a list of DNS names, empty by default; each mistake is reported with its index', () => {
  assert.deepEqual(parseConfig(minimal).allowedDomains, []);
  assert.deepEqual(parseConfig({ ...minimal, allowedDomains: ['acme-corp.com', 'apps.example.org'] }).allowedDomains, ['acme-corp.com', 'apps.example.org']);
  const cases: [string, unknown, RegExp][] = [
    ['not a list', 'example.com', /^allowedDomains must be a list of DNS names/],
    ['a wildcard', ['*.example.com'], /^allowedDomains\[0\] must be a lowercase DNS name such as example\.com .*"\*\.example\.com"/],
    ['a leading dot', ['.example.com'], /^allowedDomains\[0\] must be a lowercase DNS name/],
    ['upper case', ['ok.example.com', 'Example.com'], /^allowedDomains\[1\] must be a lowercase DNS name/],
    ['not a string', [42], /^allowedDomains\[0\] must be a lowercase DNS name/],
    // A top-level domain would let a tenant claim any host under it, e.g. admin.example.com.
    ['a top-level domain', ['com'], /^allowedDomains\[0\] must have at least two labels/],
  ];
  for (const [name, value, expected] of cases) {
    const found = problems({ ...minimal, allowedDomains: value });
    assert.ok(found.some((p) => expected.test(p)), `${name}: got ${JSON.stringify(found)}`);
  }
});
