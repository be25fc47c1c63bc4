// The one list of generators. `npm run generate` runs each in this order (the CRD editors first,
// then what is derived from the CRDs); `npm run verify` and the unit suite run each with --check,
// which every generator has (script-main.ts reads it). A generator is a module of scripts/
// exporting `run(args, root, io)`; adding or moving one is one line here.
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { parseCheckArgs, runIfMain, type ScriptIo } from './script-main.js';
import { findRepoRoot } from './generate.js';
import { GENERATE_COMMAND } from './codegen.js';

/** The generator modules of scripts/, by base name, in the order they run. */
export const GENERATORS: readonly string[] = [
  'regions', // src/api/regions.ts → the CRDs' region lists
  'time-zones', // the runtime's time zones → the BackupPolicy CRD's spec.timeZone rule
  'generate', // crds/ → src/api/generated/
  'chart-crds', // crds/ → charts/tenantry/crds/, deploy/crds/
  'upstream-types', // the pinned cert-manager, Gateway API and Traefik CRDs → src/api/upstream/
  'values-schema', // the configuration's keys and regions → charts/tenantry/values.schema.json
];

const USAGE = `usage: node dist/scripts/generators.js [--check]
  (no option)  run every generator: ${GENERATORS.join(', ')}
  --check      write nothing; run each generator's --check and exit 1 if any found drift`;

/** A generator's CLI entry point. */
export type GeneratorRun = (args: readonly string[], root: string, io: ScriptIo) => number;

/** Loads the `run` function of a generator module next to this file; throws when it has none. */
export async function loadGenerator(name: string): Promise<GeneratorRun> {
  const mod = (await import(pathToFileURL(join(import.meta.dirname, `${name}.js`)).href)) as { run?: unknown };
  if (typeof mod.run !== 'function') throw new Error(`scripts/${name}.ts exports no run(args, root, io)`);
  return mod.run as GeneratorRun;
}

/**
 * Runs every generator against `root`: with --check each of them, reporting all that drifted;
 * otherwise in order, stopping at the first that fails. Returns the exit code.
 */
export async function runAll(args: readonly string[], root: string, io: ScriptIo, names: readonly string[] = GENERATORS): Promise<number> {
  const parsed = parseCheckArgs(args, 'generators', USAGE, io);
  if ('exit' in parsed) return parsed.exit;
  const { check } = parsed;
  const failed: string[] = [];
  for (const name of names) {
    const code = (await loadGenerator(name))(args, root, io);
    if (code === 0) continue;
    failed.push(name);
    if (!check) return code;
  }
  if (failed.length === 0) return 0;
  io.err(`verify: ${failed.length} of ${names.length} generator(s) found drift (${failed.join(', ')}); run ${GENERATE_COMMAND}`);
  return 1;
}

runIfMain(import.meta.url, (args, fromDir, io) => runAll(args, findRepoRoot(fromDir), io));
