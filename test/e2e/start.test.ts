// `npm start` with no cluster configured: the local control plane comes up, the CRDs and samples
// are installed, and the operator provisions the sample tenants.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Tenant } from '../../src/api/generated/index.js';
import type { ControlPlane } from '../env/controlplane.js';
import { repoRoot } from '../env/paths.js';
import { sleep } from '../env/proc.js';

test('npm start provisions the samples on a local control plane', async () => {
  const dir = join(mkdtempSync(join(tmpdir(), 'tenantry-start-')), 'env');
  const env: NodeJS.ProcessEnv = { ...process.env, TENANTRY_LOCAL: '1', TENANTRY_ENV_DIR: dir, TENANTRY_HEALTH_PORT: '0' };
  delete env.KUBECONFIG;
  const child = spawn(process.execPath, [join(repoRoot(), 'dist', 'scripts', 'start.js')], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (out += d));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  try {
    let tenants: Tenant[] = [];
    const deadline = Date.now() + 120_000;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) assert.fail(`npm start exited early (${child.exitCode}):\n${out.slice(-3000)}`);
      if (out.includes('get tenants -w')) {
        const cp = JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')) as ControlPlane;
        const r = spawnSync(cp.kubectl, ['--kubeconfig', cp.kubeconfig, 'get', 'tenants', '-o', 'json'], { encoding: 'utf8' });
        if (r.status === 0) tenants = (JSON.parse(r.stdout) as { items: Tenant[] }).items;
        if (tenants.length >= 3 && tenants.every((t) => t.status?.phase)) break;
      }
      await sleep(500);
    }
    assert.deepEqual(tenants.map((t) => t.metadata.name).sort(), ['acme-trial', 'globex', 'initech']);
    const phase = Object.fromEntries(tenants.map((t) => [t.metadata.name, t.status?.phase]));
    assert.equal(phase['acme-trial'], 'Provisioning');
    // The globex sample names a StorageClass that does not exist here: refused, with the reason.
    assert.equal(phase.globex, 'Degraded');
    assert.match(out, /export KUBECONFIG=/);
  } finally {
    child.kill('SIGTERM');
    assert.equal(await exited, 0, 'the operator stops cleanly on SIGTERM');
    const down = spawnSync(process.execPath, [join(repoRoot(), 'dist', 'test', 'env', 'cli.js'), 'down'], { env, encoding: 'utf8' });
    assert.equal(down.status, 0, down.stderr);
  }
});
