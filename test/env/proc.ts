// Child-process helpers for the environment: arguments are always arrays, never a shell line.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** Options of {@link runTool}. */
export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Stream the tool's output to our stderr (for long builds) instead of only keeping its tail. */
  stream?: boolean;
}

/** Runs a command to completion, resolving with stdout; rejects with the tail of its output when it fails. */
export function runTool(cmd: string, args: string[], opts: RunOptions = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      if (opts.stream) process.stderr.write(d);
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      err += d;
      if (opts.stream) process.stderr.write(d);
    });
    child.on('error', (e) => reject(new Error(`cannot run ${cmd}: ${e.message}`)));
    child.on('close', (code, signal) => {
      if (code === 0) return resolve(out);
      const tail = (err || out).trim().split('\n').slice(-25).join('\n');
      reject(new Error(`${cmd} ${args.join(' ')} failed (${code ?? signal}):\n${tail}`));
    });
  });
}

/** Writes one progress line of the environment to stderr (stdout is kept for values scripts read). */
export function envLog(msg: string): void {
  process.stderr.write(`[env] ${msg}\n`);
}

/** Reports whether a process with this pid is alive (a zombie that nobody reaped yet counts as gone). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    // Field 3 of /proc/<pid>/stat is the state; it follows the command name in parentheses.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true;
  }
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
