// Who was affected: frozen at the first evaluation, then only ever added to through the spec.
import type { IncidentSpec, IncidentSpecAffected } from '../api/generated/index.js';
import { formatRfc3339 } from '../lifecycle/timestamps.js';
import { matchesSelector } from './selector.js';
import type { AffectedTenant, TenantFacts } from './types.js';

/** spec.affected as a canonical JSON text, so two equal specs compare equal whatever their key order. */
export function affectedKey(affected: IncidentSpecAffected | Record<string, unknown> | undefined): string {
  return JSON.stringify(sortKeys(affected ?? {}));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (typeof value !== 'object' || value === null) return value;
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
  return Object.fromEntries(entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, v]) => [k, sortKeys(v)]));
}

/** Whether a tenant is named by spec.affected.tenants. */
function named(affected: IncidentSpecAffected, t: TenantFacts): boolean {
  return (affected.tenants ?? []).includes(t.name);
}

/** Whether a tenant matches spec.affected.selector or spec.affected.regions (the label- and region-based parts). */
function matchedByRule(affected: IncidentSpecAffected, t: TenantFacts): boolean {
  if (affected.selector !== undefined && matchesSelector(affected.selector, t.labels)) return true;
  return (affected.regions ?? []).includes(t.region);
}

function frozen(t: TenantFacts, now: Date): AffectedTenant {
  return { name: t.name, uid: t.uid, region: t.region, plan: t.plan, since: formatRfc3339(now) };
}

/**
 * The affected tenants, sorted by name. At the first evaluation (`previous` undefined): the
 * tenants matching the selector, the names or the regions. Later: `previous` unchanged (facts as
 * frozen, even for tenants since deleted or relabelled), plus tenants named in spec.affected.tenants
 * that were not in it, plus - only when spec.affected differs from `frozenFrom` (the spec.affected
 * the set was last frozen from) - tenants the selector or regions match now. Without a changed
 * spec, relabelling a tenant or creating a new one in an affected region changes nothing.
 */
export function freezeAffected(
  spec: Pick<IncidentSpec, 'affected'>,
  previous: readonly AffectedTenant[] | undefined,
  tenants: readonly TenantFacts[],
  now: Date,
  frozenFrom?: IncidentSpecAffected | Record<string, unknown>,
): AffectedTenant[] {
  const affected = spec.affected;
  const rerunRules = previous === undefined || frozenFrom === undefined || affectedKey(frozenFrom) !== affectedKey(affected);
  const byName = new Map((previous ?? []).map((a) => [a.name, a]));
  for (const t of tenants) {
    if (byName.has(t.name)) continue;
    if (named(affected, t) || (rerunRules && matchedByRule(affected, t))) byName.set(t.name, frozen(t, now));
  }
  return [...byName.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
