// `npm start`: runs the operator. With a cluster configured (KUBECONFIG or ~/.kube/config) it runs
// against that cluster with the configuration in TENANTRY_CONFIG. With none, it runs the demo: the
// local control plane, the CRDs, the samples and the operator come up first; KMS, S3 and the
// databases are built and started in the background and join when ready (the operator's
// configuration and the sample BackupPolicy already name the loopback relays they will sit behind);
// stand-ins for a kubelet, cert-manager and an ingress controller then run the samples' pods and
// serve the tenants (TENANTRY_LOCAL=1 chooses the demo even where a cluster is configured).
//
// The local control plane is the one the tests run on, so it is imported from test/env/ (the
// local environment: Go modules, build, PKI, processes), as `npm run env:*` and bench/ do. That
// is on purpose: `npm start` shows the cluster the tests test, and none of it is shipped (of the
// compiled code the image copies dist/src only). Only this file and bench/ import from test/.
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { dump, loadAll, load } from 'js-yaml';
import { ensureBinaries } from '../test/env/build.js';
import { envDown, readUpState, type UpState } from '../test/env/cli.js';
import { startControlPlane } from '../test/env/controlplane.js';
import { startRelay, type Relay } from '../test/env/demo-relay.js';
import { startDemoCloud, type DemoRelays } from '../test/env/demo-services.js';
import { startStandIns, type DemoProxy } from '../test/env/demo-standins.js';
import { ensureLocalRoute, podCidrSetting } from '../test/env/pod-route.js';
import { cacheDir, repoRoot, upStateDir } from '../test/env/paths.js';
import { isAlive, runTool, sleep } from '../test/env/proc.js';
import { servicesEnv, type Services } from '../test/env/services.js';
import { ensureUpstreamCrds } from '../test/env/upstream-crds.js';
import { runOperator } from '../src/operator-command.js';

/** The operator's namespace when run by `npm start` (its default): where BackupPolicies' credentials Secrets live. */
const OPERATOR_NAMESPACE = 'tenantry-system';
/** The Secret with the local S3 server's credentials that the sample BackupPolicy is pointed at. */
const S3_CREDENTIALS_SECRET = 'tenantry-local-s3';
/** Seconds between the operator's full passes: short, so what joins later (S3, pods) shows soon. */
const DEMO_RESYNC_SECONDS = '20';

/** Writes one progress line of `npm start`. */
function say(msg: string): void {
  process.stderr.write(`[start] ${msg}\n`);
}

/** Seconds since `t0`, for the timings the demo prints. */
const since = (t0: number) => `${((Date.now() - t0) / 1000).toFixed(1)} s`;

/** Reports whether the user has a cluster configured (TENANTRY_LOCAL=1 forces the local control plane). */
function clusterConfigured(): boolean {
  if (process.env.TENANTRY_LOCAL === '1') return false;
  return Boolean(process.env.KUBECONFIG) || existsSync(join(homedir(), '.kube', 'config'));
}

/** Writes the state file `npm run env:down` reads (as `env:up` does), and the services' variables once they run. */
function saveState(dir: string, state: UpState): void {
  // Both hold the services' passwords and keys.
  writeFileSync(join(dir, 'state.json'), JSON.stringify(state, null, 2) + '\n', { mode: 0o600 });
  if (!state.services) return;
  const lines = Object.entries(servicesEnv(state.services)).map(([k, v]) => `export ${k}='${v}'`);
  writeFileSync(join(dir, 'services.env'), lines.join('\n') + '\n', { mode: 0o600 });
}

/** Starts the control plane, building only its own binaries first, or reuses the one `npm start` or `env:up` left running. */
async function controlPlane(dir: string): Promise<UpState> {
  const current = readUpState(dir);
  const alive = (procs: { pid: number }[]) => procs.every((p) => isAlive(p.pid));
  if (current && alive(current.processes) && (!current.services || alive(current.services.processes))) {
    say(`reusing the control plane at ${current.server}`);
    return current;
  }
  if (current) await envDown(dir);
  rmSync(dir, { recursive: true, force: true });
  const bins = await ensureBinaries(['etcd', 'kubeApiserver', 'kubeControllerManager', 'kubectl']);
  // startControlPlane runs only these four; the others are built later, in the background.
  const cp = await startControlPlane(dir, bins as Parameters<typeof startControlPlane>[1]);
  saveState(dir, cp);
  return cp;
}

/** The local operator configuration, plus where the demo's KMS will be (a relay on loopback until it runs). */
function writeOperatorConfig(dir: string, relays: DemoRelays): string {
  const config = load(readFileSync(join(repoRoot(), 'deploy', 'local', 'operator-config.yaml'), 'utf8')) as Record<string, unknown>;
  config.backup = { ...(config.backup as object | undefined), kmsEndpoint: relays.kms.endpoint, allowInsecureKmsEndpoint: true };
  const file = join(dir, 'operator-config.yaml');
  writeFileSync(file, `# Written by npm start from deploy/local/operator-config.yaml: KMS at the demo's relay.\n${dump(config)}`);
  return file;
}

/** A sample object, as far as the demo looks at it. */
interface SampleObject {
  kind: string;
  metadata: { name: string };
  spec: Record<string, unknown> & { destination?: Record<string, unknown>; kms?: { keys?: { keyId: string }[] } };
}

/**
 * Reads deploy/samples: every object but the Restore (the newcomer creates that after a backup),
 * each BackupPolicy pointed at the demo's S3 relay with the credentials Secret written once S3 runs.
 */
function localSamples(s3: Relay): SampleObject[] {
  const folder = join(repoRoot(), 'deploy', 'samples');
  const objects = readdirSync(folder)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .flatMap((f) => loadAll(readFileSync(join(folder, f), 'utf8')) as SampleObject[]);
  return objects
    .filter((o) => o.kind !== 'Restore')
    .map((o) =>
      o.kind === 'BackupPolicy'
        ? {
            ...o,
            spec: {
              ...o.spec,
              destination: { ...o.spec.destination, endpoint: s3.endpoint, credentialsSecretRef: { name: S3_CREDENTIALS_SECRET } },
            },
          }
        : o,
    );
}

/** Installs the CRDs, the local StorageClass and the samples. */
async function installSamples(cp: UpState, samples: SampleObject[]): Promise<void> {
  const root = repoRoot();
  const kubectl = (...args: string[]) => runTool(cp.kubectl, ['--kubeconfig', cp.kubeconfig, ...args]);
  const apply = (path: string) => kubectl('apply', '--server-side', '--force-conflicts', '--field-manager=tenantry-start', '-f', path);
  // One kubectl for all of them: each run costs a second or more on a busy machine.
  const upstream = await ensureUpstreamCrds(join(cacheDir(), 'upstream-crds'));
  await kubectl(
    'apply',
    '--server-side',
    '--force-conflicts',
    '--field-manager=tenantry-start',
    ...[join(root, 'crds'), ...upstream].flatMap((f) => ['-f', f]),
  );
  await kubectl('wait', '--for', 'condition=established', '--timeout=60s', 'crd', '--all');
  await apply(join(root, 'deploy', 'local', 'storageclass.yaml'));
  const file = join(cp.dir, 'samples.json');
  writeFileSync(file, JSON.stringify({ apiVersion: 'v1', kind: 'List', items: samples }, null, 2) + '\n');
  await apply(file);
}

/** Waits until the operator has given a tenant a phase in `kubectl get tenants`, and prints how long that took. */
async function reportFirstTenant(cp: UpState, t0: number, stopped: () => boolean): Promise<void> {
  while (!stopped()) {
    // Asynchronously: the operator runs in this process and must not wait for kubectl.
    const phases = await runTool(cp.kubectl, [
      '--kubeconfig',
      cp.kubeconfig,
      'get',
      'tenants',
      '-o',
      'jsonpath={.items[*].status.phase}',
    ]).catch(() => '');
    if (phases.trim()) {
      say(`first tenant in \`kubectl get tenants\` after ${since(t0)} (${phases.trim().split(/\s+/).join(', ')})`);
      return;
    }
    await sleep(250);
  }
}

/** Prints where Traefik serves the tenants and the commands that show a tenant, a backup and a restore. */
function printServed(cp: UpState, samples: SampleObject[], proxy: DemoProxy, t0: number): void {
  const hosts = samples.filter((o) => o.kind === 'Tenant' && typeof o.spec.host === 'string').map((o) => String(o.spec.host));
  const host = hosts.find((h) => h.startsWith('acme-trial')) ?? hosts[0] ?? 'acme-trial.app.example.com';
  say(`Traefik serves the tenants after ${since(t0)}: https on 127.0.0.1:${proxy.httpsPort}, http on 127.0.0.1:${proxy.httpPort}`);
  process.stderr.write(
    [
      '',
      `  export KUBECONFIG=${cp.kubeconfig}`,
      `  curl -v --resolve ${host}:${proxy.httpsPort}:127.0.0.1 --cacert ${proxy.caCertFile} https://${host}:${proxy.httpsPort}/`,
      `  curl -v --resolve ${host}:${proxy.httpPort}:127.0.0.1 http://${host}:${proxy.httpPort}/   # a permanent redirect to https`,
      '  kubectl create job --from=cronjob/backup backup-now -n tenant-acme-trial',
      "  kubectl get tenant acme-trial -o jsonpath='{.status.lastBackup}'",
      `  kubectl apply -f ${join(repoRoot(), 'deploy', 'samples', 'restore-acme-trial.yaml')}`,
      '  kubectl get restores -w',
      '',
    ].join('\n'),
  );
}

/** Prints what a newcomer types next. */
function printCommands(cp: UpState): void {
  process.stderr.write(
    [
      '',
      `Local control plane: ${cp.server}`,
      `  export KUBECONFIG=${cp.kubeconfig}`,
      `  export PATH=${join(cp.kubectl, '..')}:$PATH   # the kubectl of the local control plane`,
      '  kubectl get tenants -w',
      '  kubectl describe tenant acme-trial',
      'Stop the operator with Ctrl-C; stop the control plane and services with `npm run env:down`.',
      '',
    ].join('\n'),
  );
}

/**
 * The address range for app Pods: TENANTRY_POD_CIDR, else 10.244.0.0/16, when the host routes it
 * locally (the route is added when we run as root); else none (loopback addresses, which no proxy can route to).
 */
async function podCidr(): Promise<string | undefined> {
  const cidr = podCidrSetting();
  if (await ensureLocalRoute(cidr)) return cidr;
  say(
    `${cidr} is not routed locally, so app Pods get 127.0.0.x addresses, which the API server refuses in EndpointSlices: ` +
      `Traefik will find no endpoints. Add the route once with \`sudo ip route add local ${cidr} dev lo\` and restart.`,
  );
  return undefined;
}

/** Runs the demo on the local control plane until the operator stops. */
async function runLocal(): Promise<number> {
  const t0 = Date.now();
  const dir = upStateDir();
  const cp = await controlPlane(dir);
  say(`control plane ready after ${since(t0)}`);
  // The pod stand-ins and the support helpers they share find the cluster through these.
  process.env.KUBECONFIG = cp.kubeconfig;
  process.env.TENANTRY_KUBECTL = cp.kubectl;
  const relays: DemoRelays = { kms: await startRelay(), s3: await startRelay() };
  const config = writeOperatorConfig(dir, relays);
  const samples = localSamples(relays.s3);
  await installSamples(cp, samples);
  say(`CRDs and samples installed after ${since(t0)}`);
  printCommands(cp);
  let stopped = false;
  const operator = runOperator({
    config,
    kubeconfig: cp.kubeconfig,
    'no-leader-election': true,
    'health-port': process.env.TENANTRY_HEALTH_PORT ?? '8081',
    'log-level': process.env.TENANTRY_LOG_LEVEL ?? 'info',
    'resync-seconds': DEMO_RESYNC_SECONDS,
  });
  // The services start once the operator has shown the first tenant: on two cores, building or
  // initialising them alongside would delay it.
  const cloud = reportFirstTenant(cp, t0, () => stopped).then(() => (stopped ? undefined : startCloud(cp, relays, samples, t0)));
  const standIns = startStandIns({
    kubeconfig: cp.kubeconfig,
    kubectl: cp.kubectl,
    server: cp.server,
    caFile: join(cp.dir, 'pki', 'ca.crt'),
    dir: cp.dir,
    podCidr: await podCidr(),
    // TENANTRY_TRAEFIK=off: no Traefik (and no build of it); the tenants become Ready, but nothing serves them.
    proxy: process.env.TENANTRY_TRAEFIK !== 'off',
    services: cloud,
    log: (line) => say(line),
  }).catch((e: unknown) => {
    say(`the stand-ins for kubelet and cert-manager did not start: ${e instanceof Error ? e.message : String(e)}`);
    return undefined;
  });
  void standIns.then(async (s) => {
    const proxy = await s?.proxy;
    if (proxy) printServed(cp, samples, proxy, t0);
  });
  const code = await operator;
  stopped = true;
  // Let a start under way finish, so the state file records every process and env:down stops it.
  await Promise.race([cloud, sleep(120_000)]);
  await (await standIns)?.stop();
  await Promise.all([relays.kms.close(), relays.s3.close()]);
  return code;
}

/** Starts KMS, S3 and the databases in the background; a failure is reported, the operator keeps running. */
async function startCloud(cp: UpState, relays: DemoRelays, samples: SampleObject[], t0: number): Promise<Services | undefined> {
  const policies = samples.filter((o) => o.kind === 'BackupPolicy');
  // One KMS endpoint serves the operator's configuration: that of the sample policy's region.
  const region = String(policies[0]?.spec.destination?.region ?? 'eu-central-1');
  try {
    const services = await startDemoCloud(
      cp.dir,
      relays,
      cp,
      {
        buckets: policies.map((p) => String(p.spec.destination?.bucket)),
        kms: { region, aliases: [`alias/tenantry-${region}`, ...policies.flatMap((p) => (p.spec.kms?.keys ?? []).map((k) => k.keyId))] },
        credentialsSecret: { namespace: OPERATOR_NAMESPACE, name: S3_CREDENTIALS_SECRET },
      },
      (s) => saveState(cp.dir, { ...cp, services: s }),
      cp.services,
    );
    say(`KMS, S3, PostgreSQL and MariaDB ready after ${since(t0)} (KMS ${relays.kms.endpoint}, S3 ${relays.s3.endpoint})`);
    return services;
  } catch (e) {
    say(`the services did not start, so backups cannot run: ${e instanceof Error ? e.message : String(e)}`);
    return undefined;
  }
}

async function main(): Promise<number> {
  if (clusterConfigured()) {
    const config = process.env.TENANTRY_CONFIG;
    if (!config) {
      process.stderr.write(
        'A cluster is configured (KUBECONFIG or ~/.kube/config): set TENANTRY_CONFIG to the operator configuration file to run against it.\n',
      );
      return 64;
    }
    return runOperator({ config, 'log-level': process.env.TENANTRY_LOG_LEVEL ?? 'info' });
  }
  return runLocal();
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`npm start: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  },
);
