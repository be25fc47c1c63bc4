// The backup agent's settings come from the environment its CronJob or restore Job sets (the Pod
// spec is the whole contract), so each variable is a row: what it becomes, and how a missing or
// malformed one is refused, naming the variable, before anything touches a bucket.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { settingsFromEnv, SettingsError, type AgentSettings } from '../../src/backup/settings.js';

type Env = Record<string, string | undefined>;

/** What a backup CronJob of tenant acme in eu-west-1 sets, without the optional variables. */
const BASE: Env = {
  TENANTRY_TENANT: 'acme',
  TENANTRY_REGION: 'eu-west-1',
  TENANTRY_BACKUP_BUCKET: 'tenantry-backups-eu-west-1',
  TENANTRY_KMS_KEY_ID: 'alias/tenantry-eu-west-1',
};

const PG: Env = {
  DATABASE_ENGINE: 'postgres',
  DATABASE_HOST: 'database.tenant-acme.svc',
  DATABASE_NAME: 'app',
  DATABASE_USER: 'app',
  DATABASE_PASSWORD: 'app-secret',
};

const MARIADB: Env = { ...PG, DATABASE_ENGINE: 'mariadb' };

/** Settings of {@link BASE}. */
const BASE_SETTINGS: AgentSettings = {
  tenant: 'acme',
  region: 'eu-west-1',
  awsRegion: 'eu-west-1',
  bucket: 'tenantry-backups-eu-west-1',
  kmsKeyId: 'alias/tenantry-eu-west-1',
  verify: true,
  compressFiles: true,
  externalZstd: true,
};

interface Row {
  name: string;
  env: Env;
  overrides?: { tenant?: string };
  want: AgentSettings;
}

const rows: Row[] = [
  { name: 'the required variables only: defaults everywhere else', env: BASE, want: BASE_SETTINGS },
  { name: 'AWS_REGION equal to the tenant region', env: { ...BASE, AWS_REGION: 'eu-west-1' }, want: BASE_SETTINGS },
  { name: 'an empty AWS_REGION means the tenant region', env: { ...BASE, AWS_REGION: '' }, want: BASE_SETTINGS },
  {
    name: 'the tenant from the command line wins over TENANTRY_TENANT',
    env: BASE,
    overrides: { tenant: 'globex' },
    want: { ...BASE_SETTINGS, tenant: 'globex' },
  },
  {
    name: 'the tenant from the command line stands in for a missing TENANTRY_TENANT',
    env: { ...BASE, TENANTRY_TENANT: undefined },
    overrides: { tenant: 'globex' },
    want: { ...BASE_SETTINGS, tenant: 'globex' },
  },
  {
    name: 'every optional variable',
    env: {
      ...BASE,
      TENANTRY_BACKUP_PREFIX: 'prod',
      TENANTRY_S3_ENDPOINT: 'http://s3.example.internal:9000',
      TENANTRY_KMS_ENDPOINT: 'http://kms.example.internal:8080',
      TENANTRY_ALLOW_INSECURE_KMS_ENDPOINT: 'true',
      TENANTRY_RETENTION: '{"keepDaily":14,"keepWeekly":8}',
      TENANTRY_FILES_DIR: '/var/lib/tenantry/files',
      TENANTRY_VERIFY: 'true',
      TENANTRY_COMPRESS_FILES: 'false',
    },
    want: {
      ...BASE_SETTINGS,
      prefix: 'prod',
      s3Endpoint: 'http://s3.example.internal:9000',
      kmsEndpoint: 'http://kms.example.internal:8080',
      retention: { keepDaily: 14, keepWeekly: 8 },
      filesDir: '/var/lib/tenantry/files',
      compressFiles: false,
    },
  },
  {
    name: 'empty optional variables are unset',
    env: {
      ...BASE,
      TENANTRY_BACKUP_PREFIX: '',
      TENANTRY_S3_ENDPOINT: '',
      TENANTRY_KMS_ENDPOINT: '',
      TENANTRY_RETENTION: '',
      TENANTRY_FILES_DIR: '',
    },
    want: BASE_SETTINGS,
  },
  { name: 'verification is on unless TENANTRY_VERIFY is exactly false', env: { ...BASE, TENANTRY_VERIFY: 'no' }, want: BASE_SETTINGS },
  { name: 'TENANTRY_VERIFY=false', env: { ...BASE, TENANTRY_VERIFY: 'false' }, want: { ...BASE_SETTINGS, verify: false } },
  {
    name: 'compression is on unless TENANTRY_COMPRESS_FILES is exactly false',
    env: { ...BASE, TENANTRY_COMPRESS_FILES: '0' },
    want: BASE_SETTINGS,
  },
  {
    name: 'TENANTRY_COMPRESS_FILES=false',
    env: { ...BASE, TENANTRY_COMPRESS_FILES: 'false' },
    want: { ...BASE_SETTINGS, compressFiles: false },
  },
  {
    name: 'TENANTRY_EXTERNAL_ZSTD=false decompresses in the agent',
    env: { ...BASE, TENANTRY_EXTERNAL_ZSTD: 'false' },
    want: { ...BASE_SETTINGS, externalZstd: false },
  },
  {
    name: 'static credentials when both keys are set',
    env: { ...BASE, AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG' },
    want: { ...BASE_SETTINGS, credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG' } },
  },
  {
    name: 'no static credentials with only the key id (the SDK chain decides)',
    env: { ...BASE, AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE' },
    want: BASE_SETTINGS,
  },
  {
    name: 'no static credentials with only the secret',
    env: { ...BASE, AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG' },
    want: BASE_SETTINGS,
  },
  {
    name: 'no static credentials with an empty secret',
    env: { ...BASE, AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: '' },
    want: BASE_SETTINGS,
  },
  { name: 'no database without DATABASE_ENGINE', env: { ...BASE, ...PG, DATABASE_ENGINE: undefined }, want: BASE_SETTINGS },
  {
    name: 'PostgreSQL on its default port, as the app user',
    env: { ...BASE, ...PG },
    want: {
      ...BASE_SETTINGS,
      database: { engine: 'postgres', host: 'database.tenant-acme.svc', port: 5432, database: 'app', user: 'app', password: 'app-secret' },
    },
  },
  {
    name: 'PostgreSQL on another port, with its tools folder',
    env: { ...BASE, ...PG, DATABASE_PORT: '6432', TENANTRY_PG_BINDIR: '/usr/lib/postgresql/16/bin' },
    want: {
      ...BASE_SETTINGS,
      database: {
        engine: 'postgres',
        host: 'database.tenant-acme.svc',
        port: 6432,
        database: 'app',
        user: 'app',
        password: 'app-secret',
        binDir: '/usr/lib/postgresql/16/bin',
      },
    },
  },
  {
    name: 'PostgreSQL ignores MARIADB_ROOT_PASSWORD',
    env: { ...BASE, ...PG, MARIADB_ROOT_PASSWORD: 'r00t' },
    want: {
      ...BASE_SETTINGS,
      database: { engine: 'postgres', host: 'database.tenant-acme.svc', port: 5432, database: 'app', user: 'app', password: 'app-secret' },
    },
  },
  {
    name: 'MariaDB as root when the root password is given',
    env: { ...BASE, ...MARIADB, MARIADB_ROOT_PASSWORD: 'r00t' },
    want: {
      ...BASE_SETTINGS,
      database: { engine: 'mariadb', host: 'database.tenant-acme.svc', port: 3306, database: 'app', user: 'root', password: 'r00t' },
    },
  },
  {
    name: 'MariaDB as the app user without a root password',
    env: { ...BASE, ...MARIADB, MARIADB_ROOT_PASSWORD: '' },
    want: {
      ...BASE_SETTINGS,
      database: { engine: 'mariadb', host: 'database.tenant-acme.svc', port: 3306, database: 'app', user: 'app', password: 'app-secret' },
    },
  },
  {
    name: 'the highest port',
    env: { ...BASE, ...MARIADB, DATABASE_PORT: '65535' },
    want: {
      ...BASE_SETTINGS,
      database: { engine: 'mariadb', host: 'database.tenant-acme.svc', port: 65535, database: 'app', user: 'app', password: 'app-secret' },
    },
  },
];

for (const r of rows) {
  test(`settingsFromEnv: ${r.name}`, () => {
    assert.deepEqual(settingsFromEnv(r.env, r.overrides), r.want);
  });
}

interface ErrorRow {
  name: string;
  env: Env;
  overrides?: { tenant?: string };
  error: RegExp;
}

const errors: ErrorRow[] = [
  {
    name: 'nothing set: every required variable is named, in order',
    env: {},
    error:
      /^missing environment: TENANTRY_TENANT, TENANTRY_REGION, TENANTRY_BACKUP_BUCKET, TENANTRY_KMS_KEY_ID \(set by the backup CronJob; /,
  },
  { name: 'one missing', env: { ...BASE, TENANTRY_KMS_KEY_ID: undefined }, error: /^missing environment: TENANTRY_KMS_KEY_ID \(/ },
  {
    name: 'an empty one counts as missing',
    env: { ...BASE, TENANTRY_BACKUP_BUCKET: '' },
    error: /^missing environment: TENANTRY_BACKUP_BUCKET \(/,
  },
  {
    name: 'the tenant is not required when given on the command line',
    env: {},
    overrides: { tenant: 'acme' },
    error: /^missing environment: TENANTRY_REGION, TENANTRY_BACKUP_BUCKET, TENANTRY_KMS_KEY_ID \(/,
  },
  {
    name: 'a bucket in another region',
    env: { ...BASE, AWS_REGION: 'us-east-1' },
    error: /^AWS_REGION=us-east-1 differs from the tenant's region eu-west-1: backups never leave a tenant's region$/,
  },
  {
    name: 'TENANTRY_RETENTION that is not JSON',
    env: { ...BASE, TENANTRY_RETENTION: 'keepDaily=14' },
    error: /^TENANTRY_RETENTION is not JSON: /,
  },
  {
    name: 'TENANTRY_RETENTION cut short',
    env: { ...BASE, TENANTRY_RETENTION: '{"keepDaily":14' },
    error: /^TENANTRY_RETENTION is not JSON: /,
  },
  {
    name: 'TENANTRY_RETENTION that is a list',
    env: { ...BASE, TENANTRY_RETENTION: '[14]' },
    error: /^TENANTRY_RETENTION must be a JSON object of retention rules$/,
  },
  {
    name: 'TENANTRY_RETENTION that is null',
    env: { ...BASE, TENANTRY_RETENTION: 'null' },
    error: /^TENANTRY_RETENTION must be a JSON object of retention rules$/,
  },
  {
    name: 'a retention rule misspelt',
    env: { ...BASE, TENANTRY_RETENTION: '{"keepDayly":14}' },
    error: /^TENANTRY_RETENTION has an unknown rule "keepDayly" \(known: keepLast, keepDaily, keepWeekly, keepMonthly, keepWithinDays\)$/,
  },
  {
    name: 'a retention count as a string',
    env: { ...BASE, TENANTRY_RETENTION: '{"keepDaily":"14"}' },
    error: /^TENANTRY_RETENTION\.keepDaily must be a whole number of 0 or more, not "14"$/,
  },
  {
    name: 'a negative retention count',
    env: { ...BASE, TENANTRY_RETENTION: '{"keepLast":-1}' },
    error: /^TENANTRY_RETENTION\.keepLast must be a whole number of 0 or more, not -1$/,
  },
  {
    name: 'a fractional retention count',
    env: { ...BASE, TENANTRY_RETENTION: '{"keepWeekly":1.5}' },
    error: /^TENANTRY_RETENTION\.keepWeekly must be a whole number of 0 or more, not 1\.5$/,
  },
  {
    name: 'an unknown engine',
    env: { ...BASE, ...PG, DATABASE_ENGINE: 'mysql' },
    error: /^DATABASE_ENGINE=mysql: expected postgres or mariadb$/,
  },
  {
    name: 'an engine in capitals',
    env: { ...BASE, ...PG, DATABASE_ENGINE: 'Postgres' },
    error: /^DATABASE_ENGINE=Postgres: expected postgres or mariadb$/,
  },
  { name: 'a port that is not a number', env: { ...BASE, ...PG, DATABASE_PORT: 'pg' }, error: /^DATABASE_PORT=pg is not a port$/ },
  { name: 'port 0', env: { ...BASE, ...PG, DATABASE_PORT: '0' }, error: /^DATABASE_PORT=0 is not a port$/ },
  { name: 'a negative port', env: { ...BASE, ...PG, DATABASE_PORT: '-5432' }, error: /^DATABASE_PORT=-5432 is not a port$/ },
  { name: 'a port above 65535', env: { ...BASE, ...PG, DATABASE_PORT: '65536' }, error: /^DATABASE_PORT=65536 is not a port$/ },
  { name: 'a fractional port', env: { ...BASE, ...PG, DATABASE_PORT: '5432.5' }, error: /^DATABASE_PORT=5432\.5 is not a port$/ },
  {
    name: 'no database host',
    env: { ...BASE, ...PG, DATABASE_HOST: undefined },
    error: /^missing environment: DATABASE_HOST \(from the tenant's database-credentials Secret\)$/,
  },
  {
    name: 'every missing database variable is named',
    env: { ...BASE, DATABASE_ENGINE: 'mariadb', MARIADB_ROOT_PASSWORD: 'r00t' },
    error: /^missing environment: DATABASE_HOST, DATABASE_NAME, DATABASE_USER, DATABASE_PASSWORD \(/,
  },
];

for (const r of errors) {
  test(`settingsFromEnv refuses ${r.name}`, () => {
    assert.throws(
      () => settingsFromEnv(r.env, r.overrides),
      (e: unknown) => {
        assert.ok(e instanceof SettingsError, `expected a SettingsError, got ${String(e)}`);
        assert.match(e.message, r.error);
        return true;
      },
    );
  });
}

test('review 4: the agent refuses an http:// KMS endpoint unless TENANTRY_ALLOW_INSECURE_KMS_ENDPOINT=true', () => {
  // GenerateDataKey and Decrypt answer with the plaintext data key: over http:// anyone on the path reads it.
  for (const flag of [undefined, '', 'false', '1', 'yes']) {
    const env = { ...BASE, TENANTRY_KMS_ENDPOINT: 'http://kms.example.internal:8080', TENANTRY_ALLOW_INSECURE_KMS_ENDPOINT: flag };
    assert.throws(
      () => settingsFromEnv(env),
      (e: unknown) =>
        e instanceof SettingsError &&
        /^TENANTRY_KMS_ENDPOINT=http:\/\/kms\.example\.internal:8080 is not https:.*plaintext data keys.*TENANTRY_ALLOW_INSECURE_KMS_ENDPOINT=true/.test(
          e.message,
        ),
      `flag ${String(flag)}`,
    );
  }
  assert.throws(
    () => settingsFromEnv({ ...BASE, TENANTRY_KMS_ENDPOINT: 'HTTP://kms.example.internal' }),
    SettingsError,
    'the scheme in capitals is still http',
  );
  assert.equal(
    settingsFromEnv({ ...BASE, TENANTRY_KMS_ENDPOINT: 'http://127.0.0.1:4566', TENANTRY_ALLOW_INSECURE_KMS_ENDPOINT: 'true' }).kmsEndpoint,
    'http://127.0.0.1:4566',
  );
  assert.equal(
    settingsFromEnv({ ...BASE, TENANTRY_KMS_ENDPOINT: 'https://kms.example.internal' }).kmsEndpoint,
    'https://kms.example.internal',
  );
  // S3 carries only ciphertext (client-side encryption), so an http:// S3 endpoint needs no flag.
  assert.equal(
    settingsFromEnv({ ...BASE, TENANTRY_S3_ENDPOINT: 'http://s3.example.internal:9000' }).s3Endpoint,
    'http://s3.example.internal:9000',
  );
});
