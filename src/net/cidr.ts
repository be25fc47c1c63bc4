// IPv4 and IPv6 networks (CIDRs) in the one strict form the API server stores, and how they nest.
// The operator configuration (egress rules, cluster ranges) and the NetworkPolicy builders read
// CIDRs only through this module, so a range the configuration accepts is one a builder can use.

/**
 * Ranges no tenant pod may reach whatever the configuration says: link-local (IPv4 and IPv6),
 * where the cloud metadata and credentials endpoints answer (169.254.169.254, 169.254.170.2), and
 * the EC2 metadata endpoint's IPv6 address. An instance's credentials are not a tenant's.
 */
export const METADATA_CIDRS: readonly string[] = ['169.254.0.0/16', 'fe80::/10', 'fd00:ec2::254/128'];

/** An IPv4 or IPv6 network: its family, its address as an integer and its prefix length. */
export interface Cidr {
  family: 4 | 6;
  address: bigint;
  prefix: number;
}

function parseIPv4(s: string): bigint | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0n;
  for (const p of parts) {
    // No leading zeros: some parsers read them as octal, and the API server warns about them.
    if (!/^(0|[1-9][0-9]{0,2})$/.test(p) || Number(p) > 255) return undefined;
    n = (n << 8n) | BigInt(p);
  }
  return n;
}

function parseIPv6(s: string): bigint | undefined {
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const groupsOf = (h: string): string[] => (h === '' ? [] : h.split(':'));
  const head = groupsOf(halves[0]!);
  const tail = halves.length === 2 ? groupsOf(halves[1]!) : [];
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  let n = 0n;
  for (const g of [...head, ...new Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail]) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
    n = (n << 16n) | BigInt(`0x${g}`);
  }
  return n;
}

/** Writes an IPv6 address the way the API server does (RFC 5952: lowercase, longest zero run as ::). */
function formatIPv6(n: bigint): string {
  const groups = Array.from({ length: 8 }, (_, i) => Number((n >> BigInt(16 * (7 - i))) & 0xffffn));
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) [best, bestLen] = [i, j - i];
    i = j === i ? i + 1 : j;
  }
  const hex = (g: number[]) => g.map((x) => x.toString(16)).join(':');
  return best < 0 ? hex(groups) : `${hex(groups.slice(0, best))}::${hex(groups.slice(best + bestLen))}`;
}

/**
 * Parses a CIDR in canonical form (no host bits, no leading zeros, IPv6 as RFC 5952), or returns
 * what is wrong with it: the API server stores a non-canonical CIDR with a warning or refuses it.
 */
export function parseCidr(text: string): Cidr | string {
  const m = /^([^/]+)\/(0|[1-9][0-9]{0,2})$/.exec(text);
  if (!m) return 'must be a CIDR such as 192.0.2.0/24';
  const [, ip, prefixText] = m as unknown as [string, string, string];
  const family = ip.includes(':') ? 6 : 4;
  const address = family === 4 ? parseIPv4(ip) : parseIPv6(ip);
  const bits = family === 4 ? 32 : 128;
  const prefix = Number(prefixText);
  if (address === undefined) return 'must be a CIDR such as 192.0.2.0/24';
  if (prefix > bits) return `has a prefix longer than ${bits}`;
  const host = bits - prefix;
  const network = (address >> BigInt(host)) << BigInt(host);
  if (network !== address || (family === 6 && formatIPv6(address) !== ip)) {
    const canonical =
      family === 4 ? Array.from({ length: 4 }, (_, i) => Number((network >> BigInt(8 * (3 - i))) & 0xffn)).join('.') : formatIPv6(network);
    return `must be written as ${canonical}/${prefix} (the network address, canonical form)`;
  }
  return { family, address, prefix };
}

/** Tells whether `inner` lies inside `outer` and is smaller (what a NetworkPolicy ipBlock's `except` must be). */
export function cidrStrictlyContains(outer: Cidr, inner: Cidr): boolean {
  if (outer.family !== inner.family || inner.prefix <= outer.prefix) return false;
  const shift = BigInt((outer.family === 4 ? 32 : 128) - outer.prefix);
  return inner.address >> shift === outer.address >> shift;
}

/** Tells whether `inner` lies inside `outer` or is the same network. */
export function cidrWithin(inner: Cidr, outer: Cidr): boolean {
  return (
    cidrStrictlyContains(outer, inner) ||
    (outer.family === inner.family && outer.prefix === inner.prefix && outer.address === inner.address)
  );
}

/** Returns the single-address network (/32 or /128) of an IP address, or undefined when `text` is none. */
export function hostCidr(text: string): string | undefined {
  const family = text.includes(':') ? 6 : 4;
  const address = family === 4 ? parseIPv4(text) : parseIPv6(text);
  if (address === undefined) return undefined;
  return family === 4 ? `${text}/32` : `${formatIPv6(address)}/128`;
}

/** Tells whether every address of `target` lies in one of `ranges` (together, not only each alone). */
export function cidrCovered(target: Cidr, ranges: readonly Cidr[]): boolean {
  const same = ranges.filter((r) => r.family === target.family);
  if (same.some((r) => cidrWithin(target, r))) return true;
  const bits = target.family === 4 ? 32 : 128;
  // Split only where some range lies strictly inside: otherwise the halves are no better covered.
  if (target.prefix >= bits || !same.some((r) => cidrStrictlyContains(target, r))) return false;
  const prefix = target.prefix + 1;
  const upper = target.address | (1n << BigInt(bits - prefix));
  return cidrCovered({ ...target, prefix }, same) && cidrCovered({ family: target.family, address: upper, prefix }, same);
}

/** Parses a CIDR the configuration has already accepted; throws naming the field otherwise. */
export function mustParseCidr(text: string, field: string): Cidr {
  const c = parseCidr(text);
  if (typeof c === 'string') throw new Error(`${field} "${text}" ${c}`);
  return c;
}

/**
 * Returns the exceptions of tenant egress: the configured list, then the cluster's CIDRs, then
 * {@link METADATA_CIDRS}, leaving out any range already covered by another one in the list.
 */
export function egressExceptions(configured: readonly string[], clusterCidrs: readonly string[]): string[] {
  const all = [...configured, ...clusterCidrs, ...METADATA_CIDRS].map((text) => ({
    text,
    cidr: mustParseCidr(text, 'an egress exception'),
  }));
  // A range inside another one excludes nothing more; the first of two equal ones is kept.
  return all
    .filter((a, i) => !all.some((b, j) => j !== i && (cidrStrictlyContains(b.cidr, a.cidr) || (j < i && cidrWithin(a.cidr, b.cidr)))))
    .map((a) => a.text);
}

/**
 * Returns the exceptions that lie strictly inside `cidr`, the only ones a NetworkPolicy ipBlock
 * may carry: the API server refuses an `except` entry outside its `cidr` (or equal to it). An
 * exception that contains the whole range is left out too: such a rule names an internal
 * destination on purpose.
 */
export function exceptionsInside(cidr: string, except: readonly string[], field: string): string[] {
  const outer = mustParseCidr(cidr, field);
  return except.filter((e) => cidrStrictlyContains(outer, mustParseCidr(e, `${field} exception`)));
}
