// The operator's side of backups against the real API server and the real bucket: a tenant with
// a BackupPolicy gets its CronJob, credentials and network policies; BackupHealthy and
// status.lastBackup follow the newest verified manifest in S3 (not Job counters); a policy of
// another region is refused; a Restore holds the app at zero and starts the restore Job.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import type { BackupPolicy, Restore, Tenant } from '../../src/api/generated/index.js';
import { applyObjects, condition, eventually, getJson, testTenant } from '../support/cluster.js';
import { auditMark, auditSince, isWrite } from '../support/audit.js';
import { runAgent } from '../support/agent.js';
import {
  agentEnv,
  backupOperatorConfig,
  createS3CredentialsSecret,
  dbTarget,
  need,
  seedDatabase,
  seedFiles,
  servicesPolicy,
} from '../support/backup-env.js';
import { kubectlOk } from '../support/kubectl.js';
import { metricValue, startOperator, testConfig, type TestOperator } from '../support/operator.js';
import { ENCRYPTED_CLASS, installPrerequisites } from '../support/prerequisites.js';

const RUN = randomBytes(3).toString('hex');
const SELECTOR = `tenantry.io/test=${RUN}-backup`;
const [LABEL_KEY, LABEL_VALUE] = SELECTOR.split('=') as [string, string];
const CREDS = `backup-creds-${RUN}`;
const POLICY = `nightly-${RUN}`;
const PREFIX = `op-${RUN}`;

function policy(name: string, region: 'eu-west-1' | 'eu-central-1'): BackupPolicy {
  return servicesPolicy(name, { prefix: PREFIX, credentialsSecret: CREDS, region, timeZone: 'Europe/Berlin' });
}

describe('operator: backups', () => {
  let op: TestOperator;
  const name = `b-${RUN}`;
  const ns = `tenant-${name}`;

  before(async () => {
    await installPrerequisites();
    const config = backupOperatorConfig(testConfig('nginx', ENCRYPTED_CLASS), ENCRYPTED_CLASS);
    await createS3CredentialsSecret(CREDS);
    await applyObjects([policy(POLICY, 'eu-west-1'), policy(`${POLICY}-frankfurt`, 'eu-central-1')]);
    op = await startOperator({ identity: `backup-${RUN}`, config, tenantSelector: SELECTOR, resyncSeconds: 3 });
  });
  after(async () => {
    await op?.stop();
  });

  test('a tenant with a policy gets its backup CronJob, ServiceAccount, network policies and a copy of the S3 credentials', async () => {
    await applyObjects([testTenant(name, { [LABEL_KEY]: LABEL_VALUE }, { region: 'eu-west-1', backupPolicyRef: { name: POLICY } })]);
    const cron = await eventually('backup CronJob', () =>
      getJson<{ spec: { schedule: string; timeZone: string; concurrencyPolicy: string; suspend?: boolean } }>('cronjob', 'backup', ns),
    );
    assert.equal(cron.spec.schedule, '0 2 * * *');
    assert.equal(cron.spec.timeZone, 'Europe/Berlin');
    assert.equal(cron.spec.concurrencyPolicy, 'Forbid');
    assert.ok(await getJson('serviceaccount', 'backup', ns));
    assert.ok(await getJson('networkpolicy', 'allow-backup-egress', ns));
    const secret = await getJson<{ data: Record<string, string> }>('secret', 'backup-credentials', ns);
    assert.equal(Buffer.from(secret?.data['AWS_ACCESS_KEY_ID'] ?? '', 'base64').toString(), need('TENANTRY_S3_ACCESS_KEY_ID'));
    const t = await eventually('BackupHealthy reported', async () => {
      const got = await getJson<Tenant>('tenant', name);
      return condition(got, 'BackupHealthy') ? got : undefined;
    });
    assert.equal(condition(t, 'BackupHealthy')?.status, 'Unknown');
    assert.equal(condition(t, 'BackupHealthy')?.reason, 'NoBackupYet');
  });

  test("the BackupPolicy's status counts its tenants and shows the next run", async () => {
    const p = await eventually('policy status', async () => {
      const got = await getJson<BackupPolicy>('backuppolicy', POLICY);
      return got?.status?.tenants === 1 && got.status.nextRunTime ? got : undefined;
    });
    assert.equal(p.status?.conditions?.find((c) => c.type === 'ScheduleValid')?.status, 'True');
    assert.ok(new Date(p.status!.nextRunTime!).getTime() > Date.now());
  });

  test('a verified backup in the bucket (found when a backup Job appears) turns BackupHealthy True and fills status.lastBackup', async () => {
    const db = dbTarget('postgres', `app_op_${RUN}`);
    await seedDatabase(db, 100);
    const files = seedFiles();
    try {
      const r = await runAgent(['backup', 'run'], agentEnv(name, db, files, { TENANTRY_BACKUP_PREFIX: PREFIX }));
      assert.equal(r.code, 0, r.stderr.slice(-2000));
      const id = String(r.result?.['backupId']);
      // The Job the CronJob would start; its appearance makes the operator look at the bucket again.
      await kubectlOk(['create', 'job', '--from=cronjob/backup', `manual-${RUN}`, '-n', ns]);
      const t = await eventually('lastBackup', async () => {
        const got = await getJson<Tenant>('tenant', name);
        return got?.status?.lastBackup?.id === id ? got : undefined;
      });
      assert.equal(condition(t, 'BackupHealthy')?.status, 'True');
      assert.equal(condition(t, 'BackupHealthy')?.reason, 'BackupFresh');
      assert.equal(t.status?.lastBackup?.verified, true);
      assert.ok((t.status?.lastBackup?.sizeBytes ?? 0) > 0);
      assert.ok(condition(t, 'RestoreWithinObjective'), 'the restore projection is reported');
      assert.ok((await metricValue(op.healthPort, `tenantry_backup_last_success_timestamp_seconds{tenant="${name}"}`)) > 0);
    } finally {
      rmSync(files, { recursive: true, force: true });
    }
  });

  test('a converged tenant with backups makes no writes on resync', async () => {
    await new Promise((r) => setTimeout(r, 4000));
    const mark = auditMark();
    await new Promise((r) => setTimeout(r, 8000));
    const writes = auditSince(mark).filter((e) => e.user.username === `backup-${RUN}` && isWrite(e));
    assert.deepEqual(
      writes.map((e) => `${e.verb} ${e.objectRef?.resource}/${e.objectRef?.name}`),
      [],
    );
  });

  test('a policy of another region is refused: no CronJob, BackupHealthy False naming the regions', async () => {
    const other = `x-${RUN}`;
    await applyObjects([
      testTenant(other, { [LABEL_KEY]: LABEL_VALUE }, { region: 'eu-west-1', backupPolicyRef: { name: `${POLICY}-frankfurt` } }),
    ]);
    const t = await eventually('PolicyRegionMismatch', async () => {
      const got = await getJson<Tenant>('tenant', other);
      return condition(got, 'BackupHealthy')?.reason === 'PolicyRegionMismatch' ? got : undefined;
    });
    assert.equal(condition(t, 'BackupHealthy')?.status, 'False');
    assert.match(condition(t, 'BackupHealthy')?.message ?? '', /eu-central-1.*eu-west-1/);
    assert.equal(await getJson('cronjob', 'backup', `tenant-${other}`), undefined);
  });

  test('an in-place Restore holds the app at zero, suspends backups and starts the restore Job with the resolved backup', async () => {
    const restore: Restore = {
      apiVersion: 'tenantry.io/v1alpha1',
      kind: 'Restore',
      metadata: { name: `r-${RUN}` },
      spec: { tenant: name, backupId: 'latest', target: { inPlace: true } },
    };
    await applyObjects([restore]);
    const job = await eventually(
      'restore Job',
      () => getJson<{ spec: { template: { spec: { containers: { args: string[] }[] } } } }>('job', `restore-r-${RUN}`, ns),
      60_000,
    );
    const t = await getJson<Tenant>('tenant', name);
    const args = job.spec.template.spec.containers[0]!.args;
    assert.deepEqual(args.slice(0, 2), ['restore', '--backup']);
    assert.equal(args[2], t?.status?.lastBackup?.id);
    const dep = await getJson<{ spec: { replicas: number } }>('deployment', 'app', ns);
    assert.equal(dep?.spec.replicas, 0);
    const cron = await getJson<{ spec: { suspend: boolean } }>('cronjob', 'backup', ns);
    assert.equal(cron?.spec.suspend, true);
    const r = await eventually('Restore Running', async () => {
      const got = await getJson<Restore>('restore', `r-${RUN}`);
      return got?.status?.phase === 'Running' ? got : undefined;
    });
    assert.equal(r.status?.backupId, args[2]);
    assert.equal((await getJson<Tenant>('tenant', name))?.status?.phase, 'Restoring');
  });
});
