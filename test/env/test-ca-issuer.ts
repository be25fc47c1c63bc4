// A test CA standing in for cert-manager: the cert-manager controller does not build from the Go
// module proxy (its main is a nested module the proxy does not serve), so this does what its CA
// issuer does for each cert-manager.io/v1 Certificate: it writes spec.secretName as a
// kubernetes.io/tls Secret (the leaf alone in tls.crt, its key in tls.key, the CA in ca.crt) whose
// certificate names exactly spec.dnsNames, with the annotations cert-manager sets, and reports the
// Certificate Ready with its validity and revision. It issues again when the names change, and
// never overwrites a Secret that belongs to another Certificate.
import { X509Certificate } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { KubeConfig, type KubernetesListObject, type KubernetesObject } from '@kubernetes/client-node';
import { ApiError, KubeRest } from '../../src/runtime/rest.js';
import { ResilientInformer } from '../../src/runtime/informer.js';
import { signLeaf } from './certs.js';
import { runTool } from './proc.js';

/** A running test CA. */
export interface TestCaIssuer {
  readonly caCertFile: string;
  readonly caCertPem: string;
  stop(): Promise<void>;
}

/** The parts of a cert-manager.io/v1 Certificate the issuer reads and writes. */
interface Certificate extends KubernetesObject {
  metadata: { name: string; namespace: string; uid?: string; generation?: number; labels?: Record<string, string> };
  spec: {
    secretName: string;
    dnsNames?: string[];
    commonName?: string;
    duration?: string;
    usages?: string[];
    issuerRef: { name: string; kind?: string; group?: string };
    secretTemplate?: { labels?: Record<string, string>; annotations?: Record<string, string> };
  };
  status?: { revision?: number; conditions?: { type: string; status: string; observedGeneration?: number }[] };
}

interface SecretJson {
  metadata: { annotations?: Record<string, string> };
  data?: Record<string, string>;
}

const CERTS = '/apis/cert-manager.io/v1/certificates';
const ANN = {
  certificateName: 'cert-manager.io/certificate-name',
  issuerName: 'cert-manager.io/issuer-name',
  issuerKind: 'cert-manager.io/issuer-kind',
  issuerGroup: 'cert-manager.io/issuer-group',
  altNames: 'cert-manager.io/alt-names',
  commonName: 'cert-manager.io/common-name',
  ipSans: 'cert-manager.io/ip-sans',
  uriSans: 'cert-manager.io/uri-sans',
};
/** cert-manager's default lifetime of a certificate: 90 days. */
const DEFAULT_DAYS = 90;
/** cert-manager's default key usages. */
const DEFAULT_USAGES = ['digital signature', 'key encipherment'];
const KEY_USAGE: Record<string, string> = {
  'digital signature': 'digitalSignature',
  'key encipherment': 'keyEncipherment',
  'content commitment': 'nonRepudiation',
  'key agreement': 'keyAgreement',
};
const EXT_KEY_USAGE: Record<string, string> = { 'server auth': 'serverAuth', 'client auth': 'clientAuth' };

/** Days of a Go duration such as 2160h or 720h0m0s (whole days, at least one). */
function durationDays(d: string | undefined): number {
  if (!d) return DEFAULT_DAYS;
  const m = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(d);
  if (!m || d === '') throw new Error(`spec.duration ${d} is not a duration this test CA understands`);
  const hours = Number(m[1] ?? 0) + Number(m[2] ?? 0) / 60 + Number(m[3] ?? 0) / 3600;
  return Math.max(1, Math.ceil(hours / 24));
}

/** The X.509 extensions of the leaf: exactly the dnsNames as SANs, and the Certificate's usages. */
function leafExtensions(cert: Certificate): string[] {
  const usages = cert.spec.usages?.length ? cert.spec.usages : DEFAULT_USAGES;
  const ku = usages.map((u) => KEY_USAGE[u]).filter((u): u is string => !!u);
  const eku = usages.map((u) => EXT_KEY_USAGE[u]).filter((u): u is string => !!u);
  return [
    'basicConstraints=CA:FALSE',
    ...(ku.length ? [`keyUsage=critical,${ku.join(',')}`] : []),
    ...(eku.length ? [`extendedKeyUsage=${eku.join(',')}`] : []),
    `subjectAltName=${(cert.spec.dnsNames ?? []).map((n) => `DNS:${n}`).join(',')}`,
  ];
}

/** The annotations cert-manager puts on the Secret it issues. */
function secretAnnotations(cert: Certificate): Record<string, string> {
  const names = cert.spec.dnsNames ?? [];
  return {
    [ANN.certificateName]: cert.metadata.name,
    [ANN.issuerName]: cert.spec.issuerRef.name,
    [ANN.issuerKind]: cert.spec.issuerRef.kind ?? 'Issuer',
    [ANN.issuerGroup]: cert.spec.issuerRef.group ?? 'cert-manager.io',
    [ANN.altNames]: names.join(','),
    [ANN.commonName]: cert.spec.commonName ?? names[0] ?? '',
    [ANN.ipSans]: '',
    [ANN.uriSans]: '',
  };
}

const key = (c: Certificate) => `${c.metadata.namespace}/${c.metadata.name}`;
const b64 = (s: string | Buffer) => Buffer.from(s).toString('base64');

/** The issuer: a CA on disk, a Certificate watch, and one issuance at a time (openssl keeps a serial file). */
class Issuer implements TestCaIssuer {
  readonly caCertFile: string;
  readonly caCertPem: string;
  private readonly caDir: string;
  private readonly rest: KubeRest;
  private readonly kc: KubeConfig;
  private readonly log: (line: string) => void;
  private informer: ResilientInformer<Certificate> | undefined;
  private queue: Promise<void> = Promise.resolve();
  private readonly retries = new Map<string, NodeJS.Timeout>();
  private stopped = false;
  private stopping: Promise<void> | undefined;

  constructor(
    kubeconfig: string,
    caDir: string,
    log: (line: string) => void,
    private readonly workDir: string,
  ) {
    this.kc = new KubeConfig();
    this.kc.loadFromFile(kubeconfig);
    this.rest = new KubeRest(this.kc);
    this.caDir = caDir;
    this.caCertFile = join(caDir, 'ca.crt');
    this.caCertPem = readFileSync(this.caCertFile, 'utf8');
    this.log = log;
  }

  async start(): Promise<void> {
    const inf = new ResilientInformer<Certificate>({
      kubeConfig: this.kc,
      kind: 'Certificate (test CA)',
      path: CERTS,
      listFn: () => this.rest.request<KubernetesListObject<Certificate>>('GET', CERTS),
      watchTimeoutSeconds: 60,
      backoff: { baseMs: 200, maxMs: 5_000 },
    });
    inf.on('add', (c) => this.enqueue(c));
    inf.on('update', (c) => this.enqueue(c));
    this.informer = inf;
    await inf.start();
    this.log(`test CA issuing Certificates (CA ${this.caCertFile})`);
  }

  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.stopped = true;
      for (const t of this.retries.values()) clearTimeout(t);
      await this.informer?.stop();
      await this.queue;
      this.rest.close();
    })();
    return this.stopping;
  }

  private enqueue(cert: Certificate): void {
    if (this.stopped) return;
    this.queue = this.queue.then(async () => {
      if (this.stopped) return;
      // The newest state of the Certificate, not the one of the event that queued this.
      const current = this.informer?.get(cert.metadata.name, cert.metadata.namespace);
      if (!current) return;
      try {
        await this.sync(current);
      } catch (e) {
        this.log(`certificate ${key(current)}: ${(e as Error).message}; retrying`);
        this.retry(current);
      }
    });
  }

  private retry(cert: Certificate): void {
    const k = key(cert);
    if (this.stopped || this.retries.has(k)) return;
    this.retries.set(
      k,
      setTimeout(() => {
        this.retries.delete(k);
        this.enqueue(cert);
      }, 1_000),
    );
  }

  private secretPath(ns: string, name?: string): string {
    return `/api/v1/namespaces/${encodeURIComponent(ns)}/secrets${name ? `/${encodeURIComponent(name)}` : ''}`;
  }

  /** Issues the Certificate's Secret unless it already holds a certificate for exactly its names; then reports the status. */
  private async sync(cert: Certificate): Promise<void> {
    const ns = cert.metadata.namespace;
    const names = cert.spec.dnsNames ?? [];
    if (names.length === 0) return this.notReady(cert, 'NoDNSNames', 'this test CA issues only certificates with spec.dnsNames');
    const secret = await this.readSecret(ns, cert.spec.secretName);
    const owner = secret?.metadata.annotations?.[ANN.certificateName];
    if (secret && owner !== undefined && owner !== cert.metadata.name) {
      const why = `Secret ${ns}/${cert.spec.secretName} belongs to Certificate ${owner}; not overwritten`;
      this.log(`certificate ${key(cert)}: ${why}`);
      return this.notReady(cert, 'SecretOwnedByAnotherCertificate', why);
    }
    const current = secret && this.issuedFor(secret, cert) ? secret : undefined;
    const leafPem = current
      ? Buffer.from(current.data!['tls.crt']!, 'base64').toString('utf8')
      : await this.issue(cert, secret !== undefined);
    const revision = (cert.status?.revision ?? 0) + (current ? 0 : 1);
    const ready = cert.status?.conditions?.find((c) => c.type === 'Ready');
    if (current && ready?.status === 'True' && ready.observedGeneration === cert.metadata.generation) return;
    const x = new X509Certificate(leafPem);
    await this.patchStatus(cert, {
      conditions: [this.readyCondition(cert, 'True', 'Ready', 'Certificate is up to date and has not expired')],
      notBefore: new Date(x.validFrom).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      notAfter: new Date(x.validTo).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      revision: Math.max(1, revision),
    });
  }

  /** The Secret, or undefined when it does not exist. */
  private async readSecret(ns: string, name: string): Promise<SecretJson | undefined> {
    try {
      return await this.rest.request<SecretJson>('GET', this.secretPath(ns, name));
    } catch (e) {
      if (e instanceof ApiError && e.code === 404) return undefined;
      throw e;
    }
  }

  /** Whether the Secret holds a certificate this CA issued for exactly the Certificate's names. */
  private issuedFor(secret: SecretJson, cert: Certificate): boolean {
    const a = secret.metadata.annotations ?? {};
    const crt = secret.data?.['tls.crt'];
    if (!crt || !secret.data?.['tls.key'] || a[ANN.altNames] !== (cert.spec.dnsNames ?? []).join(',')) return false;
    if (a[ANN.issuerName] !== cert.spec.issuerRef.name) return false;
    try {
      return new X509Certificate(Buffer.from(crt, 'base64')).checkIssued(new X509Certificate(this.caCertPem));
    } catch {
      return false;
    }
  }

  /** Signs a new leaf and writes the Secret; resolves with the leaf's PEM. */
  private async issue(cert: Certificate, exists: boolean): Promise<string> {
    const names = cert.spec.dnsNames!;
    const dir = mkdtempSync(join(this.workDir, 'leaf-'));
    try {
      const cn = (cert.spec.commonName ?? names[0]!).replace(/[/\\]/g, '');
      const [crtFile, keyFile] = await signLeaf(
        this.caDir,
        dir,
        'tls',
        `/CN=${cn}`,
        leafExtensions(cert),
        durationDays(cert.spec.duration),
      );
      const leafPem = readFileSync(crtFile, 'utf8');
      const tpl = cert.spec.secretTemplate ?? {};
      const body = {
        apiVersion: 'v1',
        kind: 'Secret',
        type: 'kubernetes.io/tls',
        metadata: {
          name: cert.spec.secretName,
          namespace: cert.metadata.namespace,
          labels: { ...cert.metadata.labels, ...tpl.labels, 'controller.cert-manager.io/fao': 'true' },
          annotations: { ...tpl.annotations, ...secretAnnotations(cert) },
        },
        data: { 'tls.crt': b64(leafPem), 'tls.key': b64(readFileSync(keyFile)), 'ca.crt': b64(this.caCertPem) },
      };
      const ns = cert.metadata.namespace;
      if (exists) await this.rest.request('PUT', this.secretPath(ns, cert.spec.secretName), { body });
      else await this.rest.request('POST', this.secretPath(ns), { body });
      this.log(`certificate ${key(cert)}: issued Secret ${ns}/${cert.spec.secretName} for ${names.join(', ')}`);
      return leafPem;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  private readyCondition(cert: Certificate, status: string, reason: string, message: string) {
    const prev = cert.status?.conditions?.find((c) => c.type === 'Ready') as { status?: string; lastTransitionTime?: string } | undefined;
    const lastTransitionTime =
      prev?.status === status && prev.lastTransitionTime ? prev.lastTransitionTime : new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
    return { type: 'Ready', status, reason, message, lastTransitionTime, observedGeneration: cert.metadata.generation };
  }

  private async notReady(cert: Certificate, reason: string, message: string): Promise<void> {
    const ready = cert.status?.conditions?.find((c) => c.type === 'Ready') as { status?: string; reason?: string } | undefined;
    if (ready?.status === 'False' && ready.reason === reason) return;
    await this.patchStatus(cert, { conditions: [this.readyCondition(cert, 'False', reason, message)] });
  }

  private async patchStatus(cert: Certificate, status: Record<string, unknown>): Promise<void> {
    const path = `/apis/cert-manager.io/v1/namespaces/${encodeURIComponent(cert.metadata.namespace)}/certificates/${encodeURIComponent(cert.metadata.name)}/status`;
    await this.rest.request('PATCH', path, { body: { status }, contentType: 'application/merge-patch+json' });
  }
}

/** Creates an EC P-256 CA in `dir` (ca.crt, ca.key) and starts issuing every Certificate's Secret from it. */
export async function startTestCaIssuer(opts: { kubeconfig: string; dir: string; log?: (line: string) => void }): Promise<TestCaIssuer> {
  const caDir = join(opts.dir, 'ca');
  mkdirSync(caDir, { recursive: true, mode: 0o700 });
  await runTool('openssl', [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-keyout',
    join(caDir, 'ca.key'),
    '-out',
    join(caDir, 'ca.crt'),
    '-days',
    '30',
    '-subj',
    '/O=tenantry test/CN=tenantry test CA',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  const work = join(opts.dir, 'issued');
  mkdirSync(work, { recursive: true, mode: 0o700 });
  const issuer = new Issuer(opts.kubeconfig, caDir, opts.log ?? (() => undefined), work);
  try {
    await issuer.start();
  } catch (e) {
    await issuer.stop();
    throw e;
  }
  return issuer;
}
