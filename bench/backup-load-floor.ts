// bench:backup's load floor: the database dump loaded from a local file and the files tar
// extracted from a local file, both at once as our restore overlaps them, with nothing else to do —
// no download, decryption, hashing or decompression. pg_restore runs in two steps on the file (the
// table and its data, then the index builds) so the output times them apart. A restore of this
// dataset cannot finish before the database server has loaded it and the file system has taken the
// files, so restic's restore time divided by this one is the best restore ratio this machine allows
// any tool.
import { closeSync, mkdirSync, openSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { DatabaseTarget } from '../src/backup/engines/index.js';
import type { Services } from '../test/env/services.js';
import { summarizeFiles } from './backup-dataset.js';
import type { BenchEngine, Tool } from './backup-engine.js';
import { ok, round, run, runPipe, serviceCpu, serviceCpuSince } from './backup-run.js';

/** What the load floor measured, in seconds. */
export interface LoadFloor {
  /** Both loads at once, from the first start to the last end. */
  seconds: number;
  databaseSeconds: number;
  /** The database load's steps where the engine has them (pg_restore: data, then indexes); empty otherwise. */
  databaseStepSeconds: Record<string, number>;
  filesSeconds: number;
  /**
   * CPU seconds of the load tool (`loadTool`: pg_restore or the mariadb client), of tar, then S3's
   * (none), the database server's and KMS's (none).
   */
  cpuSeconds: Record<string, number>;
}

/** Runs `tool` with its stdout written to the file `path` (created or truncated); returns the bytes written. */
async function toFile(tool: Tool, path: string): Promise<number> {
  const fd = openSync(path, 'w');
  try {
    ok(await run(tool.cmd, tool.args, { env: tool.env, stdout: { fd } }), `${tool.cmd} > ${path}`);
  } finally {
    closeSync(fd);
  }
  return statSync(path).size;
}

/** Loads the dump file into `database`: step by step where the engine has steps, else piped into its load tool. */
async function loadDatabase(
  engine: BenchEngine,
  target: DatabaseTarget,
  database: string,
  file: string,
): Promise<{ seconds: number; cpuSeconds: number; steps: Record<string, number> }> {
  const steps = engine.loadSteps?.(target, database, file);
  if (!steps) {
    // cat: the load tool reads a pipe, as it does in a restore (ours and restic's), only with a free source.
    const [, load] = await runPipe({ cmd: 'cat', args: [file], env: {} }, { ...engine.loadTool(target, database), stdout: 'count' });
    return { seconds: load.seconds, cpuSeconds: load.cpuSeconds, steps: {} };
  }
  const out = { seconds: 0, cpuSeconds: 0, steps: {} as Record<string, number> };
  for (const { step, tool } of steps) {
    const r = ok(await run(tool.cmd, tool.args, { env: tool.env, stdout: 'count' }), `${engine.loadName} (${step})`);
    out.seconds += r.seconds;
    out.cpuSeconds += r.cpuSeconds;
    out.steps[step] = r.seconds;
  }
  return out;
}

/**
 * Measures the load floor of the dataset: the `engine`'s dump of `target` and a tar of `filesDir`
 * are written to files under `dir` first (not timed), then loaded into a scratch database and
 * extracted into a scratch folder at once, and checked against `expect`. Everything it made is
 * removed again.
 */
export async function measureLoadFloor(
  engine: BenchEngine,
  target: DatabaseTarget,
  services: Services,
  dataset: { filesDir: string; dir: string; expect: { rows: number; filesBytes: number } },
  log: (msg: string) => void,
): Promise<LoadFloor> {
  const { dir, expect } = dataset;
  const dumpPath = join(dir, engine.dumpFile);
  const tarPath = join(dir, 'files.tar');
  const scratchFiles = join(dir, 'files');
  const scratchDb = 'bench_floor';
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(scratchFiles, { recursive: true });
  try {
    log(`load floor: ${engine.dumpName} and tar into local files, then ${engine.loadName} and tar --extract from them at once`);
    const dumpBytes = await toFile(engine.dumpTool(target), dumpPath);
    ok(
      await run(
        'tar',
        ['--create', `--file=${tarPath}`, '--format=posix', '--sort=name', '--numeric-owner', `--directory=${dataset.filesDir}`, '.'],
        {
          env: {},
        },
      ),
      'tar --create',
    );
    await engine.drop(target, scratchDb);
    await engine.create(target, scratchDb);
    const cpu0 = serviceCpu(services);
    const t0 = performance.now();
    const [load, extract] = await Promise.all([
      loadDatabase(engine, target, scratchDb, dumpPath),
      run('tar', ['--extract', `--file=${tarPath}`, `--directory=${scratchFiles}`, '--numeric-owner', '--preserve-permissions'], {
        env: {},
      }).then((r) => ok(r, 'tar --extract')),
    ]);
    const seconds = (performance.now() - t0) / 1000;
    const serverCpu = await serviceCpuSince(services, cpu0, engine.serviceName);
    const rows = await engine.countRows({ ...target, database: scratchDb });
    const files = summarizeFiles(scratchFiles);
    if (rows !== expect.rows || files.bytes !== expect.filesBytes)
      throw new Error(
        `load floor brought back ${rows} rows and ${files.bytes} bytes of files, expected ${expect.rows} and ${expect.filesBytes}`,
      );
    const steps = Object.entries(load.steps)
      .map(([step, s]) => `${step} ${s.toFixed(1)} s`)
      .join(', ');
    log(
      `load floor: ${seconds.toFixed(1)} s (${engine.loadName} of ${(dumpBytes / 2 ** 20).toFixed(0)} MiB ${load.seconds.toFixed(1)} s${steps ? ` — ${steps}` : ''}; tar --extract ${extract.seconds.toFixed(1)} s)`,
    );
    return {
      seconds: round(seconds),
      databaseSeconds: round(load.seconds),
      databaseStepSeconds: Object.fromEntries(Object.entries(load.steps).map(([step, s]) => [step, round(s)])),
      filesSeconds: round(extract.seconds),
      cpuSeconds: { loadTool: round(load.cpuSeconds, 1), tar: round(extract.cpuSeconds, 1), ...serverCpu },
    };
  } finally {
    // A failed drop must not hide why the floor failed; the services go at the end of the run anyway.
    await engine.drop(target, scratchDb).catch((e: unknown) => log(`load floor: could not drop ${scratchDb}: ${(e as Error).message}`));
    rmSync(dir, { recursive: true, force: true });
  }
}
