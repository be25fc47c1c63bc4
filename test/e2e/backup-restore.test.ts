// Backups and restores end to end through the objects Kubernetes runs: the operator's CronJob
// becomes a Job, the Job controller makes a Pod, and that Pod's own spec (args, env, Secrets) runs
// the agent against the real PostgreSQL server, S3 bucket and KMS; the Pod's outcome finishes the
// Job, which the operator turns into status.lastBackup, and a Restore goes the same way through its
// own Job. The control plane has no kubelet, so test/support/pod-executor.ts plays its part.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Restore, Tenant } from '../../src/api/generated/index.js';
import type { DatabaseTarget } from '../../src/backup/engines/index.js';
import { defaultConfig } from '../../src/config.js';
import { RESTORED_FROM_LABEL } from '../../src/controller/restore-plan.js';
import {
  APP_NAME,
  DATABASE_NAME,
  DATABASE_SECRET_NAME,
  DATABASE_SERVICE_NAME,
  DATABASE_USER,
  restoreJobName,
} from '../../src/resources/index.js';
import { startExtraPostgres } from '../env/services.js';
import {
  backupOperatorConfig,
  createS3CredentialsSecret,
  deleteS3CredentialsSecret,
  dbTarget,
  need,
  seedFiles,
  servicesPolicy,
  sql,
} from '../support/backup-env.js';
import { applyObjects, condition, eventually, getJson, testTenant } from '../support/cluster.js';
import { kubectl, kubectlOk } from '../support/kubectl.js';
import { startOperator, testConfig, type TestOperator } from '../support/operator.js';
import { shippedOperatorKubeconfig } from '../support/rbac.js';
import { jobPod, runPodLocally, type LocalPodOptions } from '../support/pod-executor.js';
import { ENCRYPTED_CLASS, installPrerequisites } from '../support/prerequisites.js';

const RUN = randomBytes(3).toString('hex');
const SELECTOR = `tenantry.io/test=${RUN}-e2e`;
const [LABEL_KEY, LABEL_VALUE] = SELECTOR.split('=') as [string, string];
const CREDS = `e2e-creds-${RUN}`;
const POLICY = `e2e-${RUN}`;
const PREFIX = `e2e-${RUN}`;
const NAME = `e2e-${RUN}`;
const NS = `tenant-${NAME}`;
const RESTORE = `r-${RUN}`;
const COPY = `e2e-copy-${RUN}`;
const COPY_NS = `tenant-${COPY}`;
const RESTORE_COPY = `r-copy-${RUN}`;
const ROWS = 250;
/** Jobs, Pods and the operator's reactions each take a few seconds on a loaded two-core machine. */
const WAIT_MS = 60_000;

interface JobJson {
  status?: { conditions?: { type: string; status: string }[]; succeeded?: number; failed?: number };
}
interface DeploymentJson {
  spec: { replicas?: number };
}

/** Waits for a Job to finish and asserts that it completed (rather than failed). */
async function jobComplete(name: string, ns = NS): Promise<void> {
  const has = (job: JobJson | undefined, type: string) =>
    job?.status?.conditions?.some((c) => c.type === type && c.status === 'True') ?? false;
  const job = await eventually(
    `Job ${ns}/${name} finished`,
    async () => {
      const got = await getJson<JobJson>('job', name, ns);
      return has(got, 'Complete') || has(got, 'Failed') ? got : undefined;
    },
    WAIT_MS,
  );
  assert.ok(has(job, 'Complete'), `Job ${name}: ${JSON.stringify(job.status)}`);
}

describe('e2e: backup and restore through CronJob, Job and Pod', () => {
  let op: TestOperator | undefined;
  let files = '';
  let app: DatabaseTarget;
  let admin: DatabaseTarget;
  let local: LocalPodOptions;
  let backupId = '';

  before(async () => {
    await installPrerequisites();
    const config = backupOperatorConfig(testConfig('nginx', ENCRYPTED_CLASS), ENCRYPTED_CLASS);
    await createS3CredentialsSecret(CREDS);
    const policy = servicesPolicy(POLICY, { prefix: PREFIX, credentialsSecret: CREDS });
    await applyObjects([policy]);
    // The operator runs with the shipped RBAC, so every step below proves the install grants enough.
    op = await startOperator({
      identity: `e2e-backup-${RUN}`,
      config,
      tenantSelector: SELECTOR,
      resyncSeconds: 5,
      kubeconfig: await shippedOperatorKubeconfig(),
    });
    files = seedFiles();
    local = {
      volumes: { [defaultConfig().backup.filesMountPath]: files },
      hosts: { [`${DATABASE_SERVICE_NAME}.${NS}.svc`]: { host: need('TENANTRY_PG_HOST'), port: Number(need('TENANTRY_PG_PORT')) } },
      ...(process.env.TENANTRY_PG_BINDIR ? { pgBinDir: process.env.TENANTRY_PG_BINDIR } : {}),
    };
  });

  after(async () => {
    await op?.stop();
    await kubectl(['delete', 'restore', RESTORE, RESTORE_COPY, '--ignore-not-found', '--wait=false']);
    await kubectl(['delete', 'tenant', NAME, COPY, '--ignore-not-found', '--wait=false']);
    await kubectl(['delete', 'backuppolicy', POLICY, '--ignore-not-found', '--wait=false']);
    await deleteS3CredentialsSecret(CREDS);
    if (admin) {
      await sql(admin, `DROP DATABASE IF EXISTS ${DATABASE_NAME} WITH (FORCE);`, 'postgres');
      await sql(admin, `DROP ROLE IF EXISTS ${DATABASE_USER};`, 'postgres');
    }
    if (files) rmSync(files, { recursive: true, force: true });
  });

  test("the tenant's database is the test server, reached with the credentials the operator generated", async () => {
    await applyObjects([
      testTenant(
        NAME,
        { [LABEL_KEY]: LABEL_VALUE },
        { region: 'eu-west-1', database: { engine: 'postgres' }, backupPolicyRef: { name: POLICY } },
      ),
    ]);
    await eventually('backup CronJob', () => getJson('cronjob', 'backup', NS), WAIT_MS);
    const secret = await eventually(
      'database Secret',
      () => getJson<{ data: Record<string, string> }>('secret', DATABASE_SECRET_NAME, NS),
      WAIT_MS,
    );
    const value = (k: string) => Buffer.from(secret.data[k] ?? '', 'base64').toString('utf8');
    assert.equal(value('DATABASE_USER'), DATABASE_USER);
    assert.equal(value('DATABASE_NAME'), DATABASE_NAME);
    // In Tenantry the app user is its own server's superuser (the image's POSTGRES_USER); on the
    // shared test server the role is made the same, with the generated password.
    admin = dbTarget('postgres', 'postgres');
    const password = value('DATABASE_PASSWORD').replace(/'/g, "''");
    await sql(admin, `DROP DATABASE IF EXISTS ${DATABASE_NAME} WITH (FORCE);`);
    await sql(
      admin,
      `DO $$BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${DATABASE_USER}') THEN CREATE ROLE ${DATABASE_USER}; END IF; END$$;`,
    );
    await sql(admin, `ALTER ROLE ${DATABASE_USER} WITH LOGIN SUPERUSER PASSWORD '${password}';`);
    await sql(admin, `CREATE DATABASE ${DATABASE_NAME} OWNER ${DATABASE_USER};`);
    app = { ...admin, user: DATABASE_USER, password: value('DATABASE_PASSWORD'), database: DATABASE_NAME };
    await sql(
      app,
      `CREATE TABLE notes (id int PRIMARY KEY, body text NOT NULL); INSERT INTO notes SELECT g, 'note ' || g FROM generate_series(1, ${ROWS}) g;`,
    );
    assert.equal((await sql(app, 'SELECT count(*) FROM notes;')).trim(), String(ROWS));
  });

  test('a Job from the CronJob runs the agent from its Pod spec; its completion fills status.lastBackup', async () => {
    const started = Date.now();
    await kubectlOk(['create', 'job', '--from=cronjob/backup', 'e2e-backup-1', '-n', NS]);
    const pod = await jobPod(NS, 'e2e-backup-1', WAIT_MS);
    const r = await runPodLocally(NS, pod, local);
    assert.equal(r.exitCode, 0, r.stderr.slice(-3000));
    // The agent got its settings from the Pod: the tenant's own credentials and the policy's bucket.
    assert.equal(r.env.DATABASE_USER, DATABASE_USER);
    assert.equal(r.env.TENANTRY_BACKUP_PREFIX, PREFIX);
    assert.equal(r.env.TENANTRY_TENANT, NAME);
    backupId = String(r.result?.['backupId']);
    assert.match(backupId, /\S/);
    await jobComplete('e2e-backup-1');
    const t = await eventually(
      'status.lastBackup of the new backup',
      async () => {
        const got = await getJson<Tenant>('tenant', NAME);
        return got?.status?.lastBackup?.id === backupId ? got : undefined;
      },
      WAIT_MS,
    );
    assert.equal(condition(t, 'BackupHealthy')?.status, 'True');
    assert.equal(t.status?.lastBackup?.verified, true);
    process.stderr.write(`# backup: Job to lastBackup in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  });

  test('a Restore holds the app at zero, its Job brings back the deleted row and file, and the app comes back', async () => {
    const replicas = (await getJson<DeploymentJson>('deployment', APP_NAME, NS))?.spec.replicas;
    assert.ok(replicas !== undefined && replicas > 0, `the app Deployment runs before the restore (replicas ${replicas})`);
    await sql(app, 'DELETE FROM notes WHERE id = 7;');
    rmSync(join(files, 'readme.txt'));
    const started = Date.now();
    const restore: Restore = {
      apiVersion: 'tenantry.io/v1alpha1',
      kind: 'Restore',
      metadata: { name: RESTORE },
      spec: { tenant: NAME, backupId: 'latest', target: { inPlace: true } },
    };
    await applyObjects([restore]);
    const jobName = restoreJobName(RESTORE);
    const pod = await jobPod(NS, jobName, WAIT_MS);
    await eventually('tenant phase Restoring', async () => (await getJson<Tenant>('tenant', NAME))?.status?.phase === 'Restoring', WAIT_MS);
    assert.equal((await getJson<DeploymentJson>('deployment', APP_NAME, NS))?.spec.replicas, 0);
    const r = await runPodLocally(NS, pod, local);
    assert.equal(r.exitCode, 0, r.stderr.slice(-3000));
    assert.equal(r.result?.['backupId'], backupId);
    await jobComplete(jobName);
    const done = await eventually(
      'Restore finished',
      async () => {
        const got = await getJson<Restore>('restore', RESTORE);
        return got?.status?.phase === 'Succeeded' || got?.status?.phase === 'Failed' ? got : undefined;
      },
      WAIT_MS,
    );
    assert.equal(done.status?.phase, 'Succeeded', JSON.stringify(done.status));
    assert.equal(done.status?.backupId, backupId);
    assert.ok((done.status?.durationSeconds ?? 0) > 0, `durationSeconds ${done.status?.durationSeconds}`);
    assert.ok((done.status?.bytesRestored ?? 0) > 0, `bytesRestored ${done.status?.bytesRestored}`);
    assert.equal((await sql(app, 'SELECT count(*) FROM notes;')).trim(), String(ROWS));
    assert.equal((await sql(app, 'SELECT body FROM notes WHERE id = 7;')).trim(), 'note 7');
    assert.ok(existsSync(join(files, 'readme.txt')), 'the deleted file is back');
    assert.equal(readFileSync(join(files, 'readme.txt'), 'utf8'), 'hello\n');
    assert.equal(readFileSync(join(files, 'uploads', 'invoice 2026.pdf')).length, 300_000);
    await eventually(
      'tenant out of Restoring, app back to its replicas',
      async () => {
        const t = await getJson<Tenant>('tenant', NAME);
        const dep = await getJson<DeploymentJson>('deployment', APP_NAME, NS);
        return t?.status?.phase !== 'Restoring' && dep?.spec.replicas === replicas;
      },
      WAIT_MS,
    );
    process.stderr.write(
      `# restore: Restore to app released in ${((Date.now() - started) / 1000).toFixed(1)} s (durationSeconds ${done.status?.durationSeconds})\n`,
    );
  });

  test("review 8: a Restore into a new tenant, with the operator on the shipped RBAC, creates the tenant and restores the source's backup into the copy's own database and volume", async () => {
    const started = Date.now();
    const copyFiles = mkdtempSync(join(tmpdir(), 'tenantry-copy-files-'));
    // The copy gets a database server of its own, as it would in a cluster.
    const server = await startExtraPostgres(mkdtempSync(join(tmpdir(), 'tenantry-copy-db-')));
    try {
      const restore: Restore = {
        apiVersion: 'tenantry.io/v1alpha1',
        kind: 'Restore',
        metadata: { name: RESTORE_COPY },
        spec: { tenant: NAME, backupId, target: { newTenant: COPY } },
      };
      await applyObjects([restore]);
      const copy = await eventually('the copy Tenant, created by the operator', () => getJson<Tenant>('tenant', COPY), WAIT_MS);
      assert.equal(copy.metadata.labels?.[RESTORED_FROM_LABEL], NAME);
      assert.equal(copy.metadata.labels?.[LABEL_KEY], LABEL_VALUE, "the copy carries the source's shard label, so this operator serves it");
      assert.equal(copy.spec.host, undefined, "the copy never claims the source's host");
      const secret = await eventually(
        "the copy's database Secret",
        () => getJson<{ data: Record<string, string> }>('secret', DATABASE_SECRET_NAME, COPY_NS),
        WAIT_MS,
      );
      const password = Buffer.from(secret.data['DATABASE_PASSWORD'] ?? '', 'base64').toString('utf8');
      const copyAdmin: DatabaseTarget = {
        engine: 'postgres',
        host: server.postgres.host,
        port: server.postgres.port,
        user: server.postgres.user,
        password: server.postgres.password,
        database: 'postgres',
        ...(process.env.TENANTRY_PG_BINDIR ? { binDir: process.env.TENANTRY_PG_BINDIR } : {}),
      };
      await sql(copyAdmin, `CREATE ROLE ${DATABASE_USER} WITH LOGIN SUPERUSER PASSWORD '${password.replace(/'/g, "''")}';`);
      await sql(copyAdmin, `CREATE DATABASE ${DATABASE_NAME} OWNER ${DATABASE_USER};`);
      const jobName = restoreJobName(RESTORE_COPY);
      const pod = await jobPod(COPY_NS, jobName, WAIT_MS);
      const spec = await getJson<{ spec: { serviceAccountName: string; containers: { args: string[] }[] } }>('pod', pod, COPY_NS);
      assert.deepEqual(spec?.spec.containers[0]?.args, ['restore', '--backup', backupId, '--tenant', NAME, '--into', COPY]);
      // Static credentials (the policy's, the same for source and copy): the copy's own account.
      assert.equal(spec?.spec.serviceAccountName, 'backup');
      const r = await runPodLocally(COPY_NS, pod, {
        volumes: { [defaultConfig().backup.filesMountPath]: copyFiles },
        hosts: { [`${DATABASE_SERVICE_NAME}.${COPY_NS}.svc`]: { host: server.postgres.host, port: server.postgres.port } },
        ...(process.env.TENANTRY_PG_BINDIR ? { pgBinDir: process.env.TENANTRY_PG_BINDIR } : {}),
      });
      assert.equal(r.exitCode, 0, r.stderr.slice(-3000));
      assert.equal(r.result?.['into'], COPY);
      await jobComplete(jobName, COPY_NS);
      const done = await eventually(
        'copy Restore finished',
        async () => {
          const got = await getJson<Restore>('restore', RESTORE_COPY);
          return got?.status?.phase === 'Succeeded' || got?.status?.phase === 'Failed' ? got : undefined;
        },
        WAIT_MS,
      );
      assert.equal(done.status?.phase, 'Succeeded', JSON.stringify(done.status));
      const copyApp = { ...copyAdmin, user: DATABASE_USER, password, database: DATABASE_NAME };
      assert.equal((await sql(copyApp, 'SELECT count(*) FROM notes;')).trim(), String(ROWS));
      assert.equal(readFileSync(join(copyFiles, 'uploads', 'invoice 2026.pdf')).length, 300_000);
      // The source was only read.
      assert.equal((await sql(app, 'SELECT count(*) FROM notes;')).trim(), String(ROWS));
      process.stderr.write(`# restore into a new tenant: Restore to Succeeded in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    } finally {
      await server.stop();
      rmSync(copyFiles, { recursive: true, force: true });
    }
  });
});
