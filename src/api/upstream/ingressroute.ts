// Generated from github.com/traefik/traefik/v3@v3.7.13 (IngressRoute v1alpha1) by `npm run generate`. Do not edit.

import type { V1ObjectMeta } from '@kubernetes/client-node';

export const INGRESS_ROUTE_GROUP = 'traefik.io';
export const INGRESS_ROUTE_VERSION = 'v1alpha1';
export const INGRESS_ROUTE_API_VERSION = 'traefik.io/v1alpha1';
export const INGRESS_ROUTE_PLURAL = 'ingressroutes';
export const INGRESS_ROUTE_KIND = 'IngressRoute';

/**
 * IngressRoute is the CRD implementation of a Traefik HTTP Router.
 *
 * A namespaced `traefik.io/v1alpha1` resource (plural `ingressroutes`).
 */
export interface IngressRoute {
  apiVersion: 'traefik.io/v1alpha1';
  kind: 'IngressRoute';
  metadata: V1ObjectMeta;
  /** IngressRouteSpec defines the desired state of IngressRoute. */
  spec: IngressRouteSpec;
}

/** IngressRouteSpec defines the desired state of IngressRoute. */
export interface IngressRouteSpec {
  /**
   * EntryPoints defines the list of entry point names to bind to.
   * Entry points have to be configured in the static configuration.
   * More info: https://doc.traefik.io/traefik/v3.7/reference/install-configuration/entrypoints/
   * Default: all.
   */
  entryPoints?: string[];
  /** IngressClassName defines the name of the IngressClass cluster resource. */
  ingressClassName?: string;
  /**
   * ParentRefs defines references to parent IngressRoute resources for multi-layer routing.
   * When set, this IngressRoute's routers will be children of the referenced parent IngressRoute's
   * routers.
   * More info: https://doc.traefik.io/traefik/v3.7/routing/routers/#parentrefs
   */
  parentRefs?: IngressRouteSpecParentRefsItem[];
  /** Routes defines the list of routes. */
  routes: IngressRouteSpecRoutesItem[];
  /**
   * TLS defines the TLS configuration.
   * More info:
   * https://doc.traefik.io/traefik/v3.7/reference/routing-configuration/http/routing/router/#tls
   */
  tls?: IngressRouteSpecTls;
}

/** IngressRouteRef is a reference to an IngressRoute resource. */
export interface IngressRouteSpecParentRefsItem {
  /** Name defines the name of the referenced IngressRoute resource. */
  name: string;
  /** Namespace defines the namespace of the referenced IngressRoute resource. */
  namespace?: string;
}

/** Route holds the HTTP route configuration. */
export interface IngressRouteSpecRoutesItem {
  /**
   * Kind defines the kind of the route.
   * Rule is the only supported kind.
   * If not defined, defaults to Rule.
   */
  kind?: IngressRouteSpecRoutesItemKind;
  /**
   * Match defines the router's rule.
   * More info:
   * https://doc.traefik.io/traefik/v3.7/reference/routing-configuration/http/routing/rules-and-priority/
   */
  match: string;
  /**
   * Middlewares defines the list of references to Middleware resources.
   * More info:
   * https://doc.traefik.io/traefik/v3.7/reference/routing-configuration/kubernetes/crd/http/middleware/
   */
  middlewares?: IngressRouteSpecRoutesItemMiddlewaresItem[];
  /**
   * Observability defines the observability configuration for a router.
   * More info:
   * https://doc.traefik.io/traefik/v3.7/reference/routing-configuration/http/routing/observability/
   */
  observability?: IngressRouteSpecRoutesItemObservability;
  /**
   * Priority defines the router's priority.
   * More info:
   * https://doc.traefik.io/traefik/v3.7/reference/routing-configuration/http/routing/rules-and-priority/#priority
   */
  priority?: number;
  /**
   * Services defines the list of Service.
   * It can contain any combination of TraefikService and/or reference to a Kubernetes Service.
   */
  services?: IngressRouteSpecRoutesItemServicesItem[];
  /**
   * Syntax defines the router's rule syntax.
   * More info:
   * https://doc.traefik.io/traefik/v3.7/reference/routing-configuration/http/routing/rules-and-priority/#rulesyntax
   *
   * Deprecated: Please do not use this field and rewrite the router rules to use the v3 syntax.
   */
  syntax?: string;
}

/**
 * Kind defines the kind of the route.
 * Rule is the only supported kind.
 * If not defined, defaults to Rule.
 */
export type IngressRouteSpecRoutesItemKind = 'Rule';

/** MiddlewareRef is a reference to a Middleware resource. */
export interface IngressRouteSpecRoutesItemMiddlewaresItem {
  /** Name defines the name of the referenced Middleware resource. */
  name: string;
  /** Namespace defines the namespace of the referenced Middleware resource. */
  namespace?: string;
}

/**
 * Observability defines the observability configuration for a router.
 * More info:
 * https://doc.traefik.io/traefik/v3.7/reference/routing-configuration/http/routing/observability/
 */
export interface IngressRouteSpecRoutesItemObservability {
  /** AccessLogs enables access logs for this router. */
  accessLogs?: boolean;
  /** Metrics enables metrics for this router. */
  metrics?: boolean;
  /**
   * TraceVerbosity defines the verbosity level of the tracing for this router.
   *
   * @defaultValue `"minimal"`
   */
  traceVerbosity?: IngressRouteSpecRoutesItemObservabilityTraceVerbosity;
  /** Tracing enables tracing for this router. */
  tracing?: boolean;
}

/**
 * TraceVerbosity defines the verbosity level of the tracing for this router.
 *
 * @defaultValue `"minimal"`
 */
export type IngressRouteSpecRoutesItemObservabilityTraceVerbosity = 'minimal' | 'detailed';

/** Service defines an upstream HTTP service to proxy traffic to. */
export interface IngressRouteSpecRoutesItemServicesItem {
  /** Healthcheck defines health checks for ExternalName services. */
  healthCheck?: IngressRouteSpecRoutesItemServicesItemHealthCheck;
  /** Kind defines the kind of the Service. */
  kind?: IngressRouteSpecRoutesItemServicesItemKind;
  /** Middlewares defines the list of references to Middleware resources to apply to the service. */
  middlewares?: IngressRouteSpecRoutesItemServicesItemMiddlewaresItem[];
  /**
   * Name defines the name of the referenced Kubernetes Service or TraefikService.
   * The differentiation between the two is specified in the Kind field.
   */
  name: string;
  /** Namespace defines the namespace of the referenced Kubernetes Service or TraefikService. */
  namespace?: string;
  /**
   * NativeLB controls, when creating the load-balancer,
   * whether the LB's children are directly the pods IPs or if the only child is the Kubernetes
   * Service clusterIP.
   * The Kubernetes Service itself does load-balance to the pods.
   * By default, NativeLB is false.
   */
  nativeLB?: boolean;
  /**
   * NodePortLB controls, when creating the load-balancer,
   * whether the LB's children are directly the nodes internal IPs using the nodePort when the
   * service type is NodePort.
   * It allows services to be reachable when Traefik runs externally from the Kubernetes cluster but
   * within the same network of the nodes.
   * By default, NodePortLB is false.
   */
  nodePortLB?: boolean;
  /**
   * PassHostHeader defines whether the client Host header is forwarded to the upstream Kubernetes
   * Service.
   * By default, passHostHeader is true.
   */
  passHostHeader?: boolean;
  /** PassiveHealthCheck defines passive health checks for ExternalName services. */
  passiveHealthCheck?: IngressRouteSpecRoutesItemServicesItemPassiveHealthCheck;
  /**
   * Port defines the port of a Kubernetes Service.
   * This can be a reference to a named port.
   *
   * An integer or a string.
   */
  port?: string | number;
  /**
   * ResponseForwarding defines how Traefik forwards the response from the upstream Kubernetes
   * Service to the client.
   */
  responseForwarding?: IngressRouteSpecRoutesItemServicesItemResponseForwarding;
  /**
   * Scheme defines the scheme to use for the request to the upstream Kubernetes Service.
   * It defaults to https when Kubernetes Service port is 443, http otherwise.
   */
  scheme?: string;
  /**
   * ServersTransport defines the name of ServersTransport resource to use.
   * It allows to configure the transport between Traefik and your servers.
   * Can only be used on a Kubernetes Service.
   */
  serversTransport?: string;
  /**
   * Sticky defines the sticky sessions configuration.
   * More info:
   * https://doc.traefik.io/traefik/v3.7/reference/routing-configuration/http/load-balancing/service/#sticky-sessions
   */
  sticky?: IngressRouteSpecRoutesItemServicesItemSticky;
  /**
   * Strategy defines the load balancing strategy between the servers.
   * Supported values are: wrr (Weighed round-robin), p2c (Power of two choices), hrw (Highest
   * Random Weight), and leasttime (Least-Time).
   * RoundRobin value is deprecated and supported for backward compatibility.
   */
  strategy?: IngressRouteSpecRoutesItemServicesItemStrategy;
  /**
   * Weight defines the weight and should only be specified when Name references a TraefikService
   * object
   * (and to be precise, one that embeds a Weighted Round Robin).
   */
  weight?: number;
}

/** Healthcheck defines health checks for ExternalName services. */
export interface IngressRouteSpecRoutesItemServicesItemHealthCheck {
  /**
   * FollowRedirects defines whether redirects should be followed during the health check calls.
   * Default: true
   */
  followRedirects?: boolean;
  /** Headers defines custom headers to be sent to the health check endpoint. */
  headers?: Record<string, string>;
  /** Hostname defines the value of hostname in the Host header of the health check request. */
  hostname?: string;
  /**
   * Interval defines the frequency of the health check calls for healthy targets.
   * Default: 30s
   *
   * An integer or a string.
   */
  interval?: string | number;
  /** Method defines the healthcheck method. */
  method?: string;
  /**
   * Mode defines the health check mode.
   * If defined to grpc, will use the gRPC health check protocol to probe the server.
   * Default: http
   */
  mode?: string;
  /** Path defines the server URL path for the health check endpoint. */
  path?: string;
  /** Port defines the server URL port for the health check endpoint. */
  port?: number;
  /** Scheme replaces the server URL scheme for the health check endpoint. */
  scheme?: string;
  /** Status defines the expected HTTP status code of the response to the health check request. */
  status?: number;
  /**
   * Timeout defines the maximum duration Traefik will wait for a health check request before
   * considering the server unhealthy.
   * Default: 5s
   *
   * An integer or a string.
   */
  timeout?: string | number;
  /**
   * UnhealthyInterval defines the frequency of the health check calls for unhealthy targets.
   * When UnhealthyInterval is not defined, it defaults to the Interval value.
   * Default: 30s
   *
   * An integer or a string.
   */
  unhealthyInterval?: string | number;
}

/** Kind defines the kind of the Service. */
export type IngressRouteSpecRoutesItemServicesItemKind = 'Service' | 'TraefikService';

/** MiddlewareRef is a reference to a Middleware resource. */
export interface IngressRouteSpecRoutesItemServicesItemMiddlewaresItem {
  /** Name defines the name of the referenced Middleware resource. */
  name: string;
  /** Namespace defines the namespace of the referenced Middleware resource. */
  namespace?: string;
}

/** PassiveHealthCheck defines passive health checks for ExternalName services. */
export interface IngressRouteSpecRoutesItemServicesItemPassiveHealthCheck {
  /**
   * FailureWindow defines the time window during which the failed attempts must occur for the
   * server to be marked as unhealthy. It also defines for how long the server will be considered
   * unhealthy.
   *
   * An integer or a string.
   */
  failureWindow?: string | number;
  /**
   * MaxFailedAttempts is the number of consecutive failed attempts allowed within the failure
   * window before marking the server as unhealthy.
   */
  maxFailedAttempts?: number;
}

/**
 * ResponseForwarding defines how Traefik forwards the response from the upstream Kubernetes Service
 * to the client.
 */
export interface IngressRouteSpecRoutesItemServicesItemResponseForwarding {
  /**
   * FlushInterval defines the interval, in milliseconds, in between flushes to the client while
   * copying the response body.
   * A negative value means to flush immediately after each write to the client.
   * This configuration is ignored when ReverseProxy recognizes a response as a streaming response;
   * for such responses, writes are flushed to the client immediately.
   * Default: 100ms
   */
  flushInterval?: string;
}

/**
 * Sticky defines the sticky sessions configuration.
 * More info:
 * https://doc.traefik.io/traefik/v3.7/reference/routing-configuration/http/load-balancing/service/#sticky-sessions
 */
export interface IngressRouteSpecRoutesItemServicesItemSticky {
  /** Cookie defines the sticky cookie configuration. */
  cookie?: IngressRouteSpecRoutesItemServicesItemStickyCookie;
}

/** Cookie defines the sticky cookie configuration. */
export interface IngressRouteSpecRoutesItemServicesItemStickyCookie {
  /**
   * Domain defines the host to which the cookie will be sent.
   * More info:
   * https://developer.mozilla.org/en-US/docs/Web/HTTP/Headers/Set-Cookie#domaindomain-value
   */
  domain?: string;
  /**
   * HTTPOnly defines whether the cookie can be accessed by client-side APIs, such as JavaScript.
   */
  httpOnly?: boolean;
  /**
   * MaxAge defines the number of seconds until the cookie expires.
   * When set to a negative number, the cookie expires immediately.
   * When set to zero, the cookie never expires.
   */
  maxAge?: number;
  /** Name defines the Cookie name. */
  name?: string;
  /**
   * Path defines the path that must exist in the requested URL for the browser to send the Cookie
   * header.
   * When not provided the cookie will be sent on every request to the domain.
   * More info: https://developer.mozilla.org/en-US/docs/Web/HTTP/Headers/Set-Cookie#pathpath-value
   */
  path?: string;
  /**
   * SameSite defines the same site policy.
   * More info: https://developer.mozilla.org/en-US/docs/Web/HTTP/Headers/Set-Cookie/SameSite
   */
  sameSite?: IngressRouteSpecRoutesItemServicesItemStickyCookieSameSite;
  /**
   * Secure defines whether the cookie can only be transmitted over an encrypted connection (i.e.
   * HTTPS).
   */
  secure?: boolean;
}

/**
 * SameSite defines the same site policy.
 * More info: https://developer.mozilla.org/en-US/docs/Web/HTTP/Headers/Set-Cookie/SameSite
 */
export type IngressRouteSpecRoutesItemServicesItemStickyCookieSameSite =
  | 'none'
  | 'lax'
  | 'strict'
  | 'None'
  | 'Lax'
  | 'Strict';

/**
 * Strategy defines the load balancing strategy between the servers.
 * Supported values are: wrr (Weighed round-robin), p2c (Power of two choices), hrw (Highest Random
 * Weight), and leasttime (Least-Time).
 * RoundRobin value is deprecated and supported for backward compatibility.
 */
export type IngressRouteSpecRoutesItemServicesItemStrategy =
  | 'wrr'
  | 'p2c'
  | 'hrw'
  | 'leasttime'
  | 'RoundRobin';

/**
 * TLS defines the TLS configuration.
 * More info:
 * https://doc.traefik.io/traefik/v3.7/reference/routing-configuration/http/routing/router/#tls
 */
export interface IngressRouteSpecTls {
  /**
   * CertResolver defines the name of the certificate resolver to use.
   * Cert resolvers have to be configured in the static configuration.
   * More info:
   * https://doc.traefik.io/traefik/v3.7/reference/install-configuration/tls/certificate-resolvers/acme/
   */
  certResolver?: string;
  /**
   * Domains defines the list of domains that will be used to issue certificates.
   * More info:
   * https://doc.traefik.io/traefik/v3.7/reference/routing-configuration/http/tls/tls-certificates/#domains
   */
  domains?: IngressRouteSpecTlsDomainsItem[];
  /**
   * Options defines the reference to a TLSOption, that specifies the parameters of the TLS
   * connection.
   * If not defined, the `default` TLSOption is used.
   * More info:
   * https://doc.traefik.io/traefik/v3.7/reference/routing-configuration/http/tls/tls-options/
   */
  options?: IngressRouteSpecTlsOptions;
  /**
   * SecretName is the name of the referenced Kubernetes Secret to specify the certificate details.
   */
  secretName?: string;
  /**
   * Store defines the reference to the TLSStore, that will be used to store certificates.
   * Please note that only `default` TLSStore can be used.
   */
  store?: IngressRouteSpecTlsStore;
}

/** Domain holds a domain name with SANs. */
export interface IngressRouteSpecTlsDomainsItem {
  /** Main defines the main domain name. */
  main?: string;
  /** SANs defines the subject alternative domain names. */
  sans?: string[];
}

/**
 * Options defines the reference to a TLSOption, that specifies the parameters of the TLS
 * connection.
 * If not defined, the `default` TLSOption is used.
 * More info:
 * https://doc.traefik.io/traefik/v3.7/reference/routing-configuration/http/tls/tls-options/
 */
export interface IngressRouteSpecTlsOptions {
  /**
   * Name defines the name of the referenced TLSOption.
   * More info:
   * https://doc.traefik.io/traefik/v3.7/reference/routing-configuration/kubernetes/crd/http/tlsoption/
   */
  name: string;
  /**
   * Namespace defines the namespace of the referenced TLSOption.
   * More info:
   * https://doc.traefik.io/traefik/v3.7/reference/routing-configuration/kubernetes/crd/http/tlsoption/
   */
  namespace?: string;
}

/**
 * Store defines the reference to the TLSStore, that will be used to store certificates.
 * Please note that only `default` TLSStore can be used.
 */
export interface IngressRouteSpecTlsStore {
  /**
   * Name defines the name of the referenced TLSStore.
   * More info:
   * https://doc.traefik.io/traefik/v3.7/reference/routing-configuration/kubernetes/crd/http/tlsstore/
   */
  name: string;
  /**
   * Namespace defines the namespace of the referenced TLSStore.
   * More info:
   * https://doc.traefik.io/traefik/v3.7/reference/routing-configuration/kubernetes/crd/http/tlsstore/
   */
  namespace?: string;
}
