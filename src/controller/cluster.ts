// The cluster as the reconcilers see it: a read side served from the informer caches and a write
// side (server-side apply, create-once, delete, status, Events). The operator implements both over
// its caches and the API server; the unit tests over an in-memory fake.
import type { KubernetesObject, V1Namespace, V1StorageClass } from '@kubernetes/client-node';
import type { BackupPolicy, Tenant, TenantStatus } from '../api/generated/index.js';
import type { Manifest } from '../resources/index.js';
import type { RouteClaim } from './route-claims.js';
import type { BreachNotice } from './status.js';

/** Identifies an object kind in caches and prune lists. */
export function kindKey(o: { apiVersion?: string; kind?: string }): string {
  return `${o.apiVersion ?? ''}/${o.kind ?? ''}`;
}

/** Identifies one object. */
export function objectKey(o: KubernetesObject): string {
  return `${kindKey(o)}/${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;
}

/** Read side of the cluster, served from informer caches. */
export interface ClusterView {
  tenant(name: string): Tenant | undefined;
  tenants(): Tenant[];
  /** Tenants that may claim `host` (a superset is fine); without it every tenant is checked. */
  hostClaimants?(host: string): Tenant[];
  /** Route objects anywhere in the cluster that serve `host`, Tenantry's or not; without it none are known. */
  routeClaims?(host: string): RouteClaim[];
  /** A cached owned object (or a cached StorageClass), by kind key, namespace and name. */
  get(kind: string, namespace: string | undefined, name: string): KubernetesObject | undefined;
  /** Every cached object labelled as belonging to the tenant. */
  ownedBy(tenantName: string): KubernetesObject[];
  storageClass(name: string): V1StorageClass | undefined;
  /** A BackupPolicy by name (all policies are cached). */
  backupPolicy?(name: string): BackupPolicy | undefined;
  /** Whether an unfinished Restore writes into this tenant (its app is held at zero replicas meanwhile). */
  restoringInto?(tenantName: string): { source: string } | undefined;
  /** Customer breach notices not sent yet for this tenant, from the cached Incidents (P13); without it none are shown. */
  breachNotices?(tenantName: string): BreachNotice[];
}

/** Write side (and the one uncached read) of the cluster. */
export interface ClusterWriter {
  /** Server-side apply under the field manager `tenantry`; resolves with the stored object. */
  apply(m: Manifest): Promise<KubernetesObject>;
  /** JSON merge patch of the manifest's fields (lists replaced whole); resolves with the stored object. */
  mergePatch(m: Manifest): Promise<KubernetesObject>;
  /** Creates an object; resolves with its resourceVersion, or false when it already exists. */
  create(m: Manifest): Promise<string | false>;
  delete(o: KubernetesObject): Promise<void>;
  /** Reads a namespace the cache does not hold (one that is not ours); undefined when absent. */
  readNamespace(name: string): Promise<V1Namespace | undefined>;
  /** Lists what still exists in a terminating namespace, to name what blocks its deletion. */
  describeTerminating(ns: V1Namespace): Promise<string>;
  /** Writes the Tenant's status subresource; resolves with the new resourceVersion. */
  patchTenantStatus(name: string, status: TenantStatus): Promise<string | undefined>;
  event(tenant: Tenant, type: 'Normal' | 'Warning', reason: string, message: string): Promise<void>;
  /**
   * Sets the Tenant's metadata.finalizers (a metadata patch, never a spec change), guarded by the
   * resourceVersion the decision was made on: a conflict fails the pass, which is retried.
   */
  setTenantFinalizers(tenant: Tenant, finalizers: string[]): Promise<void>;
}
