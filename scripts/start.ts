// `npm start`: runs the operator. With a cluster configured (KUBECONFIG or ~/.kube/config) it runs
// against that cluster with the configuration in TENANTRY_CONFIG. With none, it starts the local
// control plane, installs the CRDs, the upstream CRDs and the samples, and runs against it
// (TENANTRY_LOCAL=1 chooses that even where a cluster is configured).
//
// The local control plane is the one the tests run on, so it is imported from test/env/ (the
// local environment: Go modules, build, PKI, processes), as `npm run env:*` and bench/ do. That
// is on purpose: `npm start` shows the cluster the tests test, and none of it is shipped (of the
// compiled code the image copies dist/src only). Only this file and bench/ import from test/.
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { envUp } from '../test/env/cli.js';
import { cacheDir, repoRoot } from '../test/env/paths.js';
import { runTool } from '../test/env/proc.js';
import { ensureUpstreamCrds } from '../test/env/upstream-crds.js';
import { runOperator } from '../src/operator-command.js';

/** Reports whether the user has a cluster configured (TENANTRY_LOCAL=1 forces the local control plane). */
function clusterConfigured(): boolean {
  if (process.env.TENANTRY_LOCAL === '1') return false;
  return Boolean(process.env.KUBECONFIG) || existsSync(join(homedir(), '.kube', 'config'));
}

/** Starts (or reuses) the local control plane and installs what the samples need; returns the kubeconfig path. */
async function prepareLocalCluster(): Promise<string> {
  const cp = await envUp();
  const root = repoRoot();
  const kubectl = (...args: string[]) => runTool(cp.kubectl, ['--kubeconfig', cp.kubeconfig, ...args]);
  const apply = (path: string) => kubectl('apply', '--server-side', '--force-conflicts', '--field-manager=tenantry-start', '-f', path);
  await apply(join(root, 'crds'));
  for (const f of await ensureUpstreamCrds(join(cacheDir(), 'upstream-crds'))) await apply(f);
  await kubectl('wait', '--for', 'condition=established', '--timeout=60s', 'crd', '--all');
  await apply(join(root, 'deploy', 'local', 'storageclass.yaml'));
  await apply(join(root, 'deploy', 'samples'));
  process.stderr.write(
    [
      '',
      `Local control plane: ${cp.server}`,
      `  export KUBECONFIG=${cp.kubeconfig}`,
      `  ${cp.kubectl} get tenants -w`,
      `  ${cp.kubectl} describe tenant acme-trial`,
      'Stop the operator with Ctrl-C; stop the control plane with `npm run env:down`.',
      '',
    ].join('\n'),
  );
  return cp.kubeconfig;
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
  const kubeconfig = await prepareLocalCluster();
  return runOperator({
    config: join(repoRoot(), 'deploy', 'local', 'operator-config.yaml'),
    kubeconfig,
    'no-leader-election': true,
    'health-port': process.env.TENANTRY_HEALTH_PORT ?? '8081',
    'log-level': process.env.TENANTRY_LOG_LEVEL ?? 'info',
  });
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`npm start: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  },
);
