// `npm start` with no cluster configured: the local control plane comes up, the CRDs and samples
// are installed, the operator provisions the sample tenants, and once KMS, S3 and the databases
// have joined, the stand-in kubelets run the samples' pods: tenants become Ready, Traefik serves
// them over HTTPS with HSTS (SNI, the test CA), and a backup taken now appears in status.lastBackup.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Tenant } from '../../src/api/generated/index.js';
import type { ControlPlane } from '../env/controlplane.js';
import type { DemoProxy } from '../env/demo-standins.js';
import { repoRoot } from '../env/paths.js';
import { sleep } from '../env/proc.js';

/** On a warm cache the samples are Ready in about one to two minutes on a loaded two-core machine. */
const READY_WITHIN_MS = 300_000;
/** Traefik is on unless the run asks for none (TENANTRY_TRAEFIK=off, e.g. before its first, long build). */
const WITH_TRAEFIK = process.env.TENANTRY_TRAEFIK !== 'off';

/** One request to Traefik on loopback with the tenant's host as SNI and Host, trusting only the demo's CA. */
function fetchTenant(
  host: string,
  port: number,
  tls: { ca: string } | undefined,
): Promise<{ status: number; headers: IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const opts = { host: '127.0.0.1', port, path: '/', headers: { host }, timeout: 10_000 };
    const req = tls ? httpsRequest({ ...opts, servername: host, ca: tls.ca }) : httpRequest(opts);
    req.on('response', (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer from 127.0.0.1:${port} for ${host}`)));
    req.on('error', reject);
    req.end();
  });
}

test('npm start provisions the samples on a local control plane and serves them Ready, with backups', async () => {
  const started = Date.now();
  const dir = join(mkdtempSync(join(tmpdir(), 'tenantry-start-')), 'env');
  const env: NodeJS.ProcessEnv = { ...process.env, TENANTRY_LOCAL: '1', TENANTRY_ENV_DIR: dir, TENANTRY_HEALTH_PORT: '0' };
  delete env.KUBECONFIG;
  const child = spawn(process.execPath, [join(repoRoot(), 'dist', 'scripts', 'start.js')], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (out += d));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  let cp: ControlPlane | undefined;
  const kubectl = (...args: string[]) => spawnSync(cp!.kubectl, ['--kubeconfig', cp!.kubeconfig, ...args], { encoding: 'utf8' });
  const tenants = (): Tenant[] => {
    const r = kubectl('get', 'tenants', '-o', 'json');
    return r.status === 0 ? (JSON.parse(r.stdout) as { items: Tenant[] }).items : [];
  };
  const phases = () => Object.fromEntries(tenants().map((t) => [t.metadata.name, t.status?.phase]));
  /** Polls until `check` holds, failing with the output of npm start when it does not in time. */
  const until = async (what: string, check: () => boolean, deadline: number, probe?: () => Promise<string>) => {
    let seen = '';
    for (;;) {
      if (probe) seen = await probe();
      if (check()) return;
      if (child.exitCode !== null) assert.fail(`npm start exited early (${child.exitCode}):\n${out.slice(-3000)}`);
      if (Date.now() > deadline)
        assert.fail(
          `${what} not within the time (phases ${JSON.stringify(phases())}${seen ? `; last: ${seen}` : ''}):\n${out.slice(-3000)}`,
        );
      await sleep(1000);
    }
  };
  try {
    const deadline = started + READY_WITHIN_MS;
    await until('the control plane', () => out.includes('get tenants -w'), deadline);
    cp = JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')) as ControlPlane;
    await until('a phase for every sample', () => tenants().length >= 3 && tenants().every((t) => t.status?.phase), deadline);
    assert.deepEqual(
      tenants()
        .map((t) => t.metadata.name)
        .sort(),
      ['acme-trial', 'globex', 'initech'],
    );
    await until('the time to the first tenant', () => /first tenant in `kubectl get tenants` after \d+\.\d s/.test(out), deadline);
    // The globex sample names a StorageClass that does not exist here: refused, with the reason (P2).
    const globex = tenants().find((t) => t.metadata.name === 'globex');
    assert.equal(globex?.status?.phase, 'Degraded');
    assert.match(JSON.stringify(globex?.status?.conditions), /gp3-encrypted/);
    await until('acme-trial and initech Ready', () => phases()['acme-trial'] === 'Ready' && phases().initech === 'Ready', deadline);
    const readyAfter = ((Date.now() - started) / 1000).toFixed(1);
    // A backup taken now: the Job from the tenant's CronJob runs (the stand-in runs its Pod), and the
    // operator reads the verified backup back from the bucket into status.lastBackup.
    const job = kubectl('create', 'job', '--from=cronjob/backup', 'backup-now', '-n', 'tenant-acme-trial');
    assert.equal(job.status, 0, job.stderr);
    const lastBackup = () => tenants().find((t) => t.metadata.name === 'acme-trial')?.status?.lastBackup;
    await until('status.lastBackup of acme-trial', () => lastBackup()?.verified === true, Date.now() + 120_000);
    assert.match(lastBackup()?.id ?? '', /\S/);
    if (WITH_TRAEFIK) {
      // Served through Traefik from the operator's IngressRoute, TLS from the test CA, HSTS from its Middleware.
      await until('Traefik', () => existsSync(join(dir, 'traefik.json')), deadline);
      const proxy = JSON.parse(readFileSync(join(dir, 'traefik.json'), 'utf8')) as DemoProxy;
      const host = 'acme-trial.app.example.com';
      const ca = readFileSync(proxy.caCertFile, 'utf8');
      let answer: Awaited<ReturnType<typeof fetchTenant>> | undefined;
      let last = '';
      await until(
        `https://${host} through Traefik (app Pods need a locally routed pod range: ip route add local 10.244.0.0/16 dev lo)`,
        () => answer?.status === 200,
        deadline,
        async () => {
          answer = await fetchTenant(host, proxy.httpsPort, { ca }).catch((e: unknown) => ((last = String(e)), undefined));
          if (answer && answer.status !== 200) last = `${answer.status} ${answer.body}`;
          return last;
        },
      );
      assert.equal(answer?.headers['x-tenantry-namespace'], 'tenant-acme-trial', "the tenant's own app answered");
      const hsts = String(answer?.headers['strict-transport-security'] ?? '');
      assert.ok(Number(/max-age=(\d+)/.exec(hsts)?.[1] ?? 0) >= 31_536_000, `HSTS header: ${hsts}`);
      const plain = await fetchTenant(host, proxy.httpPort, undefined);
      assert.ok([301, 308].includes(plain.status), `plain HTTP answers ${plain.status}, not a permanent redirect`);
      assert.match(String(plain.headers.location), new RegExp(`^https://${host.replace(/\./g, '\\.')}`));
    }
    process.stderr.write(
      `# npm start: samples Ready after ${readyAfter} s; backup in status after ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
    );
  } finally {
    child.kill('SIGTERM');
    assert.equal(await exited, 0, 'the operator stops cleanly on SIGTERM');
    const down = spawnSync(process.execPath, [join(repoRoot(), 'dist', 'test', 'env', 'cli.js'), 'down'], { env, encoding: 'utf8' });
    assert.equal(down.status, 0, down.stderr);
  }
});
