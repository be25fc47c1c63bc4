// bench:backup — throughput and memory of the backup agent (`tenantry backup run`, `backup
// verify`, `restore`) on a synthetic tenant, half database (PostgreSQL, or MariaDB with --engine
// mariadb) and half files, against the local
// KMS and S3 server; in the same run what bounds it: each stage alone (pg_dump, tar, zstd, gzip,
// SHA-256, AES-256-GCM on one core with openssl speed), restic backing up and restoring the
// same data to the same server, and the load floor (the database and files loaded from local
// files, the fastest any restore could be: bench/backup-load-floor.ts). Then the agent's peak RSS at each of --rss-sizes: the database
// stays as generated and files make up the rest, so that a 4 GiB run costs seconds to prepare
// rather than minutes of INSERTs.
//
// The dataset is generated once; all of that is then measured --rounds times (bench/backup-round.ts)
// and every figure is reported per round and as min / median / max over the rounds, since one run
// on a shared machine is a coin toss. Prints progress per phase and round on stderr and one JSON
// line last, whose top-level figures are the medians.
//
// Throughput is always dataset bytes per second, dataset bytes being pg_database_size of the
// database (on MariaDB: its tables' data and index bytes in information_schema) plus the bytes
// of the files: what an operator sizes a tenant by, whatever the compression; restic is measured
// against the same figure.
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { AGENT_RUNTIME_ENV } from '../src/resources/backup.js';
import { ensureBinaries } from '../test/env/build.js';
import { servicesEnv, startServices, stopServices, type Services } from '../test/env/services.js';
import { dbTarget } from '../test/support/backup-env.js';
import { fillFiles, parseSize } from './backup-dataset.js';
import { benchEngine, parseEngine } from './backup-engine.js';
import { ensureRestic } from './backup-restic.js';
import { OUR_PREFIX, RSS_TARGET_MB, runRound, type BenchContext } from './backup-round.js';
import { round } from './backup-run.js';
import { mediansOf, summarizeRounds } from './backup-stats.js';

const { values } = parseArgs({
  options: {
    size: { type: 'string', default: '1GiB' },
    'rss-sizes': { type: 'string', default: '1GiB,4GiB' },
    rounds: { type: 'string', default: '3' },
    engine: { type: 'string', default: 'postgres' },
  },
});
const ENGINE = benchEngine(parseEngine(values.engine));
const SIZE_LABEL = values.size;
const SIZE = parseSize(SIZE_LABEL);
const RSS_SIZES = values['rss-sizes']
  .split(',')
  .map((s) => s.trim())
  .filter(Boolean)
  .map((label) => ({ label, bytes: parseSize(label) }))
  .sort((a, b) => a.bytes - b.bytes);
const ROUNDS = Number(values.rounds);
if (SIZE < 64 * 2 ** 20) throw new Error('--size must be at least 64MiB');
if (!Number.isInteger(ROUNDS) || ROUNDS < 1) throw new Error(`--rounds must be a whole number of at least 1, not "${values.rounds}"`);

const phase = (name: string) => process.stderr.write(`[bench:backup] ${new Date().toISOString()} ${name}\n`);
const TENANT = 'bench-tenant';
const DATABASE = 'bench';

/** Generates the dataset once: a database of about half the size, files for the rest. */
async function generateDataset(root: string) {
  const target = dbTarget(ENGINE.kind, DATABASE);
  phase(`dataset: ${ENGINE.label} table of about ${(SIZE / 2 / 2 ** 20).toFixed(0)} MiB`);
  const db = await ENGINE.seed(target, SIZE / 2, phase);
  phase(`dataset: database ${db.rows} rows, ${(db.bytes / 2 ** 20).toFixed(0)} MiB in ${db.seconds.toFixed(1)} s; files for the rest`);
  const filesDir = join(root, 'files');
  const files = await fillFiles(filesDir, Math.max(0, SIZE - db.bytes), phase);
  const datasetBytes = db.bytes + files.bytes;
  phase(
    `dataset: ${files.files} files, ${(files.bytes / 2 ** 20).toFixed(0)} MiB in ${files.seconds.toFixed(1)} s; total ${(datasetBytes / 2 ** 20).toFixed(0)} MiB`,
  );
  return { target, db, filesDir, files: { files: files.files, bytes: files.bytes }, datasetBytes };
}

/** The last line: the rounds' medians at the top (the keys a reader looks for), then the spreads, then every round. */
function report(rounds: Record<string, unknown>[], startLoad: number): Record<string, unknown> {
  // The round's number and what its start deleted from the bucket are bookkeeping, not measurements.
  const summary = summarizeRounds(rounds.map(({ round: _n, bucketDeletedAtStart: _d, ...figures }) => figures));
  return {
    engine: ENGINE.kind,
    ...(mediansOf(summary) as Record<string, unknown>),
    roundCount: rounds.length,
    loadAverageAtStart: startLoad,
    loadAverageAtEnd: round(loadavg()[0] ?? 0, 1),
    // A median of peak RSS could hide the one round over the target: it holds only if every round met it.
    rssWithinTarget: rounds.every((r) => r.rssWithinTarget === true),
    rssTargetMb: RSS_TARGET_MB,
    agentRuntimeEnv: AGENT_RUNTIME_ENV,
    medians:
      'top-level figures are medians over the rounds (of an even count: the mean of the two middle rounds); rssWithinTarget holds for every round',
    bucketKept: `each round deletes the previous round's objects (ours under ${OUR_PREFIX}/, restic's repository restic-bench-r<N-1>/) before it starts; the last round's objects stay until the services are removed`,
    summary,
    rounds,
  };
}

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
      `starting the services (engine=${ENGINE.kind}, size=${SIZE_LABEL}, rss-sizes=${RSS_SIZES.map((s) => s.label).join(',')}, rounds=${ROUNDS}, ${cpus().length} CPUs, load ${startLoad})`,
    );
    services = await startServices(join(root, 'services'), await ensureBinaries());
    Object.assign(process.env, servicesEnv(services));
    const dataset = await generateDataset(root);
    const resticVersion = await ensureRestic(phase);
    phase(`restic: ${resticVersion}`);
    const ctx: BenchContext = {
      root,
      services,
      engine: ENGINE,
      tenant: TENANT,
      sizeLabel: SIZE_LABEL,
      rssSizes: RSS_SIZES,
      resticVersion,
      resticPassword: randomBytes(16).toString('hex'),
      ...dataset,
    };
    const rounds: Record<string, unknown>[] = [];
    for (let n = 1; n <= ROUNDS; n++) {
      const log = (msg: string) => phase(`round ${n}/${ROUNDS}: ${msg}`);
      log('start');
      const r = await runRound(ctx, n, log);
      log(
        `done: backup ${String(r.ratioBackupVsRestic)}× restic, restore ${String(r.ratioRestoreVsRestic)}× restic (the load floor allows ${String(r.ratioLoadFloorVsRestic)}×), agent peak RSS ${JSON.stringify(r.agentPeakRssMb)} MB`,
      );
      rounds.push(r);
    }
    process.stdout.write(JSON.stringify(report(rounds, startLoad)) + '\n');
  } finally {
    await cleanUp();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`[bench:backup] failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
