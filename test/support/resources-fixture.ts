// Tenants and operator configurations for the resource builder tests (unit and integration), so
// both build from the same inputs.
import assert from 'node:assert/strict';
import type { Tenant, TenantSpecDatabaseEngine } from '../../src/api/generated/index.js';
import { MANAGED_BY_LABEL, REGION_LABEL, TENANT_LABEL, TENANT_UID_LABEL } from '../../src/api/names.js';
import { parseConfig, type IngressConfig, type OperatorConfig } from '../../src/config.js';

/** The ingress set-ups under test: each provider, and the gateway's two ways of holding the certificate. */
export const INGRESS_VARIANTS = ['nginx', 'traefik', 'gateway-listenerset', 'gateway-shared'] as const;
/** One of {@link INGRESS_VARIANTS}. */
export type IngressVariant = (typeof INGRESS_VARIANTS)[number];
/** The database engines under test. */
export const ENGINES: readonly TenantSpecDatabaseEngine[] = ['postgres', 'mariadb'];

/** Labels a GitOps tool (or a person) puts on a Tenant; none may reach a child. */
export const GITOPS_LABELS = {
  'app.kubernetes.io/instance': 'customers',
  'argocd.argoproj.io/instance': 'customers',
  'kustomize.toolkit.fluxcd.io/name': 'customers',
  'team.example.com/owner': 'billing',
};
/** Annotations a GitOps tool puts on a Tenant; none may reach a child. */
export const GITOPS_ANNOTATIONS = {
  'argocd.argoproj.io/sync-options': 'Prune=false',
  'argocd.argoproj.io/tracking-id': 'customers:tenantry.io/Tenant:/acme',
  'kubectl.kubernetes.io/last-applied-configuration': '{"secret":"do-not-copy"}',
};

/** Returns a validated configuration for an ingress variant, with optional extra settings merged in. */
export function fixtureConfig(variant: IngressVariant, extra: Record<string, unknown> = {}): OperatorConfig {
  const provider: IngressConfig['provider'] = variant.startsWith('gateway') ? 'gateway' : (variant as 'nginx' | 'traefik');
  const ingress: Record<string, unknown> = {
    provider,
    className: provider,
    controllerNamespace: provider === 'gateway' ? 'gateway' : provider === 'traefik' ? 'traefik' : 'ingress-nginx',
    controllerPodLabels:
      provider === 'traefik'
        ? { 'app.kubernetes.io/name': 'traefik' }
        : provider === 'gateway'
          ? { 'gateway.envoyproxy.io/owning-gateway-name': 'tenants' }
          : { 'app.kubernetes.io/name': 'ingress-nginx' },
    gateway: { tlsListener: variant === 'gateway-shared' ? 'Gateway' : 'ListenerSet' },
  };
  return parseConfig({
    regions: {
      'eu-west-1': {
        storageClassName: 'ebs-encrypted-eu-west-1',
        kmsKeyId: 'alias/tenantry-eu-west-1',
        backupBucket: 'tenantry-backups-eu-west-1',
      },
      'us-east-1': {
        storageClassName: 'ebs-encrypted-us-east-1',
        kmsKeyId: 'alias/tenantry-us-east-1',
        backupBucket: 'tenantry-backups-us-east-1',
        nodeSelector: { 'topology.kubernetes.io/region': 'us-east-1', 'node.example.com/pool': 'tenants' },
      },
    },
    baseDomain: 'tenants.example.com',
    ingress,
    ...extra,
  });
}

/** Returns a Tenant as the API server would store it (with a uid), carrying GitOps labels and annotations. */
export function fixtureTenant(
  name: string,
  engine: TenantSpecDatabaseEngine,
  spec: Partial<Tenant['spec']> = {},
  uid = '6f1c2a3e-1d2b-4c5d-8e9f-0a1b2c3d4e5f',
): Tenant {
  return {
    apiVersion: 'tenantry.io/v1alpha1',
    kind: 'Tenant',
    metadata: { name, uid, generation: 1, labels: { ...GITOPS_LABELS }, annotations: { ...GITOPS_ANNOTATIONS } },
    spec: {
      plan: 'trial',
      region: 'eu-west-1',
      app: { replicas: 1 },
      database: { engine },
      lifecycle: { deletionProtection: false },
      suspend: false,
      ...spec,
    },
  };
}

/**
 * Asserts what every child of the fixture tenant `acme` carries: our managed-by, tenant, tenant-uid
 * and region labels, and no ownerReference (the garbage collector must never delete a tenant's
 * objects with its Tenant). `id` names the object in failures.
 */
export function assertOwnedByAcme(
  m: { metadata: { labels: Record<string, string>; ownerReferences?: unknown } },
  tenant: Tenant,
  id: string,
): void {
  assert.equal(m.metadata.labels[MANAGED_BY_LABEL], 'tenantry', id);
  assert.equal(m.metadata.labels[TENANT_LABEL], 'acme', id);
  assert.equal(m.metadata.labels[REGION_LABEL], 'eu-west-1', id);
  assert.ok(tenant.metadata.uid, 'the fixture tenant has a uid');
  assert.equal(m.metadata.labels[TENANT_UID_LABEL], tenant.metadata.uid, id);
  assert.equal(m.metadata.ownerReferences, undefined, id);
}
