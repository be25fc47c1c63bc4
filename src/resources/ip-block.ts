// NetworkPolicy ipBlock peers for egress to address ranges (the app's configured egress, the backup
// agent's S3/KMS egress): each range with the exceptions that lie inside it, so that a wide range
// such as 0.0.0.0/0 never opens the metadata endpoint or the cluster's own networks. The range
// arithmetic is src/net/cidr.ts, which the configuration's checks use too.
import { exceptionsInside } from '../net/cidr.js';

export { egressExceptions } from '../net/cidr.js';

/** An egress peer by address range, as the NetworkPolicy API writes it. */
export interface IpBlockPeer {
  ipBlock: { cidr: string; except?: string[] };
}

/** Returns the ipBlock peer for `cidr` with the exceptions that lie strictly inside it (see {@link exceptionsInside}). */
export function ipBlockPeer(cidr: string, except: readonly string[], field: string): IpBlockPeer {
  const inside = exceptionsInside(cidr, except, field);
  return { ipBlock: inside.length > 0 ? { cidr, except: inside } : { cidr } };
}
