// The tenant's database engine and what every builder that reaches the database needs of it: the
// server (database.ts), its Secret (secret.ts) and the policies that open its port share these.
import type { TenantSpecDatabaseEngine } from '../api/generated/index.js';
import type { BuildContext } from './types.js';

/** Engine used when a Tenant names no database: every instance has its own database server. */
export const DEFAULT_ENGINE: TenantSpecDatabaseEngine = 'postgres';

/** Returns the tenant's database engine. */
export function engineOf(ctx: BuildContext): TenantSpecDatabaseEngine {
  return ctx.tenant.spec.database?.engine ?? DEFAULT_ENGINE;
}

/** Returns the TCP port of an engine. */
export function databasePort(engine: TenantSpecDatabaseEngine): number {
  return engine === 'postgres' ? 5432 : 3306;
}
