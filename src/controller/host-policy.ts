// Which hosts a Tenant may be served on. A Tenant names its own `spec.host`, and the route and
// certificate Tenantry builds for it are as good as a DNS record for that name: without a limit,
// a Tenant could claim another team's host (admin.example.com), get a catch-all route merged into
// theirs by the ingress controller, and a certificate for it. So a host must be `baseDomain`, one
// of `allowedDomains`, or a name under one of them.
import type { OperatorConfig } from '../config.js';

/** A lowercase DNS name: labels of a-z, 0-9 and '-', not empty, not starting or ending with '-'. */
const DNS_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Returns the domains Tenants may be served on: `baseDomain` first, then `allowedDomains`, lowercase, without repeats. */
export function allowedDomains(config: Pick<OperatorConfig, 'baseDomain' | 'allowedDomains'>): string[] {
  return [...new Set([config.baseDomain, ...(config.allowedDomains ?? [])].map((d) => d.toLowerCase()))];
}

/**
 * Tells whether a host is one of the domains or a name under one, compared in lowercase and on a
 * label boundary: `shop.example.com` is under `example.com`, `evilexample.com` is not.
 */
export function isHostAllowed(host: string, domains: readonly string[]): boolean {
  const h = host.toLowerCase();
  // Empty labels (".example.com", "a..example.com") would pass a bare suffix test.
  if (!DNS_NAME.test(h)) return false;
  return domains.some((d) => {
    const domain = d.toLowerCase();
    return h === domain || h.endsWith(`.${domain}`);
  });
}
