// `npm run generate` (last step): writes src/api/upstream/*.ts, the types of the cert-manager,
// Gateway API and Traefik kinds the builders write, from the upstream CRDs the test environment
// extracts at the versions it pins (test/env/upstream-crds.ts, test/env/upstream/go.mod).
// `npm run verify` (`--check`): writes nothing, exits 1 when the committed files differ from what
// the extracted CRDs generate.
//
// The generated files are committed, like src/api/generated/: building and type-checking need no
// Go toolchain and no download. Regenerating needs the extracted CRDs in the cache, which
// `npm run env:build` (and every integration run) writes. Without them --check cannot regenerate;
// it then compares the module versions the files were generated from with the pins, so a bumped
// pin is caught everywhere, and says that it did only that.
import { existsSync, readdirSync, readFileSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadAll } from 'js-yaml';
import { findDrift, generateCrdTypes, generateIndex, GENERATE_COMMAND, GENERATED_MARKER, readCrd, type GeneratedFile } from './codegen.js';
import { findRepoRoot, readGenerated, type Io } from './generate.js';
import { parseCheckArgs, printDrift, runIfMain, writeDrift } from './script-main.js';
import { cacheDir } from '../test/env/paths.js';
import { UPSTREAM_CRD_VERSIONS } from '../test/env/upstream-crds.js';

/** Repo-relative directory of the generated modules. */
export const UPSTREAM_DIR = 'src/api/upstream';

/** One upstream kind a builder writes: the extracted file it is in and the version the builder writes. */
export interface UpstreamKind {
  file: string;
  kind: string;
  version: string;
}

/** The upstream kinds the builders write (src/resources/certificate.ts, ingress.ts), at the apiVersion they write. */
export const UPSTREAM_KINDS: readonly UpstreamKind[] = [
  { file: 'cert-manager.yaml', kind: 'Certificate', version: 'v1' },
  { file: 'gateway-api.yaml', kind: 'HTTPRoute', version: 'v1' },
  { file: 'gateway-api.yaml', kind: 'ListenerSet', version: 'v1' },
  // Stored as v1beta1 upstream; the builder writes v1, which is served.
  { file: 'gateway-api.yaml', kind: 'ReferenceGrant', version: 'v1' },
  { file: 'traefik.yaml', kind: 'Middleware', version: 'v1alpha1' },
  { file: 'traefik.yaml', kind: 'TLSOption', version: 'v1alpha1' },
  { file: 'traefik.yaml', kind: 'IngressRoute', version: 'v1alpha1' },
];

/** The pinned module versions, by module path. */
export type Pins = Readonly<Record<string, string>>;

/** Returns where the test environment extracts the upstream CRDs. */
export function defaultCrdDir(): string {
  return join(cacheDir(), 'upstream-crds');
}

/** An extracted file: the module and version its header names, and its documents. */
interface Extracted {
  module: string;
  version: string;
  docs: unknown[];
}

/** The header of an extracted file names the module and version it was extracted from. */
const EXTRACTED_HEADER = /^# (\S+)@(\S+): /;
/** The header of a generated module names the same. */
const GENERATED_FROM = /^\/\/ Generated from (\S+)@(\S+) \(/;

/**
 * Reads the extracted files the kinds need from `dir`. Returns why they cannot be used instead
 * when one is missing or was extracted at a version other than the pin (a stale cache).
 */
export function readExtracted(dir: string, pins: Pins): Map<string, Extracted> | string {
  const out = new Map<string, Extracted>();
  for (const file of new Set(UPSTREAM_KINDS.map((k) => k.file))) {
    const path = join(dir, file);
    if (!existsSync(path)) return `${path} does not exist`;
    const text = readFileSync(path, 'utf8');
    const header = EXTRACTED_HEADER.exec(text);
    if (!header) return `${path} does not start with the "# <module>@<version>:" line of test/env/upstream-crds.ts`;
    const [, module = '', version = ''] = header;
    if (pins[module] !== version) return `${path} holds ${module}@${version}, but ${pins[module] ?? 'no version'} is pinned`;
    out.set(file, { module, version, docs: loadAll(text, { filename: path }) });
  }
  return out;
}

/** Computes every generated file from the extracted CRDs; throws when a kind or version is not there. */
export function planUpstream(extracted: ReadonlyMap<string, Extracted>): GeneratedFile[] {
  const files: GeneratedFile[] = [];
  for (const { file, kind, version } of UPSTREAM_KINDS) {
    const source = extracted.get(file);
    if (!source) throw new Error(`${file} was not read`);
    const doc = source.docs.find((d) => {
      try {
        return readCrd(d, file).kind === kind;
      } catch {
        return false;
      }
    });
    if (doc === undefined) throw new Error(`${file} (${source.module}@${source.version}) has no CRD of kind ${kind}`);
    const origin = `${source.module}@${source.version} (${kind} ${version})`;
    files.push({
      path: `${UPSTREAM_DIR}/${kind.toLowerCase()}.ts`,
      content: generateCrdTypes(doc, `${file} (${kind})`, { version, origin }),
      source: origin,
    });
  }
  const modules = UPSTREAM_KINDS.map((k) => k.kind.toLowerCase());
  files.push({
    path: `${UPSTREAM_DIR}/index.ts`,
    content: generateIndex(modules, 'the upstream CRDs of test/env/upstream-crds.ts'),
    source: 'the upstream CRDs',
  });
  return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** Without the CRDs: lists each kind whose module is missing or was generated from another version than the pin. */
export function pinProblems(committed: ReadonlyMap<string, string>, pins: Pins): string[] {
  const problems: string[] = [];
  for (const { kind } of UPSTREAM_KINDS) {
    const path = `${UPSTREAM_DIR}/${kind.toLowerCase()}.ts`;
    const text = committed.get(path);
    const from = text === undefined ? null : GENERATED_FROM.exec(text);
    if (text === undefined) problems.push(`${path} is missing`);
    else if (!from) problems.push(`${path} does not name the module version it was generated from`);
    else if (pins[from[1] ?? ''] !== from[2])
      problems.push(`${path} was generated from ${from[1]}@${from[2]}, but ${pins[from[1] ?? ''] ?? 'no version'} is pinned`);
  }
  return problems;
}

const USAGE = `usage: node dist/scripts/upstream-types.js [--check]
  (no option)  write ${UPSTREAM_DIR}/*.ts from the extracted upstream CRDs
  --check      write nothing; exit 1 if ${UPSTREAM_DIR} differs from what they generate`;

/** Runs the CLI against `root`, reading the extracted CRDs from `crdDir`; returns the exit code. */
export function run(args: readonly string[], root: string, io: Io, crdDir = defaultCrdDir(), pins: Pins = UPSTREAM_CRD_VERSIONS): number {
  const parsed = parseCheckArgs(args, 'upstream-types', USAGE, io);
  if ('exit' in parsed) return parsed.exit;
  const { check } = parsed;
  const committed = readGenerated(root, UPSTREAM_DIR);
  const extracted = readExtracted(crdDir, pins);
  if (typeof extracted === 'string') {
    const why = `the upstream CRDs cannot be read (${extracted}; \`npm run env:build\` extracts them)`;
    if (!check) {
      io.err(`upstream-types: note: ${why}: ${UPSTREAM_DIR}/ left as it is`);
      return 0;
    }
    const problems = pinProblems(committed, pins);
    for (const p of problems) io.err(p);
    if (problems.length > 0) {
      io.err(
        `upstream-types --check: ${UPSTREAM_DIR}/ does not match the pinned versions; run \`npm run env:build\`, then ${GENERATE_COMMAND}`,
      );
      return 1;
    }
    io.out(`upstream-types --check: OK as far as can be told: ${why}, so only the pinned versions were compared`);
    return 0;
  }

  let files: GeneratedFile[];
  try {
    files = planUpstream(extracted);
  } catch (error) {
    io.err(`upstream-types: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
  const problems = findDrift(files, committed);
  if (check) {
    if (problems.length === 0) {
      io.out(`upstream-types --check: OK, ${UPSTREAM_DIR}/ is up to date with ${UPSTREAM_KINDS.length} upstream kinds`);
      return 0;
    }
    printDrift(problems, io);
    io.err(`upstream-types --check: ${problems.length} file(s) drifted from the upstream CRDs; run ${GENERATE_COMMAND}`);
    return 1;
  }
  const { status } = writeDrift('upstream-types', root, files, committed, problems, GENERATED_MARKER, io);
  if (existsSync(join(root, UPSTREAM_DIR)) && readdirSync(join(root, UPSTREAM_DIR)).length === 0) rmdirSync(join(root, UPSTREAM_DIR));
  io.out(
    `upstream-types: ${UPSTREAM_KINDS.length} upstream kinds → ${files.length} file(s) in ${UPSTREAM_DIR}/ (${problems.length} written or removed)`,
  );
  return status;
}

runIfMain(import.meta.url, (args, fromDir, io) => run(args, findRepoRoot(fromDir), io));
