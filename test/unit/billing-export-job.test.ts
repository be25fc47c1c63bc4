// The billing-export Job: the backup agent's pod (image, ServiceAccount, credentials, database and
// files access, backup NetworkPolicies by label) running `tenantry backup export-billing` with the
// region's archive bucket and billing key, never the tenant's key.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Tenant } from '../../src/api/generated/index.js';
import { COMPONENT_LABEL, TENANT_LABEL } from '../../src/api/names.js';
import {
  BILLING_EXPORT_BACKOFF_LIMIT,
  BILLING_EXPORT_JOB_NAME,
  BILLING_SCRATCH_SIZE,
  billingExportJobError,
  buildBackupNetworkPolicies,
  buildBillingExportJob,
  buildContext,
  DEFAULT_BILLING_RETAIN_DAYS,
  isBuildContextError,
  type BillingRegionConfig,
  type BuildContext,
} from '../../src/resources/index.js';
import { assertOwnedByAcme, fixtureConfig, fixtureTenant } from '../support/resources-fixture.js';
import { fixturePolicy } from '../support/policy-fixture.js';

const ARCHIVE = { archiveBucket: 'tenantry-archive-eu-west-1', billingKmsKeyId: 'alias/tenantry-billing-eu-west-1' };

function ctxFor(
  billingExport: NonNullable<Tenant['spec']['lifecycle']>['billingExport'],
  region: Partial<BillingRegionConfig> = {},
): BuildContext {
  const ctx = buildContext(
    fixtureTenant('acme', 'postgres', { lifecycle: { deletionProtection: false, ...(billingExport ? { billingExport } : {}) } }),
    fixtureConfig('nginx'),
  );
  if (isBuildContextError(ctx)) throw new Error(ctx.error);
  return { ...ctx, region: { ...ctx.region, ...ARCHIVE, ...region } };
}

const envOf = (job: ReturnType<typeof buildBillingExportJob>) =>
  Object.fromEntries((job.spec!.template.spec!.containers[0]!.env ?? []).map((e) => [e.name, e.value]));

test('the Job runs the agent with the billing settings, under the deterministic name, owned by the Tenant', () => {
  const ctx = ctxFor({ tables: ['invoices', 'billing.payments'], paths: ['invoices, 2026', 'ledger'] });
  const job = buildBillingExportJob(ctx, fixturePolicy());
  assert.equal(job.metadata.name, BILLING_EXPORT_JOB_NAME);
  assert.equal(job.metadata.namespace, 'tenant-acme');
  assertOwnedByAcme(job, ctx.tenant, 'Job/billing-export');
  assert.equal(job.spec?.backoffLimit, BILLING_EXPORT_BACKOFF_LIMIT);
  assert.equal(job.spec?.activeDeadlineSeconds, ctx.config.backup.backupDeadlineSeconds);
  const pod = job.spec!.template.spec!;
  const c = pod.containers[0]!;
  assert.deepEqual(c.args, ['backup', 'export-billing']);
  assert.equal(c.image, ctx.config.images.agent);
  assert.equal(pod.serviceAccountName, 'backup');
  assert.equal(pod.restartPolicy, 'Never');
  const env = envOf(job);
  assert.equal(env['TENANTRY_TENANT'], 'acme');
  assert.equal(env['TENANTRY_TENANT_UID'], ctx.tenant.metadata.uid);
  assert.equal(env['TENANTRY_ARCHIVE_BUCKET'], ARCHIVE.archiveBucket);
  assert.equal(env['TENANTRY_BILLING_KMS_KEY_ID'], ARCHIVE.billingKmsKeyId);
  assert.notEqual(env['TENANTRY_BILLING_KMS_KEY_ID'], env['TENANTRY_KMS_KEY_ID']);
  assert.equal(env['TENANTRY_BILLING_RETAIN_DAYS'], String(DEFAULT_BILLING_RETAIN_DAYS));
  assert.ok(DEFAULT_BILLING_RETAIN_DAYS * 86400_000 >= Date.UTC(2033, 0, 1) - Date.UTC(2026, 0, 1), 'at least 7 calendar years');
  assert.deepEqual(JSON.parse(env['TENANTRY_BILLING_TABLES']!), ['billing.payments', 'invoices']);
  assert.deepEqual(JSON.parse(env['TENANTRY_BILLING_PATHS']!), ['invoices, 2026', 'ledger']);
  // Read-only files and the database Secret, as the backup agent has them.
  assert.equal(c.volumeMounts?.find((m) => m.name === 'files')?.readOnly, true);
  assert.deepEqual(c.envFrom?.[0], { secretRef: { name: 'database-credentials' } });
  assert.equal(pod.volumes?.find((v) => v.name === 'tmp')?.emptyDir?.sizeLimit, BILLING_SCRATCH_SIZE);
});

test("the backup NetworkPolicies select the Job's pods (egress to S3/KMS, to the database)", () => {
  const ctx = ctxFor({ tables: ['invoices'] });
  const policy = fixturePolicy();
  const labels = buildBillingExportJob(ctx, policy).spec!.template.metadata!.labels!;
  assert.equal(labels[TENANT_LABEL], 'acme');
  assert.equal(labels[COMPONENT_LABEL], 'backup');
  for (const np of buildBackupNetworkPolicies(ctx, policy).filter((n) => n.metadata.name !== 'allow-database-from-backup')) {
    const want = np.spec!.podSelector.matchLabels!;
    for (const [k, v] of Object.entries(want)) assert.equal(labels[k], v, `${np.metadata.name} selects ${k}=${v}`);
  }
});

test('static credentials of the policy are referenced, as for a backup', () => {
  const job = buildBillingExportJob(ctxFor({ paths: ['invoices'] }), fixturePolicy({}, { credentialsSecretRef: { name: 's3' } }));
  const env = envOf(job);
  assert.equal(env['TENANTRY_BILLING_TABLES'], undefined);
  assert.deepEqual(job.spec!.template.spec!.containers[0]!.envFrom?.[1], { secretRef: { name: 'backup-credentials' } });
});

test('the same Tenant builds the same Job, whatever the order of its lists', () => {
  const a = buildBillingExportJob(ctxFor({ tables: ['b', 'a'] }), fixturePolicy());
  const b = buildBillingExportJob(ctxFor({ tables: ['a', 'b'] }), fixturePolicy());
  assert.deepEqual(a, b);
});

test('no Job without anything to export, without the region archive settings, or with a policy of another region', () => {
  assert.match(
    billingExportJobError(ctxFor(undefined)) ?? '',
    /has no spec.lifecycle.billingExport tables or paths: it is erased without an export/,
  );
  assert.match(billingExportJobError(ctxFor({ tables: [], paths: [] })) ?? '', /no spec.lifecycle.billingExport/);
  assert.match(billingExportJobError(ctxFor({ tables: ['t'] }, { archiveBucket: '' })) ?? '', /region eu-west-1 has no archiveBucket/);
  assert.throws(() => buildBillingExportJob(ctxFor({ tables: ['t'] }, { billingKmsKeyId: '' }), fixturePolicy()), /has no billingKmsKeyId/);
  assert.throws(() => buildBillingExportJob(ctxFor({ tables: ['t'] }), fixturePolicy({}, { region: 'us-east-1' })), /backups never leave/);
  assert.throws(() => buildBillingExportJob(ctxFor({ tables: ['t'] }), fixturePolicy(), { retainDays: 0 }), /not a whole number of days/);
  assert.equal(billingExportJobError(ctxFor({ tables: ['t'] })), undefined);
});
