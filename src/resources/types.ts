// The shapes every builder shares: a manifest, and the context one tenant's manifests are built from.
import type {
  ConfigMap,
  LimitRange,
  Namespace,
  PersistentVolumeClaim,
  ResourceQuota,
  Secret,
  Service,
  ServiceAccount,
} from 'kubernetes-types/core/v1.js';
import type { Deployment, StatefulSet } from 'kubernetes-types/apps/v1.js';
import type { CronJob, Job } from 'kubernetes-types/batch/v1.js';
import type { Ingress, NetworkPolicy } from 'kubernetes-types/networking/v1.js';
import type { PodDisruptionBudget } from 'kubernetes-types/policy/v1.js';
import type { Tenant } from '../api/generated/index.js';
import type { ResolvedImages } from '../release/types.js';
import type { Certificate, HTTPRoute, IngressRoute, ListenerSet, Middleware, ReferenceGrant, TLSOption } from '../api/upstream/index.js';
import { Reason } from '../api/conditions.js';
import { tenantNamespace } from '../api/names.js';
import type { OperatorConfig, RegionConfig } from '../config.js';

/** The metadata of an object the operator owns, as builders write it: always a name and labels. */
export interface OwnedObjectMeta {
  name: string;
  namespace?: string;
  labels: Record<string, string>;
  annotations?: Record<string, string>;
}

/**
 * A wire-format object of type `T` (kubernetes-types for built-in kinds, the generated types for
 * CRDs) as a builder returns it: apiVersion and kind set, owned metadata, no status, and every
 * other field exactly as `T` declares it, so a misspelt field (`form:` for `from:`) does not compile.
 */
export type Owned<T extends { apiVersion?: string; kind?: string }> = Omit<T, 'apiVersion' | 'kind' | 'metadata' | 'status'> & {
  apiVersion: NonNullable<T['apiVersion']>;
  kind: NonNullable<T['kind']>;
  metadata: OwnedObjectMeta;
};

/** Every kind of object a builder returns, typed per kind (discriminated by `kind`). */
export type OwnedManifest =
  | Owned<Namespace>
  | Owned<NetworkPolicy>
  | Owned<ResourceQuota>
  | Owned<LimitRange>
  | Owned<ServiceAccount>
  | Owned<Secret>
  | Owned<ConfigMap>
  | Owned<PersistentVolumeClaim>
  | Owned<Service>
  | Owned<StatefulSet>
  | Owned<Deployment>
  | Owned<PodDisruptionBudget>
  | Owned<CronJob>
  | Owned<Job>
  | Owned<Ingress>
  | Owned<Certificate>
  | Owned<Middleware>
  | Owned<TLSOption>
  | Owned<IngressRoute>
  | Owned<HTTPRoute>
  | Owned<ListenerSet>
  | Owned<ReferenceGrant>;

/**
 * Any object the operator applies, seen without its kind: for code that treats every kind alike
 * (apply, diff, prune, tests that walk whole manifests). Builders do not return it; they return
 * {@link OwnedManifest}s, each of which is a Manifest too.
 */
export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: OwnedObjectMeta;
  [field: string]: unknown;
}

/** Everything a builder needs about one tenant, resolved once. */
export interface BuildContext {
  tenant: Tenant;
  config: OperatorConfig;
  /** The operator's settings for the tenant's region (P8: the region's own storage, bucket and key). */
  region: RegionConfig;
  /** The tenant's namespace, tenant-<name>. */
  namespace: string;
  /** The DNS name the tenant is served on. */
  host: string;
  /** The tenant's own KMS key (status.kmsKeyId) its backups are encrypted under; unset: the region's or policy's key. */
  tenantKmsKeyId?: string;
  /**
   * The images its release channel gives the tenant (P12), resolved for every component; unset
   * (no channel): the Tenant's spec.app.image, else the operator's configured images.
   */
  images?: ResolvedImages;
}

/** Why a context could not be built: a message a person can act on, and a CamelCase reason. */
export interface BuildContextError {
  error: string;
  reason: string;
}

/** Returns the context for a tenant, or a reason it cannot be built (region not served...). */
export function buildContext(tenant: Tenant, config: OperatorConfig): BuildContext | BuildContextError {
  const name = tenant.metadata.name;
  // Owner references need the uid the API server assigned; a manifest from a file has none yet.
  if (!name || !tenant.metadata.uid) {
    return {
      reason: Reason.ReconcileFailed,
      error: `tenant ${name ?? '(unnamed)'} has no name or uid: build from the object as stored by the API server`,
    };
  }
  const region = config.regions[tenant.spec.region];
  if (!region) {
    const served = Object.keys(config.regions).sort().join(', ') || 'none';
    return {
      reason: Reason.RegionNotServed,
      error: `region ${tenant.spec.region} is not served by this operator (it serves: ${served}); data residency forbids placing the tenant elsewhere: deploy the operator of region ${tenant.spec.region}, or add the region to the configuration`,
    };
  }
  // parseConfig fills the node selector; a hand-built config may not, and pods must never float across regions.
  const nodeSelector = region.nodeSelector ?? { 'topology.kubernetes.io/region': tenant.spec.region };
  return {
    tenant,
    config,
    region: { ...region, nodeSelector },
    namespace: tenantNamespace(name),
    host: tenant.spec.host ?? `${name}.${config.baseDomain}`,
  };
}

/** Narrows the result of {@link buildContext} to the error case. */
export function isBuildContextError(ctx: BuildContext | BuildContextError): ctx is BuildContextError {
  return 'error' in ctx;
}
