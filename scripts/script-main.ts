// Runs a generator script's CLI when the file is the process's entry point (and not when a test
// imports it), with stdout/stderr as its output.
import { realpathSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Output sinks of a generator CLI. */
export interface ScriptIo {
  out: (line: string) => void;
  err: (line: string) => void;
}

/** Calls `run(args, fromDir, io)` and sets the exit code, if `moduleUrl` is the script node was started with. */
export function runIfMain(moduleUrl: string, run: (args: string[], fromDir: string, io: ScriptIo) => number): void {
  const script = process.argv[1];
  if (script === undefined) return;
  try {
    if (realpathSync(script) !== realpathSync(fileURLToPath(moduleUrl))) return;
  } catch {
    return;
  }
  process.exitCode = run(process.argv.slice(2), dirname(fileURLToPath(moduleUrl)), {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
  });
}

/**
 * Reads a generator's arguments (`--check`, `--help`): returns whether to check only, or the exit
 * code when there is nothing more to do (help printed: 0; an unknown argument: 2).
 */
export function parseCheckArgs(args: readonly string[], name: string, usage: string, io: ScriptIo): { check: boolean } | { exit: number } {
  let check = false;
  for (const arg of args) {
    if (arg === '--check') check = true;
    else if (arg === '--help' || arg === '-h') {
      io.out(usage);
      return { exit: 0 };
    } else {
      io.err(`${name}: unknown argument ${arg}\n${usage}`);
      return { exit: 2 };
    }
  }
  return { check };
}
