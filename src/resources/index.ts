// The desired state of a tenant, in the order it is applied, and the list of kinds the operator
// owns. The database Secret and the PVCs are not part of the desired state: the reconciler creates
// the Secret once (never overwrites a password) and the PVCs only after the encryption check (P2).
import type { BuildContext, OwnedManifest } from './types.js';
import type { IngressProvider, KindRef } from './ingress.js';
import { buildAppDeployment, buildAppService } from './app.js';
import { buildCertificate } from './certificate.js';
import { buildDatabaseService, buildDatabaseStatefulSet } from './database.js';
import { buildIngress, ingressKinds } from './ingress.js';
import { buildNamespace } from './namespace.js';
import { buildNetworkPolicies } from './network-policy.js';
import { buildAppDisruptionBudget } from './pdb.js';
import { buildLimitRange, buildResourceQuota } from './quota.js';
import { buildServiceAccounts } from './service-account.js';

export * from './types.js';
export * from './engine.js';
export * from './meta.js';
export * from './quantity.js';
export * from './namespace.js';
export * from './ip-block.js';
export * from './network-policy.js';
export * from './quota.js';
export * from './service-account.js';
export * from './secret.js';
export * from './pvc.js';
export * from './storage-class.js';
export * from './pod.js';
export * from './database.js';
export * from './app.js';
export * from './pdb.js';
export * from './certificate.js';
export * from './ingress.js';
export * from './backup.js';
export * from './restore-job.js';
export * from './billing-export-job.js';

/** Inputs of {@link buildDesiredState} that are not in the Tenant or the configuration. */
export interface DesiredStateInputs {
  /**
   * The tenant is suspended (spec.suspend or a lifecycle suspension): the app scales to zero and no
   * route is served. Defaults to spec.suspend.
   */
  suspended?: boolean;
}

/**
 * Builds every object of the tenant except the database Secret and the PVCs, in apply order:
 * the Namespace first, then isolation (policies, quota, accounts) before anything that runs, the
 * database before the app, and the routes last so nothing is exposed before it exists.
 */
export function buildDesiredState(ctx: BuildContext, inputs: DesiredStateInputs = {}): OwnedManifest[] {
  const suspended = inputs.suspended ?? ctx.tenant.spec.suspend ?? false;
  return [
    buildNamespace(ctx),
    ...buildNetworkPolicies(ctx),
    buildResourceQuota(ctx),
    buildLimitRange(ctx),
    ...buildServiceAccounts(ctx),
    buildDatabaseService(ctx),
    buildDatabaseStatefulSet(ctx),
    buildAppService(ctx),
    buildAppDeployment(ctx, { suspended }),
    // Only for two or more running replicas; otherwise absent, and pruned if it was there.
    ...[buildAppDisruptionBudget(ctx, { suspended })].filter((m) => m !== undefined),
    // Kept while suspended, so resuming does not wait for a new certificate.
    buildCertificate(ctx),
    // Suspended: no route at all, so the instance is unreachable rather than answering errors.
    ...(suspended ? [] : buildIngress(ctx)),
  ];
}

/** A kind the operator owns, with what an informer needs to watch it. */
export interface OwnedKind extends KindRef {
  namespaced: boolean;
  plural: string;
  /** The ingress provider that uses this kind, when only one does (its CRD may be absent otherwise). */
  provider?: IngressProvider;
}

const CORE_KINDS: OwnedKind[] = [
  { apiVersion: 'v1', kind: 'Namespace', namespaced: false, plural: 'namespaces' },
  { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', namespaced: true, plural: 'networkpolicies' },
  { apiVersion: 'v1', kind: 'ResourceQuota', namespaced: true, plural: 'resourcequotas' },
  { apiVersion: 'v1', kind: 'LimitRange', namespaced: true, plural: 'limitranges' },
  { apiVersion: 'v1', kind: 'ServiceAccount', namespaced: true, plural: 'serviceaccounts' },
  { apiVersion: 'v1', kind: 'Secret', namespaced: true, plural: 'secrets' },
  { apiVersion: 'v1', kind: 'PersistentVolumeClaim', namespaced: true, plural: 'persistentvolumeclaims' },
  { apiVersion: 'v1', kind: 'Service', namespaced: true, plural: 'services' },
  { apiVersion: 'apps/v1', kind: 'StatefulSet', namespaced: true, plural: 'statefulsets' },
  { apiVersion: 'apps/v1', kind: 'Deployment', namespaced: true, plural: 'deployments' },
  { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', namespaced: true, plural: 'poddisruptionbudgets' },
  { apiVersion: 'cert-manager.io/v1', kind: 'Certificate', namespaced: true, plural: 'certificates' },
  // The backup CronJob, and the Jobs it (and a Restore) starts: watched so a finished backup
  // refreshes the tenant's backup status at once.
  { apiVersion: 'batch/v1', kind: 'CronJob', namespaced: true, plural: 'cronjobs' },
  { apiVersion: 'batch/v1', kind: 'Job', namespaced: true, plural: 'jobs' },
];

const PLURALS: Record<string, string> = {
  Ingress: 'ingresses',
  ConfigMap: 'configmaps',
  Middleware: 'middlewares',
  TLSOption: 'tlsoptions',
  IngressRoute: 'ingressroutes',
  HTTPRoute: 'httproutes',
  ListenerSet: 'listenersets',
  ReferenceGrant: 'referencegrants',
};

/** Every apiVersion/kind the operator owns (for informers and clean-up); provider-specific kinds name their provider. */
export const OWNED_KINDS: readonly OwnedKind[] = [
  ...CORE_KINDS,
  ...(['nginx', 'traefik', 'gateway'] as const).flatMap((provider) =>
    ingressKinds(provider).map((k) => ({ ...k, namespaced: true, plural: PLURALS[k.kind]!, provider })),
  ),
];

/**
 * Returns the owned kinds to watch with a given provider: the core kinds and that provider's (other
 * providers' CRDs may not be installed).
 */
export function ownedKindsFor(provider: IngressProvider): OwnedKind[] {
  return OWNED_KINDS.filter((k) => k.provider === undefined || k.provider === provider).map((k) => ({ ...k }));
}
