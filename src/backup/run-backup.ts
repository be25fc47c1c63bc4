// `tenantry backup run`: one backup of one tenant. The database dump and the files tar each flow
// dump → (zstd) → hash → AES-256-GCM → hash → multipart upload, in constant memory; the manifest
// is written only after both parts are uploaded and verified, so a failure at any point leaves
// no backup that looks complete.
import { randomBytes } from 'node:crypto';
import { PassThrough, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { contextFor, type GeneratedDataKey } from '../cloud/kms.js';
import type { Logger } from '../log.js';
import { tenantryVersion } from '../version.js';
import { compressor, WRITE_COMPRESSION } from './compression.js';
import { createEncryptStream } from './crypto-stream.js';
import { DigestStream } from './digest.js';
import { engineFor } from './engines/index.js';
import { zstdProgram } from './zstd-program.js';
import { tarDirectory } from './files.js';
import { databaseBytes, directoryBytes } from './sizes.js';
import { newBackupId, partKey, type BackupPart } from './layout.js';
import { MANIFEST_FORMAT, type BackupManifest, type ManifestPart } from './manifest.js';
import { formatBytes, ProgressMeter, type Progress } from './progress.js';
import type { AgentSettings } from './settings.js';
import type { AgentClients } from './clients.js';
import { verifyBackup } from './verify.js';

/** The parts of a backup, in the order of the sources below. */
const PARTS: readonly BackupPart[] = ['database', 'files'];

/** The outcome of a backup, as printed and logged. */
export interface BackupResult {
  backupId: string;
  manifest: BackupManifest;
  seconds: number;
  plaintextBytes: number;
  storedBytes: number;
}

/** A source stream of one part, and a promise that rejects if its producer failed. */
interface PartSource {
  name: BackupPart;
  stream: Readable;
  done: Promise<void>;
  contentType: string;
  compress: boolean;
  /** Whether `stream` is compressed already (by the zstd program), so the agent only records it. */
  compressed?: boolean;
  /** Estimated size, so the upload's part size can hold it (undefined: the smallest parts). */
  expectedBytes?: number;
}

/** Logs progress lines (bytes, rate) for a long transfer. */
export function progressLogger(log: Logger, backupId: string): (p: Progress) => void {
  return (p) =>
    log.info(p.done ? `${p.label} done` : `${p.label} in progress`, {
      backupId,
      part: p.label,
      bytes: p.bytes,
      human: formatBytes(p.bytes),
      mbPerSecond: Number((p.bytesPerSecond / 1e6).toFixed(1)),
      seconds: Number(p.seconds.toFixed(1)),
    });
}

/**
 * Asks KMS for one data key per part before any source starts: a dump started first would sit in
 * its snapshot holding locks while KMS fails. When one request fails, the keys already received
 * are zeroed and the first failure is thrown.
 */
async function generateKeys(
  s: AgentSettings,
  c: AgentClients,
  backupId: string,
  parts: readonly BackupPart[],
): Promise<Map<BackupPart, GeneratedDataKey>> {
  const got = await Promise.allSettled(parts.map((part) => c.kms.generate(s.kmsKeyId, contextFor(s.tenant, backupId, s.region, part))));
  const failed = got.find((r) => r.status === 'rejected');
  if (failed) {
    for (const r of got) if (r.status === 'fulfilled') r.value.plaintext.fill(0);
    throw failed.reason;
  }
  return new Map(parts.map((part, i) => [part, (got[i] as PromiseFulfilledResult<GeneratedDataKey>).value]));
}

/**
 * Encrypts one part with its own data key and uploads it; returns what the manifest records. When
 * `stop` fires (another part failed) the source is destroyed, which stops its tool, and the
 * multipart upload is aborted. It settles only once the tool has exited and the upload has
 * ended, so no child process and no upload outlives a failed backup.
 */
async function uploadPart(
  s: AgentSettings,
  c: AgentClients,
  backupId: string,
  make: () => PartSource,
  dataKey: GeneratedDataKey,
  stop: AbortSignal,
  onFailure: (e: unknown) => void,
  log: Logger,
): Promise<ManifestPart> {
  let src: PartSource;
  try {
    src = make();
  } catch (e) {
    dataKey.plaintext.fill(0);
    onFailure(e);
    throw e;
  }
  const context = contextFor(s.tenant, backupId, s.region, src.name);
  const objectKey = partKey(s.prefix, s.tenant, backupId, src.name);
  const meter = new ProgressMeter(src.name, progressLogger(log, backupId));
  const plain = new DigestStream();
  const cipher = new DigestStream();
  const compression = src.compress ? WRITE_COMPRESSION : 'none';
  const enc = createEncryptStream({
    dataKey: dataKey.plaintext,
    keyId: dataKey.keyArn,
    encryptedDataKey: dataKey.ciphertext,
    context,
    contentType: src.contentType,
    compression,
  });
  const body = new PassThrough({ highWaterMark: 1024 * 1024 });
  const halt = () => src.stream.destroy(stop.reason instanceof Error ? stop.reason : new Error(String(stop.reason)));
  if (stop.aborted) halt();
  else stop.addEventListener('abort', halt, { once: true });
  // Destroying the source fails the pipeline, which destroys every stream in it (and zeroes the
  // key); a failed upload destroys the source the same way.
  const flow = pipeline([src.stream, meter, ...(src.compressed ? [] : compressor(compression)), plain, enc, cipher, body]);
  const uploaded = c.store.upload(objectKey, body, 'application/vnd.tenantry.backup', src.expectedBytes, stop).catch((e: unknown) => {
    src.stream.destroy(e as Error);
    throw e;
  });
  // The first failure of any piece stops the other parts at once, not after this one cleaned up.
  for (const piece of [src.done, uploaded, flow]) piece.catch(onFailure);
  const settled = await Promise.allSettled([src.done, uploaded, flow]);
  stop.removeEventListener('abort', halt);
  // The tool's own failure first (it says why), then the upload's, then the pipeline's echo of either.
  const failed = settled.find((r) => r.status === 'rejected');
  if (failed) throw failed.reason;
  return {
    name: src.name,
    key: objectKey,
    contentType: src.contentType,
    compression,
    plaintextBytes: plain.bytes,
    ciphertextBytes: cipher.bytes,
    plaintextSha256: plain.digest(),
    ciphertextSha256: cipher.digest(),
  };
}

/**
 * Uploads every part at once; the first failure stops the others (their tools are killed and
 * their uploads aborted) and is thrown once all of them have ended.
 */
async function uploadParts(
  s: AgentSettings,
  c: AgentClients,
  backupId: string,
  sources: Record<BackupPart, () => PartSource>,
  keys: Map<BackupPart, GeneratedDataKey>,
  log: Logger,
): Promise<ManifestPart[]> {
  const stop = new AbortController();
  let first: unknown;
  const fail = (e: unknown) => {
    if (first !== undefined) return;
    first = e;
    stop.abort(e);
  };
  const running = PARTS.map((name) => uploadPart(s, c, backupId, sources[name], keys.get(name)!, stop.signal, fail, log));
  const settled = await Promise.allSettled(running);
  for (const r of settled) if (r.status === 'rejected') fail(r.reason);
  if (first !== undefined) throw first;
  return settled.map((r) => (r as PromiseFulfilledResult<ManifestPart>).value);
}

/** Runs one backup of the tenant; throws (with no manifest written) on any failure. */
export async function runBackup(s: AgentSettings, c: AgentClients, log: Logger, now: () => Date = () => new Date()): Promise<BackupResult> {
  const started = now();
  const t0 = performance.now();
  const backupId = newBackupId(started, randomBytes(3));
  log.info('backup started', { backupId, bucket: s.bucket, prefix: c.store.prefix });
  if (!s.database) throw new Error('no database to back up: DATABASE_* settings are missing');
  if (!s.filesDir) throw new Error('no files directory to back up: TENANTRY_FILES_DIR is missing');
  const engine = engineFor(s.database.engine);
  const versions = await engine.versions(s.database);
  // Estimates only size the upload parts; a failed estimate falls back to the smallest parts.
  const estimate = async (what: string, f: () => Promise<number>) =>
    f().catch((e: unknown) => {
      log.warn(`could not estimate the ${what} size; using the smallest upload parts`, { backupId, error: (e as Error).message });
      return undefined;
    });
  const [dbBytes, filesBytes] = await Promise.all([
    estimate('database', () => databaseBytes(s.database!)),
    estimate('files', () => directoryBytes(s.filesDir!)),
  ]);
  // zstd as a program beside the dump and the tar when there is one (see zstd-program.ts): the same
  // frames as the agent's own compressor writes, at the same level.
  const program = (compress: boolean) => (compress && s.externalZstd && WRITE_COMPRESSION === 'zstd' ? zstdProgram() : undefined);
  const dbZstd = program(engine.compressInAgent);
  const filesZstd = program(s.compressFiles);
  const sources: Record<BackupPart, () => PartSource> = {
    database: () => {
      const d = engine.dump(s.database!, dbZstd ? { zstd: dbZstd } : {});
      return {
        name: 'database',
        stream: d.stream,
        done: d.done,
        contentType: engine.contentType,
        compress: engine.compressInAgent,
        compressed: dbZstd !== undefined,
        ...(dbBytes !== undefined ? { expectedBytes: dbBytes } : {}),
      };
    },
    files: () => {
      const t = tarDirectory(s.filesDir!, filesZstd ? { zstd: filesZstd } : {});
      // Compressed by default: zstd passes data that is compressed already (images, PDFs, archives)
      // at several hundred MB/s. On the benchmark's half-text, half-random files the backup ran as
      // fast with it as without (faster on a loaded machine) and stored 21 % less.
      return {
        name: 'files',
        stream: t.stream,
        done: t.done,
        contentType: 'application/x-tar',
        compress: s.compressFiles,
        compressed: filesZstd !== undefined,
        ...(filesBytes !== undefined ? { expectedBytes: filesBytes } : {}),
      };
    },
  };
  // Fail closed: without both data keys no source starts and nothing is uploaded.
  const keys = await generateKeys(s, c, backupId, PARTS);
  let parts: ManifestPart[];
  try {
    // Both parts at once: the dump waits on the database, the tar on the disk, the upload on the
    // network; encryption is cheap next to them.
    parts = await uploadParts(s, c, backupId, sources, keys, log);
  } catch (e) {
    log.error('backup failed; no manifest written, the partial upload is removed', { backupId, error: (e as Error).message });
    await c.store
      .delete(backupId)
      .catch((err: unknown) =>
        log.warn('could not remove the partial upload; the next run cleans it up', { backupId, error: (err as Error).message }),
      );
    throw e;
  }
  const manifest: BackupManifest = {
    format: MANIFEST_FORMAT,
    tenant: s.tenant,
    backupId,
    region: s.region,
    startedAt: started.toISOString(),
    completedAt: '',
    // The key ARN KMS used, not the configured alias: an alias may point elsewhere next year.
    kmsKeyId: keys.get('database')!.keyArn,
    database: { engine: s.database.engine, serverVersion: versions.server },
    tools: { tenantry: tenantryVersion(), node: process.version, [engine.toolName]: versions.client },
    parts,
  };
  if (s.verify) {
    try {
      manifest.verification = await verifyBackup(s, c, manifest, log, { drill: false });
    } catch (e) {
      log.error('verification of the new backup failed; no manifest written, the upload is removed', {
        backupId,
        error: (e as Error).message,
      });
      await c.store.delete(backupId).catch(() => undefined);
      throw e;
    }
  }
  manifest.completedAt = now().toISOString();
  await c.store.commit(manifest);
  const plaintextBytes = parts.reduce((n, p) => n + p.plaintextBytes, 0);
  const storedBytes = parts.reduce((n, p) => n + p.ciphertextBytes, 0);
  const seconds = (performance.now() - t0) / 1000;
  log.info('backup complete', {
    backupId,
    plaintextBytes,
    storedBytes,
    seconds: Number(seconds.toFixed(1)),
    verified: !!manifest.verification,
  });
  return { backupId, manifest, seconds, plaintextBytes, storedBytes };
}
