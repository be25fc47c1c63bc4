// How a tenant is reached from outside (P4): only over TLS 1.2/1.3 with ECDHE (forward secrecy),
// with an HSTS header of at least a year, plain HTTP redirected to HTTPS, and the certificate from
// cert-manager (certificate.ts). One builder per supported implementation; what an implementation
// cannot express per tenant is listed in its builder as a controller-wide requirement.
import type { IngressConfig } from '../config.js';
import type { ConfigMap } from 'kubernetes-types/core/v1.js';
import type { Ingress } from 'kubernetes-types/networking/v1.js';
import type {
  HTTPRoute,
  HTTPRouteSpecParentRefsItem,
  HTTPRouteSpecRulesItemMatchesItem,
  IngressRoute,
  IngressRouteSpecRoutesItemServicesItem,
  ListenerSet,
  Middleware,
  ReferenceGrant,
  TLSOption,
} from '../api/upstream/index.js';
import type { BuildContext, Owned, OwnedManifest, OwnedObjectMeta } from './types.js';
import { APP_NAME, APP_PORT_NAME, APP_SERVICE_PORT } from './app.js';
import { Component, ownedMetadata, tlsSecretName } from './meta.js';

/** An ingress implementation Tenantry can drive. */
export type IngressProvider = IngressConfig['provider'];

/** An API version and kind, as informers and deletions need them. */
export interface KindRef {
  apiVersion: string;
  kind: string;
}

/** TLS 1.2 cipher suites with ECDHE key exchange and AEAD only, in OpenSSL names (nginx). TLS 1.3 suites are all forward secret. */
export const ECDHE_CIPHERS_OPENSSL = [
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
] as const;

/** The same suites in Go's names (Traefik). Go does not let TLS 1.3 suites be configured; all of them are forward secret. */
export const ECDHE_CIPHERS_GO = [
  'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256',
  'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256',
  'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384',
  'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384',
  'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256',
  'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256',
] as const;

/** Names of the objects the ingress builders create in the tenant namespace. */
export const IngressObjectName = {
  Ingress: APP_NAME,
  HstsHeaders: 'hsts-headers',
  HstsMiddleware: 'hsts',
  RedirectMiddleware: 'https-redirect',
  TlsOption: 'tls-policy',
  HttpsRoute: 'app-https',
  HttpRoute: 'app-http',
  ListenerSet: APP_NAME,
  ReferenceGrant: 'gateway-reads-tls',
} as const;

/** Name of the HTTPS listener inside the tenant's ListenerSet. */
export const LISTENER_SET_SECTION = 'https';

const GATEWAY_GROUP = 'gateway.networking.k8s.io';
const GATEWAY_API_VERSION = `${GATEWAY_GROUP}/v1`;
const TRAEFIK_API_VERSION = 'traefik.io/v1alpha1';

/** Kinds each provider creates (all labelled component=ingress), so a provider change can delete the other provider's objects. */
const PROVIDER_KINDS: Record<IngressProvider, KindRef[]> = {
  nginx: [
    { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress' },
    { apiVersion: 'v1', kind: 'ConfigMap' },
  ],
  traefik: [
    { apiVersion: TRAEFIK_API_VERSION, kind: 'Middleware' },
    { apiVersion: TRAEFIK_API_VERSION, kind: 'TLSOption' },
    { apiVersion: TRAEFIK_API_VERSION, kind: 'IngressRoute' },
  ],
  gateway: [
    { apiVersion: GATEWAY_API_VERSION, kind: 'HTTPRoute' },
    { apiVersion: GATEWAY_API_VERSION, kind: 'ListenerSet' },
    { apiVersion: GATEWAY_API_VERSION, kind: 'ReferenceGrant' },
  ],
};

/**
 * Lists the apiVersion/kind pairs a provider creates. Objects of these kinds that carry the
 * tenant's labels and `app.kubernetes.io/component: ingress` are the provider's; the Certificate
 * (component tls) is shared by all providers and not listed.
 */
export function ingressKinds(provider: IngressProvider): KindRef[] {
  return PROVIDER_KINDS[provider].map((k) => ({ ...k }));
}

/**
 * Returns the HSTS header value: the configured max-age (at least a year) with includeSubDomains, no
 * preload (preloading is a domain owner's decision).
 */
export function hstsHeaderValue(ctx: BuildContext): string {
  return `max-age=${ctx.config.ingress.hstsMaxAgeSeconds}; includeSubDomains`;
}

/** The objects one of the providers creates. */
export type IngressObject = Extract<
  OwnedManifest,
  { kind: 'Ingress' | 'ConfigMap' | 'Middleware' | 'TLSOption' | 'IngressRoute' | 'HTTPRoute' | 'ListenerSet' | 'ReferenceGrant' }
>;

/** Builds the ingress objects of the configured provider. */
export function buildIngress(ctx: BuildContext): IngressObject[] {
  switch (ctx.config.ingress.provider) {
    case 'nginx':
      return buildNginxIngress(ctx);
    case 'traefik':
      return buildTraefikIngress(ctx);
    case 'gateway':
      return buildGatewayRoutes(ctx);
  }
}

function meta(ctx: BuildContext, name: string, annotations?: Record<string, string>): OwnedObjectMeta {
  return ownedMetadata(ctx, name, annotations ? { component: Component.Ingress, annotations } : { component: Component.Ingress });
}

/**
 * ingress-nginx: an Ingress with per-Ingress TLS settings. What an Ingress can set for itself:
 * the HTTPS redirect (`ssl-redirect`, and `force-ssl-redirect` so it holds even behind a TLS
 * terminating load balancer), the TLS 1.2 cipher list (`ssl-ciphers`, server level, so for the
 * whole host) and the HSTS header through `custom-headers` (a ConfigMap of response headers; the
 * `configuration-snippet` way is off by default since snippets allow config injection).
 *
 * Controller-wide, in the ingress-nginx ConfigMap (no annotation exists for these):
 * - `ssl-protocols: "TLSv1.2 TLSv1.3"` (the default; an Ingress cannot narrow it),
 * - `ssl-ciphers`: the same ECDHE-only list for hosts without an Ingress of ours (the default list still has DHE),
 * - `hsts: "true"`, `hsts-max-age: "<at least 31536000>"`, `hsts-include-subdomains: "true"`, `hsts-preload: "false"`
 *   (the defaults; they cover the HSTS header when nginxHstsViaCustomHeaders is off),
 * - `global-allowed-response-headers: "Strict-Transport-Security"` when nginxHstsViaCustomHeaders is on: the
 *   controller refuses any custom header not listed there, answering 503 for the host,
 * - `annotations-risk-level` not `Low` (custom-headers is a Medium-risk annotation; the default, High, allows it).
 * ingress-nginx is retired upstream (best-effort maintenance only until March 2026): prefer gateway or traefik.
 */
function buildNginxIngress(ctx: BuildContext): (Owned<ConfigMap> | Owned<Ingress>)[] {
  const prefix = 'nginx.ingress.kubernetes.io';
  const annotations: Record<string, string> = {
    [`${prefix}/ssl-redirect`]: 'true',
    [`${prefix}/force-ssl-redirect`]: 'true',
    [`${prefix}/ssl-ciphers`]: ECDHE_CIPHERS_OPENSSL.join(':'),
    [`${prefix}/ssl-prefer-server-ciphers`]: 'true',
  };
  const out: (Owned<ConfigMap> | Owned<Ingress>)[] = [];
  if (ctx.config.ingress.nginxHstsViaCustomHeaders) {
    out.push({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: meta(ctx, IngressObjectName.HstsHeaders),
      data: { 'Strict-Transport-Security': hstsHeaderValue(ctx) },
    });
    annotations[`${prefix}/custom-headers`] = `${ctx.namespace}/${IngressObjectName.HstsHeaders}`;
  }
  out.push({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: meta(ctx, IngressObjectName.Ingress, annotations),
    spec: {
      ingressClassName: ctx.config.ingress.className,
      tls: [{ hosts: [ctx.host], secretName: tlsSecretName(ctx) }],
      rules: [
        {
          host: ctx.host,
          http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: APP_NAME, port: { name: APP_PORT_NAME } } } }] },
        },
      ],
    },
  });
  return out;
}

/**
 * Traefik: everything per tenant through its CRDs. A TLSOption (TLS 1.2 minimum, ECDHE suites,
 * strict SNI) and an HSTS Middleware on the `websecure` route; a redirect Middleware on the `web`
 * route. Controller-wide: the `default` TLSOption in Traefik's namespace applies to connections
 * without a matching SNI; give it the same minVersion and cipherSuites, so that no connection
 * falls back to Go's default suite list (which still has CBC-mode suites).
 */
function buildTraefikIngress(ctx: BuildContext): (Owned<Middleware> | Owned<TLSOption> | Owned<IngressRoute>)[] {
  const match = `Host(\`${ctx.host}\`)`;
  const service = (): IngressRouteSpecRoutesItemServicesItem => ({ name: APP_NAME, port: APP_SERVICE_PORT });
  return [
    {
      apiVersion: TRAEFIK_API_VERSION,
      kind: 'Middleware',
      metadata: meta(ctx, IngressObjectName.HstsMiddleware),
      spec: {
        headers: {
          stsSeconds: ctx.config.ingress.hstsMaxAgeSeconds,
          stsIncludeSubdomains: true,
          stsPreload: false,
          // Also when Traefik sits behind a TLS-terminating load balancer and sees plain HTTP.
          forceSTSHeader: true,
        },
      },
    },
    {
      apiVersion: TRAEFIK_API_VERSION,
      kind: 'Middleware',
      metadata: meta(ctx, IngressObjectName.RedirectMiddleware),
      spec: { redirectScheme: { scheme: 'https', permanent: true } },
    },
    {
      apiVersion: TRAEFIK_API_VERSION,
      kind: 'TLSOption',
      metadata: meta(ctx, IngressObjectName.TlsOption),
      spec: {
        minVersion: 'VersionTLS12',
        cipherSuites: [...ECDHE_CIPHERS_GO],
        // Refuse a handshake without a known SNI, so a client cannot fall back to the default TLS option.
        sniStrict: true,
      },
    },
    {
      apiVersion: TRAEFIK_API_VERSION,
      kind: 'IngressRoute',
      metadata: meta(ctx, IngressObjectName.HttpsRoute),
      spec: {
        entryPoints: ['websecure'],
        routes: [
          {
            kind: 'Rule',
            match,
            middlewares: [{ name: IngressObjectName.HstsMiddleware, namespace: ctx.namespace }],
            services: [service()],
          },
        ],
        tls: { secretName: tlsSecretName(ctx), options: { name: IngressObjectName.TlsOption, namespace: ctx.namespace } },
      },
    },
    {
      apiVersion: TRAEFIK_API_VERSION,
      kind: 'IngressRoute',
      metadata: meta(ctx, IngressObjectName.HttpRoute),
      spec: {
        entryPoints: ['web'],
        // The redirect answers before the service is reached; Traefik needs a service on every route.
        routes: [
          {
            kind: 'Rule',
            match,
            middlewares: [{ name: IngressObjectName.RedirectMiddleware, namespace: ctx.namespace }],
            services: [service()],
          },
        ],
      },
    },
  ];
}

/**
 * Gateway API: HTTPRoutes on the shared Gateway, HSTS set by a ResponseHeaderModifier filter and
 * HTTP answered by a RequestRedirect filter (301 to https).
 *
 * The certificate: cert-manager writes it into the tenant namespace, and a Gateway listener in
 * another namespace may only read it with a ReferenceGrant. Two sound ways, chosen by
 * `ingress.gateway.tlsListener`:
 * - `ListenerSet` (default; in Gateway API's standard channel, v1.6 here): the tenant gets its own HTTPS
 *   listener for its host in a ListenerSet in its namespace, attached to the shared Gateway; the
 *   Secret is in the same namespace, so no ReferenceGrant and no edit of the shared Gateway per
 *   tenant. The Gateway must allow it once: `spec.allowedListeners.namespaces.from: Selector` with
 *   `matchLabels: {app.kubernetes.io/managed-by: tenantry}` (tenant namespaces carry it).
 * - `Gateway`: the HTTPS route attaches to the Gateway's own HTTPS listener (`httpsSectionName`).
 *   That listener must present a certificate for the host: a wildcard for `baseDomain` kept in
 *   the Gateway's namespace, or, per host, a listener whose certificateRefs names this tenant's
 *   Secret; for the latter a ReferenceGrant in the tenant namespace lets Gateways of the Gateway's
 *   namespace read exactly that Secret (nothing else of the tenant).
 * In both, the Gateway's HTTP listener must allow routes from tenant namespaces (allowedRoutes).
 *
 * Controller-wide: Gateway API has no portable field for TLS versions or cipher suites; set TLS 1.2
 * minimum and the ECDHE-only suites in the implementation's policy for the Gateway (for example an
 * Envoy Gateway ClientTrafficPolicy `tls.minVersion: "1.2"` and `tls.ciphers`).
 */
function buildGatewayRoutes(ctx: BuildContext): (Owned<ListenerSet> | Owned<ReferenceGrant> | Owned<HTTPRoute>)[] {
  const gw = ctx.config.ingress.gateway;
  const gatewayRef = (sectionName: string): HTTPRouteSpecParentRefsItem => ({
    group: GATEWAY_GROUP,
    kind: 'Gateway',
    name: gw.name,
    namespace: gw.namespace,
    sectionName,
  });
  const matchAll = (): HTTPRouteSpecRulesItemMatchesItem[] => [{ path: { type: 'PathPrefix', value: '/' } }];
  const out: (Owned<ListenerSet> | Owned<ReferenceGrant> | Owned<HTTPRoute>)[] = [];
  let httpsParent: HTTPRouteSpecParentRefsItem;
  if (gw.tlsListener === 'ListenerSet') {
    out.push({
      apiVersion: GATEWAY_API_VERSION,
      kind: 'ListenerSet',
      metadata: meta(ctx, IngressObjectName.ListenerSet),
      spec: {
        parentRef: { group: GATEWAY_GROUP, kind: 'Gateway', name: gw.name, namespace: gw.namespace },
        listeners: [
          {
            name: LISTENER_SET_SECTION,
            hostname: ctx.host,
            port: gw.httpsPort,
            protocol: 'HTTPS',
            tls: { mode: 'Terminate', certificateRefs: [{ group: '', kind: 'Secret', name: tlsSecretName(ctx) }] },
            // Only this tenant's routes may attach to its listener.
            allowedRoutes: { namespaces: { from: 'Same' }, kinds: [{ group: GATEWAY_GROUP, kind: 'HTTPRoute' }] },
          },
        ],
      },
    });
    httpsParent = { group: GATEWAY_GROUP, kind: 'ListenerSet', name: IngressObjectName.ListenerSet, sectionName: LISTENER_SET_SECTION };
  } else {
    out.push({
      apiVersion: GATEWAY_API_VERSION,
      kind: 'ReferenceGrant',
      metadata: meta(ctx, IngressObjectName.ReferenceGrant),
      spec: {
        from: [{ group: GATEWAY_GROUP, kind: 'Gateway', namespace: gw.namespace }],
        to: [{ group: '', kind: 'Secret', name: tlsSecretName(ctx) }],
      },
    });
    httpsParent = gatewayRef(gw.httpsSectionName);
  }
  out.push(
    {
      apiVersion: GATEWAY_API_VERSION,
      kind: 'HTTPRoute',
      metadata: meta(ctx, IngressObjectName.HttpsRoute),
      spec: {
        parentRefs: [httpsParent],
        hostnames: [ctx.host],
        rules: [
          {
            matches: matchAll(),
            filters: [
              {
                type: 'ResponseHeaderModifier',
                responseHeaderModifier: { set: [{ name: 'Strict-Transport-Security', value: hstsHeaderValue(ctx) }] },
              },
            ],
            backendRefs: [{ group: '', kind: 'Service', name: APP_NAME, port: APP_SERVICE_PORT, weight: 1 }],
          },
        ],
      },
    },
    {
      apiVersion: GATEWAY_API_VERSION,
      kind: 'HTTPRoute',
      metadata: meta(ctx, IngressObjectName.HttpRoute),
      spec: {
        parentRefs: [gatewayRef(gw.httpSectionName)],
        hostnames: [ctx.host],
        // No port: the redirect then uses 443, the well-known port of https.
        rules: [{ matches: matchAll(), filters: [{ type: 'RequestRedirect', requestRedirect: { scheme: 'https', statusCode: 301 } }] }],
      },
    },
  );
  return out;
}
