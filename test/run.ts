// The test driver behind `npm test` and `npm run test:<suite>`: lint and type-check, then one
// `node --test` run over the chosen suites. Its global setup starts one local control plane and
// the services (KMS, S3, PostgreSQL, MariaDB) for the integration and e2e suites and stops them at
// the end, also on failure or interrupt.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { ensureBinaries } from './env/build.js';
import { controlPlaneEnv, startControlPlane, stopControlPlane, type ControlPlane } from './env/controlplane.js';
import { repoRoot } from './env/paths.js';
import { ensureLocalRoute, podCidrSetting } from './env/pod-route.js';
import { envLog } from './env/proc.js';
import { servicesEnv, startServices, stopServices, type Services } from './env/services.js';

type Suite = 'unit' | 'integration' | 'e2e';
const SUITES: Record<string, Suite[]> = { all: ['unit', 'integration', 'e2e'], unit: ['unit'], integration: ['integration'], e2e: ['e2e'] };

/** Lists compiled test files (`*.test.js`) under a folder, sorted. */
function testFiles(dir: string): string[] {
  let out: string[] = [];
  let entries: string[] = [];
  try {
    entries = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of entries.sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out = out.concat(testFiles(p));
    else if (name.endsWith('.test.js')) out.push(p);
  }
  return out;
}

/** Runs a command with inherited output; resolves with its exit code. */
function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: repoRoot(), env, stdio: 'inherit' });
    child.on('error', () => resolve(127));
    child.on('close', (code) => resolve(code ?? 1));
  });
}

async function main(): Promise<number> {
  const which = process.argv[2] ?? 'all';
  const suites = SUITES[which];
  if (!suites) {
    process.stderr.write(`unknown suite ${which}; use one of ${Object.keys(SUITES).join(', ')}\n`);
    return 2;
  }
  const root = repoRoot();
  const bin = join(root, 'node_modules', '.bin');
  process.stderr.write(`[test] Node.js ${process.version} (${process.execPath})\n`);
  if (suites.includes('unit')) {
    // Type errors already failed the build in bootstrap; lint, formatting and generated-file drift
    // fail here (every generator of scripts/generators.ts, with --check). The drift checks run on
    // this Node, the one `npm run generate` runs on: the time zone list follows the runtime's ICU.
    if ((await run(join(bin, 'eslint'), ['.'])) !== 0) return 1;
    // A file that differs from what `npm run format` writes fails the run like a lint error.
    const prettier = join(root, 'node_modules', 'prettier', 'bin', 'prettier.cjs');
    if ((await run(process.execPath, [prettier, '--check', '--log-level=warn', '.'])) !== 0) {
      process.stderr.write('[test] formatting: the files above differ from `npm run format`\n');
      return 1;
    }
    if ((await run(process.execPath, [join(root, 'dist', 'scripts', 'generators.js'), '--check'])) !== 0) return 1;
  }
  // Further arguments keep only the test files whose path contains one of them (`npm run
  // test:integration -- restore`), for a quick run of one area; CI always runs everything.
  const filters = process.argv.slice(3);
  // Only compiled tests whose source still exists: tsc never deletes the output of a test file that
  // was renamed or removed, and that stale copy would run against today's code.
  const hasSource = (f: string) => existsSync(join(root, relative(join(root, 'dist'), f)).replace(/\.js$/, '.ts'));
  const files = suites
    .flatMap((s) => testFiles(join(root, 'dist', 'test', s)))
    .filter(hasSource)
    .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)));
  if (files.length === 0) {
    process.stderr.write(`no test files found for ${which}\n`);
    return 1;
  }
  let cp: ControlPlane | undefined;
  let services: Services | undefined;
  const env: NodeJS.ProcessEnv = { ...process.env };
  const stop = async () => {
    const c = cp;
    const s = services;
    cp = undefined;
    services = undefined;
    const removeData = !process.env.TENANTRY_KEEP_ENV;
    await Promise.all([c && stopControlPlane(c, { removeData }), s && stopServices(s, { removeData })]);
  };
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(sig, () => {
      envLog(`${sig}: stopping the control plane and services`);
      void stop().finally(() => process.exit(130));
    });
  }
  try {
    if (suites.some((s) => s !== 'unit')) {
      const bins = await ensureBinaries();
      // The stand-in kubelet gives app Pods addresses of this range, which Traefik reaches through
      // their EndpointSlices; the tests that need it fail with the command to run if it is missing.
      await ensureLocalRoute(podCidrSetting());
      // In parallel: neither needs the other. Both are kept as soon as they run, so a failure of
      // one still stops the other in the finally below. The services get their own folder: the
      // control plane's holds its private keys and is closed to other users, and PostgreSQL runs
      // as the postgres user when we are root.
      const [cpStart, servicesStart] = await Promise.allSettled([
        startControlPlane(mkdtempSync(join(tmpdir(), 'tenantry-test-')), bins).then((c) => (cp = c)),
        startServices(mkdtempSync(join(tmpdir(), 'tenantry-services-')), bins).then((s) => (services = s)),
      ]);
      if (cpStart.status === 'rejected') throw cpStart.reason;
      if (servicesStart.status === 'rejected') throw servicesStart.reason;
      const c = cpStart.value;
      Object.assign(env, servicesEnv(servicesStart.value), controlPlaneEnv(c), { TENANTRY_HELM: bins.helm });
    }
    // One worker: integration files share one API server and some assert exact write counts.
    return await run(process.execPath, ['--test', '--test-concurrency=1', '--test-reporter=spec', ...files], env);
  } finally {
    await stop();
  }
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);
