// Whether a tenant's app and database have rolled out to the images it should run (P12): what a
// release channel waits for before it counts the tenant healthy. Stricter than AppReady and
// DatabaseReady, which count ready pods of any image: here every pod must be of the wanted
// spec, and the controllers must have seen that spec.
import type { Deployment, StatefulSet } from 'kubernetes-types/apps/v1.js';
import type { RolloutReadiness } from './target.js';

/** What the tenant's workloads should be: the replicas and image of each, as the pass built them. */
export interface WantedWorkloads {
  app?: { replicas: number; image: string | undefined };
  /** Undefined while the lifecycle stops the database: it is then not needed. */
  database?: { replicas: number; image: string | undefined };
}

/** Returns the image of the first container of a workload's pod template. */
export function podImage(
  o: { spec?: { template?: { spec?: { containers?: readonly { image?: string }[] } } } } | undefined,
): string | undefined {
  return o?.spec?.template?.spec?.containers?.[0]?.image;
}

/** Reports whether the workload's controller saw its current spec. */
function observedCurrent(o: Deployment | StatefulSet): boolean {
  return (o.status?.observedGeneration ?? 0) >= (o.metadata?.generation ?? 0);
}

/** Returns the app's rollout: done when every replica is updated and available, and no old pod is left. */
function appRollout(wanted: NonNullable<WantedWorkloads['app']>, dep: Deployment | undefined): RolloutReadiness {
  const on = `on ${wanted.image ?? '(no image)'}`;
  if (!dep) return { ready: false, message: `app Deployment not created yet` };
  const available = dep.status?.availableReplicas ?? 0;
  const text = `app ${available}/${wanted.replicas} available ${on}`;
  if (podImage(dep) !== wanted.image || !observedCurrent(dep))
    return { ready: false, message: `${text} (the new spec is not rolled out yet)` };
  const updated = dep.status?.updatedReplicas ?? 0;
  const total = dep.status?.replicas ?? 0;
  const ready = updated === wanted.replicas && total === wanted.replicas && available === wanted.replicas;
  return { ready, message: ready ? text : `${text}, ${updated} updated, ${total} in all` };
}

/** Returns the database's rollout: done when every replica is ready and on the update revision. */
function databaseRollout(wanted: NonNullable<WantedWorkloads['database']>, sts: StatefulSet | undefined): RolloutReadiness {
  if (!sts) return { ready: false, message: `database StatefulSet not created yet` };
  const readyReplicas = sts.status?.readyReplicas ?? 0;
  const text = `database ${readyReplicas}/${wanted.replicas} ready on ${wanted.image ?? '(no image)'}`;
  if (podImage(sts) !== wanted.image || !observedCurrent(sts))
    return { ready: false, message: `${text} (the new spec is not rolled out yet)` };
  const current = sts.status?.currentRevision === sts.status?.updateRevision;
  const ready = readyReplicas === wanted.replicas && current;
  return { ready, message: current ? text : `${text}, pods of an older revision left` };
}

/** Returns whether the tenant's workloads run the wanted images, ready, with a message naming what is not. */
export function observeRollout(wanted: WantedWorkloads, dep: Deployment | undefined, sts: StatefulSet | undefined): RolloutReadiness {
  const parts = [
    ...(wanted.app ? [appRollout(wanted.app, dep)] : []),
    ...(wanted.database ? [databaseRollout(wanted.database, sts)] : [{ ready: true, message: 'database stopped (not needed)' }]),
  ];
  return { ready: parts.every((p) => p.ready), message: parts.map((p) => p.message).join('; ') };
}
