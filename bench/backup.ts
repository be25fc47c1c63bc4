// bench:backup — throughput and memory of the backup agent (`tenantry backup run`, `backup
// verify`, `restore`) on a synthetic tenant, half PostgreSQL and half files, against the local
// KMS and S3 server; in the same run what bounds it: each stage alone (pg_dump, tar, zstd, gzip,
// SHA-256, AES-256-GCM on one core with openssl speed) and restic backing up and restoring the
// same data to the same server. Then the agent's peak RSS at each of --rss-sizes: the database
// stays as generated and files make up the rest, so that a 4 GiB run costs seconds to prepare
// rather than minutes of INSERTs. Prints progress per phase on stderr and one JSON line last.
//
// Throughput is always dataset bytes per second, dataset bytes being pg_database_size of the
// database plus the bytes of the files: what an operator sizes a tenant by, whatever the
// compression; restic is measured against the same figure.
import { spawn, type ChildProcess } from 'node:child_process';
import { createCipheriv, createHash, randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { parseArgs } from 'node:util';
import { constants, gunzipSync, gzipSync, zstdCompressSync, zstdDecompressSync } from 'node:zlib';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import type { DatabaseTarget } from '../src/backup/engines/index.js';
import { ZSTD_LEVEL } from '../src/backup/compression.js';
import { runPsql } from '../src/backup/engines/postgres.js';
import { ensureBinaries } from '../test/env/build.js';
import { repoRoot } from '../test/env/paths.js';
import { servicesEnv, startServices, stopServices, type Services } from '../test/env/services.js';
import { adminS3, agentEnv, dbTarget } from '../test/support/backup-env.js';
import { countRows, emptyDir, fillFiles, parseSize, seedDatabase, summarizeFiles, textBlock } from './backup-dataset.js';

const { values } = parseArgs({
  options: { size: { type: 'string', default: '1GiB' }, 'rss-sizes': { type: 'string', default: '1GiB,4GiB' } },
});
const SIZE_LABEL = values.size;
const SIZE = parseSize(SIZE_LABEL);
const RSS_SIZES = values['rss-sizes']
  .split(',')
  .map((s) => s.trim())
  .filter(Boolean)
  .map((label) => ({ label, bytes: parseSize(label) }))
  .sort((a, b) => a.bytes - b.bytes);
if (SIZE < 64 * 2 ** 20) throw new Error('--size must be at least 64MiB');

const phase = (name: string) => process.stderr.write(`[bench:backup] ${new Date().toISOString()} ${name}\n`);
const TENANT = 'bench-tenant';
const DATABASE = 'bench';
/** Throughputs are in MB (10^6 bytes) per second, as the agent's own progress logs report them. */
const MB = 1e6;
/** Linux reports CPU times in /proc in clock ticks of 1/100 s (USER_HZ) on every architecture. */
const CLK_TCK = 100;
/** The agent's memory target: a backup Job should fit a small, fixed memory request whatever the tenant's size. */
const RSS_TARGET_MB = 200;
/** The restore-time objective a 500 GB tenant is measured against. */
const OBJECTIVE_HOURS = 8;
const PROJECTION_BYTES = 500e9;

const round = (n: number, digits = 2) => Number(n.toFixed(digits));
const mbps = (bytes: number, seconds: number) => round(bytes / MB / Math.max(seconds, 1e-3), 1);

/** Peak RSS (VmHWM) and CPU times of a live process, from /proc; undefined once it is gone. */
function sample(pid: number): { hwmKb: number; cpu: number; childCpu: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const hwm = /VmHWM:\s+(\d+) kB/.exec(status);
    // Fields after the parenthesised command name, from field 3 (state): utime is field 14.
    const f = stat
      .slice(stat.lastIndexOf(')') + 2)
      .split(' ')
      .map(Number);
    if (!hwm) return undefined;
    return { hwmKb: Number(hwm[1]), cpu: (f[11]! + f[12]!) / CLK_TCK, childCpu: (f[13]! + f[14]!) / CLK_TCK };
  } catch {
    return undefined;
  }
}

/** What one measured child process did. */
interface Run {
  code: number | null;
  seconds: number;
  /** Peak resident set of the process itself (not its children), from the last poll before it exited. */
  peakRssMb: number;
  /** CPU seconds of the process, and of the children it reaped (pg_dump, tar, pg_restore). */
  cpuSeconds: number;
  childCpuSeconds: number;
  stdout: string;
  stdoutBytes: number;
  stderr: string;
}

interface RunOptions {
  env: Record<string, string>;
  /** The child's stdin: nothing, or the stdout of another child (shared, as a shell pipe is). */
  stdin?: Readable;
  /** `pipe`: hand stdout to the caller through `onSpawn` (to feed another child); otherwise collect or count it. */
  stdout?: 'collect' | 'count' | 'pipe';
  onSpawn?: (child: ChildProcess) => void;
}

/** Runs a command, polling its VmHWM and CPU every 100 ms (the last poll before exit is what counts). */
function run(cmd: string, args: string[], o: RunOptions): Promise<Run> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    // Only PATH and HOME from our environment, as the CronJob gives the agent only what it sets.
    const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', ...o.env };
    const child = spawn(cmd, args, { env, stdio: [o.stdin ?? 'ignore', 'pipe', 'pipe'] });
    // The other child holds its own copy of a shared pipe; ours must not read from it.
    o.stdin?.destroy();
    let last: ReturnType<typeof sample>;
    const poll = () => (last = sample(child.pid ?? 0) ?? last);
    const timer = setInterval(poll, 100);
    let stdout = '';
    let stdoutBytes = 0;
    let stderr = '';
    if (o.stdout !== 'pipe') {
      child.stdout.on('data', (d: Buffer) => {
        stdoutBytes += d.length;
        if (o.stdout !== 'count') stdout += d.toString('utf8');
      });
    }
    child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString('utf8')).slice(-1_000_000)));
    o.onSpawn?.(child);
    child.once('error', (e) => {
      clearInterval(timer);
      reject(new Error(`cannot run ${cmd}: ${e.message}`));
    });
    child.once('exit', () => clearInterval(timer));
    child.once('close', (code) => {
      resolve({
        code,
        seconds: (performance.now() - t0) / 1000,
        peakRssMb: last ? Math.round(last.hwmKb / 1024) : NaN,
        cpuSeconds: last?.cpu ?? NaN,
        childCpuSeconds: last?.childCpu ?? NaN,
        stdout,
        stdoutBytes,
        stderr,
      });
    });
    poll();
  });
}

/** Throws with the end of a run's stderr unless it exited 0. */
function ok(r: Run, what: string): Run {
  if (r.code !== 0)
    throw new Error(`${what} exited with ${r.code}; its stderr ends with:\n${r.stderr.trim().split('\n').slice(-15).join('\n')}`);
  return r;
}

/** Runs `a | b` as a shell would (a's stdout is b's stdin) and waits for both. */
async function runPipe(
  a: { cmd: string; args: string[]; env: Record<string, string> },
  b: { cmd: string; args: string[]; env: Record<string, string>; stdout?: 'collect' | 'count' },
): Promise<[Run, Run]> {
  let feed: Readable | undefined;
  const first = run(a.cmd, a.args, { env: a.env, stdout: 'pipe', onSpawn: (c) => (feed = c.stdout ?? undefined) });
  if (!feed) throw new Error(`${a.cmd} has no stdout`);
  const second = run(b.cmd, b.args, { env: b.env, stdin: feed, stdout: b.stdout ?? 'collect' });
  const [ra, rb] = await Promise.all([first, second]);
  return [ok(ra, a.cmd), ok(rb, b.cmd)];
}

/** CPU seconds (with reaped children: PostgreSQL's backends) of each service process. */
function serviceCpu(s: Services): Record<string, number> {
  return Object.fromEntries(
    s.processes.map((p) => {
      const now = sample(p.pid);
      return [p.name, now ? now.cpu + now.childCpu : 0];
    }),
  );
}

/** CPU seconds the services spent since `before`, for the ones that do work in a backup. */
function serviceCpuSince(s: Services, before: Record<string, number>): { s3: number; postgres: number; kms: number } {
  const now = serviceCpu(s);
  const d = (name: string) => round((now[name] ?? 0) - (before[name] ?? 0), 1);
  return { s3: d('s3'), postgres: d('postgres'), kms: d('kms') };
}

/** Runs `tenantry <args>` as the CronJob or the restore Job would; returns the run and its JSON result line. */
async function agent(args: string[], env: Record<string, string>): Promise<{ run: Run; result: Record<string, unknown> }> {
  const r = ok(await run(process.execPath, [join(repoRoot(), 'bin', 'tenantry.js'), ...args], { env }), `tenantry ${args.join(' ')}`);
  const line = r.stdout.trim().split('\n').pop() ?? '';
  return { run: r, result: JSON.parse(line) as Record<string, unknown> };
}

/** The agent's "<part> done" progress lines: seconds and bytes of each stream it moved. */
function partTimes(stderr: string): Record<string, { bytes: number; seconds: number; mbPerSecond: number }> {
  const out: Record<string, { bytes: number; seconds: number; mbPerSecond: number }> = {};
  for (const line of stderr.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      const l = JSON.parse(line) as { message?: string; part?: string; bytes?: number; seconds?: number; mbPerSecond?: number };
      if (l.part && l.message === `${l.part} done`)
        out[l.part] = { bytes: l.bytes ?? 0, seconds: l.seconds ?? 0, mbPerSecond: l.mbPerSecond ?? 0 };
    } catch {
      /* not a log line */
    }
  }
  return out;
}

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

/** Makes sure restic is installed (Debian package), installing it when we may. */
async function ensureRestic(): Promise<string> {
  const version = () =>
    run('restic', ['version'], { env: {} }).then(
      (r) => (r.code === 0 ? r.stdout.trim() : undefined),
      () => undefined,
    );
  let v = await version();
  if (!v && process.getuid?.() === 0) {
    phase('restic: not installed; apt-get install -y restic');
    const r = await run('apt-get', ['install', '-y', '-q', '--no-install-recommends', 'restic'], {
      env: { DEBIAN_FRONTEND: 'noninteractive' },
    });
    if (r.code !== 0) phase(`restic: apt-get failed (${r.code}): ${r.stderr.trim().split('\n').pop() ?? ''}`);
    v = await version();
  }
  if (!v) throw new Error('restic is not installed: apt-get install restic (it is in .ci/run)');
  return v;
}

/** The last JSON line of a `restic --json backup` with message_type summary. */
function resticSummary(stdout: string): { snapshot_id: string } {
  const line = stdout
    .trim()
    .split('\n')
    .reverse()
    .find((l) => l.includes('"message_type":"summary"'));
  if (!line) throw new Error(`restic printed no summary:\n${stdout.slice(-2000)}`);
  return JSON.parse(line) as { snapshot_id: string };
}

/** Total size of the objects under a prefix of the bucket the services created: what a tool really stored. */
async function storedBytes(bucket: string, prefix: string): Promise<number> {
  const s3 = adminS3();
  try {
    let total = 0;
    let token: string | undefined;
    do {
      const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
      total += (page.Contents ?? []).reduce((n, o) => n + (o.Size ?? 0), 0);
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return total;
  } finally {
    s3.destroy();
  }
}

/** pg_dump's connection arguments and environment for a target (as the agent builds them). */
function pgTool(
  t: DatabaseTarget,
  tool: string,
  database: string,
  extra: string[],
): { cmd: string; args: string[]; env: Record<string, string> } {
  return {
    cmd: t.binDir ? join(t.binDir, tool) : tool,
    args: [`--host=${t.host}`, `--port=${t.port}`, `--username=${t.user}`, '--no-password', `--dbname=${database}`, ...extra],
    env: { PGPASSWORD: t.password },
  };
}

/**
 * The agent's pg_dump command (custom format, uncompressed: the agent compresses with zstd), so
 * restic and the stage timing dump the same bytes; restic compresses them itself (repository v2).
 */
const DUMP_ARGS = ['--format=custom', '--compress=0', '--quote-all-identifiers'];
/** What the agent ran before zstd (pg_dump's own gzip, level 1), timed alone for comparison. */
const DUMP_ARGS_GZIP = ['--format=custom', '--compress=1', '--quote-all-identifiers'];

async function main(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'tenantry-bench-backup-'));
  // PostgreSQL runs as the postgres user when we are root, and must reach its folder below this one.
  if (process.getuid?.() === 0) chmodSync(root, 0o711);
  let services: Services | undefined;
  let stopping: Promise<void> | undefined;
  const cleanUp = () =>
    (stopping ??= (async () => {
      phase('stopping the services and removing the data');
      if (services)
        await stopServices(services, { removeData: true }).catch((e: unknown) => phase(`stopping the services failed: ${String(e)}`));
      rmSync(root, { recursive: true, force: true });
    })());
  // The services run in their own process groups, so an interrupted run would leave them behind.
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => void cleanUp().finally(() => process.exit(130)));
  const startLoad = round(loadavg()[0] ?? 0, 1);
  try {
    phase(
      `starting the services (size=${SIZE_LABEL}, rss-sizes=${RSS_SIZES.map((s) => s.label).join(',')}, ${cpus().length} CPUs, load ${startLoad})`,
    );
    services = await startServices(join(root, 'services'), await ensureBinaries());
    Object.assign(process.env, servicesEnv(services));
    const target = dbTarget('postgres', DATABASE);

    // --- Dataset ---
    phase(`dataset: PostgreSQL table of about ${(SIZE / 2 / 2 ** 20).toFixed(0)} MiB`);
    const db = await seedDatabase(target, SIZE / 2, phase);
    phase(`dataset: database ${db.rows} rows, ${(db.bytes / 2 ** 20).toFixed(0)} MiB in ${db.seconds.toFixed(1)} s; files for the rest`);
    const filesDir = join(root, 'files');
    const files = await fillFiles(filesDir, Math.max(0, SIZE - db.bytes), phase);
    const datasetBytes = db.bytes + files.bytes;
    phase(
      `dataset: ${files.files} files, ${(files.bytes / 2 ** 20).toFixed(0)} MiB in ${files.seconds.toFixed(1)} s; total ${(datasetBytes / 2 ** 20).toFixed(0)} MiB`,
    );

    // --- Each stage alone, on what this run backs up ---
    phase('stages alone: pg_dump (the agent’s flags) and tar to a byte counter');
    const dumpTool = pgTool(target, 'pg_dump', DATABASE, DUMP_ARGS);
    const dumpAlone = ok(await run(dumpTool.cmd, dumpTool.args, { env: dumpTool.env, stdout: 'count' }), 'pg_dump');
    const gzipDumpTool = pgTool(target, 'pg_dump', DATABASE, DUMP_ARGS_GZIP);
    const gzipDumpAlone = ok(await run(gzipDumpTool.cmd, gzipDumpTool.args, { env: gzipDumpTool.env, stdout: 'count' }), 'pg_dump');
    const tarAlone = ok(
      await run('tar', ['--create', '--file=-', '--format=posix', '--sort=name', '--numeric-owner', `--directory=${filesDir}`, '.'], {
        env: {},
        stdout: 'count',
      }),
      'tar',
    );
    phase(`stages alone: zstd -${ZSTD_LEVEL}, gzip -1, SHA-256 and AES-256-GCM in this process (one core), openssl speed`);
    // The files are half text, half random: the compressors' speed differs a lot between the two.
    const text = textBlock(8 * 2 ** 20);
    const noise = randomBytes(8 * 2 ** 20);
    const mix = Buffer.concat([text.subarray(0, 4 * 2 ** 20), noise.subarray(0, 4 * 2 ** 20)]);
    const mixGz = gzipSync(mix, { level: 1 });
    const zstd = { params: { [constants.ZSTD_c_compressionLevel]: ZSTD_LEVEL } };
    const mixZstd = zstdCompressSync(mix, zstd);
    const key = randomBytes(32);
    const stageMBps = {
      pgDump: mbps(db.bytes, dumpAlone.seconds),
      pgDumpCompress1: mbps(db.bytes, gzipDumpAlone.seconds),
      tar: mbps(files.bytes, tarAlone.seconds),
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
    phase(`stages alone (MB/s): ${JSON.stringify(stageMBps)}; ${aes.command}: ${aes.mbps}`);

    // --- Fixed costs: the same commands on an almost empty tenant ---
    phase('fixed costs: backup and restore of an almost empty tenant');
    const tinyTarget = dbTarget('postgres', 'bench_tiny');
    await runPsql(tinyTarget, 'postgres', 'DROP DATABASE IF EXISTS bench_tiny WITH (FORCE);');
    await runPsql(tinyTarget, 'postgres', 'CREATE DATABASE bench_tiny;');
    await runPsql(tinyTarget, 'bench_tiny', "CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t VALUES (1, 'x');");
    const tinyDir = join(root, 'tiny');
    mkdirSync(tinyDir);
    await fillFiles(tinyDir, 2 ** 20, () => undefined);
    const tinyEnv = agentEnv('bench-tiny', tinyTarget, tinyDir, { TENANTRY_BACKUP_PREFIX: 'bench', TENANTRY_VERIFY: 'false' });
    const tinyBackup = await agent(['backup', 'run'], tinyEnv);
    const overhead: { backupSeconds: number; restoreSeconds: number; restoreError?: string } = {
      backupSeconds: round(tinyBackup.run.seconds),
      restoreSeconds: NaN,
    };
    try {
      overhead.restoreSeconds = round(
        (await agent(['restore', '--tenant', 'bench-tiny', '--backup', String(tinyBackup.result.backupId)], tinyEnv)).run.seconds,
      );
    } catch (e) {
      // A fixed cost of seconds hardly moves a projection in hours: report the failure, carry on.
      overhead.restoreError = (e as Error).message.split('\n').slice(-1)[0];
    }
    phase(
      `fixed costs: backup ${overhead.backupSeconds} s, restore ${overhead.restoreError ? `failed: ${overhead.restoreError}` : `${overhead.restoreSeconds} s`}`,
    );

    // --- Our backup, without the verification pass; then the verification alone ---
    const env = agentEnv(TENANT, target, filesDir, { TENANTRY_BACKUP_PREFIX: 'bench', TENANTRY_VERIFY: 'false' });
    phase('agent: tenantry backup run (TENANTRY_VERIFY=false)');
    let cpu0 = serviceCpu(services);
    const backup = await agent(['backup', 'run'], env);
    const backupServiceCpu = serviceCpuSince(services, cpu0);
    const backupId = String(backup.result.backupId);
    const backupParts = partTimes(backup.run.stderr);
    phase(
      `agent: backup ${backupId} in ${backup.run.seconds.toFixed(1)} s (${mbps(datasetBytes, backup.run.seconds)} MB/s), peak RSS ${backup.run.peakRssMb} MB, parts ${JSON.stringify(backupParts)}`,
    );
    // The files tar is stored uncompressed unless TENANTRY_COMPRESS_FILES=true: what that costs and saves.
    phase('agent: tenantry backup run (TENANTRY_VERIFY=false, TENANTRY_COMPRESS_FILES=true)');
    const compressedFiles = await agent(['backup', 'run'], { ...env, TENANTRY_COMPRESS_FILES: 'true' });
    phase(
      `agent: with zstd of the files in ${compressedFiles.run.seconds.toFixed(1)} s (${mbps(datasetBytes, compressedFiles.run.seconds)} MB/s), ${compressedFiles.result.storedBytes} bytes stored instead of ${backup.result.storedBytes}`,
    );
    phase('agent: tenantry backup verify');
    const verify = await agent(['backup', 'verify', backupId], env);
    phase(`agent: verified in ${verify.run.seconds.toFixed(1)} s, peak RSS ${verify.run.peakRssMb} MB`);

    // --- restic: the same data to the same server, its default settings ---
    const resticVersion = await ensureRestic();
    const s3 = servicesEnv(services);
    const resticEnv = {
      RESTIC_REPOSITORY: `s3:${s3.TENANTRY_S3_ENDPOINT}/${s3.TENANTRY_S3_BUCKET}/restic-bench`,
      RESTIC_PASSWORD: randomBytes(16).toString('hex'),
      RESTIC_CACHE_DIR: join(root, 'restic-cache'),
      AWS_ACCESS_KEY_ID: s3.TENANTRY_S3_ACCESS_KEY_ID!,
      AWS_SECRET_ACCESS_KEY: s3.TENANTRY_S3_SECRET_ACCESS_KEY!,
      AWS_DEFAULT_REGION: s3.TENANTRY_AWS_REGION!,
    };
    phase(`restic: init (${resticVersion})`);
    ok(await run('restic', ['init'], { env: resticEnv }), 'restic init');
    phase('restic: pg_dump | restic backup --stdin, then restic backup of the files folder');
    cpu0 = serviceCpu(services);
    const [, resticDb] = await runPipe(dumpTool, {
      cmd: 'restic',
      args: ['backup', '--json', '--stdin', '--stdin-filename', 'db.dump'],
      env: resticEnv,
    });
    const resticFiles = ok(await run('restic', ['backup', '--json', filesDir], { env: resticEnv }), 'restic backup');
    const resticServiceCpu = serviceCpuSince(services, cpu0);
    const resticBackupSeconds = resticDb.seconds + resticFiles.seconds;
    const [dbSnap, filesSnap] = [resticSummary(resticDb.stdout), resticSummary(resticFiles.stdout)];
    // data_added counts bytes before compression; the bucket says what restic really stored.
    const resticStored = await storedBytes(s3.TENANTRY_S3_BUCKET!, 'restic-bench/');
    const resticRepoVersion = (
      JSON.parse(ok(await run('restic', ['cat', 'config'], { env: resticEnv }), 'restic cat config').stdout) as { version?: number }
    ).version;
    phase(
      `restic: backup in ${resticBackupSeconds.toFixed(1)} s (${mbps(datasetBytes, resticBackupSeconds)} MB/s; db ${resticDb.seconds.toFixed(1)} s, files ${resticFiles.seconds.toFixed(1)} s), peak RSS ${Math.max(resticDb.peakRssMb, resticFiles.peakRssMb)} MB`,
    );
    phase('restic: restore of the files, and restic dump | pg_restore into a scratch database');
    const resticTarget = join(root, 'restic-restore');
    const resticRestoreFiles = ok(
      await run('restic', ['restore', filesSnap.snapshot_id, '--target', resticTarget], { env: resticEnv }),
      'restic restore',
    );
    await runPsql(target, 'postgres', 'CREATE DATABASE bench_restic;');
    const [resticDump] = await runPipe(
      { cmd: 'restic', args: ['dump', dbSnap.snapshot_id, '/db.dump'], env: resticEnv },
      { ...pgTool(target, 'pg_restore', 'bench_restic', ['--exit-on-error', '--no-owner']), stdout: 'collect' },
    );
    const resticRestoreSeconds = resticRestoreFiles.seconds + resticDump.seconds;
    const resticRestored = summarizeFiles(resticTarget);
    if (resticRestored.bytes !== files.bytes)
      throw new Error(`restic restored ${resticRestored.bytes} bytes of files, expected ${files.bytes}`);
    await runPsql(target, 'postgres', 'DROP DATABASE bench_restic WITH (FORCE);');
    rmSync(resticTarget, { recursive: true, force: true });
    phase(`restic: restore in ${resticRestoreSeconds.toFixed(1)} s (${mbps(datasetBytes, resticRestoreSeconds)} MB/s)`);

    // --- Our restore, into an emptied instance: the default (both parts load into scratch space and
    // swap only once both loaded), then with the extra verification pass (--preverify) ---
    const restores: Record<string, { run: Run; result: Record<string, unknown> }> = {};
    for (const mode of ['default', 'preverify'] as const) {
      await runPsql(target, 'postgres', `DROP DATABASE ${DATABASE} WITH (FORCE);`);
      emptyDir(filesDir);
      phase(`agent: tenantry restore (${mode}) into an emptied database and files folder`);
      restores[mode] = await agent(
        ['restore', '--tenant', TENANT, '--backup', backupId, ...(mode === 'default' ? [] : ['--preverify'])],
        env,
      );
      const [rows, back] = [await countRows(target), summarizeFiles(filesDir)];
      if (rows !== db.rows || back.bytes !== files.bytes)
        throw new Error(
          `restore (${mode}) brought back ${rows} rows and ${back.bytes} bytes of files, expected ${db.rows} and ${files.bytes}`,
        );
      phase(
        `agent: restore (${mode}) in ${restores[mode].run.seconds.toFixed(1)} s (${mbps(datasetBytes, restores[mode].run.seconds)} MB/s), peak RSS ${restores[mode].run.peakRssMb} MB`,
      );
    }
    const restore = restores.default!;
    const restorePreverify = restores['preverify']!;

    // --- Peak RSS of full backups (with verification) as the dataset grows ---
    // The database stays as it is; the files make up the rest, so large sizes are mostly files.
    const rssRuns: { size: string; datasetBytes: number; seconds: number; mbPerSecond: number; peakRssMb: number }[] = [];
    for (const s of RSS_SIZES) {
      const f = await fillFiles(filesDir, Math.max(0, s.bytes - db.bytes), phase);
      const bytes = db.bytes + f.bytes;
      phase(`memory: tenantry backup run (TENANTRY_VERIFY=true) of ${s.label} (${(bytes / 2 ** 20).toFixed(0)} MiB)`);
      const r = await agent(['backup', 'run'], { ...env, TENANTRY_VERIFY: 'true' });
      rssRuns.push({
        size: s.label,
        datasetBytes: bytes,
        seconds: round(r.run.seconds),
        mbPerSecond: mbps(bytes, r.run.seconds),
        peakRssMb: r.run.peakRssMb,
      });
      phase(`memory: ${s.label}: peak RSS ${r.run.peakRssMb} MB, ${r.run.seconds.toFixed(1)} s`);
    }

    const backupMBps = mbps(datasetBytes, backup.run.seconds);
    const restoreMBps = mbps(datasetBytes, restore.run.seconds);
    const restorePreverifyMBps = mbps(datasetBytes, restorePreverify.run.seconds);
    const resticBackupMBps = mbps(datasetBytes, resticBackupSeconds);
    const resticRestoreMBps = mbps(datasetBytes, resticRestoreSeconds);
    const hours = (rate: number) => round((PROJECTION_BYTES / (rate * MB) + (overhead.restoreSeconds || 0)) / 3600);
    const rss = rssRuns.map((r) => r.peakRssMb);
    const result = {
      bench: 'backup',
      size: SIZE_LABEL,
      cpus: cpus().length,
      loadAverageAtStart: startLoad,
      loadAverageAtEnd: round(loadavg()[0] ?? 0, 1),
      datasetBytes,
      datasetDefinition: 'pg_database_size + bytes of the files',
      database: { rows: db.rows, bytes: db.bytes, dumpBytes: dumpAlone.stdoutBytes, gzipDumpBytes: gzipDumpAlone.stdoutBytes },
      files: { count: files.files, bytes: files.bytes },
      backupSeconds: round(backup.run.seconds),
      backupMBps,
      backupStoredBytes: Number(backup.result.storedBytes),
      backupParts,
      backupCpuSeconds: { agent: round(backup.run.cpuSeconds, 1), pgDumpAndTar: round(backup.run.childCpuSeconds, 1), ...backupServiceCpu },
      backupCompressFilesSeconds: round(compressedFiles.run.seconds),
      backupCompressFilesMBps: mbps(datasetBytes, compressedFiles.run.seconds),
      backupCompressFilesStoredBytes: Number(compressedFiles.result.storedBytes),
      verifySeconds: round(verify.run.seconds),
      verifyMBps: mbps(datasetBytes, verify.run.seconds),
      restoreSeconds: round(restore.run.seconds),
      restoreMBps,
      restoreWithPreverifySeconds: round(restorePreverify.run.seconds),
      restoreWithPreverifyMBps: restorePreverifyMBps,
      restorePreverifyPassSeconds: Number(restorePreverify.result.verifySeconds),
      restoreCpuSeconds: { agent: round(restore.run.cpuSeconds, 1), pgRestoreAndTar: round(restore.run.childCpuSeconds, 1) },
      fixedOverheadSeconds: overhead,
      restic: resticVersion,
      resticBackupSeconds: round(resticBackupSeconds),
      resticBackupMBps,
      resticRepositoryVersion: resticRepoVersion,
      resticStoredBytes: resticStored,
      resticBackupCpuSeconds: { restic: round(resticDb.cpuSeconds + resticFiles.cpuSeconds, 1), ...resticServiceCpu },
      resticRestoreSeconds: round(resticRestoreSeconds),
      resticRestoreMBps,
      ratioBackupVsRestic: round(backupMBps / resticBackupMBps),
      ratioRestoreVsRestic: round(restoreMBps / resticRestoreMBps),
      aesGcmSingleCoreMBps: aes.mbps,
      backupVsAesLimit: round(backupMBps / aes.mbps, 3),
      stageAloneMBps: stageMBps,
      peakRssMb: {
        backup: backup.run.peakRssMb,
        // The same command on the almost empty tenant: what the process needs before any data flows.
        backupEmptyTenant: tinyBackup.run.peakRssMb,
        verify: verify.run.peakRssMb,
        restore: restore.run.peakRssMb,
        restoreWithPreverify: restorePreverify.run.peakRssMb,
        restic: Math.max(resticDb.peakRssMb, resticFiles.peakRssMb, resticRestoreFiles.peakRssMb, resticDump.peakRssMb),
      },
      agentPeakRssMb: Object.fromEntries(rssRuns.map((r) => [r.size, r.peakRssMb])),
      rssRuns,
      rssTargetMb: RSS_TARGET_MB,
      rssWithinTarget: rss.every((r) => r <= RSS_TARGET_MB),
      rssGrowthPercent: rss.length > 1 ? round((100 * (Math.max(...rss) - rss[0]!)) / rss[0]!, 1) : 0,
      projectedRestoreHours500GB: hours(restoreMBps),
      projectedRestoreHours500GBWithPreverify: hours(restorePreverifyMBps),
      objectiveHours: OBJECTIVE_HOURS,
    };
    process.stdout.write(JSON.stringify(result) + '\n');
  } finally {
    await cleanUp();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`[bench:backup] failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
