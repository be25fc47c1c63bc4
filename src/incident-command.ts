// `tenantry incident notices`: per affected tenant the facts a breach notice needs (tenant, region,
// plan, data categories, detection time, deadline, state of its notice) and the authority notices,
// for the people who write to customers and authorities. The incident is evaluated at now with the
// engine the operator runs, so the states are current even when the status is minutes old.
import { readFileSync } from 'node:fs';
import { KubeConfig } from '@kubernetes/client-node';
import { CORE_SCHEMA, loadAll } from 'js-yaml';
import {
  INCIDENT_API_VERSION,
  INCIDENT_KIND,
  INCIDENT_PLURAL,
  TENANT_API_VERSION,
  TENANT_PLURAL,
  type Incident,
  type Tenant,
} from './api/generated/index.js';
import { evaluateIncident } from './incident/engine.js';
import { tenantFacts } from './incident/facts.js';
import { noticeReport, reportJson, reportMarkdown, reportTable } from './incident/report.js';
import type { TenantFacts } from './incident/types.js';
import { InputError, parseTenants } from './lifecycle-command.js';
import { formatRfc3339 } from './lifecycle/timestamps.js';
import { KubeRest, resourcePath } from './runtime/rest.js';

/** Exit code for a usage error or bad input (EX_USAGE from sysexits.h). */
const EXIT_USAGE = 64;

const FORMATS = { json: reportJson, markdown: reportMarkdown, table: reportTable } as const;

/** Parsed options of `tenantry incident`. */
export interface IncidentFlags {
  filename?: string;
  tenants?: string;
  output?: string;
  kubeconfig?: string;
}

/** Where the command reads from and writes to; the clock is passed in so tests can fix it. */
export interface IncidentIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  readStdin: () => string;
  clock: () => Date;
}

const processIo: IncidentIo = {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  readStdin: () => readFileSync(0, 'utf8'),
  clock: () => new Date(),
};

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function asIncident(doc: unknown, where: string): Incident {
  if (!isObj(doc)) throw new InputError(`${where}: not a mapping`);
  if (doc.kind !== INCIDENT_KIND) throw new InputError(`${where}: kind must be ${INCIDENT_KIND} (got ${JSON.stringify(doc.kind ?? null)})`);
  if (!isObj(doc.metadata) || typeof doc.metadata.name !== 'string' || doc.metadata.name === '')
    throw new InputError(`${where}: metadata.name is required`);
  const spec = doc.spec;
  if (!isObj(spec)) throw new InputError(`${where} (${doc.metadata.name}): spec is required`);
  if (typeof spec.summary !== 'string') throw new InputError(`${where} (${doc.metadata.name}): spec.summary is required`);
  if (typeof spec.detectedAt !== 'string') throw new InputError(`${where} (${doc.metadata.name}): spec.detectedAt is required`);
  if (!isObj(spec.affected)) throw new InputError(`${where} (${doc.metadata.name}): spec.affected is required`);
  return doc as unknown as Incident;
}

/**
 * Reads the Incidents of a YAML or JSON text (one object, a List, or several documents). Timestamps
 * stay strings (YAML 1.2 core schema) for the engine's strict RFC 3339 reader.
 */
export function parseIncidents(text: string, source: string): Incident[] {
  let docs: unknown[];
  try {
    docs = loadAll(text, { schema: CORE_SCHEMA });
  } catch (e) {
    throw new InputError(`${source} is not valid YAML or JSON: ${(e as Error).message}`);
  }
  const out: Incident[] = [];
  docs.forEach((doc, i) => {
    const where = docs.length > 1 ? `${source}: document ${i + 1}` : source;
    if (doc === null || doc === undefined) return;
    if (isObj(doc) && typeof doc.kind === 'string' && doc.kind.endsWith('List')) {
      if (!Array.isArray(doc.items)) throw new InputError(`${where}: items must be a list`);
      doc.items.forEach((item: unknown, j) => out.push(asIncident(item, `${where}: items[${j}]`)));
    } else out.push(asIncident(doc, where));
  });
  if (out.length === 0) throw new InputError(`${source} holds no Incident`);
  return out;
}

function readText(file: string, io: IncidentIo): { text: string; source: string } {
  if (file === '-') return { text: io.readStdin(), source: 'stdin' };
  try {
    return { text: readFileSync(file, 'utf8'), source: file };
  } catch (e) {
    throw new InputError(`cannot read ${file}: ${(e as Error).message}`);
  }
}

/** The incident of a file: the one named, or the only one. */
function pick(incidents: Incident[], name: string | undefined, source: string): Incident {
  if (name === undefined) {
    if (incidents.length === 1) return incidents[0]!;
    throw new InputError(`${source} holds ${incidents.length} Incidents; name one (${incidents.map((i) => i.metadata.name).join(', ')})`);
  }
  const found = incidents.find((i) => i.metadata.name === name);
  if (found === undefined) throw new InputError(`${source} holds no Incident named ${name}`);
  return found;
}

function kubeRest(kubeconfig: string | undefined): KubeRest {
  const kc = new KubeConfig();
  if (kubeconfig) kc.loadFromFile(kubeconfig);
  else kc.loadFromDefault();
  return new KubeRest(kc);
}

interface Input {
  incident: Incident;
  tenants: TenantFacts[];
}

async function fromCluster(name: string, flags: IncidentFlags): Promise<Input> {
  const rest = kubeRest(flags.kubeconfig);
  const incident = await rest.request<Incident>(
    'GET',
    resourcePath({ apiVersion: INCIDENT_API_VERSION, plural: INCIDENT_PLURAL, namespaced: false }, undefined, name),
  );
  // Once the operator froze the affected set, the status holds every fact; before that, the Tenants decide.
  if (incident.status?.affectedTenants !== undefined) return { incident, tenants: [] };
  const list = await rest.request<{ items?: Tenant[] }>(
    'GET',
    resourcePath({ apiVersion: TENANT_API_VERSION, plural: TENANT_PLURAL, namespaced: false }),
  );
  return { incident, tenants: (list.items ?? []).map(tenantFacts) };
}

async function readInput(flags: IncidentFlags, names: string[], io: IncidentIo): Promise<Input> {
  if (names.length > 1) throw new InputError(`give one Incident name (got ${names.join(' ')})`);
  if (flags.filename === undefined) {
    if (flags.tenants !== undefined) throw new InputError('--tenants is for -f FILE; from the cluster the Tenants are read there');
    if (names.length !== 1) throw new InputError('give one Incident name, or -f FILE (- for stdin)');
    return fromCluster(names[0]!, flags);
  }
  const file = readText(flags.filename, io);
  const incident = pick(parseIncidents(file.text, file.source), names[0], file.source);
  if (flags.tenants === undefined) return { incident, tenants: [] };
  if (flags.tenants === '-' && flags.filename === '-') throw new InputError('-f and --tenants cannot both read stdin');
  const tenantsFile = readText(flags.tenants, io);
  return { incident, tenants: parseTenants(tenantsFile.text, tenantsFile.source).map(tenantFacts) };
}

/** Runs `tenantry incident notices …`; resolves with the exit code. */
export async function incidentCommand(flags: IncidentFlags, positionals: string[], io: IncidentIo = processIo): Promise<number> {
  const [sub, ...names] = positionals;
  try {
    if (sub !== 'notices') throw new InputError(`unknown subcommand ${JSON.stringify(sub ?? '')} (known: notices)`);
    const output = flags.output ?? 'table';
    if (!Object.hasOwn(FORMATS, output)) throw new InputError(`-o must be json, markdown or table (got "${output}")`);
    const { incident, tenants } = await readInput(flags, names, io);
    const now = io.clock();
    const evaluation = evaluateIncident(incident.spec, incident.status, tenants, now);
    if (incident.status?.affectedTenants === undefined && tenants.length === 0)
      io.stderr(
        'tenantry incident notices: warning: the incident has no frozen affected tenants yet and no Tenants were given (--tenants)\n',
      );
    for (const p of evaluation.problems) io.stderr(`tenantry incident notices: warning: ${p.field}: ${p.message}\n`);
    io.stdout(FORMATS[output as keyof typeof FORMATS](noticeReport(incident, evaluation.status, formatRfc3339(now))));
    return 0;
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    io.stderr(`tenantry incident: ${e.message}\n`);
    return EXIT_USAGE;
  }
}
