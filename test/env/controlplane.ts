// Starts and stops etcd + kube-apiserver + kube-controller-manager as local processes on loopback.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { EnvBinaries } from './build.js';
import { generatePki, kubeconfigFor, type EnvPki } from './certs.js';
import { envLog, isAlive, sleep } from './proc.js';

/** One process of the control plane. */
export interface EnvProcess {
  name: string;
  pid: number;
  log: string;
}

/** A running control plane: what tests and `env:down` need to use and stop it. */
export interface ControlPlane {
  dir: string;
  server: string;
  kubeconfig: string;
  auditLog: string;
  kubectl: string;
  processes: EnvProcess[];
}

/** The variables through which kubectl, the audit-log reader and the identity helpers of the tests find a control plane. */
export function controlPlaneEnv(cp: ControlPlane): Record<string, string> {
  return {
    KUBECONFIG: cp.kubeconfig,
    TENANTRY_KUBECTL: cp.kubectl,
    TENANTRY_AUDIT_LOG: cp.auditLog,
    TENANTRY_ENV_SERVER: cp.server,
    TENANTRY_ENV_PKI: join(cp.dir, 'pki'),
  };
}

const READY_TIMEOUT_MS = 120_000;
const STOP_GRACE_MS = 10_000;

// Writes at Metadata level for everyone, so tests and benchmarks can count exactly which writes a
// client made; reads only for clients that are not part of the control plane itself, which keeps
// the log small and the read counts of the operator exact.
/** Size at which the API server would rotate its audit log (MB): never, within any test or benchmark. */
const AUDIT_LOG_MAX_MB = 1_000_000;

const AUDIT_POLICY = `apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: ["RequestReceived"]
rules:
  - level: None
    nonResourceURLs: ["/healthz*", "/readyz*", "/livez*", "/version", "/openapi*", "/api", "/apis", "/api/*", "/apis/*"]
  - level: None
    verbs: ["get", "list", "watch"]
    users: ["system:kube-controller-manager", "system:apiserver", "system:kube-scheduler"]
  - level: None
    verbs: ["get", "list", "watch"]
    userGroups: ["system:serviceaccounts", "system:nodes"]
  - level: Metadata
`;

/** Returns a TCP port on 127.0.0.1 that was free a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

/** Starts one binary in its own process group with its output in a log file. */
function startProcess(dir: string, name: string, bin: string, args: string[]): EnvProcess {
  const log = join(dir, `${name}.log`);
  const fd = openSync(log, 'a');
  // Own process group (detached) so a stop reaches every child, and so `env:up` can exit while it runs.
  const child = spawn(bin, args, { detached: true, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  child.unref();
  if (child.pid === undefined) throw new Error(`cannot start ${name} (${bin})`);
  return { name, pid: child.pid, log };
}

/** Returns the last lines of a process log, for an error message. */
function logTail(p: EnvProcess, lines = 20): string {
  if (!existsSync(p.log)) return '';
  return readFileSync(p.log, 'utf8').trim().split('\n').slice(-lines).join('\n');
}

/** Performs a GET against the API server with the admin certificate; resolves with status and body. */
export function apiGet(
  server: string,
  pki: Pick<EnvPki, 'caCert' | 'adminCert' | 'adminKey'>,
  path: string,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      new URL(path, server),
      { ca: readFileSync(pki.caCert), cert: readFileSync(pki.adminCert), key: readFileSync(pki.adminKey), timeout: 5000 },
      (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (d: string) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

/** Waits until `check` resolves true, failing early when one of `procs` has died. */
async function waitFor(what: string, procs: EnvProcess[], check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    for (const p of procs) {
      if (!isAlive(p.pid)) throw new Error(`${p.name} exited while waiting for ${what}; its log (${p.log}) ends with:\n${logTail(p)}`);
    }
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline)
      throw new Error(`${what} not ready after ${READY_TIMEOUT_MS / 1000} s; see logs in ${procs.map((p) => p.log).join(', ')}`);
    await sleep(250);
  }
}

/** Options of a control plane; the default runs every controller of the controller manager. */
export interface ControlPlaneOptions {
  /**
   * Controllers of the controller manager not to run, e.g. `deployment-controller`: a benchmark
   * that writes workload status itself (there are no kubelets) must not have them overwrite it.
   */
  disabledControllers?: string[];
}

/** Starts etcd, kube-apiserver and kube-controller-manager in `dir` and waits until the API server is ready. */
export async function startControlPlane(dir: string, bin: EnvBinaries, opts: ControlPlaneOptions = {}): Promise<ControlPlane> {
  const started = Date.now();
  mkdirSync(dir, { recursive: true });
  const pkiDir = join(dir, 'pki');
  mkdirSync(pkiDir, { recursive: true });
  const pki = await generatePki(pkiDir);
  const [etcdPort, peerPort, apiPort, kcmPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const processes: EnvProcess[] = [];
  const cp: ControlPlane = {
    dir,
    server: `https://127.0.0.1:${apiPort}`,
    kubeconfig: join(dir, 'kubeconfig'),
    auditLog: join(dir, 'audit.log'),
    kubectl: bin.kubectl,
    processes,
  };
  try {
    const etcdUrl = `http://127.0.0.1:${etcdPort}`;
    const peerUrl = `http://127.0.0.1:${peerPort}`;
    processes.push(
      startProcess(dir, 'etcd', bin.etcd, [
        '--name=default',
        `--data-dir=${join(dir, 'etcd')}`,
        `--listen-client-urls=${etcdUrl}`,
        `--advertise-client-urls=${etcdUrl}`,
        `--listen-peer-urls=${peerUrl}`,
        `--initial-advertise-peer-urls=${peerUrl}`,
        `--initial-cluster=default=${peerUrl}`,
        // Test data is thrown away after the run, so durability on power loss buys nothing here.
        '--unsafe-no-fsync=true',
        '--log-level=warn',
      ]),
    );
    const policy = join(dir, 'audit-policy.yaml');
    writeFileSync(policy, AUDIT_POLICY);
    processes.push(
      startProcess(dir, 'kube-apiserver', bin.kubeApiserver, [
        `--etcd-servers=${etcdUrl}`,
        '--bind-address=127.0.0.1',
        '--advertise-address=127.0.0.1',
        `--secure-port=${apiPort}`,
        `--cert-dir=${join(dir, 'apiserver-certs')}`,
        `--tls-cert-file=${pki.serverCert}`,
        `--tls-private-key-file=${pki.serverKey}`,
        `--client-ca-file=${pki.caCert}`,
        `--service-account-issuer=https://kubernetes.default.svc`,
        `--service-account-key-file=${pki.serviceAccountPub}`,
        `--service-account-signing-key-file=${pki.serviceAccountKey}`,
        // A /16: the benchmark creates thousands of Services (one ClusterIP per tenant app).
        '--service-cluster-ip-range=10.0.0.0/16',
        '--authorization-mode=RBAC',
        '--allow-privileged=true',
        `--audit-policy-file=${policy}`,
        `--audit-log-path=${cp.auditLog}`,
        // The log is rotated at 100 MB by default, and the reader sees only the current file: a
        // benchmark of thousands of tenants writes several GB, whose counts must all be seen. One
        // backup is kept, so a rotation would leave a file beside the log that the reader refuses.
        `--audit-log-maxsize=${AUDIT_LOG_MAX_MB}`,
        '--audit-log-maxbackup=1',
        '--audit-log-format=json',
        '--audit-log-mode=blocking',
        '--profiling=false',
      ]),
    );
    await waitFor('kube-apiserver /readyz', processes, async () => (await apiGet(cp.server, pki, '/readyz')).status === 200);

    writeFileSync(cp.kubeconfig, kubeconfigFor(cp.server, pki.caCert, pki.adminCert, pki.adminKey, 'tenantry-admin'), { mode: 0o600 });
    const kcmConfig = join(dir, 'kcm.kubeconfig');
    writeFileSync(
      kcmConfig,
      kubeconfigFor(cp.server, pki.caCert, pki.controllerManagerCert, pki.controllerManagerKey, 'kube-controller-manager'),
      { mode: 0o600 },
    );
    processes.push(
      startProcess(dir, 'kube-controller-manager', bin.kubeControllerManager, [
        `--kubeconfig=${kcmConfig}`,
        `--authentication-kubeconfig=${kcmConfig}`,
        `--authorization-kubeconfig=${kcmConfig}`,
        `--service-account-private-key-file=${pki.serviceAccountKey}`,
        `--root-ca-file=${pki.caCert}`,
        `--cluster-signing-cert-file=${pki.caCert}`,
        `--cluster-signing-key-file=${pki.caKey}`,
        '--use-service-account-credentials=true',
        // A request cut off mid-admission (e.g. its client was killed) can leave ResourceQuota
        // usage counted for an object that was never stored, until the quota controller's next
        // full recount (5 minutes by default). Tests that kill clients on purpose recount sooner.
        '--resource-quota-sync-period=15s',
        '--leader-elect=false',
        '--bind-address=127.0.0.1',
        `--secure-port=${kcmPort}`,
        `--cert-dir=${join(dir, 'kcm-certs')}`,
        ...(opts.disabledControllers?.length ? [`--controllers=*,${opts.disabledControllers.map((c) => `-${c}`).join(',')}`] : []),
      ]),
    );
    // The namespace controller creates the "default" ServiceAccount: waiting for it means the
    // controller manager really runs, so namespace deletion and garbage collection will work.
    await waitFor(
      'kube-controller-manager',
      processes,
      async () => (await apiGet(cp.server, pki, '/api/v1/namespaces/default/serviceaccounts/default')).status === 200,
    );
    envLog(`control plane ready at ${cp.server} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return cp;
  } catch (e) {
    await stopControlPlane(cp, { removeData: false });
    throw e;
  }
}

/** Stops every process of the control plane (TERM, then KILL after a grace period) and optionally deletes its folder. */
export async function stopControlPlane(cp: Pick<ControlPlane, 'dir' | 'processes'>, opts: { removeData: boolean }): Promise<void> {
  // Reverse order: the controller manager and API server first, so they do not log etcd errors while etcd stops.
  for (const p of [...cp.processes].reverse()) {
    signalGroup(p.pid, 'SIGTERM');
    const deadline = Date.now() + STOP_GRACE_MS;
    while (isAlive(p.pid) && Date.now() < deadline) await sleep(100);
    if (isAlive(p.pid)) signalGroup(p.pid, 'SIGKILL');
    while (isAlive(p.pid)) await sleep(50);
  }
  if (opts.removeData) rmSync(cp.dir, { recursive: true, force: true });
}

/** Sends a signal to a process group, ignoring one that is already gone. */
function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      /* already gone */
    }
  }
}
