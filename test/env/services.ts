// Starts and stops the AWS-compatible services and databases the tests use next to the control
// plane: a KMS emulator (local-kms), an S3-compatible server (SeaweedFS) that encrypts SSE-KMS
// objects with that KMS, PostgreSQL and MariaDB. All listen on loopback ports only and keep their
// data in one folder, which stop removes.
import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { join } from 'node:path';
import { CreateBucketCommand, DeleteObjectCommand, ListBucketsCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { dump } from 'js-yaml';
import type { EnvBinaries } from './build.js';
import { freePort, type EnvProcess } from './controlplane.js';
import { startMariadb, startPostgres, type MariadbState, type PostgresState } from './databases.js';
import { envLog, isAlive, sleep } from './proc.js';
import { REGIONS } from '../../src/api/regions.js';

// The KMS holds a key (alias/tenantry-<region>) and a billing key (alias/tenantry-billing-<region>)
// for each region Tenantry runs in; S3 holds an Object Lock archive bucket for each region.
export { REGIONS };

/** The region the KMS and S3 server claim to be, and the tests use. */
export const TEST_REGION = 'eu-west-1';
/** The bucket for backups (plain, unversioned). */
export const BACKUP_BUCKET = `tenantry-backups-${TEST_REGION}`;
/** The archive bucket of a region: created with Object Lock (hence versioned), for billing exports, receipts and audit records. */
export function archiveBucket(region: string): string {
  return `tenantry-archive-${region}`;
}
/** The test region's archive bucket. */
export const ARCHIVE_BUCKET = archiveBucket(TEST_REGION);
/** Tenants that get an S3 identity confined to their prefix of the backup bucket. */
const SCOPED_TENANTS = ['tenant-a', 'tenant-b'];
/** The account id in the emulated KMS's ARNs (the example account of the AWS documentation). */
const ACCOUNT_ID = '111122223333';

const READY_TIMEOUT_MS = 60_000;
const STOP_GRACE_MS = 10_000;

/** One process of the services; `stopSignal` asks it to shut down (SIGTERM when unset). */
export interface ServiceProcess extends EnvProcess {
  stopSignal?: NodeJS.Signals;
  /** Files it makes outside the services' folder, removed after it stops. */
  leftovers?: string[];
}

/** What {@link Launcher.start} runs. */
export interface ProcessSpec {
  name: string;
  bin: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Run as this user and group (when we are root: PostgreSQL refuses to run as root). */
  uid?: number;
  gid?: number;
  stopSignal?: NodeJS.Signals;
  leftovers?: string[];
}

/** Starts processes of the services and waits for them, failing early when one of them dies. */
export interface Launcher {
  start(spec: ProcessSpec): ServiceProcess;
  waitFor(what: string, check: () => Promise<boolean>): Promise<void>;
}

/** An S3 identity confined to one prefix of one bucket. */
export interface ScopedIdentity {
  accessKeyId: string;
  secretAccessKey: string;
  bucket: string;
  prefix: string;
}

/** The running KMS emulator. */
export interface KmsState {
  endpoint: string;
  region: string;
  /**
   * Key ARN of every seeded alias (alias/tenantry-<region>, alias/tenantry-billing-<region>,
   * alias/tenantry-eu-west-1-other, alias/aws/s3).
   */
  keys: Record<string, string>;
}

/** The running S3-compatible server. */
export interface S3State {
  endpoint: string;
  region: string;
  /** Credentials of an identity allowed everything. */
  accessKeyId: string;
  secretAccessKey: string;
  bucket: string;
  archiveBucket: string;
  /** The archive bucket of every region, by region. */
  archiveBuckets: Record<string, string>;
  scoped: Record<string, ScopedIdentity>;
}

/** Running services: what tests and `env:down` need to use and stop them (JSON-serialisable). */
export interface Services {
  dir: string;
  kms: KmsState;
  s3: S3State;
  postgres: PostgresState;
  mariadb: MariadbState;
  processes: ServiceProcess[];
}

/** Returns the last lines of a process log, for an error message. */
function logTail(p: EnvProcess, lines = 20): string {
  if (!existsSync(p.log)) return '';
  return readFileSync(p.log, 'utf8').trim().split('\n').slice(-lines).join('\n');
}

/** Returns a launcher that starts processes in their own process groups with their output in `dir`, recording them in `processes`. */
function launcher(dir: string, processes: ServiceProcess[]): Launcher {
  return {
    start(spec) {
      const log = join(dir, `${spec.name}.log`);
      const fd = openSync(log, 'a');
      // Own process group (detached) so a stop reaches every child, and so `env:up` can exit while it runs.
      const child = spawn(spec.bin, spec.args, {
        detached: true,
        stdio: ['ignore', fd, fd],
        env: spec.env ?? process.env,
        cwd: spec.cwd,
        uid: spec.uid,
        gid: spec.gid,
      });
      closeSync(fd);
      child.unref();
      if (child.pid === undefined) throw new Error(`cannot start ${spec.name} (${spec.bin})`);
      // Fields left undefined vanish from the JSON state.
      const p: ServiceProcess = { name: spec.name, pid: child.pid, log, stopSignal: spec.stopSignal, leftovers: spec.leftovers };
      processes.push(p);
      return p;
    },
    async waitFor(what, check) {
      const deadline = Date.now() + READY_TIMEOUT_MS;
      for (;;) {
        for (const p of processes) {
          if (!isAlive(p.pid)) throw new Error(`${p.name} exited while waiting for ${what}; its log (${p.log}) ends with:\n${logTail(p)}`);
        }
        if (await check().catch(() => false)) return;
        if (Date.now() > deadline) throw new Error(`${what} not ready after ${READY_TIMEOUT_MS / 1000} s; see the logs in ${dir}`);
        await sleep(100);
      }
    },
  };
}

/** Returns an AWS-style access key id (20 upper-case characters) and secret (40 characters). */
function makeCredentials(): { accessKeyId: string; secretAccessKey: string } {
  return { accessKeyId: 'AKIA' + randomBytes(8).toString('hex').toUpperCase(), secretAccessKey: randomBytes(30).toString('base64') };
}

/** Calls one action of the KMS JSON API without the SDK (used for the readiness check). */
async function kmsCall(endpoint: string, action: string, body: unknown): Promise<Response> {
  return fetch(endpoint, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': `TrentService.${action}` },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(2000),
  });
}

/**
 * Starts local-kms on a free loopback port, seeded with one AES key per region (alias
 * alias/tenantry-<region>), a billing key per region (alias/tenantry-billing-<region>: the key of
 * the archive, never a tenant's), a second key in the test region (alias/tenantry-eu-west-1-other) for
 * wrong-key tests, and alias/aws/s3, the key SeaweedFS uses (like AWS's managed key) for a bucket
 * whose default encryption is SSE-KMS without a key id. local-kms serves one region per process, so every key lives in the
 * test region's process and its ARN names that region; aliases of the other regions still resolve.
 */
async function startKms(dir: string, bin: string, launch: Launcher): Promise<KmsState> {
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const aliases = [
    ...REGIONS.map((r) => `alias/tenantry-${r}`),
    ...REGIONS.map((r) => `alias/tenantry-billing-${r}`),
    `alias/tenantry-${TEST_REGION}-other`,
    'alias/aws/s3',
  ];
  const ids = new Map(aliases.map((a) => [a, randomUUID()]));
  const seed = {
    Keys: {
      Symmetric: {
        Aes: aliases.map((a) => ({
          Metadata: { KeyId: ids.get(a), Description: `Tenantry test key ${a}` },
          BackingKeys: [randomBytes(32).toString('hex')],
        })),
      },
    },
    Aliases: aliases.map((a) => ({ AliasName: a, TargetKeyId: ids.get(a) })),
  };
  // The seed holds the key material: readable by us only.
  const seedFile = join(dir, 'seed.yaml');
  writeFileSync(seedFile, dump(seed), { mode: 0o600 });
  const state: KmsState = {
    endpoint: `http://127.0.0.1:${port}`,
    region: TEST_REGION,
    keys: Object.fromEntries(aliases.map((a) => [a, `arn:aws:kms:${TEST_REGION}:${ACCOUNT_ID}:key/${ids.get(a)}`])),
  };
  launch.start({
    name: 'kms',
    bin,
    args: [],
    env: {
      ...process.env,
      KMS_LISTEN: `127.0.0.1:${port}`,
      KMS_REGION: TEST_REGION,
      KMS_ACCOUNT_ID: ACCOUNT_ID,
      KMS_DATA_PATH: join(dir, 'data'),
      KMS_SEED_PATH: seedFile,
    },
  });
  // The seed is stored before the port opens; resolving the last alias proves both.
  await launch.waitFor('kms', async () => (await kmsCall(state.endpoint, 'DescribeKey', { KeyId: aliases.at(-1) })).ok);
  return state;
}

/** Returns the SeaweedFS identity configuration (and KMS provider) for `-s3.config`. */
function seaweedConfig(s3: S3State, kms: KmsState): unknown {
  const identity = (name: string, creds: { accessKeyId: string; secretAccessKey: string }, actions: string[]) => ({
    name,
    credentials: [{ accessKey: creds.accessKeyId, secretKey: creds.secretAccessKey }],
    actions,
  });
  return {
    identities: [
      identity('tenantry-admin', s3, ['Admin', 'Read', 'List', 'Tagging', 'Write']),
      // "Action:bucket/prefix*" grants confine an identity to keys under the prefix (listing
      // included, when the request's prefix lies under it); anything else is AccessDenied.
      ...Object.entries(s3.scoped).map(([name, id]) =>
        identity(
          name,
          id,
          ['Read', 'Write', 'List', 'Tagging'].map((a) => `${a}:${id.bucket}/${id.prefix}*`),
        ),
      ),
    ],
    // SSE-KMS objects get their data keys from the emulated KMS (GenerateDataKey, Decrypt), as
    // with AWS. Without the cache every object operation really calls the KMS.
    kms: {
      default_provider: 'local-kms',
      providers: {
        'local-kms': {
          type: 'aws',
          region: kms.region,
          endpoint: kms.endpoint,
          access_key: 'test',
          secret_key: 'test',
          cache_enabled: false,
        },
      },
    },
  };
}

/** Returns `n` distinct TCP ports on 127.0.0.1 that were free a moment ago (all held at once, so none repeats). */
async function freePorts(n: number): Promise<number[]> {
  const listen = () =>
    new Promise<Server>((resolve, reject) => {
      const srv = createServer();
      srv.once('error', reject);
      srv.listen(0, '127.0.0.1', () => resolve(srv));
    });
  const servers = await Promise.all(Array.from({ length: n }, listen));
  const ports = servers.map((srv) => (srv.address() as AddressInfo).port);
  await Promise.all(servers.map((srv) => new Promise((resolve) => srv.close(resolve))));
  return ports;
}

/**
 * Starts SeaweedFS on free loopback ports and creates the backup bucket and an Object Lock
 * archive bucket per region. `weed mini` runs master, volume server, filer and S3 gateway (and an admin
 * server for maintenance) in one process, set up for a single node: unlike `weed server` it takes
 * writes within seconds (the filer does not wait 10 s for peers of an older cluster) and stops
 * cleanly on SIGTERM.
 */
async function startS3(dir: string, bin: string, kms: KmsState, launch: Launcher): Promise<S3State> {
  mkdirSync(join(dir, 'data'), { recursive: true });
  const [s3Port, s3Grpc, masterPort, masterGrpc, volumePort, volumeGrpc, filerPort, filerGrpc, adminPort, adminGrpc] = await freePorts(10);
  const state: S3State = {
    endpoint: `http://127.0.0.1:${s3Port}`,
    region: TEST_REGION,
    ...makeCredentials(),
    bucket: BACKUP_BUCKET,
    archiveBucket: ARCHIVE_BUCKET,
    archiveBuckets: Object.fromEntries(REGIONS.map((r) => [r, archiveBucket(r)])),
    scoped: Object.fromEntries(SCOPED_TENANTS.map((t) => [t, { ...makeCredentials(), bucket: BACKUP_BUCKET, prefix: `backups/${t}/` }])),
  };
  // It holds every secret key: readable by us only.
  const config = join(dir, 's3.json');
  writeFileSync(config, JSON.stringify(seaweedConfig(state, kms), null, 2) + '\n', { mode: 0o600 });
  launch.start({
    name: 's3',
    bin,
    args: [
      'mini',
      `-dir=${join(dir, 'data')}`,
      '-ip=127.0.0.1',
      '-ip.bind=127.0.0.1',
      // Every port explicit: the defaults are fixed numbers, which parallel runs would share.
      `-master.port=${masterPort}`,
      `-master.port.grpc=${masterGrpc}`,
      `-volume.port=${volumePort}`,
      `-volume.port.grpc=${volumeGrpc}`,
      `-filer.port=${filerPort}`,
      `-filer.port.grpc=${filerGrpc}`,
      `-filer.localSocket=${join(dir, 'filer.sock')}`,
      `-s3.port=${s3Port}`,
      `-s3.port.grpc=${s3Grpc}`,
      `-s3.localSocket=${join(dir, 's3.sock')}`,
      `-admin.port=${adminPort}`,
      `-admin.port.grpc=${adminGrpc}`,
      '-admin.port.legacy=0',
      '-admin.ui=false',
      '-webdav=false',
      '-s3.port.iceberg=0',
      '-s3.port.lance=0',
      // Never report to SeaweedFS's telemetry server from a test run.
      '-master.telemetry=false',
      `-s3.config=${config}`,
      // As on AWS, a write to a bucket that does not exist fails instead of creating it.
      '-s3.autoCreateBucket=false',
    ],
    // Its gRPC servers also listen on these fixed-name sockets, which a killed server leaves behind.
    leftovers: Object.entries({ master: masterGrpc, volume: volumeGrpc, filer: filerGrpc, s3: s3Grpc, admin: adminGrpc }).map(
      ([n, p]) => `/tmp/seaweedfs-${n}-grpc-${p}.sock`,
    ),
    // SeaweedFS reads master.toml, filer.toml and security.toml from the working folder first.
    cwd: dir,
  });
  const client = new S3Client({ region: TEST_REGION, endpoint: state.endpoint, forcePathStyle: true, credentials: state, maxAttempts: 1 });
  try {
    await launch.waitFor('s3', async () => {
      await client.send(new ListBucketsCommand({}), { abortSignal: AbortSignal.timeout(2000) });
      return true;
    });
    await client.send(new CreateBucketCommand({ Bucket: state.bucket }));
    for (const bucket of Object.values(state.archiveBuckets)) {
      await client.send(new CreateBucketCommand({ Bucket: bucket, ObjectLockEnabledForBucket: true }));
    }
    // The gateway answers before the volume server has joined the master; a first write proves
    // objects can be stored (and grows the bucket's first volume before a test times it).
    const probe = { Bucket: state.bucket, Key: '.tenantry-ready' };
    await launch.waitFor('s3 writes', async () => {
      await client.send(new PutObjectCommand({ ...probe, Body: 'ok' }), { abortSignal: AbortSignal.timeout(5000) });
      return true;
    });
    await client.send(new DeleteObjectCommand(probe));
  } finally {
    client.destroy();
  }
  return state;
}

/** Attempts at starting the services: a free port can be taken by another process before ours binds it. */
const START_ATTEMPTS = 3;

/**
 * Starts KMS, S3 and both databases in `dir` (in parallel; S3 once the KMS is up) and waits until
 * all are ready. A port lost to another process between choosing and binding it is retried with
 * fresh ports in a fresh folder; any other failure is reported at once.
 */
export async function startServices(dir: string, bin: Pick<EnvBinaries, 'kms' | 'weed'>): Promise<Services> {
  for (let attempt = 1; ; attempt++) {
    const where = attempt === 1 ? dir : `${dir}-retry${attempt}`;
    try {
      return await startServicesOnce(where, bin);
    } catch (e) {
      const portTaken = /address already in use|EADDRINUSE|bind: address/i.test((e as Error).message);
      if (!portTaken || attempt >= START_ATTEMPTS) throw e;
      envLog(`a port was taken by another process while the services started; retrying (${attempt}/${START_ATTEMPTS - 1})`);
      rmSync(where, { recursive: true, force: true });
    }
  }
}

async function startServicesOnce(dir: string, bin: Pick<EnvBinaries, 'kms' | 'weed'>): Promise<Services> {
  const started = Date.now();
  mkdirSync(dir, { recursive: true });
  const processes: ServiceProcess[] = [];
  const launch = launcher(dir, processes);
  const timed = async <T>(name: string, start: () => Promise<T>): Promise<T> => {
    const t = Date.now();
    const v = await start();
    envLog(`${name} ready in ${((Date.now() - t) / 1000).toFixed(1)} s`);
    return v;
  };
  const kms = timed('kms', () => startKms(join(dir, 'kms'), bin.kms, launch));
  const results = await Promise.allSettled([
    kms,
    kms.then((k) => timed('s3', () => startS3(join(dir, 's3'), bin.weed, k, launch))),
    timed('postgres', () => startPostgres(join(dir, 'postgres'), launch)),
    timed('mariadb', () => startMariadb(join(dir, 'mariadb'), launch)),
  ]);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    // Every start has settled, so nothing is left starting behind our back.
    await stopServices({ dir, processes }, { removeData: false });
    throw failed.reason;
  }
  const [k, s3, postgres, mariadb] = results.map((r) => (r as PromiseFulfilledResult<unknown>).value) as [
    KmsState,
    S3State,
    PostgresState,
    MariadbState,
  ];
  envLog(`services ready in ${((Date.now() - started) / 1000).toFixed(1)} s (logs in ${dir})`);
  return { dir, kms: k, s3, postgres, mariadb, processes };
}

/** Sends a signal to a process group, or to the process alone; ignores one that is already gone. */
function signal(pid: number, sig: NodeJS.Signals, group: boolean): void {
  try {
    process.kill(group ? -pid : pid, sig);
  } catch {
    /* already gone */
  }
}

/**
 * Stops every process of the services (its stop signal, then KILL to the group after a grace period)
 * and by default deletes their folder.
 */
export async function stopServices(
  s: Pick<Services, 'dir' | 'processes'>,
  opts: { removeData: boolean } = { removeData: true },
): Promise<void> {
  await Promise.all(
    s.processes.map(async (p) => {
      // To the main process only: PostgreSQL's children treat SIGINT differently from its postmaster.
      signal(p.pid, p.stopSignal ?? 'SIGTERM', false);
      const deadline = Date.now() + STOP_GRACE_MS;
      while (isAlive(p.pid) && Date.now() < deadline) await sleep(100);
      // The group too: nothing a server forked may outlive it.
      signal(p.pid, 'SIGKILL', true);
      while (isAlive(p.pid)) await sleep(50);
      for (const f of p.leftovers ?? []) rmSync(f, { force: true });
    }),
  );
  if (opts.removeData) rmSync(s.dir, { recursive: true, force: true });
}

/**
 * Starts one more private PostgreSQL server in `dir` (a second tenant's own database server in an
 * end-to-end test); the returned `stop` stops it and removes its data.
 */
export async function startExtraPostgres(dir: string): Promise<{ postgres: PostgresState; stop: () => Promise<void> }> {
  mkdirSync(dir, { recursive: true });
  const processes: ServiceProcess[] = [];
  try {
    const postgres = await startPostgres(join(dir, 'postgres'), launcher(dir, processes));
    return { postgres, stop: () => stopServices({ dir, processes }) };
  } catch (e) {
    await stopServices({ dir, processes });
    throw e;
  }
}

/** Returns the environment variables through which tests (and benchmarks) find the services. */
export function servicesEnv(s: Services): Record<string, string> {
  const keyOf = (alias: string) => {
    const arn = s.kms.keys[alias];
    if (!arn) throw new Error(`the KMS has no key ${alias}`);
    return arn;
  };
  return {
    TENANTRY_AWS_REGION: TEST_REGION,
    TENANTRY_KMS_ENDPOINT: s.kms.endpoint,
    // The emulator speaks http:// on loopback; the agent refuses that without this flag.
    TENANTRY_ALLOW_INSECURE_KMS_ENDPOINT: 'true',
    TENANTRY_KMS_KEY_ID: keyOf(`alias/tenantry-${TEST_REGION}`),
    TENANTRY_KMS_KEY_ID_OTHER: keyOf(`alias/tenantry-${TEST_REGION}-other`),
    TENANTRY_KMS_BILLING_KEY_ID: keyOf(`alias/tenantry-billing-${TEST_REGION}`),
    TENANTRY_S3_ENDPOINT: s.s3.endpoint,
    TENANTRY_S3_ACCESS_KEY_ID: s.s3.accessKeyId,
    TENANTRY_S3_SECRET_ACCESS_KEY: s.s3.secretAccessKey,
    TENANTRY_S3_BUCKET: s.s3.bucket,
    TENANTRY_S3_ARCHIVE_BUCKET: s.s3.archiveBucket,
    TENANTRY_S3_SCOPED: JSON.stringify(s.s3.scoped),
    TENANTRY_PG_HOST: s.postgres.host,
    TENANTRY_PG_PORT: String(s.postgres.port),
    TENANTRY_PG_USER: s.postgres.user,
    TENANTRY_PG_PASSWORD: s.postgres.password,
    TENANTRY_PG_BINDIR: s.postgres.bindir,
    TENANTRY_MARIADB_HOST: s.mariadb.host,
    TENANTRY_MARIADB_PORT: String(s.mariadb.port),
    TENANTRY_MARIADB_USER: s.mariadb.user,
    TENANTRY_MARIADB_PASSWORD: s.mariadb.password,
  };
}
