// Runs the `tenantry` agent commands as a child process with a given environment, as a CronJob would.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from '../env/paths.js';

/** The outcome of one agent command. */
export interface AgentRun {
  code: number | null;
  /** The JSON result line, when the command printed one. */
  result?: Record<string, unknown>;
  stderr: string;
}

/** Runs `tenantry <args>` with exactly `env` (plus PATH) and collects its result line and logs. */
export function runAgent(args: string[], env: Record<string, string>): Promise<AgentRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(repoRoot(), 'bin', 'tenantry.js'), ...args], {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const last = stdout.trim().split('\n').pop();
      let result: Record<string, unknown> | undefined;
      try {
        result = last ? (JSON.parse(last) as Record<string, unknown>) : undefined;
      } catch {
        result = undefined;
      }
      resolve({ code, stderr, ...(result ? { result } : {}) });
    });
  });
}
