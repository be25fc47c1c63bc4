// Shapes objects before the informers cache them. At thousands of tenants the caches are most of
// the operator's heap: each tenant owns about twenty objects, and most of their content (a
// Deployment's pod template, a NetworkPolicy's rules, the defaults the API server fills in) is the
// same text for every tenant of a plan and region, parsed anew from every watch event.
import type { KubernetesObject } from '@kubernetes/client-node';
import { TENANT_LABEL, TENANT_UID_LABEL } from '../api/names.js';
import { TENANT_KIND } from '../api/generated/index.js';
import { lifecycleManagedFields } from './lifecycle-step.js';

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/** Distinct shared values kept at most; past this the table starts over (values already shared stay shared). */
const DEFAULT_MAX_SHARED = 20_000;

/** Identity strings shorter than this are not looked for inside values: a short tenant name would match everything. */
const MIN_IDENTITY_LENGTH = 4;

/** Whose object a value comes from: values naming the tenant (any of `identities`) are shared within its objects only. */
export interface ShareScope {
  /** The tenant's table of strings (its uid): forgotten with the tenant. */
  tenant: string;
  identities: readonly string[];
}

/** Strings of one tenant kept at most; past this its table starts over. */
const MAX_STRINGS_PER_TENANT = 64;

/**
 * One copy of each value that occurs in many objects. A value is shared only when it is equal,
 * key order included, to one already seen, so a shaped object is the same JSON as the object it
 * came from. Shared values are frozen: a reader that tried to change a cached object would
 * otherwise change every tenant's at once, and fails loudly instead.
 *
 * Values naming a tenant (its name, namespace or uid: labels, owner references, selectors) are
 * not entered in the common table, where they would add an entry per tenant and stay after the
 * tenant is gone: objects among them are shared within one call of {@link share} only (a
 * Deployment's labels and its pod template's), strings in the tenant's own table, dropped with
 * the tenant. A string is its own key there, so that table costs no copies. The common table is
 * bounded and starts over when full; values already shared stay shared.
 */
export class SharedValues {
  private common = new Map<string, unknown>();
  private readonly tenantStrings = new Map<string, Map<string, string>>();

  constructor(private readonly maxEntries = DEFAULT_MAX_SHARED) {}

  /** Distinct values in the common table and tenants with a table of strings (for tests). */
  get size(): { common: number; tenants: number } {
    return { common: this.common.size, tenants: this.tenantStrings.size };
  }

  /** Returns `value` with its parts replaced by shared equal copies (objects and arrays are changed in place). */
  share<T>(value: T, scope: ShareScope): T {
    const identities = scope.identities.filter((s) => s.length >= MIN_IDENTITY_LENGTH);
    let strings = this.tenantStrings.get(scope.tenant);
    if (!strings || strings.size >= MAX_STRINGS_PER_TENANT) this.tenantStrings.set(scope.tenant, (strings = new Map()));
    return this.visit(value, { identities, strings, local: new Map() }).value as T;
  }

  /** Drops a tenant's table (the tenant is gone). */
  forget(tenant: string): void {
    this.tenantStrings.delete(tenant);
  }

  /** Returns the shared value, its canonical text (JSON in the value's own key order), and whether it names the tenant. */
  private visit(value: unknown, pass: Pass): Visited {
    if (value === null || typeof value !== 'object') {
      const key = JSON.stringify(value) ?? 'undefined';
      if (typeof value !== 'string') return { value, key, named: false };
      const named = names(value, pass);
      // Short strings are already one copy (V8 internalizes them when parsing JSON); long ones are not.
      if (value.length <= 10) return { value, key, named };
      return { value: named ? remember(pass.strings, value, value) : this.remember(key, value), key, named };
    }
    const parts: string[] = [];
    let named = false;
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        const v = this.visit(value[i], pass);
        if (v.value !== value[i]) value[i] = v.value;
        parts.push(v.key);
        named ||= v.named;
      }
    } else {
      const o = value as Record<string, unknown>;
      for (const k of Object.keys(o)) {
        const v = this.visit(o[k], pass);
        if (v.value !== o[k]) o[k] = v.value;
        parts.push(`${JSON.stringify(k)}:${v.key}`);
        named ||= v.named || names(k, pass);
      }
    }
    const key = Array.isArray(value) ? `[${parts.join(',')}]` : `{${parts.join(',')}}`;
    return { value: named ? remember(pass.local, key, value) : this.remember(key, value), key, named };
  }

  private remember(key: string, value: unknown): unknown {
    const hit = this.common.get(key);
    if (hit !== undefined) return hit;
    if (this.common.size >= this.maxEntries) this.common = new Map();
    this.common.set(key, Object.isFrozen(value) ? value : Object.freeze(value));
    return value;
  }
}

/** A value after sharing. */
interface Visited {
  value: unknown;
  key: string;
  named: boolean;
}

/** Reports whether a string names the tenant of the pass. */
function names(s: string, pass: Pass): boolean {
  return pass.identities.some((id) => s.includes(id));
}

/** The tables of one {@link SharedValues.share} call. */
interface Pass {
  identities: readonly string[];
  strings: Map<string, string>;
  local: Map<string, unknown>;
}

/** Returns the value already in `table` under `key`, or enters and returns this one. */
function remember<T>(table: Map<string, T>, key: string, value: T): T {
  const hit = table.get(key);
  if (hit !== undefined) return hit;
  table.set(key, value);
  return value;
}

/**
 * The status fields of workloads anyone reads: rollout readiness (src/release/readiness.ts), the
 * tenant's DatabaseReady and AppReady (controller/tenant.ts). Their conditions, collisionCount and
 * the other counters are never read, and the conditions' messages and times are most of a status.
 */
const WORKLOAD_STATUS_READ: Partial<Record<string, readonly string[]>> = {
  Deployment: ['observedGeneration', 'replicas', 'updatedReplicas', 'readyReplicas', 'availableReplicas'],
  StatefulSet: ['observedGeneration', 'replicas', 'readyReplicas', 'currentRevision', 'updateRevision'],
};

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Returns the fields of `o` named in `keep` that it has, in its own order. */
function pick(o: Record<string, unknown>, keep: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([k]) => keep.includes(k)));
}

/**
 * Shapes an object for the cache: list items carry no apiVersion/kind (watch events do) and the
 * comparison with manifests needs both; managedFields (but a Tenant's lifecycle entries) and
 * kubectl's last-applied annotation are most of an object's size and never read; Secret values
 * are never read either (only whether the credentials exist), so the operator keeps no tenant's
 * password in memory. Deployments and StatefulSets keep only the status fields read (see
 * WORKLOAD_STATUS_READ). With `shared`, the labels, spec and data of the object are made of shared
 * values (see {@link SharedValues}); its metadata and status, which change with every write, are not.
 */
export function shapeForCache(o: KubernetesObject, k: { apiVersion: string; kind: string }, shared?: SharedValues): KubernetesObject {
  const { managedFields: managed, ...rest } = o.metadata ?? {};
  // A Tenant keeps the managedFields entries of its lifecycle fields, reduced to those fields: they
  // name who suspended, closed or asked to erase it, for the audit trail.
  const kept = k.kind === TENANT_KIND ? lifecycleManagedFields(managed) : [];
  const metadata: NonNullable<KubernetesObject['metadata']> = kept.length > 0 ? { ...rest, managedFields: kept } : rest;
  if (metadata.annotations?.[LAST_APPLIED]) {
    const { [LAST_APPLIED]: _last, ...annotations } = metadata.annotations;
    metadata.annotations = annotations;
  }
  const shaped: KubernetesObject & Record<string, unknown> = { ...o, apiVersion: k.apiVersion, kind: k.kind, metadata };
  if (k.kind === 'Secret') {
    delete shaped.data;
    delete shaped.stringData;
  }
  const readStatus = WORKLOAD_STATUS_READ[k.kind];
  if (readStatus && isRecord(shaped.status)) shaped.status = pick(shaped.status, readStatus);
  if (shared) shareParts(shaped, shared);
  return shaped;
}

/** Top-level fields never shared: they change with every write of the object (or name it alone). */
const UNSHARED_FIELDS = new Set(['apiVersion', 'kind', 'metadata', 'status']);
/** Metadata fields shared: the same in all of a tenant's objects, or in all tenants'. */
const SHARED_METADATA = ['namespace', 'labels', 'ownerReferences', 'creationTimestamp'] as const;

/**
 * Replaces the object's spec-like fields (everything but metadata and status) and the metadata
 * fields its tenant's objects have in common by shared values. Objects without a tenant label
 * are left as they are.
 */
function shareParts(o: KubernetesObject & Record<string, unknown>, shared: SharedValues): void {
  const meta = (o.metadata ?? {}) as Record<string, unknown>;
  const name = o.metadata?.labels?.[TENANT_LABEL];
  const uid = o.metadata?.labels?.[TENANT_UID_LABEL];
  const tenant = uid ?? name;
  if (tenant === undefined) return;
  const scope: ShareScope = { tenant, identities: [o.metadata?.namespace, name, uid].filter((s): s is string => typeof s === 'string') };
  const fields = Object.keys(o).filter((f) => !UNSHARED_FIELDS.has(f));
  const metaFields = SHARED_METADATA.filter((f) => meta[f] !== undefined);
  // One call for the whole object, so equal values in different fields (labels and pod template labels) share one copy.
  const done = shared.share([...fields.map((f) => o[f]), ...metaFields.map((f) => meta[f])], scope);
  fields.forEach((f, i) => (o[f] = done[i]));
  metaFields.forEach((f, i) => (meta[f] = done[fields.length + i]));
}
