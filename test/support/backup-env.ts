// The backup agent's environment for tests: the services the test driver started (KMS, S3,
// PostgreSQL, MariaDB), as the CronJob would pass them, for a given tenant, database and folder.
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import type { BackupPolicy } from '../../src/api/generated/index.js';
import type { DatabaseTarget, EngineKind } from '../../src/backup/engines/index.js';
import { runMariadb } from '../../src/backup/engines/mariadb.js';
import { runPsql } from '../../src/backup/engines/postgres.js';
import { createS3Client } from '../../src/cloud/s3.js';
import { kubectl, kubectlOk } from './kubectl.js';
import { OPERATOR_NAMESPACE } from './operator.js';

/** Reads a variable the test driver sets; fails loudly when a test runs outside it. */
export function need(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run the tests with npm test (the driver starts KMS, S3 and the databases)`);
  return v;
}

/** The database server of an engine, logged in as its superuser, on a given database. */
export function dbTarget(engine: EngineKind, database: string): DatabaseTarget {
  const p = engine === 'postgres' ? 'TENANTRY_PG' : 'TENANTRY_MARIADB';
  return {
    engine,
    host: need(`${p}_HOST`),
    port: Number(need(`${p}_PORT`)),
    user: need(`${p}_USER`),
    password: need(`${p}_PASSWORD`),
    database,
    ...(engine === 'postgres' && process.env.TENANTRY_PG_BINDIR ? { binDir: process.env.TENANTRY_PG_BINDIR } : {}),
  };
}

/** Runs SQL on a database of the engine's server. */
export function sql(t: DatabaseTarget, script: string, database: string = t.database): Promise<string> {
  return t.engine === 'postgres' ? runPsql(t, database, script) : runMariadb(t, database, script);
}

/** Creates a fresh database with a table `notes` holding `rows` rows. */
export async function seedDatabase(t: DatabaseTarget, rows: number): Promise<void> {
  const admin = t.engine === 'postgres' ? 'postgres' : undefined;
  if (t.engine === 'postgres') {
    await runPsql(t, admin!, `DROP DATABASE IF EXISTS ${t.database} WITH (FORCE);`);
    await runPsql(t, admin!, `CREATE DATABASE ${t.database};`);
    await runPsql(
      t,
      t.database,
      `CREATE TABLE notes (id int PRIMARY KEY, body text NOT NULL); INSERT INTO notes SELECT g, 'note ' || g || ' ünïcødé' FROM generate_series(1, ${rows}) g;`,
    );
  } else {
    await runMariadb(t, undefined, `DROP DATABASE IF EXISTS ${t.database}; CREATE DATABASE ${t.database} CHARACTER SET utf8mb4;`);
    await runMariadb(
      t,
      t.database,
      `CREATE TABLE notes (id int PRIMARY KEY, body text NOT NULL) ENGINE=InnoDB; INSERT INTO notes SELECT seq, CONCAT('note ', seq, ' ünïcødé') FROM seq_1_to_${rows};`,
    );
  }
}

/** Counts the rows of `notes`. */
export async function countNotes(t: DatabaseTarget): Promise<number> {
  return Number((await sql(t, 'SELECT count(*) FROM notes;')).trim());
}

/** Makes a files folder with a few files. */
export function seedFiles(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tenantry-files-'));
  mkdirSync(join(dir, 'uploads'));
  writeFileSync(join(dir, 'uploads', 'invoice 2026.pdf'), Buffer.alloc(300_000, 7));
  writeFileSync(join(dir, 'readme.txt'), 'hello\n');
  return dir;
}

/** The environment a backup CronJob gives the agent, pointing at the test services. */
export function agentEnv(tenant: string, t: DatabaseTarget, filesDir: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    TENANTRY_TENANT: tenant,
    TENANTRY_REGION: need('TENANTRY_AWS_REGION'),
    AWS_REGION: need('TENANTRY_AWS_REGION'),
    TENANTRY_BACKUP_BUCKET: need('TENANTRY_S3_BUCKET'),
    TENANTRY_BACKUP_PREFIX: 'it',
    TENANTRY_S3_ENDPOINT: need('TENANTRY_S3_ENDPOINT'),
    TENANTRY_KMS_ENDPOINT: need('TENANTRY_KMS_ENDPOINT'),
    // The test KMS is an emulator on loopback, spoken to over http://.
    TENANTRY_ALLOW_INSECURE_KMS_ENDPOINT: 'true',
    TENANTRY_KMS_KEY_ID: need('TENANTRY_KMS_KEY_ID'),
    AWS_ACCESS_KEY_ID: need('TENANTRY_S3_ACCESS_KEY_ID'),
    AWS_SECRET_ACCESS_KEY: need('TENANTRY_S3_SECRET_ACCESS_KEY'),
    TENANTRY_FILES_DIR: filesDir,
    TENANTRY_VERIFY: 'true',
    DATABASE_ENGINE: t.engine,
    DATABASE_HOST: t.host,
    DATABASE_PORT: String(t.port),
    DATABASE_NAME: t.database,
    DATABASE_USER: t.user,
    DATABASE_PASSWORD: t.password,
    ...(t.binDir ? { TENANTRY_PG_BINDIR: t.binDir } : {}),
    ...extra,
  };
}

/** An admin S3 client for the test S3 server. */
export function adminS3(): S3Client {
  return createS3Client({
    region: need('TENANTRY_AWS_REGION'),
    endpoint: need('TENANTRY_S3_ENDPOINT'),
    credentials: { accessKeyId: need('TENANTRY_S3_ACCESS_KEY_ID'), secretAccessKey: need('TENANTRY_S3_SECRET_ACCESS_KEY') },
  });
}

/** The operator configuration of the backup tests: the test region eu-west-1 served, KMS at the test endpoint (http:// on loopback, hence the local-development flag). */
export function backupOperatorConfig(base: Record<string, unknown>, storageClassName: string): Record<string, unknown> {
  const region = { storageClassName, kmsKeyId: need('TENANTRY_KMS_KEY_ID'), backupBucket: need('TENANTRY_S3_BUCKET') };
  return {
    ...base,
    regions: { ...(base['regions'] as Record<string, unknown>), 'eu-west-1': region },
    backup: { kmsEndpoint: need('TENANTRY_KMS_ENDPOINT'), allowInsecureKmsEndpoint: true },
  };
}

/**
 * Creates Secret `name` in the operator's namespace with the test S3 server's credentials, as a
 * BackupPolicy's credentialsSecretRef expects.
 */
export async function createS3CredentialsSecret(name: string): Promise<void> {
  const created = await kubectl(['create', 'namespace', OPERATOR_NAMESPACE]);
  if (created.code !== 0 && !/AlreadyExists/.test(created.stderr))
    throw new Error(`kubectl create namespace ${OPERATOR_NAMESPACE}: ${created.stderr}`);
  await kubectlOk([
    'create',
    'secret',
    'generic',
    name,
    '-n',
    OPERATOR_NAMESPACE,
    `--from-literal=AWS_ACCESS_KEY_ID=${need('TENANTRY_S3_ACCESS_KEY_ID')}`,
    `--from-literal=AWS_SECRET_ACCESS_KEY=${need('TENANTRY_S3_SECRET_ACCESS_KEY')}`,
  ]);
}

/** Deletes a Secret made by {@link createS3CredentialsSecret}. */
export async function deleteS3CredentialsSecret(name: string): Promise<void> {
  await kubectl(['delete', 'secret', name, '-n', OPERATOR_NAMESPACE, '--ignore-not-found']);
}

/** A BackupPolicy storing into the test bucket under `prefix`, with the credentials Secret of {@link createS3CredentialsSecret}. */
export function servicesPolicy(
  name: string,
  o: { prefix: string; credentialsSecret: string; region?: BackupPolicy['spec']['destination']['region']; timeZone?: string },
): BackupPolicy {
  const region = o.region ?? 'eu-west-1';
  return {
    apiVersion: 'tenantry.io/v1alpha1',
    kind: 'BackupPolicy',
    metadata: { name },
    spec: {
      schedule: '0 2 * * *',
      ...(o.timeZone ? { timeZone: o.timeZone } : {}),
      destination: {
        bucket: need('TENANTRY_S3_BUCKET'),
        region,
        prefix: o.prefix,
        endpoint: need('TENANTRY_S3_ENDPOINT'),
        credentialsSecretRef: { name: o.credentialsSecret },
      },
      kms: { keys: [{ region, keyId: need('TENANTRY_KMS_KEY_ID') }] },
      retention: { keepDaily: 7, keepWeekly: 4 },
    },
  };
}
