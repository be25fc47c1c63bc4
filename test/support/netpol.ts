// Reading NetworkPolicy egress rules the way a network plugin does, for tests that ask "can this
// pod reach that address?" rather than compare lists of CIDRs.
import { cidrWithin, parseCidr, type Cidr } from '../../src/net/cidr.js';

type Json = Record<string, unknown>;

function parse(text: string): Cidr {
  const c = parseCidr(text);
  if (typeof c === 'string') throw new Error(`${text}: ${c}`);
  return c;
}

/** Tells whether egress rules (a NetworkPolicy's `spec.egress`) let a pod reach `ip` on TCP `port` through their ipBlocks. */
export function egressAllows(rules: Json[], ip: string, port: number): boolean {
  const address = parse(`${ip}/${ip.includes(':') ? 128 : 32}`);
  const within = (text: string) => cidrWithin(address, parse(text));
  return rules.some((r) => {
    const ports = (r.ports ?? []) as { port: number }[];
    const blocks = ((r.to ?? []) as { ipBlock?: { cidr: string; except?: string[] } }[])
      .map((p) => p.ipBlock)
      .filter((b) => b !== undefined);
    return ports.some((p) => p.port === port) && blocks.some((b) => within(b.cidr) && !(b.except ?? []).some(within));
  });
}
