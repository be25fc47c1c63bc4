// `npm run env:build | env:up | env:down`: the local control plane and the services (KMS, S3,
// PostgreSQL, MariaDB) as a command. env:up prints only the kubeconfig path on stdout, so scripts
// can use `$(npm run -s env:up)`; the services' variables go to stderr and to services.env.
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureBinaries } from './build.js';
import { startControlPlane, stopControlPlane, type ControlPlane } from './controlplane.js';
import { cacheDir, upStateDir } from './paths.js';
import { servicesEnv, startServices, stopServices, type Services } from './services.js';
import { ensureUpstreamCrds } from './upstream-crds.js';
import { envLog, isAlive } from './proc.js';

const STATE_FILE = 'state.json';
const SERVICES_ENV_FILE = 'services.env';

/** What `env:up` keeps in its state file: the control plane and, once started, the services. */
export type UpState = ControlPlane & { services?: Services };

/** Reads the state of a control plane started by `env:up`, if any. */
export function readUpState(dir = upStateDir()): UpState | undefined {
  const file = join(dir, STATE_FILE);
  if (!existsSync(file)) return undefined;
  return JSON.parse(readFileSync(file, 'utf8')) as UpState;
}

/** Reports whether every process in a list is alive. */
function allAlive(procs: { pid: number }[]): boolean {
  return procs.every((p) => isAlive(p.pid));
}

/** Writes the state file and, with services, their variables as a file a shell can `source`. */
function saveUpState(dir: string, state: UpState): void {
  // Both hold the services' passwords and keys.
  writeFileSync(join(dir, STATE_FILE), JSON.stringify(state, null, 2) + '\n', { mode: 0o600 });
  if (!state.services) return;
  const lines = Object.entries(servicesEnv(state.services)).map(([k, v]) => `export ${k}='${v}'`);
  writeFileSync(join(dir, SERVICES_ENV_FILE), lines.join('\n') + '\n', { mode: 0o600 });
}

/**
 * Starts the control plane for interactive use, or reuses the one already running, and with
 * `services` the KMS, S3 and database services too; returns them. `npm start` asks for the
 * control plane only, so it needs none of the database packages.
 */
export async function envUp(dir = upStateDir(), opts: { services?: boolean } = {}): Promise<UpState> {
  const current = readUpState(dir);
  if (current && allAlive(current.processes) && (!current.services || allAlive(current.services.processes))) {
    envLog(`already running at ${current.server}`);
    if (!opts.services || current.services) return current;
    const up = { ...current, services: await startServices(join(dir, 'services'), await ensureBinaries()) };
    saveUpState(dir, up);
    return up;
  }
  if (current) {
    envLog('a previous control plane or service died; cleaning up');
    await envDown(dir);
  }
  rmSync(dir, { recursive: true, force: true });
  const bins = await ensureBinaries();
  // In parallel: neither needs the other.
  const [cp, services] = await Promise.allSettled([
    startControlPlane(dir, bins),
    opts.services ? startServices(join(dir, 'services'), bins) : undefined,
  ]);
  if (cp.status === 'rejected' || services.status === 'rejected') {
    await Promise.all([
      cp.status === 'fulfilled' && stopControlPlane(cp.value, { removeData: false }),
      services.status === 'fulfilled' && services.value && stopServices(services.value, { removeData: false }),
    ]);
    throw cp.status === 'rejected' ? cp.reason : (services as PromiseRejectedResult).reason;
  }
  const up: UpState = { ...cp.value, ...(services.value && { services: services.value }) };
  saveUpState(dir, up);
  return up;
}

/** Stops the control plane and services started by `env:up` and removes their data. */
export async function envDown(dir = upStateDir()): Promise<boolean> {
  const current = readUpState(dir);
  if (!current) return false;
  // Both stop before anything is removed: the services' folder is inside the control plane's.
  await Promise.all([
    current.services && stopServices(current.services, { removeData: false }),
    stopControlPlane(current, { removeData: false }),
  ]);
  rmSync(dir, { recursive: true, force: true });
  return true;
}

async function main(cmd: string | undefined): Promise<void> {
  switch (cmd) {
    case 'build': {
      const bins = await ensureBinaries();
      for (const [k, v] of Object.entries(bins)) process.stdout.write(`${k}\t${v}\n`);
      // Fetched here too, so a CI run downloads everything during setup, before the tests.
      const crds = await ensureUpstreamCrds(join(cacheDir(), 'upstream-crds'));
      process.stdout.write(`upstreamCrds\t${crds.join(' ')}\n`);
      return;
    }
    case 'up': {
      const up = await envUp(upStateDir(), { services: true });
      envLog(`kubectl: ${up.kubectl}`);
      envLog(`try: ${up.kubectl} --kubeconfig ${up.kubeconfig} get --raw /readyz`);
      if (up.services) {
        for (const [k, v] of Object.entries(servicesEnv(up.services))) envLog(`${k}=${v}`);
        envLog(`the same, for a shell: source ${join(upStateDir(), SERVICES_ENV_FILE)}`);
      }
      process.stdout.write(up.kubeconfig + '\n');
      return;
    }
    case 'down':
      envLog((await envDown()) ? 'stopped; data removed' : 'nothing was running');
      return;
    default:
      process.stderr.write('usage: env build | up | down\n');
      process.exitCode = 2;
  }
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/'))) {
  main(process.argv[2]).catch((e: unknown) => {
    process.stderr.write(`[env] ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  });
}
