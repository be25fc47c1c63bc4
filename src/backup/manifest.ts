// The manifest of a backup: written last, it is the commit point. An upload without a manifest is
// not a backup (it is cleaned up), and a manifest records everything a restore needs to check.
import type { Compression } from './format.js';
import { assertBackupId, BACKUP_PARTS, type BackupPart } from './layout.js';

/** Identifier of this manifest schema; a reader refuses versions it does not know. */
export const MANIFEST_FORMAT = 'tenantry.io/backup-manifest/v1';

/** One encrypted part of a backup. */
export interface ManifestPart {
  name: BackupPart;
  key: string;
  contentType: string;
  /** As in the part's stream header: `zstd` since the agent compresses with zstd, `gzip` or `none` before. */
  compression: Compression;
  plaintextBytes: number;
  ciphertextBytes: number;
  plaintextSha256: string;
  ciphertextSha256: string;
}

/** How a backup was verified before its manifest was written. */
export interface ManifestVerification {
  /** `hash`: downloaded, decrypted and hashed; `drill`: also restored into a scratch database. */
  method: 'hash' | 'drill';
  verifiedAt: string;
  seconds: number;
  /** Plaintext bytes per second of the verification read (drills: of the restore). */
  bytesPerSecond: number;
}

/** The manifest of one backup. */
export interface BackupManifest {
  format: typeof MANIFEST_FORMAT;
  tenant: string;
  backupId: string;
  region: string;
  startedAt: string;
  completedAt: string;
  kmsKeyId: string;
  database: { engine: string; serverVersion: string };
  tools: Record<string, string>;
  parts: ManifestPart[];
  /** Absent when the policy does not verify; such a backup does not count as verified. */
  verification?: ManifestVerification;
}

/** Returns the total plaintext bytes of a backup. */
export function plaintextBytes(m: BackupManifest): number {
  return m.parts.reduce((n, p) => n + p.plaintextBytes, 0);
}

/** Returns the total stored bytes of a backup. */
export function storedBytes(m: BackupManifest): number {
  return m.parts.reduce((n, p) => n + p.ciphertextBytes, 0);
}

const HEX64 = /^[0-9a-f]{64}$/;

/** Builds the error that names a wrong field of a manifest. */
type ManifestError = (field: string, why: string) => Error;

/** Parses and checks a manifest; throws naming the first field that is wrong. */
export function parseManifest(text: string, expect: { tenant: string; backupId: string }): BackupManifest {
  const m = parseJson(text, expect.backupId);
  const bad: ManifestError = (field, why) => new Error(`manifest of backup ${expect.backupId}: ${field} ${why}`);
  if (typeof m !== 'object' || m === null) throw bad('document', 'is not an object');
  checkIdentity(m, expect, bad);
  checkRequiredFields(m, bad);
  if (!Array.isArray(m.parts) || m.parts.length === 0) throw bad('parts', 'is empty');
  checkParts(m.parts, expect, bad);
  return m as BackupManifest;
}

/** Parses the manifest's text as JSON, unchecked; throws saying whose manifest is not JSON. */
function parseJson(text: string, backupId: string): Partial<BackupManifest> {
  try {
    return JSON.parse(text) as Partial<BackupManifest>;
  } catch (e) {
    throw new Error(`manifest of backup ${backupId} is not JSON: ${(e as Error).message}`);
  }
}

/** Checks the format, and that the manifest belongs to the expected tenant and backup. */
function checkIdentity(m: Partial<BackupManifest>, expect: { tenant: string; backupId: string }, bad: ManifestError): void {
  if (m.format !== MANIFEST_FORMAT) throw bad('format', `is ${JSON.stringify(m.format)}, this version reads ${MANIFEST_FORMAT}`);
  // A manifest copied from another tenant or backup must never restore into this one.
  if (m.tenant !== expect.tenant) throw bad('tenant', `is ${JSON.stringify(m.tenant)}, expected ${expect.tenant}`);
  if (m.backupId !== expect.backupId) throw bad('backupId', `is ${JSON.stringify(m.backupId)}, expected ${expect.backupId}`);
  assertBackupId(m.backupId);
}

/** Checks that the string fields and the database engine are present. */
function checkRequiredFields(m: Partial<BackupManifest>, bad: ManifestError): void {
  for (const f of ['region', 'startedAt', 'completedAt', 'kmsKeyId'] as const) {
    if (typeof m[f] !== 'string' || !m[f]) throw bad(f, 'is missing');
  }
  if (!m.database || typeof m.database.engine !== 'string') throw bad('database.engine', 'is missing');
}

/** Checks every part in order: an object, a known name not repeated, hashes, sizes, and a key inside this backup. */
function checkParts(parts: ManifestPart[], expect: { tenant: string; backupId: string }, bad: ManifestError): void {
  const seen = new Set<string>();
  for (const [i, p] of parts.entries()) {
    if (typeof p !== 'object' || p === null) throw bad(`parts[${i}]`, 'is not an object');
    if (seen.has(p.name)) throw bad(`parts[${i}].name`, `repeats ${JSON.stringify(p.name)}`);
    seen.add(p.name);
    if (!BACKUP_PARTS.includes(p.name)) throw bad(`parts[${i}].name`, `is ${JSON.stringify(p.name)}`);
    if (!HEX64.test(p.plaintextSha256) || !HEX64.test(p.ciphertextSha256)) throw bad(`parts[${i}]`, 'has no SHA-256');
    if (!Number.isSafeInteger(p.plaintextBytes) || !Number.isSafeInteger(p.ciphertextBytes)) throw bad(`parts[${i}]`, 'has no sizes');
    const own = `${expect.tenant}/${expect.backupId}/${p.name}.tenc`;
    if (typeof p.key !== 'string' || !(p.key === own || p.key.endsWith(`/${own}`)))
      throw bad(`parts[${i}].key`, `is not inside backup ${expect.backupId} of tenant ${expect.tenant}`);
  }
}
