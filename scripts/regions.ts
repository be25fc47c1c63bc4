// `npm run generate`: writes the region list of src/api/regions.ts into the CRDs, between
// "# BEGIN generated regions" and "# END generated regions" comment lines (each `enum:` of a
// region field), as YAML list items at the BEGIN line's indentation.
// `npm run verify` (`--check`): writes nothing, exits 1 when a CRD's list differs.
// The rest of each CRD is written by hand, hence markers rather than a generated file; the chart's
// values.schema.json takes the list from scripts/values-schema.ts.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runFileGenerator, runIfMain, type ScriptIo } from './script-main.js';
import { findRepoRoot } from './generate.js';
import type { GeneratedFile } from './codegen.js';
import { REGIONS } from '../src/api/regions.js';

/** The source of the list, as messages name it. */
export const REGIONS_SOURCE = 'src/api/regions.ts';
/** The repo-relative CRD files with region lists. */
export const REGION_CRDS: readonly string[] = ['crds/tenantry.io_tenants.yaml', 'crds/tenantry.io_backuppolicies.yaml'];
/** The comment lines around each generated list (matched after the indentation). */
export const BEGIN_MARKER = '# BEGIN generated regions';
export const END_MARKER = '# END generated regions';

/**
 * Returns `text` with the lines between each BEGIN/END marker pair replaced by `regions` as YAML
 * list items; throws naming `file` when it has no pair or an unmatched marker.
 */
export function spliceRegions(text: string, regions: readonly string[], file: string): string {
  const lines = text.split('\n');
  const out: string[] = [];
  let pairs = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (line.trimStart().startsWith(END_MARKER))
      throw new Error(`${file}:${i + 1}: "${END_MARKER}" without a "${BEGIN_MARKER}" line before it`);
    out.push(line);
    if (!line.trimStart().startsWith(BEGIN_MARKER)) continue;
    const end = lines.findIndex((l, j) => j > i && (l.trimStart().startsWith(END_MARKER) || l.trimStart().startsWith(BEGIN_MARKER)));
    if (end < 0 || !(lines[end] ?? '').trimStart().startsWith(END_MARKER))
      throw new Error(`${file}:${i + 1}: "${BEGIN_MARKER}" without an "${END_MARKER}" line after it`);
    const indent = /^ */.exec(line)?.[0] ?? '';
    out.push(...regions.map((r) => `${indent}- ${r}`), lines[end] ?? '');
    i = end;
    pairs++;
  }
  if (pairs === 0) throw new Error(`${file} has no "${BEGIN_MARKER}" … "${END_MARKER}" lines around a region list`);
  return out.join('\n');
}

/** Returns each region CRD under `root` with its lists as {@link REGIONS} has them. */
export function planRegions(root: string, regions: readonly string[] = REGIONS): GeneratedFile[] {
  return REGION_CRDS.map((path) => ({
    path,
    source: REGIONS_SOURCE,
    content: spliceRegions(readFileSync(join(root, ...path.split('/')), 'utf8'), regions, path),
  }));
}

const USAGE = `usage: node dist/scripts/regions.js [--check]
  (no option)  write the regions of ${REGIONS_SOURCE} into ${REGION_CRDS.join(', ')}
  --check      write nothing; exit 1 if a CRD's region list differs from ${REGIONS_SOURCE}`;

/** Runs the CLI against `root` (with `regions`, for tests); returns the exit code. */
export function run(args: readonly string[], root: string, io: ScriptIo, regions: readonly string[] = REGIONS): number {
  return runFileGenerator(
    {
      name: 'regions',
      usage: USAGE,
      plan: (r) => planRegions(r, regions),
      okMessage: `the CRDs list the ${regions.length} regions of ${REGIONS_SOURCE}`,
    },
    args,
    root,
    io,
  );
}

runIfMain(import.meta.url, (args, fromDir, io) => run(args, findRepoRoot(fromDir), io));
