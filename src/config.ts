// Operator configuration: a YAML file (mounted from a ConfigMap) validated at start, so a typo
// stops the operator with the path of the bad field instead of misconfiguring every tenant.
import { readFileSync } from 'node:fs';
import { load } from 'js-yaml';
import type { TenantSpecPlan, TenantSpecRegion } from './api/generated/index.js';
import { REGIONS } from './api/regions.js';
import { CONFIG_SHAPE, unknownKeys } from './config-keys.js';
import { cidrCovered, cidrWithin, egressExceptions, exceptionsInside, hostCidr, METADATA_CIDRS, parseCidr, type Cidr } from './net/cidr.js';
import { isQuantity } from './resources/quantity.js';
import { DEFAULT_DURATIONS, type LifecycleDurations } from './lifecycle/types.js';

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
  /**
   * S3 bucket of this region (Object Lock enabled) for billing exports, erasure receipts and audit
   * records (P10, P11). Unset: a tenant of this region with spec.lifecycle.billingExport is not erased.
   */
  archiveBucket?: string;
  /** KMS key (id, ARN or alias) the billing exports of this region are encrypted under, never a tenant's own. */
  billingKmsKeyId?: string;
}

/** Retention and erasure (P9-P11): the durations of MISSION.md's rules and how erasure runs. */
export interface LifecycleConfig {
  /** The retention rules' durations in whole 24-hour days; the defaults are the promise. */
  durations: LifecycleDurations;
  /** Do everything but delete, and report in status what would be deleted. */
  dryRun: boolean;
  /** Give every tenant its own KMS key (erasure crypto-shreds its backups); false: the region's shared key. */
  tenantKmsKeys: boolean;
  /** Days the audit records are locked (S3 Object Lock) in the archive bucket; default 7 years. */
  auditRetentionDays: number;
  /** Days the billing exports are locked (COMPLIANCE mode) in the archive bucket; default 7 years (P10). */
  billingRetentionDays: number;
  /** S3 endpoint URL the operator uses for the archive bucket (an S3-compatible store); unset: AWS S3 of the region. */
  s3Endpoint?: string;
  /** KMS endpoint URL the operator uses for tenant keys (a KMS-compatible service); unset: AWS KMS of the region. */
  kmsEndpoint?: string;
}

/** Resource budget of a plan: the namespace's ResourceQuota and LimitRange defaults. */
export interface PlanConfig {
  /** ResourceQuota `spec.hard`, e.g. `requests.cpu: "2"`; `requests.`/`limits.ephemeral-storage` cap the node disk a tenant may fill. */
  quota: Record<string, string>;
  /**
   * LimitRange container defaults. Their `ephemeral-storage` is also set explicitly on the app
   * container, whose disk use must be bounded whether or not the Tenant sets resources.
   */
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
  /** HTTP path of the app's readiness probe (and of its liveness probe when livenessPath is unset). */
  healthPath: string;
  /**
   * HTTP path of the app's liveness probe; unset: healthPath. Point it at an endpoint that checks
   * the process alone, not the database: a restart never cures a slow dependency.
   */
  livenessPath?: string;
  /** Where the files volume is mounted in the app container. */
  filesPath: string;
  /** Run with a read-only root filesystem (an emptyDir is mounted at /tmp). */
  readOnlyRootFilesystem: boolean;
  /**
   * Give apps of two or more replicas a PodDisruptionBudget (at most one pod evicted at a time).
   * All of a tenant's app pods share one node (the files volume is ReadWriteOnce), so a drain of
   * that node then stops after one eviction until a person moves the tenant; false lets drains
   * proceed unattended (cluster autoscalers, managed node upgrades) at the cost of a short outage.
   */
  disruptionBudget: boolean;
}

/** Container images per component; a Tenant may override the app image. */
export interface ImageConfig {
  app: string;
  postgres: string;
  mariadb: string;
  /** The tenantry image itself, run by backup CronJobs. */
  agent: string;
}

/**
 * How tenants are backed up (P5) and restored (P7): the backup CronJob and restore Jobs the
 * operator creates in each tenant namespace, and what BackupHealthy and restore projections use.
 */
export interface BackupConfig {
  /** BackupPolicy used for a Tenant whose spec names none; unset: such a tenant has no backups (and says so in status). */
  defaultPolicy?: string;
  /** KMS endpoint URL for a KMS-compatible service (a local emulator); unset: AWS KMS of the region. */
  kmsEndpoint?: string;
  /**
   * Local development only: accept an http:// kmsEndpoint (a KMS emulator on loopback). KMS answers
   * GenerateDataKey and Decrypt with the plaintext data key, which http:// sends in the clear.
   */
  allowInsecureKmsEndpoint: boolean;
  /**
   * Annotations of each tenant's `backup` ServiceAccount when a policy has no credentialsSecretRef
   * (workload identity). `{tenant}`, `{namespace}` and `{region}` are replaced per tenant, e.g.
   * `eks.amazonaws.com/role-arn: arn:aws:iam::123456789012:role/tenantry-backup-{tenant}`: one IAM
   * role per tenant, trusted only by system:serviceaccount:tenant-<name>:backup and allowed only
   * the tenant's own prefix and KMS encryption context, so one tenant's agent cannot read another's backups.
   */
  serviceAccountAnnotations: Record<string, string>;
  /** Where backup pods may connect on 443 (S3, KMS, STS); a cluster with VPC endpoints lists their CIDRs instead of 0.0.0.0/0. */
  egressCidrs: string[];
  /**
   * Ranges cut out of each of egressCidrs that contains them (default: the private ranges,
   * 100.64.0.0/10 and link-local, so the agent reaches neither cluster-internal services nor the
   * metadata endpoint); the cluster's CIDRs and {@link METADATA_CIDRS} are cut out too.
   */
  egressExcept: string[];
  /** How late a missed backup may still start (CronJob startingDeadlineSeconds). */
  startingDeadlineSeconds: number;
  /** How long one backup attempt may run before it is stopped. */
  backupDeadlineSeconds: number;
  /** How long a restore Job may run: the restore-time objective (8 hours). */
  restoreDeadlineSeconds: number;
  /** Requests and limits of the backup agent container. */
  resources: { requests: Record<string, string>; limits: Record<string, string> };
  /** Where the tenant's files volume is mounted in the agent container (TENANTRY_FILES_DIR). */
  filesMountPath: string;
  /** How long after a scheduled run a backup may be missing before BackupHealthy turns False. */
  staleGraceSeconds: number;
  /** Restore throughput assumed for a fleet-wide restore-time projection, in bytes per second. */
  restoreBytesPerSecond: number;
}

/** The whole operator configuration. */
export interface OperatorConfig {
  /** Regions this operator serves; a Tenant of any other region is refused with a condition. */
  regions: Partial<Record<TenantSpecRegion, RegionConfig>>;
  /** Hosts default to `<tenant>.<baseDomain>` when a Tenant sets no host; a host under it is always allowed. */
  baseDomain: string;
  /**
   * Further DNS domains a Tenant's `spec.host` may be (or be under), besides `baseDomain`. A host
   * anywhere else gets no route and no certificate, so a Tenant cannot claim another team's host.
   */
  allowedDomains: string[];
  ingress: IngressConfig;
  /** cert-manager issuer of tenant certificates. */
  tls: { issuerKind: 'ClusterIssuer' | 'Issuer'; issuerName: string };
  /** Where cluster DNS runs, the only DNS egress allowed. */
  dns: { namespace: string; podLabels: Record<string, string> };
  egress: EgressRule[];
  /**
   * Ranges cut out of every egress[] CIDR that contains them (default: the private ranges,
   * 100.64.0.0/10 and link-local), so a wide rule such as 0.0.0.0/0 does not open the cluster.
   * {@link METADATA_CIDRS} are cut out whatever this says.
   */
  egressExcept: string[];
  /**
   * The cluster's own networks: pod, service and node CIDRs and the API server's addresses. Cut out
   * of every tenant egress rule (app and backup) that contains them; an app rule inside one is refused.
   */
  clusterCidrs: string[];
  /**
   * The cluster's Service ranges (kube-apiserver `--service-cluster-ip-range`), which hold the API
   * server's Service address. An app or backup egress range that contains one must cut it out
   * (through egressExcept, backup.egressExcept or clusterCidrs), and a range inside one is refused.
   */
  serviceCidrs: string[];
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
  /** Backup CronJobs and restore Jobs. */
  backup: BackupConfig;
  /** Retention and erasure. */
  lifecycle: LifecycleConfig;
  /** Release channels (P12); unset: only Tenants that name a channel follow one. */
  release?: ReleaseConfig;
}

/** Release channels (P12). */
export interface ReleaseConfig {
  /** The ReleaseChannel a Tenant without spec.app.channel follows; unset: such a Tenant runs the configured images. */
  defaultChannel?: string;
}

/**
 * What tenant egress leaves out by default: the private ranges, carrier-grade NAT (pods on some
 * clusters), link-local and IPv6 unique-local.
 */
const DEFAULT_EGRESS_EXCEPT: readonly string[] = [
  '10.0.0.0/8',
  '172.16.0.0/12',
  '192.168.0.0/16',
  '100.64.0.0/10',
  '169.254.0.0/16',
  'fc00::/7',
  'fe80::/10',
];

// Ephemeral storage (container filesystem, logs, emptyDir) is on the node's disk, shared by every
// tenant on the node: without a limit one tenant can fill it and get other tenants' pods evicted.
// The quota leaves room for the app at its largest replica count the memory quota allows, the
// database, a backup (2Gi limit) and a restore at once.
const DEFAULT_PLAN: PlanConfig = {
  quota: {
    'requests.cpu': '2',
    'requests.memory': '4Gi',
    'limits.memory': '8Gi',
    'requests.ephemeral-storage': '8Gi',
    'limits.ephemeral-storage': '24Gi',
    persistentvolumeclaims: '4',
    'requests.storage': '100Gi',
    pods: '20',
  },
  defaultRequest: { cpu: '100m', memory: '128Mi', 'ephemeral-storage': '128Mi' },
  defaultLimit: { memory: '512Mi', 'ephemeral-storage': '1Gi' },
  databaseStorage: '10Gi',
  filesStorage: '10Gi',
  // The data is on its volume; the container writes only logs, its socket and /tmp (both emptyDirs, 272Mi at most).
  databaseResources: {
    requests: { cpu: '250m', memory: '256Mi', 'ephemeral-storage': '256Mi' },
    limits: { memory: '1Gi', 'ephemeral-storage': '1Gi' },
  },
};

/** Seven years of 24-hour days, leap days included (5 * 365 + 2 * 366). */
const SEVEN_YEARS_DAYS = 2557;

/** Returns the built-in defaults: no regions (a deployment must name the ones it serves). */
export function defaultConfig(): OperatorConfig {
  return {
    regions: {},
    baseDomain: 'tenants.example.com',
    allowedDomains: [],
    ingress: {
      provider: 'nginx',
      className: 'nginx',
      controllerNamespace: 'ingress-nginx',
      controllerPodLabels: { 'app.kubernetes.io/name': 'ingress-nginx' },
      gateway: {
        name: 'tenants',
        namespace: 'gateway',
        httpsSectionName: 'https',
        httpSectionName: 'http',
        tlsListener: 'ListenerSet',
        httpsPort: 443,
      },
      hstsMaxAgeSeconds: 31_536_000,
      nginxHstsViaCustomHeaders: true,
    },
    tls: { issuerKind: 'ClusterIssuer', issuerName: 'letsencrypt' },
    dns: { namespace: 'kube-system', podLabels: { 'k8s-app': 'kube-dns' } },
    egress: [],
    egressExcept: [...DEFAULT_EGRESS_EXCEPT],
    clusterCidrs: [],
    serviceCidrs: [],
    plans: {
      trial: {
        ...DEFAULT_PLAN,
        quota: {
          ...DEFAULT_PLAN.quota,
          'requests.cpu': '1',
          'requests.memory': '2Gi',
          'limits.memory': '4Gi',
          'requests.ephemeral-storage': '4Gi',
          'limits.ephemeral-storage': '12Gi',
          'requests.storage': '20Gi',
        },
      },
      free: {
        ...DEFAULT_PLAN,
        quota: {
          ...DEFAULT_PLAN.quota,
          'requests.cpu': '500m',
          'requests.memory': '1Gi',
          'limits.memory': '2Gi',
          'requests.ephemeral-storage': '2Gi',
          'limits.ephemeral-storage': '8Gi',
          'requests.storage': '10Gi',
        },
        databaseStorage: '2Gi',
        filesStorage: '2Gi',
      },
      paid: DEFAULT_PLAN,
    },
    images: {
      app: 'ghcr.io/example/saas-app:1.0.0',
      postgres: 'docker.io/library/postgres:16',
      mariadb: 'docker.io/library/mariadb:11.4',
      agent: 'ghcr.io/example/tenantry:0.1.0',
    },
    appPort: 8080,
    app: {
      runAsUser: 10001,
      runAsGroup: 10001,
      healthPath: '/healthz',
      filesPath: '/var/lib/app/files',
      readOnlyRootFilesystem: true,
      disruptionBudget: true,
    },
    podSecurityVersion: 'v1.35',
    concurrency: 8,
    backup: {
      allowInsecureKmsEndpoint: false,
      serviceAccountAnnotations: {},
      egressCidrs: ['0.0.0.0/0'],
      egressExcept: [...DEFAULT_EGRESS_EXCEPT],
      startingDeadlineSeconds: 3600,
      backupDeadlineSeconds: 6 * 3600,
      restoreDeadlineSeconds: 8 * 3600,
      // The agent streams to S3; its disk is its 1Gi /tmp and its logs.
      resources: {
        requests: { cpu: '250m', memory: '128Mi', 'ephemeral-storage': '256Mi' },
        limits: { memory: '256Mi', 'ephemeral-storage': '2Gi' },
      },
      filesMountPath: '/var/lib/tenantry/files',
      staleGraceSeconds: 7200,
      restoreBytesPerSecond: 100e6,
    },
    lifecycle: {
      durations: { ...DEFAULT_DURATIONS },
      dryRun: false,
      tenantKmsKeys: true,
      auditRetentionDays: SEVEN_YEARS_DAYS,
      billingRetentionDays: SEVEN_YEARS_DAYS,
    },
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
/** A quantity the configuration takes: the API server's grammar (src/resources/quantity.ts), and not negative. */
const isConfigQuantity = (v: string): boolean => isQuantity(v) && !v.startsWith('-');
const S3_BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Same shape as the BackupPolicy CRD's endpoint rule: http(s), a host or bracketed IPv6 address, an optional port, no credentials. */
const ENDPOINT_URL = /^https?:\/\/([A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(:[0-9]{1,5})?(\/[^ \t]*)?$/;
/** An annotation key: an optional DNS-subdomain prefix and a name of at most 63 characters. */
const ANNOTATION_KEY =
  /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
/** Placeholders replaced per tenant in backup.serviceAccountAnnotations. */
export const ANNOTATION_PLACEHOLDERS = ['{tenant}', '{namespace}', '{region}'] as const;

/** Checks a list of CIDRs, each problem naming its index. */
function cidrList(list: unknown, path: string, problems: string[]): void {
  if (!Array.isArray(list)) return void problems.push(`${path} must be a list of CIDRs`);
  list.forEach((cidr: unknown, i) => {
    const parsed = typeof cidr === 'string' ? parseCidr(cidr) : 'must be a CIDR such as 192.0.2.0/24';
    if (typeof parsed === 'string') problems.push(`${path}[${i}] ${parsed}${typeof cidr === 'string' ? ` (got "${cidr}")` : ''}`);
  });
}

/** Deep-merges `over` into `base` (objects merge, everything else replaces). */
function merge(base: unknown, over: unknown): unknown {
  if (!isObj(base) || !isObj(over)) return over === undefined ? base : over;
  const out: Obj = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = merge(base[k], v);
  return out;
}

/** Checks a string map (labels, quotas). */
function stringMap(v: unknown, path: string, problems: string[], valueRule?: [(value: string) => boolean, string]): void {
  if (!isObj(v)) return void problems.push(`${path} must be a map of strings`);
  for (const [k, val] of Object.entries(v)) {
    if (typeof val !== 'string') problems.push(`${path}.${k} must be a string`);
    else if (valueRule && !valueRule[0](val)) problems.push(`${path}.${k} must be ${valueRule[1]} (got "${val}")`);
  }
}

/** A check of one part of a mapping; it pushes every problem it finds. */
type Check = (obj: Obj, problems: string[]) => void;

/** Returns a check that reports `problem` (or the text it makes of the value) when `ok` refuses the value of `key`. */
function field(key: string, ok: (value: unknown) => boolean, problem: string | ((value: unknown) => string)): Check {
  return (obj, problems) => {
    if (!ok(obj[key])) problems.push(typeof problem === 'string' ? problem : problem(obj[key]));
  };
}

/** Returns a check that hands the value of `key` to a section's validator. */
function section(key: string, validate: (value: unknown, problems: string[]) => void): Check {
  return (obj, problems) => validate(obj[key], problems);
}

/** Returns a check that reports `notMapping` when the value of `key` is not a mapping, and otherwise runs `checks` on it. */
function mapping(key: string, notMapping: string, checks: readonly Check[]): Check {
  return (obj, problems) => {
    const value = obj[key];
    if (!isObj(value)) problems.push(notMapping);
    else runChecks(value, checks, problems);
  };
}

/** Runs checks in order, so problems are reported in the order of the table. */
function runChecks(obj: Obj, checks: readonly Check[], problems: string[]): void {
  for (const check of checks) check(obj, problems);
}

const isBool = (v: unknown): boolean => typeof v === 'boolean';
const isNonEmptyString = (v: unknown): boolean => typeof v === 'string' && v !== '';
const isAbsolutePath = (v: unknown): boolean => typeof v === 'string' && v.startsWith('/');
const isIntInRange =
  (min: number, max = Infinity) =>
  (v: unknown): boolean =>
    Number.isInteger(v) && (v as number) >= min && (v as number) <= max;
const isPort = isIntInRange(1, 65535);
const oneOf =
  (values: readonly string[]) =>
  (v: unknown): boolean =>
    values.includes(v as string);

/** Returns one check per key: a string map of quantities at `path.key`, a bad value explained by `example`. */
function quantityMaps(path: string, keys: readonly string[], example: string): Check[] {
  const rule: [(value: string) => boolean, string] = [isConfigQuantity, `a Kubernetes quantity such as ${example}`];
  return keys.map((k) => (obj: Obj, problems: string[]) => stringMap(obj[k], `${path}.${k}`, problems, rule));
}

/** Checks the regions section: at least one known region, each with its storage class, KMS key and bucket. */
function validateRegions(regions: unknown, problems: string[]): void {
  if (!isObj(regions)) return void problems.push('regions must be a map from region code to its settings');
  if (Object.keys(regions).length === 0) problems.push('regions must name at least one region this operator serves');
  for (const [name, r] of Object.entries(regions)) validateRegion(name, r, problems);
}

/** Checks the settings of one region. */
function validateRegion(name: string, r: unknown, problems: string[]): void {
  const p = `regions.${name}`;
  if (!(REGIONS as readonly string[]).includes(name)) problems.push(`${p}: unknown region (known: ${REGIONS.join(', ')})`);
  if (!isObj(r)) return void problems.push(`${p} must be a mapping`);
  for (const f of ['storageClassName', 'kmsKeyId', 'backupBucket'] as const) {
    if (!isNonEmptyString(r[f])) problems.push(`${p}.${f} is required`);
  }
  if (typeof r.storageClassName === 'string' && r.storageClassName && !DNS_SUBDOMAIN.test(r.storageClassName))
    problems.push(`${p}.storageClassName must be a DNS subdomain`);
  if (r.nodeSelector !== undefined) stringMap(r.nodeSelector, `${p}.nodeSelector`, problems);
  if (r.archiveBucket !== undefined && (typeof r.archiveBucket !== 'string' || !S3_BUCKET.test(r.archiveBucket)))
    problems.push(`${p}.archiveBucket must be an S3 bucket name (3-63 lowercase letters, digits, dots and hyphens)`);
  if (r.billingKmsKeyId !== undefined && !isNonEmptyString(r.billingKmsKeyId))
    problems.push(`${p}.billingKmsKeyId must be a KMS key id, ARN or alias (or be left out)`);
}

/** Checks allowedDomains: a list of DNS names of at least two labels. */
function validateAllowedDomains(domains: unknown, problems: string[]): void {
  if (!Array.isArray(domains)) return void problems.push('allowedDomains must be a list of DNS names, e.g. [acme-corp.com]');
  domains.forEach((d: unknown, i) => {
    const p = `allowedDomains[${i}]`;
    // Names only: a host matches a domain or a name under it, so "*." or a leading dot adds nothing and hides a typo.
    if (typeof d !== 'string' || d.length > 253 || !DNS_SUBDOMAIN.test(d))
      problems.push(
        `${p} must be a lowercase DNS name such as example.com (no "*." or leading dot; names under it are allowed too) (got ${JSON.stringify(d)})`,
      );
    // A top-level domain would let a Tenant claim any host under it, another team's admin.example.com included.
    else if (!d.includes('.'))
      problems.push(`${p} must have at least two labels, e.g. example.com: "${d}" would allow every host under a top-level domain`);
  });
}

/** Checks of ingress.gateway, the Gateway that HTTPRoutes attach to. */
const GATEWAY_CHECKS: readonly Check[] = [
  ...['name', 'namespace', 'httpsSectionName', 'httpSectionName'].map((f) =>
    field(f, isNonEmptyString, `ingress.gateway.${f} is required`),
  ),
  field(
    'tlsListener',
    oneOf(['ListenerSet', 'Gateway']),
    (v) => `ingress.gateway.tlsListener must be ListenerSet or Gateway (got "${String(v)}")`,
  ),
  field('httpsPort', isPort, 'ingress.gateway.httpsPort must be 1..65535'),
];

/** Checks of the ingress section. */
const INGRESS_CHECKS: readonly Check[] = [
  field(
    'provider',
    oneOf(['nginx', 'traefik', 'gateway']),
    (v) => `ingress.provider must be one of nginx, traefik, gateway (got "${String(v)}")`,
  ),
  // A whole number of seconds: YAML's .nan or 1e400 would otherwise pass a plain comparison.
  field(
    'hstsMaxAgeSeconds',
    (v) => Number.isSafeInteger(v) && (v as number) >= 31_536_000,
    'ingress.hstsMaxAgeSeconds must be at least 31536000 (one year): the HSTS promise needs it',
  ),
  field('controllerNamespace', isNonEmptyString, 'ingress.controllerNamespace is required'),
  (ing, problems) => stringMap(ing.controllerPodLabels, 'ingress.controllerPodLabels', problems),
  field('nginxHstsViaCustomHeaders', isBool, 'ingress.nginxHstsViaCustomHeaders must be true or false'),
  mapping('gateway', 'ingress.gateway must be a mapping', GATEWAY_CHECKS),
];

/** Checks the app's egress rules; clusterCidrs (where it is a list) is what a rule may not lie in. */
function validateEgress(c: Obj, problems: string[]): void {
  if (!Array.isArray(c.egress)) return void problems.push('egress must be a list');
  const clusterCidrs: unknown[] = Array.isArray(c.clusterCidrs) ? c.clusterCidrs : [];
  c.egress.forEach((e: unknown, i) => {
    const p = `egress[${i}]`;
    if (!isObj(e)) return void problems.push(`${p} must be a mapping`);
    egressRuleCidr(e.cidr, p, clusterCidrs, problems);
    egressRulePorts(e.ports, p, problems);
  });
}

/** Checks the CIDR of egress rule `p`: a valid CIDR, outside the metadata ranges and the cluster's networks. */
function egressRuleCidr(text: unknown, p: string, clusterCidrs: unknown[], problems: string[]): void {
  const cidr = typeof text === 'string' ? parseCidr(text) : 'must be a CIDR such as 192.0.2.0/24';
  if (typeof cidr === 'string') return void problems.push(`${p}.cidr ${cidr}${typeof text === 'string' ? ` (got "${text}")` : ''}`);
  const rule = text as string;
  // Nothing can be cut out of a rule that lies inside a forbidden range: refuse the rule.
  for (const m of METADATA_CIDRS)
    if (cidrWithin(cidr, parseCidr(m) as Cidr))
      problems.push(
        `${p}.cidr ${rule} lies in ${m}, where cloud metadata endpoints hand out the node's credentials: no tenant app may reach it; remove the rule`,
      );
  clusterCidrs.forEach((clusterText: unknown, j) => {
    const cluster = typeof clusterText === 'string' ? parseCidr(clusterText) : undefined;
    if (cluster && typeof cluster !== 'string' && cidrWithin(cidr, cluster)) {
      problems.push(
        `${p}.cidr ${rule} lies in clusterCidrs[${j}] ${clusterText as string}: the app reaches the cluster only through the flows Tenantry opens (its database, DNS); remove the rule`,
      );
    }
  });
}

/** Checks the ports of egress rule `p`: at least one, each a port number with TCP or UDP. */
function egressRulePorts(ports: unknown, p: string, problems: string[]): void {
  if (!Array.isArray(ports) || ports.length === 0) return void problems.push(`${p}.ports must list at least one port`);
  ports.forEach((port: unknown, j) => {
    if (!isObj(port) || !isPort(port.port)) problems.push(`${p}.ports[${j}].port must be 1..65535`);
    else if (!['TCP', 'UDP'].includes(port.protocol as string)) problems.push(`${p}.ports[${j}].protocol must be TCP or UDP`);
  });
}

/** Returns the checks of one plan: quota, LimitRange defaults, volume sizes and database resources, all quantities. */
function planChecks(plan: string): Check[] {
  const path = `plans.${plan}`;
  return [
    ...quantityMaps(path, ['quota', 'defaultRequest', 'defaultLimit'], '500m or 2Gi'),
    ...['databaseStorage', 'filesStorage'].map((f) =>
      field(f, (v) => typeof v === 'string' && isConfigQuantity(v), `${path}.${f} must be a quantity such as 10Gi`),
    ),
    mapping(
      'databaseResources',
      `${path}.databaseResources must be a mapping with requests and limits`,
      quantityMaps(`${path}.databaseResources`, ['requests', 'limits'], '500m or 2Gi'),
    ),
  ];
}

/** Checks of the plans section: every plan a Tenant may name must be configured. */
const PLAN_CHECKS: readonly Check[] = (['trial', 'free', 'paid'] as const).map((plan) =>
  mapping(plan, `plans.${plan} is required`, planChecks(plan)),
);

/** Checks of the app section. */
const APP_CHECKS: readonly Check[] = [
  // Pod Security "restricted" refuses uid 0, and the kubelet cannot check a non-numeric image user.
  ...['runAsUser', 'runAsGroup'].map((f) => field(f, isIntInRange(1), `app.${f} must be a positive integer (not root)`)),
  ...['healthPath', 'filesPath'].map((f) => field(f, isAbsolutePath, `app.${f} must be an absolute path`)),
  field(
    'livenessPath',
    (v) => v === undefined || isAbsolutePath(v),
    'app.livenessPath must be an absolute path, e.g. /livez (or leave it out to probe app.healthPath)',
  ),
  field('readOnlyRootFilesystem', isBool, 'app.readOnlyRootFilesystem must be true or false'),
  field('disruptionBudget', isBool, 'app.disruptionBudget must be true or false'),
];

/** Checks backup.kmsEndpoint: unset, or an endpoint URL that is https unless http is allowed explicitly. */
function validateKmsEndpoint(b: Obj, problems: string[]): void {
  const endpoint = b.kmsEndpoint;
  if (endpoint !== undefined && (typeof endpoint !== 'string' || !ENDPOINT_URL.test(endpoint))) {
    problems.push('backup.kmsEndpoint must be an http:// or https:// URL without credentials, e.g. https://kms.example.internal:8443');
  } else if (typeof endpoint === 'string' && !/^https:/i.test(endpoint) && b.allowInsecureKmsEndpoint !== true) {
    // The agent refuses it too (src/backup/settings.ts); refusing here stops it before any tenant's CronJob carries it.
    problems.push(
      `backup.kmsEndpoint ${endpoint} is not https: KMS answers GenerateDataKey and Decrypt with plaintext data keys, which http:// sends in the clear; use an https:// endpoint, or, for a local KMS emulator only, set backup.allowInsecureKmsEndpoint: true`,
    );
  }
}

/** Checks backup.serviceAccountAnnotations: valid annotation keys, string values, known placeholders only. */
function validateServiceAccountAnnotations(annotations: unknown, problems: string[]): void {
  if (!isObj(annotations)) return void problems.push('backup.serviceAccountAnnotations must be a map of strings');
  for (const [k, v] of Object.entries(annotations)) {
    const p = `backup.serviceAccountAnnotations.${k}`;
    if (!ANNOTATION_KEY.test(k))
      problems.push(`${p}: not a valid annotation key (an optional DNS prefix and '/', then at most 63 characters)`);
    if (typeof v !== 'string') problems.push(`${p} must be a string`);
    else
      for (const placeholder of v.match(/\{[^}]*\}/g) ?? []) {
        // A misspelt placeholder would reach the cloud provider verbatim and grant nothing, silently.
        if (!(ANNOTATION_PLACEHOLDERS as readonly string[]).includes(placeholder))
          problems.push(`${p}: unknown placeholder ${placeholder} (known: ${ANNOTATION_PLACEHOLDERS.join(', ')})`);
      }
  }
}

/** Checks backup.egressCidrs beyond their syntax: at least one, none inside a metadata range. */
function validateBackupDestinations(egressCidrs: unknown, problems: string[]): void {
  if (!Array.isArray(egressCidrs)) return;
  // No destination would make the egress rule allow nothing, and backups fail at their first request.
  if (egressCidrs.length === 0)
    problems.push('backup.egressCidrs must list at least one CIDR (0.0.0.0/0, or the CIDRs of your S3 and KMS endpoints)');
  egressCidrs.forEach((text: unknown, i) => {
    const cidr = typeof text === 'string' ? parseCidr(text) : undefined;
    for (const m of METADATA_CIDRS) {
      if (cidr && typeof cidr !== 'string' && cidrWithin(cidr, parseCidr(m) as Cidr))
        problems.push(
          `backup.egressCidrs[${i}] ${text as string} lies in ${m}, where cloud metadata endpoints hand out the node's credentials: no S3 or KMS endpoint is there; remove it`,
        );
    }
  });
}

/** Checks of the backup section (P5, P7). */
const BACKUP_CHECKS: readonly Check[] = [
  field(
    'defaultPolicy',
    (v) => v === undefined || (typeof v === 'string' && v.length <= 253 && DNS_SUBDOMAIN.test(v)),
    'backup.defaultPolicy must be the name of a BackupPolicy (a lowercase DNS subdomain)',
  ),
  field('allowInsecureKmsEndpoint', isBool, 'backup.allowInsecureKmsEndpoint must be true or false'),
  validateKmsEndpoint,
  section('serviceAccountAnnotations', validateServiceAccountAnnotations),
  ...(['egressCidrs', 'egressExcept'] as const).map((f) => section(f, (v, problems) => cidrList(v, `backup.${f}`, problems))),
  section('egressCidrs', validateBackupDestinations),
  // Below 10 s the CronJob controller, which checks every 10 s, may miss every run.
  field('startingDeadlineSeconds', isIntInRange(10), 'backup.startingDeadlineSeconds must be an integer of at least 10'),
  ...['backupDeadlineSeconds', 'restoreDeadlineSeconds'].map((f) =>
    field(f, isIntInRange(60), `backup.${f} must be an integer number of seconds, at least 60`),
  ),
  field('staleGraceSeconds', isIntInRange(0), 'backup.staleGraceSeconds must be an integer number of seconds, 0 or more'),
  field(
    'restoreBytesPerSecond',
    (v) => typeof v === 'number' && Number.isFinite(v) && v > 0,
    'backup.restoreBytesPerSecond must be a positive number of bytes per second',
  ),
  mapping(
    'resources',
    'backup.resources must be a mapping with requests and limits',
    quantityMaps('backup.resources', ['requests', 'limits'], '250m or 128Mi'),
  ),
  // /tmp is the agent's scratch emptyDir; mounting the files there would hide one or the other.
  field(
    'filesMountPath',
    (v) => typeof v === 'string' && /^\/[^\0]*[^/]$/.test(v) && v !== '/tmp' && !v.startsWith('/tmp/'),
    'backup.filesMountPath must be an absolute path other than / and outside /tmp, e.g. /var/lib/tenantry/files',
  ),
];

/** The longest duration accepted, in days: a hundred years, far beyond any retention, and far inside what a Date holds. */
const MAX_DAYS = 36_500;
const DURATION_FIELDS = Object.keys(DEFAULT_DURATIONS) as (keyof LifecycleDurations)[];

/** Checks lifecycle.durations: whole days, and the payment-default steps in their order. */
function validateDurations(d: unknown, problems: string[]): void {
  if (!isObj(d)) return void problems.push('lifecycle.durations must be a mapping');
  for (const f of DURATION_FIELDS)
    if (!isIntInRange(1, MAX_DAYS)(d[f])) problems.push(`lifecycle.durations.${f} must be a whole number of days, 1..${MAX_DAYS}`);
  const [suspend, close, erase] = [d.paymentSuspendDays, d.paymentCloseDays, d.paymentEraseDays] as number[];
  // Out of order, a tenant in payment default would be erased before it was suspended or closed.
  if ([suspend, close, erase].every((v) => Number.isInteger(v)) && !(suspend! < close! && close! < erase!))
    problems.push(
      `lifecycle.durations must have paymentSuspendDays < paymentCloseDays < paymentEraseDays (got ${suspend}, ${close}, ${erase})`,
    );
}

/** Checks of the lifecycle section (P9-P11). */
const LIFECYCLE_CHECKS: readonly Check[] = [
  section('durations', validateDurations),
  field('dryRun', isBool, 'lifecycle.dryRun must be true or false'),
  field('tenantKmsKeys', isBool, 'lifecycle.tenantKmsKeys must be true or false'),
  ...['auditRetentionDays', 'billingRetentionDays'].map((f) =>
    field(f, isIntInRange(1, MAX_DAYS), `lifecycle.${f} must be a whole number of days, 1..${MAX_DAYS} (default 2557, 7 years)`),
  ),
  ...['s3Endpoint', 'kmsEndpoint'].map((f) =>
    field(
      f,
      (v) => v === undefined || (typeof v === 'string' && ENDPOINT_URL.test(v)),
      `lifecycle.${f} must be an http:// or https:// URL without credentials (or be left out for AWS)`,
    ),
  ),
];

/** Checks of the release section (P12), which may be left out. */
const RELEASE_CHECKS: readonly Check[] = [
  field(
    'defaultChannel',
    (v) => v === undefined || (typeof v === 'string' && v.length <= 253 && DNS_SUBDOMAIN.test(v)),
    'release.defaultChannel must be the name of a ReleaseChannel (a lowercase DNS subdomain)',
  ),
];

/** The checks of {@link validateConfig}, one or more per top-level key, in the order their problems are reported. */
const CONFIG_CHECKS: readonly Check[] = [
  section('regions', validateRegions),
  field('baseDomain', (v) => typeof v === 'string' && DNS_SUBDOMAIN.test(v), 'baseDomain must be a lowercase DNS name'),
  section('allowedDomains', validateAllowedDomains),
  mapping('ingress', 'ingress must be a mapping', INGRESS_CHECKS),
  field(
    'tls',
    (v) => isObj(v) && ['ClusterIssuer', 'Issuer'].includes(v.issuerKind as string) && Boolean(v.issuerName),
    'tls needs issuerKind (ClusterIssuer or Issuer) and issuerName',
  ),
  mapping('dns', 'dns must be a mapping', [(dns, problems) => stringMap(dns.podLabels, 'dns.podLabels', problems)]),
  validateEgress,
  ...(['egressExcept', 'clusterCidrs', 'serviceCidrs'] as const).map((f) => section(f, (v, problems) => cidrList(v, f, problems))),
  mapping('plans', 'plans must be a mapping', PLAN_CHECKS),
  mapping(
    'images',
    'images must be a mapping',
    ['app', 'postgres', 'mariadb', 'agent'].map((f) => field(f, isNonEmptyString, `images.${f} is required`)),
  ),
  field('appPort', isPort, 'appPort must be 1..65535'),
  mapping('app', 'app must be a mapping', APP_CHECKS),
  field('concurrency', isIntInRange(1, 256), 'concurrency must be 1..256'),
  field(
    'podSecurityVersion',
    (v) => typeof v === 'string' && /^(latest|v\d+\.\d+)$/.test(v),
    'podSecurityVersion must be "latest" or like v1.35',
  ),
  mapping('backup', 'backup must be a mapping', BACKUP_CHECKS),
  mapping('lifecycle', 'lifecycle must be a mapping', LIFECYCLE_CHECKS),
  (obj, problems) => {
    if (obj.release !== undefined) mapping('release', 'release must be a mapping', RELEASE_CHECKS)(obj, problems);
  },
];

/**
 * Validates a merged configuration object; returns every problem found, each naming its field.
 * `apiServerAddress` is the API server's Service address where it is known (in a pod).
 */
export function validateConfig(raw: unknown, apiServerAddress?: string): string[] {
  if (!isObj(raw)) return ['the configuration must be a YAML mapping'];
  const problems = [...unknownKeys(raw, CONFIG_SHAPE)];
  runChecks(raw, CONFIG_CHECKS, problems);
  if (problems.length === 0) problems.push(...unguardedRanges(raw as unknown as OperatorConfig, apiServerAddress));
  return problems;
}

/** The cloud metadata endpoints' own addresses (IPv4 and EC2's IPv6), inside {@link METADATA_CIDRS}. */
const METADATA_ADDRESSES: readonly string[] = ['169.254.169.254/32', 'fd00:ec2::254/128'];

/**
 * Checks that no app or backup egress range reaches the metadata endpoint, the Service ranges or
 * the API server's Service address: a range inside one is refused, and a range around one must
 * cut it out through its exceptions (what the NetworkPolicy builders will write, computed by the
 * same functions). Runs only on a configuration without any other problem, so that every list
 * holds valid CIDRs.
 */
function unguardedRanges(c: OperatorConfig, apiServerAddress: string | undefined): string[] {
  const guarded = [
    ...METADATA_ADDRESSES.map((text) => ({ text, what: 'the cloud metadata endpoint', inside: false })),
    ...c.serviceCidrs.map((text, i) => ({ text, what: `serviceCidrs[${i}] ${text}, the Service range`, inside: true })),
    ...(apiServerAddress === undefined
      ? []
      : [{ text: apiServerAddress, what: `the API server's Service address ${apiServerAddress} (KUBERNETES_SERVICE_HOST)`, inside: true }]),
  ].map((g) => ({ ...g, cidr: parseCidr(g.text) as Cidr }));
  const check = (field: string, text: string, except: readonly string[], remedy: string): string[] => {
    const rule = parseCidr(text) as Cidr;
    const cut = exceptionsInside(text, except, field).map((e) => parseCidr(e) as Cidr);
    return guarded.flatMap((g) => {
      // Inside the metadata range a rule is refused by its own check, with its own message.
      if (cidrWithin(rule, g.cidr))
        return g.inside ? [`${field} ${text} lies in ${g.what}: no tenant pod may reach it; remove the rule`] : [];
      if (!cidrWithin(g.cidr, rule) || cidrCovered(g.cidr, cut)) return [];
      return [`${field} ${text} reaches ${g.what}: cut it out through ${remedy}, or narrow the range`];
    });
  };
  const appExcept = egressExceptions(c.egressExcept, c.clusterCidrs);
  const backupExcept = egressExceptions(c.backup.egressExcept, c.clusterCidrs);
  return [
    ...c.egress.flatMap((e, i) => check(`egress[${i}].cidr`, e.cidr, appExcept, 'egressExcept or clusterCidrs')),
    ...c.backup.egressCidrs.flatMap((text, i) =>
      check(`backup.egressCidrs[${i}]`, text, backupExcept, 'backup.egressExcept or clusterCidrs'),
    ),
  ];
}

/**
 * Merges user settings over the defaults, fills derived values and validates; throws {@link ConfigError}.
 * `env` is the environment the operator runs in: where it has KUBERNETES_SERVICE_HOST (in a pod),
 * no egress range may reach that address either.
 */
export function parseConfig(userSettings: unknown, env: Readonly<Record<string, string | undefined>> = {}): OperatorConfig {
  if (userSettings !== undefined && userSettings !== null && !isObj(userSettings))
    throw new ConfigError(['the configuration must be a YAML mapping']);
  const merged = merge(defaultConfig(), userSettings ?? {}) as OperatorConfig;
  // In a pod the kubelet sets KUBERNETES_SERVICE_HOST to the API server's Service address.
  const apiServer = env.KUBERNETES_SERVICE_HOST === undefined ? undefined : hostCidr(env.KUBERNETES_SERVICE_HOST);
  const problems = validateConfig(merged, apiServer);
  if (problems.length > 0) throw new ConfigError(problems);
  for (const [name, r] of Object.entries(merged.regions)) {
    if (r && !r.nodeSelector) r.nodeSelector = { 'topology.kubernetes.io/region': name };
  }
  return merged;
}

/** Reads and validates a configuration file (see {@link parseConfig} for `env`); throws {@link ConfigError} naming the file. */
export function loadConfigFile(path: string, env: Readonly<Record<string, string | undefined>> = process.env): OperatorConfig {
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
    return parseConfig(doc, env);
  } catch (e) {
    if (e instanceof ConfigError) throw new ConfigError(e.problems.map((p) => `${path}: ${p}`));
    throw e;
  }
}
