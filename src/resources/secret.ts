// The database credentials of a tenant (P1: its own credentials). The password is an argument:
// builders use no randomness, and the reconciler generates it once with crypto, creates the
// Secret and never overwrites it (a new password would lock the app out of an existing database).
import type { Secret } from 'kubernetes-types/core/v1.js';
import type { BuildContext, Owned } from './types.js';
import { databasePort, engineOf } from './engine.js';
import { Component, ownedMetadata } from './meta.js';

/** Name of the Secret holding the database credentials. */
export const DATABASE_SECRET_NAME = 'database-credentials';
/** Database user inside the tenant's own server (isolation is per server, so a fixed name suffices). */
export const DATABASE_USER = 'app';
/** Database name inside the tenant's own server. */
export const DATABASE_NAME = 'app';
/** Name of the headless Service of the database. */
export const DATABASE_SERVICE_NAME = 'database';

/** Keys of the engine-neutral credentials the app (and the backup agent) read. */
export const NeutralKey = {
  Engine: 'DATABASE_ENGINE',
  Host: 'DATABASE_HOST',
  Port: 'DATABASE_PORT',
  Name: 'DATABASE_NAME',
  User: 'DATABASE_USER',
  Password: 'DATABASE_PASSWORD',
  Url: 'DATABASE_URL',
} as const;

/** Keys the official images read at first start, per engine. */
export const EngineKey = {
  postgres: { User: 'POSTGRES_USER', Password: 'POSTGRES_PASSWORD', Database: 'POSTGRES_DB' },
  mariadb: { User: 'MARIADB_USER', Password: 'MARIADB_PASSWORD', Database: 'MARIADB_DATABASE', RootPassword: 'MARIADB_ROOT_PASSWORD' },
} as const;

/** Generated values the Secret needs; all come from the reconciler, none is invented here. */
export interface DatabaseCredentials {
  /** Password of the app's database user. */
  databasePassword: string;
  /**
   * Password of MariaDB's root user. Required for every engine so the reconciler generates both
   * the same way; PostgreSQL does not use it (its POSTGRES_USER is already the superuser).
   */
  rootPassword: string;
}

/** Returns the in-cluster DNS name of the tenant's database. */
export function databaseHost(ctx: BuildContext): string {
  return `${DATABASE_SERVICE_NAME}.${ctx.namespace}.svc`;
}

/** Builds the Secret with the database credentials: the engine's own keys plus a neutral DATABASE_* set for the app. */
export function buildDatabaseSecret(ctx: BuildContext, credentials: DatabaseCredentials): Owned<Secret> {
  const engine = engineOf(ctx);
  // Fail loudly rather than store an empty password: the image would refuse to start, or worse, accept it.
  if (!credentials.databasePassword)
    throw new Error('buildDatabaseSecret: the database password is empty; the reconciler must generate one');
  if (engine === 'mariadb' && !credentials.rootPassword)
    throw new Error('buildDatabaseSecret: the MariaDB root password is empty; the reconciler must generate one');
  const password = credentials.databasePassword;
  const host = databaseHost(ctx);
  const port = databasePort(engine);
  const scheme = engine === 'postgres' ? 'postgresql' : 'mysql';
  const values: Record<string, string> = {
    [NeutralKey.Engine]: engine,
    [NeutralKey.Host]: host,
    [NeutralKey.Port]: String(port),
    [NeutralKey.Name]: DATABASE_NAME,
    [NeutralKey.User]: DATABASE_USER,
    [NeutralKey.Password]: password,
    // Percent-encoded, so a password with ':' '@' or '/' cannot break the URL apart.
    [NeutralKey.Url]: `${scheme}://${encodeURIComponent(DATABASE_USER)}:${encodeURIComponent(password)}@${host}:${port}/${DATABASE_NAME}`,
  };
  if (engine === 'postgres') {
    const k = EngineKey.postgres;
    Object.assign(values, { [k.User]: DATABASE_USER, [k.Password]: password, [k.Database]: DATABASE_NAME });
  } else {
    const k = EngineKey.mariadb;
    Object.assign(values, {
      [k.User]: DATABASE_USER,
      [k.Password]: password,
      [k.Database]: DATABASE_NAME,
      [k.RootPassword]: credentials.rootPassword,
    });
  }
  // `data`, base64: what the API server stores (stringData is write-only and never read back).
  const data = Object.fromEntries(
    Object.keys(values)
      .sort()
      .map((k) => [k, Buffer.from(values[k]!, 'utf8').toString('base64')]),
  );
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: ownedMetadata(ctx, DATABASE_SECRET_NAME, { component: Component.Database, appName: engine }),
    type: 'Opaque',
    // Not immutable: a password rotation must remain possible without deleting the Secret.
    immutable: false,
    data,
  };
}
