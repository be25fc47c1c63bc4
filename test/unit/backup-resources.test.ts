// Table tests of the backup builders (P5/P7): the backup CronJob and restore Job carry exactly the
// agent's contract (environment, Secrets by reference, volumes, a restricted pod), the
// NetworkPolicies open only the backup pods' flows, credentials are copied whole or not at all,
// and the `backup` section of the operator configuration is validated field by field.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { BackupPolicy, Restore, TenantSpecDatabaseEngine } from '../../src/api/generated/index.js';
import { COMPONENT_LABEL, MANAGED_BY_LABEL, TENANT_LABEL } from '../../src/api/names.js';
import { ConfigError, parseConfig } from '../../src/config.js';
import { parseCidr } from '../../src/net/cidr.js';
import {
  BACKUP_CREDENTIALS_SECRET,
  BACKUP_CRONJOB_NAME,
  BACKUP_KINDS,
  backupPolicyError,
  buildBackupCredentialsSecret,
  buildBackupResources,
  buildContext,
  buildRestoreJob,
  isBuildContextError,
  restoreSourceServiceAccount,
  RESTORE_LABEL,
  restoreJobName,
  restoreLabelValue,
  type BuildContext,
  type Manifest,
} from '../../src/resources/index.js';
import { egressAllows } from '../support/netpol.js';
import { assertOwnedByAcme, ENGINES, fixtureConfig, fixtureTenant } from '../support/resources-fixture.js';
import { fixturePolicy } from '../support/policy-fixture.js';

type Json = Record<string, unknown>;
const BACKUP_ID = '20261126T020000Z-a1b2c3';
const KEYS = {
  AWS_ACCESS_KEY_ID: Buffer.from('AKIDEXAMPLE').toString('base64'),
  AWS_SECRET_ACCESS_KEY: Buffer.from('wJalrXUtnFEMI/K7MDENG').toString('base64'),
};

function ctxFor(
  engine: TenantSpecDatabaseEngine = 'postgres',
  backup: Json = {},
  name = 'acme',
  region: 'eu-west-1' | 'us-east-1' = 'eu-west-1',
): BuildContext {
  const ctx = buildContext(fixtureTenant(name, engine, { region }), fixtureConfig('nginx', { backup }));
  if (isBuildContextError(ctx)) throw new Error(ctx.error);
  return ctx;
}

function restoreOf(name: string, target: Restore['spec']['target'] = { inPlace: true }, tenant = 'acme'): Restore {
  return {
    apiVersion: 'tenantry.io/v1alpha1',
    kind: 'Restore',
    metadata: { name, uid: '0b5e2c1a-0000-4000-8000-000000000002' },
    spec: { tenant, backupId: 'latest', target },
  };
}

const at = (v: unknown, ...path: (string | number)[]): unknown =>
  path.reduce<unknown>((o, k) => (o as Record<string | number, unknown> | undefined)?.[k], v);
const find = (ms: Manifest[], kind: string, name?: string): Manifest => {
  const m = ms.find((x) => x.kind === kind && (name === undefined || x.metadata.name === name));
  assert.ok(m, `no ${kind} ${name ?? ''} among ${ms.map((x) => `${x.kind}/${x.metadata.name}`).join(', ')}`);
  return m;
};
const cronPod = (cron: Manifest): Json => at(cron, 'spec', 'jobTemplate', 'spec', 'template', 'spec') as Json;
const jobPod = (job: Manifest): Json => at(job, 'spec', 'template', 'spec') as Json;
const container = (pod: Json): Json => (pod.containers as Json[])[0]!;
const envOf = (pod: Json): Record<string, string> =>
  Object.fromEntries((container(pod).env as { name: string; value: string }[]).map((e) => [e.name, e.value]));

function* walk(value: unknown, path = ''): Generator<[string, unknown]> {
  yield [path, value];
  if (Array.isArray(value)) for (const [i, v] of value.entries()) yield* walk(v, `${path}[${i}]`);
  else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) yield* walk(v, `${path}.${k}`);
}

// --- shape of every manifest ------------------------------------------------------------------

for (const engine of ENGINES) {
  for (const hasCredentialsSecret of [false, true]) {
    test(`${engine}, ${hasCredentialsSecret ? 'static credentials' : 'workload identity'}: ServiceAccount, policies and CronJob in apply order, owned, canonical`, () => {
      const ctx = ctxFor(engine);
      const policy = fixturePolicy({}, hasCredentialsSecret ? { credentialsSecretRef: { name: 's3', namespace: 'tenantry-system' } } : {});
      const ms = [
        ...buildBackupResources(ctx, policy, { hasCredentialsSecret }),
        buildRestoreJob(ctx, policy, restoreOf('r'), BACKUP_ID),
        ...(hasCredentialsSecret ? [buildBackupCredentialsSecret(ctx, KEYS)] : []),
      ];
      assert.deepEqual(
        ms.slice(0, 5).map((m) => `${m.kind}/${m.metadata.name}`),
        [
          'ServiceAccount/backup',
          'NetworkPolicy/allow-backup-to-database',
          'NetworkPolicy/allow-database-from-backup',
          'NetworkPolicy/allow-backup-egress',
          `CronJob/${BACKUP_CRONJOB_NAME}`,
        ],
      );
      for (const m of ms) {
        const id = `${m.kind}/${m.metadata.name}`;
        assert.equal(m.metadata.namespace, 'tenant-acme', id);
        assertOwnedByAcme(m, ctx.tenant, id);
        assert.equal(m.metadata.labels[COMPONENT_LABEL], 'backup', id);
        assert.match(m.metadata.name, /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, id);
        assert.ok(m.metadata.name.length <= 63, id);
        for (const [path, value] of walk(m)) {
          assert.notEqual(value, undefined, `${id}${path} is undefined`);
          if (typeof value === 'number') assert.ok(Number.isInteger(value), `${id}${path} is not an integer`);
          if (value !== null && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length === 0)
            assert.fail(`${id}${path} is an empty object (the API server drops it)`);
        }
      }
    });
  }
}

test('BACKUP_KINDS names the batch kinds the reconciler must watch', () => {
  assert.deepEqual(BACKUP_KINDS, [
    { apiVersion: 'batch/v1', kind: 'CronJob', namespaced: true, plural: 'cronjobs' },
    { apiVersion: 'batch/v1', kind: 'Job', namespaced: true, plural: 'jobs' },
  ]);
});

test('deterministic, and neither the Tenant, the policy nor the configuration is modified', () => {
  const freeze = <T>(o: T): T => {
    if (o && typeof o === 'object') {
      for (const v of Object.values(o)) freeze(v);
      Object.freeze(o);
    }
    return o;
  };
  const ctx = freeze(
    ctxFor('mariadb', { serviceAccountAnnotations: { 'eks.amazonaws.com/role-arn': 'arn:aws:iam::111122223333:role/backup-{tenant}' } }),
  );
  const policy = freeze(fixturePolicy({}, { endpoint: 'https://s3.example.com:8443' }));
  const restore = freeze(restoreOf('r'));
  const build = () => [
    ...buildBackupResources(ctx, policy, { hasCredentialsSecret: false }),
    buildRestoreJob(ctx, policy, restore, BACKUP_ID),
  ];
  assert.deepEqual(build(), build());
  // Each call returns its own trees: the reconciler may annotate one without touching the next.
  const [a, b] = [build(), build()];
  (a[0]!.metadata.labels as Json).x = 'y';
  assert.equal(b[0]!.metadata.labels.x, undefined);
});

// --- the agent's contract -----------------------------------------------------------------------

test('the environment is exactly the contract, in order; unset options are left out', () => {
  const cases: [string, BackupPolicy, Json, [string, string][]][] = [
    [
      'everything set',
      fixturePolicy(
        {
          verify: false,
          kms: {
            keys: [
              { region: 'us-east-1', keyId: 'alias/other-region' },
              { region: 'eu-west-1', keyId: 'arn:aws:kms:eu-west-1:111122223333:key/k' },
            ],
          },
        },
        { prefix: 'tenantry/prod', endpoint: 'https://s3.example.com' },
      ),
      { kmsEndpoint: 'http://kms.example.internal:4566', allowInsecureKmsEndpoint: true, filesMountPath: '/data/files' },
      [
        ['TENANTRY_TENANT', 'acme'],
        ['TENANTRY_REGION', 'eu-west-1'],
        ['AWS_REGION', 'eu-west-1'],
        ['TENANTRY_BACKUP_BUCKET', 'tenantry-backups-eu-west-1'],
        ['TENANTRY_BACKUP_PREFIX', 'tenantry/prod'],
        ['TENANTRY_S3_ENDPOINT', 'https://s3.example.com'],
        ['TENANTRY_KMS_KEY_ID', 'arn:aws:kms:eu-west-1:111122223333:key/k'],
        ['TENANTRY_KMS_ENDPOINT', 'http://kms.example.internal:4566'],
        ['TENANTRY_ALLOW_INSECURE_KMS_ENDPOINT', 'true'],
        ['TENANTRY_RETENTION', '{"keepDaily":14,"keepWeekly":8}'],
        ['TENANTRY_VERIFY', 'false'],
        ['TENANTRY_FILES_DIR', '/data/files'],
        ['TENANTRY_LOG_FORMAT', 'json'],
        ['NODE_OPTIONS', '--max-old-space-size=64 --max-semi-space-size=4'],
        ['MALLOC_ARENA_MAX', '2'],
      ],
    ],
    [
      'minimal: no prefix, endpoint or KMS endpoint; the key of another region is not used; verify defaults to true',
      (() => {
        const p = fixturePolicy({ kms: { keys: [{ region: 'us-east-1', keyId: 'alias/other-region' }] } }, { prefix: '' });
        delete p.spec.verify;
        return p;
      })(),
      {},
      [
        ['TENANTRY_TENANT', 'acme'],
        ['TENANTRY_REGION', 'eu-west-1'],
        ['AWS_REGION', 'eu-west-1'],
        ['TENANTRY_BACKUP_BUCKET', 'tenantry-backups-eu-west-1'],
        ['TENANTRY_KMS_KEY_ID', 'alias/tenantry-eu-west-1'],
        ['TENANTRY_RETENTION', '{"keepDaily":14,"keepWeekly":8}'],
        ['TENANTRY_VERIFY', 'true'],
        ['TENANTRY_FILES_DIR', '/var/lib/tenantry/files'],
        ['TENANTRY_LOG_FORMAT', 'json'],
        ['NODE_OPTIONS', '--max-old-space-size=64 --max-semi-space-size=4'],
        ['MALLOC_ARENA_MAX', '2'],
      ],
    ],
  ];
  for (const [name, policy, backup, want] of cases) {
    const ctx = ctxFor('postgres', backup);
    const cron = find(buildBackupResources(ctx, policy, { hasCredentialsSecret: false }), 'CronJob');
    const job = buildRestoreJob(ctx, policy, restoreOf('r'), BACKUP_ID);
    for (const [what, pod] of [
      ['CronJob', cronPod(cron)],
      ['restore Job', jobPod(job)],
    ] as const) {
      assert.deepEqual(
        container(pod).env,
        want.map(([n, value]) => ({ name: n, value })),
        `${name}: ${what}`,
      );
    }
  }
});

test('TENANTRY_RETENTION does not depend on the key order of the stored policy', () => {
  const ctx = ctxFor();
  const a = fixturePolicy({ retention: { keepWeekly: 8, keepLast: 3, keepDaily: 14 } });
  const b = fixturePolicy({ retention: { keepDaily: 14, keepLast: 3, keepWeekly: 8 } });
  const env = (p: BackupPolicy) => envOf(cronPod(find(buildBackupResources(ctx, p, { hasCredentialsSecret: false }), 'CronJob')));
  assert.equal(env(a).TENANTRY_RETENTION, '{"keepDaily":14,"keepLast":3,"keepWeekly":8}');
  assert.equal(env(a).TENANTRY_RETENTION, env(b).TENANTRY_RETENTION);
  assert.deepEqual(JSON.parse(env(a).TENANTRY_RETENTION!), { keepDaily: 14, keepLast: 3, keepWeekly: 8 });
});

test('credentials come only from Secrets by reference: the database Secret always, the copied S3 keys with a credentialsSecretRef', () => {
  const ctx = ctxFor('mariadb');
  const withKeys = fixturePolicy({}, { credentialsSecretRef: { name: 's3-credentials', namespace: 'tenantry-system' } });
  const cases: [string, BackupPolicy, boolean, Json[]][] = [
    ['workload identity', fixturePolicy(), false, [{ secretRef: { name: 'database-credentials' } }]],
    ['static keys', withKeys, true, [{ secretRef: { name: 'database-credentials' } }, { secretRef: { name: BACKUP_CREDENTIALS_SECRET } }]],
  ];
  for (const [name, policy, hasCredentialsSecret, envFrom] of cases) {
    const ms = buildBackupResources(ctx, policy, { hasCredentialsSecret });
    const pods = [cronPod(find(ms, 'CronJob')), jobPod(buildRestoreJob(ctx, policy, restoreOf('r'), BACKUP_ID))];
    for (const pod of pods) {
      assert.deepEqual(container(pod).envFrom, envFrom, name);
      // No value taken from a Secret and no secretKeyRef copy: the env holds only plain settings.
      for (const e of container(pod).env as Json[]) assert.deepEqual(Object.keys(e), ['name', 'value'], `${name}: ${String(e.name)}`);
    }
    const text = JSON.stringify(ms);
    for (const [k, v] of Object.entries(KEYS)) {
      assert.ok(!text.includes(v) && !text.includes(Buffer.from(v, 'base64').toString()), `${name}: ${k}'s value is inline`);
    }
    assert.doesNotMatch(text, /PASSWORD"\s*:\s*"|secretKeyRef/, name);
  }
});

test('the CronJob: the policy schedule and time zone, Forbid, deadlines, history and one retry', () => {
  const ctx = ctxFor('postgres', { startingDeadlineSeconds: 900, backupDeadlineSeconds: 7200 });
  const cron = find(
    buildBackupResources(ctx, fixturePolicy({ schedule: '30 1 * * 1-5', timeZone: 'America/New_York' }), { hasCredentialsSecret: false }),
    'CronJob',
  );
  const spec = cron.spec as Json;
  assert.equal(spec.schedule, '30 1 * * 1-5');
  assert.equal(spec.timeZone, 'America/New_York');
  assert.equal(spec.concurrencyPolicy, 'Forbid');
  assert.equal(spec.startingDeadlineSeconds, 900);
  assert.equal(spec.successfulJobsHistoryLimit, 3);
  assert.equal(spec.failedJobsHistoryLimit, 3);
  assert.equal(spec.suspend, false);
  assert.equal(at(spec, 'jobTemplate', 'spec', 'backoffLimit'), 1);
  assert.equal(at(spec, 'jobTemplate', 'spec', 'activeDeadlineSeconds'), 7200);
  assert.equal(at(spec, 'jobTemplate', 'spec', 'ttlSecondsAfterFinished'), undefined, 'history limits, not a TTL, clean up backup Jobs');
  assert.deepEqual(container(cronPod(cron)).args, ['backup', 'run']);
  // Jobs and pods are found by the tenant label; the pods by the component the policies select.
  for (const labels of [
    at(spec, 'jobTemplate', 'metadata', 'labels'),
    at(spec, 'jobTemplate', 'spec', 'template', 'metadata', 'labels'),
  ] as Record<string, string>[]) {
    assert.equal(labels[TENANT_LABEL], 'acme');
    assert.equal(labels[COMPONENT_LABEL], 'backup');
    assert.equal(labels[MANAGED_BY_LABEL], 'tenantry');
  }
  // The defaults: 6 h per attempt, an hour to start late, UTC when a hand-built policy names no zone.
  const plain = fixturePolicy();
  delete plain.spec.timeZone;
  const dflt = find(buildBackupResources(ctxFor(), plain, { hasCredentialsSecret: false }), 'CronJob');
  assert.equal(at(dflt, 'spec', 'timeZone'), 'UTC');
  assert.equal(at(dflt, 'spec', 'startingDeadlineSeconds'), 3600);
  assert.equal(at(dflt, 'spec', 'jobTemplate', 'spec', 'activeDeadlineSeconds'), 6 * 3600);
});

test('suspend follows the policy (and an in-place restore), never the tenant lifecycle', () => {
  const cases: [string, Partial<BackupPolicy['spec']>, boolean, boolean | undefined, boolean][] = [
    ['active policy, suspended tenant', {}, true, undefined, false],
    ['suspended policy', { suspend: true }, false, undefined, true],
    ['restore in place under way', {}, false, true, true],
    ['restore finished', {}, false, false, false],
  ];
  for (const [name, spec, tenantSuspended, restoreInProgress, want] of cases) {
    const ctx = buildContext(fixtureTenant('acme', 'postgres', { suspend: tenantSuspended }), fixtureConfig('nginx'));
    if (isBuildContextError(ctx)) throw new Error(ctx.error);
    const cron = find(
      buildBackupResources(ctx, fixturePolicy(spec), {
        hasCredentialsSecret: false,
        ...(restoreInProgress === undefined ? {} : { restoreInProgress }),
      }),
      'CronJob',
    );
    assert.equal(at(cron, 'spec', 'suspend'), want, name);
  }
});

test('pods: restricted, no API token, the backup account, the region, resources from the configuration', () => {
  const ctx = buildContext(
    fixtureTenant('acme', 'postgres', { region: 'us-east-1' }),
    fixtureConfig('nginx', { backup: { resources: { requests: { cpu: '0.5', memory: '1Gi' }, limits: { memory: '2Gi' } } } }),
  );
  if (isBuildContextError(ctx)) throw new Error(ctx.error);
  const policy = fixturePolicy({}, { region: 'us-east-1', bucket: 'tenantry-backups-us-east-1' });
  const pods: [string, Json][] = [
    ['CronJob', cronPod(find(buildBackupResources(ctx, policy, { hasCredentialsSecret: false }), 'CronJob'))],
    ['restore Job', jobPod(buildRestoreJob(ctx, policy, restoreOf('r'), BACKUP_ID))],
  ];
  for (const [what, pod] of pods) {
    assert.equal(pod.serviceAccountName, 'backup', what);
    assert.equal(pod.automountServiceAccountToken, false, what);
    assert.equal(pod.enableServiceLinks, false, what);
    assert.equal(pod.restartPolicy, 'Never', what);
    const podSc = pod.securityContext as Json;
    assert.equal(podSc.runAsNonRoot, true, what);
    assert.deepEqual(podSc.seccompProfile, { type: 'RuntimeDefault' }, what);
    // The app's uid and gid: the agent reads the app's files and restores them as the app's own.
    assert.equal(podSc.runAsUser, ctx.config.app.runAsUser, what);
    assert.equal(podSc.fsGroup, ctx.config.app.runAsGroup, what);
    const c = container(pod);
    assert.equal(c.image, ctx.config.images.agent, what);
    const sc = c.securityContext as Json;
    assert.equal(sc.allowPrivilegeEscalation, false, what);
    assert.equal(sc.privileged, false, what);
    assert.equal(sc.readOnlyRootFilesystem, true, what);
    assert.equal(sc.runAsNonRoot, true, what);
    assert.deepEqual(sc.capabilities, { drop: ['ALL'] }, what);
    assert.deepEqual(sc.seccompProfile, { type: 'RuntimeDefault' }, what);
    // The configured values merge over the defaults: ephemeral storage keeps its default.
    assert.deepEqual(
      c.resources,
      { requests: { cpu: '500m', memory: '1Gi', 'ephemeral-storage': '256Mi' }, limits: { memory: '2Gi', 'ephemeral-storage': '2Gi' } },
      what,
    );
    assert.deepEqual(
      at(pod, 'affinity', 'nodeAffinity', 'requiredDuringSchedulingIgnoredDuringExecution', 'nodeSelectorTerms'),
      [
        {
          matchExpressions: [
            { key: 'node.example.com/pool', operator: 'In', values: ['tenants'] },
            { key: 'topology.kubernetes.io/region', operator: 'In', values: ['us-east-1'] },
          ],
        },
      ],
      what,
    );
  }
  const dflt = container(cronPod(find(buildBackupResources(ctxFor(), fixturePolicy(), { hasCredentialsSecret: false }), 'CronJob')));
  assert.deepEqual(dflt.resources, {
    requests: { cpu: '250m', memory: '128Mi', 'ephemeral-storage': '256Mi' },
    limits: { memory: '256Mi', 'ephemeral-storage': '2Gi' },
  });
});

test('volumes: the files claim read-only for a backup and writable for a restore, an emptyDir at /tmp', () => {
  const ctx = ctxFor('postgres', { filesMountPath: '/srv/files' });
  const policy = fixturePolicy();
  const cases: [string, Json, boolean][] = [
    ['CronJob', cronPod(find(buildBackupResources(ctx, policy, { hasCredentialsSecret: false }), 'CronJob')), true],
    ['restore Job', jobPod(buildRestoreJob(ctx, policy, restoreOf('r'), BACKUP_ID)), false],
  ];
  for (const [what, pod, readOnly] of cases) {
    assert.deepEqual(
      pod.volumes,
      [
        { name: 'files', persistentVolumeClaim: { claimName: 'files' } },
        { name: 'tmp', emptyDir: { sizeLimit: '1Gi' } },
      ],
      what,
    );
    assert.deepEqual(
      container(pod).volumeMounts,
      [
        readOnly ? { name: 'files', mountPath: '/srv/files', readOnly: true } : { name: 'files', mountPath: '/srv/files' },
        { name: 'tmp', mountPath: '/tmp' },
      ],
      what,
    );
    assert.equal(envOf(pod).TENANTRY_FILES_DIR, '/srv/files', what);
  }
});

test("placement: a backup prefers the app pod's node (ReadWriteOnce files); a restore has no pod affinity", () => {
  const ctx = ctxFor();
  const policy = fixturePolicy();
  const cron = cronPod(find(buildBackupResources(ctx, policy, { hasCredentialsSecret: false }), 'CronJob'));
  assert.deepEqual(at(cron, 'affinity', 'podAffinity'), {
    preferredDuringSchedulingIgnoredDuringExecution: [
      {
        weight: 100,
        podAffinityTerm: {
          labelSelector: { matchLabels: { [TENANT_LABEL]: 'acme', [COMPONENT_LABEL]: 'app' } },
          topologyKey: 'kubernetes.io/hostname',
        },
      },
    ],
  });
  // Required would leave a suspended tenant's backup Pending: it has no app pod to be next to.
  assert.equal(at(cron, 'affinity', 'podAffinity', 'requiredDuringSchedulingIgnoredDuringExecution'), undefined);
  const job = jobPod(buildRestoreJob(ctx, policy, restoreOf('r'), BACKUP_ID));
  assert.deepEqual(Object.keys(job.affinity as Json), ['nodeAffinity']);
});

// --- network ------------------------------------------------------------------------------------

test("network policies: backup ↔ database on the engine port, egress on 443 and the endpoints' ports", () => {
  const cases: [TenantSpecDatabaseEngine, string | undefined, string | undefined, number, number[]][] = [
    ['postgres', undefined, undefined, 5432, [443]],
    ['mariadb', undefined, undefined, 3306, [443]],
    ['postgres', 'https://s3.example.com', undefined, 5432, [443]],
    ['postgres', 'http://minio.example.internal', 'http://kms.example.internal:4566', 5432, [80, 443, 4566]],
    ['mariadb', 'https://[2001:db8::10]:9000/base', 'https://kms.example.internal', 3306, [443, 9000]],
  ];
  for (const [engine, endpoint, kmsEndpoint, dbPort, egressPorts] of cases) {
    const name = `${engine} ${endpoint ?? 'AWS'} ${kmsEndpoint ?? 'AWS'}`;
    const ctx = ctxFor(engine, kmsEndpoint ? { kmsEndpoint, allowInsecureKmsEndpoint: kmsEndpoint.startsWith('http:') } : {});
    const ms = buildBackupResources(ctx, fixturePolicy({}, endpoint ? { endpoint } : {}), { hasCredentialsSecret: false });
    const backup = { matchLabels: { [TENANT_LABEL]: 'acme', [COMPONENT_LABEL]: 'backup' } };
    const database = { matchLabels: { [TENANT_LABEL]: 'acme', [COMPONENT_LABEL]: 'database' } };
    assert.deepEqual(
      find(ms, 'NetworkPolicy', 'allow-backup-to-database').spec,
      {
        podSelector: backup,
        policyTypes: ['Egress'],
        egress: [{ to: [{ podSelector: database }], ports: [{ protocol: 'TCP', port: dbPort }] }],
      },
      name,
    );
    assert.deepEqual(
      find(ms, 'NetworkPolicy', 'allow-database-from-backup').spec,
      {
        podSelector: database,
        policyTypes: ['Ingress'],
        ingress: [{ from: [{ podSelector: backup }], ports: [{ protocol: 'TCP', port: dbPort }] }],
      },
      name,
    );
    assert.deepEqual(
      find(ms, 'NetworkPolicy', 'allow-backup-egress').spec,
      {
        podSelector: backup,
        policyTypes: ['Egress'],
        egress: [
          {
            to: [
              {
                ipBlock: {
                  cidr: '0.0.0.0/0',
                  except: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', '169.254.0.0/16'],
                },
              },
            ],
            ports: egressPorts.map((port) => ({ protocol: 'TCP', port })),
          },
        ],
      },
      name,
    );
  }
});

test('egress CIDRs: each keeps only the exceptions inside it (VPC endpoints, IPv6)', () => {
  const cases: [string, Json, Json[]][] = [
    [
      'VPC endpoints inside a private range: the private exceptions fall away',
      { egressCidrs: ['10.20.0.0/24', '10.20.1.0/24'] },
      [{ ipBlock: { cidr: '10.20.0.0/24' } }, { ipBlock: { cidr: '10.20.1.0/24' } }],
    ],
    [
      'dual stack',
      { egressCidrs: ['0.0.0.0/0', '::/0'], egressExcept: ['10.0.0.0/8', 'fc00::/7'] },
      // Link-local and the EC2 IPv6 metadata address are always cut out; fd00:ec2::254 lies in fc00::/7 already.
      [
        { ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.0.0/8', '169.254.0.0/16'] } },
        { ipBlock: { cidr: '::/0', except: ['fc00::/7', 'fe80::/10'] } },
      ],
    ],
    ['no exceptions but the metadata range', { egressExcept: [] }, [{ ipBlock: { cidr: '0.0.0.0/0', except: ['169.254.0.0/16'] } }]],
  ];
  for (const [name, backup, want] of cases) {
    const np = find(
      buildBackupResources(ctxFor('postgres', backup), fixturePolicy(), { hasCredentialsSecret: false }),
      'NetworkPolicy',
      'allow-backup-egress',
    );
    assert.deepEqual(at(np, 'spec', 'egress', 0, 'to'), want, name);
  }
});

test('review 4: an http:// S3 or KMS endpoint opens neither the metadata address nor 100.64.0.0/10, and an http:// KMS endpoint needs the local-development flag', () => {
  const egressOf = (ctx: BuildContext, endpoint: string) =>
    at(
      find(
        buildBackupResources(ctx, fixturePolicy({}, { endpoint }), { hasCredentialsSecret: false }),
        'NetworkPolicy',
        'allow-backup-egress',
      ),
      'spec',
      'egress',
    ) as Json[];
  // An http:// S3 endpoint adds port 80 to the agent's egress; the defaults must keep it off the
  // metadata and credentials endpoints and the cluster-internal ranges on that port as on 443.
  const rules = egressOf(ctxFor('postgres'), 'http://minio.example.internal');
  for (const [ip, port] of [
    ['169.254.169.254', 80],
    ['169.254.170.2', 80],
    ['100.64.0.10', 80],
    ['100.127.255.1', 443],
    ['10.0.0.1', 80],
    ['172.31.0.1', 80],
    ['192.168.0.1', 443],
  ] as const)
    assert.equal(egressAllows(rules, ip, port), false, `${ip}:${port} is reachable from the backup agent`);
  assert.equal(egressAllows(rules, '52.95.150.10', 80), true, 'S3 itself stays reachable');
  assert.equal(egressAllows(rules, '52.95.150.10', 443), true);
  // The metadata range goes even when a configuration lists no exceptions; the cluster CIDRs go too.
  assert.equal(
    egressAllows(egressOf(ctxFor('postgres', { egressExcept: [] }), 'http://minio.example.internal'), '169.254.169.254', 80),
    false,
  );
  const clustered = buildContext(fixtureTenant('acme', 'postgres'), fixtureConfig('nginx', { clusterCidrs: ['198.18.0.0/15'] }));
  if (isBuildContextError(clustered)) throw new Error(clustered.error);
  assert.equal(egressAllows(egressOf(clustered, 'https://s3.example.com'), '198.18.0.1', 443), false);

  // GenerateDataKey and Decrypt answer with the plaintext data key: over http:// anyone on the path reads it.
  const [refusal] = problems({ kmsEndpoint: 'http://kms.example.internal:4566' });
  assert.match(refusal ?? '', /^backup\.kmsEndpoint http:\/\/kms\.example\.internal:4566 is not https:/);
  assert.match(refusal ?? '', /plaintext data keys/);
  assert.match(refusal ?? '', /use an https:\/\/ endpoint, or.*set backup\.allowInsecureKmsEndpoint: true/);
  assert.match(problems({ allowInsecureKmsEndpoint: 'yes' })[0] ?? '', /^backup\.allowInsecureKmsEndpoint must be true or false/);
  // With the flag the operator accepts it and tells the agent, which refuses it otherwise (see agent-settings).
  const env = (backup: Json) =>
    envOf(cronPod(find(buildBackupResources(ctxFor('postgres', backup), fixturePolicy(), { hasCredentialsSecret: false }), 'CronJob')));
  assert.equal(env({ kmsEndpoint: 'http://127.0.0.1:4566', allowInsecureKmsEndpoint: true }).TENANTRY_ALLOW_INSECURE_KMS_ENDPOINT, 'true');
  assert.equal(env({ kmsEndpoint: 'https://kms.example.internal' }).TENANTRY_ALLOW_INSECURE_KMS_ENDPOINT, undefined);
  assert.equal(env({}).TENANTRY_ALLOW_INSECURE_KMS_ENDPOINT, undefined);
});

// --- identity -----------------------------------------------------------------------------------

test('workload identity: the ServiceAccount gets the configured annotations, placeholders replaced per tenant; no token is mounted', () => {
  const annotations = {
    'eks.amazonaws.com/role-arn': 'arn:aws:iam::111122223333:role/tenantry-backup-{tenant}',
    'example.com/where': '{namespace} in {region}',
  };
  const cases: [string, string, Partial<BackupPolicy['spec']['destination']>, boolean, Record<string, string> | undefined][] = [
    [
      'acme',
      'eu-west-1',
      {},
      false,
      {
        'eks.amazonaws.com/role-arn': 'arn:aws:iam::111122223333:role/tenantry-backup-acme',
        'example.com/where': 'tenant-acme in eu-west-1',
      },
    ],
    [
      'globex',
      'us-east-1',
      { region: 'us-east-1' },
      false,
      {
        'eks.amazonaws.com/role-arn': 'arn:aws:iam::111122223333:role/tenantry-backup-globex',
        'example.com/where': 'tenant-globex in us-east-1',
      },
    ],
    // Static keys: no second identity beside them.
    ['acme', 'eu-west-1', { credentialsSecretRef: { name: 's3', namespace: 'tenantry-system' } }, true, undefined],
  ];
  for (const [tenant, region, destination, hasCredentialsSecret, want] of cases) {
    const ctx = ctxFor('postgres', { serviceAccountAnnotations: annotations }, tenant, region as 'eu-west-1' | 'us-east-1');
    const sa = find(buildBackupResources(ctx, fixturePolicy({}, destination), { hasCredentialsSecret }), 'ServiceAccount');
    assert.deepEqual(sa.metadata.annotations, want, `${tenant} ${String(hasCredentialsSecret)}`);
    assert.equal(sa.automountServiceAccountToken, false);
  }
  const none = find(buildBackupResources(ctxFor(), fixturePolicy(), { hasCredentialsSecret: false }), 'ServiceAccount');
  assert.equal(
    none.metadata.annotations,
    undefined,
    'no annotations configured: none on the ServiceAccount (an empty map would be dropped)',
  );
});

test('hasCredentialsSecret must agree with the policy: a mismatch is an error, not a silent change of identity', () => {
  const ctx = ctxFor();
  assert.throws(
    () =>
      buildBackupResources(ctx, fixturePolicy({}, { credentialsSecretRef: { name: 's3', namespace: 'x' } }), {
        hasCredentialsSecret: false,
      }),
    /names a credentials Secret/,
  );
  assert.throws(() => buildBackupResources(ctx, fixturePolicy(), { hasCredentialsSecret: true }), /names no credentials Secret/);
});

test('the credentials copy holds only the two AWS keys, and refuses a Secret that lacks one', () => {
  const ctx = ctxFor();
  const secret = buildBackupCredentialsSecret(ctx, { ...KEYS, AWS_SESSION_TOKEN: 'dG9rZW4=', other: 'eA==' });
  assert.equal(secret.metadata.name, BACKUP_CREDENTIALS_SECRET);
  assert.equal(secret.type, 'Opaque');
  assert.deepEqual(secret.data, KEYS);
  const cases: [string, Record<string, string>, RegExp][] = [
    ['no secret key', { AWS_ACCESS_KEY_ID: KEYS.AWS_ACCESS_KEY_ID }, /has no AWS_SECRET_ACCESS_KEY \(or an empty one\)/],
    ['empty access key', { ...KEYS, AWS_ACCESS_KEY_ID: '' }, /has no AWS_ACCESS_KEY_ID \(or an empty one\)/],
    ['nothing', {}, /has no AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY/],
  ];
  for (const [name, data, expected] of cases) {
    assert.throws(
      () => buildBackupCredentialsSecret(ctx, data, 'Secret tenantry-system/s3'),
      (e: unknown) => {
        const msg = (e as Error).message;
        assert.match(msg, expected, name);
        assert.match(msg, /^Secret tenantry-system\/s3 /, name);
        // The error names keys, never values.
        assert.ok(!msg.includes(KEYS.AWS_ACCESS_KEY_ID), name);
        return true;
      },
    );
  }
});

// --- data residency -----------------------------------------------------------------------------

test('a policy of another region is refused by every builder, with a message that says what to do', () => {
  const ctx = ctxFor();
  const policy = fixturePolicy({}, { region: 'eu-central-1' });
  const msg = backupPolicyError(ctx, policy);
  assert.match(msg ?? '', /stores backups in eu-central-1, but tenant acme is in eu-west-1 and backups never leave a tenant's region/);
  assert.equal(backupPolicyError(ctx, fixturePolicy()), undefined);
  assert.throws(() => buildBackupResources(ctx, policy, { hasCredentialsSecret: false }), /never leave a tenant's region/);
  assert.throws(() => buildRestoreJob(ctx, policy, restoreOf('r'), BACKUP_ID), /never leave a tenant's region/);
});

// --- restore Job --------------------------------------------------------------------------------

test('the restore Job: named after the Restore, labelled with it, one attempt within the 8-hour objective, kept a week', () => {
  const ctx = ctxFor();
  const job = buildRestoreJob(ctx, fixturePolicy(), restoreOf('acme-2026-11-26'), BACKUP_ID);
  assert.equal(job.apiVersion, 'batch/v1');
  assert.equal(job.kind, 'Job');
  assert.equal(job.metadata.name, 'restore-acme-2026-11-26');
  assert.equal(job.metadata.labels[RESTORE_LABEL], 'acme-2026-11-26');
  assert.equal(job.metadata.annotations?.[RESTORE_LABEL], 'acme-2026-11-26');
  assert.equal(at(job, 'spec', 'template', 'metadata', 'labels', RESTORE_LABEL), 'acme-2026-11-26');
  assert.equal(
    at(job, 'spec', 'template', 'metadata', 'labels', COMPONENT_LABEL),
    'backup',
    'the backup policies must apply to the restore pod',
  );
  assert.equal(at(job, 'spec', 'backoffLimit'), 0);
  assert.equal(at(job, 'spec', 'activeDeadlineSeconds'), 8 * 3600);
  assert.equal(at(job, 'spec', 'ttlSecondsAfterFinished'), 7 * 24 * 3600);
  assert.deepEqual(container(jobPod(job)).args, ['restore', '--backup', BACKUP_ID]);
  assert.equal(container(jobPod(job)).name, 'restore');
  assert.equal(
    at(
      buildRestoreJob(ctxFor('postgres', { restoreDeadlineSeconds: 3600 }), fixturePolicy(), restoreOf('r'), BACKUP_ID),
      'spec',
      'activeDeadlineSeconds',
    ),
    3600,
  );
});

test('restore Job names: at most 63 characters, a hash when shortened, distinct for names that share a prefix', () => {
  const long = (s: string) => `${'a'.repeat(60)}-${s}`;
  const cases: [string, RegExp][] = [
    ['r', /^restore-r$/],
    ['a'.repeat(55), new RegExp(`^restore-a{55}$`)],
    ['a'.repeat(56), /^restore-a{46}-[0-9a-f]{8}$/],
    [long('one'), /^restore-a{46}-[0-9a-f]{8}$/],
    ['nightly.eu', /^restore-nightly-eu-[0-9a-f]{8}$/],
    // Cut right after a hyphen: it goes, so the name never has two in a row before the hash.
    [`${'b'.repeat(45)}-${'c'.repeat(30)}`, /^restore-b{45}-[0-9a-f]{8}$/],
  ];
  for (const [name, expected] of cases) {
    const job = restoreJobName(name);
    assert.match(job, expected, name);
    assert.ok(job.length <= 63, name);
    assert.match(job, /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, name);
    assert.equal(restoreJobName(name), job, 'deterministic');
  }
  assert.notEqual(restoreJobName(long('one')), restoreJobName(long('two')));
  assert.notEqual(restoreJobName('a.b'), restoreJobName('a-b'));
  // The label is the name itself whenever a label value can hold it.
  assert.equal(restoreLabelValue('a'.repeat(63)), 'a'.repeat(63));
  assert.match(restoreLabelValue(long('one')), /^a{54}-[0-9a-f]{8}$/);
  assert.notEqual(restoreLabelValue(long('one')), restoreLabelValue(long('two')));
  const job = buildRestoreJob(ctxFor(), fixturePolicy(), restoreOf(long('one')), BACKUP_ID);
  assert.equal(job.metadata.name, restoreJobName(long('one')));
  assert.equal(job.metadata.labels[RESTORE_LABEL], restoreLabelValue(long('one')));
  assert.equal(job.metadata.annotations?.[RESTORE_LABEL], long('one'), 'the full name stays readable');
});

test('the restore Job writes only into the tenant it is built for; the backup id is resolved and cannot be a flag', () => {
  const policy = fixturePolicy();
  // Into a new tenant: the pod belongs to the new tenant, the backup is read from the source's prefix.
  const fresh = buildRestoreJob(ctxFor('postgres', {}, 'acme-copy'), policy, restoreOf('copy', { newTenant: 'acme-copy' }), BACKUP_ID);
  assert.equal(fresh.metadata.namespace, 'tenant-acme-copy');
  assert.deepEqual(container(jobPod(fresh)).args, ['restore', '--backup', BACKUP_ID, '--tenant', 'acme', '--into', 'acme-copy']);
  assert.equal(envOf(jobPod(fresh)).TENANTRY_TENANT, 'acme-copy');
  const ctx = ctxFor();
  const cases: [string, () => unknown, RegExp][] = [
    [
      'another tenant',
      () => buildRestoreJob(ctx, policy, restoreOf('r', { inPlace: true }, 'globex'), BACKUP_ID),
      /restores tenant globex into globex, not into acme/,
    ],
    [
      'a new tenant, built for the source',
      () => buildRestoreJob(ctx, policy, restoreOf('r', { newTenant: 'acme-copy' }), BACKUP_ID),
      /into acme-copy, not into acme/,
    ],
    ['latest', () => buildRestoreJob(ctx, policy, restoreOf('r'), 'latest'), /resolve spec\.backupId/],
    ['a flag', () => buildRestoreJob(ctx, policy, restoreOf('r'), '--drill'), /is not a backup id/],
    ['empty', () => buildRestoreJob(ctx, policy, restoreOf('r'), ''), /is not a backup id/],
    ['no name', () => buildRestoreJob(ctx, policy, { ...restoreOf('r'), metadata: {} }, BACKUP_ID), /has no name/],
  ];
  for (const [name, build, expected] of cases) assert.throws(build, expected, name);
});

// --- configuration ------------------------------------------------------------------------------

const REGION = { storageClassName: 'gp3-encrypted', kmsKeyId: 'alias/k', backupBucket: 'b' };
const minimal = { regions: { 'eu-central-1': REGION } };

function problems(backup: unknown): string[] {
  try {
    parseConfig({ ...minimal, backup });
    return [];
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
}

test('the backup configuration defaults', () => {
  assert.deepEqual(parseConfig(minimal).backup, {
    allowInsecureKmsEndpoint: false,
    serviceAccountAnnotations: {},
    egressCidrs: ['0.0.0.0/0'],
    egressExcept: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', '169.254.0.0/16', 'fc00::/7', 'fe80::/10'],
    startingDeadlineSeconds: 3600,
    backupDeadlineSeconds: 21600,
    restoreDeadlineSeconds: 28800,
    resources: {
      requests: { cpu: '250m', memory: '128Mi', 'ephemeral-storage': '256Mi' },
      limits: { memory: '256Mi', 'ephemeral-storage': '2Gi' },
    },
    filesMountPath: '/var/lib/tenantry/files',
    staleGraceSeconds: 7200,
    restoreBytesPerSecond: 100e6,
  });
  const c = parseConfig({
    ...minimal,
    backup: {
      defaultPolicy: 'nightly',
      kmsEndpoint: 'http://127.0.0.1:4566',
      allowInsecureKmsEndpoint: true,
      egressCidrs: ['10.20.0.0/24', '2001:db8::/32'],
      resources: { limits: { memory: '1Gi' } },
    },
  });
  assert.equal(c.backup.defaultPolicy, 'nightly');
  assert.deepEqual(
    c.backup.resources,
    { requests: { cpu: '250m', memory: '128Mi', 'ephemeral-storage': '256Mi' }, limits: { memory: '1Gi', 'ephemeral-storage': '2Gi' } },
    'merged over the defaults',
  );
  assert.deepEqual(c.backup.egressCidrs, ['10.20.0.0/24', '2001:db8::/32'], 'lists replace, not merge');
});

test('each backup configuration mistake is reported with the path of its field', () => {
  const cases: [string, unknown, RegExp][] = [
    ['not a mapping', 'yes', /^backup must be a mapping/],
    ['unknown field', { egresCidrs: [] }, /^backup\.egresCidrs: unknown field/],
    ['bad default policy', { defaultPolicy: 'Nightly' }, /^backup\.defaultPolicy must be the name of a BackupPolicy/],
    [
      'KMS endpoint with credentials',
      { kmsEndpoint: 'http://user:pw@kms:4566' },
      /^backup\.kmsEndpoint must be an http:\/\/ or https:\/\/ URL/,
    ],
    ['KMS endpoint not a URL', { kmsEndpoint: 'kms.internal' }, /^backup\.kmsEndpoint must be/],
    [
      'annotation value not a string',
      { serviceAccountAnnotations: { 'eks.amazonaws.com/role-arn': 1 } },
      /^backup\.serviceAccountAnnotations\.eks\.amazonaws\.com\/role-arn must be a string/,
    ],
    [
      'misspelt placeholder',
      { serviceAccountAnnotations: { 'eks.amazonaws.com/role-arn': 'arn:aws:iam::1:role/{tenant_name}' } },
      /^backup\.serviceAccountAnnotations\.eks\.amazonaws\.com\/role-arn: unknown placeholder \{tenant_name\}/,
    ],
    [
      'bad annotation key',
      { serviceAccountAnnotations: { 'not a key': 'x' } },
      /^backup\.serviceAccountAnnotations\.not a key: not a valid annotation key/,
    ],
    ['no egress CIDR', { egressCidrs: [] }, /^backup\.egressCidrs must list at least one CIDR/],
    ['egress host name', { egressCidrs: ['s3.amazonaws.com'] }, /^backup\.egressCidrs\[0\] must be a CIDR/],
    ['host bits set', { egressCidrs: ['10.20.0.1/24'] }, /^backup\.egressCidrs\[0\] must be written as 10\.20\.0\.0\/24/],
    ['leading zero', { egressExcept: ['010.0.0.0/8'] }, /^backup\.egressExcept\[0\] must be a CIDR/],
    ['IPv6 not canonical', { egressExcept: ['FC00:0:0::/7'] }, /^backup\.egressExcept\[0\] must be written as fc00::\/7/],
    ['prefix too long', { egressExcept: ['10.0.0.0/33'] }, /^backup\.egressExcept\[0\] has a prefix longer than 32/],
    [
      'egress to the metadata endpoint',
      { egressCidrs: ['169.254.169.254/32'] },
      /^backup\.egressCidrs\[0\] 169\.254\.169\.254\/32 lies in 169\.254\.0\.0\/16/,
    ],
    ['starting deadline too short', { startingDeadlineSeconds: 5 }, /^backup\.startingDeadlineSeconds must be an integer of at least 10/],
    [
      'backup deadline not a number',
      { backupDeadlineSeconds: '6h' },
      /^backup\.backupDeadlineSeconds must be an integer number of seconds/,
    ],
    ['restore deadline zero', { restoreDeadlineSeconds: 0 }, /^backup\.restoreDeadlineSeconds must be an integer number of seconds/],
    ['negative grace', { staleGraceSeconds: -1 }, /^backup\.staleGraceSeconds must be an integer/],
    ['zero throughput', { restoreBytesPerSecond: 0 }, /^backup\.restoreBytesPerSecond must be a positive number/],
    ['bad quantity', { resources: { requests: { memory: 'lots' } } }, /^backup\.resources\.requests\.memory must be a Kubernetes quantity/],
    ['relative mount path', { filesMountPath: 'files' }, /^backup\.filesMountPath must be an absolute path/],
    [
      'mount under /tmp',
      { filesMountPath: '/tmp/files' },
      /^backup\.filesMountPath must be an absolute path other than \/ and outside \/tmp/,
    ],
  ];
  for (const [name, backup, expected] of cases) {
    const found = problems(backup);
    assert.ok(
      found.some((p) => expected.test(p)),
      `${name}: got ${JSON.stringify(found)}`,
    );
  }
});

test('parseCidr reads both families and insists on the canonical form the API server stores', () => {
  const ok: [string, 4 | 6, number][] = [
    ['0.0.0.0/0', 4, 0],
    ['192.168.0.0/16', 4, 16],
    ['203.0.113.7/32', 4, 32],
    ['::/0', 6, 0],
    ['2001:db8::/32', 6, 32],
    ['fd00:ec2::23/128', 6, 128],
    ['2001:db8:0:1::/64', 6, 64],
  ];
  for (const [text, family, prefix] of ok) {
    const c = parseCidr(text);
    assert.ok(typeof c !== 'string', `${text}: ${String(c)}`);
    assert.equal(c.family, family, text);
    assert.equal(c.prefix, prefix, text);
  }
  const bad: [string, RegExp][] = [
    ['10.0.0.0', /must be a CIDR/],
    ['10.0.0/8', /must be a CIDR/],
    ['256.0.0.0/8', /must be a CIDR/],
    ['10.0.0.0/08', /must be a CIDR/],
    ['2001:db8::1::/64', /must be a CIDR/],
    ['2001:0db8::/32', /must be written as 2001:db8::\/32/],
    // RFC 5952: the longest run of zero groups is the one written as ::.
    ['2001:db8:0:0:1:0:0:0/128', /must be written as 2001:db8:0:0:1::\/128/],
    ['::/129', /prefix longer than 128/],
  ];
  for (const [text, expected] of bad) {
    const c = parseCidr(text);
    assert.equal(typeof c, 'string', text);
    assert.match(c as string, expected, text);
  }
});

test("review 8: with workload identity a restore into a new tenant runs as an account carrying the source's identity, which the target keeps only while that restore runs", () => {
  const backup = { serviceAccountAnnotations: { 'eks.amazonaws.com/role-arn': 'arn:aws:iam::123456789012:role/tenantry-backup-{tenant}' } };
  const target = ctxFor('postgres', backup, 'acme-copy');
  const policy = fixturePolicy();
  const job = buildRestoreJob(target, policy, restoreOf('copy', { newTenant: 'acme-copy' }), BACKUP_ID);
  assert.equal(jobPod(job).serviceAccountName, restoreSourceServiceAccount('acme'));
  const during = buildBackupResources(target, policy, { hasCredentialsSecret: false, restoreInProgress: true, restoreSource: 'acme' });
  const account = find(during, 'ServiceAccount', restoreSourceServiceAccount('acme'));
  assert.deepEqual(account.metadata.annotations, { 'eks.amazonaws.com/role-arn': 'arn:aws:iam::123456789012:role/tenantry-backup-acme' });
  assert.equal(account.metadata.namespace, 'tenant-acme-copy');
  assert.equal((account as unknown as Json).automountServiceAccountToken, false);
  // The target's own backups keep the target's identity.
  assert.deepEqual(find(during, 'ServiceAccount', 'backup').metadata.annotations, {
    'eks.amazonaws.com/role-arn': 'arn:aws:iam::123456789012:role/tenantry-backup-acme-copy',
  });
  // Without a restore from another tenant there is no such account; in place, the Job runs as `backup`.
  assert.equal(buildBackupResources(target, policy, { hasCredentialsSecret: false }).filter((m) => m.kind === 'ServiceAccount').length, 1);
  assert.equal(jobPod(buildRestoreJob(ctxFor('postgres', backup), policy, restoreOf('r'), BACKUP_ID)).serviceAccountName, 'backup');
  // Static credentials are the policy's, the same for source and target: no second identity.
  const withKeys = fixturePolicy({}, { credentialsSecretRef: { name: 's3' } });
  assert.equal(
    jobPod(buildRestoreJob(target, withKeys, restoreOf('copy', { newTenant: 'acme-copy' }), BACKUP_ID)).serviceAccountName,
    'backup',
  );
  assert.equal(
    buildBackupResources(target, withKeys, { hasCredentialsSecret: true, restoreSource: 'acme' }).filter((m) => m.kind === 'ServiceAccount')
      .length,
    1,
  );
});
