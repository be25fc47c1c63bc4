// The write side of the reconciler against the real API server: server-side apply under one
// field manager, create-once, delete, status patches and Events, all as plain JSON (see runtime/rest.ts).
import type { KubernetesObject, V1Namespace } from '@kubernetes/client-node';
import {
  TENANT_API_VERSION,
  TENANT_PLURAL,
  type BackupPolicyStatus,
  type IncidentStatus,
  type ReleaseChannelStatus,
  type RestoreStatus,
  type Tenant,
  type TenantStatus,
} from '../api/generated/index.js';
import { MANAGER } from '../api/names.js';
import { OWNED_KINDS, type Manifest } from '../resources/index.js';
import { httpStatusOf } from '../runtime/api-errors.js';
import type { ClusterWriter } from './cluster.js';
import { resourcePath, type KindPath, type KubeRest } from '../runtime/rest.js';

/** Counts API calls by verb and HTTP code (wired to the metrics registry by the operator). */
export type ApiCallObserver = (verb: string, code: number) => void;

/** Events of cluster-scoped objects go to "default", as client-go's recorder does, so `kubectl describe tenant` finds them. */
const EVENT_NAMESPACE = 'default';
const APPLY_PATCH = 'application/apply-patch+yaml';
const TENANTS: KindPath = { apiVersion: TENANT_API_VERSION, plural: TENANT_PLURAL, namespaced: false };
const EVENTS: KindPath = { apiVersion: 'v1', plural: 'events', namespaced: true };
const NAMESPACES: KindPath = { apiVersion: 'v1', plural: 'namespaces', namespaced: false };

const KIND_PATHS = new Map<string, KindPath>(OWNED_KINDS.map((k) => [`${k.apiVersion}/${k.kind}`, k]));

/** Returns the REST path of an owned object; throws for a kind the operator does not own. */
function pathOf(o: { apiVersion?: string; kind?: string; metadata?: { namespace?: string; name?: string } }, withName = true): string {
  const k = KIND_PATHS.get(`${o.apiVersion ?? ''}/${o.kind ?? ''}`);
  if (!k) throw new Error(`${o.apiVersion ?? '?'} ${o.kind ?? '?'} is not a kind Tenantry owns`);
  return resourcePath(k, o.metadata?.namespace, withName ? o.metadata?.name : undefined);
}

/** Implements {@link ClusterWriter} over {@link KubeRest}. */
export class KubeWriter implements ClusterWriter {
  constructor(
    private readonly rest: KubeRest,
    private readonly observe: ApiCallObserver = () => {},
    private readonly identity = MANAGER,
  ) {}

  /** Runs one API call and records its verb and result code. */
  private async call<T>(verb: string, fn: () => Promise<T>): Promise<T> {
    try {
      const r = await fn();
      this.observe(verb, 200);
      return r;
    } catch (e) {
      this.observe(verb, httpStatusOf(e) ?? 0);
      throw e;
    }
  }

  async apply(m: Manifest): Promise<KubernetesObject> {
    // force: the operator is the only rightful owner of the fields it sets; a hand edit is drift.
    return this.call('apply', () =>
      this.rest.request<KubernetesObject>('PATCH', pathOf(m), {
        body: m,
        contentType: APPLY_PATCH,
        query: { fieldManager: MANAGER, force: true },
      }),
    );
  }

  async mergePatch(m: Manifest): Promise<KubernetesObject> {
    // apiVersion/kind/metadata.name stay out of the body; the rest replaces lists whole.
    const { apiVersion: _v, kind: _k, ...body } = m;
    return this.call('patch', () =>
      this.rest.request<KubernetesObject>('PATCH', pathOf(m), {
        body,
        contentType: 'application/merge-patch+json',
        query: { fieldManager: MANAGER },
      }),
    );
  }

  async create(m: Manifest): Promise<string | false> {
    try {
      const r = await this.call('create', () =>
        this.rest.request<KubernetesObject>('POST', pathOf(m, false), { body: m, query: { fieldManager: MANAGER } }),
      );
      return r.metadata?.resourceVersion ?? '';
    } catch (e) {
      if (httpStatusOf(e) === 409) return false;
      throw e;
    }
  }

  async delete(o: KubernetesObject): Promise<void> {
    try {
      await this.call('delete', () => this.rest.request('DELETE', pathOf(o), { body: { propagationPolicy: 'Background' } }));
    } catch (e) {
      if (httpStatusOf(e) !== 404) throw e;
    }
  }

  async readNamespace(name: string): Promise<V1Namespace | undefined> {
    try {
      return await this.call('get', () => this.rest.request<V1Namespace>('GET', resourcePath(NAMESPACES, undefined, name)));
    } catch (e) {
      if (httpStatusOf(e) === 404) return undefined;
      throw e;
    }
  }

  async describeTerminating(ns: V1Namespace): Promise<string> {
    const parts: string[] = [];
    const finalizers = [...(ns.spec?.finalizers ?? []), ...(ns.metadata?.finalizers ?? [])];
    if (finalizers.length > 0) parts.push(`namespace finalizers: ${finalizers.join(', ')}`);
    for (const c of ns.status?.conditions ?? []) {
      // The namespace controller reports what it could not delete yet in these conditions.
      if (c.status === 'True' && c.message) parts.push(`${c.type}: ${c.message}`);
    }
    return parts.length > 0 ? `waiting on ${parts.join('; ')}` : 'waiting for the namespace controller';
  }

  /** Reads and decodes a Secret's data (for a BackupPolicy's S3 credentials; never cached, never logged). */
  async readSecretData(namespace: string, name: string): Promise<Record<string, string>> {
    const r = await this.call('get', () =>
      this.rest.request<{ data?: Record<string, string> }>(
        'GET',
        resourcePath({ apiVersion: 'v1', plural: 'secrets', namespaced: true }, namespace, name),
      ),
    );
    return Object.fromEntries(Object.entries(r.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]));
  }

  /** Creates a Tenant (the target of a restore into a new tenant); false when it already exists. */
  async createTenant(t: Tenant): Promise<boolean> {
    try {
      await this.call('create', () => this.rest.request('POST', resourcePath(TENANTS), { body: t, query: { fieldManager: MANAGER } }));
      return true;
    } catch (e) {
      if (httpStatusOf(e) === 409) return false;
      throw e;
    }
  }

  /** Writes a Restore's status subresource. */
  async patchRestoreStatus(name: string, status: RestoreStatus): Promise<void> {
    const body = { apiVersion: TENANT_API_VERSION, kind: 'Restore', metadata: { name }, status };
    await this.call('apply', () =>
      this.rest.request(
        'PATCH',
        resourcePath({ apiVersion: TENANT_API_VERSION, plural: 'restores', namespaced: false }, undefined, name, 'status'),
        { body, contentType: APPLY_PATCH, query: { fieldManager: MANAGER, force: true } },
      ),
    );
  }

  /** Writes a BackupPolicy's status subresource. */
  async patchPolicyStatus(name: string, status: BackupPolicyStatus): Promise<void> {
    const body = { apiVersion: TENANT_API_VERSION, kind: 'BackupPolicy', metadata: { name }, status };
    await this.call('apply', () =>
      this.rest.request(
        'PATCH',
        resourcePath({ apiVersion: TENANT_API_VERSION, plural: 'backuppolicies', namespaced: false }, undefined, name, 'status'),
        { body, contentType: APPLY_PATCH, query: { fieldManager: MANAGER, force: true } },
      ),
    );
  }

  async patchTenantStatus(name: string, status: TenantStatus): Promise<string | undefined> {
    const body = { apiVersion: TENANT_API_VERSION, kind: 'Tenant', metadata: { name }, status };
    const r = await this.call('apply', () =>
      this.rest.request<KubernetesObject>('PATCH', resourcePath(TENANTS, undefined, name, 'status'), {
        body,
        contentType: APPLY_PATCH,
        query: { fieldManager: MANAGER, force: true },
      }),
    );
    return r.metadata?.resourceVersion;
  }

  async setTenantFinalizers(tenant: Tenant, finalizers: string[]): Promise<void> {
    const name = tenant.metadata.name ?? '';
    // A merge patch of metadata only; the resourceVersion makes it fail (409) if the Tenant changed
    // since the pass read it, so a finalizer is never released on a stale decision.
    const body = { metadata: { finalizers, resourceVersion: tenant.metadata.resourceVersion } };
    await this.call('patch', () =>
      this.rest.request<KubernetesObject>('PATCH', resourcePath(TENANTS, undefined, name), {
        body,
        contentType: 'application/merge-patch+json',
        query: { fieldManager: MANAGER },
      }),
    );
  }

  /** Writes an Incident's status subresource. */
  async patchIncidentStatus(name: string, status: IncidentStatus): Promise<void> {
    const body = { apiVersion: TENANT_API_VERSION, kind: 'Incident', metadata: { name }, status };
    await this.call('apply', () =>
      this.rest.request(
        'PATCH',
        resourcePath({ apiVersion: TENANT_API_VERSION, plural: 'incidents', namespaced: false }, undefined, name, 'status'),
        { body, contentType: APPLY_PATCH, query: { fieldManager: MANAGER, force: true } },
      ),
    );
  }

  /** Writes a ReleaseChannel's status subresource (its rollout: revision, released waves, failed and rolled-back tenants). */
  async patchReleaseChannelStatus(name: string, status: ReleaseChannelStatus): Promise<void> {
    const body = { apiVersion: TENANT_API_VERSION, kind: 'ReleaseChannel', metadata: { name }, status };
    await this.call('apply', () =>
      this.rest.request(
        'PATCH',
        resourcePath({ apiVersion: TENANT_API_VERSION, plural: 'releasechannels', namespaced: false }, undefined, name, 'status'),
        { body, contentType: APPLY_PATCH, query: { fieldManager: MANAGER, force: true } },
      ),
    );
  }

  async event(tenant: Tenant, type: 'Normal' | 'Warning', reason: string, message: string): Promise<void> {
    await this.objectEvent(tenant, type, reason, message);
  }

  /** Records an Event on any cluster-scoped object of Tenantry's API (a Tenant, an Incident, a ReleaseChannel). */
  async objectEvent(o: KubernetesObject, type: 'Normal' | 'Warning', reason: string, message: string): Promise<void> {
    const now = new Date().toISOString();
    const body = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { generateName: `${o.metadata?.name ?? 'object'}.`, namespace: EVENT_NAMESPACE },
      involvedObject: { apiVersion: o.apiVersion, kind: o.kind, name: o.metadata?.name, uid: o.metadata?.uid },
      type,
      reason,
      message: message.slice(0, 1024),
      source: { component: MANAGER },
      reportingComponent: MANAGER,
      reportingInstance: this.identity,
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
    };
    await this.call('create', () => this.rest.request('POST', resourcePath(EVENTS, EVENT_NAMESPACE), { body }));
  }
}
