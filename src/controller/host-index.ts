// Tenant names by the host they claim, kept in step with the Tenant watch, so a host check (and a
// route that appears, changes or goes) looks at the tenants claiming that host, not every tenant.
import type { Tenant } from '../api/generated/index.js';

/** An index of tenants by the host they claim. */
export class HostIndex {
  private readonly byHost = new Map<string, Set<string>>();
  private readonly hostOfTenant = new Map<string, string>();

  constructor(
    /** The host a tenant claims, or undefined when it has none (its build context fails). */
    private readonly hostOf: (t: Tenant) => string | undefined,
  ) {}

  /** Updates the index for a Tenant that was added, changed or (with `deleted`) deleted. */
  update(t: Tenant, deleted = false): void {
    const name = t.metadata.name ?? '';
    const before = this.hostOfTenant.get(name);
    const host = deleted ? undefined : this.hostOf(t);
    if (before === host) return;
    if (before !== undefined) {
      const names = this.byHost.get(before);
      names?.delete(name);
      if (names?.size === 0) this.byHost.delete(before);
    }
    if (host === undefined) {
      this.hostOfTenant.delete(name);
      return;
    }
    this.hostOfTenant.set(name, host);
    const names = this.byHost.get(host) ?? new Set<string>();
    names.add(name);
    this.byHost.set(host, names);
  }

  /** Returns the names of the tenants that claim a host. */
  claimants(host: string): string[] {
    return [...(this.byHost.get(host) ?? [])];
  }
}
