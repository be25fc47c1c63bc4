// Integration test of the test CA standing in for cert-manager (test/env/test-ca-issuer.ts) against
// the real API server with cert-manager's own CRDs: a Certificate gets a kubernetes.io/tls Secret
// whose leaf names exactly its dnsNames, signed by the CA, with cert-manager's annotations and the
// secretTemplate, and a Ready status; changing the names issues again; a second Certificate
// pointing at the same Secret does not overwrite it.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, X509Certificate, createPrivateKey } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cacheDir } from '../env/paths.js';
import { ensureUpstreamCrds } from '../env/upstream-crds.js';
import { startTestCaIssuer, type TestCaIssuer } from '../env/test-ca-issuer.js';
import { applyObjects, eventually, getJson } from '../support/cluster.js';
import { kubectl, kubectlOk, testKubeconfig } from '../support/kubectl.js';

const RUN = randomBytes(3).toString('hex');
const NS = `test-ca-${RUN}`;
const HOST = `acme-${RUN}.tenants.example.test`;

interface CertJson {
  metadata: { generation: number };
  status?: {
    revision?: number;
    notBefore?: string;
    notAfter?: string;
    conditions?: { type: string; status: string; reason?: string; observedGeneration?: number }[];
  };
}
interface SecretJson {
  type: string;
  metadata: { labels?: Record<string, string>; annotations?: Record<string, string> };
  data: Record<string, string>;
}

let issuer: TestCaIssuer;
let dir: string;

function certificate(name: string, dnsNames: string[], secretName = 'tls'): unknown {
  return {
    apiVersion: 'cert-manager.io/v1',
    kind: 'Certificate',
    metadata: { name, namespace: NS },
    spec: {
      secretName,
      dnsNames,
      issuerRef: { name: 'tenantry-ca', kind: 'ClusterIssuer', group: 'cert-manager.io' },
      secretTemplate: { labels: { 'tenantry.io/tenant': 'acme' } },
    },
  };
}

/** What the issuer logged, for the message of a Certificate that never became Ready. */
const issuerLog: string[] = [];
const decode = (s: string) => Buffer.from(s, 'base64').toString('utf8');
const ready = (c: CertJson | undefined) => c?.status?.conditions?.find((x) => x.type === 'Ready');

/** Waits until the Certificate is Ready for its current generation at `revision`, and returns it with its Secret. */
async function issued(name: string, revision: number): Promise<{ cert: CertJson; secret: SecretJson; leaf: X509Certificate }> {
  const cert = await eventually(
    `Certificate ${name} Ready at revision ${revision}`,
    async () => {
      const c = await getJson<CertJson>('certificate.cert-manager.io', name, NS);
      const r = ready(c);
      return r?.status === 'True' && r.observedGeneration === c?.metadata.generation && c?.status?.revision === revision && c;
    },
    // Generous: on a loaded machine the issuer's first watch can take a while; its log says why if it never comes.
    60_000,
  ).catch((e: unknown) => {
    throw new Error(`${(e as Error).message}; the issuer logged: ${issuerLog.join(' | ') || 'nothing'}`);
  });
  const secret = (await getJson<SecretJson>('secret', 'tls', NS))!;
  return { cert, secret, leaf: new X509Certificate(decode(secret.data['tls.crt']!)) };
}

describe('test CA issuer', () => {
  before(async () => {
    const files = await ensureUpstreamCrds(join(cacheDir(), 'upstream-crds'));
    for (const f of files.filter((x) => x.endsWith('cert-manager.yaml')))
      await kubectlOk(['apply', '--server-side', '--field-manager=tenantry-tests', '-f', f]);
    await kubectlOk(['wait', '--for', 'condition=established', '--timeout=60s', 'crd/certificates.cert-manager.io']);
    await kubectlOk(['create', 'namespace', NS]);
    dir = mkdtempSync(join(tmpdir(), 'test-ca-'));
    issuer = await startTestCaIssuer({ kubeconfig: testKubeconfig(), dir, log: (line) => issuerLog.push(line) });
  });

  after(async () => {
    await issuer?.stop();
    await kubectl(['delete', 'namespace', NS, '--wait=false']);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('issues a kubernetes.io/tls Secret naming exactly the dnsNames, signed by the CA, and reports Ready', async () => {
    await applyObjects([certificate('acme', [HOST])]);
    const { cert, secret, leaf } = await issued('acme', 1);
    assert.equal(secret.type, 'kubernetes.io/tls');
    assert.deepEqual(Object.keys(secret.data).sort(), ['ca.crt', 'tls.crt', 'tls.key']);
    assert.equal(decode(secret.data['tls.crt']!).match(/BEGIN CERTIFICATE/g)?.length, 1, 'tls.crt holds the leaf alone');
    assert.equal(decode(secret.data['ca.crt']!), issuer.caCertPem);
    assert.equal(leaf.subjectAltName, `DNS:${HOST}`);
    assert.equal(leaf.subject, `CN=${HOST}`);
    const ca = new X509Certificate(issuer.caCertPem);
    assert.ok(leaf.checkIssued(ca) && leaf.verify(ca.publicKey), 'signed by the test CA');
    assert.equal(leaf.publicKey.asymmetricKeyDetails?.namedCurve, 'prime256v1');
    assert.ok(leaf.checkPrivateKey(createPrivateKey(decode(secret.data['tls.key']!))), 'tls.key is the leaf key');
    assert.deepEqual(
      { ...secret.metadata.annotations },
      {
        'cert-manager.io/certificate-name': 'acme',
        'cert-manager.io/issuer-name': 'tenantry-ca',
        'cert-manager.io/issuer-kind': 'ClusterIssuer',
        'cert-manager.io/issuer-group': 'cert-manager.io',
        'cert-manager.io/alt-names': HOST,
        'cert-manager.io/common-name': HOST,
        'cert-manager.io/ip-sans': '',
        'cert-manager.io/uri-sans': '',
      },
    );
    assert.equal(secret.metadata.labels?.['tenantry.io/tenant'], 'acme', 'secretTemplate labels');
    assert.equal(cert.status?.notBefore, new Date(leaf.validFrom).toISOString().replace(/\.\d{3}Z$/, 'Z'));
    assert.equal(cert.status?.notAfter, new Date(leaf.validTo).toISOString().replace(/\.\d{3}Z$/, 'Z'));
  });

  test('issues again when the dnsNames change', async () => {
    const before = (await issued('acme', 1)).leaf.serialNumber;
    await applyObjects([certificate('acme', [HOST, `www.${HOST}`])]);
    const { leaf, secret } = await issued('acme', 2);
    assert.notEqual(leaf.serialNumber, before);
    assert.equal(leaf.subjectAltName, `DNS:${HOST}, DNS:www.${HOST}`);
    assert.equal(secret.metadata.annotations?.['cert-manager.io/alt-names'], `${HOST},www.${HOST}`);
  });

  test('never overwrites a Secret another Certificate owns', async () => {
    await applyObjects([certificate('intruder', ['evil.example.test'])]);
    const c = await eventually(
      'the intruder to be refused',
      async () => {
        const x = await getJson<CertJson>('certificate.cert-manager.io', 'intruder', NS);
        return ready(x)?.status === 'False' && x;
      },
      30_000,
    );
    assert.equal(ready(c)?.reason, 'SecretOwnedByAnotherCertificate');
    const { leaf, secret } = await issued('acme', 2);
    assert.equal(secret.metadata.annotations?.['cert-manager.io/certificate-name'], 'acme');
    assert.equal(leaf.subjectAltName, `DNS:${HOST}, DNS:www.${HOST}`);
  });
});
