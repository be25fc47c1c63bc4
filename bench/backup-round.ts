// One round of bench:backup on the dataset generated once: the stages alone and the fixed costs,
// then our backup, the same with compressed files, verify, restic's backup and restore, the load
// floor, our restore (default, then --preverify), and last the agent's peak RSS at each --rss-sizes. Returns
// the round's result object: what one run of the benchmark printed before there were rounds.
import { cpus, loadavg } from 'node:os';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { DatabaseTarget } from '../src/backup/engines/index.js';
import { servicesEnv, type Services } from '../test/env/services.js';
import { agentEnv, dbTarget } from '../test/support/backup-env.js';
import { deletePrefixes, type PrefixTotals } from './backup-bucket.js';
import { emptyDir, fillFiles, summarizeFiles, type DatabaseDataset, type FilesSummary } from './backup-dataset.js';
import type { BenchEngine } from './backup-engine.js';
import { projectedRestoreSeconds } from './backup-projection.js';
import { measureLoadFloor, type LoadFloor } from './backup-load-floor.js';
import { measureRestic, resticPrefix, type ResticFigures } from './backup-restic.js';
import { agent, mbps, partTimes, round, serviceCpu, serviceCpuSince, type Run } from './backup-run.js';
import { measureStages } from './backup-stages.js';

/** The agent's memory target: a backup Job should fit a small, fixed memory request whatever the tenant's size. */
export const RSS_TARGET_MB = 200;
/** The restore-time objective a 500 GB tenant is measured against. */
const OBJECTIVE_HOURS = 8;
const PROJECTION_BYTES = 500e9;
/** Our backups' key prefix in the bucket (TENANTRY_BACKUP_PREFIX); everything under it belongs to the benchmark. */
export const OUR_PREFIX = 'bench';

/** What every round shares: the services, the dataset as generated, and the options. */
export interface BenchContext {
  root: string;
  services: Services;
  engine: BenchEngine;
  target: DatabaseTarget;
  tenant: string;
  sizeLabel: string;
  db: DatabaseDataset;
  filesDir: string;
  files: FilesSummary;
  datasetBytes: number;
  rssSizes: { label: string; bytes: number }[];
  resticVersion: string;
  resticPassword: string;
}

type AgentRun = { run: Run; result: Record<string, unknown> };

/**
 * Brings the dataset back to what it was when generated, after an earlier round: the files the
 * peak-RSS runs added go (fillFiles removes the newest first, which are exactly those), the
 * database the restores reloaded is vacuumed and frozen as the generated one was, and the previous
 * round's objects leave the bucket. Checks rather than trusts: a different folder is regenerated.
 */
async function prepareRound(ctx: BenchContext, n: number, log: (msg: string) => void): Promise<{ deleted: PrefixTotals; dbBytes: number }> {
  const bucket = ctx.services.s3.bucket;
  const deleted = await deletePrefixes(bucket, [`${OUR_PREFIX}/`, ...(n > 1 ? [resticPrefix(n - 1)] : [])]);
  rmSync(join(ctx.root, 'restic-cache'), { recursive: true, force: true });
  if (n > 1) {
    const same = (f: FilesSummary) => f.files === ctx.files.files && f.bytes === ctx.files.bytes;
    if (!same(await fillFiles(ctx.filesDir, ctx.files.bytes, log))) {
      log('files folder differs from the generated one: regenerating it');
      emptyDir(ctx.filesDir);
      const again = await fillFiles(ctx.filesDir, ctx.files.bytes, log);
      if (!same(again))
        throw new Error(`regenerated ${again.files} files of ${again.bytes} bytes, expected ${ctx.files.files} of ${ctx.files.bytes}`);
    }
    await ctx.engine.settle(ctx.target);
    const rows = await ctx.engine.countRows(ctx.target);
    if (rows !== ctx.db.rows) throw new Error(`the database holds ${rows} rows at the start of round ${n}, expected ${ctx.db.rows}`);
  }
  log(`bucket: deleted ${deleted.objects} objects (${(deleted.bytes / 2 ** 20).toFixed(0)} MiB) of the previous round`);
  return { deleted, dbBytes: await ctx.engine.databaseBytes(ctx.target) };
}

/** Backup and restore of an almost empty tenant: what the process costs before any data flows. */
async function measureFixedCosts(ctx: BenchContext, log: (msg: string) => void) {
  log('fixed costs: backup and restore of an almost empty tenant');
  const e = ctx.engine;
  const tinyTarget = dbTarget(e.kind, 'bench_tiny');
  await e.drop(tinyTarget, 'bench_tiny');
  await e.create(tinyTarget, 'bench_tiny');
  await e.sql(tinyTarget, 'bench_tiny', "CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t VALUES (1, 'x');");
  const tinyDir = join(ctx.root, 'tiny');
  rmSync(tinyDir, { recursive: true, force: true });
  mkdirSync(tinyDir);
  await fillFiles(tinyDir, 2 ** 20, () => undefined);
  const tinyEnv = agentEnv('bench-tiny', tinyTarget, tinyDir, { TENANTRY_BACKUP_PREFIX: OUR_PREFIX, TENANTRY_VERIFY: 'false' });
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
  log(
    `fixed costs: backup ${overhead.backupSeconds} s, restore ${overhead.restoreError ? `failed: ${overhead.restoreError}` : `${overhead.restoreSeconds} s`}`,
  );
  return { overhead, emptyTenantPeakRssMb: tinyBackup.run.peakRssMb };
}

/** Our backup without the verification pass, the same with the files stored uncompressed, then the verification alone. */
async function measureOurBackups(ctx: BenchContext, env: Record<string, string>, log: (msg: string) => void) {
  log('agent: tenantry backup run (TENANTRY_VERIFY=false)');
  const cpu0 = serviceCpu(ctx.services);
  const backup = await agent(['backup', 'run'], env);
  const serviceCpuSeconds = await serviceCpuSince(ctx.services, cpu0, ctx.engine.serviceName);
  const backupId = String(backup.result.backupId);
  const parts = partTimes(backup.run.stderr);
  log(
    `agent: backup ${backupId} in ${backup.run.seconds.toFixed(1)} s (${mbps(ctx.datasetBytes, backup.run.seconds)} MB/s), peak RSS ${backup.run.peakRssMb} MB, parts ${JSON.stringify(parts)}`,
  );
  // The files tar is compressed with zstd unless TENANTRY_COMPRESS_FILES=false: what that costs and saves.
  log('agent: tenantry backup run (TENANTRY_VERIFY=false, TENANTRY_COMPRESS_FILES=false)');
  const plainFiles = await agent(['backup', 'run'], { ...env, TENANTRY_COMPRESS_FILES: 'false' });
  log(
    `agent: with the files uncompressed in ${plainFiles.run.seconds.toFixed(1)} s (${mbps(ctx.datasetBytes, plainFiles.run.seconds)} MB/s), ${plainFiles.result.storedBytes} bytes stored instead of ${backup.result.storedBytes}`,
  );
  log('agent: tenantry backup verify');
  const verify = await agent(['backup', 'verify', backupId], env);
  log(`agent: verified in ${verify.run.seconds.toFixed(1)} s, peak RSS ${verify.run.peakRssMb} MB`);
  return { backup, backupId, parts, serviceCpuSeconds, plainFiles, verify };
}

/**
 * Our restore into an emptied instance: the default (both parts load into scratch space and swap
 * only once both loaded), then with the extra verification pass (--preverify); each checked
 * against the dataset.
 */
async function measureOurRestores(ctx: BenchContext, env: Record<string, string>, backupId: string, log: (msg: string) => void) {
  const restores: Record<string, AgentRun> = {};
  let serviceCpuSeconds: Record<string, number> = {};
  for (const mode of ['default', 'preverify'] as const) {
    await ctx.engine.drop(ctx.target, ctx.target.database);
    emptyDir(ctx.filesDir);
    log(`agent: tenantry restore (${mode}) into an emptied database and files folder`);
    const cpu0 = serviceCpu(ctx.services);
    restores[mode] = await agent(
      ['restore', '--tenant', ctx.tenant, '--backup', backupId, ...(mode === 'default' ? [] : ['--preverify'])],
      env,
    );
    if (mode === 'default') serviceCpuSeconds = await serviceCpuSince(ctx.services, cpu0, ctx.engine.serviceName);
    const [rows, back] = [await ctx.engine.countRows(ctx.target), summarizeFiles(ctx.filesDir)];
    if (rows !== ctx.db.rows || back.bytes !== ctx.files.bytes)
      throw new Error(
        `restore (${mode}) brought back ${rows} rows and ${back.bytes} bytes of files, expected ${ctx.db.rows} and ${ctx.files.bytes}`,
      );
    log(
      `agent: restore (${mode}) in ${restores[mode].run.seconds.toFixed(1)} s (${mbps(ctx.datasetBytes, restores[mode].run.seconds)} MB/s), peak RSS ${restores[mode].run.peakRssMb} MB`,
    );
  }
  return { restore: restores.default!, restorePreverify: restores.preverify!, serviceCpuSeconds };
}

/** Peak RSS of full backups (with verification) as the dataset grows: the database stays, the files make up the rest. */
async function measureRss(ctx: BenchContext, env: Record<string, string>, log: (msg: string) => void) {
  const rssRuns: { size: string; datasetBytes: number; seconds: number; mbPerSecond: number; peakRssMb: number }[] = [];
  for (const s of ctx.rssSizes) {
    const f = await fillFiles(ctx.filesDir, Math.max(0, s.bytes - ctx.db.bytes), log);
    const bytes = ctx.db.bytes + f.bytes;
    log(`memory: tenantry backup run (TENANTRY_VERIFY=true) of ${s.label} (${(bytes / 2 ** 20).toFixed(0)} MiB)`);
    const r = await agent(['backup', 'run'], { ...env, TENANTRY_VERIFY: 'true' });
    rssRuns.push({
      size: s.label,
      datasetBytes: bytes,
      seconds: round(r.run.seconds),
      mbPerSecond: mbps(bytes, r.run.seconds),
      peakRssMb: r.run.peakRssMb,
    });
    log(`memory: ${s.label}: peak RSS ${r.run.peakRssMb} MB, ${r.run.seconds.toFixed(1)} s`);
  }
  return rssRuns;
}

/** Runs round `n` (from 1) and returns its result object. */
export async function runRound(ctx: BenchContext, n: number, log: (msg: string) => void): Promise<Record<string, unknown>> {
  const loadAverageAtStart = round(loadavg()[0] ?? 0, 1);
  const start = await prepareRound(ctx, n, log);
  // Stages alone first: they also read the whole dataset, so no measured tool meets a cold page cache.
  const stages = await measureStages(
    ctx.engine,
    ctx.target,
    { dbBytes: ctx.db.bytes, filesDir: ctx.filesDir, filesBytes: ctx.files.bytes },
    log,
  );
  const fixed = await measureFixedCosts(ctx, log);
  const env = agentEnv(ctx.tenant, ctx.target, ctx.filesDir, { TENANTRY_BACKUP_PREFIX: OUR_PREFIX, TENANTRY_VERIFY: 'false' });
  const ours = await measureOurBackups(ctx, env, log);
  const restic = await measureRestic(
    {
      services: ctx.services,
      bucket: ctx.services.s3.bucket,
      s3Env: servicesEnv(ctx.services),
      password: ctx.resticPassword,
      cacheDir: join(ctx.root, 'restic-cache'),
      scratchDir: join(ctx.root, 'restic-restore'),
      roundNumber: n,
    },
    {
      engine: ctx.engine,
      target: ctx.target,
      filesDir: ctx.filesDir,
      filesBytes: ctx.files.bytes,
      datasetBytes: ctx.datasetBytes,
      rows: ctx.db.rows,
    },
    log,
  );
  const loadFloor = await measureLoadFloor(
    ctx.engine,
    ctx.target,
    ctx.services,
    { filesDir: ctx.filesDir, dir: join(ctx.root, 'load-floor'), expect: { rows: ctx.db.rows, filesBytes: ctx.files.bytes } },
    log,
  );
  const restores = await measureOurRestores(ctx, env, ours.backupId, log);
  const rssRuns = await measureRss(ctx, env, log);
  return composeResult(ctx, { n, loadAverageAtStart, start, stages, fixed, ours, restic, loadFloor, restores, rssRuns });
}

/** The round's figures, as one JSON object. */
function composeResult(
  ctx: BenchContext,
  m: {
    n: number;
    loadAverageAtStart: number;
    start: Awaited<ReturnType<typeof prepareRound>>;
    stages: Awaited<ReturnType<typeof measureStages>>;
    fixed: Awaited<ReturnType<typeof measureFixedCosts>>;
    ours: Awaited<ReturnType<typeof measureOurBackups>>;
    restic: ResticFigures;
    loadFloor: LoadFloor;
    restores: Awaited<ReturnType<typeof measureOurRestores>>;
    rssRuns: Awaited<ReturnType<typeof measureRss>>;
  },
): Record<string, unknown> {
  const { backup, plainFiles, verify } = m.ours;
  const { restore, restorePreverify } = m.restores;
  const datasetBytes = ctx.datasetBytes;
  const backupMBps = mbps(datasetBytes, backup.run.seconds);
  const restoreMBps = mbps(datasetBytes, restore.run.seconds);
  const restorePreverifyMBps = mbps(datasetBytes, restorePreverify.run.seconds);
  const resticBackupMBps = mbps(datasetBytes, m.restic.backupSeconds);
  const resticRestoreMBps = mbps(datasetBytes, m.restic.restoreSeconds);
  const hours = (r: Run) =>
    round(projectedRestoreSeconds(PROJECTION_BYTES, datasetBytes, r.seconds, m.fixed.overhead.restoreSeconds) / 3600);
  const rss = m.rssRuns.map((r) => r.peakRssMb);
  return {
    round: m.n,
    bench: 'backup',
    engine: ctx.engine.kind,
    size: ctx.sizeLabel,
    cpus: cpus().length,
    loadAverageAtStart: m.loadAverageAtStart,
    loadAverageAtEnd: round(loadavg()[0] ?? 0, 1),
    bucketDeletedAtStart: m.start.deleted,
    datasetBytes,
    datasetDefinition: ctx.engine.datasetDefinition,
    database: {
      rows: ctx.db.rows,
      bytes: ctx.db.bytes,
      bytesAtRoundStart: m.start.dbBytes,
      dumpBytes: m.stages.dumpBytes,
      // Left out, not null, where the dump tool has no gzip of its own (mariadb-dump).
      ...(m.stages.gzipDumpBytes === undefined ? {} : { gzipDumpBytes: m.stages.gzipDumpBytes }),
    },
    files: { count: ctx.files.files, bytes: ctx.files.bytes },
    backupSeconds: round(backup.run.seconds),
    backupMBps,
    backupStoredBytes: Number(backup.result.storedBytes),
    backupParts: m.ours.parts,
    backupCpuSeconds: {
      agent: round(backup.run.cpuSeconds, 1),
      [ctx.engine.kind === 'postgres' ? 'pgDumpAndTar' : 'mariadbDumpAndTar']: round(backup.run.childCpuSeconds, 1),
      ...m.ours.serviceCpuSeconds,
    },
    backupUncompressedFilesSeconds: round(plainFiles.run.seconds),
    backupUncompressedFilesMBps: mbps(datasetBytes, plainFiles.run.seconds),
    backupUncompressedFilesStoredBytes: Number(plainFiles.result.storedBytes),
    verifySeconds: round(verify.run.seconds),
    verifyMBps: mbps(datasetBytes, verify.run.seconds),
    restoreSeconds: round(restore.run.seconds),
    restoreMBps,
    restoreWithPreverifySeconds: round(restorePreverify.run.seconds),
    restoreWithPreverifyMBps: restorePreverifyMBps,
    restorePreverifyPassSeconds: Number(restorePreverify.result.verifySeconds),
    restoreCpuSeconds: {
      agent: round(restore.run.cpuSeconds, 1),
      [ctx.engine.kind === 'postgres' ? 'pgRestoreAndTar' : 'mariadbAndTar']: round(restore.run.childCpuSeconds, 1),
      ...m.restores.serviceCpuSeconds,
    },
    fixedOverheadSeconds: m.fixed.overhead,
    restic: ctx.resticVersion,
    resticBackupSeconds: round(m.restic.backupSeconds),
    resticBackupMBps,
    resticRepositoryVersion: m.restic.repositoryVersion,
    resticStoredBytes: m.restic.storedBytes,
    resticBackupCpuSeconds: m.restic.backupCpuSeconds,
    resticRestoreSeconds: round(m.restic.restoreSeconds),
    resticRestoreMBps,
    resticRestoreCpuSeconds: m.restic.restoreCpuSeconds,
    ratioBackupVsRestic: round(backupMBps / resticBackupMBps),
    ratioRestoreVsRestic: round(restoreMBps / resticRestoreMBps),
    // The database loaded and the files extracted from local files at once: no restore is faster,
    // so restic's restore over it is the highest restore ratio this machine allows.
    loadFloorSeconds: m.loadFloor.seconds,
    loadFloor: m.loadFloor,
    ratioLoadFloorVsRestic: round(m.restic.restoreSeconds / m.loadFloor.seconds),
    restoreVsLoadFloor: round(restore.run.seconds / m.loadFloor.seconds),
    aesGcmSingleCoreMBps: m.stages.aes.mbps,
    backupVsAesLimit: round(backupMBps / m.stages.aes.mbps, 3),
    stageAloneMBps: m.stages.stageMBps,
    peakRssMb: {
      backup: backup.run.peakRssMb,
      // The same command on the almost empty tenant: what the process needs before any data flows.
      backupEmptyTenant: m.fixed.emptyTenantPeakRssMb,
      verify: verify.run.peakRssMb,
      restore: restore.run.peakRssMb,
      restoreWithPreverify: restorePreverify.run.peakRssMb,
      restic: m.restic.peakRssMb,
    },
    agentPeakRssMb: Object.fromEntries(m.rssRuns.map((r) => [r.size, r.peakRssMb])),
    rssRuns: m.rssRuns,
    rssTargetMb: RSS_TARGET_MB,
    rssWithinTarget: rss.every((r) => r <= RSS_TARGET_MB),
    rssGrowthPercent: rss.length > 1 ? round((100 * (Math.max(...rss) - rss[0]!)) / rss[0]!, 1) : 0,
    projectedRestoreHours500GB: hours(restore.run),
    projectedRestoreHours500GBWithPreverify: hours(restorePreverify.run),
    objectiveHours: OBJECTIVE_HOURS,
  };
}
