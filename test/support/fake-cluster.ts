// An in-memory cluster for the reconcilers' unit tests: an API server and the informer caches in
// front of it, implementing the view and writer the Tenant and Restore reconcilers run on. In-process
// fakes are for the logic only; the integration tests prove the same against a real API server.
import assert from 'node:assert/strict';
import type { KubernetesObject, V1Namespace, V1StorageClass } from '@kubernetes/client-node';
import type { BackupPolicy, Restore, RestoreStatus, Tenant, TenantStatus } from '../../src/api/generated/index.js';
import { TENANT_LABEL } from '../../src/api/names.js';
import { parseConfig, type OperatorConfig } from '../../src/config.js';
import { objectKey } from '../../src/controller/cluster.js';
import { statusKey } from '../../src/controller/tenant.js';
import type { RestoreView, RestoreWriter } from '../../src/controller/restore.js';
import type { Expectations } from '../../src/runtime/expectations.js';
import type { Manifest } from '../../src/resources/index.js';

/** An object as the fake API server stores it. */
export type Obj = KubernetesObject & Record<string, unknown>;

/** The region's StorageClass, known to encrypt. */
export const STORAGE_CLASS = 'gp3-encrypted';
/** The uid of every tenant made by {@link storedTenant} unless given. */
export const UID = '0b9c1e4a-2f3d-4e5a-9b8c-7d6e5f4a3b2c';

export type Provider = OperatorConfig['ingress']['provider'];
const CONTROLLER_NAMESPACE: Record<Provider, string> = { nginx: 'ingress-nginx', traefik: 'traefik', gateway: 'envoy-gateway-system' };

/** The operator configuration: one region, its encrypted class, the given ingress provider (and Gateway settings). */
export function clusterConfig(
  provider: Provider = 'nginx',
  gateway: Partial<OperatorConfig['ingress']['gateway']> = {},
  more: Record<string, unknown> = {},
): OperatorConfig {
  return parseConfig({
    regions: {
      'eu-west-1': { storageClassName: STORAGE_CLASS, kmsKeyId: 'alias/tenantry-eu-west-1', backupBucket: 'tenantry-backups-eu-west-1' },
    },
    baseDomain: 'tenants.example.com',
    ingress: { provider, className: provider, controllerNamespace: CONTROLLER_NAMESPACE[provider], gateway },
    ...more,
  });
}

/** A Tenant as the API server stores it. */
export function storedTenant(name = 'acme', spec: Partial<Tenant['spec']> = {}, meta: Partial<Tenant['metadata']> = {}): Tenant {
  return {
    apiVersion: 'tenantry.io/v1alpha1',
    kind: 'Tenant',
    metadata: { name, uid: UID, generation: 1, resourceVersion: '1', creationTimestamp: new Date('2025-01-01T00:00:00Z'), ...meta },
    spec: { plan: 'paid', region: 'eu-west-1', app: { replicas: 2 }, database: { engine: 'postgres' }, suspend: false, ...spec },
  };
}

/** A StorageClass of the region's name with these parameters. */
export function storageClass(parameters: Record<string, string>): V1StorageClass {
  return {
    apiVersion: 'storage.k8s.io/v1',
    kind: 'StorageClass',
    metadata: { name: STORAGE_CLASS },
    provisioner: 'ebs.csi.aws.com',
    parameters,
  };
}

/** A deep copy, as a cache hands out. */
export const clone = <T>(o: T): T => structuredClone(o);
/** The key of a Tenant in the fake's tenant maps. */
export const tenantKey = (name: string) => `tenant/${name}`;

/** One call the reconciler made on the writer. */
export interface Call {
  op:
    | 'apply'
    | 'mergePatch'
    | 'create'
    | 'delete'
    | 'status'
    | 'readNamespace'
    | 'describeTerminating'
    | 'createTenant'
    | 'restoreStatus'
    | 'finalizers';
  key: string;
  kind?: string;
}

const WRITE_OPS = new Set<Call['op']>(['apply', 'mergePatch', 'create', 'delete', 'status', 'createTenant', 'restoreStatus', 'finalizers']);

/**
 * An API server (`server`) and the informer caches in front of it (`cache`). Writes land on the
 * server; while `stale` is false they reach the cache at once, as if every watch event arrived
 * before the next pass. `sync()` delivers them later, telling the expectations as the operator's
 * informers do.
 */
export class FakeCluster implements RestoreView, RestoreWriter {
  readonly server = new Map<string, Obj>();
  readonly cache = new Map<string, Obj>();
  readonly serverTenants = new Map<string, Tenant>();
  readonly cacheTenants = new Map<string, Tenant>();
  readonly classes = new Map<string, V1StorageClass>();
  readonly calls: Call[] = [];
  /** Events sent, with the name of the tenant each is about (`on`). */
  readonly events: { type: string; reason: string; message: string; on: string }[] = [];
  /** BackupPolicies and Restores, as their (always up-to-date) caches hold them. */
  readonly policies = new Map<string, BackupPolicy>();
  readonly restores = new Map<string, Restore>();
  /**
   * Routes the owned-object caches do not hold (another team's Ingress, a route of a tenant another
   * operator serves), with the hosts they serve, as the operator's cluster-wide route watch reports them.
   */
  readonly routes: { kind: string; namespace: string; name: string; createdAt?: string; tenant?: string; hosts: string[] }[] = [];
  stale = false;
  /** Rewrites what apply / mergePatch store, as another field manager or a webhook would. */
  onApply: ((m: Manifest, stored: Obj) => Obj) | undefined;
  onMergePatch: ((m: Manifest, stored: Obj) => Obj) | undefined;
  expectations: Expectations | undefined;
  private rv = 100;

  constructor(...tenants: Tenant[]) {
    for (const t of tenants) this.putTenant(t);
    this.classes.set(STORAGE_CLASS, storageClass({ type: 'gp3', encrypted: 'true' }));
  }

  // ClusterView: reads from the cache only.
  tenant(name: string): Tenant | undefined {
    const t = this.cacheTenants.get(tenantKey(name));
    return t && clone(t);
  }
  tenants(): Tenant[] {
    return [...this.cacheTenants.values()].map(clone);
  }
  get(kind: string, namespace: string | undefined, name: string): KubernetesObject | undefined {
    const o = this.cache.get(`${kind}/${namespace ?? ''}/${name}`);
    return o && clone(o);
  }
  ownedBy(tenantName: string): KubernetesObject[] {
    return [...this.cache.values()].filter((o) => o.metadata?.labels?.[TENANT_LABEL] === tenantName).map(clone);
  }
  storageClass(name: string): V1StorageClass | undefined {
    return this.classes.get(name);
  }
  routeClaims(host: string): { kind: string; namespace: string; name: string; createdAt?: string; tenant?: string }[] {
    return this.routes.filter((r) => r.hosts.includes(host)).map(({ hosts: _hosts, ...claim }) => ({ ...claim }));
  }

  backupPolicy(name: string): BackupPolicy | undefined {
    const p = this.policies.get(name);
    return p && clone(p);
  }
  restore(name: string): Restore | undefined {
    const r = this.restores.get(name);
    return r && clone(r);
  }

  // ClusterWriter: writes to the server, records every call.
  async apply(m: Manifest): Promise<KubernetesObject> {
    const key = objectKey(m as KubernetesObject);
    this.calls.push({ op: 'apply', key, kind: m.kind });
    const stored = this.store(key, m);
    return clone(this.onApply ? this.put(key, this.onApply(m, stored)) : stored);
  }
  async mergePatch(m: Manifest): Promise<KubernetesObject> {
    const key = objectKey(m as KubernetesObject);
    this.calls.push({ op: 'mergePatch', key, kind: m.kind });
    const stored = this.store(key, m);
    return clone(this.onMergePatch ? this.put(key, this.onMergePatch(m, stored)) : stored);
  }
  async create(m: Manifest): Promise<string | false> {
    const key = objectKey(m as KubernetesObject);
    this.calls.push({ op: 'create', key, kind: m.kind });
    if (this.server.has(key)) return false;
    return this.store(key, m).metadata?.resourceVersion ?? '';
  }
  async delete(o: KubernetesObject): Promise<void> {
    const key = objectKey(o);
    this.calls.push({ op: 'delete', key, kind: o.kind });
    this.server.delete(key);
    if (!this.stale) this.cache.delete(key);
  }
  async readNamespace(name: string): Promise<V1Namespace | undefined> {
    this.calls.push({ op: 'readNamespace', key: name });
    const ns = this.server.get(`v1/Namespace//${name}`);
    return ns && (clone(ns) as V1Namespace);
  }
  async describeTerminating(ns: V1Namespace): Promise<string> {
    this.calls.push({ op: 'describeTerminating', key: ns.metadata?.name ?? '' });
    return 'waiting for 1 PersistentVolumeClaim';
  }
  async patchTenantStatus(name: string, status: TenantStatus): Promise<string | undefined> {
    this.calls.push({ op: 'status', key: name });
    const t = this.serverTenants.get(tenantKey(name));
    if (!t) throw new Error(`tenant ${name} not found`);
    t.status = clone(status);
    t.metadata.resourceVersion = String(++this.rv);
    if (!this.stale) this.cacheTenants.set(tenantKey(name), clone(t));
    return t.metadata.resourceVersion;
  }
  async event(t: Tenant, type: 'Normal' | 'Warning', reason: string, message: string): Promise<void> {
    this.events.push({ type, reason, message, on: t.metadata.name ?? '' });
  }
  async setTenantFinalizers(tenant: Tenant, finalizers: string[]): Promise<void> {
    const name = tenant.metadata.name ?? '';
    this.calls.push({ op: 'finalizers', key: name, kind: 'Tenant' });
    const t = this.serverTenants.get(tenantKey(name));
    if (!t) throw new Error(`tenant ${name} not found`);
    if (t.metadata.resourceVersion !== tenant.metadata.resourceVersion) throw Object.assign(new Error('conflict'), { code: 409 });
    // As the API server does: a deleted object whose last finalizer goes is removed.
    if (finalizers.length === 0 && t.metadata.deletionTimestamp) {
      this.serverTenants.delete(tenantKey(name));
      if (!this.stale) this.cacheTenants.delete(tenantKey(name));
      return;
    }
    t.metadata.finalizers = [...finalizers];
    t.metadata.resourceVersion = String(++this.rv);
    if (!this.stale) this.cacheTenants.set(tenantKey(name), clone(t));
  }
  async createTenant(t: Tenant): Promise<boolean> {
    const name = t.metadata.name ?? '';
    this.calls.push({ op: 'createTenant', key: name, kind: 'Tenant' });
    if (this.serverTenants.has(tenantKey(name))) return false;
    const stored = clone(t);
    stored.metadata = {
      ...stored.metadata,
      uid: `uid-tenant-${name}`,
      generation: 1,
      resourceVersion: String(++this.rv),
      creationTimestamp: new Date('2025-02-01T00:00:00Z'),
    };
    this.serverTenants.set(tenantKey(name), stored);
    if (!this.stale) this.cacheTenants.set(tenantKey(name), clone(stored));
    return true;
  }
  async patchRestoreStatus(name: string, status: RestoreStatus): Promise<void> {
    this.calls.push({ op: 'restoreStatus', key: name, kind: 'Restore' });
    const r = this.restores.get(name);
    if (!r) throw new Error(`restore ${name} not found`);
    r.status = clone(status);
  }

  /** Stores a write with a new resourceVersion (and a uid on creation), as the API server does. */
  private store(key: string, m: Manifest): Obj {
    const old = this.server.get(key);
    const o = clone(m) as unknown as Obj;
    o.metadata = { ...o.metadata, uid: old?.metadata?.uid ?? `uid-${key}`, resourceVersion: String(++this.rv) };
    return this.put(key, o);
  }
  private put(key: string, o: Obj): Obj {
    this.server.set(key, clone(o));
    if (!this.stale) this.cache.set(key, clone(o));
    return o;
  }

  /** Puts an object on the server and in the cache, as a person or another controller would. */
  seed(o: Obj): void {
    const key = objectKey(o);
    o.metadata = { resourceVersion: String(++this.rv), ...o.metadata };
    this.server.set(key, clone(o));
    this.cache.set(key, clone(o));
  }
  /** Changes an object on the server and in the cache. */
  edit(key: string, change: (o: Obj) => void): void {
    const o = this.server.get(key);
    assert.ok(o, `no object ${key}`);
    change(o);
    o.metadata = { ...o.metadata, resourceVersion: String(++this.rv) };
    this.cache.set(key, clone(o));
  }
  putTenant(t: Tenant): void {
    this.serverTenants.set(tenantKey(t.metadata.name ?? ''), clone(t));
    this.cacheTenants.set(tenantKey(t.metadata.name ?? ''), clone(t));
  }
  /** Delivers every pending watch event to the cache and the expectations. */
  sync(): void {
    this.cache.clear();
    for (const [k, o] of this.server) {
      this.cache.set(k, clone(o));
      this.expectations?.observed(k, o.metadata?.resourceVersion);
    }
    for (const [k, t] of this.serverTenants) {
      this.cacheTenants.set(k, clone(t));
      this.expectations?.observed(statusKey(t.metadata.name ?? ''), t.metadata.resourceVersion);
    }
  }

  writes(): Call[] {
    return this.calls.filter((c) => WRITE_OPS.has(c.op));
  }
  /** Forgets the calls and events so far, to look at one pass. */
  reset(): void {
    this.calls.length = 0;
    this.events.length = 0;
  }
  status(name = 'acme'): TenantStatus | undefined {
    return this.serverTenants.get(tenantKey(name))?.status;
  }
}
