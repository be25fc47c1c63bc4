// A real TLS scanner against a host, parsed: `sslscan` (Debian package) connects with the host's
// SNI to an address and port, tries every protocol and cipher suite, and reports what the server
// accepted and which certificate it showed. tlsViolations() judges the result against promise P4:
// only TLS 1.2 and 1.3, every suite forward-secret and AEAD (no CBC mode, no RSA key exchange), and a
// certificate that names the tenant's host and nothing else.
import { runTool } from '../env/proc.js';

/** What the scanner found on one host. */
export interface TlsScan {
  /** host@ip:port */
  target: string;
  /** SSLv2 .. TLSv1.3 as sslscan reports them. */
  protocols: { name: string; enabled: boolean }[];
  ciphers: { protocol: string; name: string; bits: number; kex: string; forwardSecret: boolean; cbc: boolean; rsaKeyExchange: boolean }[];
  certificate: { subject: string; altNames: string[]; issuer: string };
  /** The scanner's XML. */
  raw: string;
}

type Cipher = TlsScan['ciphers'][number];

/** The protocols P4 allows. */
const ALLOWED_PROTOCOLS = new Set(['TLSv1.2', 'TLSv1.3']);

/** Reads the attributes of one XML start tag. */
function attributes(tag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of tag.matchAll(/([\w-]+)="([^"]*)"/g)) out[m[1]!] = unescapeXml(m[2]!);
  return out;
}

function unescapeXml(s: string): string {
  return s.replace(/&(lt|gt|quot|apos|amp);/g, (_, e: string) => ({ lt: '<', gt: '>', quot: '"', apos: "'", amp: '&' })[e]!);
}

/** The text of the first element `name` inside `xml` (CDATA or plain), or ''. */
function elementText(xml: string, name: string): string {
  const m = new RegExp(`<${name}>(?:<!\\[CDATA\\[([\\s\\S]*?)\\]\\]>|([^<]*))</${name}>`).exec(xml);
  return m ? (m[1] ?? unescapeXml(m[2] ?? '')).trim() : '';
}

/** sslscan's protocol element as the name it uses for cipher versions: ssl 3 → SSLv3, tls 1.2 → TLSv1.2. */
function protocolName(type: string, version: string): string {
  return `${type.toUpperCase()}v${version}`;
}

/**
 * The key exchange of a suite from its OpenSSL name (TLS 1.3 suites do not name it: always
 * ephemeral, the group in `curve`/`dhebits`). Static ECDH/DH and anonymous suites count as not forward-secret.
 */
function keyExchange(protocol: string, name: string, attrs: Record<string, string>): string {
  if (protocol === 'TLSv1.3') return attrs.dhebits ? 'DHE' : 'ECDHE';
  const prefixes: [RegExp, string][] = [
    [/^ECDHE-/, 'ECDHE'],
    [/^(DHE|EDH)-/, 'DHE'],
    [/^AECDH-/, 'AECDH'],
    [/^ADH-/, 'ADH'],
    [/^ECDH-/, 'ECDH'],
    [/^DH-/, 'DH'],
    [/^(RSA-)?PSK-|^PSK-/, 'PSK'],
    [/^SRP-/, 'SRP'],
  ];
  for (const [re, kex] of prefixes) if (re.test(name)) return kex;
  return 'RSA';
}

/** Whether a suite encrypts in CBC mode (block cipher without GCM, CCM or ChaCha20-Poly1305). */
function isCbc(name: string): boolean {
  if (/GCM|CCM|CHACHA20|POLY1305/.test(name)) return false;
  return /AES|CAMELLIA|ARIA|SEED|DES|IDEA|CBC/.test(name);
}

/** Parses sslscan 2.x `--xml` output; pure. */
export function parseSslscanXml(xml: string, target: string): TlsScan {
  if (!/<document[^>]*title="SSLScan Results"/.test(xml)) throw new Error(`${target}: not sslscan XML output: ${xml.slice(0, 200)}`);
  const error = elementText(xml, 'error');
  if (error) throw new Error(`${target}: sslscan: ${error}`);
  const protocols = [...xml.matchAll(/<protocol\s[^>]*\/>/g)].map((m) => {
    const a = attributes(m[0]);
    return { name: protocolName(a.type ?? '', a.version ?? ''), enabled: a.enabled === '1' };
  });
  const ciphers = [...xml.matchAll(/<cipher\s[^>]*\/>/g)].map((m): Cipher => {
    const a = attributes(m[0]);
    const protocol = a.sslversion ?? '';
    const name = a.cipher ?? '';
    const kex = keyExchange(protocol, name, a);
    return {
      protocol,
      name,
      bits: Number(a.bits ?? 0),
      kex,
      forwardSecret: kex === 'ECDHE' || kex === 'DHE',
      cbc: isCbc(name),
      rsaKeyExchange: kex === 'RSA',
    };
  });
  const cert = /<certificate\b[^>]*>([\s\S]*?)<\/certificate>/.exec(xml)?.[1] ?? '';
  const altNames = elementText(cert, 'altnames')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((s) => s.replace(/^DNS:/, ''));
  return {
    target,
    protocols,
    ciphers,
    certificate: { subject: elementText(cert, 'subject'), altNames, issuer: elementText(cert, 'issuer') },
    raw: xml,
  };
}

/** Runs `sslscan --sni-name=<host> --xml=- <ip>:<port>` and parses what it found. */
export async function sslscan(host: string, port: number, ip = '127.0.0.1'): Promise<TlsScan> {
  const address = ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
  const out = await runTool('sslscan', ['--no-colour', `--sni-name=${host}`, '--xml=-', address]);
  const start = out.indexOf('<?xml');
  return parseSslscanXml(start >= 0 ? out.slice(start) : out, `${host}@${ip}:${port}`);
}

/** Each rule of P4 the scan breaks, naming the host, the rule and what broke it; empty when none. */
export function tlsViolations(scan: TlsScan, host: string): string[] {
  const out: string[] = [];
  const v = (rule: string, what: string) => out.push(`${host}: ${rule}: ${what}`);
  for (const p of scan.protocols)
    if (p.enabled && !ALLOWED_PROTOCOLS.has(p.name)) v('protocol other than TLSv1.2/TLSv1.3', `${p.name} offered`);
  if (scan.ciphers.length === 0) v('no TLS', `no cipher suite accepted at ${scan.target}`);
  for (const c of scan.ciphers) {
    const suite = `${c.protocol} ${c.name}`;
    if (!c.forwardSecret) v('suite without forward secrecy', `${suite} (key exchange ${c.kex})`);
    if (c.cbc) v('CBC-mode suite', suite);
    if (c.rsaKeyExchange) v('RSA key exchange', suite);
    if (!c.cbc && !/GCM|CCM|CHACHA20|POLY1305/.test(c.name)) v('suite without AEAD encryption', suite);
  }
  const names = [...new Set(scan.certificate.altNames.map((n) => n.toLowerCase()))];
  const subject = scan.certificate.subject.replace(/^.*CN\s*=\s*/, '').toLowerCase();
  if (names.length !== 1 || names[0] !== host.toLowerCase() || (subject !== '' && subject !== host.toLowerCase()))
    v(
      'certificate names other than exactly the host',
      `subject ${JSON.stringify(scan.certificate.subject)}, names [${scan.certificate.altNames.join(', ')}], expected exactly [${host}]`,
    );
  return out;
}

/** A few lines for the test output: protocols, suites per protocol, certificate. */
export function scanSummary(scan: TlsScan): string {
  const enabled = scan.protocols.filter((p) => p.enabled).map((p) => p.name);
  const lines = [`sslscan ${scan.target}`, `  protocols: ${enabled.join(', ') || 'none'}`];
  for (const protocol of [...new Set(scan.ciphers.map((c) => c.protocol))])
    lines.push(
      `  ${protocol}: ${scan.ciphers
        .filter((c) => c.protocol === protocol)
        .map((c) => `${c.name} (${c.kex}, ${c.bits} bits)`)
        .join(', ')}`,
    );
  const c = scan.certificate;
  lines.push(`  certificate: subject ${c.subject || '-'}; names ${c.altNames.join(', ') || '-'}; issuer ${c.issuer || '-'}`);
  return lines.join('\n');
}
