// Fresh certificates and keys for one run of the local control plane, made with the openssl CLI
// (Node's crypto can make keys but not X.509 certificates).
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runTool } from './proc.js';

/** Paths of the PKI files of one control-plane run. */
export interface EnvPki {
  caCert: string;
  caKey: string;
  serverCert: string;
  serverKey: string;
  adminCert: string;
  adminKey: string;
  controllerManagerCert: string;
  controllerManagerKey: string;
  serviceAccountKey: string;
  serviceAccountPub: string;
}

/** X.509 extensions of a client certificate (the API server's client-certificate authentication). */
export const CLIENT_EXTENSIONS = ['basicConstraints=CA:FALSE', 'keyUsage=digitalSignature,keyEncipherment', 'extendedKeyUsage=clientAuth'];

/** The openssl arguments of a new EC P-256 key without a passphrase. */
const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

/**
 * Signs a new EC P-256 leaf certificate `name` in `outDir` with the CA of `caDir` (its ca.crt and
 * ca.key), valid for `days`; returns the certificate's and the key's paths.
 */
export async function signLeaf(
  caDir: string,
  outDir: string,
  name: string,
  subject: string,
  ext: string[],
  days = 30,
): Promise<[string, string]> {
  const key = join(outDir, `${name}.key`);
  const csr = join(outDir, `${name}.csr`);
  const crt = join(outDir, `${name}.crt`);
  const extFile = join(outDir, `${name}.ext`);
  writeFileSync(extFile, ext.join('\n') + '\n');
  await runTool('openssl', ['req', '-new', ...EC_KEY, '-keyout', key, '-out', csr, '-subj', subject]);
  const ca = ['-CA', join(caDir, 'ca.crt'), '-CAkey', join(caDir, 'ca.key'), '-CAcreateserial'];
  await runTool('openssl', ['x509', '-req', '-in', csr, ...ca, '-days', String(days), '-out', crt, '-extfile', extFile]);
  return [crt, key];
}

/** Signs a new leaf certificate with the run's CA, in the run's folder. */
function leaf(dir: string, name: string, subject: string, ext: string[]): Promise<[string, string]> {
  return signLeaf(dir, dir, name, subject, ext);
}

/** Creates a CA, the API server's serving certificate, client certificates and the service-account key pair in `dir`. */
export async function generatePki(dir: string): Promise<EnvPki> {
  const caKey = join(dir, 'ca.key');
  const caCert = join(dir, 'ca.crt');
  await runTool('openssl', ['req', '-x509', ...EC_KEY, '-keyout', caKey, '-out', caCert, '-days', '30', '-subj', '/CN=tenantry-test-ca']);
  const [serverCert, serverKey] = await leaf(dir, 'apiserver', '/CN=kube-apiserver', [
    'basicConstraints=CA:FALSE',
    'keyUsage=digitalSignature,keyEncipherment',
    'extendedKeyUsage=serverAuth',
    'subjectAltName=IP:127.0.0.1,IP:10.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc',
  ]);
  // O=system:masters makes the admin a cluster admin; the controller manager gets its own
  // identity so the audit log tells its writes apart from the ones tests count.
  const [adminCert, adminKey] = await leaf(dir, 'admin', '/O=system:masters/CN=tenantry-admin', CLIENT_EXTENSIONS);
  const [controllerManagerCert, controllerManagerKey] = await leaf(dir, 'kcm', '/CN=system:kube-controller-manager', CLIENT_EXTENSIONS);
  const sa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const serviceAccountKey = join(dir, 'sa.key');
  const serviceAccountPub = join(dir, 'sa.pub');
  writeFileSync(serviceAccountKey, sa.privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  writeFileSync(serviceAccountPub, sa.publicKey.export({ type: 'spki', format: 'pem' }));
  return {
    caCert,
    caKey,
    serverCert,
    serverKey,
    adminCert,
    adminKey,
    controllerManagerCert,
    controllerManagerKey,
    serviceAccountKey,
    serviceAccountPub,
  };
}

/** Returns a kubeconfig (YAML is a superset of JSON) for the given server and client certificate. */
export function kubeconfigFor(server: string, caCert: string, cert: string, key: string, user: string): string {
  const b64 = (p: string) => readFileSync(p).toString('base64');
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'tenantry-local', cluster: { server, 'certificate-authority-data': b64(caCert) } }],
    users: [{ name: user, user: { 'client-certificate-data': b64(cert), 'client-key-data': b64(key) } }],
    contexts: [{ name: 'tenantry-local', context: { cluster: 'tenantry-local', user } }],
    'current-context': 'tenantry-local',
  };
  return JSON.stringify(config, null, 2) + '\n';
}
