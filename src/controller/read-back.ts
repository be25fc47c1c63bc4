// Checked reads of the objects the informer caches hold. A cache is looked up by kind, but nothing
// ties the key to the object's type: instead of a cast, a read checks that the object is of the
// kind the caller expects (its apiVersion and kind, which name the schema the API server validated
// it against) and only then types it as that kind; anything else reads as absent.
import type { KubernetesListObject, KubernetesObject, V1StorageClass } from '@kubernetes/client-node';
import type { Deployment, StatefulSet } from 'kubernetes-types/apps/v1.js';
import type { Job } from 'kubernetes-types/batch/v1.js';
import type { Namespace } from 'kubernetes-types/core/v1.js';
import type { BackupPolicy, Incident, ReleaseChannel, Restore, Tenant } from '../api/generated/index.js';

/** The wire-format type of each kind the controller reads from its caches, by `apiVersion/kind`. */
export interface ReadBackKinds {
  'v1/Namespace': Namespace;
  'apps/v1/Deployment': Deployment;
  'apps/v1/StatefulSet': StatefulSet;
  'batch/v1/Job': Job;
  /** The type storage-class.ts judges (a cached StorageClass is only read for its provisioner, parameters and annotations). */
  'storage.k8s.io/v1/StorageClass': V1StorageClass;
  'tenantry.io/v1alpha1/Tenant': Tenant;
  'tenantry.io/v1alpha1/BackupPolicy': BackupPolicy;
  'tenantry.io/v1alpha1/Restore': Restore;
  'tenantry.io/v1alpha1/Incident': Incident;
  'tenantry.io/v1alpha1/ReleaseChannel': ReleaseChannel;
}

/** One of {@link ReadBackKinds}. */
export type ReadBackKind = keyof ReadBackKinds;

/** Returns whether an object is of the kind `kind` names (`apiVersion/kind`). */
export function isKind<K extends ReadBackKind>(kind: K, o: KubernetesObject | undefined): o is KubernetesObject & ReadBackKinds[K] {
  return o !== undefined && `${o.apiVersion ?? ''}/${o.kind ?? ''}` === kind;
}

/** Returns the object as the kind `kind` names, or undefined when it is absent or of another kind. */
export function readAs<K extends ReadBackKind>(
  kind: K,
  o: KubernetesObject | undefined,
): (KubernetesObject & ReadBackKinds[K]) | undefined {
  return isKind(kind, o) ? o : undefined;
}

/** Returns the objects of a list that are of the kind `kind` names, leaving out any other. */
export function readAllAs<K extends ReadBackKind>(
  kind: K,
  list: readonly KubernetesObject[] | undefined,
): (KubernetesObject & ReadBackKinds[K])[] {
  return (list ?? []).filter((o): o is KubernetesObject & ReadBackKinds[K] => isKind(kind, o));
}

/** Returns whether an object's status has a condition of `type` that is "True" (a Job's Complete or Failed). */
export function hasTrueCondition(
  o: { status?: { conditions?: readonly { type?: string; status?: string }[] } } | undefined,
  type: string,
): boolean {
  return o?.status?.conditions?.some((c) => c.type === type && c.status === 'True') ?? false;
}

/** Returns `spec.replicas` of a workload (a manifest or a cached object) when it is a number. */
export function specReplicas(o: object | undefined): number | undefined {
  const spec = o !== undefined && 'spec' in o ? o.spec : undefined;
  if (typeof spec !== 'object' || spec === null || !('replicas' in spec)) return undefined;
  return typeof spec.replicas === 'number' ? spec.replicas : undefined;
}

/** Returns the continue token of a list page (`metadata.continue` on the wire), or undefined on the last page. */
export function listContinue(page: KubernetesListObject<KubernetesObject>): string | undefined {
  const meta: object | undefined = page.metadata;
  const token = meta !== undefined && 'continue' in meta ? meta.continue : undefined;
  return typeof token === 'string' && token !== '' ? token : undefined;
}
