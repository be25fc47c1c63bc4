// The keys each mapping of the operator configuration may hold, at every depth, so that a typo
// (`ingress.hstsMaxAgeSecond`) stops the operator instead of being ignored while the default
// applies. The tree is typed against the configuration's interfaces: a field added to one of them
// and not here (or the other way round) does not compile.
import type {
  AppPodConfig,
  BackupConfig,
  EgressRule,
  ImageConfig,
  IngressConfig,
  LifecycleConfig,
  OperatorConfig,
  PlanConfig,
  RegionConfig,
  ReleaseConfig,
} from './config.js';

/**
 * What a configuration value may contain: `true` for a value without fields of its own (a string,
 * a number, a list of strings, or a map whose keys are free, such as labels and quotas); `fields`
 * for a mapping with a fixed set of keys; `items` for a list; `entries` for a map with free keys
 * whose values all have one shape.
 */
export type Shape = true | { fields: Readonly<Record<string, Shape>> } | { items: Shape } | { entries: Shape };

/** Returns the shape of a mapping whose keys are exactly those of `T` (optional ones included). */
function fields<T>(f: { readonly [K in keyof Required<T>]: Shape }): Shape {
  return { fields: f };
}

const RESOURCES = fields<PlanConfig['databaseResources']>({ requests: true, limits: true });
const PLAN = fields<PlanConfig>({
  quota: true,
  defaultRequest: true,
  defaultLimit: true,
  databaseStorage: true,
  filesStorage: true,
  databaseResources: RESOURCES,
});

/** The keys of the whole operator configuration. */
export const CONFIG_SHAPE: Shape = fields<OperatorConfig>({
  regions: {
    entries: fields<RegionConfig>({
      nodeSelector: true,
      storageClassName: true,
      kmsKeyId: true,
      backupBucket: true,
      archiveBucket: true,
      billingKmsKeyId: true,
    }),
  },
  baseDomain: true,
  allowedDomains: true,
  ingress: fields<IngressConfig>({
    provider: true,
    className: true,
    controllerNamespace: true,
    controllerPodLabels: true,
    gateway: fields<IngressConfig['gateway']>({
      name: true,
      namespace: true,
      httpsSectionName: true,
      httpSectionName: true,
      tlsListener: true,
      httpsPort: true,
    }),
    hstsMaxAgeSeconds: true,
    nginxHstsViaCustomHeaders: true,
  }),
  tls: fields<OperatorConfig['tls']>({ issuerKind: true, issuerName: true }),
  dns: fields<OperatorConfig['dns']>({ namespace: true, podLabels: true }),
  egress: {
    items: fields<EgressRule>({
      description: true,
      cidr: true,
      ports: { items: fields<EgressRule['ports'][number]>({ port: true, protocol: true }) },
    }),
  },
  egressExcept: true,
  clusterCidrs: true,
  serviceCidrs: true,
  plans: fields<OperatorConfig['plans']>({ trial: PLAN, free: PLAN, paid: PLAN }),
  images: fields<ImageConfig>({ app: true, postgres: true, mariadb: true, agent: true }),
  appPort: true,
  app: fields<AppPodConfig>({
    runAsUser: true,
    runAsGroup: true,
    healthPath: true,
    livenessPath: true,
    filesPath: true,
    readOnlyRootFilesystem: true,
    disruptionBudget: true,
  }),
  podSecurityVersion: true,
  concurrency: true,
  backup: fields<BackupConfig>({
    defaultPolicy: true,
    kmsEndpoint: true,
    allowInsecureKmsEndpoint: true,
    serviceAccountAnnotations: true,
    egressCidrs: true,
    egressExcept: true,
    startingDeadlineSeconds: true,
    backupDeadlineSeconds: true,
    restoreDeadlineSeconds: true,
    resources: RESOURCES,
    filesMountPath: true,
    staleGraceSeconds: true,
    restoreBytesPerSecond: true,
  }),
  lifecycle: fields<LifecycleConfig>({
    durations: fields<LifecycleConfig['durations']>({
      trialEraseDays: true,
      cancelledEraseDays: true,
      paymentSuspendDays: true,
      paymentCloseDays: true,
      paymentEraseDays: true,
      inactiveEraseDays: true,
      deletionGraceDays: true,
    }),
    dryRun: true,
    tenantKmsKeys: true,
    auditRetentionDays: true,
    billingRetentionDays: true,
    s3Endpoint: true,
    kmsEndpoint: true,
  }),
  release: fields<ReleaseConfig>({ defaultChannel: true }),
});

const isMapping = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Reports every key of `value` that `shape` does not know, as `<path>: unknown field (known: …)`.
 * A value of the wrong type is left alone: the field's own check reports it.
 */
export function unknownKeys(value: unknown, shape: Shape, path = ''): string[] {
  if (shape === true) return [];
  const at = (key: string) => (path === '' ? key : `${path}.${key}`);
  if ('items' in shape) return Array.isArray(value) ? value.flatMap((item, i) => unknownKeys(item, shape.items, `${path}[${i}]`)) : [];
  if (!isMapping(value)) return [];
  if ('entries' in shape) return Object.entries(value).flatMap(([k, v]) => unknownKeys(v, shape.entries, at(k)));
  const known = Object.keys(shape.fields);
  return Object.entries(value).flatMap(([k, v]) => {
    const field = Object.hasOwn(shape.fields, k) ? shape.fields[k] : undefined;
    return field === undefined ? [`${at(k)}: unknown field (known: ${known.join(', ')})`] : unknownKeys(v, field, at(k));
  });
}
