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
    [
      'missing storage class',
      { regions: { 'eu-central-1': { ...REGION, storageClassName: '' } } },
      /^regions\.eu-central-1\.storageClassName is required/,
    ],
    ['unknown provider', { ...minimal, ingress: { provider: 'haproxy' } }, /^ingress\.provider must be one of nginx, traefik, gateway/],
    ['HSTS under a year', { ...minimal, ingress: { hstsMaxAgeSeconds: 3600 } }, /^ingress\.hstsMaxAgeSeconds must be at least 31536000/],
    [
      'HSTS not a number (YAML .nan)',
      { ...minimal, ingress: { hstsMaxAgeSeconds: NaN } },
      /^ingress\.hstsMaxAgeSeconds must be at least 31536000/,
    ],
    [
      'HSTS not whole seconds',
      { ...minimal, ingress: { hstsMaxAgeSeconds: 31_536_000.5 } },
      /^ingress\.hstsMaxAgeSeconds must be at least 31536000/,
    ],
    [
      'egress without CIDR',
      { ...minimal, egress: [{ description: 'smtp', cidr: 'mail.example.com', ports: [{ port: 587, protocol: 'TCP' }] }] },
      /^egress\[0\]\.cidr must be a CIDR/,
    ],
    [
      'egress port out of range',
      { ...minimal, egress: [{ description: 'x', cidr: '192.0.2.0/24', ports: [{ port: 70000, protocol: 'TCP' }] }] },
      /^egress\[0\]\.ports\[0\]\.port must be 1\.\.65535/,
    ],
    [
      'egress port not a whole number',
      { ...minimal, egress: [{ description: 'x', cidr: '192.0.2.0/24', ports: [{ port: 587.5, protocol: 'TCP' }] }] },
      /^egress\[0\]\.ports\[0\]\.port must be 1\.\.65535/,
    ],
    [
      'bad quantity',
      { ...minimal, plans: { paid: { quota: { 'requests.cpu': 'lots' } } } },
      /^plans\.paid\.quota\.requests\.cpu must be a Kubernetes quantity/,
    ],
    ['typo at the top level', { ...minimal, regoins: {} }, /^regoins: unknown field/],
    ['concurrency zero', { ...minimal, concurrency: 0 }, /^concurrency must be 1\.\.256/],
  ];
  for (const [name, cfg, expected] of cases) {
    const found = problems(cfg);
    assert.ok(
      found.some((p) => expected.test(p)),
      `${name}: got ${JSON.stringify(found)}`,
    );
  }
});

test('loadConfigFile names the file in every problem, and refuses what is not YAML', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tenantry-config-'));
  const bad = join(dir, 'bad.yaml');
  writeFileSync(bad, 'regions: {}\ningress:\n  provider: haproxy\n');
  assert.throws(
    () => loadConfigFile(bad),
    (e: unknown) => e instanceof ConfigError && e.problems.every((p) => p.startsWith(`${bad}: `)) && e.problems.length >= 2,
  );
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
  assert.deepEqual(parseConfig({ ...minimal, allowedDomains: ['acme-corp.com', 'apps.example.org'] }).allowedDomains, [
    'acme-corp.com',
    'apps.example.org',
  ]);
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
    assert.ok(
      found.some((p) => expected.test(p)),
      `${name}: got ${JSON.stringify(found)}`,
    );
  }
});

test('issue 10: an unknown key is refused at every depth, with its path; maps of free keys (labels, quotas) stay free', () => {
  const cases: [string, unknown, RegExp][] = [
    ['ingress', { ingress: { hstsMaxAgeSecond: 63_072_000 } }, /^ingress\.hstsMaxAgeSecond: unknown field \(known: provider, className, /],
    ['ingress.gateway', { ingress: { gateway: { nmae: 'x' } } }, /^ingress\.gateway\.nmae: unknown field/],
    ['a region', { regions: { 'eu-central-1': { ...REGION, kmsKey: 'k' } } }, /^regions\.eu-central-1\.kmsKey: unknown field/],
    [
      'an egress rule',
      { egress: [{ description: 'smtp', cidr: '192.0.2.0/24', prots: [], ports: [{ port: 587, protocol: 'TCP' }] }] },
      /^egress\[0\]\.prots: unknown field/,
    ],
    [
      'an egress port',
      { egress: [{ description: 'smtp', cidr: '192.0.2.0/24', ports: [{ port: 587, protocol: 'TCP', proto: 'x' }] }] },
      /^egress\[0\]\.ports\[0\]\.proto: unknown field/,
    ],
    ['a plan', { plans: { enterprise: {} } }, /^plans\.enterprise: unknown field \(known: trial, free, paid\)/],
    ['a plan field', { plans: { paid: { databaseResources: { limit: {} } } } }, /^plans\.paid\.databaseResources\.limit: unknown field/],
    ['tls', { tls: { issuer: 'x' } }, /^tls\.issuer: unknown field/],
    ['dns', { dns: { podLabel: {} } }, /^dns\.podLabel: unknown field/],
    ['images', { images: { ap: 'x' } }, /^images\.ap: unknown field/],
    ['app', { app: { healthpath: '/h' } }, /^app\.healthpath: unknown field/],
    ['backup.resources', { backup: { resources: { request: {} } } }, /^backup\.resources\.request: unknown field/],
    ['release', { release: { defaultChanel: 'stable' } }, /^release\.defaultChanel: unknown field \(known: defaultChannel\)/],
  ];
  for (const [name, cfg, expected] of cases) {
    const found = problems({ ...minimal, ...(cfg as object) });
    assert.ok(
      found.some((p) => expected.test(p)),
      `${name}: got ${JSON.stringify(found)}`,
    );
  }
  const free = parseConfig({
    ...minimal,
    ingress: { controllerPodLabels: { 'any.example/label': 'x' } },
    dns: { podLabels: { 'k8s-app': 'coredns', tier: 'dns' } },
    plans: { paid: { quota: { 'count/jobs.batch': '10' } } },
    regions: { 'eu-central-1': { ...REGION, nodeSelector: { 'example.com/zone': 'a' } } },
    backup: { serviceAccountAnnotations: { 'eks.amazonaws.com/role-arn': 'arn:aws:iam::1:role/{tenant}' } },
  });
  assert.equal(free.plans.paid.quota['count/jobs.batch'], '10');
});

test('issue 10: every CIDR of the configuration is parsed strictly, 999.1.1.1/8 included', () => {
  const bad = '999.1.1.1/8';
  const cases: [string, unknown, RegExp][] = [
    [
      'egress[].cidr',
      { egress: [{ description: 'x', cidr: bad, ports: [{ port: 25, protocol: 'TCP' }] }] },
      /^egress\[0\]\.cidr must be a CIDR such as 192\.0\.2\.0\/24 \(got "999\.1\.1\.1\/8"\)/,
    ],
    ['egressExcept', { egressExcept: [bad] }, /^egressExcept\[0\] must be a CIDR/],
    ['clusterCidrs', { clusterCidrs: [bad] }, /^clusterCidrs\[0\] must be a CIDR/],
    ['serviceCidrs', { serviceCidrs: [bad] }, /^serviceCidrs\[0\] must be a CIDR/],
    ['backup.egressCidrs', { backup: { egressCidrs: [bad] } }, /^backup\.egressCidrs\[0\] must be a CIDR/],
  ];
  for (const [name, cfg, expected] of cases) {
    const found = problems({ ...minimal, ...(cfg as object) });
    assert.ok(
      found.some((p) => expected.test(p)),
      `${name}: got ${JSON.stringify(found)}`,
    );
  }
});

test('issue 10: quantities follow the one grammar the builders canonicalise, and may not be negative', () => {
  const quota = (value: string) => problems({ ...minimal, plans: { paid: { quota: { 'requests.cpu': value } } } });
  // Forms the API server takes that the configuration used to refuse.
  for (const ok of ['1e3', '100n', '+2', '1.5Gi']) assert.deepEqual(quota(ok), [], ok);
  for (const bad of ['-1', '-500m', 'lots', '1 Gi', ' 2'])
    assert.match(quota(bad).join('\n'), /^plans\.paid\.quota\.requests\.cpu must be a Kubernetes quantity/, bad);
  assert.match(
    problems({ ...minimal, plans: { free: { databaseStorage: '-1Gi' } } }).join('\n'),
    /^plans\.free\.databaseStorage must be a quantity/,
  );
});

/** A configuration with one app egress rule, and the ranges of the cluster it runs in. */
function egressTo(cidr: string, more: object = {}): unknown {
  return { ...minimal, egress: [{ description: 'smtp', cidr, ports: [{ port: 587, protocol: 'TCP' }] }], ...more };
}

test('issue 10: an egress range that reaches the Service range is refused unless its exceptions cut it out', () => {
  const services = { serviceCidrs: ['10.96.0.0/12'] };
  // The default exceptions (10.0.0.0/8 among them) cut the Service range out of 0.0.0.0/0.
  assert.deepEqual(problems(egressTo('0.0.0.0/0', services)), []);
  assert.match(
    problems(egressTo('0.0.0.0/0', { ...services, egressExcept: [] })).join('\n'),
    /^egress\[0\]\.cidr 0\.0\.0\.0\/0 reaches serviceCidrs\[0\] 10\.96\.0\.0\/12, the Service range: cut it out through egressExcept or clusterCidrs/,
  );
  // A private range is taken as meant, but not when the Service range lies in it uncut.
  assert.deepEqual(problems(egressTo('10.0.0.0/8')), []);
  assert.match(problems(egressTo('10.0.0.0/8', services)).join('\n'), /^egress\[0\]\.cidr 10\.0\.0\.0\/8 reaches serviceCidrs\[0\]/);
  assert.deepEqual(problems(egressTo('10.0.0.0/8', { ...services, egressExcept: ['10.96.0.0/12'] })), []);
  // The check asks what the NetworkPolicy will hold: clusterCidrs inside the default 10.0.0.0/8
  // exception are merged into it, and 10.0.0.0/8 is no exception of a rule for 10.0.0.0/8 itself.
  assert.match(problems(egressTo('10.0.0.0/8', { ...services, clusterCidrs: ['10.96.0.0/12'] })).join('\n'), /reaches serviceCidrs\[0\]/);
  assert.deepEqual(problems(egressTo('0.0.0.0/0', { ...services, egressExcept: [], clusterCidrs: ['10.96.0.0/12'] })), []);
  // Two halves cut out together cover it as well as one range.
  assert.deepEqual(problems(egressTo('10.0.0.0/8', { ...services, egressExcept: ['10.96.0.0/13', '10.104.0.0/13'] })), []);
  assert.match(problems(egressTo('10.0.0.0/8', { ...services, egressExcept: ['10.96.0.0/13'] })).join('\n'), /reaches serviceCidrs\[0\]/);
  assert.match(
    problems(egressTo('10.96.4.0/24', services)).join('\n'),
    /^egress\[0\]\.cidr 10\.96\.4\.0\/24 lies in serviceCidrs\[0\] 10\.96\.0\.0\/12, the Service range: no tenant pod may reach it; remove the rule/,
  );
  // The backup agent's ranges are held to the same rule.
  assert.match(
    problems({ ...minimal, ...services, backup: { egressExcept: [] } }).join('\n'),
    /^backup\.egressCidrs\[0\] 0\.0\.0\.0\/0 reaches serviceCidrs\[0\] 10\.96\.0\.0\/12, the Service range: cut it out through backup\.egressExcept or clusterCidrs/,
  );
});

test("issue 10: in a pod, no egress range may reach the API server's Service address (KUBERNETES_SERVICE_HOST)", () => {
  const inPod = { KUBERNETES_SERVICE_HOST: '10.96.0.1' };
  const refused = (cfg: unknown, env: Record<string, string>) => {
    try {
      parseConfig(cfg, env);
      return [];
    } catch (e) {
      if (e instanceof ConfigError) return e.problems;
      throw e;
    }
  };
  assert.deepEqual(refused(egressTo('10.0.0.0/8'), {}), []);
  assert.match(
    refused(egressTo('10.0.0.0/8'), inPod).join('\n'),
    /^egress\[0\]\.cidr 10\.0\.0\.0\/8 reaches the API server's Service address 10\.96\.0\.1\/32 \(KUBERNETES_SERVICE_HOST\)/,
  );
  assert.match(
    refused(egressTo('10.96.0.1/32'), inPod).join('\n'),
    /^egress\[0\]\.cidr 10\.96\.0\.1\/32 lies in the API server's Service address/,
  );
  assert.deepEqual(refused(egressTo('10.0.0.0/8', { egressExcept: ['10.96.0.0/12'] }), inPod), []);
  assert.deepEqual(refused(egressTo('0.0.0.0/0'), inPod), []);
  assert.deepEqual(refused(egressTo('2001:db8::/32'), { KUBERNETES_SERVICE_HOST: 'fd00:10:96::1' }), []);
  const dir = mkdtempSync(join(tmpdir(), 'tenantry-config-'));
  const file = join(dir, 'config.yaml');
  writeFileSync(
    file,
    'regions:\n  eu-central-1: {storageClassName: enc, kmsKeyId: k, backupBucket: b}\negress:\n  - {description: relay, cidr: 10.0.0.0/8, ports: [{port: 25, protocol: TCP}]}\n',
  );
  assert.throws(() => loadConfigFile(file, inPod), /reaches the API server's Service address/);
  assert.doesNotThrow(() => loadConfigFile(file, {}));
});

test('issue 10: an egress rule never reaches the metadata address, inside link-local or around it', () => {
  assert.match(problems(egressTo('169.254.169.254/32')).join('\n'), /^egress\[0\]\.cidr 169\.254\.169\.254\/32 lies in 169\.254\.0\.0\/16/);
  // Link-local is cut out of every wider range whatever egressExcept says, so these pass.
  assert.deepEqual(problems(egressTo('0.0.0.0/0', { egressExcept: [] })), []);
  assert.deepEqual(problems(egressTo('169.0.0.0/8', { egressExcept: [] })), []);
});

test('issue 11: lifecycle defaults are the promise of MISSION.md, and the local and chart configurations are valid', () => {
  const c = parseConfig(minimal);
  assert.deepEqual(c.lifecycle.durations, {
    trialEraseDays: 12,
    cancelledEraseDays: 90,
    paymentSuspendDays: 15,
    paymentCloseDays: 90,
    paymentEraseDays: 97,
    inactiveEraseDays: 60,
    deletionGraceDays: 90,
  });
  assert.equal(c.lifecycle.dryRun, false);
  assert.equal(c.lifecycle.tenantKmsKeys, true);
  assert.equal(c.lifecycle.auditRetentionDays, 2557);
  assert.equal(c.lifecycle.billingRetentionDays, 2557);
  assert.equal(c.lifecycle.s3Endpoint, undefined);
  assert.equal(c.regions['eu-central-1']?.archiveBucket, undefined);
  const local = loadConfigFile(join(import.meta.dirname, '../../../deploy/local/operator-config.yaml'), {});
  assert.equal(local.regions['eu-central-1']?.archiveBucket, 'tenantry-archive-eu-central-1');
  assert.equal(local.regions['ap-south-1']?.billingKmsKeyId, 'alias/tenantry-billing-ap-south-1');
});

test('issue 11: a partial lifecycle section keeps the other defaults', () => {
  const c = parseConfig({
    ...minimal,
    lifecycle: { durations: { trialEraseDays: 30 }, dryRun: true, s3Endpoint: 'http://127.0.0.1:8333' },
  });
  assert.equal(c.lifecycle.durations.trialEraseDays, 30);
  assert.equal(c.lifecycle.durations.paymentEraseDays, 97);
  assert.equal(c.lifecycle.dryRun, true);
  assert.equal(c.lifecycle.tenantKmsKeys, true);
  assert.equal(c.lifecycle.s3Endpoint, 'http://127.0.0.1:8333');
});

test('issue 11: each lifecycle mistake is reported with the path of its field', () => {
  const region = (extra: object) => ({ regions: { 'eu-central-1': { ...REGION, ...extra } } });
  const cases: [string, unknown, RegExp][] = [
    [
      'zero days',
      { ...minimal, lifecycle: { durations: { trialEraseDays: 0 } } },
      /^lifecycle\.durations\.trialEraseDays must be a whole number of days/,
    ],
    [
      'fractional days',
      { ...minimal, lifecycle: { durations: { cancelledEraseDays: 1.5 } } },
      /^lifecycle\.durations\.cancelledEraseDays must be/,
    ],
    [
      'days as a string',
      { ...minimal, lifecycle: { durations: { deletionGraceDays: '90' } } },
      /^lifecycle\.durations\.deletionGraceDays must be/,
    ],
    [
      'close before suspension',
      { ...minimal, lifecycle: { durations: { paymentSuspendDays: 30, paymentCloseDays: 20 } } },
      /paymentSuspendDays < paymentCloseDays < paymentEraseDays \(got 30, 20, 97\)/,
    ],
    [
      'erase at closure',
      { ...minimal, lifecycle: { durations: { paymentCloseDays: 97 } } },
      /paymentSuspendDays < paymentCloseDays < paymentEraseDays \(got 15, 97, 97\)/,
    ],
    ['durations not a mapping', { ...minimal, lifecycle: { durations: 12 } }, /^lifecycle\.durations must be a mapping/],
    ['unknown duration', { ...minimal, lifecycle: { durations: { trialDays: 3 } } }, /^lifecycle\.durations\.trialDays: unknown field/],
    ['dryRun not a bool', { ...minimal, lifecycle: { dryRun: 'yes' } }, /^lifecycle\.dryRun must be true or false/],
    ['tenantKmsKeys not a bool', { ...minimal, lifecycle: { tenantKmsKeys: 1 } }, /^lifecycle\.tenantKmsKeys must be true or false/],
    ['audit retention zero', { ...minimal, lifecycle: { auditRetentionDays: 0 } }, /^lifecycle\.auditRetentionDays must be/],
    [
      'billing retention fractional',
      { ...minimal, lifecycle: { billingRetentionDays: 2556.5 } },
      /^lifecycle\.billingRetentionDays must be/,
    ],
    ['s3Endpoint not a URL', { ...minimal, lifecycle: { s3Endpoint: 'seaweed:8333' } }, /^lifecycle\.s3Endpoint must be an http/],
    [
      'kmsEndpoint with credentials',
      { ...minimal, lifecycle: { kmsEndpoint: 'https://u:p@kms' } },
      /^lifecycle\.kmsEndpoint must be an http/,
    ],
    ['unknown lifecycle key', { ...minimal, lifecycle: { dryrun: true } }, /^lifecycle\.dryrun: unknown field/],
    ['lifecycle not a mapping', { ...minimal, lifecycle: [] }, /^lifecycle must be a mapping/],
    ['bad archive bucket', region({ archiveBucket: 'Archive_Bucket' }), /^regions\.eu-central-1\.archiveBucket must be an S3 bucket name/],
    ['empty billing key', region({ billingKmsKeyId: '' }), /^regions\.eu-central-1\.billingKmsKeyId must be a KMS key/],
  ];
  for (const [name, cfg, expected] of cases) {
    const found = problems(cfg);
    assert.ok(
      found.some((p) => expected.test(p)),
      `${name}: expected ${expected}, got ${JSON.stringify(found)}`,
    );
  }
  assert.deepEqual(problems(region({ archiveBucket: 'tenantry-archive-eu-central-1', billingKmsKeyId: 'alias/b' })), []);
});

test('P12: release.defaultChannel is optional and must name a ReleaseChannel; the section must be a mapping', () => {
  assert.equal(parseConfig(minimal).release, undefined, 'no section: no default channel');
  assert.deepEqual(parseConfig({ ...minimal, release: { defaultChannel: 'stable' } }).release, { defaultChannel: 'stable' });
  assert.deepEqual(problems({ ...minimal, release: {} }), []);
  for (const bad of ['Stable', 'has space', '', 42, 'a'.repeat(254)])
    assert.deepEqual(
      problems({ ...minimal, release: { defaultChannel: bad } }),
      ['release.defaultChannel must be the name of a ReleaseChannel (a lowercase DNS subdomain)'],
      String(bad),
    );
  assert.deepEqual(problems({ ...minimal, release: 'stable' }), ['release must be a mapping']);
});
