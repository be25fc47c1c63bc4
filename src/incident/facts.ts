// A Tenant object → the facts the incident engine decides on.
import type { Tenant } from '../api/generated/index.js';
import type { TenantFacts } from './types.js';

/** The name, uid, region, plan and labels of a Tenant (empty strings where the object has none). */
export function tenantFacts(tenant: Pick<Tenant, 'metadata' | 'spec'>): TenantFacts {
  return {
    name: tenant.metadata.name ?? '',
    uid: tenant.metadata.uid ?? '',
    region: String(tenant.spec?.region ?? ''),
    plan: String(tenant.spec?.plan ?? ''),
    labels: { ...(tenant.metadata.labels ?? {}) },
  };
}
