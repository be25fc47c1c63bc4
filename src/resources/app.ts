// The tenant's application: a Deployment of the product's image, reached only through its
// Service by the ingress controller, with the database credentials from the tenant's Secret.
import type { Deployment } from 'kubernetes-types/apps/v1.js';
import type { Container, EnvVar, HTTPGetAction, ResourceRequirements, Service, Volume, VolumeMount } from 'kubernetes-types/core/v1.js';
import type { BuildContext, Owned } from './types.js';
import { Component, ownedLabels, ownedMetadata, selectorLabels } from './meta.js';
import { containerSecurityContext, defaultPullPolicy, podSecurityContext, regionAffinity, sameNodeAffinity } from './pod.js';
import { PvcName } from './pvc.js';
import { canonicalQuantity } from './quantity.js';
import { DATABASE_SECRET_NAME, NeutralKey } from './secret.js';
import { ServiceAccountName } from './service-account.js';

/** Name of the app's Deployment and Service. */
export const APP_NAME = 'app';
/** Name of the app's container port, used by the Service, the probes and the routes. */
export const APP_PORT_NAME = 'http';
/** Port of the app's Service (the container listens on config.appPort). */
export const APP_SERVICE_PORT = 80;

/** Inputs of {@link buildAppDeployment} that do not come from the Tenant's spec. */
export interface AppOptions {
  /** Scale to zero (spec.suspend or a lifecycle suspension); defaults to spec.suspend. */
  suspended?: boolean;
}

/** Environment variables the operator sets from the database Secret; a Tenant's env cannot override them. */
const DATABASE_ENV = [
  NeutralKey.Url,
  NeutralKey.Engine,
  NeutralKey.Host,
  NeutralKey.Port,
  NeutralKey.Name,
  NeutralKey.User,
  NeutralKey.Password,
];

/** The resource the app's disk use is counted in: its writable layer, its logs and its emptyDirs. */
const EPHEMERAL_STORAGE = 'ephemeral-storage';

/**
 * Returns the canonical resources of the app container: the Tenant's, plus the plan's
 * ephemeral-storage default, or undefined when there is neither. The ephemeral storage is set
 * here, not left to the LimitRange: the node's disk is shared with other tenants, and a pod
 * created before the LimitRange exists (both are applied in the same pass) would have no limit.
 */
function appResources(ctx: BuildContext): ResourceRequirements | undefined {
  const spec = ctx.tenant.spec.app?.resources;
  const plan = ctx.config.plans[ctx.tenant.spec.plan];
  const planDefault = { requests: plan.defaultRequest[EPHEMERAL_STORAGE], limits: plan.defaultLimit[EPHEMERAL_STORAGE] };
  const out: ResourceRequirements = {};
  for (const part of ['requests', 'limits'] as const) {
    const entries = Object.entries(spec?.[part] ?? {}).filter(([, v]) => v !== undefined) as [string, string | number][];
    if (planDefault[part] !== undefined && !entries.some(([k]) => k === EPHEMERAL_STORAGE))
      entries.push([EPHEMERAL_STORAGE, planDefault[part]]);
    if (entries.length > 0) out[part] = Object.fromEntries(entries.map(([k, v]) => [k, canonicalQuantity(v)]));
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/** Returns how many app pods run: the Tenant's replicas (default 1), zero while suspended (defaults to spec.suspend). */
export function appReplicas(ctx: BuildContext, suspended = ctx.tenant.spec.suspend ?? false): number {
  return suspended ? 0 : (ctx.tenant.spec.app?.replicas ?? 1);
}

/** Builds the app Deployment: restricted pods pinned to the region, files volume mounted, credentials by secretKeyRef. */
export function buildAppDeployment(ctx: BuildContext, opts: AppOptions = {}): Owned<Deployment> {
  const { config } = ctx;
  const image = ctx.images?.app ?? ctx.tenant.spec.app?.image ?? config.images.app;
  const reserved = new Set<string>(DATABASE_ENV);
  const env: EnvVar[] = [
    // A variable of the same name twice would make server-side apply fail (env is keyed by name), and ours must win.
    ...(ctx.tenant.spec.app?.env ?? [])
      .filter((e) => !reserved.has(e.name))
      .map((e) => (e.value === undefined ? { name: e.name } : { name: e.name, value: e.value })),
    ...DATABASE_ENV.map((key) => ({ name: key, valueFrom: { secretKeyRef: { name: DATABASE_SECRET_NAME, key } } })),
  ];
  const httpGet = (path: string): HTTPGetAction => ({ path, port: APP_PORT_NAME, scheme: 'HTTP' });
  const mounts: VolumeMount[] = [{ name: 'files', mountPath: config.app.filesPath }];
  const volumes: Volume[] = [{ name: 'files', persistentVolumeClaim: { claimName: PvcName.Files } }];
  if (config.app.readOnlyRootFilesystem) {
    mounts.push({ name: 'tmp', mountPath: '/tmp' });
    volumes.push({ name: 'tmp', emptyDir: { sizeLimit: '256Mi' } });
  }
  const container: Container = {
    name: APP_NAME,
    image,
    imagePullPolicy: defaultPullPolicy(image),
    ports: [{ name: APP_PORT_NAME, containerPort: config.appPort, protocol: 'TCP' }],
    env,
    // Out of rotation after 30 s of failures: traffic goes to healthy pods, or waits at the ingress.
    readinessProbe: {
      httpGet: httpGet(config.app.healthPath),
      periodSeconds: 10,
      timeoutSeconds: 2,
      successThreshold: 1,
      failureThreshold: 3,
    },
    // Restarted only after 5 minutes of failures, and a slow answer is not a failure as soon as for
    // readiness. A health check that reaches the database fails with it (a failover, a long
    // vacuum); restarting every replica then turns a brownout into an outage and cures nothing.
    // app.livenessPath can point at a check of the process alone.
    livenessProbe: {
      httpGet: httpGet(config.app.livenessPath ?? config.app.healthPath),
      periodSeconds: 30,
      timeoutSeconds: 5,
      successThreshold: 1,
      failureThreshold: 10,
    },
    securityContext: containerSecurityContext(config.app.runAsUser, config.app.runAsGroup, config.app.readOnlyRootFilesystem),
    volumeMounts: mounts,
  };
  const resources = appResources(ctx);
  if (resources) container.resources = resources;
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: ownedMetadata(ctx, APP_NAME, { component: Component.App }),
    spec: {
      replicas: appReplicas(ctx, opts.suspended),
      selector: { matchLabels: selectorLabels(ctx, Component.App) },
      // The files volume is ReadWriteOnce: a rolling update would start the new pod while the old one
      // holds the volume, and on another node it could never attach. Recreate stops the old pod first.
      strategy: { type: 'Recreate' },
      template: {
        metadata: { labels: ownedLabels(ctx, Component.App) },
        spec: {
          serviceAccountName: ServiceAccountName.App,
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          securityContext: podSecurityContext(config.app.runAsUser, config.app.runAsGroup),
          // Always present (not only with replicas > 1), so scaling does not change the template and roll the pods.
          affinity: { ...regionAffinity(ctx), ...sameNodeAffinity(ctx, Component.App) },
          containers: [container],
          volumes,
        },
      },
    },
  };
}

/** Builds the app's ClusterIP Service, the only backend the ingress routes to. */
export function buildAppService(ctx: BuildContext): Owned<Service> {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: ownedMetadata(ctx, APP_NAME, { component: Component.App }),
    spec: {
      type: 'ClusterIP',
      selector: selectorLabels(ctx, Component.App),
      ports: [{ name: APP_PORT_NAME, port: APP_SERVICE_PORT, targetPort: APP_PORT_NAME, protocol: 'TCP' }],
    },
  };
}
