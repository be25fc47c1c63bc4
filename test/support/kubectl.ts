// Runs the kubectl binary of the local control plane against the test cluster.
// Arguments are passed as an array, never through a shell.
import { spawn } from 'node:child_process';

/** The outcome of one kubectl invocation. */
export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Returns the kubeconfig of the test control plane, failing loudly when the driver did not start one. */
export function testKubeconfig(): string {
  const path = process.env.KUBECONFIG;
  if (!path) throw new Error('KUBECONFIG is not set: run integration tests through `npm run test:integration`');
  return path;
}

/** Runs a binary to completion with captured output (and optional stdin, and environment). */
export function runCaptured(bin: string, args: string[], input?: string, env?: NodeJS.ProcessEnv): Promise<KubectlResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { stdio: ['pipe', 'pipe', 'pipe'], ...(env ? { env } : {}) });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(input ?? '');
  });
}

/** Runs kubectl with the given arguments (and optional stdin) against the test cluster. */
export function kubectl(args: string[], input?: string): Promise<KubectlResult> {
  return runCaptured(process.env.TENANTRY_KUBECTL ?? 'kubectl', ['--kubeconfig', testKubeconfig(), ...args], input);
}

/** Runs kubectl and throws with its stderr when it exits non-zero. */
export async function kubectlOk(args: string[], input?: string): Promise<string> {
  const r = await kubectl(args, input);
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${r.code}): ${r.stderr.trim()}`);
  return r.stdout;
}
