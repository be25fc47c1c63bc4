// `tenantry operator`: loads configuration and credentials, runs the operator until SIGTERM.
import { hostname } from 'node:os';
import { KubeConfig } from '@kubernetes/client-node';
import { defaultConfig, loadConfigFile, parseConfig, type OperatorConfig } from './config.js';
import { lifecycleFromConfig } from './controller/lifecycle-wiring.js';
import { Operator } from './controller/operator.js';
import { createLogger, setLogger } from './log.js';

/** Default seconds between full resyncs of every tenant. */
const DEFAULT_RESYNC_SECONDS = 300;

/** Parsed options of `tenantry operator`. */
export interface OperatorFlags {
  config?: string;
  kubeconfig?: string;
  'log-level'?: string;
  'health-port'?: string;
  identity?: string;
  namespace?: string;
  'lease-namespace'?: string;
  'no-leader-election'?: boolean;
  'resync-seconds'?: string;
  'tenant-selector'?: string;
  'erasure-dry-run'?: boolean;
}

/** Parses a non-negative number flag (integers only unless `fractional`), naming the flag when it is not one. */
function numberFlag(name: string, value: string | undefined, fallback: number, fractional = false): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || (!fractional && !Number.isInteger(n)))
    throw new Error(`--${name} must be a non-negative ${fractional ? 'number' : 'integer'} (got "${value}")`);
  return n;
}

/** Runs the operator; resolves with the exit code once it stopped. */
export async function runOperator(flags: OperatorFlags): Promise<number> {
  const logger = createLogger(flags['log-level'] ?? 'info');
  setLogger(logger);
  let config: OperatorConfig;
  if (flags.config) config = loadConfigFile(flags.config);
  else {
    logger.warn('no --config given: using built-in defaults, which serve no region');
    config = parseConfig(defaultConfig());
  }
  // --erasure-dry-run: everything but deleting, whatever the configuration says (a safe first run after an upgrade).
  if (flags['erasure-dry-run']) config = { ...config, lifecycle: { ...config.lifecycle, dryRun: true } };
  const kc = new KubeConfig();
  if (flags.kubeconfig) kc.loadFromFile(flags.kubeconfig);
  else kc.loadFromDefault();
  const identity = flags.identity ?? process.env.POD_NAME ?? hostname();
  // The operator's own namespace: its Lease, and the only place BackupPolicies' credentials Secrets are read from.
  const namespace = flags.namespace ?? process.env.POD_NAMESPACE ?? 'tenantry-system';
  const leaseNamespace = flags['no-leader-election'] ? undefined : (flags['lease-namespace'] ?? namespace);

  let exitCode = 0;
  let done: () => void = () => {};
  const finished = new Promise<void>((r) => (done = r));
  const operator = new Operator({
    config,
    kubeConfig: kc,
    identity,
    namespace,
    ...(leaseNamespace ? { leaseNamespace } : {}),
    healthPort: numberFlag('health-port', flags['health-port'], 8081),
    resyncMs: Math.max(100, numberFlag('resync-seconds', flags['resync-seconds'], DEFAULT_RESYNC_SECONDS, true) * 1000),
    ...(flags['tenant-selector'] ? { tenantSelector: flags['tenant-selector'] } : {}),
    lifecycle: (parts) => lifecycleFromConfig(config, parts),
    onFatal: (reason) => {
      logger.error(reason);
      exitCode = 1;
      // Exit at once rather than stopping gracefully: another replica already leads.
      process.exit(exitCode);
    },
  });
  const shutdown = (signal: string) => {
    logger.info('shutting down', { signal });
    operator.stop().then(done, (e: unknown) => {
      logger.error('shutdown failed', { err: e });
      exitCode = 1;
      done();
    });
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
  await operator.start();
  logger.info('operator started', {
    identity,
    namespace,
    leaseNamespace: leaseNamespace ?? '(no leader election)',
    healthPort: operator.healthPort,
    regions: Object.keys(config.regions),
    provider: config.ingress.provider,
    erasureDryRun: config.lifecycle.dryRun,
    tenantKmsKeys: config.lifecycle.tenantKmsKeys,
  });
  await finished;
  return exitCode;
}
