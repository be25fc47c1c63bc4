// Where a tenant's backups live in the bucket. Every key is built here and every destructive call
// checks its key against the tenant's prefix, so retention can never reach another tenant's data.

/** Parts of one backup, each an encrypted stream object. */
export const BACKUP_PARTS = ['database', 'files'] as const;
export type BackupPart = (typeof BACKUP_PARTS)[number];

/** File name of the manifest, the commit point of a backup. */
export const MANIFEST_NAME = 'manifest.json';
/** Suffix of an encrypted stream object (docs/backup-format.md). */
export const PART_SUFFIX = '.tenc';

const TENANT_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const BACKUP_ID_RE = /^\d{8}T\d{6}Z-[0-9a-f]{6}$/;

/** Returns the key prefix (with a trailing slash) of all of a tenant's backups. */
export function tenantPrefix(prefix: string | undefined, tenant: string): string {
  if (!TENANT_RE.test(tenant)) throw new Error(`invalid tenant name ${JSON.stringify(tenant)}: must be a DNS label`);
  const base = (prefix ?? '').replace(/^\/+|\/+$/g, '');
  return base ? `${base}/${tenant}/` : `${tenant}/`;
}

/** Returns the key prefix (with a trailing slash) of one backup. */
export function backupPrefix(prefix: string | undefined, tenant: string, backupId: string): string {
  assertBackupId(backupId);
  return `${tenantPrefix(prefix, tenant)}${backupId}/`;
}

/** Returns the key of one part of a backup. */
export function partKey(prefix: string | undefined, tenant: string, backupId: string, part: BackupPart): string {
  return `${backupPrefix(prefix, tenant, backupId)}${part}${PART_SUFFIX}`;
}

/** Returns the key of a backup's manifest. */
export function manifestKey(prefix: string | undefined, tenant: string, backupId: string): string {
  return `${backupPrefix(prefix, tenant, backupId)}${MANIFEST_NAME}`;
}

/** Creates a backup id: UTC start time (so ids sort by age) and 24 random bits against collisions. */
export function newBackupId(startedAt: Date, random: Buffer): string {
  const stamp = startedAt
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}Z$/, 'Z');
  return `${stamp}-${random.subarray(0, 3).toString('hex')}`;
}

/** Throws unless the string is a backup id made by {@link newBackupId}. */
export function assertBackupId(id: string): void {
  if (!BACKUP_ID_RE.test(id)) throw new Error(`invalid backup id ${JSON.stringify(id)}: expected e.g. 20261126T020000Z-a1b2c3`);
}

/** Returns the start time encoded in a backup id. */
export function backupIdTime(id: string): Date {
  assertBackupId(id);
  const s = id.slice(0, 16);
  return new Date(`${s.slice(0, 4)}-${s.slice(4, 6)}-${s.slice(6, 8)}T${s.slice(9, 11)}:${s.slice(11, 13)}:${s.slice(13, 15)}Z`);
}

/** Splits a key under a tenant's prefix into backup id and file name; undefined for anything else. */
export function parseTenantKey(tenantPrefixWithSlash: string, key: string): { backupId: string; name: string } | undefined {
  if (!key.startsWith(tenantPrefixWithSlash)) return undefined;
  const rest = key.slice(tenantPrefixWithSlash.length);
  const slash = rest.indexOf('/');
  if (slash < 0) return undefined;
  const backupId = rest.slice(0, slash);
  const name = rest.slice(slash + 1);
  if (!BACKUP_ID_RE.test(backupId) || !name || name.includes('/')) return undefined;
  return { backupId, name };
}
