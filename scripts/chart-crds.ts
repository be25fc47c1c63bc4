// `npm run generate` (second step): copies crds/*.yaml into the Helm chart (charts/tenantry/crds/)
// and into the kustomize CRD layer (deploy/crds/, with its kustomization.yaml).
// `npm run verify` (`--check`): writes nothing, exits 1 when a copy drifted from crds/.
//
// Why copies: crds/ stays the single source of truth, but Helm installs only the CRDs inside the
// chart folder, and kustomize (v5.7.1 in kubectl 1.35) refuses a file outside its kustomization's
// folder ("security; file ... is not in or below ...") and a folder without a kustomization, so
// deploy/kustomization.yaml cannot name ../crds/*.yaml. Each copy is the CRD file byte for byte
// below a one-line header. The computation is pure (generateCrdCopies); run() only reads and writes.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { loadAll } from 'js-yaml';
import { parseCheckArgs, printDrift, runIfMain, writeDrift } from './script-main.js';
import { findDrift, GENERATE_COMMAND, isCrdDocument, type GeneratedFile } from './codegen.js';
import { CRD_DIR, findRepoRoot, listCrdFiles, type Io } from './generate.js';

/** Repo-relative folders the copies go to (`/`-separated, as they appear in messages). */
export const CHART_CRD_DIR = 'charts/tenantry/crds';
export const DEPLOY_CRD_DIR = 'deploy/crds';
/** Every generated file starts with this, so the generator only ever deletes its own files. */
export const COPY_MARKER = '# Generated ';

/** One file of crds/: its base name and its text. */
export interface CrdSource {
  name: string;
  content: string;
}

/** The files to write, and notes about sources that were skipped. */
export interface CopyPlan {
  files: GeneratedFile[];
  crdCount: number;
  notes: string[];
}

/** Returns the one-line header of a copy of `crds/<name>`. */
export function copyHeader(name: string): string {
  return `${COPY_MARKER}from ${CRD_DIR}/${name} by \`${GENERATE_COMMAND}\`. Do not edit.\n`;
}

/** Returns deploy/crds/kustomization.yaml listing the copied CRD files (sorted). */
export function crdKustomization(names: readonly string[]): string {
  const sorted = [...new Set(names)].sort();
  return [
    `${COPY_MARKER}from ${CRD_DIR}/*.yaml by \`${GENERATE_COMMAND}\`. Do not edit.`,
    `# The CRDs as a kustomize layer for deploy/kustomization.yaml: kustomize loads no file outside`,
    `# a kustomization's folder, so the files here are copies of ${CRD_DIR}/ (the source of truth).`,
    'apiVersion: kustomize.config.k8s.io/v1beta1',
    'kind: Kustomization',
    ...(sorted.length === 0 ? ['resources: []'] : ['resources:', ...sorted.map((n) => `  - ${n}`)]),
    '',
  ].join('\n');
}

/**
 * Computes the chart's and the kustomize layer's CRD files from the files of crds/: each CRD file
 * becomes `<header><content>` in both folders (a missing final newline is added), plus the
 * layer's kustomization.yaml. A file with anything but CustomResourceDefinitions in it is skipped
 * with a note (Helm would install it as if it were a CRD); invalid YAML throws.
 */
export function generateCrdCopies(sources: readonly CrdSource[]): CopyPlan {
  const files: GeneratedFile[] = [];
  const notes: string[] = [];
  const copied: string[] = [];
  let crdCount = 0;
  for (const { name, content } of [...sources].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const source = `${CRD_DIR}/${name}`;
    const docs = loadAll(content, { filename: source }).filter((d) => d !== null && d !== undefined);
    if (docs.length === 0 || !docs.every((d) => isCrdDocument(d))) {
      notes.push(`${source} holds ${docs.length === 0 ? 'no document' : 'a document that is not a CustomResourceDefinition'}; not copied`);
      continue;
    }
    crdCount += docs.length;
    copied.push(name);
    const text = copyHeader(name) + (content.endsWith('\n') ? content : `${content}\n`);
    for (const dir of [CHART_CRD_DIR, DEPLOY_CRD_DIR]) files.push({ path: `${dir}/${name}`, content: text, source });
  }
  files.push({ path: `${DEPLOY_CRD_DIR}/kustomization.yaml`, content: crdKustomization(copied), source: `${CRD_DIR}/*.yaml` });
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { files, crdCount, notes };
}

/** Reads crds/*.yaml under `root`. */
export function readCrdSources(root: string): CrdSource[] {
  return listCrdFiles(root).map((name) => ({ name, content: readFileSync(join(root, CRD_DIR, name), 'utf8') }));
}

/** The files currently in the two copy folders (repo-relative path → content). */
export function readCopies(root: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const dir of [CHART_CRD_DIR, DEPLOY_CRD_DIR]) {
    const full = join(root, ...dir.split('/'));
    if (!existsSync(full)) continue;
    for (const name of readdirSync(full).sort()) {
      if (statSync(join(full, name)).isFile()) out.set(`${dir}/${name}`, readFileSync(join(full, name), 'utf8'));
    }
  }
  return out;
}

const USAGE = `usage: node dist/scripts/chart-crds.js [--check]
  (no option)  copy ${CRD_DIR}/*.yaml to ${CHART_CRD_DIR}/ and ${DEPLOY_CRD_DIR}/
  --check      write nothing; exit 1 if a copy differs from ${CRD_DIR}/`;

/** Runs the CLI against `root`; returns the exit code. */
export function run(args: readonly string[], root: string, io: Io): number {
  const parsed = parseCheckArgs(args, 'chart-crds', USAGE, io);
  if ('exit' in parsed) return parsed.exit;
  const { check } = parsed;

  let plan: CopyPlan;
  try {
    plan = generateCrdCopies(readCrdSources(root));
  } catch (e) {
    io.err(`chart-crds: ${e instanceof Error ? e.message : String(e)}`);
    return 1;
  }
  for (const note of plan.notes) io.err(`chart-crds: note: ${note}`);
  const actual = readCopies(root);
  const problems = findDrift(plan.files, actual);
  const where = `${CHART_CRD_DIR}/ and ${DEPLOY_CRD_DIR}/`;

  if (check) {
    if (problems.length === 0) {
      io.out(`chart-crds --check: OK, ${where} match the ${plan.crdCount} CRD(s) in ${CRD_DIR}/`);
      return 0;
    }
    printDrift(problems, io);
    io.err(`chart-crds --check: ${problems.length} file(s) in ${where} drifted from ${CRD_DIR}/; run ${GENERATE_COMMAND}`);
    return 1;
  }

  const { written, removed, status } = writeDrift('chart-crds', root, plan.files, actual, problems, COPY_MARKER, io);
  io.out(
    `chart-crds: ${plan.crdCount} CRD(s) → ${plan.files.length} file(s) in ${where} ` +
      `(${written} written, ${plan.files.length - written} unchanged, ${removed} removed)`,
  );
  return status;
}

runIfMain(import.meta.url, (args, fromDir, io) => run(args, findRepoRoot(fromDir), io));
