// bench:backup's "stages alone": each stage of a backup timed on its own, on what the run backs
// up — the dump tool with the agent's flags (pg_dump also with its own gzip; mariadb-dump has
// none), tar of the files folder, zstd, gzip, SHA-256 and AES-256-GCM in this process on one
// core, and openssl speed's AES-256-GCM — so the output says what bounds the agent.
import { createCipheriv, createHash, randomBytes } from 'node:crypto';
import { constants, gunzipSync, gzipSync, zstdCompressSync, zstdDecompressSync } from 'node:zlib';
import { ZSTD_LEVEL } from '../src/backup/compression.js';
import type { DatabaseTarget } from '../src/backup/engines/index.js';
import { textBlock } from './backup-dataset.js';
import type { BenchEngine } from './backup-engine.js';
import { MB, mbps, ok, round, run } from './backup-run.js';

/** Calls `fn` (which processes `bytes`) for at least `seconds`; returns MB/s on this one core. */
function inProcessMBps(bytes: number, fn: () => void, seconds = 1.5): number {
  fn();
  const t0 = performance.now();
  let n = 0;
  while (performance.now() - t0 < seconds * 1000) {
    fn();
    n++;
  }
  return mbps(n * bytes, (performance.now() - t0) / 1000);
}

/** AES-256-GCM on one core according to `openssl speed` (1 MiB blocks), in MB/s. */
async function opensslAesGcm(): Promise<{ mbps: number; command: string }> {
  const attempts = [
    ['speed', '-evp', 'aes-256-gcm', '-bytes', '1048576', '-seconds', '3'],
    // Older OpenSSL has neither option; its largest default block (16 KiB) is as fast.
    ['speed', '-evp', 'aes-256-gcm'],
  ];
  for (const args of attempts) {
    const r = await run('openssl', args, { env: {} });
    const line = r.code === 0 ? /^aes-256-gcm\s+(.*)$/im.exec(r.stdout) : null;
    // The figures are in 1000s of bytes per second, one column per block size; the last is the largest block.
    const last = line ? [...line[1]!.matchAll(/([\d.]+)k/g)].pop() : undefined;
    if (last) return { mbps: round((Number(last[1]) * 1000) / MB, 1), command: `openssl ${args.join(' ')}` };
  }
  throw new Error('openssl speed -evp aes-256-gcm printed no result');
}

/** What the stages alone measured: rates in MB/s, and the dump sizes the output reports. */
export interface StageFigures {
  dumpBytes: number;
  /** Only where the dump tool has its own gzip (pg_dump). */
  gzipDumpBytes: number | undefined;
  stageMBps: Record<string, number>;
  aes: { mbps: number; command: string };
}

/** Times each stage alone on the dataset: the `engine`'s database `target` (of `dbBytes`) and the folder `filesDir` (of `filesBytes`). */
export async function measureStages(
  engine: BenchEngine,
  target: DatabaseTarget,
  dataset: { dbBytes: number; filesDir: string; filesBytes: number },
  log: (msg: string) => void,
): Promise<StageFigures> {
  log(`stages alone: ${engine.dumpName} (the agent’s flags) and tar to a byte counter`);
  const dumpTool = engine.dumpTool(target);
  const dumpAlone = ok(await run(dumpTool.cmd, dumpTool.args, { env: dumpTool.env, stdout: 'count' }), engine.dumpName);
  const gzipDumpTool = engine.gzipDumpTool?.(target);
  const gzipDumpAlone = gzipDumpTool
    ? ok(await run(gzipDumpTool.cmd, gzipDumpTool.args, { env: gzipDumpTool.env, stdout: 'count' }), engine.dumpName)
    : undefined;
  const tarAlone = ok(
    await run('tar', ['--create', '--file=-', '--format=posix', '--sort=name', '--numeric-owner', `--directory=${dataset.filesDir}`, '.'], {
      env: {},
      stdout: 'count',
    }),
    'tar',
  );
  log(`stages alone: zstd -${ZSTD_LEVEL}, gzip -1, SHA-256 and AES-256-GCM in this process (one core), openssl speed`);
  // The files are half text, half random: the compressors' speed differs a lot between the two.
  const text = textBlock(8 * 2 ** 20);
  const noise = randomBytes(8 * 2 ** 20);
  const mix = Buffer.concat([text.subarray(0, 4 * 2 ** 20), noise.subarray(0, 4 * 2 ** 20)]);
  const mixGz = gzipSync(mix, { level: 1 });
  const zstd = { params: { [constants.ZSTD_c_compressionLevel]: ZSTD_LEVEL } };
  const mixZstd = zstdCompressSync(mix, zstd);
  const key = randomBytes(32);
  // pg_dump's keys as they always were; mariadb-dump has no gzip of its own, so no such figure.
  const stageMBps = {
    [engine.kind === 'postgres' ? 'pgDump' : 'mariadbDump']: mbps(dataset.dbBytes, dumpAlone.seconds),
    ...(gzipDumpAlone ? { pgDumpCompress1: mbps(dataset.dbBytes, gzipDumpAlone.seconds) } : {}),
    tar: mbps(dataset.filesBytes, tarAlone.seconds),
    gzip1Text: inProcessMBps(text.length, () => gzipSync(text, { level: 1 })),
    gzip1Random: inProcessMBps(noise.length, () => gzipSync(noise, { level: 1 })),
    gunzipFilesMix: inProcessMBps(mix.length, () => gunzipSync(mixGz)),
    zstdText: inProcessMBps(text.length, () => zstdCompressSync(text, zstd)),
    zstdRandom: inProcessMBps(noise.length, () => zstdCompressSync(noise, zstd)),
    unzstdFilesMix: inProcessMBps(mix.length, () => zstdDecompressSync(mixZstd)),
    sha256: inProcessMBps(mix.length, () => createHash('sha256').update(mix).digest()),
    nodeAesGcm: inProcessMBps(mix.length, () => {
      const c = createCipheriv('aes-256-gcm', key, randomBytes(12));
      c.update(mix);
      c.final();
    }),
  };
  const aes = await opensslAesGcm();
  log(`stages alone (MB/s): ${JSON.stringify(stageMBps)}; ${aes.command}: ${aes.mbps}`);
  return { dumpBytes: dumpAlone.stdoutBytes, gzipDumpBytes: gzipDumpAlone?.stdoutBytes, stageMBps, aes };
}
