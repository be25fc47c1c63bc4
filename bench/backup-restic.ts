// bench:backup's comparison: restic backing up the same data to the same S3 server with its
// default settings (the database as the agent dumps it, through --stdin, then the files folder),
// and restoring it (the files, and restic dump | pg_restore, or | mariadb, into a scratch
// database next to the live one, as the agent loads into a scratch database too). Each round gets
// a fresh repository: in one repository a later round would deduplicate against the first and
// upload nothing.
import { rmSync } from 'node:fs';
import type { DatabaseTarget } from '../src/backup/engines/index.js';
import type { Services } from '../test/env/services.js';
import { storedBytes } from './backup-bucket.js';
import { summarizeFiles } from './backup-dataset.js';
import type { BenchEngine } from './backup-engine.js';
import { mbps, ok, round, run, runPipe, serviceCpu, serviceCpuSince } from './backup-run.js';

/** Makes sure restic is installed (Debian package), installing it when we may. */
export async function ensureRestic(log: (msg: string) => void): Promise<string> {
  const version = () =>
    run('restic', ['version'], { env: {} }).then(
      (r) => (r.code === 0 ? r.stdout.trim() : undefined),
      () => undefined,
    );
  let v = await version();
  if (!v && process.getuid?.() === 0) {
    log('restic: not installed; apt-get install -y restic');
    const r = await run('apt-get', ['install', '-y', '-q', '--no-install-recommends', 'restic'], {
      env: { DEBIAN_FRONTEND: 'noninteractive' },
    });
    if (r.code !== 0) log(`restic: apt-get failed (${r.code}): ${r.stderr.trim().split('\n').pop() ?? ''}`);
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

/** The repository folder of a round in the bucket (with its trailing slash). */
export const resticPrefix = (roundNumber: number) => `restic-bench-r${roundNumber}/`;

/** Where restic runs: the round's repository and the S3 server's credentials. */
export interface ResticSetup {
  services: Services;
  bucket: string;
  /** The services' environment (servicesEnv): endpoint, credentials, region. */
  s3Env: Record<string, string>;
  password: string;
  cacheDir: string;
  /** Where restic restores the files to; removed afterwards. */
  scratchDir: string;
  roundNumber: number;
}

/** The dataset restic backs up: the database (dumped as the agent dumps it) and the files folder. */
export interface ResticDataset {
  engine: BenchEngine;
  target: DatabaseTarget;
  filesDir: string;
  filesBytes: number;
  datasetBytes: number;
  /** The rows of the dataset's table, which restic's restore must bring back. */
  rows: number;
}

/** What restic did in one round. */
export interface ResticFigures {
  backupSeconds: number;
  storedBytes: number;
  repositoryVersion: number | undefined;
  /** restic's own, then S3's, the database server's and KMS's. */
  backupCpuSeconds: Record<string, number>;
  restoreSeconds: number;
  /** restic's own, the load tool's (`loadTool`: pg_restore or the mariadb client), then S3's, the database server's and KMS's. */
  restoreCpuSeconds: Record<string, number>;
  peakRssMb: number;
}

/** Backs the dataset up with restic into a fresh repository of the round, then restores it. */
export async function measureRestic(s: ResticSetup, d: ResticDataset, log: (msg: string) => void): Promise<ResticFigures> {
  const prefix = resticPrefix(s.roundNumber);
  const resticEnv = {
    RESTIC_REPOSITORY: `s3:${s.s3Env.TENANTRY_S3_ENDPOINT}/${s.bucket}/${prefix.slice(0, -1)}`,
    RESTIC_PASSWORD: s.password,
    RESTIC_CACHE_DIR: s.cacheDir,
    AWS_ACCESS_KEY_ID: s.s3Env.TENANTRY_S3_ACCESS_KEY_ID!,
    AWS_SECRET_ACCESS_KEY: s.s3Env.TENANTRY_S3_SECRET_ACCESS_KEY!,
    AWS_DEFAULT_REGION: s.s3Env.TENANTRY_AWS_REGION!,
  };
  log(`restic: init of a fresh repository ${prefix}`);
  ok(await run('restic', ['init'], { env: resticEnv }), 'restic init');
  const e = d.engine;
  log(`restic: ${e.dumpName} | restic backup --stdin, then restic backup of the files folder`);
  const cpu0 = serviceCpu(s.services);
  const [, resticDb] = await runPipe(e.dumpTool(d.target), {
    cmd: 'restic',
    args: ['backup', '--json', '--stdin', '--stdin-filename', e.dumpFile],
    env: resticEnv,
  });
  const resticFiles = ok(await run('restic', ['backup', '--json', d.filesDir], { env: resticEnv }), 'restic backup');
  const resticServiceCpu = await serviceCpuSince(s.services, cpu0, e.serviceName);
  const backupSeconds = resticDb.seconds + resticFiles.seconds;
  const [dbSnap, filesSnap] = [resticSummary(resticDb.stdout), resticSummary(resticFiles.stdout)];
  // data_added counts bytes before compression; the bucket says what restic really stored.
  const stored = await storedBytes(s.bucket, prefix);
  const repositoryVersion = (
    JSON.parse(ok(await run('restic', ['cat', 'config'], { env: resticEnv }), 'restic cat config').stdout) as { version?: number }
  ).version;
  log(
    `restic: backup in ${backupSeconds.toFixed(1)} s (${mbps(d.datasetBytes, backupSeconds)} MB/s; db ${resticDb.seconds.toFixed(1)} s, files ${resticFiles.seconds.toFixed(1)} s), peak RSS ${Math.max(resticDb.peakRssMb, resticFiles.peakRssMb)} MB`,
  );
  log(`restic: restore of the files, and restic dump | ${e.loadName} into a scratch database`);
  const restoreCpu0 = serviceCpu(s.services);
  const resticRestoreFiles = ok(
    await run('restic', ['restore', filesSnap.snapshot_id, '--target', s.scratchDir], { env: resticEnv }),
    'restic restore',
  );
  await e.create(d.target, 'bench_restic');
  const [resticDump, resticLoad] = await runPipe(
    { cmd: 'restic', args: ['dump', dbSnap.snapshot_id, `/${e.dumpFile}`], env: resticEnv },
    { ...e.loadTool(d.target, 'bench_restic'), stdout: 'collect' },
  );
  const restoreSeconds = resticRestoreFiles.seconds + resticDump.seconds;
  const restoreServiceCpu = await serviceCpuSince(s.services, restoreCpu0, e.serviceName);
  const restoreCpuSeconds = {
    restic: round(resticRestoreFiles.cpuSeconds + resticDump.cpuSeconds, 1),
    loadTool: round(resticLoad.cpuSeconds, 1),
    ...restoreServiceCpu,
  };
  const resticRestored = summarizeFiles(s.scratchDir);
  if (resticRestored.bytes !== d.filesBytes)
    throw new Error(`restic restored ${resticRestored.bytes} bytes of files, expected ${d.filesBytes}`);
  const restoredRows = await e.countRows({ ...d.target, database: 'bench_restic' });
  if (restoredRows !== d.rows) throw new Error(`restic restored ${restoredRows} rows, expected ${d.rows}`);
  await e.drop(d.target, 'bench_restic');
  rmSync(s.scratchDir, { recursive: true, force: true });
  log(`restic: restore in ${restoreSeconds.toFixed(1)} s (${mbps(d.datasetBytes, restoreSeconds)} MB/s)`);
  return {
    backupSeconds,
    storedBytes: stored,
    repositoryVersion,
    backupCpuSeconds: { restic: round(resticDb.cpuSeconds + resticFiles.cpuSeconds, 1), ...resticServiceCpu },
    restoreSeconds,
    restoreCpuSeconds,
    peakRssMb: Math.max(resticDb.peakRssMb, resticFiles.peakRssMb, resticRestoreFiles.peakRssMb, resticDump.peakRssMb),
  };
}
