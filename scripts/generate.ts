// `npm run generate`: writes src/api/generated/*.ts from the CRDs in crds/*.yaml.
// `npm run verify` (`--check`): writes nothing, exits 1 when the generated files drifted from the CRDs.
// The generation itself is pure (scripts/codegen.ts); this file only reads and writes files.
import { existsSync, readdirSync, readFileSync, rmdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { loadAll } from 'js-yaml';
import { parseCheckArgs, printDrift, runIfMain, writeDrift } from './script-main.js';
import {
  findDrift,
  generateCrdTypes,
  generateIndex,
  GENERATE_COMMAND,
  GENERATED_MARKER,
  isCrdDocument,
  moduleNameFor,
  type GeneratedFile,
} from './codegen.js';

/** Repo-relative directories (`/`-separated, as they appear in messages). */
export const CRD_DIR = 'crds';
export const GENERATED_DIR = 'src/api/generated';

/**
 * The repository root: the first directory at or above `start` with a package.json and a
 * tsconfig.json (the compiled script runs from dist/scripts/; requiring tsconfig.json skips a
 * dist/package.json that tsc would emit if some module imported package.json).
 */
export function findRepoRoot(start: string): string {
  for (let dir = resolve(start); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'tsconfig.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no package.json found at or above ${start}`);
  }
}

/** The result of reading crds/: the files to generate, and notes about skipped documents. */
export interface Plan {
  files: GeneratedFile[];
  crdCount: number;
  notes: string[];
}

/** The CRD file names in crds/, sorted. */
export function listCrdFiles(root: string): string[] {
  const dir = join(root, CRD_DIR);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => /\.ya?ml$/.test(name) && statSync(join(dir, name)).isFile())
    .sort();
}

/** Reads crds/*.yaml and computes every generated file; throws on an invalid CRD (nothing is written then). */
export function planGeneration(root: string): Plan {
  const files: GeneratedFile[] = [];
  const notes: string[] = [];
  const modules = new Map<string, string>();
  let crdCount = 0;
  for (const name of listCrdFiles(root)) {
    const source = `${CRD_DIR}/${name}`;
    const docs = loadAll(readFileSync(join(root, CRD_DIR, name), 'utf8'), { filename: source });
    docs.forEach((doc, index) => {
      if (doc === null || doc === undefined) return;
      const label = docs.length > 1 ? `${name} (document ${index + 1})` : name;
      if (!isCrdDocument(doc)) {
        notes.push(`${CRD_DIR}/${label} is not a CustomResourceDefinition; skipped`);
        return;
      }
      const module = moduleNameFor(doc, label);
      const previous = modules.get(module);
      if (module === 'index' || previous !== undefined) {
        throw new Error(`${source}: module name ${module}.ts clashes with ${previous ?? 'the generated index'}`);
      }
      modules.set(module, source);
      files.push({ path: `${GENERATED_DIR}/${module}.ts`, content: generateCrdTypes(doc, label), source });
      crdCount++;
    });
  }
  if (files.length > 0) {
    files.push({ path: `${GENERATED_DIR}/index.ts`, content: generateIndex([...modules.keys()]), source: `${CRD_DIR}/*.yaml` });
  }
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { files, crdCount, notes };
}

/** The files currently in src/api/generated/, or another repo-relative directory `under` (repo-relative path → content). */
export function readGenerated(root: string, under = GENERATED_DIR): Map<string, string> {
  const dir = join(root, under);
  const files = new Map<string, string>();
  if (!existsSync(dir)) return files;
  for (const name of readdirSync(dir).sort()) {
    const full = join(dir, name);
    if (statSync(full).isFile()) files.set(`${under}/${name}`, readFileSync(full, 'utf8'));
  }
  return files;
}

export interface Io {
  out: (line: string) => void;
  err: (line: string) => void;
}

const USAGE = `usage: node dist/scripts/generate.js [--check]
  (no option)  write ${GENERATED_DIR}/*.ts from ${CRD_DIR}/*.yaml
  --check      write nothing; exit 1 if ${GENERATED_DIR} differs from what ${CRD_DIR}/*.yaml generates`;

/** Runs the CLI against `root`; returns the exit code. */
export function run(args: readonly string[], root: string, io: Io): number {
  const parsed = parseCheckArgs(args, 'generate', USAGE, io);
  if ('exit' in parsed) return parsed.exit;
  const { check } = parsed;

  let plan: Plan;
  try {
    plan = planGeneration(root);
  } catch (error) {
    io.err(`generate: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
  for (const note of plan.notes) io.err(`generate: note: ${note}`);
  const actual = readGenerated(root);
  const problems = findDrift(plan.files, actual);

  if (check) {
    if (problems.length === 0) {
      io.out(
        plan.crdCount === 0
          ? `generate --check: OK, no CRDs in ${CRD_DIR}/ and nothing in ${GENERATED_DIR}/`
          : `generate --check: OK, ${GENERATED_DIR}/ is up to date with ${plan.crdCount} CRD(s) in ${CRD_DIR}/`,
      );
      return 0;
    }
    printDrift(problems, io);
    io.err(`generate --check: ${problems.length} generated file(s) drifted from ${CRD_DIR}/; run ${GENERATE_COMMAND}`);
    return 1;
  }

  const { written, removed, status } = writeDrift('generate', root, plan.files, actual, problems, GENERATED_MARKER, io);
  const dir = join(root, GENERATED_DIR);
  if (existsSync(dir) && readdirSync(dir).length === 0) rmdirSync(dir);
  io.out(
    `generate: ${plan.crdCount} CRD(s) → ${plan.files.length} file(s) in ${GENERATED_DIR}/ ` +
      `(${written} written, ${plan.files.length - written} unchanged, ${removed} removed)`,
  );
  return status;
}

runIfMain(import.meta.url, (args, fromDir, io) => run(args, findRepoRoot(fromDir), io));
