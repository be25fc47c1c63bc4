// bench:backup's process runner: runs a command as the CronJob or the restore Job would (only
// PATH, HOME and what the caller sets in its environment) and samples its peak RSS and CPU times
// from /proc while it runs; pipes two commands as a shell would; runs the agent and reads its
// result and per-part progress lines. Also the units every figure is reported in.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { DatabaseTarget } from '../src/backup/engines/index.js';
import { AGENT_RUNTIME_ENV } from '../src/resources/backup.js';
import { repoRoot } from '../test/env/paths.js';
import type { Services } from '../test/env/services.js';

/** Throughputs are in MB (10^6 bytes) per second, as the agent's own progress logs report them. */
export const MB = 1e6;
/** Linux reports CPU times in /proc in clock ticks of 1/100 s (USER_HZ) on every architecture. */
const CLK_TCK = 100;

export const round = (n: number, digits = 2) => Number(n.toFixed(digits));
export const mbps = (bytes: number, seconds: number) => round(bytes / MB / Math.max(seconds, 1e-3), 1);

/** Peak RSS (VmHWM) and CPU times of a live process, from /proc; undefined once it is gone. */
export function sample(pid: number): { hwmKb: number; cpu: number; childCpu: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const hwm = /VmHWM:\s+(\d+) kB/.exec(status);
    // Fields after the parenthesised command name, from field 3 (state): utime is field 14.
    const f = stat
      .slice(stat.lastIndexOf(')') + 2)
      .split(' ')
      .map(Number);
    if (!hwm) return undefined;
    return { hwmKb: Number(hwm[1]), cpu: (f[11]! + f[12]!) / CLK_TCK, childCpu: (f[13]! + f[14]!) / CLK_TCK };
  } catch {
    return undefined;
  }
}

/** What one measured child process did. */
export interface Run {
  code: number | null;
  seconds: number;
  /** Peak resident set of the process itself (not its children), from the last poll before it exited. */
  peakRssMb: number;
  /** CPU seconds of the process, and of the children it reaped (pg_dump, tar, pg_restore). */
  cpuSeconds: number;
  childCpuSeconds: number;
  stdout: string;
  stdoutBytes: number;
  stderr: string;
}

interface RunOptions {
  env: Record<string, string>;
  /** The child's stdin: nothing, or the stdout of another child (shared, as a shell pipe is). */
  stdin?: Readable;
  /**
   * `pipe`: hand stdout to the caller through `onSpawn` (to feed another child); `{ fd }`: write it
   * to that open file; otherwise collect or count it.
   */
  stdout?: 'collect' | 'count' | 'pipe' | { fd: number };
  onSpawn?: (child: ChildProcess) => void;
}

/** Runs a command, polling its VmHWM and CPU every 100 ms (the last poll before exit is what counts). */
export function run(cmd: string, args: string[], o: RunOptions): Promise<Run> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    // Only PATH and HOME from our environment, as the CronJob gives the agent only what it sets.
    const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', ...o.env };
    const toFd = typeof o.stdout === 'object' ? o.stdout.fd : undefined;
    const child = spawn(cmd, args, { env, stdio: [o.stdin ?? 'ignore', toFd ?? 'pipe', 'pipe'] });
    // The other child holds its own copy of a shared pipe; ours must not read from it.
    o.stdin?.destroy();
    let last: ReturnType<typeof sample>;
    const poll = () => (last = sample(child.pid ?? 0) ?? last);
    const timer = setInterval(poll, 100);
    let stdout = '';
    let stdoutBytes = 0;
    let stderr = '';
    if (o.stdout !== 'pipe' && toFd === undefined) {
      child.stdout?.on('data', (d: Buffer) => {
        stdoutBytes += d.length;
        if (o.stdout !== 'count') stdout += d.toString('utf8');
      });
    }
    child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString('utf8')).slice(-1_000_000)));
    o.onSpawn?.(child);
    child.once('error', (e) => {
      clearInterval(timer);
      reject(new Error(`cannot run ${cmd}: ${e.message}`));
    });
    child.once('exit', () => clearInterval(timer));
    child.once('close', (code) => {
      resolve({
        code,
        seconds: (performance.now() - t0) / 1000,
        peakRssMb: last ? Math.round(last.hwmKb / 1024) : NaN,
        cpuSeconds: last?.cpu ?? NaN,
        childCpuSeconds: last?.childCpu ?? NaN,
        stdout,
        stdoutBytes,
        stderr,
      });
    });
    poll();
  });
}

/** Throws with the end of a run's stderr unless it exited 0. */
export function ok(r: Run, what: string): Run {
  if (r.code !== 0)
    throw new Error(`${what} exited with ${r.code}; its stderr ends with:\n${r.stderr.trim().split('\n').slice(-15).join('\n')}`);
  return r;
}

/** Runs `a | b` as a shell would (a's stdout is b's stdin) and waits for both. */
export async function runPipe(
  a: { cmd: string; args: string[]; env: Record<string, string> },
  b: { cmd: string; args: string[]; env: Record<string, string>; stdout?: 'collect' | 'count' },
): Promise<[Run, Run]> {
  let feed: Readable | undefined;
  const first = run(a.cmd, a.args, { env: a.env, stdout: 'pipe', onSpawn: (c) => (feed = c.stdout ?? undefined) });
  if (!feed) throw new Error(`${a.cmd} has no stdout`);
  const second = run(b.cmd, b.args, { env: b.env, stdin: feed, stdout: b.stdout ?? 'collect' });
  const [ra, rb] = await Promise.all([first, second]);
  return [ok(ra, a.cmd), ok(rb, b.cmd)];
}

/** How long serviceCpuSince waits for a server to reap the connection processes of clients that just exited. */
const REAP_WAIT_MS = 500;

/** CPU seconds (with reaped children: PostgreSQL's backends) of each service process. */
export function serviceCpu(s: Services): Record<string, number> {
  return Object.fromEntries(
    s.processes.map((p) => {
      const now = sample(p.pid);
      return [p.name, now ? now.cpu + now.childCpu : 0];
    }),
  );
}

/**
 * CPU seconds the services spent since `before`, for the ones that do work in a backup: S3, the
 * database server `db`, KMS. A server's connection processes count once it has reaped them, which
 * happens a little after their client exits: without the wait, a load whose client just ended
 * would be missing its backend's CPU.
 */
export async function serviceCpuSince(s: Services, before: Record<string, number>, db = 'postgres'): Promise<Record<string, number>> {
  await new Promise((resolve) => setTimeout(resolve, REAP_WAIT_MS));
  const now = serviceCpu(s);
  const d = (name: string) => round((now[name] ?? 0) - (before[name] ?? 0), 1);
  return { s3: d('s3'), [db]: d(db), kms: d('kms') };
}

/** Runs `tenantry <args>` as the CronJob or the restore Job would; returns the run and its JSON result line. */
export async function agent(args: string[], env: Record<string, string>): Promise<{ run: Run; result: Record<string, unknown> }> {
  // With the runtime variables the CronJob and the restore Job set, so the peak RSS is the one a pod sees.
  const withRuntime = { ...AGENT_RUNTIME_ENV, ...env };
  const r = ok(
    await run(process.execPath, [join(repoRoot(), 'bin', 'tenantry.js'), ...args], { env: withRuntime }),
    `tenantry ${args.join(' ')}`,
  );
  const line = r.stdout.trim().split('\n').pop() ?? '';
  return { run: r, result: JSON.parse(line) as Record<string, unknown> };
}

/** The agent's "<part> done" progress lines: seconds and bytes of each stream it moved. */
export function partTimes(stderr: string): Record<string, { bytes: number; seconds: number; mbPerSecond: number }> {
  const out: Record<string, { bytes: number; seconds: number; mbPerSecond: number }> = {};
  for (const line of stderr.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      const l = JSON.parse(line) as { message?: string; part?: string; bytes?: number; seconds?: number; mbPerSecond?: number };
      if (l.part && l.message === `${l.part} done`)
        out[l.part] = { bytes: l.bytes ?? 0, seconds: l.seconds ?? 0, mbPerSecond: l.mbPerSecond ?? 0 };
    } catch {
      /* not a log line */
    }
  }
  return out;
}

/** pg_dump's connection arguments and environment for a target (as the agent builds them). */
export function pgTool(
  t: DatabaseTarget,
  tool: string,
  database: string,
  extra: string[],
): { cmd: string; args: string[]; env: Record<string, string> } {
  return {
    cmd: t.binDir ? join(t.binDir, tool) : tool,
    args: [`--host=${t.host}`, `--port=${t.port}`, `--username=${t.user}`, '--no-password', `--dbname=${database}`, ...extra],
    env: { PGPASSWORD: t.password },
  };
}
