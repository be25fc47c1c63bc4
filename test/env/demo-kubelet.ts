// The demo's stand-in kubelet for the Pods that are not the app: a tenant's database Pod and its
// backup and restore Job Pods. The app Pods are local-kubelet.ts's (a small HTTP server each).
//
// - A database Pod stands for the tenant's own database server. Here that server is a local
//   PostgreSQL or MariaDB: the first tenant of an engine gets the environment's shared server, each
//   further PostgreSQL tenant a private server of its own (every tenant's database and user are
//   called `app`, as in the cluster, so two tenants cannot share one). The tenant's database and
//   user are created with the password from the tenant's own Secret, as the e2e tests do; then the
//   Pod is bound to the node and reported Ready.
// - A backup or restore Job Pod runs as a local process of the `tenantry` agent from its own Pod
//   spec (test/support/pod-executor.ts), with the tenant's database Service mapped to that server
//   and the files volume to a local folder of the tenant; its outcome finishes the Job.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { DatabaseTarget } from '../../src/backup/engines/index.js';
import { runMariadb } from '../../src/backup/engines/mariadb.js';
import { runPsql } from '../../src/backup/engines/postgres.js';
import { defaultConfig } from '../../src/config.js';
import { DATABASE_NAME, DATABASE_SECRET_NAME, DATABASE_SERVICE_NAME, DATABASE_USER } from '../../src/resources/index.js';
import { runPodLocally } from '../support/pod-executor.js';
import { bindPod, reportPodReady } from './local-kubelet.js';
import { runTool, sleep } from './proc.js';
import { startExtraPostgres, type Services } from './services.js';

/** Options of {@link startDemoKubelet}. */
export interface DemoKubeletOptions {
  kubeconfig: string;
  kubectl: string;
  /** The Node the stand-in kubelet for app Pods registered: database and Job Pods are bound to it too. */
  nodeName: string;
  /** Folder for the tenants' files volumes and private database servers. */
  dir: string;
  services: Services;
  log: (line: string) => void;
}

/** A running stand-in for database and Job Pods. */
export interface DemoKubelet {
  /** Stops watching and stops the private database servers it started. Idempotent. */
  stop(): Promise<void>;
}

/** The parts of a Pod this reads. */
interface PodJson {
  metadata: { name: string; namespace: string; uid: string; labels?: Record<string, string>; deletionTimestamp?: string };
  spec: { nodeName?: string; containers: { name: string }[] };
  status?: { phase?: string; conditions?: { type: string; status: string }[] };
}

/** A tenant's database server, as the agent and the mappings see it. */
type Server = Omit<DatabaseTarget, 'database'>;

const COMPONENT = 'app.kubernetes.io/component';
const POLL_MS = 2_000;

/** Runs kubectl against the demo cluster and parses its JSON output. */
async function kubectlJson<T>(o: DemoKubeletOptions, args: string[]): Promise<T> {
  return JSON.parse(await runTool(o.kubectl, ['--kubeconfig', o.kubeconfig, ...args, '-o', 'json'])) as T;
}

/** Reads the tenant's database credentials from its Secret (what the database Pod's image would be given). */
async function tenantCredentials(o: DemoKubeletOptions, namespace: string): Promise<{ user: string; password: string; database: string }> {
  const s = await kubectlJson<{ data?: Record<string, string> }>(o, ['get', 'secret', DATABASE_SECRET_NAME, '-n', namespace]);
  const value = (k: string) => Buffer.from(s.data?.[k] ?? '', 'base64').toString('utf8');
  return {
    user: value('DATABASE_USER') || DATABASE_USER,
    password: value('DATABASE_PASSWORD'),
    database: value('DATABASE_NAME') || DATABASE_NAME,
  };
}

/** Creates (or updates) the tenant's user and database on the server, as its own server's image would at first start. */
async function createTenantDatabase(server: Server, engine: string, c: { user: string; password: string; database: string }) {
  const pw = c.password.replace(/'/g, "''");
  if (engine === 'postgres') {
    const admin: DatabaseTarget = { ...server, database: 'postgres' };
    // In Tenantry the app user is its own server's superuser (the image's POSTGRES_USER).
    await runPsql(
      admin,
      'postgres',
      `DO $$BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${c.user}') THEN CREATE ROLE ${c.user}; END IF; END$$;`,
    );
    await runPsql(admin, 'postgres', `ALTER ROLE ${c.user} WITH LOGIN SUPERUSER PASSWORD '${pw}';`);
    const exists = (await runPsql(admin, 'postgres', `SELECT 1 FROM pg_database WHERE datname = '${c.database}';`)).trim();
    if (!exists) await runPsql(admin, 'postgres', `CREATE DATABASE ${c.database} OWNER ${c.user};`);
    return;
  }
  const admin: DatabaseTarget = { ...server, database: c.database };
  await runMariadb(
    admin,
    undefined,
    `CREATE DATABASE IF NOT EXISTS ${c.database} CHARACTER SET utf8mb4; CREATE USER IF NOT EXISTS '${c.user}'@'%' IDENTIFIED BY '${pw}'; ` +
      `ALTER USER '${c.user}'@'%' IDENTIFIED BY '${pw}'; GRANT ALL ON ${c.database}.* TO '${c.user}'@'%';`,
  );
}

const isReady = (p: PodJson) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;

/** Starts the stand-in: polls the tenants' database and backup Pods and runs each once. */
export function startDemoKubelet(o: DemoKubeletOptions): DemoKubelet {
  const servers = new Map<string, Server>(); // namespace → its database server
  const sharedTaken = new Set<string>(); // engines whose shared server a tenant already has
  const extra: { stop: () => Promise<void> }[] = [];
  const handled = new Set<string>(); // pod uids run or being run
  let stopped = false;
  const { services } = o;
  const pgBinDir = services.postgres.bindir;

  /** The server for a tenant's database: the shared one of its engine if still free, else (PostgreSQL) a private one. */
  async function serverFor(namespace: string, engine: string): Promise<Server> {
    const known = servers.get(namespace);
    if (known) return known;
    let server: Server;
    if (!sharedTaken.has(engine)) {
      sharedTaken.add(engine);
      const s = engine === 'postgres' ? services.postgres : services.mariadb;
      server = { engine: engine === 'postgres' ? 'postgres' : 'mariadb', host: s.host, port: s.port, user: s.user, password: s.password };
    } else if (engine === 'postgres') {
      const own = await startExtraPostgres(join(o.dir, 'databases', namespace));
      extra.push(own);
      const s = own.postgres;
      server = { engine: 'postgres', host: s.host, port: s.port, user: s.user, password: s.password };
    } else {
      throw new Error(`a second ${engine} tenant (${namespace}) would share the demo's only ${engine} server with another tenant`);
    }
    if (server.engine === 'postgres') server.binDir = pgBinDir;
    servers.set(namespace, server);
    return server;
  }

  async function runDatabasePod(p: PodJson): Promise<void> {
    const ns = p.metadata.namespace;
    const engine = p.spec.containers[0]?.name ?? 'postgres';
    const server = await serverFor(ns, engine);
    await createTenantDatabase(server, engine, await tenantCredentials(o, ns));
    if (!p.spec.nodeName) await bindPod(o.kubeconfig, ns, p.metadata.name, o.nodeName);
    await reportPodReady(o.kubeconfig, ns, p.metadata.name, server.host);
    o.log(`database pod ${ns}/${p.metadata.name} ready: ${engine} on ${server.host}:${server.port}`);
  }

  async function runJobPod(p: PodJson): Promise<void> {
    const ns = p.metadata.namespace;
    const server = servers.get(ns);
    if (!server) throw new Error(`no database server for ${ns} yet`);
    const files = join(o.dir, 'files', ns);
    mkdirSync(files, { recursive: true });
    await bindPod(o.kubeconfig, ns, p.metadata.name, o.nodeName);
    o.log(`running ${ns}/${p.metadata.name} (${p.metadata.labels?.['app.kubernetes.io/name'] ?? 'job'})`);
    const run = await runPodLocally(ns, p.metadata.name, {
      volumes: { [defaultConfig().backup.filesMountPath]: files },
      hosts: { [`${DATABASE_SERVICE_NAME}.${ns}.svc`]: { host: server.host, port: server.port } },
      pgBinDir,
    });
    o.log(
      `${ns}/${p.metadata.name} exited ${run.exitCode}${run.exitCode === 0 ? '' : `: ${run.stderr.trim().split('\n').slice(-3).join(' | ')}`}`,
    );
  }

  /** Runs one Pod once; a failure is logged and the Pod tried again on a later poll. */
  function start(p: PodJson, what: (p: PodJson) => Promise<void>): void {
    handled.add(p.metadata.uid);
    what(p).catch((e: unknown) => {
      o.log(`${p.metadata.namespace}/${p.metadata.name}: ${e instanceof Error ? e.message : String(e)}; trying again`);
      handled.delete(p.metadata.uid);
    });
  }

  async function pass(): Promise<void> {
    const pods = await kubectlJson<{ items: PodJson[] }>(o, [
      'get',
      'pods',
      '-A',
      '-l',
      `${COMPONENT} in (database,backup),tenantry.io/tenant`,
    ]);
    for (const p of pods.items) {
      if (handled.has(p.metadata.uid) || p.metadata.deletionTimestamp) continue;
      const mine = !p.spec.nodeName || p.spec.nodeName === o.nodeName;
      const component = p.metadata.labels?.[COMPONENT];
      if (component === 'database' && mine && !isReady(p)) start(p, runDatabasePod);
      else if (component === 'database' && isReady(p) && !servers.has(p.metadata.namespace)) start(p, runDatabasePod);
      else if (component === 'backup' && !p.spec.nodeName && p.status?.phase === 'Pending' && servers.has(p.metadata.namespace))
        start(p, runJobPod);
    }
  }

  const loop = (async () => {
    while (!stopped) {
      await pass().catch((e: unknown) => o.log(`listing pods failed: ${e instanceof Error ? e.message : String(e)}`));
      await sleep(POLL_MS);
    }
  })();

  return {
    async stop() {
      if (stopped) return;
      stopped = true;
      await loop;
      await Promise.all(extra.map((s) => s.stop()));
    },
  };
}
