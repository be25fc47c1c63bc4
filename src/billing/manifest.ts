// The manifest of a billing export: what is in the archive and how to check it. It is the last
// member of the archive (manifest.json), written after every other member was hashed, so a
// person with only the archive can verify it in 7 years without Tenantry.
import { isSafeMemberName } from './tar.js';

/** Version of the manifest's layout. */
export const BILLING_MANIFEST_FORMAT = 'tenantry.io/billing-export/v1';
/** Name of the manifest member. */
export const MANIFEST_MEMBER = 'manifest.json';

/** One exported table. */
export interface ManifestTable {
  /** As named in spec.lifecycle.billingExport.tables. */
  name: string;
  /** Member of the archive holding its CSV (with a header line). */
  member: string;
  rows: number;
  bytes: number;
  sha256: string;
}

/** One exported file of the files volume. */
export interface ManifestFile {
  /** Path relative to the files volume's root. */
  path: string;
  member: string;
  bytes: number;
  sha256: string;
  /** The file's modification time (RFC 3339). */
  modifiedAt: string;
}

/** The manifest of a billing export. */
export interface BillingManifest {
  format: typeof BILLING_MANIFEST_FORMAT;
  tenant: string;
  uid: string;
  region: string;
  /** `postgres` or `mariadb`, when tables were exported. */
  databaseEngine?: string;
  tables: ManifestTable[];
  files: ManifestFile[];
  /** When the export started (RFC 3339). */
  exportedAt: string;
  /** The Object Lock retain-until date the export was written with (RFC 3339). */
  retainUntil: string;
}

/** The archive member of an exported table: `tables/<name>.csv`. */
export function tableMember(name: string): string {
  return `tables/${name}.csv`;
}

/** The archive member of an exported file: `files/<path>`. */
export function fileMember(path: string): string {
  return `files/${path}`;
}

/** Serializes a manifest (stable key order, as built; ends with a newline). */
export function serializeManifest(m: BillingManifest): Buffer {
  return Buffer.from(JSON.stringify(m, null, 2) + '\n', 'utf8');
}

const HEX64 = /^[0-9a-f]{64}$/;

function entryError(e: unknown, i: number, kind: 'tables' | 'files'): string | undefined {
  if (typeof e !== 'object' || e === null) return `${kind}[${i}] is not an object`;
  const o = e as Record<string, unknown>;
  if (typeof o['member'] !== 'string' || !isSafeMemberName(o['member'])) return `${kind}[${i}].member is not a safe member name`;
  if (typeof o['sha256'] !== 'string' || !HEX64.test(o['sha256'])) return `${kind}[${i}].sha256 is not a SHA-256`;
  if (typeof o['bytes'] !== 'number' || !Number.isSafeInteger(o['bytes'])) return `${kind}[${i}].bytes is not a byte count`;
  if (kind === 'tables' && (typeof o['rows'] !== 'number' || !Number.isSafeInteger(o['rows']))) return `tables[${i}].rows is not a count`;
  return undefined;
}

/** Parses and checks a manifest read back from an archive; throws naming the first problem. */
export function parseManifest(data: Buffer): BillingManifest {
  let value: unknown;
  try {
    value = JSON.parse(data.toString('utf8'));
  } catch (e) {
    throw new Error(`billing manifest: not JSON: ${(e as Error).message}`);
  }
  const m = value as Partial<BillingManifest> | null;
  if (typeof m !== 'object' || m === null || m.format !== BILLING_MANIFEST_FORMAT)
    throw new Error(`billing manifest: not a ${BILLING_MANIFEST_FORMAT} manifest`);
  for (const k of ['tenant', 'uid', 'region', 'exportedAt', 'retainUntil'] as const)
    if (typeof m[k] !== 'string' || m[k] === '') throw new Error(`billing manifest: ${k} is missing`);
  if (Number.isNaN(Date.parse(m.retainUntil!)) || Number.isNaN(Date.parse(m.exportedAt!)))
    throw new Error('billing manifest: exportedAt or retainUntil is not a timestamp');
  if (!Array.isArray(m.tables) || !Array.isArray(m.files)) throw new Error('billing manifest: tables and files must be lists');
  const problem = [...m.tables.map((e, i) => entryError(e, i, 'tables')), ...m.files.map((e, i) => entryError(e, i, 'files'))].find(
    (p) => p !== undefined,
  );
  if (problem) throw new Error(`billing manifest: ${problem}`);
  return m as BillingManifest;
}
