// Runs `tenantry operator` as a child process against the test control plane, under an identity
// of its own so the audit log shows exactly what it wrote.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dump, loadAll } from 'js-yaml';
import { repoRoot } from '../env/paths.js';
import { sleep } from '../env/proc.js';
import { mintKubeconfig } from './identity.js';

/** The operator's own namespace in the tests (`--namespace`): its Lease and BackupPolicies' credentials Secrets. */
export const OPERATOR_NAMESPACE = 'tenantry-system';

/** Settings of one operator process in a test. */
export interface TestOperatorOptions {
  identity: string;
  /** Operator configuration (merged over the defaults by the operator). */
  config: Record<string, unknown>;
  tenantSelector: string;
  leaderElection?: boolean;
  resyncSeconds?: number;
  /** Reuse a kubeconfig already minted for this identity. */
  kubeconfig?: string;
  /** Extra environment of the operator process (the bench passes the Deployment's runtime variables). */
  runtimeEnv?: Record<string, string>;
  /** Flags of the Node process itself, e.g. --cpu-prof (which NODE_OPTIONS does not take). */
  nodeArgs?: string[];
  /** How long to wait for the caches to sync; default 30 s (a benchmark's thousands of objects need longer). */
  startTimeoutMs?: number;
}

/** A running operator process. */
export interface TestOperator {
  child: ChildProcess;
  kubeconfig: string;
  healthPort: number;
  logs: () => string;
  /** SIGTERM and wait for exit. */
  stop: () => Promise<void>;
  /** SIGKILL (a crash) and wait for exit. */
  kill: () => Promise<void>;
}

/** The configuration the integration tests run with: the test StorageClass in every sample region. */
export function testConfig(provider: 'nginx' | 'traefik' | 'gateway', storageClassName: string): Record<string, unknown> {
  const region = { storageClassName, kmsKeyId: 'alias/test', backupBucket: 'test-backups' };
  return {
    regions: { 'eu-central-1': region, 'us-east-1': region, 'ap-south-1': region },
    baseDomain: 'tenants.test',
    ingress: { provider },
    tls: { issuerKind: 'ClusterIssuer', issuerName: 'test-issuer' },
    concurrency: 8,
    // Tests of the reconciler run no KMS: tenants use the region's key. test/integration/lifecycle.test.ts
    // turns the tenants' own keys on against the local KMS.
    lifecycle: { tenantKmsKeys: false },
  };
}

/** Variables of the operator container that shape its memory, and so belong in any measurement of it. */
const RUNTIME_VARIABLES = ['NODE_OPTIONS', 'MALLOC_ARENA_MAX'];

/**
 * Returns the runtime variables (NODE_OPTIONS, MALLOC_ARENA_MAX) the shipped Deployment
 * (deploy/base) gives the operator container, so a benchmark measures the memory of the process
 * as it runs in a cluster.
 */
export function shippedRuntimeEnv(): Record<string, string> {
  const docs = loadAll(readFileSync(join(repoRoot(), 'deploy', 'base', 'deployment.yaml'), 'utf8')) as Array<{
    kind?: string;
    spec?: { template?: { spec?: { containers?: Array<{ name: string; env?: Array<{ name: string; value?: string }> }> } } };
  }>;
  const container = docs.find((d) => d?.kind === 'Deployment')?.spec?.template?.spec?.containers?.find((c) => c.name === 'operator');
  const env: Record<string, string> = {};
  for (const e of container?.env ?? []) if (RUNTIME_VARIABLES.includes(e.name) && e.value) env[e.name] = e.value;
  if (!env['NODE_OPTIONS']) throw new Error('deploy/base/deployment.yaml: the operator container sets no NODE_OPTIONS');
  return env;
}

/** Starts an operator and waits until it logs that it started (caches synced). */
export async function startOperator(o: TestOperatorOptions): Promise<TestOperator> {
  const dir = mkdtempSync(join(tmpdir(), `tenantry-op-${o.identity}-`));
  const configPath = join(dir, 'config.yaml');
  writeFileSync(configPath, dump(o.config));
  const kubeconfig = o.kubeconfig ?? (await mintKubeconfig(o.identity));
  const args = [
    ...(o.nodeArgs ?? []),
    join(repoRoot(), 'bin', 'tenantry.js'),
    'operator',
    '--config',
    configPath,
    '--kubeconfig',
    kubeconfig,
    '--identity',
    o.identity,
    '--namespace',
    OPERATOR_NAMESPACE,
    '--health-port',
    '0',
    '--tenant-selector',
    o.tenantSelector,
    '--resync-seconds',
    String(o.resyncSeconds ?? 300),
    '--log-level',
    'info',
    ...(o.leaderElection ? [] : ['--no-leader-election']),
  ];
  const env = { ...process.env, ...o.runtimeEnv };
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
  let out = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (out += d));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const startTimeoutMs = o.startTimeoutMs ?? 30_000;
  const deadline = Date.now() + startTimeoutMs;
  let healthPort = 0;
  while (!healthPort) {
    const m = /"healthPort":(\d+)/.exec(out);
    if (m) healthPort = Number(m[1]);
    else if (child.exitCode !== null) throw new Error(`operator exited (${child.exitCode}) before starting:\n${out.slice(-3000)}`);
    else if (Date.now() > deadline) throw new Error(`operator did not start within ${startTimeoutMs / 1000} s:\n${out.slice(-3000)}`);
    else await sleep(100);
  }
  const end = async (signal: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };
  return { child, kubeconfig, healthPort, logs: () => out, stop: () => end('SIGTERM'), kill: () => end('SIGKILL') };
}

/** Reads one counter or histogram count from the operator's /metrics. */
export async function metricValue(port: number, name: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  let sum = 0;
  for (const line of text.split('\n')) if (line.startsWith(name)) sum += Number(line.split(' ').pop());
  return sum;
}
