// `tenantry lifecycle explain`: what support staff run when a customer asks "when will my data be
// deleted?" It evaluates Tenants from a file (or stdin) or from the cluster with the same engine
// the operator enforces, at now or at --at, and prints a table or one JSON object per tenant.
import { readFileSync } from 'node:fs';
import { KubeConfig } from '@kubernetes/client-node';
import { CORE_SCHEMA, loadAll } from 'js-yaml';
import { TENANT_API_VERSION, TENANT_KIND, TENANT_PLURAL, type Tenant } from './api/generated/index.js';
import { ConfigError, loadConfigFile } from './config.js';
import { evaluate } from './lifecycle/engine.js';
import { formatRfc3339, parseRfc3339 } from './lifecycle/timestamps.js';
import { DEFAULT_DURATIONS, type LifecycleDurations, type LifecycleEvaluation } from './lifecycle/types.js';
import { KubeRest, resourcePath } from './runtime/rest.js';

/** Exit code for a usage error or bad input (EX_USAGE from sysexits.h). */
const EXIT_USAGE = 64;

/** Bad input: the message names the flag, document or field. */
export class InputError extends Error {}

/** Parsed options of `tenantry lifecycle`. */
export interface LifecycleFlags {
  filename?: string;
  at?: string;
  output?: string;
  kubeconfig?: string;
  config?: string;
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Checks that `doc` is a Tenant the engine can read; `where` names it in the message. */
function asTenant(doc: unknown, where: string): Tenant {
  if (!isObj(doc)) throw new InputError(`${where}: not a mapping`);
  if (doc.kind !== TENANT_KIND) throw new InputError(`${where}: kind must be ${TENANT_KIND} (got ${JSON.stringify(doc.kind ?? null)})`);
  if (!isObj(doc.metadata) || typeof doc.metadata.name !== 'string' || doc.metadata.name === '')
    throw new InputError(`${where}: metadata.name is required`);
  if (!isObj(doc.spec)) throw new InputError(`${where} (${doc.metadata.name}): spec is required`);
  return doc as unknown as Tenant;
}

/**
 * Reads the Tenants of a YAML or JSON text: one object, a List (kind List or TenantList), or
 * several documents; empty documents are skipped. Timestamps stay strings (YAML 1.2 core schema),
 * so they are parsed by the engine's strict RFC 3339 reader and nowhere else.
 */
export function parseTenants(text: string, source: string): Tenant[] {
  let docs: unknown[];
  try {
    docs = loadAll(text, { schema: CORE_SCHEMA });
  } catch (e) {
    throw new InputError(`${source} is not valid YAML or JSON: ${(e as Error).message}`);
  }
  const tenants: Tenant[] = [];
  docs.forEach((doc, i) => {
    const where = docs.length > 1 ? `${source}: document ${i + 1}` : source;
    if (doc === null || doc === undefined) return;
    if (isObj(doc) && typeof doc.kind === 'string' && doc.kind.endsWith('List')) {
      if (!Array.isArray(doc.items)) throw new InputError(`${where}: items must be a list`);
      doc.items.forEach((item: unknown, j) => tenants.push(asTenant(item, `${where}: items[${j}]`)));
    } else tenants.push(asTenant(doc, where));
  });
  if (tenants.length === 0) throw new InputError(`${source} holds no Tenant`);
  return tenants;
}

const iso = (d: Date | null) => (d === null ? null : formatRfc3339(d));

/** One tenant's evaluation as one line of JSON: the fields support tools and scripts read. */
export function jsonLine(name: string, at: Date, e: LifecycleEvaluation): string {
  return JSON.stringify({
    tenant: name,
    at: formatRfc3339(at),
    phase: e.phase,
    reason: e.reason,
    since: iso(e.since),
    eraseAt: iso(e.eraseAt),
    next: e.next === null ? null : { phase: e.next.phase, at: formatRfc3339(e.next.at) },
    erasureBlocked: e.erasureBlocked,
    problems: e.problems,
    timeline: e.timeline.map((s) => ({ phase: s.phase, reason: s.reason, at: iso(s.at) })),
  });
}

/** Lays out rows as columns separated by two spaces. */
function columns(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  '));
}

/** The human view: one summary row per tenant, then each tenant's timeline with the current step marked. */
export function table(results: { name: string; evaluation: LifecycleEvaluation }[], at: Date): string {
  const header = ['TENANT', 'PHASE', 'REASON', 'SINCE', 'NEXT', 'ERASE AT', 'ERASURE BLOCKED'];
  const rows = results.map(({ name, evaluation: e }) => [
    name,
    e.phase,
    e.reason,
    iso(e.since) ?? '-',
    e.next === null ? '-' : `${e.next.phase} at ${formatRfc3339(e.next.at)}`,
    iso(e.eraseAt) ?? '-',
    e.erasureBlocked ?? '-',
  ]);
  const out = [`Evaluated at ${formatRfc3339(at)}`, '', ...columns([header, ...rows])];
  for (const { name, evaluation: e } of results) {
    out.push('', `${name}:`);
    const current = e.timeline.findLastIndex((s) => s.phase === e.phase && (s.at === null || s.at.getTime() <= at.getTime()));
    const steps = e.timeline.map((s, i) => [
      '  ' + (s.at === null ? 'from the start' : formatRfc3339(s.at)),
      s.phase,
      s.reason + (i === current ? '  <- now' : ''),
    ]);
    out.push(...columns(steps));
    for (const p of e.problems) out.push(`  problem: ${p.field}: ${p.message}`);
  }
  return `${out.join('\n')}\n`;
}

/** The instant to evaluate at: --at (strict RFC 3339) or the clock. */
function instantOf(flag: string | undefined, clock: () => Date): Date {
  if (flag === undefined) return clock();
  const at = parseRfc3339(flag);
  if (at === null) throw new InputError(`--at must be an RFC 3339 timestamp such as 2025-01-31T00:00:00Z (got "${flag}")`);
  return at;
}

function durationsOf(configFile: string | undefined): LifecycleDurations {
  if (configFile === undefined) return DEFAULT_DURATIONS;
  try {
    return loadConfigFile(configFile).lifecycle.durations;
  } catch (e) {
    if (e instanceof ConfigError) throw new InputError(e.problems.join('; '));
    throw e;
  }
}

async function tenantFromCluster(name: string, kubeconfig: string | undefined): Promise<Tenant> {
  const kc = new KubeConfig();
  if (kubeconfig) kc.loadFromFile(kubeconfig);
  else kc.loadFromDefault();
  const path = resourcePath({ apiVersion: TENANT_API_VERSION, plural: TENANT_PLURAL, namespaced: false }, undefined, name);
  return new KubeRest(kc).request<Tenant>('GET', path);
}

/** Where the command reads from and writes to; the clock is passed in so tests can fix it. */
export interface LifecycleIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  readStdin: () => string;
  clock: () => Date;
}

const processIo: LifecycleIo = {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  readStdin: () => readFileSync(0, 'utf8'),
  clock: () => new Date(),
};

async function readInput(flags: LifecycleFlags, names: string[], io: LifecycleIo): Promise<Tenant[]> {
  if (flags.filename !== undefined) {
    if (names.length > 0) throw new InputError(`give either -f FILE or a Tenant name, not both (got ${names.join(' ')})`);
    if (flags.filename === '-') return parseTenants(io.readStdin(), 'stdin');
    let text: string;
    try {
      text = readFileSync(flags.filename, 'utf8');
    } catch (e) {
      throw new InputError(`cannot read ${flags.filename}: ${(e as Error).message}`);
    }
    return parseTenants(text, flags.filename);
  }
  if (names.length !== 1) throw new InputError('give one Tenant name, or -f FILE (- for stdin)');
  return [await tenantFromCluster(names[0]!, flags.kubeconfig)];
}

/** Runs `tenantry lifecycle explain …`; resolves with the exit code. */
export async function lifecycleCommand(flags: LifecycleFlags, positionals: string[], io: LifecycleIo = processIo): Promise<number> {
  const [sub, ...names] = positionals;
  try {
    if (sub !== 'explain') throw new InputError(`unknown subcommand ${JSON.stringify(sub ?? '')} (known: explain)`);
    const output = flags.output ?? 'table';
    if (output !== 'table' && output !== 'json') throw new InputError(`-o must be table or json (got "${output}")`);
    const at = instantOf(flags.at, io.clock);
    const durations = durationsOf(flags.config);
    const tenants = await readInput(flags, names, io);
    const results = tenants.map((t) => ({ name: t.metadata.name!, evaluation: evaluate(t, at, durations) }));
    io.stdout(output === 'json' ? results.map((r) => `${jsonLine(r.name, at, r.evaluation)}\n`).join('') : table(results, at));
    // The evaluation is printed either way (it shows the safe answer taken); invalid input still fails the command.
    const problems = results.flatMap((r) => r.evaluation.problems.map((p) => `${r.name}: ${p.field}: ${p.message}`));
    for (const p of problems) io.stderr(`tenantry lifecycle explain: ${p}\n`);
    return problems.length > 0 ? EXIT_USAGE : 0;
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    io.stderr(`tenantry lifecycle: ${e.message}\n`);
    return EXIT_USAGE;
  }
}
