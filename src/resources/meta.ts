// Labels and metadata of every object a Tenant owns, in one place so that selectors, informers and
// builders agree. Ownership is carried by labels (with the Tenant's uid), never by ownerReferences:
// the garbage collector must not delete a tenant's data when its Tenant object is deleted (P9).
import { COMPONENT_LABEL, MANAGED_BY_LABEL, MANAGER, REGION_LABEL, TENANT_LABEL, TENANT_UID_LABEL } from '../api/names.js';
import type { BuildContext, OwnedObjectMeta } from './types.js';

/** Label with the kind of thing an object is (app, postgres, mariadb, tenant). */
export const NAME_LABEL = 'app.kubernetes.io/name';

/** The parts of a tenant; each is a value of the component label. */
export const Component = {
  App: 'app',
  Database: 'database',
  Ingress: 'ingress',
  Tls: 'tls',
  Backup: 'backup',
} as const;
/** One value of {@link Component}. */
export type ComponentName = (typeof Component)[keyof typeof Component];

/**
 * Returns the labels of an owned object. They are built from scratch, never copied from the
 * Tenant: a Tenant synced by Argo CD carries `app.kubernetes.io/instance` and `argocd.argoproj.io/*`,
 * and a child with those would be adopted, pruned or fought over by Argo CD.
 */
export function ownedLabels(ctx: BuildContext, component?: ComponentName, name?: string): Record<string, string> {
  const labels: Record<string, string> = {
    [MANAGED_BY_LABEL]: MANAGER,
    [NAME_LABEL]: name ?? component ?? 'tenant',
    [TENANT_LABEL]: ctx.tenant.metadata.name!,
    [TENANT_UID_LABEL]: ctx.tenant.metadata.uid!,
    [REGION_LABEL]: ctx.tenant.spec.region,
  };
  if (component) labels[COMPONENT_LABEL] = component;
  return labels;
}

/**
 * Returns the labels that select a component's pods. Deliberately fewer than {@link ownedLabels}:
 * a Deployment's or StatefulSet's selector is immutable, so it must not include anything that may
 * change (the engine name, for instance).
 */
export function selectorLabels(ctx: BuildContext, component: ComponentName): Record<string, string> {
  return { [TENANT_LABEL]: ctx.tenant.metadata.name!, [COMPONENT_LABEL]: component };
}

/** Options of {@link ownedMetadata}. */
export interface MetadataOptions {
  component?: ComponentName;
  /** Value of the name label; defaults to the component. */
  appName?: string;
  annotations?: Record<string, string>;
  /** False for cluster-scoped objects (the Namespace). */
  namespaced?: boolean;
  /** Extra labels, e.g. Pod Security labels on the Namespace. */
  extraLabels?: Record<string, string>;
}

/** Returns the metadata of an owned object: name, namespace and labels (no owner reference, see above). */
export function ownedMetadata(ctx: BuildContext, name: string, opts: MetadataOptions = {}): OwnedObjectMeta {
  const meta: OwnedObjectMeta = { name, labels: { ...ownedLabels(ctx, opts.component, opts.appName), ...opts.extraLabels } };
  if (opts.namespaced !== false) meta.namespace = ctx.namespace;
  // An empty annotations map is dropped by the API server; leaving it out keeps desired == stored.
  if (opts.annotations && Object.keys(opts.annotations).length > 0) meta.annotations = { ...opts.annotations };
  return meta;
}

/** Returns the name of the Secret cert-manager writes the tenant's certificate into. */
export function tlsSecretName(ctx: BuildContext): string {
  return `${ctx.tenant.metadata.name!}-tls`;
}
