// Mints kubeconfigs for extra identities signed by the test control plane's CA, so the audit
// log can tell the operator's requests (or two operators') apart from the test's own.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { kubeconfigFor } from '../env/certs.js';
import { runTool } from '../env/proc.js';

/** Returns the path of a kubeconfig for user `name` in `groups` (default: cluster admin). */
export async function mintKubeconfig(name: string, groups: string[] = ['system:masters']): Promise<string> {
  const pki = process.env.TENANTRY_ENV_PKI;
  const server = process.env.TENANTRY_ENV_SERVER;
  if (!pki || !server) throw new Error('TENANTRY_ENV_PKI/TENANTRY_ENV_SERVER not set: run through the test driver');
  const dir = mkdtempSync(join(tmpdir(), `tenantry-id-${name}-`));
  const key = join(dir, 'client.key');
  const csr = join(dir, 'client.csr');
  const crt = join(dir, 'client.crt');
  const ext = join(dir, 'client.ext');
  writeFileSync(ext, 'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth\n');
  const subject = `${groups.map((g) => `/O=${g}`).join('')}/CN=${name}`;
  await runTool('openssl', [
    'req',
    '-new',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-keyout',
    key,
    '-out',
    csr,
    '-subj',
    subject,
  ]);
  await runTool('openssl', [
    'x509',
    '-req',
    '-in',
    csr,
    '-CA',
    join(pki, 'ca.crt'),
    '-CAkey',
    join(pki, 'ca.key'),
    '-CAcreateserial',
    '-days',
    '2',
    '-out',
    crt,
    '-extfile',
    ext,
  ]);
  const path = join(dir, 'kubeconfig');
  writeFileSync(path, kubeconfigFor(server, join(pki, 'ca.crt'), crt, key, name), { mode: 0o600 });
  return path;
}
