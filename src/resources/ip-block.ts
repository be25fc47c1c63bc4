// NetworkPolicy ipBlock peers for egress to address ranges (the app's configured egress, the backup
// agent's S3/KMS egress): each range with the exceptions that lie inside it, so that a wide range
// such as 0.0.0.0/0 never opens the metadata endpoint or the cluster's own networks.
import { cidrStrictlyContains, cidrWithin, METADATA_CIDRS, parseCidr, type Cidr } from '../net/cidr.js';

/** An egress peer by address range, as the NetworkPolicy API writes it. */
export interface IpBlockPeer {
  ipBlock: { cidr: string; except?: string[] };
}

/** Parses a CIDR from the configuration; throws naming the field (validation has already refused a bad one). */
function parse(text: string, field: string): Cidr {
  const c = parseCidr(text);
  if (typeof c === 'string') throw new Error(`${field} "${text}" ${c}`);
  return c;
}

/**
 * Returns the exceptions of tenant egress: the configured list, then the cluster's CIDRs, then
 * {@link METADATA_CIDRS}, leaving out any range already covered by another one in the list.
 */
export function egressExceptions(configured: readonly string[], clusterCidrs: readonly string[]): string[] {
  const all = [...configured, ...clusterCidrs, ...METADATA_CIDRS].map((text) => ({ text, cidr: parse(text, 'an egress exception') }));
  // A range inside another one excludes nothing more; the first of two equal ones is kept.
  return all
    .filter((a, i) => !all.some((b, j) => j !== i && (cidrStrictlyContains(b.cidr, a.cidr) || (j < i && cidrWithin(a.cidr, b.cidr)))))
    .map((a) => a.text);
}

/**
 * Returns the ipBlock peer for `cidr` with the exceptions that lie strictly inside it: the API
 * server refuses an `except` entry outside its `cidr` (or equal to it). An exception that contains
 * the whole range is left out too: such a rule names an internal destination on purpose.
 */
export function ipBlockPeer(cidr: string, except: readonly string[], field: string): IpBlockPeer {
  const outer = parse(cidr, field);
  const inside = except.filter((e) => cidrStrictlyContains(outer, parse(e, `${field} exception`)));
  return { ipBlock: inside.length > 0 ? { cidr, except: inside } : { cidr } };
}
