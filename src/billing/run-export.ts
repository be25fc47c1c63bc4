// `tenantry backup export-billing`: step 1 of erasure (P10). The tables and files named in
// spec.lifecycle.billingExport become ONE tar at the deterministic key
// billing/<tenant>/<uid>/export.tar in the region's archive bucket, under COMPLIANCE Object Lock
// for the retention days and SSE-KMS under the region's billing key. Tables are spooled to CSV
// files first (a tar header needs the size), then the archive is staged in the scratch folder and
// uploaded whole, so what is stored is exactly what was hashed. A restarted export finds the key
// taken and verifies the stored archive (lock, retain date, every member against the manifest)
// instead of writing again.
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { finished, pipeline } from 'node:stream/promises';
import {
  GetObjectCommand,
  GetObjectRetentionCommand,
  HeadObjectCommand,
  type HeadObjectCommandOutput,
  type S3Client,
} from '@aws-sdk/client-s3';
import { DigestStream } from '../backup/digest.js';
import { formatBytes, ProgressMeter, type Progress } from '../backup/progress.js';
import { LockedObjectExists } from '../cloud/object-lock.js';
import type { Logger } from '../log.js';
import { CsvRecordCounter } from './csv.js';
import {
  BILLING_MANIFEST_FORMAT,
  fileMember,
  MANIFEST_MEMBER,
  parseManifest,
  serializeManifest,
  tableMember,
  type BillingManifest,
  type ManifestFile,
  type ManifestTable,
} from './manifest.js';
import { collectFiles } from './paths.js';
import type { BillingSettings } from './settings.js';
import { exportTable } from './tables.js';
import { END_OF_ARCHIVE, readTar, writeBufferEntry, writeChunk, writeStreamEntry } from './tar.js';
import { uploadLocked } from './upload.js';

const DAY_MS = 24 * 3600 * 1000;
/** S3 keeps retain-until dates to the second at best. */
const RETAIN_SLACK_MS = 1000;
export const BILLING_CONTENT_TYPE = 'application/x-tar';

/** The key of a tenant's billing export: one per Tenant object (its uid), so a new tenant of the same name never collides. */
export function billingExportKey(tenant: string, uid: string): string {
  return `billing/${tenant}/${uid}/export.tar`;
}

/** What the command prints. */
export interface BillingExportResult {
  location: string;
  bucket: string;
  key: string;
  versionId?: string;
  /** True when an earlier run had written it and this one verified it instead. */
  reused: boolean;
  retainUntil: string;
  lockMode: string;
  bytes: number;
  manifestSha256: string;
  tables: { name: string; rows: number }[];
  files: number;
  method?: 'single' | 'multipart';
}

/** Logs progress lines (bytes, rate) of one step of the export, as the backup agent does for its parts. */
function progressLogger(log: Logger, key: string): (p: Progress) => void {
  return (p) =>
    log.info(p.done ? `${p.label} done` : `${p.label} in progress`, {
      key,
      step: p.label,
      bytes: p.bytes,
      human: formatBytes(p.bytes),
      mbPerSecond: Number((p.bytesPerSecond / 1e6).toFixed(1)),
      seconds: Number(p.seconds.toFixed(1)),
    });
}

/** A spooled table: its CSV file and manifest entry. */
interface SpooledTable {
  file: string;
  entry: ManifestTable;
}

async function spoolTables(s: BillingSettings, dir: string, log: Logger): Promise<SpooledTable[]> {
  const out: SpooledTable[] = [];
  for (const [i, name] of s.tables.entries()) {
    const t = await exportTable(s.agent.database!, name);
    const file = join(dir, `table-${i}.csv`);
    const counter = new CsvRecordCounter();
    const digest = new DigestStream();
    const meter = new ProgressMeter(`table ${name}`, progressLogger(log, billingExportKey(s.agent.tenant, s.tenantUid)));
    await Promise.all([pipeline(t.stream, meter, counter, digest, createWriteStream(file)), t.done]);
    out.push({ file, entry: { name, member: tableMember(name), rows: counter.rows, bytes: digest.bytes, sha256: digest.digest() } });
    log.info(`table ${name} exported`, { table: name, rows: counter.rows, bytes: digest.bytes });
  }
  return out;
}

/** Stages the archive in `dir`; returns its path, size, and the manifest. */
async function stageArchive(s: BillingSettings, dir: string, exportedAt: Date, retainUntil: Date, log: Logger) {
  const tables = await spoolTables(s, dir, log);
  const files = s.paths.length ? await collectFiles(s.agent.filesDir!, s.paths) : [];
  const path = join(dir, 'export.tar');
  const sink = createWriteStream(path);
  const meter = new ProgressMeter('billing archive', progressLogger(log, billingExportKey(s.agent.tenant, s.tenantUid)));
  const digest = new DigestStream();
  const written = pipeline(meter, digest, sink);
  // Awaited below on success; on failure the member's own error is the one thrown.
  written.catch(() => undefined);
  const entries: ManifestFile[] = [];
  try {
    for (const t of tables)
      await writeStreamEntry(meter, { name: t.entry.member, size: t.entry.bytes, mtime: exportedAt }, createReadStream(t.file));
    for (const f of files) {
      const sha256 = await writeStreamEntry(
        meter,
        { name: fileMember(f.path), size: f.size, mtime: f.mtime, mode: f.mode },
        createReadStream(f.absolute),
      );
      entries.push({ path: f.path, member: fileMember(f.path), bytes: f.size, sha256, modifiedAt: f.mtime.toISOString() });
    }
    const manifest: BillingManifest = {
      format: BILLING_MANIFEST_FORMAT,
      tenant: s.agent.tenant,
      uid: s.tenantUid,
      region: s.agent.region,
      ...(tables.length ? { databaseEngine: s.agent.database!.engine } : {}),
      tables: tables.map((t) => t.entry),
      files: entries,
      exportedAt: exportedAt.toISOString(),
      retainUntil: retainUntil.toISOString(),
    };
    const manifestBytes = serializeManifest(manifest);
    await writeBufferEntry(meter, MANIFEST_MEMBER, manifestBytes, exportedAt);
    await writeChunk(meter, END_OF_ARCHIVE);
    meter.end();
    await written;
    return { path, size: digest.bytes, manifest, manifestBytes };
  } catch (e) {
    meter.destroy(e as Error);
    await finished(sink).catch(() => undefined);
    throw e;
  }
}

function sha256Hex(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** The lock of a stored object: from its HEAD, else (a store that leaves it out there) from GetObjectRetention. */
async function lockOf(
  s3: S3Client,
  bucket: string,
  key: string,
  head: HeadObjectCommandOutput,
): Promise<{ mode?: string; retainUntil?: Date }> {
  if (head.ObjectLockMode && head.ObjectLockRetainUntilDate)
    return { mode: head.ObjectLockMode, retainUntil: head.ObjectLockRetainUntilDate };
  const r = await s3.send(
    new GetObjectRetentionCommand({ Bucket: bucket, Key: key, ...(head.VersionId ? { VersionId: head.VersionId } : {}) }),
  );
  return {
    ...(r.Retention?.Mode ? { mode: r.Retention.Mode } : {}),
    ...(r.Retention?.RetainUntilDate ? { retainUntil: r.Retention.RetainUntilDate } : {}),
  };
}

/**
 * Verifies an export already stored at the key: COMPLIANCE lock, a retain-until not before the
 * manifest's, the manifest naming this tenant and uid, and every member matching the manifest.
 * Throws saying what is wrong (the erasure must then stop: the records are not safely kept).
 */
export async function verifyStoredExport(s3: S3Client, s: BillingSettings): Promise<BillingExportResult> {
  const bucket = s.archiveBucket;
  const key = billingExportKey(s.agent.tenant, s.tenantUid);
  const where = `s3://${bucket}/${key}`;
  const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
  const lock = await lockOf(s3, bucket, key, head);
  if (lock.mode !== 'COMPLIANCE') throw new Error(`${where} exists but its lock mode is ${lock.mode ?? 'none'}, not COMPLIANCE`);
  if (!lock.retainUntil) throw new Error(`${where} exists but has no retain-until date`);
  if (head.ServerSideEncryption !== 'aws:kms') throw new Error(`${where} exists but is not encrypted with SSE-KMS`);
  const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key, ...(head.VersionId ? { VersionId: head.VersionId } : {}) }));
  const members = await readTar(got.Body as Readable, (n) => n === MANIFEST_MEMBER);
  const manifestMember = members.find((m) => m.name === MANIFEST_MEMBER);
  if (!manifestMember?.data) throw new Error(`${where} has no ${MANIFEST_MEMBER}`);
  const m = parseManifest(manifestMember.data);
  if (m.tenant !== s.agent.tenant || m.uid !== s.tenantUid)
    throw new Error(`${where} holds the export of ${m.tenant} (uid ${m.uid}), not of ${s.agent.tenant} (uid ${s.tenantUid})`);
  if (lock.retainUntil.getTime() + RETAIN_SLACK_MS < Date.parse(m.retainUntil))
    throw new Error(`${where} is locked until ${lock.retainUntil.toISOString()}, before the ${m.retainUntil} it was written with`);
  const byName = new Map(members.map((x) => [x.name, x]));
  for (const e of [...m.tables, ...m.files]) {
    const x = byName.get(e.member);
    if (!x || x.sha256 !== e.sha256 || x.size !== e.bytes) throw new Error(`${where}: member ${e.member} does not match the manifest`);
  }
  return {
    location: where,
    bucket,
    key,
    ...(head.VersionId ? { versionId: head.VersionId } : {}),
    reused: true,
    retainUntil: lock.retainUntil.toISOString(),
    lockMode: lock.mode,
    bytes: head.ContentLength ?? 0,
    manifestSha256: manifestMember.sha256,
    tables: m.tables.map((t) => ({ name: t.name, rows: t.rows })),
    files: m.files.length,
  };
}

function isNotFound(e: unknown): boolean {
  const err = e as { name?: string; $metadata?: { httpStatusCode?: number } };
  return err?.name === 'NotFound' || err?.name === 'NoSuchKey' || err?.$metadata?.httpStatusCode === 404;
}

/** Options of {@link runBillingExport}. */
export interface BillingExportOptions {
  /** Scratch folder for the spooled tables and the staged archive (default the system's temp folder). */
  workDir?: string;
  /** Passed to the upload (tests use a small one to exercise multipart). */
  singlePutMaxBytes?: number;
  now?: () => Date;
}

/** Runs the export, or verifies the one already stored; throws on any failure (nothing half-written is left unlocked). */
export async function runBillingExport(
  s3: S3Client,
  s: BillingSettings,
  log: Logger,
  o: BillingExportOptions = {},
): Promise<BillingExportResult> {
  const key = billingExportKey(s.agent.tenant, s.tenantUid);
  try {
    const existing = await verifyStoredExport(s3, s);
    log.info('billing export already stored and verified; not written again', { location: existing.location });
    return existing;
  } catch (e) {
    if (!isNotFound(e)) throw e;
  }
  const exportedAt = (o.now ?? (() => new Date()))();
  const retainUntil = new Date(exportedAt.getTime() + s.retainDays * DAY_MS);
  const dir = await mkdtemp(join(o.workDir ?? tmpdir(), 'tenantry-billing-'));
  try {
    const staged = await stageArchive(s, dir, exportedAt, retainUntil, log);
    const upload = new ProgressMeter('billing upload', progressLogger(log, key));
    let out;
    try {
      out = await uploadLocked(s3, {
        bucket: s.archiveBucket,
        key,
        file: staged.path,
        size: staged.size,
        retainUntil,
        kmsKeyId: s.billingKmsKeyId,
        contentType: BILLING_CONTENT_TYPE,
        ...(o.singlePutMaxBytes !== undefined ? { singlePutMaxBytes: o.singlePutMaxBytes } : {}),
        onProgress: (bytes) => (upload.bytes = bytes),
      });
    } catch (e) {
      // Another run wrote it meanwhile: that one counts, once verified.
      if (e instanceof LockedObjectExists) return await verifyStoredExport(s3, s);
      throw e;
    } finally {
      upload.end();
      upload.resume();
    }
    log.info('billing export stored', {
      location: `s3://${s.archiveBucket}/${key}`,
      bytes: staged.size,
      retainUntil: retainUntil.toISOString(),
    });
    return {
      location: `s3://${s.archiveBucket}/${key}`,
      bucket: s.archiveBucket,
      key,
      ...(out.versionId ? { versionId: out.versionId } : {}),
      reused: false,
      retainUntil: retainUntil.toISOString(),
      lockMode: 'COMPLIANCE',
      bytes: staged.size,
      manifestSha256: sha256Hex(staged.manifestBytes),
      tables: staged.manifest.tables.map((t) => ({ name: t.name, rows: t.rows })),
      files: staged.manifest.files.length,
      method: out.method,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
