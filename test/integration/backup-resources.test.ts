// Integration test of the backup builders against a real API server: for each database engine,
// with static credentials and with workload identity, the backup ServiceAccount, NetworkPolicies,
// CronJob, credentials Secret and a restore Job of a real Tenant are accepted without a warning and
// stored as built, and the pods of the CronJob's job template and of the restore Job are admitted by
// Pod Security "restricted", the ServiceAccount admission and the tenant's quota in its namespace.
// Names carry a suffix unique to this run, so the file can run next to others on one cluster.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { BackupPolicy, Restore, Tenant } from '../../src/api/generated/index.js';
import {
  buildBackupCredentialsSecret,
  buildBackupResources,
  buildContext,
  buildDesiredState,
  buildRestoreJob,
  isBuildContextError,
  restoreJobName,
  type BuildContext,
  type Manifest,
} from '../../src/resources/index.js';
import { kubectl, kubectlOk } from '../support/kubectl.js';
import { apply, assertStoredAsBuilt, waitForQuota } from '../support/stored.js';
import { fixturePolicy } from '../support/policy-fixture.js';
import { ENGINES, fixtureConfig, fixtureTenant } from '../support/resources-fixture.js';
import { installTenantryCrds } from '../support/prerequisites.js';

type Json = Record<string, unknown>;

const RUN = randomBytes(3).toString('hex');
const FIELD_MANAGER = 'tenantry';
const BACKUP_ID = '20261126T020000Z-a1b2c3';
const KEYS = {
  AWS_ACCESS_KEY_ID: Buffer.from('AKIDEXAMPLE').toString('base64'),
  AWS_SECRET_ACCESS_KEY: Buffer.from('integration-secret').toString('base64'),
};
const createdTenants: string[] = [];

/** Backup settings that exercise every optional part: workload identity, an http:// KMS endpoint (with its flag), dual-stack egress. */
const BACKUP_CONFIG = {
  serviceAccountAnnotations: { 'eks.amazonaws.com/role-arn': 'arn:aws:iam::111122223333:role/tenantry-backup-{tenant}' },
  kmsEndpoint: 'http://kms.example.internal:4566',
  allowInsecureKmsEndpoint: true,
  egressCidrs: ['0.0.0.0/0', '::/0'],
  egressExcept: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7'],
};

/** Applies manifests with server-side apply (dry-run or for real) and returns what the API server stored, in order. */
/** Creates an object of our API as a server-side dry run and returns it as the API server would store it (defaults applied). */
async function asStored<T>(obj: T): Promise<T> {
  return JSON.parse(await kubectlOk(['create', '--dry-run=server', '-o', 'json', '-f', '-'], JSON.stringify(obj))) as T;
}

/** Returns a Pod made from a pod template, in a namespace. */
function podFrom(template: { metadata: { labels: Json }; spec: Json }, namespace: string, name: string): Json {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace, labels: template.metadata.labels }, spec: template.spec };
}

/** Creates a Pod as a server-side dry run; asserts it is admitted without a Pod Security warning and returns it as admitted. */
async function admitted(pod: Json, what: string): Promise<Json> {
  const r = await kubectl(['create', '--dry-run=server', '-o', 'json', '-f', '-'], JSON.stringify(pod));
  assert.equal(r.code, 0, `${what}: pod refused: ${r.stderr}`);
  assert.doesNotMatch(r.stderr, /violate|PodSecurity|warning/i, `${what}: admitted with a warning`);
  return JSON.parse(r.stdout) as Json;
}

/** The policy the tests store: the fixture as a user writes it, so the CRD's defaults (verify, suspend) fill it in. */
function policyAsWritten(name: string, credentials: boolean): BackupPolicy {
  const p = fixturePolicy(
    {
      timeZone: 'Europe/Dublin',
      kms: { keys: [{ region: 'eu-west-1', keyId: 'alias/tenantry-test' }] },
      retention: { keepDaily: 7, keepLast: 3 },
    },
    {
      prefix: 'tenantry/test',
      endpoint: 'http://s3.example.internal:9000',
      ...(credentials ? { credentialsSecretRef: { name: 's3-credentials' } } : {}),
    },
    { name },
  );
  delete p.metadata.uid;
  delete p.spec.verify;
  delete p.spec.suspend;
  return p;
}

void describe('backup builders against the API server', () => {
  before(async () => {
    await installTenantryCrds('tenants', 'backuppolicies', 'restores');
  });

  after(async () => {
    // The namespaces go with their Tenants (owner references).
    for (const name of createdTenants) await kubectl(['delete', 'tenant', name, '--ignore-not-found', '--wait=false']);
  });

  for (const engine of ENGINES) {
    for (const credentials of [false, true]) {
      test(`${engine}, ${credentials ? 'static credentials' : 'workload identity'}: accepted, stored as built, backup and restore pods admitted as restricted`, async () => {
        const name = `bk-${RUN}-${engine === 'postgres' ? 'pg' : 'my'}-${credentials ? 'keys' : 'wi'}`;
        const { uid: _uid, generation: _generation, ...metadata } = fixtureTenant(name, engine).metadata;
        const tenant = JSON.parse(
          await kubectlOk(['create', '-o', 'json', '-f', '-'], JSON.stringify({ ...fixtureTenant(name, engine), metadata })),
        ) as Tenant;
        createdTenants.push(name);
        const built = buildContext(tenant, fixtureConfig('nginx', { backup: BACKUP_CONFIG }));
        if (isBuildContextError(built)) throw new Error(built.error);
        const ctx: BuildContext = built;

        // The policy and the Restore as the API server stores them: CRD defaults (verify, suspend) included.
        const policy = await asStored(policyAsWritten(`${name}-policy`, credentials));
        assert.equal(policy.spec.verify, true, 'the CRD defaults verify');
        // A long, dotted name: the Job's name must be shortened and made a DNS label.
        const restoreName = `${'point-in-time.'.repeat(6)}${name}`;
        const restore = await asStored<Restore>({
          apiVersion: 'tenantry.io/v1alpha1',
          kind: 'Restore',
          metadata: { name: restoreName },
          spec: { tenant: name, target: { inPlace: true } },
        });
        assert.equal(restore.spec.backupId, 'latest');

        // The tenant's namespace for real (Pod Security "restricted" enforced by its labels), and
        // what pod admission depends on: the ServiceAccounts, the LimitRange and the quota.
        const desired = buildDesiredState(ctx);
        const namespace = desired.find((m) => m.kind === 'Namespace')!;
        assert.equal(namespace.metadata.labels['pod-security.kubernetes.io/enforce'], 'restricted');
        assertStoredAsBuilt([namespace], await apply([namespace], false));
        const backup = buildBackupResources(ctx, policy, { hasCredentialsSecret: credentials });
        const real = [
          ...desired.filter((m) => ['LimitRange', 'ResourceQuota'].includes(m.kind)),
          ...backup.filter((m) => m.kind === 'ServiceAccount'),
        ];
        assertStoredAsBuilt(real, await apply(real, false));
        // Applying the same again changes nothing: what is stored is what we built.
        assertStoredAsBuilt(real, await apply(real, false));

        // Everything else as a server-side dry run: validated by the API server as it would be created.
        const job = buildRestoreJob(ctx, policy, restore, BACKUP_ID);
        assert.equal(job.metadata.name, restoreJobName(restoreName));
        const dry = [
          ...backup.filter((m) => m.kind !== 'ServiceAccount'),
          job,
          ...(credentials ? [buildBackupCredentialsSecret(ctx, KEYS)] : []),
        ];
        assertStoredAsBuilt(dry, await apply(dry, true));

        // The pods of both: admitted by Pod Security "restricted", the ServiceAccount admission and the quota.
        await waitForQuota(ctx.namespace, 'plan');
        const cron: Manifest = backup.find((m) => m.kind === 'CronJob')!;
        const restoreJob: Manifest = job;
        const cronTemplate = (cron.spec as { jobTemplate: { spec: { template: { metadata: { labels: Json }; spec: Json } } } }).jobTemplate
          .spec.template;
        const jobTemplate = (restoreJob.spec as { template: { metadata: { labels: Json }; spec: Json } }).template;
        for (const [what, template] of [
          ['backup', cronTemplate],
          ['restore', jobTemplate],
        ] as const) {
          const pod = await admitted(podFrom(template, ctx.namespace, `${what}-probe`), `${what} pod`);
          const spec = pod.spec as { volumes: Json[]; containers: Json[] };
          // No API token reaches the agent: it needs no Kubernetes access.
          assert.deepEqual(
            spec.volumes.map((v) => v.name),
            ['files', 'tmp'],
            `${what}: no service account token volume`,
          );
          assert.equal(spec.containers.length, 1);
          // The tenant's quota counts node disk: the agent states its ephemeral storage.
          assert.ok(
            ((spec.containers[0]!.resources as Json | undefined)?.limits as Json | undefined)?.['ephemeral-storage'],
            `${what}: no ephemeral-storage limit`,
          );
        }

        // The check can fail: a privileged agent pod is refused by the namespace's enforce label.
        const bad = podFrom(cronTemplate, ctx.namespace, 'privileged-probe') as { spec: { containers: Json[] } };
        bad.spec.containers[0]!.securityContext = {
          ...(bad.spec.containers[0]!.securityContext as Json),
          privileged: true,
          allowPrivilegeEscalation: true,
        };
        const refused = await kubectl(['create', '--dry-run=server', '-f', '-'], JSON.stringify(bad));
        assert.notEqual(refused.code, 0, 'a privileged pod was admitted');
        assert.match(refused.stderr, /restricted/);
      });
    }
  }

  test("the API server refuses a CronJob whose time zone it does not know (the builder passes the policy's through)", async () => {
    const ctx = buildContext(fixtureTenant(`bk-${RUN}-tz`, 'postgres'), fixtureConfig('nginx'));
    if (isBuildContextError(ctx)) throw new Error(ctx.error);
    const policy = policyAsWritten(`bk-${RUN}-tz`, false);
    policy.spec.timeZone = 'Mars/Olympus_Mons';
    const cron = buildBackupResources(ctx, policy, { hasCredentialsSecret: false }).find((m) => m.kind === 'CronJob')!;
    // In a namespace that exists, so that validation, not namespace admission, answers.
    const probe = { ...cron, metadata: { ...cron.metadata, namespace: 'default' } };
    const r = await kubectl(
      ['apply', '--server-side', '--dry-run=server', `--field-manager=${FIELD_MANAGER}`, '-f', '-'],
      JSON.stringify(probe),
    );
    assert.notEqual(r.code, 0, 'an unknown time zone was accepted');
    assert.match(r.stderr, /timeZone/);
  });
});
