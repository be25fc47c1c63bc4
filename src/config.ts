// Operator configuration: a YAML file (mounted from a ConfigMap) validated at start, so a typo
// stops the operator with the path of the bad field instead of misconfiguring every tenant.
import { readFileSync } from 'node:fs';
import { load } from 'js-yaml';
import type { TenantSpecPlan, TenantSpecRegion } from './api/generated/index.js';

/** What the operator needs to know about one region it serves (P8: each region has its own). */
export interface RegionConfig {
  /** Node labels a tenant's pods must match; default `topology.kubernetes.io/region: <region>`. */
  nodeSelector: Record<string, string>;
  /** StorageClass for the tenant's volumes; must be encrypted (checked before each PVC). */
  storageClassName: string;
  /** KMS key (id, ARN or alias) for backups of tenants in this region. */
  kmsKeyId: string;
  /** S3 bucket of this region for backups. */
  backupBucket: string;
}

/** Resource budget of a plan: the namespace's ResourceQuota and LimitRange defaults. */
export interface PlanConfig {
  /** ResourceQuota `spec.hard`, e.g. `requests.cpu: "2"`. */
  quota: Record<string, string>;
  /** LimitRange container defaults. */
  defaultRequest: Record<string, string>;
  defaultLimit: Record<string, string>;
  /** Default volume sizes when the Tenant does not set them. */
  databaseStorage: string;
  filesStorage: string;
  /** Requests and limits of the database container (the LimitRange defaults are sized for the app). */
  databaseResources: { requests: Record<string, string>; limits: Record<string, string> };
}

/** A destination outside the cluster the app may reach (e.g. SMTP/IMAP): default deny otherwise. */
export interface EgressRule {
  description: string;
  cidr: string;
  ports: { port: number; protocol: 'TCP' | 'UDP' }[];
}

/** Which ingress implementation serves tenants, and how its pods are found for NetworkPolicy. */
export interface IngressConfig {
  provider: 'nginx' | 'traefik' | 'gateway';
  /** IngressClass name (nginx, traefik). */
  className: string;
  /** Namespace of the ingress controller pods, the only allowed source of traffic to the app. */
  controllerNamespace: string;
  /** Labels of the ingress controller pods. */
  controllerPodLabels: Record<string, string>;
  /** Gateway the HTTPRoutes attach to (provider gateway). */
  gateway: {
    name: string;
    namespace: string;
    httpsSectionName: string;
    httpSectionName: string;
    /**
     * Where a tenant's HTTPS listener (and so its certificate) lives. `ListenerSet`: a ListenerSet in the
     * tenant namespace attached to the shared Gateway (the Gateway must allow it in
     * `spec.allowedListeners`). `Gateway`: the routes attach to the Gateway's own HTTPS listener
     * (`httpsSectionName`), which must hold a certificate for the host (a wildcard for `baseDomain`,
     * or a listener per host, granted read access to the tenant's Secret by a ReferenceGrant).
     */
    tlsListener: 'ListenerSet' | 'Gateway';
    /** Port of the tenant's ListenerSet HTTPS listener (the Gateway's HTTPS port). */
    httpsPort: number;
  };
  /** HSTS max-age; the promise (P4) needs at least one year. */
  hstsMaxAgeSeconds: number;
  /**
   * nginx only: set the HSTS header per Ingress through the `custom-headers` annotation. The
   * controller must list `Strict-Transport-Security` in `global-allowed-response-headers`, or it
   * answers 503 on the tenant's host; set false to rely on the controller-wide `hsts*` keys alone.
   */
  nginxHstsViaCustomHeaders: boolean;
}

/** How the app's pods run: the image's needs the operator cannot guess. */
export interface AppPodConfig {
  /** Numeric user and group the app runs as (Pod Security "restricted" needs a non-root user). */
  runAsUser: number;
  runAsGroup: number;
  /** HTTP path of the app's readiness and liveness probes. */
  healthPath: string;
  /** Where the files volume is mounted in the app container. */
  filesPath: string;
  /** Run with a read-only root filesystem (an emptyDir is mounted at /tmp). */
  readOnlyRootFilesystem: boolean;
}

/** Container images per component; a Tenant may override the app image. */
export interface ImageConfig {
  app: string;
  postgres: string;
  mariadb: string;
  /** The tenantry image itself, run by backup CronJobs. */
  agent: string;
}

/** The whole operator configuration. */
export interface OperatorConfig {
  /** Regions this operator serves; a Tenant of any other region is refused with a condition. */
  regions: Partial<Record<TenantSpecRegion, RegionConfig>>;
  /** Hosts default to `<tenant>.<baseDomain>` when a Tenant sets no host. */
  baseDomain: string;
  ingress: IngressConfig;
  /** cert-manager issuer of tenant certificates. */
  tls: { issuerKind: 'ClusterIssuer' | 'Issuer'; issuerName: string };
  /** Where cluster DNS runs, the only DNS egress allowed. */
  dns: { namespace: string; podLabels: Record<string, string> };
  egress: EgressRule[];
  plans: Record<TenantSpecPlan, PlanConfig>;
  images: ImageConfig;
  /** Port the app container listens on. */
  appPort: number;
  /** How the app's pods run. */
  app: AppPodConfig;
  /** Pod Security Standards version enforced on tenant namespaces. */
  podSecurityVersion: string;
  /** Reconcile workers. */
  concurrency: number;
}

const REGIONS: readonly TenantSpecRegion[] = [
  'us-east-1',
  'eu-west-2',
  'eu-west-1',
  'eu-central-1',
  'ap-southeast-2',
  'ap-southeast-1',
  'ap-northeast-1',
  'ap-south-1',
];

const DEFAULT_PLAN: PlanConfig = {
  quota: { 'requests.cpu': '2', 'requests.memory': '4Gi', 'limits.memory': '8Gi', persistentvolumeclaims: '4', 'requests.storage': '100Gi', pods: '20' },
  defaultRequest: { cpu: '100m', memory: '128Mi' },
  defaultLimit: { memory: '512Mi' },
  databaseStorage: '10Gi',
  filesStorage: '10Gi',
  databaseResources: { requests: { cpu: '250m', memory: '256Mi' }, limits: { memory: '1Gi' } },
};

/** Returns the built-in defaults: no regions (a deployment must name the ones it serves). */
export function defaultConfig(): OperatorConfig {
  return {
    regions: {},
    baseDomain: 'tenants.example.com',
    ingress: {
      provider: 'nginx',
      className: 'nginx',
      controllerNamespace: 'ingress-nginx',
      controllerPodLabels: { 'app.kubernetes.io/name': 'ingress-nginx' },
      gateway: { name: 'tenants', namespace: 'gateway', httpsSectionName: 'https', httpSectionName: 'http', tlsListener: 'ListenerSet', httpsPort: 443 },
      hstsMaxAgeSeconds: 31_536_000,
      nginxHstsViaCustomHeaders: true,
    },
    tls: { issuerKind: 'ClusterIssuer', issuerName: 'letsencrypt' },
    dns: { namespace: 'kube-system', podLabels: { 'k8s-app': 'kube-dns' } },
    egress: [],
    plans: {
      trial: { ...DEFAULT_PLAN, quota: { ...DEFAULT_PLAN.quota, 'requests.cpu': '1', 'requests.memory': '2Gi', 'limits.memory': '4Gi', 'requests.storage': '20Gi' } },
      free: { ...DEFAULT_PLAN, quota: { ...DEFAULT_PLAN.quota, 'requests.cpu': '500m', 'requests.memory': '1Gi', 'limits.memory': '2Gi', 'requests.storage': '10Gi' }, databaseStorage: '2Gi', filesStorage: '2Gi' },
      paid: DEFAULT_PLAN,
    },
    images: {
      app: 'ghcr.io/example/saas-app:1.0.0',
      postgres: 'docker.io/library/postgres:16',
      mariadb: 'docker.io/library/mariadb:11.4',
      agent: 'ghcr.io/example/tenantry:0.1.0',
    },
    appPort: 8080,
    app: { runAsUser: 10001, runAsGroup: 10001, healthPath: '/healthz', filesPath: '/var/lib/app/files', readOnlyRootFilesystem: true },
    podSecurityVersion: 'v1.35',
    concurrency: 8,
  };
}

/** A configuration problem, with the dotted path of the offending field. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid operator configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const QUANTITY = /^([0-9]+([.][0-9]*)?|[.][0-9]+)([KMGTPE]i|[kmMGTPE])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const CIDR = /^(\d{1,3}\.){3}\d{1,3}\/\d{1,2}$|^[0-9a-fA-F:]+\/\d{1,3}$/;

/** Deep-merges `over` into `base` (objects merge, everything else replaces). */
function merge(base: unknown, over: unknown): unknown {
  if (!isObj(base) || !isObj(over)) return over === undefined ? base : over;
  const out: Obj = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = merge(base[k], v);
  return out;
}

/** Checks a string map (labels, quotas). */
function stringMap(v: unknown, path: string, problems: string[], valueRule?: [RegExp, string]): void {
  if (!isObj(v)) return void problems.push(`${path} must be a map of strings`);
  for (const [k, val] of Object.entries(v)) {
    if (typeof val !== 'string') problems.push(`${path}.${k} must be a string`);
    else if (valueRule && !valueRule[0].test(val)) problems.push(`${path}.${k} must be ${valueRule[1]} (got "${val}")`);
  }
}

/** Validates a merged configuration object; returns every problem found, each naming its field. */
export function validateConfig(raw: unknown): string[] {
  const problems: string[] = [];
  if (!isObj(raw)) return ['the configuration must be a YAML mapping'];
  const known = new Set(Object.keys(defaultConfig()));
  for (const k of Object.keys(raw)) if (!known.has(k)) problems.push(`${k}: unknown field (known: ${[...known].join(', ')})`);
  const c = raw as unknown as OperatorConfig;
  if (!isObj(c.regions)) problems.push('regions must be a map from region code to its settings');
  else {
    if (Object.keys(c.regions).length === 0) problems.push('regions must name at least one region this operator serves');
    for (const [name, r] of Object.entries(c.regions as Obj)) {
      const p = `regions.${name}`;
      if (!REGIONS.includes(name as TenantSpecRegion)) problems.push(`${p}: unknown region (known: ${REGIONS.join(', ')})`);
      if (!isObj(r)) {
        problems.push(`${p} must be a mapping`);
        continue;
      }
      for (const f of ['storageClassName', 'kmsKeyId', 'backupBucket'] as const) {
        if (typeof r[f] !== 'string' || r[f] === '') problems.push(`${p}.${f} is required`);
      }
      if (typeof r.storageClassName === 'string' && r.storageClassName && !DNS_SUBDOMAIN.test(r.storageClassName)) problems.push(`${p}.storageClassName must be a DNS subdomain`);
      if (r.nodeSelector !== undefined) stringMap(r.nodeSelector, `${p}.nodeSelector`, problems);
    }
  }
  if (typeof c.baseDomain !== 'string' || !DNS_SUBDOMAIN.test(c.baseDomain)) problems.push('baseDomain must be a lowercase DNS name');
  const ing = c.ingress as unknown;
  if (!isObj(ing)) problems.push('ingress must be a mapping');
  else {
    if (!['nginx', 'traefik', 'gateway'].includes(ing.provider as string)) problems.push(`ingress.provider must be one of nginx, traefik, gateway (got "${String(ing.provider)}")`);
    if (typeof ing.hstsMaxAgeSeconds !== 'number' || ing.hstsMaxAgeSeconds < 31_536_000) problems.push('ingress.hstsMaxAgeSeconds must be at least 31536000 (one year): the HSTS promise needs it');
    if (typeof ing.controllerNamespace !== 'string' || !ing.controllerNamespace) problems.push('ingress.controllerNamespace is required');
    stringMap(ing.controllerPodLabels, 'ingress.controllerPodLabels', problems);
    if (typeof ing.nginxHstsViaCustomHeaders !== 'boolean') problems.push('ingress.nginxHstsViaCustomHeaders must be true or false');
    const gw = ing.gateway;
    if (!isObj(gw)) problems.push('ingress.gateway must be a mapping');
    else {
      for (const f of ['name', 'namespace', 'httpsSectionName', 'httpSectionName']) if (typeof gw[f] !== 'string' || !gw[f]) problems.push(`ingress.gateway.${f} is required`);
      if (!['ListenerSet', 'Gateway'].includes(gw.tlsListener as string)) problems.push(`ingress.gateway.tlsListener must be ListenerSet or Gateway (got "${String(gw.tlsListener)}")`);
      if (!Number.isInteger(gw.httpsPort) || (gw.httpsPort as number) < 1 || (gw.httpsPort as number) > 65535) problems.push('ingress.gateway.httpsPort must be 1..65535');
    }
  }
  if (!isObj(c.tls) || !['ClusterIssuer', 'Issuer'].includes(c.tls.issuerKind) || !c.tls.issuerName) problems.push('tls needs issuerKind (ClusterIssuer or Issuer) and issuerName');
  if (!isObj(c.dns)) problems.push('dns must be a mapping');
  else stringMap(c.dns.podLabels, 'dns.podLabels', problems);
  if (!Array.isArray(c.egress)) problems.push('egress must be a list');
  else
    c.egress.forEach((e: unknown, i) => {
      const p = `egress[${i}]`;
      if (!isObj(e)) return void problems.push(`${p} must be a mapping`);
      if (typeof e.cidr !== 'string' || !CIDR.test(e.cidr)) problems.push(`${p}.cidr must be a CIDR such as 192.0.2.0/24`);
      if (!Array.isArray(e.ports) || e.ports.length === 0) problems.push(`${p}.ports must list at least one port`);
      else
        e.ports.forEach((port: unknown, j) => {
          if (!isObj(port) || typeof port.port !== 'number' || port.port < 1 || port.port > 65535) problems.push(`${p}.ports[${j}].port must be 1..65535`);
          else if (!['TCP', 'UDP'].includes(port.protocol as string)) problems.push(`${p}.ports[${j}].protocol must be TCP or UDP`);
        });
    });
  if (!isObj(c.plans)) problems.push('plans must be a mapping');
  else
    for (const plan of ['trial', 'free', 'paid'] as const) {
      const p = (c.plans as Obj)[plan];
      if (!isObj(p)) {
        problems.push(`plans.${plan} is required`);
        continue;
      }
      const quantity: [RegExp, string] = [QUANTITY, 'a Kubernetes quantity such as 500m or 2Gi'];
      stringMap(p.quota, `plans.${plan}.quota`, problems, quantity);
      stringMap(p.defaultRequest, `plans.${plan}.defaultRequest`, problems, quantity);
      stringMap(p.defaultLimit, `plans.${plan}.defaultLimit`, problems, quantity);
      for (const f of ['databaseStorage', 'filesStorage']) if (typeof p[f] !== 'string' || !QUANTITY.test(p[f])) problems.push(`plans.${plan}.${f} must be a quantity such as 10Gi`);
      if (!isObj(p.databaseResources)) problems.push(`plans.${plan}.databaseResources must be a mapping with requests and limits`);
      else {
        stringMap(p.databaseResources.requests, `plans.${plan}.databaseResources.requests`, problems, quantity);
        stringMap(p.databaseResources.limits, `plans.${plan}.databaseResources.limits`, problems, quantity);
      }
    }
  if (!isObj(c.images)) problems.push('images must be a mapping');
  else for (const f of ['app', 'postgres', 'mariadb', 'agent']) if (typeof (c.images as Obj)[f] !== 'string' || !(c.images as Obj)[f]) problems.push(`images.${f} is required`);
  if (!Number.isInteger(c.appPort) || c.appPort < 1 || c.appPort > 65535) problems.push('appPort must be 1..65535');
  if (!isObj(c.app)) problems.push('app must be a mapping');
  else {
    const a = c.app as unknown as Obj;
    // Pod Security "restricted" refuses uid 0, and the kubelet cannot check a non-numeric image user.
    for (const f of ['runAsUser', 'runAsGroup']) if (!Number.isInteger(a[f]) || (a[f] as number) < 1) problems.push(`app.${f} must be a positive integer (not root)`);
    for (const f of ['healthPath', 'filesPath']) if (typeof a[f] !== 'string' || !(a[f] as string).startsWith('/')) problems.push(`app.${f} must be an absolute path`);
    if (typeof a.readOnlyRootFilesystem !== 'boolean') problems.push('app.readOnlyRootFilesystem must be true or false');
  }
  if (!Number.isInteger(c.concurrency) || c.concurrency < 1 || c.concurrency > 256) problems.push('concurrency must be 1..256');
  if (typeof c.podSecurityVersion !== 'string' || !/^(latest|v\d+\.\d+)$/.test(c.podSecurityVersion)) problems.push('podSecurityVersion must be "latest" or like v1.35');
  return problems;
}

/** Merges user settings over the defaults, fills derived values and validates; throws {@link ConfigError}. */
export function parseConfig(userSettings: unknown): OperatorConfig {
  if (userSettings !== undefined && userSettings !== null && !isObj(userSettings)) throw new ConfigError(['the configuration must be a YAML mapping']);
  const merged = merge(defaultConfig(), userSettings ?? {}) as OperatorConfig;
  const problems = validateConfig(merged);
  if (problems.length > 0) throw new ConfigError(problems);
  for (const [name, r] of Object.entries(merged.regions)) {
    if (r && !r.nodeSelector) r.nodeSelector = { 'topology.kubernetes.io/region': name };
  }
  return merged;
}

/** Reads and validates a configuration file; throws {@link ConfigError} naming the file. */
export function loadConfigFile(path: string): OperatorConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ConfigError([`cannot read ${path}: ${(e as Error).message}`]);
  }
  let doc: unknown;
  try {
    doc = load(text);
  } catch (e) {
    throw new ConfigError([`${path} is not valid YAML: ${(e as Error).message}`]);
  }
  try {
    return parseConfig(doc);
  } catch (e) {
    if (e instanceof ConfigError) throw new ConfigError(e.problems.map((p) => `${path}: ${p}`));
    throw e;
  }
}
