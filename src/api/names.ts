// Names and labels shared by every object Tenantry owns, so selectors and builders agree.

/** Label every owned object carries; informers select on it. */
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
/** Value of {@link MANAGED_BY_LABEL} on owned objects, and the server-side-apply field manager. */
export const MANAGER = 'tenantry';
/** Label naming the Tenant an object belongs to. */
export const TENANT_LABEL = 'tenantry.io/tenant';
/**
 * Label with the uid of the Tenant an object belongs to. Ownership is marked by labels, not
 * ownerReferences: an ownerReference lets `kubectl delete tenant` (or a GitOps prune with foreground
 * propagation) delete the namespace, database and credentials at once, before retention allows it.
 * The uid tells this Tenant's objects from those of an earlier Tenant of the same name.
 */
export const TENANT_UID_LABEL = 'tenantry.io/tenant-uid';
/** Label with the Tenant's region (data residency is visible on every object). */
export const REGION_LABEL = 'tenantry.io/region';
/** Label naming the component inside a tenant (app, database, backup). */
export const COMPONENT_LABEL = 'app.kubernetes.io/component';
/** Annotation with the hash of the desired manifest last applied, so a change of ours is seen even where a field was removed. */
export const APPLIED_HASH_ANNOTATION = 'tenantry.io/applied-hash';
/** Annotation an administrator sets on a StorageClass they vouch for as encrypted. */
export const ENCRYPTED_CLASS_ANNOTATION = 'tenantry.io/encrypted';
/** Label selector for everything Tenantry owns. */
export const OWNED_SELECTOR = `${MANAGED_BY_LABEL}=${MANAGER}`;

/** Length of the `tenant-` prefix of a tenant namespace. */
const NAMESPACE_PREFIX = 'tenant-';

/** Returns the namespace of a tenant. */
export function tenantNamespace(tenantName: string): string {
  return NAMESPACE_PREFIX + tenantName;
}

/** Returns the tenant a namespace belongs to by its name, or undefined when it is not a tenant namespace. */
export function tenantOfNamespace(namespace: string): string | undefined {
  return namespace.startsWith(NAMESPACE_PREFIX) ? namespace.slice(NAMESPACE_PREFIX.length) : undefined;
}
