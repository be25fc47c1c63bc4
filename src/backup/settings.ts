// The backup agent's settings, read from the environment the CronJob (or a person) provides, so
// that the Pod spec is the whole contract: see src/resources/backup.ts for the other side.
import type { BackupPolicySpecRetention } from '../api/generated/index.js';
import type { DatabaseTarget } from './engines/index.js';

/** Everything `tenantry backup` and `tenantry restore` need to know. */
export interface AgentSettings {
  tenant: string;
  /** The tenant's region (P8): backups are written, and restores accepted, only within it. */
  region: string;
  /** Region of the bucket and the KMS key: always the tenant's. */
  awsRegion: string;
  bucket: string;
  prefix?: string;
  s3Endpoint?: string;
  kmsEndpoint?: string;
  kmsKeyId: string;
  retention?: BackupPolicySpecRetention;
  verify: boolean;
  /** Compress the files tar with zstd; on unless TENANTRY_COMPRESS_FILES=false, see run-backup.ts. */
  compressFiles: boolean;
  /**
   * Decompress zstd parts with the zstd program, piped straight into pg_restore or tar, when it is
   * on PATH; on unless TENANTRY_EXTERNAL_ZSTD=false, which decompresses in the agent (see zstd-program.ts).
   */
  externalZstd: boolean;
  filesDir?: string;
  database?: DatabaseTarget;
  /** Static credentials when given; otherwise the SDK's default chain (IRSA, instance role). */
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

/** A missing or malformed setting, naming the variable. */
export class SettingsError extends Error {}

/** The rules a retention may have; each one a number of backups or days. */
const RETENTION_RULES: readonly (keyof BackupPolicySpecRetention)[] = [
  'keepLast',
  'keepDaily',
  'keepWeekly',
  'keepMonthly',
  'keepWithinDays',
];

/**
 * Parses TENANTRY_RETENTION: a JSON object of retention rules, each a whole number of 0 or more.
 * The CronJob writes it from the BackupPolicy, but the agent reads its environment as given: a
 * rule it does not know, or a value that is not a count, is refused rather than read as "keep nothing".
 */
function parseRetention(text: string): BackupPolicySpecRetention {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new SettingsError(`TENANTRY_RETENTION is not JSON: ${(e as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new SettingsError('TENANTRY_RETENTION must be a JSON object of retention rules');
  const retention: BackupPolicySpecRetention = {};
  for (const [key, count] of Object.entries(value)) {
    const rule = RETENTION_RULES.find((r) => r === key);
    if (rule === undefined)
      throw new SettingsError(`TENANTRY_RETENTION has an unknown rule ${JSON.stringify(key)} (known: ${RETENTION_RULES.join(', ')})`);
    if (typeof count !== 'number' || !Number.isInteger(count) || count < 0)
      throw new SettingsError(`TENANTRY_RETENTION.${rule} must be a whole number of 0 or more, not ${JSON.stringify(count)}`);
    retention[rule] = count;
  }
  return retention;
}

/** Reads the agent's settings from environment variables; throws naming every missing one. */
export function settingsFromEnv(env: NodeJS.ProcessEnv, overrides: { tenant?: string } = {}): AgentSettings {
  const missing: string[] = [];
  const req = (name: string): string => {
    const v = env[name];
    if (!v) missing.push(name);
    return v ?? '';
  };
  const tenant = overrides.tenant ?? req('TENANTRY_TENANT');
  const region = req('TENANTRY_REGION');
  const bucket = req('TENANTRY_BACKUP_BUCKET');
  const kmsKeyId = req('TENANTRY_KMS_KEY_ID');
  if (missing.length)
    throw new SettingsError(
      `missing environment: ${missing.join(', ')} (set by the backup CronJob; see the README's configuration reference)`,
    );
  const awsRegion = env.AWS_REGION || region;
  // Data residency (P8): the bucket and key must be in the tenant's own region.
  if (awsRegion !== region)
    throw new SettingsError(`AWS_REGION=${awsRegion} differs from the tenant's region ${region}: backups never leave a tenant's region`);
  const retention = env.TENANTRY_RETENTION ? parseRetention(env.TENANTRY_RETENTION) : undefined;
  // KMS answers GenerateDataKey and Decrypt with the plaintext data key: only TLS keeps it secret.
  const kms = env.TENANTRY_KMS_ENDPOINT;
  if (kms && !/^https:/i.test(kms) && env.TENANTRY_ALLOW_INSECURE_KMS_ENDPOINT !== 'true') {
    throw new SettingsError(
      `TENANTRY_KMS_ENDPOINT=${kms} is not https: KMS would send plaintext data keys in the clear; use an https:// endpoint, or, for a local KMS emulator only, set TENANTRY_ALLOW_INSECURE_KMS_ENDPOINT=true (the CronJob sets it from backup.allowInsecureKmsEndpoint)`,
    );
  }
  const accessKeyId = env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
  return {
    tenant,
    region,
    awsRegion,
    bucket,
    kmsKeyId,
    verify: env.TENANTRY_VERIFY !== 'false',
    compressFiles: env.TENANTRY_COMPRESS_FILES !== 'false',
    externalZstd: env.TENANTRY_EXTERNAL_ZSTD !== 'false',
    ...(env.TENANTRY_BACKUP_PREFIX ? { prefix: env.TENANTRY_BACKUP_PREFIX } : {}),
    ...(env.TENANTRY_S3_ENDPOINT ? { s3Endpoint: env.TENANTRY_S3_ENDPOINT } : {}),
    ...(env.TENANTRY_KMS_ENDPOINT ? { kmsEndpoint: env.TENANTRY_KMS_ENDPOINT } : {}),
    ...(retention ? { retention } : {}),
    ...(env.TENANTRY_FILES_DIR ? { filesDir: env.TENANTRY_FILES_DIR } : {}),
    ...(accessKeyId && secretAccessKey ? { credentials: { accessKeyId, secretAccessKey } } : {}),
    ...(env.DATABASE_ENGINE ? { database: databaseFromEnv(env) } : {}),
  };
}

/** Reads the database target from the tenant's credentials Secret (DATABASE_* keys). */
function databaseFromEnv(env: NodeJS.ProcessEnv): DatabaseTarget {
  const engine = env.DATABASE_ENGINE;
  if (engine !== 'postgres' && engine !== 'mariadb') throw new SettingsError(`DATABASE_ENGINE=${engine}: expected postgres or mariadb`);
  const port = Number(env.DATABASE_PORT ?? (engine === 'postgres' ? 5432 : 3306));
  if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new SettingsError(`DATABASE_PORT=${env.DATABASE_PORT} is not a port`);
  const missing = ['DATABASE_HOST', 'DATABASE_NAME', 'DATABASE_USER', 'DATABASE_PASSWORD'].filter((k) => !env[k]);
  if (missing.length) throw new SettingsError(`missing environment: ${missing.join(', ')} (from the tenant's database-credentials Secret)`);
  // MariaDB: dump and swap need rights the app user lacks (CREATE DATABASE, RENAME); root is the
  // tenant's own server's root, from the same Secret.
  const useRoot = engine === 'mariadb' && !!env.MARIADB_ROOT_PASSWORD;
  return {
    engine,
    host: env.DATABASE_HOST!,
    port,
    database: env.DATABASE_NAME!,
    user: useRoot ? 'root' : env.DATABASE_USER!,
    password: useRoot ? env.MARIADB_ROOT_PASSWORD! : env.DATABASE_PASSWORD!,
    ...(env.TENANTRY_PG_BINDIR ? { binDir: env.TENANTRY_PG_BINDIR } : {}),
  };
}
