// Verification of a stored backup: download, check the ciphertext hash, decrypt through KMS with
// the backup's own encryption context, check the plaintext hash; a drill also restores it into a
// scratch database and a scratch folder and measures the time.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { contextFor } from '../cloud/kms.js';
import type { Logger } from '../log.js';
import type { AgentClients } from './clients.js';
import { decompressor } from './compression.js';
import { createDecryptStream } from './crypto-stream.js';
import { engineFor } from './engines/index.js';
import { testDecompression, ZstdEncodedPart, zstdProgram } from './zstd-program.js';
import { ExpectDigest } from './expect-digest.js';
import { extractInto } from './files.js';
import type { BackupManifest, ManifestPart, ManifestVerification } from './manifest.js';
import { ProgressMeter } from './progress.js';
import { progressLogger } from './run-backup.js';
import type { AgentSettings } from './settings.js';

/**
 * Returns the authenticated plaintext of one part as a stream, decompressed as its manifest says: the
 * KMS Decrypt call must present the context this tenant, backup and part would have, so a
 * header copied from another tenant's backup fails in KMS, not later; and it names the key ARN
 * of the header, once that is known to be one of the tenant's keys (see key-trust.ts).
 */
export async function openPart(
  s: AgentSettings,
  c: AgentClients,
  m: BackupManifest,
  part: ManifestPart,
  log: Logger,
  label: string = part.name,
): Promise<Readable> {
  const expected = contextFor(m.tenant, m.backupId, m.region, part.name);
  // The manifest is not authenticated either: a key it names must be the tenant's before anything is read.
  await c.keys.checkManifestKey(m.kmsKeyId, `manifest of backup ${m.backupId}`);
  // Before the download: a manifest naming a compression this agent cannot undo fails here.
  const decompress = decompressor(part.compression);
  const source = await c.store.download(part.key);
  const decrypt = createDecryptStream({
    resolveDataKey: c.kms.resolverFor(expected, (arn) => c.keys.check(arn, `${part.key} (stream header)`)),
  });
  // zstd is left to the zstd program when there is one, between this stream and the tool that loads it (see zstd-program.ts).
  const encoded = s.externalZstd && part.compression === 'zstd' && zstdProgram() !== undefined;
  const out = encoded ? new ZstdEncodedPart() : new PassThrough({ highWaterMark: 1024 * 1024 });
  const meter = new ProgressMeter(label, progressLogger(log, m.backupId));
  pipeline([
    source,
    meter,
    new ExpectDigest(`${part.key} (stored bytes)`, { sha256: part.ciphertextSha256, bytes: part.ciphertextBytes }),
    decrypt,
    new ExpectDigest(`${part.key} (decrypted bytes)`, { sha256: part.plaintextSha256, bytes: part.plaintextBytes }),
    ...(encoded ? [] : decompress),
    out,
  ]).catch((e: unknown) => out.destroy(e as Error));
  if (encoded) for (const t of decompress) t.destroy();
  return out;
}

/** Verifies a backup (and with `drill`, restores it into scratch space); throws naming the problem. */
export async function verifyBackup(
  s: AgentSettings,
  c: AgentClients,
  m: BackupManifest,
  log: Logger,
  o: { drill: boolean },
): Promise<ManifestVerification> {
  const t0 = performance.now();
  let bytes = 0;
  // Parts are independent streams with their own keys: verify them at once, as they were written.
  await Promise.all(
    m.parts.map(async (part) => {
      const plain = await openPart(s, c, m, part, log, `verify ${part.name}`);
      if (!o.drill) {
        await testDecompression(plain, `verify of ${part.key}`);
      } else if (part.name === 'database') {
        if (!s.database) throw new Error('a drill needs the database settings (DATABASE_*)');
        const engine = engineFor(s.database.engine);
        const scratch = `tenantry_drill_${m.backupId.slice(0, 15).toLowerCase()}`;
        try {
          await engine.restoreInto(s.database, scratch, plain);
        } finally {
          await engine.dropDatabase(s.database, scratch).catch(() => undefined);
        }
      } else {
        const dir = mkdtempSync(join(tmpdir(), 'tenantry-drill-'));
        try {
          await extractInto(dir, plain);
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      }
      bytes += part.plaintextBytes;
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  return {
    method: o.drill ? 'drill' : 'hash',
    verifiedAt: new Date().toISOString(),
    seconds: Number(seconds.toFixed(3)),
    bytesPerSecond: Math.round(bytes / Math.max(seconds, 1e-3)),
  };
}
