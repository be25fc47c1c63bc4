// `tenantry incident notices`: the facts each notice needs, for the people who write to customers
// and authorities, as JSON, Markdown (to paste into a ticket or a letter template) or a table.
import type { Incident, IncidentStatus, IncidentStatusNoticesItem } from '../api/generated/index.js';

/** One customer notice: the affected tenant's frozen facts and the notice's state. */
export interface CustomerNoticeFacts {
  tenant: string;
  region: string;
  plan: string;
  /** The incident's facts repeated per tenant, so each entry is a complete notice for a mail merge. */
  dataCategories: string[];
  detectedAt: string;
  deadline: string | null;
  affectedSince: string | null;
  state: IncidentStatusNoticesItem['state'];
  notifiedAt: string | null;
  reference: string | null;
}

/** One authority notice and its state. */
export interface AuthorityNoticeFacts {
  authority: string;
  state: IncidentStatusNoticesItem['state'];
  notifiedAt: string | null;
  reference: string | null;
}

/** Everything `incident notices` prints; the JSON output is this object. */
export interface NoticeReport {
  incident: string;
  summary: string;
  severity: string;
  detectedAt: string;
  deadline: string | null;
  timeLeftSeconds: number;
  phase: string;
  evaluatedAt: string;
  dataCategories: string[];
  customers: CustomerNoticeFacts[];
  authorities: AuthorityNoticeFacts[];
}

/** The report of `incident` whose status is `status` (as evaluated at `evaluatedAt`). */
export function noticeReport(incident: Pick<Incident, 'metadata' | 'spec'>, status: IncidentStatus, evaluatedAt: string): NoticeReport {
  const affected = new Map((status.affectedTenants ?? []).map((a) => [a.name, a]));
  const dataCategories = [...(incident.spec.dataCategories ?? [])];
  const detectedAt = String(incident.spec.detectedAt);
  const deadline = status.deadline ?? null;
  const notices = status.notices ?? [];
  return {
    incident: incident.metadata.name ?? '',
    summary: incident.spec.summary,
    severity: incident.spec.severity ?? 'high',
    detectedAt,
    deadline,
    timeLeftSeconds: status.timeLeftSeconds ?? 0,
    phase: status.phase ?? 'Open',
    evaluatedAt,
    dataCategories,
    customers: notices
      .filter((n) => n.audience === 'customer')
      .map((n) => {
        const a = affected.get(n.name);
        return {
          tenant: n.name,
          region: a?.region ?? '',
          plan: a?.plan ?? '',
          dataCategories,
          detectedAt,
          deadline,
          affectedSince: a?.since ?? null,
          state: n.state,
          notifiedAt: n.notifiedAt ?? null,
          reference: n.reference ?? null,
        };
      }),
    authorities: notices
      .filter((n) => n.audience === 'authority')
      .map((n) => ({ authority: n.name, state: n.state, notifiedAt: n.notifiedAt ?? null, reference: n.reference ?? null })),
  };
}

/** The time left as hours and minutes ("47h 59m"), or "deadline passed". */
export function timeLeft(seconds: number): string {
  if (seconds <= 0) return 'deadline passed';
  const minutes = Math.ceil(seconds / 60);
  return `${Math.floor(minutes / 60)}h ${String(minutes % 60).padStart(2, '0')}m`;
}

const dash = (v: string | null) => (v === null || v === '' ? '-' : v);

/** Lays out rows as columns separated by two spaces. */
function columns(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) =>
    r
      .map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd(),
  );
}

function headerLines(r: NoticeReport): string[] {
  return [
    `Incident:        ${r.incident} (${r.severity})`,
    `Summary:         ${r.summary}`,
    `Detected:        ${r.detectedAt}`,
    `Deadline:        ${dash(r.deadline)} (${r.deadline === null ? 'unknown' : timeLeft(r.timeLeftSeconds)} at ${r.evaluatedAt})`,
    `Phase:           ${r.phase}`,
    `Data categories: ${r.dataCategories.length === 0 ? '-' : r.dataCategories.join(', ')}`,
  ];
}

/** The human view: the incident's facts, then one row per customer notice and per authority notice. */
export function reportTable(r: NoticeReport): string {
  const out = headerLines(r);
  out.push('', `Customer notices (${r.customers.length}):`);
  if (r.customers.length > 0)
    out.push(
      ...columns([
        ['TENANT', 'REGION', 'PLAN', 'STATE', 'NOTIFIED AT', 'REFERENCE'],
        ...r.customers.map((c) => [c.tenant, dash(c.region), dash(c.plan), c.state, dash(c.notifiedAt), dash(c.reference)]),
      ]),
    );
  out.push('', `Authority notices (${r.authorities.length}):`);
  if (r.authorities.length > 0)
    out.push(
      ...columns([
        ['AUTHORITY', 'STATE', 'NOTIFIED AT', 'REFERENCE'],
        ...r.authorities.map((a) => [a.authority, a.state, dash(a.notifiedAt), dash(a.reference)]),
      ]),
    );
  return `${out.join('\n')}\n`;
}

/** A Markdown table cell: pipes escaped and line breaks flattened, so a value never breaks the table. */
export function mdCell(value: string | null): string {
  return dash(value).replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

function mdTable(header: string[], rows: (string | null)[][]): string[] {
  return [
    `| ${header.join(' | ')} |`,
    `|${header.map(() => '---').join('|')}|`,
    ...rows.map((row) => `| ${row.map(mdCell).join(' | ')} |`),
  ];
}

/** The Markdown view, for a ticket or the notice templates: facts, then both notice tables. */
export function reportMarkdown(r: NoticeReport): string {
  const out = [
    `# Incident ${r.incident}: notices`,
    '',
    `- **Summary:** ${r.summary.replace(/\r?\n/g, ' ')}`,
    `- **Severity:** ${r.severity}`,
    `- **Detected at:** ${r.detectedAt}`,
    `- **Notification deadline:** ${dash(r.deadline)} (${r.deadline === null ? 'unknown' : timeLeft(r.timeLeftSeconds)} at ${r.evaluatedAt})`,
    `- **Phase:** ${r.phase}`,
    `- **Data categories:** ${r.dataCategories.length === 0 ? '-' : r.dataCategories.join(', ')}`,
    '',
    `## Customer notices (${r.customers.length})`,
    '',
  ];
  if (r.customers.length === 0) out.push('No affected tenant.');
  else
    out.push(
      ...mdTable(
        ['Tenant', 'Region', 'Plan', 'Affected since', 'State', 'Notified at', 'Reference'],
        r.customers.map((c) => [c.tenant, c.region, c.plan, c.affectedSince, c.state, c.notifiedAt, c.reference]),
      ),
    );
  out.push('', `## Authority notices (${r.authorities.length})`, '');
  if (r.authorities.length === 0) out.push('No authority listed.');
  else
    out.push(
      ...mdTable(
        ['Authority', 'State', 'Notified at', 'Reference'],
        r.authorities.map((a) => [a.authority, a.state, a.notifiedAt, a.reference]),
      ),
    );
  return `${out.join('\n')}\n`;
}

/** The JSON view: the report as one object (pretty-printed). */
export function reportJson(r: NoticeReport): string {
  return `${JSON.stringify(r, null, 2)}\n`;
}
