// `npm run generate` (second step): writes the time zone names the operator's runtime knows into
// the spec.timeZone rule of the BackupPolicy CRD, between its BEGIN/END marker comments.
// `npm run verify` (`--check`): writes nothing, exits 1 when the CRD's list differs from the
// runtime's, naming the zones missing or extra.
//
// The list is Intl.supportedValuesOf('timeZone') plus the IANA names Intl resolves but does not
// list (scripts/time-zone-links.ts), each kept only when src/backup/schedule.ts accepts it: so the
// API server refuses no zone the controller would take. The one difference the other way: ICU
// also resolves a few legacy IDs that are no IANA names (PST, IST, SystemV/EST5); schedule.ts
// lets them pass, Go's time.LoadLocation refuses them in the CronJob, and the CRD refuses them.
// The result follows the Node.js (ICU) version that runs the script; a Node.js upgrade that
// brings a new tzdata release may add zones, which --check reports until they are generated.
//
// A CEL list rather than an OpenAPI enum, on purpose: the API server's message for an enum
// violation lists every allowed value (about 600 names here), and an enum violation stops it from
// evaluating any CEL rule of the object, so a bad schedule next to it would go unreported.
// The list lives between marker comments because the rest of the CRD is written by hand.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseCheckArgs, runIfMain } from './script-main.js';
import { findRepoRoot, type Io } from './generate.js';
import { IANA_LINK_NAMES } from './time-zone-links.js';
import { GENERATE_COMMAND } from './codegen.js';
import { isKnownTimeZone } from '../src/backup/schedule.js';

/** The repo-relative CRD file whose spec.timeZone rule holds the list. */
export const TIME_ZONE_CRD = 'crds/tenantry.io_backuppolicies.yaml';
/** The comment lines that enclose the generated `rule:` (matched after the indentation). */
export const BEGIN_MARKER = '# BEGIN generated time zones';
export const END_MARKER = '# END generated time zones';
/** Width of a generated list line, not counting its indentation. */
const LINE_WIDTH = 100;

/** Returns the sorted, distinct zone names the CRD admits: the runtime's list and the link names, each only if `accepts` it. */
export function admittedTimeZones(supported: readonly string[], links: readonly string[], accepts: (zone: string) => boolean): string[] {
  return [...new Set([...supported, ...links])].filter(accepts).sort();
}

/** Returns the zones of this runtime: {@link admittedTimeZones} of Intl's list and {@link IANA_LINK_NAMES}, as schedule.ts accepts them. */
export function runtimeTimeZones(): string[] {
  return admittedTimeZones(Intl.supportedValuesOf('timeZone'), IANA_LINK_NAMES, isKnownTimeZone);
}

/** Renders the `rule:` key of a validation rule admitting exactly `zones`, as YAML lines at `indent`. */
export function renderZoneRule(zones: readonly string[], indent: string): string[] {
  const lines: string[] = [];
  let line = 'self in [';
  zones.forEach((zone, i) => {
    const item = `'${zone}'${i === zones.length - 1 ? ']' : ','}`;
    if (line.length + 1 + item.length > LINE_WIDTH) {
      lines.push(line);
      line = item;
    } else {
      line = line.endsWith('[') ? line + item : `${line} ${item}`;
    }
  });
  if (zones.length === 0) line += ']';
  lines.push(line);
  // A folded scalar joins the lines with single spaces, which CEL reads as the one-line list.
  return [`${indent}rule: >-`, ...lines.map((l) => `${indent}  ${l}`)];
}

/** Where the markers are in a CRD's lines: the BEGIN line, the END line and the BEGIN line's indentation. */
function findMarkers(lines: readonly string[]): { begin: number; end: number; indent: string } {
  const at = (marker: string) => lines.flatMap((l, i) => (l.trimStart().startsWith(marker) ? [i] : []));
  const begins = at(BEGIN_MARKER);
  const ends = at(END_MARKER);
  const [begin] = begins;
  const [end] = ends;
  if (begins.length !== 1 || ends.length !== 1 || begin === undefined || end === undefined || end < begin) {
    throw new Error(
      `${TIME_ZONE_CRD} must have one "${BEGIN_MARKER}" line and, after it, one "${END_MARKER}" line around the spec.timeZone rule ` +
        `(found ${begins.length} and ${ends.length})`,
    );
  }
  const indent = /^ */.exec(lines[begin] ?? '')?.[0] ?? '';
  return { begin, end, indent };
}

/** Returns the CRD text with the lines between the markers replaced by the rule for `zones`; throws without the markers. */
export function spliceZones(crd: string, zones: readonly string[]): string {
  const lines = crd.split('\n');
  const { begin, end, indent } = findMarkers(lines);
  return [...lines.slice(0, begin + 1), ...renderZoneRule(zones, indent), ...lines.slice(end)].join('\n');
}

/** Returns the zone names the CRD lists between the markers, in the order written. */
export function listedZones(crd: string): string[] {
  const lines = crd.split('\n');
  const { begin, end } = findMarkers(lines);
  return [
    ...lines
      .slice(begin + 1, end)
      .join('\n')
      .matchAll(/'([^']*)'/g),
  ].map((m) => m[1] ?? '');
}

/** What --check found: the zones the CRD lacks and those it has beyond the runtime's list. */
export interface ZoneDrift {
  missing: string[];
  extra: string[];
  /** True when the names agree but the text does not (order, layout or a hand edit): regenerate. */
  layout: boolean;
}

/** Compares a CRD's list with `zones`; undefined when the CRD is exactly what {@link spliceZones} writes. */
export function zoneDrift(crd: string, zones: readonly string[]): ZoneDrift | undefined {
  if (spliceZones(crd, zones) === crd) return undefined;
  const listed = new Set(listedZones(crd));
  const wanted = new Set(zones);
  const missing = zones.filter((z) => !listed.has(z));
  const extra = [...listed].filter((z) => !wanted.has(z));
  return { missing, extra, layout: missing.length === 0 && extra.length === 0 };
}

/** Lists up to 20 names, then how many more. */
function names(zones: readonly string[]): string {
  const shown = zones.slice(0, 20).join(', ');
  return zones.length > 20 ? `${shown} and ${zones.length - 20} more` : shown;
}

const USAGE = `usage: node dist/scripts/time-zones.js [--check]
  (no option)  write the runtime's time zone names into the spec.timeZone rule of ${TIME_ZONE_CRD}
  --check      write nothing; exit 1 if the CRD's list differs from the runtime's`;

/** Runs the CLI against `root` with the runtime's zones (or `zones`, for tests); returns the exit code. */
export function run(args: readonly string[], root: string, io: Io, zones: readonly string[] = runtimeTimeZones()): number {
  const parsed = parseCheckArgs(args, 'time-zones', USAGE, io);
  if ('exit' in parsed) return parsed.exit;
  const { check } = parsed;
  const file = join(root, ...TIME_ZONE_CRD.split('/'));
  let crd: string;
  let drift: ZoneDrift | undefined;
  try {
    crd = readFileSync(file, 'utf8');
    drift = zoneDrift(crd, zones);
  } catch (e) {
    io.err(`time-zones: ${e instanceof Error ? e.message : String(e)}`);
    return 1;
  }
  const runtime = `Node.js ${process.versions.node}, tzdata ${process.versions.tz ?? 'unknown'}`;
  if (check) {
    if (drift === undefined) {
      io.out(`time-zones --check: OK, ${TIME_ZONE_CRD} lists the ${zones.length} time zones of this runtime (${runtime})`);
      return 0;
    }
    if (drift.missing.length > 0)
      io.err(`time-zones: ${TIME_ZONE_CRD} lacks ${drift.missing.length} zone(s) of this runtime: ${names(drift.missing)}`);
    if (drift.extra.length > 0)
      io.err(`time-zones: ${TIME_ZONE_CRD} lists ${drift.extra.length} zone(s) this runtime does not know: ${names(drift.extra)}`);
    if (drift.layout) io.err(`time-zones: ${TIME_ZONE_CRD} lists the right zones but not as generated (order or layout)`);
    io.err(`time-zones --check: the spec.timeZone list drifted from this runtime (${runtime}); run ${GENERATE_COMMAND}`);
    return 1;
  }
  if (drift !== undefined) writeFileSync(file, spliceZones(crd, zones));
  io.out(`time-zones: ${TIME_ZONE_CRD} lists ${zones.length} time zones (${runtime}; ${drift === undefined ? 'unchanged' : 'written'})`);
  return 0;
}

runIfMain(import.meta.url, (args, fromDir, io) => run(args, findRepoRoot(fromDir), io));
