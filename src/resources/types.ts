// The shapes every builder shares: a manifest, and the context one tenant's manifests are built from.
import type { V1OwnerReference } from '@kubernetes/client-node';
import type { Tenant, TenantSpecDatabaseEngine } from '../api/generated/index.js';
import { Reason } from '../api/conditions.js';
import { tenantNamespace } from '../api/names.js';
import type { OperatorConfig, RegionConfig } from '../config.js';

/** A Kubernetes object as the operator applies it: canonical, no undefined values. */
export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels: Record<string, string>;
    annotations?: Record<string, string>;
    ownerReferences?: V1OwnerReference[];
  };
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
}

/** Why a context could not be built: a message a person can act on, and a CamelCase reason. */
export interface BuildContextError {
  error: string;
  reason: string;
}

/** Engine used when a Tenant names no database: every instance has its own database server. */
export const DEFAULT_ENGINE: TenantSpecDatabaseEngine = 'postgres';

/** Returns the context for a tenant, or a reason it cannot be built (region not served...). */
export function buildContext(tenant: Tenant, config: OperatorConfig): BuildContext | BuildContextError {
  const name = tenant.metadata.name;
  // Owner references need the uid the API server assigned; a manifest from a file has none yet.
  if (!name || !tenant.metadata.uid) {
    return { reason: Reason.ReconcileFailed, error: `tenant ${name ?? '(unnamed)'} has no name or uid: build from the object as stored by the API server` };
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

/** Returns the tenant's database engine. */
export function engineOf(ctx: BuildContext): TenantSpecDatabaseEngine {
  return ctx.tenant.spec.database?.engine ?? DEFAULT_ENGINE;
}
