// What the generator scripts share: running a CLI when the file is the process's entry point (and
// not when a test imports it), reading --check/--help, and reporting or repairing drift.
import { existsSync, mkdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findDrift, GENERATE_COMMAND, type DriftProblem, type GeneratedFile } from './codegen.js';

/** Output sinks of a generator CLI. */
export interface ScriptIo {
  out: (line: string) => void;
  err: (line: string) => void;
}

/** Calls `run(args, fromDir, io)` and sets the exit code (when it settles), if `moduleUrl` is the script node was started with. */
export function runIfMain(moduleUrl: string, run: (args: string[], fromDir: string, io: ScriptIo) => number | Promise<number>): void {
  const script = process.argv[1];
  if (script === undefined) return;
  try {
    if (realpathSync(script) !== realpathSync(fileURLToPath(moduleUrl))) return;
  } catch {
    return;
  }
  const io: ScriptIo = {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
  };
  const code = run(process.argv.slice(2), dirname(fileURLToPath(moduleUrl)), io);
  if (typeof code === 'number') process.exitCode = code;
  else
    code.then(
      (c) => (process.exitCode = c),
      (e: unknown) => {
        io.err(e instanceof Error ? (e.stack ?? e.message) : String(e));
        process.exitCode = 1;
      },
    );
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

/** Prints each drift problem and the lines of its hint (the first difference), indented. */
export function printDrift(problems: readonly DriftProblem[], io: ScriptIo): void {
  for (const problem of problems) {
    io.err(problem.message);
    for (const line of problem.hint) io.err(`    ${line}`);
  }
}

/** How a write pass ended: files written and removed, and 1 when a file was in the way. */
export interface WriteResult {
  written: number;
  removed: number;
  status: number;
}

/**
 * Writes the missing and stale files of `problems` and removes the extra ones, but only those
 * starting with `marker` (written by the generator): anything else is reported, never lost.
 */
export function writeDrift(
  name: string,
  root: string,
  files: readonly GeneratedFile[],
  actual: ReadonlyMap<string, string>,
  problems: readonly DriftProblem[],
  marker: string,
  io: ScriptIo,
): WriteResult {
  const result: WriteResult = { written: 0, removed: 0, status: 0 };
  for (const problem of problems) {
    const full = join(root, ...problem.path.split('/'));
    if (problem.kind === 'extra') {
      if ((actual.get(problem.path) ?? '').startsWith(marker)) {
        rmSync(full);
        result.removed++;
      } else {
        io.err(`${name}: ${problem.path} was not written by the generator; move it out of ${dirname(problem.path)}/`);
        result.status = 1;
      }
      continue;
    }
    const file = files.find((f) => f.path === problem.path);
    if (file === undefined) continue;
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, file.content);
    result.written++;
  }
  return result;
}

/** A generator of whole files at fixed paths: what they should hold, for {@link runFileGenerator}. */
export interface FileGenerator {
  /** The name in messages, e.g. `regions`. */
  name: string;
  usage: string;
  /** The files with their generated content; throws on a bad source (nothing is written then). */
  plan: (root: string) => GeneratedFile[];
  /** What --check says when every file is up to date. */
  okMessage: string;
}

/** Runs a {@link FileGenerator}'s CLI (`--check`, `--help`) against `root`; returns the exit code. */
export function runFileGenerator(generator: FileGenerator, args: readonly string[], root: string, io: ScriptIo): number {
  const { name } = generator;
  const parsed = parseCheckArgs(args, name, generator.usage, io);
  if ('exit' in parsed) return parsed.exit;
  let files: GeneratedFile[];
  const actual = new Map<string, string>();
  try {
    files = generator.plan(root);
    for (const file of files) {
      const full = join(root, ...file.path.split('/'));
      if (existsSync(full)) actual.set(file.path, readFileSync(full, 'utf8'));
    }
  } catch (e) {
    io.err(`${name}: ${e instanceof Error ? e.message : String(e)}`);
    return 1;
  }
  const problems = findDrift(files, actual);
  if (parsed.check) {
    if (problems.length === 0) {
      io.out(`${name} --check: OK, ${generator.okMessage}`);
      return 0;
    }
    printDrift(problems, io);
    io.err(`${name} --check: ${problems.length} file(s) drifted; run ${GENERATE_COMMAND}`);
    return 1;
  }
  const { written } = writeDrift(name, root, files, actual, problems, '', io);
  io.out(`${name}: ${files.length} file(s) (${written} written, ${files.length - written} unchanged)`);
  return 0;
}
