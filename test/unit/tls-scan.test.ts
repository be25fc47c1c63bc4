// The TLS scanner wrapper (test/support/tls-scan.ts) on real sslscan 2.0.7 XML, captured from
// `openssl s_server` on loopback: one server offering TLS 1.0 to 1.3 with CBC and RSA-key-exchange
// suites and a certificate naming two hosts (every P4 rule broken), one offering only TLS 1.2
// ECDHE-ECDSA-GCM and TLS 1.3 with a certificate for exactly the host (none broken). Then the
// wrapper runs the real scanner against a Node TLS server started here.
import assert from 'node:assert/strict';
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../env/paths.js';
import { runTool } from '../env/proc.js';
import { parseSslscanXml, scanSummary, sslscan, tlsViolations } from '../support/tls-scan.js';

const HOST = 'tenant-a.example.test';
const fixture = (name: string) => readFileSync(join(repoRoot(), 'test', 'unit', 'fixtures', `sslscan-${name}.xml`), 'utf8');

test('tls-scan: parses protocols, suites and the certificate of real sslscan XML', () => {
  const scan = parseSslscanXml(fixture('weak'), `${HOST}@127.0.0.1:18443`);
  assert.equal(scan.target, `${HOST}@127.0.0.1:18443`);
  assert.deepEqual(
    scan.protocols.map((p) => `${p.name}=${p.enabled}`),
    ['SSLv2=false', 'SSLv3=false', 'TLSv1.0=true', 'TLSv1.1=true', 'TLSv1.2=true', 'TLSv1.3=true'],
  );
  assert.equal(scan.ciphers.length, 10);
  const find = (protocol: string, name: string) => scan.ciphers.find((c) => c.protocol === protocol && c.name === name);
  assert.deepEqual(find('TLSv1.2', 'AES128-SHA'), {
    protocol: 'TLSv1.2',
    name: 'AES128-SHA',
    bits: 128,
    kex: 'RSA',
    forwardSecret: false,
    cbc: true,
    rsaKeyExchange: true,
  });
  assert.deepEqual(find('TLSv1.2', 'ECDHE-RSA-AES128-SHA'), {
    protocol: 'TLSv1.2',
    name: 'ECDHE-RSA-AES128-SHA',
    bits: 128,
    kex: 'ECDHE',
    forwardSecret: true,
    cbc: true,
    rsaKeyExchange: false,
  });
  const gcm = find('TLSv1.2', 'ECDHE-RSA-AES128-GCM-SHA256');
  assert.ok(gcm && gcm.forwardSecret && !gcm.cbc && !gcm.rsaKeyExchange);
  const tls13 = scan.ciphers.filter((c) => c.protocol === 'TLSv1.3');
  assert.deepEqual(
    tls13.map((c) => c.name),
    ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256'],
  );
  assert.ok(tls13.every((c) => c.forwardSecret && !c.cbc && !c.rsaKeyExchange && c.kex === 'ECDHE'));
  assert.deepEqual(scan.certificate, { subject: HOST, altNames: [HOST, 'tenant-b.example.test'], issuer: 'tenantry test CA' });
  assert.match(scan.raw, /^<\?xml/);
});

test('tls-scan: a server with TLS 1.0, CBC and RSA key exchange breaks each rule, named', () => {
  const v = tlsViolations(parseSslscanXml(fixture('weak'), `${HOST}@127.0.0.1:18443`), HOST);
  const rules = (rule: string) => v.filter((x) => x.startsWith(`${HOST}: ${rule}: `)).map((x) => x.slice(`${HOST}: ${rule}: `.length));
  assert.deepEqual(rules('protocol other than TLSv1.2/TLSv1.3'), ['TLSv1.0 offered', 'TLSv1.1 offered']);
  assert.deepEqual(rules('suite without forward secrecy'), [
    'TLSv1.2 AES128-SHA (key exchange RSA)',
    'TLSv1.1 AES128-SHA (key exchange RSA)',
    'TLSv1.0 AES128-SHA (key exchange RSA)',
  ]);
  assert.deepEqual(rules('CBC-mode suite'), [
    'TLSv1.2 ECDHE-RSA-AES128-SHA',
    'TLSv1.2 AES128-SHA',
    'TLSv1.1 ECDHE-RSA-AES128-SHA',
    'TLSv1.1 AES128-SHA',
    'TLSv1.0 ECDHE-RSA-AES128-SHA',
    'TLSv1.0 AES128-SHA',
  ]);
  assert.deepEqual(rules('RSA key exchange'), ['TLSv1.2 AES128-SHA', 'TLSv1.1 AES128-SHA', 'TLSv1.0 AES128-SHA']);
  assert.deepEqual(rules('certificate names other than exactly the host'), [
    `subject "${HOST}", names [${HOST}, tenant-b.example.test], expected exactly [${HOST}]`,
  ]);
  assert.equal(v.length, 2 + 3 + 6 + 3 + 1);
});

test('tls-scan: only TLS 1.2 ECDHE-GCM and TLS 1.3 with a certificate for exactly the host: no violation', () => {
  const scan = parseSslscanXml(fixture('strong'), `${HOST}@127.0.0.1:18444`);
  assert.deepEqual(tlsViolations(scan, HOST), []);
  // The same scan judged for another host: the certificate does not name it.
  assert.deepEqual(tlsViolations(scan, 'tenant-b.example.test'), [
    `tenant-b.example.test: certificate names other than exactly the host: subject "${HOST}", names [${HOST}], expected exactly [tenant-b.example.test]`,
  ]);
  const summary = scanSummary(scan);
  assert.match(summary, /^sslscan tenant-a\.example\.test@127\.0\.0\.1:18444\n {2}protocols: TLSv1\.2, TLSv1\.3\n/);
  assert.match(summary, /TLSv1\.2: ECDHE-ECDSA-AES256-GCM-SHA384 \(ECDHE, 256 bits\), ECDHE-ECDSA-AES128-GCM-SHA256 \(ECDHE, 128 bits\)/);
  assert.match(summary, /certificate: subject tenant-a\.example\.test; names tenant-a\.example\.test; issuer tenantry test CA$/);
});

test('tls-scan: a scan that reached nothing is an error, and a host without TLS is a violation', () => {
  const refused = `<?xml version="1.0" encoding="UTF-8"?>
<document title="SSLScan Results" version="2.0.7" web="http://github.com/rbsec/sslscan">
  <error><![CDATA[Could not open a connection to host 127.0.0.1 (127.0.0.1) on port 18449.]]></error>
</document>`;
  assert.throws(() => parseSslscanXml(refused, 'x@127.0.0.1:18449'), /x@127\.0\.0\.1:18449: sslscan: Could not open a connection/);
  assert.throws(() => parseSslscanXml('Segmentation fault', 't'), /not sslscan XML/);
  const empty = parseSslscanXml(fixture('strong').replace(/<cipher [^>]*\/>\n/g, ''), 't');
  assert.deepEqual(tlsViolations(empty, HOST), [`${HOST}: no TLS: no cipher suite accepted at t`]);
});

test('tls-scan: sslscan() runs the real scanner with the SNI name against a Node TLS server', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tls-scan-'));
  let server: Server | undefined;
  try {
    const key = join(dir, 'k.pem');
    const crt = join(dir, 'c.pem');
    await runTool('openssl', [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      key,
      '-out',
      crt,
      '-days',
      '1',
      '-subj',
      `/CN=${HOST}`,
      '-addext',
      `subjectAltName=DNS:${HOST}`,
    ]);
    const sniSeen = new Set<string>();
    server = createServer({
      key: readFileSync(key),
      cert: readFileSync(crt),
      minVersion: 'TLSv1.2',
      ciphers: 'ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-CHACHA20-POLY1305',
      SNICallback: (name, cb) => {
        sniSeen.add(name);
        cb(null);
      },
    });
    server.on('tlsClientError', () => undefined);
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    const scan = await sslscan(HOST, port);
    assert.equal(scan.target, `${HOST}@127.0.0.1:${port}`);
    assert.deepEqual(
      scan.protocols.filter((p) => p.enabled).map((p) => p.name),
      ['TLSv1.2', 'TLSv1.3'],
    );
    assert.deepEqual(
      scan.ciphers.filter((c) => c.protocol === 'TLSv1.2').map((c) => c.name),
      ['ECDHE-ECDSA-AES128-GCM-SHA256', 'ECDHE-ECDSA-CHACHA20-POLY1305'],
    );
    assert.deepEqual(tlsViolations(scan, HOST), []);
    assert.ok(sniSeen.has(HOST), `the scanner sent SNI ${HOST} (saw ${[...sniSeen].join(', ')})`);
  } finally {
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    rmSync(dir, { recursive: true, force: true });
  }
});
