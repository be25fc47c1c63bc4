// Mints kubeconfigs for extra identities signed by the test control plane's CA, so the audit
// log can tell the operator's requests (or two operators') apart from the test's own.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLIENT_EXTENSIONS, kubeconfigFor, signLeaf } from '../env/certs.js';

/** Returns the path of a kubeconfig for user `name` in `groups` (default: cluster admin). */
export async function mintKubeconfig(name: string, groups: string[] = ['system:masters']): Promise<string> {
  const pki = process.env.TENANTRY_ENV_PKI;
  const server = process.env.TENANTRY_ENV_SERVER;
  if (!pki || !server) throw new Error('TENANTRY_ENV_PKI/TENANTRY_ENV_SERVER not set: run through the test driver');
  const dir = mkdtempSync(join(tmpdir(), `tenantry-id-${name}-`));
  const subject = `${groups.map((g) => `/O=${g}`).join('')}/CN=${name}`;
  const [crt, key] = await signLeaf(pki, dir, 'client', subject, CLIENT_EXTENSIONS, 2);
  const path = join(dir, 'kubeconfig');
  writeFileSync(path, kubeconfigFor(server, join(pki, 'ca.crt'), crt, key, name), { mode: 0o600 });
  return path;
}
