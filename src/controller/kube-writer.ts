// The write side of the reconciler against the real API server: server-side apply under one
// field manager, create-once, delete, status patches and Events.
import {
  CoreV1Api,
  CustomObjectsApi,
  KubernetesObjectApi,
  PatchStrategy,
  setHeaderOptions,
  type KubeConfig,
  type KubernetesObject,
  type V1Namespace,
} from '@kubernetes/client-node';
import { TENANT_GROUP, TENANT_PLURAL, TENANT_VERSION, type Tenant, type TenantStatus } from '../api/generated/index.js';
import { MANAGER } from '../api/names.js';
import type { Manifest } from '../resources/index.js';
import type { ClusterWriter } from './reconcile.js';

/** HTTP status of an error from @kubernetes/client-node, if it carries one. */
export function statusCode(e: unknown): number | undefined {
  const code = (e as { code?: unknown }).code;
  return typeof code === 'number' ? code : undefined;
}

/** Counts API calls by verb and HTTP code (wired to the metrics registry by the operator). */
export type ApiCallObserver = (verb: string, code: number) => void;

/** Events of cluster-scoped objects go to "default", as client-go's recorder does, so `kubectl describe tenant` finds them. */
const EVENT_NAMESPACE = 'default';

/** Implements {@link ClusterWriter} with @kubernetes/client-node. */
export class KubeWriter implements ClusterWriter {
  private readonly objects: KubernetesObjectApi;
  private readonly core: CoreV1Api;
  private readonly custom: CustomObjectsApi;

  constructor(
    kc: KubeConfig,
    private readonly observe: ApiCallObserver = () => {},
    private readonly identity = MANAGER,
  ) {
    this.objects = KubernetesObjectApi.makeApiClient(kc);
    this.core = kc.makeApiClient(CoreV1Api);
    this.custom = kc.makeApiClient(CustomObjectsApi);
  }

  /** Runs one API call and records its verb and result code. */
  private async call<T>(verb: string, fn: () => Promise<T>): Promise<T> {
    try {
      const r = await fn();
      this.observe(verb, 200);
      return r;
    } catch (e) {
      this.observe(verb, statusCode(e) ?? 0);
      throw e;
    }
  }

  async apply(m: Manifest): Promise<string | undefined> {
    // force: the operator is the only rightful owner of the fields it sets; a hand edit is drift.
    const r = await this.call('apply', () => this.objects.patch(m as KubernetesObject, undefined, undefined, MANAGER, true, PatchStrategy.ServerSideApply));
    return r.metadata?.resourceVersion;
  }

  async create(m: Manifest): Promise<string | false> {
    try {
      const r = await this.call('create', () => this.objects.create(m as KubernetesObject, undefined, undefined, MANAGER));
      return r.metadata?.resourceVersion ?? '';
    } catch (e) {
      if (statusCode(e) === 409) return false;
      throw e;
    }
  }

  async delete(o: KubernetesObject): Promise<void> {
    try {
      await this.call('delete', () => this.objects.delete(o, undefined, undefined, undefined, undefined, 'Background'));
    } catch (e) {
      if (statusCode(e) !== 404) throw e;
    }
  }

  async readNamespace(name: string): Promise<V1Namespace | undefined> {
    try {
      return await this.call('get', () => this.core.readNamespace({ name }));
    } catch (e) {
      if (statusCode(e) === 404) return undefined;
      throw e;
    }
  }

  async describeTerminating(ns: V1Namespace): Promise<string> {
    const parts: string[] = [];
    const finalizers = [...(ns.spec?.finalizers ?? []), ...(ns.metadata?.finalizers ?? [])];
    if (finalizers.length > 0) parts.push(`namespace finalizers: ${finalizers.join(', ')}`);
    for (const c of ns.status?.conditions ?? []) {
      // The namespace controller reports what it could not delete in these conditions.
      if (c.status === 'True' && c.message) parts.push(`${c.type}: ${c.message}`);
    }
    return parts.length > 0 ? `waiting on ${parts.join('; ')}` : 'waiting for the namespace controller';
  }

  async patchTenantStatus(name: string, status: TenantStatus): Promise<string | undefined> {
    const body = { apiVersion: `${TENANT_GROUP}/${TENANT_VERSION}`, kind: 'Tenant', metadata: { name }, status };
    const r: KubernetesObject = await this.call('apply', () =>
      this.custom.patchClusterCustomObjectStatus(
        { group: TENANT_GROUP, version: TENANT_VERSION, plural: TENANT_PLURAL, name, body, fieldManager: MANAGER, force: true },
        setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply),
      ),
    );
    return r.metadata?.resourceVersion;
  }

  async event(tenant: Tenant, type: 'Normal' | 'Warning', reason: string, message: string): Promise<void> {
    const now = new Date();
    await this.call('create', () =>
      this.core.createNamespacedEvent({
        namespace: EVENT_NAMESPACE,
        body: {
          metadata: { generateName: `${tenant.metadata.name ?? 'tenant'}.` , namespace: EVENT_NAMESPACE },
          involvedObject: { apiVersion: tenant.apiVersion, kind: tenant.kind, name: tenant.metadata.name, uid: tenant.metadata.uid },
          type,
          reason,
          message: message.slice(0, 1024),
          source: { component: this.identity },
          reportingComponent: MANAGER,
          reportingInstance: this.identity,
          firstTimestamp: now,
          lastTimestamp: now,
          count: 1,
        },
      }),
    );
  }
}
