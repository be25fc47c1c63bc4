// The tenant's backups (P5): a CronJob in the tenant namespace runs the backup agent (the
// operator's own image, `tenantry backup run`) on the schedule of the tenant's BackupPolicy. The
// agent's Pod spec is the whole contract between the operator and the agent: everything it needs
// comes from the environment set here and from Secrets in the tenant namespace (src/backup/settings.ts
// reads it), and it reports through the manifests it writes to S3, never through the Kubernetes API.
import type { BackupPolicy } from '../api/generated/index.js';
import { tenantNamespace } from '../api/names.js';
import { ANNOTATION_PLACEHOLDERS } from '../config.js';
import { egressExceptions, ipBlockPeer, type IpBlockPeer } from './ip-block.js';
import type { OwnedKind } from './index.js';
import type { CronJob } from 'kubernetes-types/batch/v1.js';
import type {
  Affinity,
  Container,
  EnvFromSource,
  PodSpec,
  ResourceRequirements,
  Secret,
  ServiceAccount,
  VolumeMount,
} from 'kubernetes-types/core/v1.js';
import type { LabelSelector } from 'kubernetes-types/meta/v1.js';
import type { NetworkPolicy, NetworkPolicySpec } from 'kubernetes-types/networking/v1.js';
import type { BuildContext, Owned } from './types.js';
import { databasePort, engineOf } from './engine.js';
import { Component, ownedLabels, ownedMetadata, selectorLabels } from './meta.js';
import { containerSecurityContext, defaultPullPolicy, podSecurityContext, regionAffinity } from './pod.js';
import { PvcName } from './pvc.js';
import { canonicalQuantities } from './quantity.js';
import { DATABASE_SECRET_NAME } from './secret.js';

/** Name of the tenant's backup CronJob. */
export const BACKUP_CRONJOB_NAME = 'backup';
/** Name of the ServiceAccount the backup and restore pods run as. */
export const BACKUP_SERVICE_ACCOUNT = 'backup';
/** Name of the tenant namespace's copy of the policy's credentials Secret. */
export const BACKUP_CREDENTIALS_SECRET = 'backup-credentials';
/** The keys copied from the policy's credentials Secret; nothing else of it leaves its namespace. */
export const BACKUP_CREDENTIAL_KEYS = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'] as const;
/** Finished backup Jobs kept per outcome, so `kubectl get jobs` shows recent runs and their logs. */
export const BACKUP_JOBS_HISTORY = 3;
/** Attempts after the first one: a failed backup (a node drained, a network blip) is retried once, then reported. */
export const BACKUP_BACKOFF_LIMIT = 1;
/** Size of the agent's scratch directory: it streams dump and archive to S3, so /tmp holds only small files. */
export const AGENT_TMP_SIZE = '1Gi';

/** Environment variables the agent reads, besides the database Secret's and the credentials Secret's keys. */
export const AgentEnv = {
  Tenant: 'TENANTRY_TENANT',
  Region: 'TENANTRY_REGION',
  AwsRegion: 'AWS_REGION',
  Bucket: 'TENANTRY_BACKUP_BUCKET',
  Prefix: 'TENANTRY_BACKUP_PREFIX',
  S3Endpoint: 'TENANTRY_S3_ENDPOINT',
  KmsKeyId: 'TENANTRY_KMS_KEY_ID',
  KmsEndpoint: 'TENANTRY_KMS_ENDPOINT',
  /** "true" lets the agent use an http:// KMS endpoint (backup.allowInsecureKmsEndpoint, local development only). */
  AllowInsecureKmsEndpoint: 'TENANTRY_ALLOW_INSECURE_KMS_ENDPOINT',
  Retention: 'TENANTRY_RETENTION',
  Verify: 'TENANTRY_VERIFY',
  FilesDir: 'TENANTRY_FILES_DIR',
  LogFormat: 'TENANTRY_LOG_FORMAT',
} as const;

/**
 * The agent's runtime variables, in every backup and restore pod. Without them V8 sizes its heap
 * from the node's memory, not the pod's, and glibc keeps a malloc arena per thread of the pool that
 * runs zstd; with them a 1 GiB and a 4 GiB backup peaked 25 MB lower, under the agent's 200 MB target
 * and well under its 256Mi memory limit (README, figures). Its live heap is small (about 20 MB): the
 * data streams through Buffers outside the heap. Since zstd runs as a program beside the agent, the
 * agent allocates less and collects garbage less often, so its heap grows further before a full
 * collection: a cap of 64 MB kept 4 GiB backups at 168–179 MB where 96 MB let them reach 171–197.
 */
export const AGENT_RUNTIME_ENV: Readonly<Record<string, string>> = {
  NODE_OPTIONS: '--max-old-space-size=64 --max-semi-space-size=4',
  MALLOC_ARENA_MAX: '2',
};

/** Names of the NetworkPolicies that open the backup pods' flows, on top of the tenant's default deny. */
export const BackupNetworkPolicyName = {
  BackupToDatabase: 'allow-backup-to-database',
  DatabaseFromBackup: 'allow-database-from-backup',
  BackupEgress: 'allow-backup-egress',
} as const;

/** The kinds the backup builders produce, for the reconciler's informers (not part of OWNED_KINDS). */
export const BACKUP_KINDS: readonly OwnedKind[] = [
  { apiVersion: 'batch/v1', kind: 'CronJob', namespaced: true, plural: 'cronjobs' },
  { apiVersion: 'batch/v1', kind: 'Job', namespaced: true, plural: 'jobs' },
];

/** Inputs of {@link buildBackupResources} that are not in the Tenant, the policy or the configuration. */
export interface BackupOptions {
  /**
   * The policy names a credentialsSecretRef and the reconciler copies it into the tenant namespace
   * as {@link BACKUP_CREDENTIALS_SECRET} (see {@link buildBackupCredentialsSecret}); false means
   * workload identity through the ServiceAccount's annotations.
   */
  hasCredentialsSecret: boolean;
  /**
   * A restore is replacing the tenant's data in place: no backup starts until it is done, because
   * a backup of half-restored data would count as the newest and could push good ones out of retention.
   */
  restoreInProgress?: boolean;
  /**
   * The restore under way reads the backups of this other tenant: with workload identity its Job
   * runs as {@link restoreSourceServiceAccount}, which carries that tenant's identity, because the
   * target's own identity may read only the target's prefix and KMS context.
   */
  restoreSource?: string;
}

/** Returns the name of the ServiceAccount a restore Job runs as to read `source`'s backups. */
export function restoreSourceServiceAccount(source: string): string {
  return `restore-from-${source}`;
}

/**
 * Builds the ServiceAccount a restore from another tenant runs as: the same workload-identity
 * annotations as the source's `backup` account, so it may read the source's backups (and nothing
 * else: it writes only the target's database and volume, which need no cloud identity). It exists
 * only while that restore does; the source's IAM role must trust it (docs/backups.md).
 */
export function buildRestoreSourceServiceAccount(ctx: BuildContext, source: string): Owned<ServiceAccount> {
  return {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: ownedMetadata(ctx, restoreSourceServiceAccount(source), {
      component: Component.Backup,
      annotations: backupServiceAccountAnnotations(ctx, source),
    }),
    automountServiceAccountToken: false,
  };
}

/** Returns why a policy cannot back up this tenant, or undefined when it can (the reconciler reports it as a condition). */
export function backupPolicyError(ctx: BuildContext, policy: BackupPolicy): string | undefined {
  const region = ctx.tenant.spec.region;
  const dest = policy.spec.destination.region;
  // Data residency (P8): the bucket, and so every copy of the tenant's data, stays in its region.
  if (dest !== region) {
    return `BackupPolicy ${policy.metadata.name ?? '(unnamed)'} stores backups in ${dest}, but tenant ${ctx.tenant.metadata.name!} is in ${region} and backups never leave a tenant's region: refer the tenant to a policy whose spec.destination.region is ${region}`;
  }
  return undefined;
}

/** Throws the {@link backupPolicyError}, if any: a builder never produces a backup that would leave the region. */
export function assertBackupPolicy(ctx: BuildContext, policy: BackupPolicy): void {
  const error = backupPolicyError(ctx, policy);
  if (error) throw new Error(error);
}

/**
 * Returns the KMS key for the tenant's backups: the tenant's own key (P1; erasure crypto-shreds
 * it), else the policy's key of the tenant's region, else the region's key from the configuration.
 */
export function backupKmsKeyId(ctx: BuildContext, policy: BackupPolicy): string {
  if (ctx.tenantKmsKeyId) return ctx.tenantKmsKeyId;
  return policy.spec.kms?.keys?.find((k) => k.region === ctx.tenant.spec.region)?.keyId ?? ctx.region.kmsKeyId;
}

/** Returns the retention rules as JSON with sorted keys, so the CronJob does not change when the stored policy's key order does. */
function retentionJson(policy: BackupPolicy): string {
  const retention = policy.spec.retention as unknown as Record<string, unknown>;
  const sorted = Object.keys(retention)
    .filter((k) => retention[k] !== undefined)
    .sort()
    .map((k) => [k, retention[k]]);
  return JSON.stringify(Object.fromEntries(sorted));
}

/**
 * Returns the agent's environment (values only, no secret): where and how to back up, in the
 * contract's order; optional settings are left out when unset.
 */
export function agentEnv(ctx: BuildContext, policy: BackupPolicy): { name: string; value: string }[] {
  const { destination } = policy.spec;
  const env: [string, string | undefined][] = [
    [AgentEnv.Tenant, ctx.tenant.metadata.name!],
    [AgentEnv.Region, ctx.tenant.spec.region],
    [AgentEnv.AwsRegion, destination.region],
    [AgentEnv.Bucket, destination.bucket],
    [AgentEnv.Prefix, destination.prefix],
    [AgentEnv.S3Endpoint, destination.endpoint],
    [AgentEnv.KmsKeyId, backupKmsKeyId(ctx, policy)],
    [AgentEnv.KmsEndpoint, ctx.config.backup.kmsEndpoint],
    [AgentEnv.AllowInsecureKmsEndpoint, ctx.config.backup.allowInsecureKmsEndpoint ? 'true' : undefined],
    [AgentEnv.Retention, retentionJson(policy)],
    // The CRD defaults verify to true; a policy built by hand may leave it out.
    [AgentEnv.Verify, String(policy.spec.verify ?? true)],
    [AgentEnv.FilesDir, ctx.config.backup.filesMountPath],
    [AgentEnv.LogFormat, 'json'],
    ...Object.entries(AGENT_RUNTIME_ENV),
  ];
  // Empty means unset (an empty prefix puts backups at the bucket's root, which is the agent's default).
  return env.filter((e): e is [string, string] => e[1] !== undefined && e[1] !== '').map(([name, value]) => ({ name, value }));
}

/** How the agent's pod differs between a scheduled backup and a restore. */
export interface AgentPodOptions {
  containerName: string;
  args: string[];
  /** Mount the files volume read-only (a backup only reads it). */
  filesReadOnly: boolean;
  /** Reference the copied credentials Secret; otherwise the ServiceAccount's workload identity is used. */
  staticCredentials: boolean;
  /** Pod affinity to merge with the region's node affinity, if any. */
  podAffinity?: Affinity;
  /** The ServiceAccount to run as; default {@link BACKUP_SERVICE_ACCOUNT}. */
  serviceAccountName?: string;
}

/** Returns the agent's pod spec, shared by the backup CronJob and the restore Job. */
export function agentPodSpec(ctx: BuildContext, policy: BackupPolicy, opts: AgentPodOptions): PodSpec {
  const { config } = ctx;
  const image = config.images.agent;
  // The app's uid and gid, not the image's own user: the agent must read files the app may have
  // written owner-only, and files it restores must belong to the app, which a restricted pod cannot
  // chown. The same gid also keeps fsGroup from re-labelling the whole files volume at every run.
  const uid = config.app.runAsUser;
  const gid = config.app.runAsGroup;
  const envFrom: EnvFromSource[] = [{ secretRef: { name: DATABASE_SECRET_NAME } }];
  if (opts.staticCredentials) envFrom.push({ secretRef: { name: BACKUP_CREDENTIALS_SECRET } });
  const filesMount: VolumeMount = { name: 'files', mountPath: config.backup.filesMountPath };
  // Only set when true: the API server drops readOnly: false, and desired must equal stored.
  if (opts.filesReadOnly) filesMount.readOnly = true;
  const container: Container = {
    name: opts.containerName,
    image,
    imagePullPolicy: defaultPullPolicy(image),
    args: opts.args,
    // Values only; credentials come by reference from Secrets, so none is ever in the CronJob.
    // Explicit env wins over envFrom, so a Secret key can never override where backups go.
    env: agentEnv(ctx, policy),
    envFrom,
    // The agent's last log lines become the termination message, which the operator reports when a run fails.
    terminationMessagePolicy: 'FallbackToLogsOnError',
    securityContext: containerSecurityContext(uid, gid, true),
    volumeMounts: [filesMount, { name: 'tmp', mountPath: '/tmp' }],
  };
  // Empty maps are dropped by the API server: only set what the configuration defines.
  const resources: ResourceRequirements = {};
  for (const part of ['requests', 'limits'] as const) {
    const values = config.backup.resources[part];
    if (Object.keys(values).length > 0) resources[part] = canonicalQuantities(values);
  }
  if (Object.keys(resources).length > 0) container.resources = resources;
  return {
    serviceAccountName: opts.serviceAccountName ?? BACKUP_SERVICE_ACCOUNT,
    automountServiceAccountToken: false,
    enableServiceLinks: false,
    restartPolicy: 'Never',
    securityContext: podSecurityContext(uid, gid),
    affinity: { ...regionAffinity(ctx), ...opts.podAffinity },
    containers: [container],
    volumes: [
      { name: 'files', persistentVolumeClaim: { claimName: PvcName.Files } },
      { name: 'tmp', emptyDir: { sizeLimit: AGENT_TMP_SIZE } },
    ],
  };
}

/**
 * Returns the per-tenant ServiceAccount annotations for workload identity, placeholders replaced:
 * by default for the context's tenant; `identityOf` names another tenant whose identity the
 * account carries (a restore reading that tenant's backups).
 */
export function backupServiceAccountAnnotations(ctx: BuildContext, identityOf: string = ctx.tenant.metadata.name!): Record<string, string> {
  const values: Record<(typeof ANNOTATION_PLACEHOLDERS)[number], string> = {
    '{tenant}': identityOf,
    '{namespace}': tenantNamespace(identityOf),
    '{region}': ctx.tenant.spec.region,
  };
  return Object.fromEntries(
    Object.entries(ctx.config.backup.serviceAccountAnnotations).map(([k, v]) => [
      k,
      v.replace(/\{(tenant|namespace|region)\}/g, (p) => values[p as keyof typeof values]),
    ]),
  );
}

/**
 * Builds the `backup` ServiceAccount. No Role is bound to it: the agent reports through the
 * manifests it writes to S3, which the operator reads, so it needs no Kubernetes API access.
 */
export function buildBackupServiceAccount(ctx: BuildContext, opts: BackupOptions): Owned<ServiceAccount> {
  // Workload identity only without static keys: two identities would leave it to the SDK's
  // credential chain to pick one, and a person to guess which.
  const annotations = opts.hasCredentialsSecret ? {} : backupServiceAccountAnnotations(ctx);
  return {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: ownedMetadata(ctx, BACKUP_SERVICE_ACCOUNT, { component: Component.Backup, annotations }),
    // Stays false with workload identity too: the EKS webhooks (IRSA's eks.amazonaws.com/role-arn,
    // and EKS Pod Identity) inject their own projected token with the sts.amazonaws.com audience
    // and never use the API token this would mount, which would only be a credential to steal.
    automountServiceAccountToken: false,
  };
}

/** Returns the TCP port a URL connects to: its own, else its scheme's. */
function urlPort(url: string, field: string): number {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`${field} ${JSON.stringify(url)} is not a URL`);
  }
  if (parsed.port) return Number(parsed.port);
  return parsed.protocol === 'http:' ? 80 : 443;
}

/** Returns the ipBlock peers of the backup egress: each CIDR with the exceptions that lie inside it (the API server refuses any other). */
function egressPeers(ctx: BuildContext): IpBlockPeer[] {
  const { backup, clusterCidrs } = ctx.config;
  // An exception outside a CIDR excludes nothing from it; with VPC endpoint CIDRs listed in
  // egressCidrs the default private-range exceptions fall away by themselves.
  const except = egressExceptions(backup.egressExcept, clusterCidrs);
  return backup.egressCidrs.map((cidr, i) => ipBlockPeer(cidr, except, `backup.egressCidrs[${i}]`));
}

/** Builds the NetworkPolicies of the backup pods: to the database (both ends) and to S3/KMS on 443 and the endpoints' ports. */
export function buildBackupNetworkPolicies(ctx: BuildContext, policy: BackupPolicy): Owned<NetworkPolicy>[] {
  const backup = (): LabelSelector => ({ matchLabels: selectorLabels(ctx, Component.Backup) });
  const database = (): LabelSelector => ({ matchLabels: selectorLabels(ctx, Component.Database) });
  const dbPort = databasePort(engineOf(ctx));
  const np = (name: string, spec: NetworkPolicySpec): Owned<NetworkPolicy> => ({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: ownedMetadata(ctx, name, { component: Component.Backup }),
    spec,
  });
  const ports = new Set([443]);
  if (policy.spec.destination.endpoint) ports.add(urlPort(policy.spec.destination.endpoint, 'spec.destination.endpoint'));
  if (ctx.config.backup.kmsEndpoint) ports.add(urlPort(ctx.config.backup.kmsEndpoint, 'backup.kmsEndpoint'));
  return [
    np(BackupNetworkPolicyName.BackupToDatabase, {
      podSelector: backup(),
      policyTypes: ['Egress'],
      egress: [{ to: [{ podSelector: database() }], ports: [{ protocol: 'TCP', port: dbPort }] }],
    }),
    np(BackupNetworkPolicyName.DatabaseFromBackup, {
      podSelector: database(),
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ podSelector: backup() }], ports: [{ protocol: 'TCP', port: dbPort }] }],
    }),
    // S3, KMS and (for IRSA) STS by address range: NetworkPolicy cannot name hosts. The default,
    // anything but the private, carrier-grade NAT and link-local ranges, keeps the agent off
    // cluster-internal services and the metadata endpoint on every port opened here (80 too, for
    // an http:// endpoint); a cluster with S3/KMS VPC endpoints (or an in-cluster S3) lists their
    // CIDRs in backup.egressCidrs.
    // DNS is already open to every pod of the namespace (allow-dns-egress).
    np(BackupNetworkPolicyName.BackupEgress, {
      podSelector: backup(),
      policyTypes: ['Egress'],
      egress: [{ to: egressPeers(ctx), ports: [...ports].sort((a, b) => a - b).map((port) => ({ protocol: 'TCP', port })) }],
    }),
  ];
}

/** Returns the pod affinity of a scheduled backup: preferably on the node of the app's pod. */
function backupPodAffinity(ctx: BuildContext): Affinity {
  // The files volume is ReadWriteOnce: the agent can mount it only on the node where the app has
  // it. Preferred, not required: a suspended tenant has no app pod, and a required affinity would
  // leave its backup Pending until the deadline, while a suspended tenant's data must still be
  // backed up (P5). With the app running, the top weight places the agent beside it whenever it fits.
  return {
    podAffinity: {
      preferredDuringSchedulingIgnoredDuringExecution: [
        {
          weight: 100,
          podAffinityTerm: { labelSelector: { matchLabels: selectorLabels(ctx, Component.App) }, topologyKey: 'kubernetes.io/hostname' },
        },
      ],
    },
  };
}

/** Builds the backup CronJob: the policy's schedule and time zone, one run at a time, the agent as {@link agentPodSpec}. */
export function buildBackupCronJob(ctx: BuildContext, policy: BackupPolicy, opts: BackupOptions): Owned<CronJob> {
  assertBackupPolicy(ctx, policy);
  const { backup } = ctx.config;
  // The tenant label on the Jobs and pods lets the operator watch every tenant's runs with one selector.
  const labels = ownedLabels(ctx, Component.Backup);
  return {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: ownedMetadata(ctx, BACKUP_CRONJOB_NAME, { component: Component.Backup }),
    spec: {
      schedule: policy.spec.schedule,
      // The CRD defaults it; a hand-built policy may not, and the CronJob must not fall back to the controller's zone.
      timeZone: policy.spec.timeZone ?? 'UTC',
      // A backup still running when the next is due is not doubled: two would compete for the database and the bucket.
      concurrencyPolicy: 'Forbid',
      startingDeadlineSeconds: backup.startingDeadlineSeconds,
      successfulJobsHistoryLimit: BACKUP_JOBS_HISTORY,
      failedJobsHistoryLimit: BACKUP_JOBS_HISTORY,
      // A tenant suspended by its lifecycle keeps its data, so it keeps being backed up: only the
      // policy, or an in-place restore under way, stops new runs.
      suspend: (policy.spec.suspend ?? false) || (opts.restoreInProgress ?? false),
      jobTemplate: {
        metadata: { labels },
        spec: {
          backoffLimit: BACKUP_BACKOFF_LIMIT,
          activeDeadlineSeconds: backup.backupDeadlineSeconds,
          template: {
            metadata: { labels: { ...labels } },
            spec: agentPodSpec(ctx, policy, {
              containerName: 'backup',
              args: ['backup', 'run'],
              filesReadOnly: true,
              staticCredentials: opts.hasCredentialsSecret,
              podAffinity: backupPodAffinity(ctx),
            }),
          },
        },
      },
    },
  };
}

/** Builds what backs a tenant up, in apply order: the ServiceAccount, the NetworkPolicies, then the CronJob. */
export function buildBackupResources(
  ctx: BuildContext,
  policy: BackupPolicy,
  opts: BackupOptions,
): (Owned<ServiceAccount> | Owned<NetworkPolicy> | Owned<CronJob>)[] {
  assertBackupPolicy(ctx, policy);
  const named = policy.spec.destination.credentialsSecretRef !== undefined;
  // A mismatch is a caller's bug; guessing would silently switch the agent to another identity.
  if (named !== opts.hasCredentialsSecret) {
    throw new Error(
      named
        ? `BackupPolicy ${policy.metadata.name ?? ''} names a credentials Secret: copy it with buildBackupCredentialsSecret and pass hasCredentialsSecret: true`
        : `BackupPolicy ${policy.metadata.name ?? ''} names no credentials Secret, so there is none to reference: pass hasCredentialsSecret: false (workload identity)`,
    );
  }
  const restoreAccount =
    opts.restoreSource && !opts.hasCredentialsSecret ? [buildRestoreSourceServiceAccount(ctx, opts.restoreSource)] : [];
  return [
    buildBackupServiceAccount(ctx, opts),
    ...restoreAccount,
    ...buildBackupNetworkPolicies(ctx, policy),
    buildBackupCronJob(ctx, policy, opts),
  ];
}

/**
 * Builds the tenant namespace's copy of the policy's credentials Secret (a pod can only reference
 * a Secret of its own namespace). `data` is the source Secret's `data` as read (base64 values);
 * only the two AWS keys are copied.
 */
export function buildBackupCredentialsSecret(
  ctx: BuildContext,
  data: Record<string, string>,
  source = "the BackupPolicy's credentialsSecretRef",
): Owned<Secret> {
  const missing = BACKUP_CREDENTIAL_KEYS.filter((k) => !data[k]);
  // Refuse rather than copy a half: the agent would fall back to another identity, or fail at 02:00 instead of now.
  if (missing.length > 0) {
    throw new Error(
      `${source} has no ${missing.join(' and ')} (or an empty one): the Secret must hold both ${BACKUP_CREDENTIAL_KEYS.join(' and ')}`,
    );
  }
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: ownedMetadata(ctx, BACKUP_CREDENTIALS_SECRET, { component: Component.Backup }),
    type: 'Opaque',
    // Not immutable: rotating the source Secret must reach every tenant's copy.
    immutable: false,
    data: Object.fromEntries(BACKUP_CREDENTIAL_KEYS.map((k) => [k, data[k]!])),
  };
}
