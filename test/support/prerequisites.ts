// What the operator needs in the test cluster before it can start: our CRDs, the upstream CRDs
// its routes and certificates use, an encrypted and an unencrypted StorageClass, its namespace.
import { join } from 'node:path';
import { cacheDir, repoRoot } from '../env/paths.js';
import { ensureUpstreamCrds } from '../env/upstream-crds.js';
import { applyObjects } from './cluster.js';
import { kubectlOk } from './kubectl.js';

/** An EBS CSI class with encryption on. */
export const ENCRYPTED_CLASS = 'tenantry-test-encrypted';
/** A class that does not promise encryption: Tenantry must refuse it. */
export const PLAIN_CLASS = 'tenantry-test-plain';

/**
 * Applies Tenantry's CRDs (server-side, taking over any field) and waits until the named ones
 * (`tenants`, `backuppolicies`, ... without the group) are established; safe to call from several test files.
 */
export async function installTenantryCrds(...plurals: string[]): Promise<void> {
  await kubectlOk(['apply', '--server-side', '--force-conflicts', '--field-manager=tenantry-crds', '-f', join(repoRoot(), 'crds')]);
  await kubectlOk(['wait', '--for', 'condition=established', '--timeout=60s', ...plurals.map((p) => `crd/${p}.tenantry.io`)]);
}

/** Installs everything the operator needs; safe to call from several test files. */
export async function installPrerequisites(): Promise<void> {
  await kubectlOk(['apply', '--server-side', '--force-conflicts', '--field-manager=tenantry-tests', '-f', join(repoRoot(), 'crds')]);
  for (const f of await ensureUpstreamCrds(join(cacheDir(), 'upstream-crds'))) {
    await kubectlOk(['apply', '--server-side', '--force-conflicts', '--field-manager=tenantry-tests', '-f', f]);
  }
  await kubectlOk(['wait', '--for', 'condition=established', '--timeout=60s', 'crd', '--all']);
  await applyObjects([
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'tenantry-system' } },
    {
      apiVersion: 'storage.k8s.io/v1',
      kind: 'StorageClass',
      metadata: { name: ENCRYPTED_CLASS },
      provisioner: 'ebs.csi.aws.com',
      parameters: { type: 'gp3', encrypted: 'true' },
      volumeBindingMode: 'WaitForFirstConsumer',
    },
    {
      apiVersion: 'storage.k8s.io/v1',
      kind: 'StorageClass',
      metadata: { name: PLAIN_CLASS },
      provisioner: 'ebs.csi.aws.com',
      parameters: { type: 'gp3' },
    },
  ]);
}
