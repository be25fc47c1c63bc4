// The Namespace step of an erasure: deletes the tenant's namespace (its volumes, database and
// files go with it) and waits until it is gone — but only a namespace that is provably this
// tenant's: our managed-by label, the tenant label, and the tenant-uid label with this very
// Tenant's uid. A namespace that merely has the name tenant-<name> (someone else's, or a namespace left by
// an earlier Tenant of the same name) is reported and never deleted.
import type { V1Namespace } from '@kubernetes/client-node';
import type { Tenant } from '../api/generated/index.js';
import { MANAGED_BY_LABEL, MANAGER, TENANT_LABEL, TENANT_UID_LABEL, tenantNamespace } from '../api/names.js';
import { httpStatusOf } from '../runtime/api-errors.js';
import { resourcePath, type KindPath, type RequestSpec } from '../runtime/rest.js';

/** The part of the REST client this step uses (runtime/rest.ts KubeRest). */
export interface RestClient {
  request<T>(method: string, path: string, spec?: RequestSpec): Promise<T>;
}

/** What the Namespace step reports. */
export interface NamespaceErasureResult {
  /** True when no namespace of this tenant exists any more (or, in a dry run, when none would be left to wait for). */
  gone: boolean;
  /** What was done, would be done, or is awaited. */
  message: string;
  /** A namespace with the tenant's name exists but is not this tenant's; it was left untouched. */
  foreign?: boolean;
}

const NAMESPACES: KindPath = { apiVersion: 'v1', plural: 'namespaces', namespaced: false };

/** Returns why a namespace is not provably the tenant's, or undefined when it is. */
export function notOwnedBecause(ns: V1Namespace, tenant: Tenant): string | undefined {
  const labels = ns.metadata?.labels ?? {};
  if (labels[MANAGED_BY_LABEL] !== MANAGER) return `it lacks the label ${MANAGED_BY_LABEL}=${MANAGER}`;
  if (labels[TENANT_LABEL] !== tenant.metadata.name) return `its label ${TENANT_LABEL} is not ${tenant.metadata.name ?? ''}`;
  const uid = tenant.metadata.uid;
  if (!uid) return 'the Tenant has no uid to compare with';
  if (labels[TENANT_UID_LABEL] !== uid) return `its label ${TENANT_UID_LABEL} is not the Tenant's uid ${uid}`;
  return undefined;
}

/** Options of {@link NamespaceEraser}. */
export interface NamespaceEraserOptions {
  /** How long one call waits for a deleted namespace to disappear before it reports gone=false (the runner requeues). */
  waitMs?: number;
  /** How often it looks while waiting. */
  pollMs?: number;
  /** Waits; injectable for tests. */
  sleep?: (ms: number) => Promise<void>;
}

/** Deletes a tenant's namespace after checking it is the tenant's, and tells whether it is gone. Idempotent. */
export class NamespaceEraser {
  private readonly waitMs: number;
  private readonly pollMs: number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(
    private readonly rest: RestClient,
    options: NamespaceEraserOptions = {},
  ) {
    this.waitMs = options.waitMs ?? 5000;
    this.pollMs = options.pollMs ?? 250;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  /** Reads a namespace; undefined when it does not exist. */
  private async read(name: string): Promise<V1Namespace | undefined> {
    try {
      return await this.rest.request<V1Namespace>('GET', resourcePath(NAMESPACES, undefined, name));
    } catch (e) {
      if (httpStatusOf(e) === 404) return undefined;
      throw e;
    }
  }

  /** The Namespace step: deletes (or in a dry run describes) the tenant's namespace and waits a while for it to go. */
  async erase(tenant: Tenant, { dryRun }: { dryRun: boolean }): Promise<NamespaceErasureResult> {
    const name = tenantNamespace(tenant.metadata.name ?? '');
    const ns = await this.read(name);
    if (!ns) return { gone: true, message: `namespace ${name} does not exist (already deleted)` };
    const foreign = notOwnedBecause(ns, tenant);
    if (foreign) {
      return { gone: true, foreign: true, message: `namespace ${name} is not this tenant's (${foreign}); it was left untouched` };
    }
    const uid = ns.metadata?.uid ?? '';
    if (dryRun) return { gone: true, message: `would delete namespace ${name} (uid ${uid}) with its volumes, database and files` };
    if (!ns.metadata?.deletionTimestamp) await this.deleteExactly(name, uid);
    return this.waitGone(name, uid);
  }

  /** Deletes the namespace only if it is still the object that was checked (a precondition on its uid). */
  private async deleteExactly(name: string, uid: string): Promise<void> {
    try {
      await this.rest.request('DELETE', resourcePath(NAMESPACES, undefined, name), {
        body: { apiVersion: 'v1', kind: 'DeleteOptions', preconditions: { uid }, propagationPolicy: 'Background' },
      });
    } catch (e) {
      // 404: deleted meanwhile. 409: replaced meanwhile by another namespace of that name, which
      // the next attempt checks afresh; it is never deleted on the strength of the old check.
      const code = httpStatusOf(e);
      if (code === 409)
        throw new Error(`namespace ${name} changed while it was being deleted (uid ${uid} no longer matches); checking again`);
      if (code !== 404) throw e;
    }
  }

  /** Polls until the namespace with that uid is gone, for at most waitMs. */
  private async waitGone(name: string, uid: string): Promise<NamespaceErasureResult> {
    const deadline = Date.now() + this.waitMs;
    for (;;) {
      const ns = await this.read(name);
      if (!ns || ns.metadata?.uid !== uid)
        return { gone: true, message: `deleted namespace ${name} (uid ${uid}) with its volumes, database and files` };
      if (Date.now() >= deadline) return { gone: false, message: `namespace ${name} is terminating; ${blockers(ns)}` };
      await this.sleep(this.pollMs);
    }
  }
}

/** Names what a terminating namespace still waits on, from its finalizers and conditions. */
function blockers(ns: V1Namespace): string {
  const parts: string[] = [];
  const finalizers = [...(ns.spec?.finalizers ?? []), ...(ns.metadata?.finalizers ?? [])];
  if (finalizers.length > 0) parts.push(`finalizers: ${finalizers.join(', ')}`);
  for (const c of ns.status?.conditions ?? []) if (c.status === 'True' && c.message) parts.push(`${c.type}: ${c.message}`);
  return parts.length > 0 ? `waiting on ${parts.join('; ')}` : 'waiting for the namespace controller';
}
