// Hosts that route objects in the cluster already serve, whoever made them. A Tenant must not get
// a route for a host another team's Ingress (or IngressRoute, HTTPRoute, ListenerSet) serves:
// ingress-nginx merges the paths of every Ingress of one host, so a catch-all `/` of ours would
// take their traffic. The operator watches the route kinds of its provider cluster-wide, keeps
// only the few fields a claim needs (the objects themselves can be large and are never read), and
// looks claims up by host.
import type { KubernetesObject } from '@kubernetes/client-node';
import { MANAGED_BY_LABEL, MANAGER, TENANT_LABEL, tenantNamespace } from '../api/names.js';
import type { IngressProvider } from '../resources/index.js';

/** A route kind watched for host claims. */
export interface RouteKind {
  apiVersion: string;
  kind: string;
  plural: string;
  namespaced: true;
}

const INGRESS: RouteKind = { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', plural: 'ingresses', namespaced: true };
const INGRESS_ROUTE: RouteKind = { apiVersion: 'traefik.io/v1alpha1', kind: 'IngressRoute', plural: 'ingressroutes', namespaced: true };
const HTTP_ROUTE: RouteKind = { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', plural: 'httproutes', namespaced: true };
const LISTENER_SET: RouteKind = {
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'ListenerSet',
  plural: 'listenersets',
  namespaced: true,
};

/**
 * What each provider's controller serves. Traefik serves plain Ingresses too. A Gateway's own
 * listeners are left out: in `tlsListener: Gateway` mode the platform team adds a listener for a
 * tenant's host on purpose, and a listener alone routes nothing without an HTTPRoute.
 */
const PROVIDER_ROUTE_KINDS: Record<IngressProvider, RouteKind[]> = {
  nginx: [INGRESS],
  traefik: [INGRESS, INGRESS_ROUTE],
  gateway: [HTTP_ROUTE, LISTENER_SET],
};

/** Returns the route kinds whose hosts count as claims under a provider. */
export function routeClaimKinds(provider: IngressProvider): RouteKind[] {
  return PROVIDER_ROUTE_KINDS[provider].map((k) => ({ ...k }));
}

/** A lowercase DNS name; wildcards (`*.example.com`, `*`) are not the claim of one host. */
const DNS_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Host matchers of Traefik rules (v2 and v3; HostHeader is v2's alias of Host); HostRegexp is not one host. */
const TRAEFIK_HOST_MATCHER = /(!\s*)?\b(?:Host|HostHeader|HostSNI)\s*\(([^)]*)\)/g;
const TRAEFIK_STRING = /[`"]([^`"]*)[`"]/g;

/** Keeps the DNS names among values, lowercase, each once, in order. */
function hostNames(values: unknown[]): string[] {
  const out = new Set<string>();
  for (const v of values) if (typeof v === 'string' && DNS_NAME.test(v.toLowerCase())) out.add(v.toLowerCase());
  return [...out];
}

/** Returns the hosts a Traefik rule matches by name: the arguments of `Host`, `HostHeader` and `HostSNI`, except negated ones. */
export function traefikRuleHosts(rule: string): string[] {
  const names: string[] = [];
  for (const m of rule.matchAll(TRAEFIK_HOST_MATCHER)) {
    // `!Host(x)` matches every host but x.
    if (m[1]) continue;
    for (const s of (m[2] ?? '').matchAll(TRAEFIK_STRING)) names.push(s[1] ?? '');
  }
  return hostNames(names);
}

/** Returns the value as a list, or an empty one when it is not a list (a route is read, not trusted). */
const list = (v: unknown): Record<string, unknown>[] =>
  Array.isArray(v) ? v.filter((x): x is Record<string, unknown> => typeof x === 'object' && x !== null) : [];

/**
 * Returns the hosts a route object serves: an Ingress's rule and TLS hosts, an IngressRoute's Host
 * rules, an HTTPRoute's hostnames, a ListenerSet's listener hostnames. A route without a host (a
 * default backend, an HTTPRoute without hostnames) and a wildcard claim no single host.
 */
export function routeHosts(o: KubernetesObject, kind = o.kind): string[] {
  const spec = ((o as { spec?: unknown }).spec ?? {}) as Record<string, unknown>;
  switch (kind) {
    case 'Ingress':
      return hostNames([
        ...list(spec.rules).map((r) => r.host),
        ...list(spec.tls).flatMap((t) => (Array.isArray(t.hosts) ? (t.hosts as unknown[]) : [])),
      ]);
    case 'IngressRoute':
      return hostNames(list(spec.routes).flatMap((r) => (typeof r.match === 'string' ? traefikRuleHosts(r.match) : [])));
    case 'HTTPRoute':
      return hostNames(Array.isArray(spec.hostnames) ? (spec.hostnames as unknown[]) : []);
    case 'ListenerSet':
      return hostNames(list(spec.listeners).map((l) => l.hostname));
    default:
      return [];
  }
}

/**
 * Returns the tenant a route belongs to when it is Tenantry's: its labels say so and it lives in
 * that tenant's namespace. Labels alone prove nothing, since anyone may put them on their own Ingress.
 */
export function tenantryRouteTenant(o: KubernetesObject): string | undefined {
  const labels = o.metadata?.labels ?? {};
  const tenant = labels[TENANT_LABEL];
  return labels[MANAGED_BY_LABEL] === MANAGER && tenant && o.metadata?.namespace === tenantNamespace(tenant) ? tenant : undefined;
}

/** One route's claim on a host. */
export interface RouteClaim {
  kind: string;
  namespace: string;
  name: string;
  /** When the route was created (RFC 3339); the earlier claim on a host wins. */
  createdAt?: string;
  /** The Tenant the route belongs to, when it is Tenantry's. */
  tenant?: string;
}

/** A route as the claim cache keeps it: identity, resourceVersion (to tell updates) and its claim. */
export interface RouteClaimObject extends KubernetesObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace: string; resourceVersion?: string };
  claim: { hosts: string[]; tenant?: string; createdAt?: string };
}

/** Shapes a route for the claim cache; shaping a shaped object returns it unchanged. */
export function shapeRouteClaim(o: KubernetesObject, k: { apiVersion: string; kind: string }): RouteClaimObject {
  if ('claim' in o) return o as RouteClaimObject;
  const m = o.metadata ?? {};
  const created = m.creationTimestamp as unknown;
  const createdAt = typeof created === 'string' ? created : created instanceof Date ? created.toISOString() : undefined;
  const tenant = tenantryRouteTenant(o);
  return {
    apiVersion: k.apiVersion,
    kind: k.kind,
    metadata: { name: m.name ?? '', namespace: m.namespace ?? '', ...(m.resourceVersion ? { resourceVersion: m.resourceVersion } : {}) },
    claim: { hosts: routeHosts(o, k.kind), ...(tenant ? { tenant } : {}), ...(createdAt ? { createdAt } : {}) },
  };
}

/** Host claims of every watched route, by host. */
export class RouteClaimIndex {
  private readonly byHost = new Map<string, Map<string, RouteClaim>>();
  private readonly byRoute = new Map<string, { hosts: string[]; claim: RouteClaim }>();

  /** Records a route (added or updated); returns the hosts whose claims changed (none for, e.g., a status update). */
  upsert(o: RouteClaimObject): string[] {
    const key = routeKey(o);
    const before = this.byRoute.get(key);
    const { hosts, tenant, createdAt } = o.claim;
    const claim: RouteClaim = {
      kind: o.kind,
      namespace: o.metadata.namespace,
      name: o.metadata.name,
      ...(createdAt ? { createdAt } : {}),
      ...(tenant ? { tenant } : {}),
    };
    const sameClaim = before !== undefined && before.claim.createdAt === claim.createdAt && before.claim.tenant === claim.tenant;
    const previous = before?.hosts ?? [];
    // The same claim changes only the hosts it gained or lost; a changed claim changes all of them.
    const changed = sameClaim
      ? [...previous.filter((h) => !hosts.includes(h)), ...hosts.filter((h) => !previous.includes(h))]
      : [...new Set([...previous, ...hosts])];
    if (changed.length === 0) return [];
    this.drop(key);
    if (hosts.length > 0) {
      this.byRoute.set(key, { hosts: [...hosts], claim });
      for (const h of hosts) {
        const claims = this.byHost.get(h) ?? new Map<string, RouteClaim>();
        claims.set(key, claim);
        this.byHost.set(h, claims);
      }
    }
    return changed;
  }

  /** Forgets a deleted route; returns the hosts it claimed. */
  remove(o: RouteClaimObject): string[] {
    const key = routeKey(o);
    const hosts = this.byRoute.get(key)?.hosts ?? [];
    this.drop(key);
    return hosts;
  }

  /** Returns the claims on a host. */
  claims(host: string): RouteClaim[] {
    return [...(this.byHost.get(host.toLowerCase())?.values() ?? [])].map((c) => ({ ...c }));
  }

  /** Number of hosts with at least one claim. */
  get size(): number {
    return this.byHost.size;
  }

  private drop(key: string): void {
    const before = this.byRoute.get(key);
    if (!before) return;
    this.byRoute.delete(key);
    for (const h of before.hosts) {
      const claims = this.byHost.get(h);
      claims?.delete(key);
      if (claims?.size === 0) this.byHost.delete(h);
    }
  }
}

function routeKey(o: RouteClaimObject): string {
  return `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`;
}
