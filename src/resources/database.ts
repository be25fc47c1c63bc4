// The tenant's own database server (P1): one StatefulSet running the engine's official image,
// as uid 999 (the `postgres`/`mysql` user of those images), under Pod Security "restricted",
// with its data on the claim `database-data` and its credentials from the tenant's Secret.
import type { TenantSpecDatabaseEngine } from '../api/generated/index.js';
import type { StatefulSet } from 'kubernetes-types/apps/v1.js';
import type { Container, EnvVar, ResourceRequirements, Service } from 'kubernetes-types/core/v1.js';
import type { BuildContext, Owned } from './types.js';
import { databasePort, engineOf } from './engine.js';
import { Component, ownedLabels, ownedMetadata, selectorLabels } from './meta.js';
import { containerSecurityContext, defaultPullPolicy, podSecurityContext, regionAffinity, withTag } from './pod.js';
import { PvcName } from './pvc.js';
import { canonicalQuantities } from './quantity.js';
import { DATABASE_NAME, DATABASE_SECRET_NAME, DATABASE_SERVICE_NAME, DATABASE_USER, EngineKey } from './secret.js';
import { ServiceAccountName } from './service-account.js';

/** The uid and gid of the database user in the official postgres and mariadb images. */
export const DATABASE_UID = 999;

/** What differs between the engines: paths the image writes to, its probe and its credentials. */
interface EngineSpec {
  /** Where the data volume is mounted. */
  dataPath: string;
  /** Writable run directory (socket, pid file): the root filesystem is read-only. */
  runPath: string;
  portName: string;
  env: EnvVar[];
  readinessCommand: string[];
}

function secretEnv(name: string, key: string): EnvVar {
  return { name, valueFrom: { secretKeyRef: { name: DATABASE_SECRET_NAME, key } } };
}

function engineSpec(engine: TenantSpecDatabaseEngine): EngineSpec {
  if (engine === 'postgres') {
    const k = EngineKey.postgres;
    return {
      dataPath: '/var/lib/postgresql/data',
      runPath: '/var/run/postgresql',
      portName: 'postgres',
      env: [
        secretEnv(k.User, k.User),
        secretEnv(k.Password, k.Password),
        secretEnv(k.Database, k.Database),
        // A subdirectory: initdb refuses a non-empty directory, and a fresh volume has lost+found.
        // Set explicitly because images from 18 on default PGDATA elsewhere.
        { name: 'PGDATA', value: '/var/lib/postgresql/data/pgdata' },
      ],
      // Over TCP, so "ready" means reachable the way the app connects.
      readinessCommand: [
        'pg_isready',
        '--host=127.0.0.1',
        `--port=${databasePort(engine)}`,
        `--username=${DATABASE_USER}`,
        `--dbname=${DATABASE_NAME}`,
      ],
    };
  }
  const k = EngineKey.mariadb;
  return {
    dataPath: '/var/lib/mysql',
    runPath: '/run/mysqld',
    portName: 'mysql',
    env: [
      secretEnv(k.User, k.User),
      secretEnv(k.Password, k.Password),
      secretEnv(k.Database, k.Database),
      secretEnv(k.RootPassword, k.RootPassword),
    ],
    // The image's own check; it uses the healthcheck user the entrypoint creates in the data directory.
    readinessCommand: ['healthcheck.sh', '--connect', '--innodb_initialized'],
  };
}

/** Returns the database image: its release channel's or the configured one, with the Tenant's version as tag when it names one. */
export function databaseImage(ctx: BuildContext): string {
  const engine = engineOf(ctx);
  const image =
    engine === 'postgres' ? (ctx.images?.postgres ?? ctx.config.images.postgres) : (ctx.images?.mariadb ?? ctx.config.images.mariadb);
  const version = ctx.tenant.spec.database?.version;
  return version ? withTag(image, version) : image;
}

/** Builds the database StatefulSet (one replica, data on the `database-data` claim). */
export function buildDatabaseStatefulSet(ctx: BuildContext): Owned<StatefulSet> {
  const engine = engineOf(ctx);
  const spec = engineSpec(engine);
  const port = databasePort(engine);
  const image = databaseImage(ctx);
  const plan = ctx.config.plans[ctx.tenant.spec.plan];
  const resources: ResourceRequirements = {};
  if (Object.keys(plan.databaseResources.requests).length > 0) resources.requests = canonicalQuantities(plan.databaseResources.requests);
  if (Object.keys(plan.databaseResources.limits).length > 0) resources.limits = canonicalQuantities(plan.databaseResources.limits);
  const container: Container = {
    name: engine,
    image,
    imagePullPolicy: defaultPullPolicy(image),
    ports: [{ name: spec.portName, containerPort: port, protocol: 'TCP' }],
    env: spec.env,
    readinessProbe: {
      exec: { command: spec.readinessCommand },
      periodSeconds: 10,
      timeoutSeconds: 5,
      successThreshold: 1,
      failureThreshold: 3,
    },
    // No liveness probe: killing a database that is slow (recovery, vacuum, a long checkpoint) turns slowness into an outage.
    securityContext: containerSecurityContext(DATABASE_UID, DATABASE_UID, true),
    volumeMounts: [
      { name: 'data', mountPath: spec.dataPath },
      { name: 'run', mountPath: spec.runPath },
      { name: 'tmp', mountPath: '/tmp' },
    ],
  };
  if (Object.keys(resources).length > 0) container.resources = resources;
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: ownedMetadata(ctx, DATABASE_SERVICE_NAME, { component: Component.Database, appName: engine }),
    spec: {
      // One server per tenant; suspension keeps it running so nightly backups still see the data (P5).
      replicas: 1,
      serviceName: DATABASE_SERVICE_NAME,
      selector: { matchLabels: selectorLabels(ctx, Component.Database) },
      template: {
        metadata: { labels: ownedLabels(ctx, Component.Database, engine) },
        spec: {
          serviceAccountName: ServiceAccountName.Database,
          automountServiceAccountToken: false,
          // No Service environment variables: they leak the names of other Services and are not needed.
          enableServiceLinks: false,
          securityContext: podSecurityContext(DATABASE_UID, DATABASE_UID),
          affinity: regionAffinity(ctx),
          // Time for a clean shutdown (checkpoint) before the kubelet kills the server.
          terminationGracePeriodSeconds: 60,
          containers: [container],
          volumes: [
            // By claim name, not volumeClaimTemplates: the claim is created only after the encryption check (P2).
            { name: 'data', persistentVolumeClaim: { claimName: PvcName.DatabaseData } },
            { name: 'run', emptyDir: { sizeLimit: '16Mi' } },
            { name: 'tmp', emptyDir: { sizeLimit: '256Mi' } },
          ],
        },
      },
    },
  };
}

/** Builds the headless Service that gives the database a stable DNS name inside the namespace. */
export function buildDatabaseService(ctx: BuildContext): Owned<Service> {
  const engine = engineOf(ctx);
  const port = databasePort(engine);
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: ownedMetadata(ctx, DATABASE_SERVICE_NAME, { component: Component.Database, appName: engine }),
    spec: {
      type: 'ClusterIP',
      clusterIP: 'None',
      selector: selectorLabels(ctx, Component.Database),
      ports: [{ name: engineSpec(engine).portName, port, targetPort: port, protocol: 'TCP' }],
    },
  };
}
