// `npm run env:up` / `env:down` as a user runs them: the printed kubeconfig reaches a ready API
// server, and env:down leaves no process and no data behind.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { ControlPlane } from '../env/controlplane.js';
import { repoRoot } from '../env/paths.js';
import { isAlive } from '../env/proc.js';

function envCli(cmd: string, dir: string) {
  const r = spawnSync(process.execPath, [join(repoRoot(), 'dist', 'test', 'env', 'cli.js'), cmd], {
    encoding: 'utf8',
    env: { ...process.env, TENANTRY_ENV_DIR: dir },
    timeout: 300_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('env up prints a kubeconfig that reaches a ready API server; env down stops everything', () => {
  const dir = join(mkdtempSync(join(tmpdir(), 'tenantry-envtest-')), 'env');
  const up = envCli('up', dir);
  assert.equal(up.code, 0, up.stderr);
  const kubeconfig = up.stdout.trim();
  assert.ok(existsSync(kubeconfig), `printed path ${kubeconfig} exists`);
  const state = JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')) as ControlPlane;
  assert.deepEqual(
    state.processes.map((p) => p.name),
    ['etcd', 'kube-apiserver', 'kube-controller-manager'],
  );
  try {
    const ready = spawnSync(state.kubectl, ['--kubeconfig', kubeconfig, 'get', '--raw', '/readyz'], { encoding: 'utf8' });
    assert.equal(ready.status, 0, ready.stderr);
    assert.equal(ready.stdout.trim(), 'ok');

    // A second `up` reuses the running plane instead of starting another one.
    const again = envCli('up', dir);
    assert.equal(again.code, 0, again.stderr);
    assert.equal(again.stdout.trim(), kubeconfig);
  } finally {
    const down = envCli('down', dir);
    assert.equal(down.code, 0, down.stderr);
  }
  for (const p of state.processes) assert.equal(isAlive(p.pid), false, `${p.name} (pid ${p.pid}) is gone`);
  assert.equal(existsSync(dir), false, 'data folder removed');
});
