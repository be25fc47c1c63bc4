// Generated from github.com/traefik/traefik/v3@v3.7.13 (Middleware v1alpha1) by `npm run generate`. Do not edit.

import type { V1ObjectMeta } from '@kubernetes/client-node';

export const MIDDLEWARE_GROUP = 'traefik.io';
export const MIDDLEWARE_VERSION = 'v1alpha1';
export const MIDDLEWARE_API_VERSION = 'traefik.io/v1alpha1';
export const MIDDLEWARE_PLURAL = 'middlewares';
export const MIDDLEWARE_KIND = 'Middleware';

/**
 * Middleware is the CRD implementation of a Traefik Middleware.
 * More info:
 * https://doc.traefik.io/traefik/v3.7/reference/routing-configuration/http/middlewares/overview/
 *
 * A namespaced `traefik.io/v1alpha1` resource (plural `middlewares`).
 */
export interface Middleware {
  apiVersion: 'traefik.io/v1alpha1';
  kind: 'Middleware';
  metadata: V1ObjectMeta;
  /** MiddlewareSpec defines the desired state of a Middleware. */
  spec: MiddlewareSpec;
}

/** MiddlewareSpec defines the desired state of a Middleware. */
export interface MiddlewareSpec {
  /**
   * AddPrefix holds the add prefix middleware configuration.
   * This middleware updates the path of a request before forwarding it.
   * More info: https://doc.traefik.io/traefik/v3.7/middlewares/http/addprefix/
   */
  addPrefix?: MiddlewareSpecAddPrefix;
  /**
   * BasicAuth holds the basic auth middleware configuration.
   * This middleware restricts access to your services to known users.
   * More info:
   * https://doc.traefik.io/traefik/v3.7/reference/routing-configuration/http/middlewares/basicauth/
   */
  basicAuth?: MiddlewareSpecBasicAuth;
  /**
   * Buffering holds the buffering middleware configuration.
   * This middleware retries or limits the size of requests that can be forwarded to backends.
   * More info: https://doc.traefik.io/traefik/v3.7/middlewares/http/buffering/#maxrequestbodybytes
   */
  buffering?: MiddlewareSpecBuffering;
  /**
   * Chain holds the configuration of the chain middleware.
   * This middleware enables to define reusable combinations of other pieces of middleware.
   * More info:
   * https://doc.traefik.io/traefik/v3.7/reference/routing-configuration/http/middlewares/chain/
   */
  chain?: MiddlewareSpecChain;
  /** CircuitBreaker holds the circuit breaker configuration. */
  circuitBreaker?: MiddlewareSpecCircuitBreaker;
  /**
   * Compress holds the compress middleware configuration.
   * This middleware compresses responses before sending them to the client, using gzip, brotli, or
   * zstd compression.
   * More info:
   * https://doc.traefik.io/traefik/v3.7/reference/routing-configuration/http/middlewares/compress/
   */
  compress?: MiddlewareSpecCompress;
  /**
   * ContentType holds the content-type middleware configuration.
   * This middleware exists to enable the correct behavior until at least the default one can be
   * changed in a future version.
   */
  contentType?: MiddlewareSpecContentType;
  /**
   * DigestAuth holds the digest auth middleware configuration.
   * This middleware restricts access to your services to known users.
   * More info:
   * https://doc.traefik.io/traefik/v3.7/reference/routing-configuration/http/middlewares/digestauth/
   */
  digestAuth?: MiddlewareSpecDigestAuth;
  /** EncodedCharacters configures which encoded characters are allowed in the request path. */
  encodedCharacters?: MiddlewareSpecEncodedCharacters;
  /**
   * ErrorPage holds the custom error middleware configuration.
   * This middleware returns a custom page in lieu of the default, according to configured ranges of
   * HTTP Status codes.
   * More info:
   * https://doc.traefik.io/traefik/v3.7/reference/routing-configuration/http/middlewares/errorpages/
   */
  errors?: MiddlewareSpecErrors;
  /**
   * ForwardAuth holds the forward auth middleware configuration.
   * This middleware delegates the request authentication to a Service.
   * More info:
   * https://doc.traefik.io/traefik/v3.7/reference/routing-configuration/http/middlewares/forwardauth/
   */
  forwardAuth?: MiddlewareSpecForwardAuth;
  /**
   * GrpcWeb holds the gRPC web middleware configuration.
   * This middleware converts a gRPC web request to an HTTP/2 gRPC request.
   */
  grpcWeb?: MiddlewareSpecGrpcWeb;
  /**
   * Headers holds the headers middleware configuration.
   * This middleware manages the requests and responses headers.
   * More info: https://doc.traefik.io/traefik/v3.7/middlewares/http/headers/#customrequestheaders
   */
  headers?: MiddlewareSpecHeaders;
  /**
   * InFlightReq holds the in-flight request middleware configuration.
   * This middleware limits the number of requests being processed and served concurrently.
   * More info: https://doc.traefik.io/traefik/v3.7/middlewares/http/inflightreq/
   */
  inFlightReq?: MiddlewareSpecInFlightReq;
  /**
   * IPAllowList holds the IP allowlist middleware configuration.
   * This middleware limits allowed requests based on the client IP.
   * More info: https://doc.traefik.io/traefik/v3.7/middlewares/http/ipallowlist/
   */
  ipAllowList?: MiddlewareSpecIpAllowList;
  /** Deprecated: please use IPAllowList instead. */
  ipWhiteList?: MiddlewareSpecIpWhiteList;
  /**
   * PassTLSClientCert holds the pass TLS client cert middleware configuration.
   * This middleware adds the selected data from the passed client TLS certificate to a header.
   * More info: https://doc.traefik.io/traefik/v3.7/middlewares/http/passtlsclientcert/
   */
  passTLSClientCert?: MiddlewareSpecPassTLSClientCert;
  /**
   * Plugin defines the middleware plugin configuration.
   * More info:
   * https://doc.traefik.io/traefik/v3.7/reference/routing-configuration/http/middlewares/overview/#community-middlewares
   */
  plugin?: Record<string, unknown>;
  /**
   * RateLimit holds the rate limit configuration.
   * This middleware ensures that services will receive a fair amount of requests, and allows one to
   * define what fair is.
   * More info:
   * https://doc.traefik.io/traefik/v3.7/reference/routing-configuration/http/middlewares/ratelimit/
   */
  rateLimit?: MiddlewareSpecRateLimit;
  /**
   * RedirectRegex holds the redirect regex middleware configuration.
   * This middleware redirects a request using regex matching and replacement.
   * More info: https://doc.traefik.io/traefik/v3.7/middlewares/http/redirectregex/#regex
   */
  redirectRegex?: MiddlewareSpecRedirectRegex;
  /**
   * RedirectScheme holds the redirect scheme middleware configuration.
   * This middleware redirects requests from a scheme/port to another.
   * More info: https://doc.traefik.io/traefik/v3.7/middlewares/http/redirectscheme/
   */
  redirectScheme?: MiddlewareSpecRedirectScheme;
  /**
   * ReplacePath holds the replace path middleware configuration.
   * This middleware replaces the path of the request URL and store the original path in an
   * X-Replaced-Path header.
   * More info: https://doc.traefik.io/traefik/v3.7/middlewares/http/replacepath/
   */
  replacePath?: MiddlewareSpecReplacePath;
  /**
   * ReplacePathRegex holds the replace path regex middleware configuration.
   * This middleware replaces the path of a URL using regex matching and replacement.
   * More info: https://doc.traefik.io/traefik/v3.7/middlewares/http/replacepathregex/
   */
  replacePathRegex?: MiddlewareSpecReplacePathRegex;
  /**
   * Retry holds the retry middleware configuration.
   * This middleware reissues requests a given number of times to a backend server if that server
   * does not reply.
   * As soon as the server answers, the middleware stops retrying, regardless of the response
   * status.
   * More info:
   * https://doc.traefik.io/traefik/v3.7/reference/routing-configuration/http/middlewares/retry/
   */
  retry?: MiddlewareSpecRetry;
  /**
   * StripPrefix holds the strip prefix middleware configuration.
   * This middleware removes the specified prefixes from the URL path.
   * More info: https://doc.traefik.io/traefik/v3.7/middlewares/http/stripprefix/
   */
  stripPrefix?: MiddlewareSpecStripPrefix;
  /**
   * StripPrefixRegex holds the strip prefix regex middleware configuration.
   * This middleware removes the matching prefixes from the URL path.
   * More info: https://doc.traefik.io/traefik/v3.7/middlewares/http/stripprefixregex/
   */
  stripPrefixRegex?: MiddlewareSpecStripPrefixRegex;
}

/**
 * AddPrefix holds the add prefix middleware configuration.
 * This middleware updates the path of a request before forwarding it.
 * More info: https://doc.traefik.io/traefik/v3.7/middlewares/http/addprefix/
 */
export interface MiddlewareSpecAddPrefix {
  /**
   * Prefix is the string to add before the current path in the requested URL.
   * It should include a leading slash (/).
   */
  prefix?: string;
}

/**
 * BasicAuth holds the basic auth middleware configuration.
 * This middleware restricts access to your services to known users.
 * More info:
 * https://doc.traefik.io/traefik/v3.7/reference/routing-configuration/http/middlewares/basicauth/
 */
export interface MiddlewareSpecBasicAuth {
  /**
   * HeaderField defines a header field to store the authenticated user.
   * More info:
   * https://doc.traefik.io/traefik/v3.7/reference/routing-configuration/http/middlewares/basicauth/#headerfield
   */
  headerField?: string;
  /**
   * Realm allows the protected resources on a server to be partitioned into a set of protection
   * spaces, each with its own authentication scheme.
   * Default: traefik.
   */
  realm?: string;
  /**
   * RemoveHeader sets the removeHeader option to true to remove the authorization header before
   * forwarding the request to your service.
   * Default: false.
   */
  removeHeader?: boolean;
  /** Secret is the name of the referenced Kubernetes Secret containing user credentials. */
  secret?: string;
}

/**
 * Buffering holds the buffering middleware configuration.
 * This middleware retries or limits the size of requests that can be forwarded to backends.
 * More info: https://doc.traefik.io/traefik/v3.7/middlewares/http/buffering/#maxrequestbodybytes
 */
export interface MiddlewareSpecBuffering {
  /**
   * MaxRequestBodyBytes defines the maximum allowed body size for the request (in bytes).
   * If the request exceeds the allowed size, it is not forwarded to the service, and the client
   * gets a 413 (Request Entity Too Large) response.
   * Default: 0 (no maximum).
   *
   * Format: `int64`.
   */
  maxRequestBodyBytes?: number;
  /**
   * MaxResponseBodyBytes defines the maximum allowed response size from the service (in bytes).
   * If the response exceeds the allowed size, it is not forwarded to the client. The client gets a
   * 500 (Internal Server Error) response instead.
   * Default: 0 (no maximum).
   *
   * Format: `int64`.
   */
  maxResponseBodyBytes?: number;
  /**
   * MemRequestBodyBytes defines the threshold (in bytes) from which the request will be buffered on
   * disk instead of in memory.
   * Default: 1048576 (1Mi).
   *
   * Format: `int64`.
   */
  memRequestBodyBytes?: number;
  /**
   * MemResponseBodyBytes defines the threshold (in bytes) from which the response will be buffered
   * on disk instead of in memory.
   * Default: 1048576 (1Mi).
   *
   * Format: `int64`.
   */
  memResponseBodyBytes?: number;
  /**
   * RetryExpression defines the retry conditions.
   * It is a logical combination of functions with operators AND (&&) and OR (||).
   * More info: https://doc.traefik.io/traefik/v3.7/middlewares/http/buffering/#retryexpression
   */
  retryExpression?: string;
}

/**
 * Chain holds the configuration of the chain middleware.
 * This middleware enables to define reusable combinations of other pieces of middleware.
 * More info:
 * https://doc.traefik.io/traefik/v3.7/reference/routing-configuration/http/middlewares/chain/
 */
export interface MiddlewareSpecChain {
  /** Middlewares is the list of MiddlewareRef which composes the chain. */
  middlewares?: MiddlewareSpecChainMiddlewaresItem[];
}

/** MiddlewareRef is a reference to a Middleware resource. */
export interface MiddlewareSpecChainMiddlewaresItem {
  /** Name defines the name of the referenced Middleware resource. */
  name: string;
  /** Namespace defines the namespace of the referenced Middleware resource. */
  namespace?: string;
}

/** CircuitBreaker holds the circuit breaker configuration. */
export interface MiddlewareSpecCircuitBreaker {
  /**
   * CheckPeriod is the interval between successive checks of the circuit breaker condition (when in
   * standby state).
   *
   * An integer or a string.
   */
  checkPeriod?: string | number;
  /** Expression is the condition that triggers the tripped state. */
  expression?: string;
  /**
   * FallbackDuration is the duration for which the circuit breaker will wait before trying to
   * recover (from a tripped state).
   *
   * An integer or a string.
   */
  fallbackDuration?: string | number;
  /**
   * RecoveryDuration is the duration for which the circuit breaker will try to recover (as soon as
   * it is in recovering state).
   *
   * An integer or a string.
   */
  recoveryDuration?: string | number;
  /**
   * ResponseCode is the status code that the circuit breaker will return while it is in the open
   * state.
   */
  responseCode?: number;
}

/**
 * Compress holds the compress middleware configuration.
 * This middleware compresses responses before sending them to the client, using gzip, brotli, or
 * zstd compression.
 * More info:
 * https://doc.traefik.io/traefik/v3.7/reference/routing-configuration/http/middlewares/compress/
 */
export interface MiddlewareSpecCompress {
  /**
   * DefaultEncoding specifies the default encoding if the `Accept-Encoding` header is not in the
   * request or contains a wildcard (`*`).
   */
  defaultEncoding?: string;
  /** Encodings defines the list of supported compression algorithms. */
  encodings?: string[];
  /**
   * ExcludedContentTypes defines the list of content types to compare the Content-Type header of
   * the incoming requests and responses before compressing.
   * `application/grpc` is always excluded.
   */
  excludedContentTypes?: string[];
  /**
   * IncludedContentTypes defines the list of content types to compare the Content-Type header of
   * the responses before compressing.
   */
  includedContentTypes?: string[];
  /**
   * MinResponseBodyBytes defines the minimum amount of bytes a response body must have to be
   * compressed.
   * Default: 1024.
   */
  minResponseBodyBytes?: number;
}

/**
 * ContentType holds the content-type middleware configuration.
 * This middleware exists to enable the correct behavior until at least the default one can be
 * changed in a future version.
 */
export interface MiddlewareSpecContentType {
  /**
   * AutoDetect specifies whether to let the `Content-Type` header, if it has not been set by the
   * backend,
   * be automatically set to a value derived from the contents of the response.
   *
   * Deprecated: AutoDetect option is deprecated, Content-Type middleware is only meant to be used
   * to enable the content-type detection, please remove any usage of this option.
   */
  autoDetect?: boolean;
}

/**
 * DigestAuth holds the digest auth middleware configuration.
 * This middleware restricts access to your services to known users.
 * More info:
 * https://doc.traefik.io/traefik/v3.7/reference/routing-configuration/http/middlewares/digestauth/
 */
export interface MiddlewareSpecDigestAuth {
  /**
   * HeaderField defines a header field to store the authenticated user.
   * More info:
   * https://doc.traefik.io/traefik/v3.7/reference/routing-configuration/http/middlewares/digestauth/#headerfield
   */
  headerField?: string;
  /**
   * Realm allows the protected resources on a server to be partitioned into a set of protection
   * spaces, each with its own authentication scheme.
   * Default: traefik.
   */
  realm?: string;
  /**
   * RemoveHeader defines whether to remove the authorization header before forwarding the request
   * to the backend.
   */
  removeHeader?: boolean;
  /** Secret is the name of the referenced Kubernetes Secret containing user credentials. */
  secret?: string;
}

/** EncodedCharacters configures which encoded characters are allowed in the request path. */
export interface MiddlewareSpecEncodedCharacters {
  /**
   * AllowEncodedBackSlash defines whether requests with encoded back slash characters in the path
   * are allowed.
   */
  allowEncodedBackSlash?: boolean;
  /**
   * AllowEncodedHash defines whether requests with encoded hash characters in the path are allowed.
   */
  allowEncodedHash?: boolean;
  /**
   * AllowEncodedNullCharacter defines whether requests with encoded null characters in the path are
   * allowed.
   */
  allowEncodedNullCharacter?: boolean;
  /**
   * AllowEncodedPercent defines whether requests with encoded percent characters in the path are
   * allowed.
   */
  allowEncodedPercent?: boolean;
  /**
   * AllowEncodedQuestionMark defines whether requests with encoded question mark characters in the
   * path are allowed.
   */
  allowEncodedQuestionMark?: boolean;
  /**
   * AllowEncodedSemicolon defines whether requests with encoded semicolon characters in the path
   * are allowed.
   */
  allowEncodedSemicolon?: boolean;
  /**
   * AllowEncodedSlash defines whether requests with encoded slash characters in the path are
   * allowed.
   */
  allowEncodedSlash?: boolean;
}

/**
 * ErrorPage holds the custom error middleware configuration.
 * This middleware returns a custom page in lieu of the default, according to configured ranges of
 * HTTP Status codes.
 * More info:
 * https://doc.traefik.io/traefik/v3.7/reference/routing-configuration/http/middlewares/errorpages/
 */
export interface MiddlewareSpecErrors {
  /**
   * ErrorRequestHeaders defines the list of request headers forwarded to the error page service.
   * When nil (not set), all original request headers are forwarded.
   * Set to an empty list to forward no headers, or list specific headers to forward only those.
   */
  errorRequestHeaders?: string[];
  /**
   * Query defines the URL for the error page (hosted by service).
   * The {status} variable can be used in order to insert the status code in the URL.
   * The {originalStatus} variable can be used in order to insert the upstream status code in the
   * URL.
   * The {url} variable can be used in order to insert the escaped request URL.
   */
  query?: string;
  /**
   * Service defines the reference to a Kubernetes Service that will serve the error page.
   * More info:
   * https://doc.traefik.io/traefik/v3.7/reference/routing-configuration/http/middlewares/errorpages/#service
   */
  service?: MiddlewareSpecErrorsService;
  /**
   * Status defines which status or range of statuses should result in an error page.
   * It can be either a status code as a number (500),
   * as multiple comma-separated numbers (500,502),
   * as ranges by separating two codes with a dash (500-599),
   * or a combination of the two (404,418,500-599).
   */
  status?: string[];
  /**
   * StatusRewrites defines a mapping of status codes that should be returned instead of the
   * original error status codes.
   * For example: "418": 404 or "410-418": 404
   */
  statusRewrites?: Record<string, number>;
}

/**
 * Service defines the reference to a Kubernetes Service that will serve the error page.
 * More info:
 * https://doc.traefik.io/traefik/v3.7/reference/routing-configuration/http/middlewares/errorpages/#service
 */
export interface MiddlewareSpecErrorsService {
  /** Healthcheck defines health checks for ExternalName services. */
  healthCheck?: MiddlewareSpecErrorsServiceHealthCheck;
  /** Kind defines the kind of the Service. */
  kind?: MiddlewareSpecErrorsServiceKind;
  /** Middlewares defines the list of references to Middleware resources to apply to the service. */
  middlewares?: MiddlewareSpecErrorsServiceMiddlewaresItem[];
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
  passiveHealthCheck?: MiddlewareSpecErrorsServicePassiveHealthCheck;
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
  responseForwarding?: MiddlewareSpecErrorsServiceResponseForwarding;
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
  sticky?: MiddlewareSpecErrorsServiceSticky;
  /**
   * Strategy defines the load balancing strategy between the servers.
   * Supported values are: wrr (Weighed round-robin), p2c (Power of two choices), hrw (Highest
   * Random Weight), and leasttime (Least-Time).
   * RoundRobin value is deprecated and supported for backward compatibility.
   */
  strategy?: MiddlewareSpecErrorsServiceStrategy;
  /**
   * Weight defines the weight and should only be specified when Name references a TraefikService
   * object
   * (and to be precise, one that embeds a Weighted Round Robin).
   */
  weight?: number;
}

/** Healthcheck defines health checks for ExternalName services. */
export interface MiddlewareSpecErrorsServiceHealthCheck {
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
export type MiddlewareSpecErrorsServiceKind = 'Service' | 'TraefikService';

/** MiddlewareRef is a reference to a Middleware resource. */
export interface MiddlewareSpecErrorsServiceMiddlewaresItem {
  /** Name defines the name of the referenced Middleware resource. */
  name: string;
  /** Namespace defines the namespace of the referenced Middleware resource. */
  namespace?: string;
}

/** PassiveHealthCheck defines passive health checks for ExternalName services. */
export interface MiddlewareSpecErrorsServicePassiveHealthCheck {
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
export interface MiddlewareSpecErrorsServiceResponseForwarding {
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
export interface MiddlewareSpecErrorsServiceSticky {
  /** Cookie defines the sticky cookie configuration. */
  cookie?: MiddlewareSpecErrorsServiceStickyCookie;
}

/** Cookie defines the sticky cookie configuration. */
export interface MiddlewareSpecErrorsServiceStickyCookie {
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
  sameSite?: MiddlewareSpecErrorsServiceStickyCookieSameSite;
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
export type MiddlewareSpecErrorsServiceStickyCookieSameSite =
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
export type MiddlewareSpecErrorsServiceStrategy =
  | 'wrr'
  | 'p2c'
  | 'hrw'
  | 'leasttime'
  | 'RoundRobin';

/**
 * ForwardAuth holds the forward auth middleware configuration.
 * This middleware delegates the request authentication to a Service.
 * More info:
 * https://doc.traefik.io/traefik/v3.7/reference/routing-configuration/http/middlewares/forwardauth/
 */
export interface MiddlewareSpecForwardAuth {
  /**
   * AddAuthCookiesToResponse defines the list of cookies to copy from the authentication server
   * response to the response.
   */
  addAuthCookiesToResponse?: string[];
  /** Address defines the authentication server address. */
  address?: string;
  /**
   * AuthRequestHeaders defines the list of the headers to copy from the request to the
   * authentication server.
   * If not set or empty then all request headers are passed.
   */
  authRequestHeaders?: string[];
  /**
   * AuthResponseHeaders defines the list of headers to copy from the authentication server response
   * and set on forwarded request, replacing any existing conflicting headers.
   */
  authResponseHeaders?: string[];
  /**
   * AuthResponseHeadersRegex defines the regex to match headers to copy from the authentication
   * server response and set on forwarded request, after stripping all headers that match the regex.
   * More info:
   * https://doc.traefik.io/traefik/v3.7/reference/routing-configuration/http/middlewares/forwardauth/#authresponseheadersregex
   */
  authResponseHeadersRegex?: string;
  /**
   * AuthSigninURL specifies the URL to redirect to when the authentication server returns 401
   * Unauthorized.
   */
  authSigninURL?: string;
  /** ForwardBody defines whether to send the request body to the authentication server. */
  forwardBody?: boolean;
  /**
   * HeaderField defines a header field to store the authenticated user.
   * More info:
   * https://doc.traefik.io/traefik/v3.7/reference/routing-configuration/http/middlewares/forwardauth/#headerfield
   */
  headerField?: string;
  /**
   * MaxBodySize defines the maximum body size in bytes allowed to be forwarded to the
   * authentication server.
   *
   * Format: `int64`.
   */
  maxBodySize?: number;
  /**
   * MaxResponseBodySize defines the maximum body size in bytes allowed in the response from the
   * authentication server.
   *
   * Format: `int64`.
   */
  maxResponseBodySize?: number;
  /**
   * PreserveLocationHeader defines whether to forward the Location header to the client as is or
   * prefix it with the domain name of the authentication server.
   */
  preserveLocationHeader?: boolean;
  /**
   * PreserveRequestMethod defines whether to preserve the original request method while forwarding
   * the request to the authentication server.
   */
  preserveRequestMethod?: boolean;
  /** TLS defines the configuration used to secure the connection to the authentication server. */
  tls?: MiddlewareSpecForwardAuthTls;
  /**
   * TrustForwardHeader defines whether to trust (ie: forward) all X-Forwarded-* headers.
   *
   * Deprecated: Use forwardedHeaders.trustedIPs at the EntryPoint level instead, and set
   * trustForwardHeader to true on this middleware.
   */
  trustForwardHeader?: boolean;
}

/** TLS defines the configuration used to secure the connection to the authentication server. */
export interface MiddlewareSpecForwardAuthTls {
  /**
   * Deprecated: TLS client authentication is a server side option (see
   * https://github.com/golang/go/blob/740a490f71d026bb7d2d13cb8fa2d6d6e0572b70/src/crypto/tls/common.go#L634).
   */
  caOptional?: boolean;
  /**
   * CASecret is the name of the referenced Kubernetes Secret containing the CA to validate the
   * server certificate.
   * The CA certificate is extracted from key `tls.ca` or `ca.crt`.
   */
  caSecret?: string;
  /**
   * CertSecret is the name of the referenced Kubernetes Secret containing the client certificate.
   * The client certificate is extracted from the keys `tls.crt` and `tls.key`.
   */
  certSecret?: string;
  /** InsecureSkipVerify defines whether the server certificates should be validated. */
  insecureSkipVerify?: boolean;
}

/**
 * GrpcWeb holds the gRPC web middleware configuration.
 * This middleware converts a gRPC web request to an HTTP/2 gRPC request.
 */
export interface MiddlewareSpecGrpcWeb {
  /**
   * AllowOrigins is a list of allowable origins.
   * Can also be a wildcard origin "*".
   */
  allowOrigins?: string[];
}

/**
 * Headers holds the headers middleware configuration.
 * This middleware manages the requests and responses headers.
 * More info: https://doc.traefik.io/traefik/v3.7/middlewares/http/headers/#customrequestheaders
 */
export interface MiddlewareSpecHeaders {
  /** AccessControlAllowCredentials defines whether the request can include user credentials. */
  accessControlAllowCredentials?: boolean;
  /**
   * AccessControlAllowHeaders defines the Access-Control-Request-Headers values sent in preflight
   * response.
   */
  accessControlAllowHeaders?: string[];
  /**
   * AccessControlAllowMethods defines the Access-Control-Request-Method values sent in preflight
   * response.
   */
  accessControlAllowMethods?: string[];
  /**
   * AccessControlAllowOriginList is a list of allowable origins. Can also be a wildcard origin "*".
   */
  accessControlAllowOriginList?: string[];
  /**
   * AccessControlAllowOriginListRegex is a list of allowable origins written following the Regular
   * Expression syntax (https://golang.org/pkg/regexp/).
   */
  accessControlAllowOriginListRegex?: string[];
  /**
   * AccessControlExposeHeaders defines the Access-Control-Expose-Headers values sent in preflight
   * response.
   */
  accessControlExposeHeaders?: string[];
  /**
   * AccessControlMaxAge defines the time that a preflight request may be cached.
   *
   * Format: `int64`.
   */
  accessControlMaxAge?: number;
  /**
   * AddVaryHeader defines whether the Vary header is automatically added/updated when the
   * AccessControlAllowOriginList is set.
   */
  addVaryHeader?: boolean;
  /** AllowedHosts defines the fully qualified list of allowed domain names. */
  allowedHosts?: string[];
  /**
   * BrowserXSSFilter defines whether to add the X-XSS-Protection header with the value 1;
   * mode=block.
   */
  browserXssFilter?: boolean;
  /** ContentSecurityPolicy defines the Content-Security-Policy header value. */
  contentSecurityPolicy?: string;
  /**
   * ContentSecurityPolicyReportOnly defines the Content-Security-Policy-Report-Only header value.
   */
  contentSecurityPolicyReportOnly?: string;
  /**
   * ContentTypeNosniff defines whether to add the X-Content-Type-Options header with the nosniff
   * value.
   */
  contentTypeNosniff?: boolean;
  /**
   * CustomBrowserXSSValue defines the X-XSS-Protection header value.
   * This overrides the BrowserXssFilter option.
   */
  customBrowserXSSValue?: string;
  /**
   * CustomFrameOptionsValue defines the X-Frame-Options header value.
   * This overrides the FrameDeny option.
   */
  customFrameOptionsValue?: string;
  /** CustomRequestHeaders defines the header names and values to apply to the request. */
  customRequestHeaders?: Record<string, string>;
  /** CustomResponseHeaders defines the header names and values to apply to the response. */
  customResponseHeaders?: Record<string, string>;
  /** Deprecated: FeaturePolicy option is deprecated, please use PermissionsPolicy instead. */
  featurePolicy?: string;
  /** ForceSTSHeader defines whether to add the STS header even when the connection is HTTP. */
  forceSTSHeader?: boolean;
  /** FrameDeny defines whether to add the X-Frame-Options header with the DENY value. */
  frameDeny?: boolean;
  /**
   * HostsProxyHeaders defines the header keys that may hold a proxied hostname value for the
   * request.
   */
  hostsProxyHeaders?: string[];
  /**
   * IsDevelopment defines whether to mitigate the unwanted effects of the AllowedHosts, SSL, and
   * STS options when developing.
   * Usually testing takes place using HTTP, not HTTPS, and on localhost, not your production
   * domain.
   * If you would like your development environment to mimic production with complete Host blocking,
   * SSL redirects,
   * and STS headers, leave this as false.
   */
  isDevelopment?: boolean;
  /**
   * PermissionsPolicy defines the Permissions-Policy header value.
   * This allows sites to control browser features.
   */
  permissionsPolicy?: string;
  /**
   * PublicKey is the public key that implements HPKP to prevent MITM attacks with forged
   * certificates.
   */
  publicKey?: string;
  /**
   * ReferrerPolicy defines the Referrer-Policy header value.
   * This allows sites to control whether browsers forward the Referer header to other sites.
   */
  referrerPolicy?: string;
  /** Deprecated: SSLForceHost option is deprecated, please use RedirectRegex instead. */
  sslForceHost?: boolean;
  /** Deprecated: SSLHost option is deprecated, please use RedirectRegex instead. */
  sslHost?: string;
  /**
   * SSLProxyHeaders defines the header keys with associated values that would indicate a valid
   * HTTPS request.
   * It can be useful when using other proxies (example: "X-Forwarded-Proto": "https").
   */
  sslProxyHeaders?: Record<string, string>;
  /**
   * Deprecated: SSLRedirect option is deprecated, please use EntryPoint redirection or
   * RedirectScheme instead.
   */
  sslRedirect?: boolean;
  /**
   * Deprecated: SSLTemporaryRedirect option is deprecated, please use EntryPoint redirection or
   * RedirectScheme instead.
   */
  sslTemporaryRedirect?: boolean;
  /**
   * STSIncludeSubdomains defines whether the includeSubDomains directive is appended to the
   * Strict-Transport-Security header.
   */
  stsIncludeSubdomains?: boolean;
  /**
   * STSPreload defines whether the preload flag is appended to the Strict-Transport-Security
   * header.
   */
  stsPreload?: boolean;
  /**
   * STSSeconds defines the max-age of the Strict-Transport-Security header.
   * If set to 0, the header is not set.
   *
   * Format: `int64`.
   */
  stsSeconds?: number;
}

/**
 * InFlightReq holds the in-flight request middleware configuration.
 * This middleware limits the number of requests being processed and served concurrently.
 * More info: https://doc.traefik.io/traefik/v3.7/middlewares/http/inflightreq/
 */
export interface MiddlewareSpecInFlightReq {
  /**
   * Amount defines the maximum amount of allowed simultaneous in-flight request.
   * The middleware responds with HTTP 429 Too Many Requests if there are already amount requests in
   * progress (based on the same sourceCriterion strategy).
   *
   * Format: `int64`.
   */
  amount?: number;
  /**
   * SourceCriterion defines what criterion is used to group requests as originating from a common
   * source.
   * If several strategies are defined at the same time, an error will be raised.
   * If none are set, the default is to use the requestHost.
   * More info: https://doc.traefik.io/traefik/v3.7/middlewares/http/inflightreq/#sourcecriterion
   */
  sourceCriterion?: MiddlewareSpecInFlightReqSourceCriterion;
}

/**
 * SourceCriterion defines what criterion is used to group requests as originating from a common
 * source.
 * If several strategies are defined at the same time, an error will be raised.
 * If none are set, the default is to use the requestHost.
 * More info: https://doc.traefik.io/traefik/v3.7/middlewares/http/inflightreq/#sourcecriterion
 */
export interface MiddlewareSpecInFlightReqSourceCriterion {
  /**
   * IPStrategy holds the IP strategy configuration used by Traefik to determine the client IP.
   * More info: https://doc.traefik.io/traefik/v3.7/middlewares/http/ipallowlist/#ipstrategy
   */
  ipStrategy?: MiddlewareSpecInFlightReqSourceCriterionIpStrategy;
  /** RequestHeaderName defines the name of the header used to group incoming requests. */
  requestHeaderName?: string;
  /** RequestHost defines whether to consider the request Host as the source. */
  requestHost?: boolean;
}

/**
 * IPStrategy holds the IP strategy configuration used by Traefik to determine the client IP.
 * More info: https://doc.traefik.io/traefik/v3.7/middlewares/http/ipallowlist/#ipstrategy
 */
export interface MiddlewareSpecInFlightReqSourceCriterionIpStrategy {
  /**
   * Depth tells Traefik to use the X-Forwarded-For header and take the IP located at the depth
   * position (starting from the right).
   */
  depth?: number;
  /**
   * ExcludedIPs configures Traefik to scan the X-Forwarded-For header and select the first IP not
   * in the list.
   */
  excludedIPs?: string[];
  /**
   * IPv6Subnet configures Traefik to consider all IPv6 addresses from the defined subnet as
   * originating from the same IP. Applies to RemoteAddrStrategy and DepthStrategy.
   */
  ipv6Subnet?: number;
}

/**
 * IPAllowList holds the IP allowlist middleware configuration.
 * This middleware limits allowed requests based on the client IP.
 * More info: https://doc.traefik.io/traefik/v3.7/middlewares/http/ipallowlist/
 */
export interface MiddlewareSpecIpAllowList {
  /**
   * IPStrategy holds the IP strategy configuration used by Traefik to determine the client IP.
   * More info: https://doc.traefik.io/traefik/v3.7/middlewares/http/ipallowlist/#ipstrategy
   */
  ipStrategy?: MiddlewareSpecIpAllowListIpStrategy;
  /**
   * RejectStatusCode defines the HTTP status code used for refused requests.
   * If not set, the default is 403 (Forbidden).
   */
  rejectStatusCode?: number;
  /**
   * SourceRange defines the set of allowed IPs (or ranges of allowed IPs by using CIDR notation).
   */
  sourceRange?: string[];
}

/**
 * IPStrategy holds the IP strategy configuration used by Traefik to determine the client IP.
 * More info: https://doc.traefik.io/traefik/v3.7/middlewares/http/ipallowlist/#ipstrategy
 */
export interface MiddlewareSpecIpAllowListIpStrategy {
  /**
   * Depth tells Traefik to use the X-Forwarded-For header and take the IP located at the depth
   * position (starting from the right).
   */
  depth?: number;
  /**
   * ExcludedIPs configures Traefik to scan the X-Forwarded-For header and select the first IP not
   * in the list.
   */
  excludedIPs?: string[];
  /**
   * IPv6Subnet configures Traefik to consider all IPv6 addresses from the defined subnet as
   * originating from the same IP. Applies to RemoteAddrStrategy and DepthStrategy.
   */
  ipv6Subnet?: number;
}

/** Deprecated: please use IPAllowList instead. */
export interface MiddlewareSpecIpWhiteList {
  /**
   * IPStrategy holds the IP strategy configuration used by Traefik to determine the client IP.
   * More info: https://doc.traefik.io/traefik/v3.7/middlewares/http/ipallowlist/#ipstrategy
   */
  ipStrategy?: MiddlewareSpecIpWhiteListIpStrategy;
  /**
   * SourceRange defines the set of allowed IPs (or ranges of allowed IPs by using CIDR notation).
   * Required.
   */
  sourceRange?: string[];
}

/**
 * IPStrategy holds the IP strategy configuration used by Traefik to determine the client IP.
 * More info: https://doc.traefik.io/traefik/v3.7/middlewares/http/ipallowlist/#ipstrategy
 */
export interface MiddlewareSpecIpWhiteListIpStrategy {
  /**
   * Depth tells Traefik to use the X-Forwarded-For header and take the IP located at the depth
   * position (starting from the right).
   */
  depth?: number;
  /**
   * ExcludedIPs configures Traefik to scan the X-Forwarded-For header and select the first IP not
   * in the list.
   */
  excludedIPs?: string[];
  /**
   * IPv6Subnet configures Traefik to consider all IPv6 addresses from the defined subnet as
   * originating from the same IP. Applies to RemoteAddrStrategy and DepthStrategy.
   */
  ipv6Subnet?: number;
}

/**
 * PassTLSClientCert holds the pass TLS client cert middleware configuration.
 * This middleware adds the selected data from the passed client TLS certificate to a header.
 * More info: https://doc.traefik.io/traefik/v3.7/middlewares/http/passtlsclientcert/
 */
export interface MiddlewareSpecPassTLSClientCert {
  /**
   * Info selects the specific client certificate details you want to add to the
   * X-Forwarded-Tls-Client-Cert-Info header.
   */
  info?: MiddlewareSpecPassTLSClientCertInfo;
  /** PEM sets the X-Forwarded-Tls-Client-Cert header with the certificate. */
  pem?: boolean;
}

/**
 * Info selects the specific client certificate details you want to add to the
 * X-Forwarded-Tls-Client-Cert-Info header.
 */
export interface MiddlewareSpecPassTLSClientCertInfo {
  /**
   * Issuer defines the client certificate issuer details to add to the
   * X-Forwarded-Tls-Client-Cert-Info header.
   */
  issuer?: MiddlewareSpecPassTLSClientCertInfoIssuer;
  /** NotAfter defines whether to add the Not After information from the Validity part. */
  notAfter?: boolean;
  /** NotBefore defines whether to add the Not Before information from the Validity part. */
  notBefore?: boolean;
  /**
   * Sans defines whether to add the Subject Alternative Name information from the Subject
   * Alternative Name part.
   */
  sans?: boolean;
  /** SerialNumber defines whether to add the client serialNumber information. */
  serialNumber?: boolean;
  /**
   * Subject defines the client certificate subject details to add to the
   * X-Forwarded-Tls-Client-Cert-Info header.
   */
  subject?: MiddlewareSpecPassTLSClientCertInfoSubject;
}

/**
 * Issuer defines the client certificate issuer details to add to the
 * X-Forwarded-Tls-Client-Cert-Info header.
 */
export interface MiddlewareSpecPassTLSClientCertInfoIssuer {
  /** CommonName defines whether to add the organizationalUnit information into the issuer. */
  commonName?: boolean;
  /** Country defines whether to add the country information into the issuer. */
  country?: boolean;
  /** DomainComponent defines whether to add the domainComponent information into the issuer. */
  domainComponent?: boolean;
  /** Locality defines whether to add the locality information into the issuer. */
  locality?: boolean;
  /** Organization defines whether to add the organization information into the issuer. */
  organization?: boolean;
  /** Province defines whether to add the province information into the issuer. */
  province?: boolean;
  /** SerialNumber defines whether to add the serialNumber information into the issuer. */
  serialNumber?: boolean;
}

/**
 * Subject defines the client certificate subject details to add to the
 * X-Forwarded-Tls-Client-Cert-Info header.
 */
export interface MiddlewareSpecPassTLSClientCertInfoSubject {
  /** CommonName defines whether to add the organizationalUnit information into the subject. */
  commonName?: boolean;
  /** Country defines whether to add the country information into the subject. */
  country?: boolean;
  /** DomainComponent defines whether to add the domainComponent information into the subject. */
  domainComponent?: boolean;
  /** Locality defines whether to add the locality information into the subject. */
  locality?: boolean;
  /** Organization defines whether to add the organization information into the subject. */
  organization?: boolean;
  /**
   * OrganizationalUnit defines whether to add the organizationalUnit information into the subject.
   */
  organizationalUnit?: boolean;
  /** Province defines whether to add the province information into the subject. */
  province?: boolean;
  /** SerialNumber defines whether to add the serialNumber information into the subject. */
  serialNumber?: boolean;
}

/**
 * RateLimit holds the rate limit configuration.
 * This middleware ensures that services will receive a fair amount of requests, and allows one to
 * define what fair is.
 * More info:
 * https://doc.traefik.io/traefik/v3.7/reference/routing-configuration/http/middlewares/ratelimit/
 */
export interface MiddlewareSpecRateLimit {
  /**
   * Average is the maximum rate, by default in requests/s, allowed for the given source.
   * It defaults to 0, which means no rate limiting.
   * The rate is actually defined by dividing Average by Period. So for a rate below 1req/s,
   * one needs to define a Period larger than a second.
   *
   * Format: `int64`.
   */
  average?: number;
  /**
   * Burst is the maximum number of requests allowed to arrive in the same arbitrarily small period
   * of time.
   * It defaults to 1.
   *
   * Format: `int64`.
   */
  burst?: number;
  /**
   * Period, in combination with Average, defines the actual maximum rate, such as:
   * r = Average / Period. It defaults to a second.
   *
   * An integer or a string.
   */
  period?: string | number;
  /** Redis hold the configs of Redis as bucket in rate limiter. */
  redis?: MiddlewareSpecRateLimitRedis;
  /**
   * SourceCriterion defines what criterion is used to group requests as originating from a common
   * source.
   * If several strategies are defined at the same time, an error will be raised.
   * If none are set, the default is to use the request's remote address field (as an ipStrategy).
   */
  sourceCriterion?: MiddlewareSpecRateLimitSourceCriterion;
}

/** Redis hold the configs of Redis as bucket in rate limiter. */
export interface MiddlewareSpecRateLimitRedis {
  /** DB defines the Redis database that will be selected after connecting to the server. */
  db?: number;
  /**
   * DialTimeout sets the timeout for establishing new connections.
   * Default value is 5 seconds.
   *
   * An integer or a string.
   */
  dialTimeout?: string | number;
  /**
   * Endpoints contains either a single address or a seed list of host:port addresses.
   * Default value is ["localhost:6379"].
   */
  endpoints?: string[];
  /**
   * MaxActiveConns defines the maximum number of connections allocated by the pool at a given time.
   * Default value is 0, meaning there is no limit.
   */
  maxActiveConns?: number;
  /**
   * MinIdleConns defines the minimum number of idle connections.
   * Default value is 0, and idle connections are not closed by default.
   */
  minIdleConns?: number;
  /**
   * PoolSize defines the initial number of socket connections.
   * If the pool runs out of available connections, additional ones will be created beyond PoolSize.
   * This can be limited using MaxActiveConns.
   * // Default value is 0, meaning 10 connections per every available CPU as reported by
   * runtime.GOMAXPROCS.
   */
  poolSize?: number;
  /**
   * ReadTimeout defines the timeout for socket read operations.
   * Default value is 3 seconds.
   *
   * An integer or a string.
   */
  readTimeout?: string | number;
  /** Secret defines the name of the referenced Kubernetes Secret containing Redis credentials. */
  secret?: string;
  /**
   * TLS defines TLS-specific configurations, including the CA, certificate, and key,
   * which can be provided as a file path or file content.
   */
  tls?: MiddlewareSpecRateLimitRedisTls;
  /**
   * WriteTimeout defines the timeout for socket write operations.
   * Default value is 3 seconds.
   *
   * An integer or a string.
   */
  writeTimeout?: string | number;
}

/**
 * TLS defines TLS-specific configurations, including the CA, certificate, and key,
 * which can be provided as a file path or file content.
 */
export interface MiddlewareSpecRateLimitRedisTls {
  /**
   * CASecret is the name of the referenced Kubernetes Secret containing the CA to validate the
   * server certificate.
   * The CA certificate is extracted from key `tls.ca` or `ca.crt`.
   */
  caSecret?: string;
  /**
   * CertSecret is the name of the referenced Kubernetes Secret containing the client certificate.
   * The client certificate is extracted from the keys `tls.crt` and `tls.key`.
   */
  certSecret?: string;
  /** InsecureSkipVerify defines whether the server certificates should be validated. */
  insecureSkipVerify?: boolean;
}

/**
 * SourceCriterion defines what criterion is used to group requests as originating from a common
 * source.
 * If several strategies are defined at the same time, an error will be raised.
 * If none are set, the default is to use the request's remote address field (as an ipStrategy).
 */
export interface MiddlewareSpecRateLimitSourceCriterion {
  /**
   * IPStrategy holds the IP strategy configuration used by Traefik to determine the client IP.
   * More info: https://doc.traefik.io/traefik/v3.7/middlewares/http/ipallowlist/#ipstrategy
   */
  ipStrategy?: MiddlewareSpecRateLimitSourceCriterionIpStrategy;
  /** RequestHeaderName defines the name of the header used to group incoming requests. */
  requestHeaderName?: string;
  /** RequestHost defines whether to consider the request Host as the source. */
  requestHost?: boolean;
}

/**
 * IPStrategy holds the IP strategy configuration used by Traefik to determine the client IP.
 * More info: https://doc.traefik.io/traefik/v3.7/middlewares/http/ipallowlist/#ipstrategy
 */
export interface MiddlewareSpecRateLimitSourceCriterionIpStrategy {
  /**
   * Depth tells Traefik to use the X-Forwarded-For header and take the IP located at the depth
   * position (starting from the right).
   */
  depth?: number;
  /**
   * ExcludedIPs configures Traefik to scan the X-Forwarded-For header and select the first IP not
   * in the list.
   */
  excludedIPs?: string[];
  /**
   * IPv6Subnet configures Traefik to consider all IPv6 addresses from the defined subnet as
   * originating from the same IP. Applies to RemoteAddrStrategy and DepthStrategy.
   */
  ipv6Subnet?: number;
}

/**
 * RedirectRegex holds the redirect regex middleware configuration.
 * This middleware redirects a request using regex matching and replacement.
 * More info: https://doc.traefik.io/traefik/v3.7/middlewares/http/redirectregex/#regex
 */
export interface MiddlewareSpecRedirectRegex {
  /** Permanent defines whether the redirection is permanent (308). */
  permanent?: boolean;
  /** Regex defines the regex used to match and capture elements from the request URL. */
  regex?: string;
  /** Replacement defines how to modify the URL to have the new target URL. */
  replacement?: string;
}

/**
 * RedirectScheme holds the redirect scheme middleware configuration.
 * This middleware redirects requests from a scheme/port to another.
 * More info: https://doc.traefik.io/traefik/v3.7/middlewares/http/redirectscheme/
 */
export interface MiddlewareSpecRedirectScheme {
  /**
   * Permanent defines whether the redirection is permanent.
   * For HTTP GET requests a 301 is returned, otherwise a 308 is returned.
   */
  permanent?: boolean;
  /** Port defines the port of the new URL. */
  port?: string;
  /** Scheme defines the scheme of the new URL. */
  scheme?: string;
}

/**
 * ReplacePath holds the replace path middleware configuration.
 * This middleware replaces the path of the request URL and store the original path in an
 * X-Replaced-Path header.
 * More info: https://doc.traefik.io/traefik/v3.7/middlewares/http/replacepath/
 */
export interface MiddlewareSpecReplacePath {
  /** Path defines the path to use as replacement in the request URL. */
  path?: string;
}

/**
 * ReplacePathRegex holds the replace path regex middleware configuration.
 * This middleware replaces the path of a URL using regex matching and replacement.
 * More info: https://doc.traefik.io/traefik/v3.7/middlewares/http/replacepathregex/
 */
export interface MiddlewareSpecReplacePathRegex {
  /**
   * Regex defines the regular expression used to match and capture the path from the request URL.
   */
  regex?: string;
  /** Replacement defines the replacement path format, which can include captured variables. */
  replacement?: string;
}

/**
 * Retry holds the retry middleware configuration.
 * This middleware reissues requests a given number of times to a backend server if that server does
 * not reply.
 * As soon as the server answers, the middleware stops retrying, regardless of the response status.
 * More info:
 * https://doc.traefik.io/traefik/v3.7/reference/routing-configuration/http/middlewares/retry/
 */
export interface MiddlewareSpecRetry {
  /** Attempts defines how many times the request should be retried. */
  attempts?: number;
  /**
   * DisableRetryOnNetworkError defines whether to disable the retry if an error occurs when
   * transmitting the request to the server.
   */
  disableRetryOnNetworkError?: boolean;
  /**
   * InitialInterval defines the first wait time in the exponential backoff series.
   * The maximum interval is calculated as twice the initialInterval.
   * If unspecified, requests will be retried immediately.
   * The value of initialInterval should be provided in seconds or as a valid duration format,
   * see https://pkg.go.dev/time#ParseDuration.
   *
   * An integer or a string.
   */
  initialInterval?: string | number;
  /**
   * MaxRequestBodyBytes defines the maximum size for the request body.
   * Default is `-1`, which means no limit.
   *
   * Format: `int64`.
   */
  maxRequestBodyBytes?: number;
  /** RetryNonIdempotentMethod activates the retry for non-idempotent methods (POST, LOCK, PATCH) */
  retryNonIdempotentMethod?: boolean;
  /** Status defines the range of HTTP status codes to retry on. */
  status?: string[];
  /**
   * Timeout defines how much time the middleware is allowed to retry the request.
   * The value of timeout should be provided in seconds or as a valid duration format,
   * see https://pkg.go.dev/time#ParseDuration.
   *
   * An integer or a string.
   */
  timeout?: string | number;
}

/**
 * StripPrefix holds the strip prefix middleware configuration.
 * This middleware removes the specified prefixes from the URL path.
 * More info: https://doc.traefik.io/traefik/v3.7/middlewares/http/stripprefix/
 */
export interface MiddlewareSpecStripPrefix {
  /**
   * Deprecated: ForceSlash option is deprecated, please remove any usage of this option.
   * ForceSlash ensures that the resulting stripped path is not the empty string, by replacing it
   * with / when necessary.
   * Default: true.
   */
  forceSlash?: boolean;
  /** Prefixes defines the prefixes to strip from the request URL. */
  prefixes?: string[];
}

/**
 * StripPrefixRegex holds the strip prefix regex middleware configuration.
 * This middleware removes the matching prefixes from the URL path.
 * More info: https://doc.traefik.io/traefik/v3.7/middlewares/http/stripprefixregex/
 */
export interface MiddlewareSpecStripPrefixRegex {
  /** Regex defines the regular expression to match the path prefix from the request URL. */
  regex?: string[];
}
