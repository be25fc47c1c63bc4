// The operator as installed: the ServiceAccount, ClusterRole, Roles and bindings of deploy/base,
// applied to the test control plane, and a kubeconfig that authenticates as that ServiceAccount,
// so a test operator has exactly the shipped permissions and no more.
import { join } from 'node:path';
import { loadAll } from 'js-yaml';
import { repoRoot } from '../env/paths.js';
import { mintKubeconfig } from './identity.js';
import { kubectlOk } from './kubectl.js';
import { OPERATOR_NAMESPACE } from './operator.js';

/** The user name the API server gives the operator's ServiceAccount. */
export const OPERATOR_USER = `system:serviceaccount:${OPERATOR_NAMESPACE}:tenantry`;

/** The kinds of deploy/base that make up the operator's identity and permissions. */
const RBAC_KINDS = new Set(['ServiceAccount', 'ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding']);

/** Applies the shipped RBAC objects (and the operator's namespace) and returns a kubeconfig that acts as the operator's ServiceAccount. */
export async function shippedOperatorKubeconfig(): Promise<string> {
  const docs = loadAll(await kubectlOk(['kustomize', join(repoRoot(), 'deploy', 'base')])) as Array<{ kind?: string } | null>;
  const items = docs.filter((d): d is { kind: string } => !!d?.kind && (RBAC_KINDS.has(d.kind) || d.kind === 'Namespace'));
  await kubectlOk(
    ['apply', '--server-side', '--field-manager=tenantry-test-rbac', '-f', '-'],
    JSON.stringify({ apiVersion: 'v1', kind: 'List', items }),
  );
  // A client certificate with the ServiceAccount's user name and groups: RBAC matches a
  // ServiceAccount subject by that name, exactly as for the account's own token.
  return mintKubeconfig(OPERATOR_USER, ['system:serviceaccounts', `system:serviceaccounts:${OPERATOR_NAMESPACE}`]);
}
