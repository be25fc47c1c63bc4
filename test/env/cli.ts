// `npm run env:build | env:up | env:down`: the local control plane as a command.
// env:up prints only the kubeconfig path on stdout, so scripts can use `$(npm run -s env:up)`.
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureBinaries } from './build.js';
import { startControlPlane, stopControlPlane, type ControlPlane } from './controlplane.js';
import { cacheDir, upStateDir } from './paths.js';
import { ensureUpstreamCrds } from './upstream-crds.js';
import { envLog, isAlive } from './proc.js';

const STATE_FILE = 'state.json';

/** Reads the state of a control plane started by `env:up`, if any. */
export function readUpState(dir = upStateDir()): ControlPlane | undefined {
  const file = join(dir, STATE_FILE);
  if (!existsSync(file)) return undefined;
  return JSON.parse(readFileSync(file, 'utf8')) as ControlPlane;
}

/** Starts the control plane for interactive use, or reuses the one already running; returns it. */
export async function envUp(dir = upStateDir()): Promise<ControlPlane> {
  const current = readUpState(dir);
  if (current && current.processes.every((p) => isAlive(p.pid))) {
    envLog(`already running at ${current.server}`);
    return current;
  }
  if (current) {
    envLog('a previous control plane died; cleaning it up');
    await stopControlPlane(current, { removeData: true });
  }
  rmSync(dir, { recursive: true, force: true });
  const cp = await startControlPlane(dir, await ensureBinaries());
  writeFileSync(join(dir, STATE_FILE), JSON.stringify(cp, null, 2) + '\n');
  return cp;
}

/** Stops the control plane started by `env:up` and removes its data. */
export async function envDown(dir = upStateDir()): Promise<boolean> {
  const current = readUpState(dir);
  if (!current) return false;
  await stopControlPlane(current, { removeData: true });
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
      const cp = await envUp();
      envLog(`kubectl: ${cp.kubectl}`);
      envLog(`try: ${cp.kubectl} --kubeconfig ${cp.kubeconfig} get --raw /readyz`);
      process.stdout.write(cp.kubeconfig + '\n');
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
