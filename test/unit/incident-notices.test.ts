// `tenantry incident notices`: the report built from an evaluated incident, its three formats
// (table, Markdown with escaped cells, JSON with the facts repeated per tenant), the command on
// files and stdin (offline, with and without --tenants, with a frozen status), the states as of
// the fixed clock, and bad input refused with exit 64. Fixed dates only.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { incidentCommand, parseIncidents, type IncidentFlags } from '../../src/incident-command.js';
import { evaluateIncident } from '../../src/incident/engine.js';
import { tenantFacts } from '../../src/incident/facts.js';
import { mdCell, noticeReport, reportJson, reportMarkdown, reportTable, timeLeft, type NoticeReport } from '../../src/incident/report.js';
import { InputError, parseTenants } from '../../src/lifecycle-command.js';

const INCIDENT = `apiVersion: tenantry.io/v1alpha1
kind: Incident
metadata: {name: db7-leak}
spec:
  detectedAt: "2026-03-02T10:00:00Z"
  summary: "Backups of cluster db-7 were readable | publicly"
  severity: critical
  affected: {selector: {matchLabels: {cluster: db-7}}}
  dataCategories: [contact data, invoices]
  authorities: [BfDI]
  notifications:
    - {audience: customer, tenant: acme, notifiedAt: "2026-03-03T09:00:00Z", reference: "T-1"}
`;
const TENANTS = `apiVersion: v1
kind: List
items:
- {apiVersion: tenantry.io/v1alpha1, kind: Tenant, metadata: {name: acme, uid: u1, labels: {cluster: db-7}}, spec: {plan: business, region: eu-west-1}}
- {apiVersion: tenantry.io/v1alpha1, kind: Tenant, metadata: {name: beta, uid: u2, labels: {cluster: db-7}}, spec: {plan: starter, region: eu-central-1}}
- {apiVersion: tenantry.io/v1alpha1, kind: Tenant, metadata: {name: gamma, uid: u3}, spec: {plan: starter, region: eu-central-1}}
`;
/** The incident with the status the operator froze an hour after detection (beta only, relabelled since). */
const FROZEN = `${INCIDENT}status:
  frozenAt: "2026-03-02T11:00:00Z"
  affectedFrom: {selector: {matchLabels: {cluster: db-7}}}
  affectedTenants:
    - {name: beta, uid: u2, region: eu-central-1, plan: starter, since: "2026-03-02T11:00:00Z"}
    - {name: acme, uid: u1, region: eu-west-1, plan: business, since: "2026-03-02T11:00:00Z"}
`;

const BEFORE_DEADLINE = new Date('2026-03-03T10:00:00Z'); // 48 h left
const AFTER_DEADLINE = new Date('2026-03-06T00:00:00Z');

const dir = mkdtempSync(join(tmpdir(), 'incident-notices-'));
function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

async function run(flags: IncidentFlags, positionals: string[] = ['notices'], stdin = '', now = BEFORE_DEADLINE) {
  let stdout = '';
  let stderr = '';
  const code = await incidentCommand(flags, positionals, {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    readStdin: () => stdin,
    clock: () => now,
  });
  return { code, stdout, stderr };
}

function report(now: Date): NoticeReport {
  const incident = parseIncidents(INCIDENT, 'f')[0]!;
  const { status } = evaluateIncident(incident.spec, undefined, parseTenants(TENANTS, 't').map(tenantFacts), now);
  return noticeReport(incident, status, now.toISOString());
}

describe('the report', () => {
  test('per affected tenant the facts a notice needs, and the authority notices', () => {
    const r = report(BEFORE_DEADLINE);
    assert.equal(r.deadline, '2026-03-05T10:00:00Z');
    assert.equal(r.timeLeftSeconds, 48 * 3600);
    assert.deepEqual(r.customers, [
      {
        tenant: 'acme',
        region: 'eu-west-1',
        plan: 'business',
        dataCategories: ['contact data', 'invoices'],
        detectedAt: '2026-03-02T10:00:00Z',
        deadline: '2026-03-05T10:00:00Z',
        affectedSince: '2026-03-03T10:00:00Z',
        state: 'Notified',
        notifiedAt: '2026-03-03T09:00:00Z',
        reference: 'T-1',
      },
      {
        tenant: 'beta',
        region: 'eu-central-1',
        plan: 'starter',
        dataCategories: ['contact data', 'invoices'],
        detectedAt: '2026-03-02T10:00:00Z',
        deadline: '2026-03-05T10:00:00Z',
        affectedSince: '2026-03-03T10:00:00Z',
        state: 'Pending',
        notifiedAt: null,
        reference: null,
      },
    ]);
    assert.deepEqual(r.authorities, [{ authority: 'BfDI', state: 'Pending', notifiedAt: null, reference: null }]);
  });

  test('timeLeft in hours and minutes, rounded up; 0 is "deadline passed"', () => {
    assert.equal(timeLeft(48 * 3600), '48h 00m');
    assert.equal(timeLeft(61), '0h 02m');
    assert.equal(timeLeft(1), '0h 01m');
    assert.equal(timeLeft(0), 'deadline passed');
  });

  test('table: facts, then a row per notice', () => {
    const text = reportTable(report(BEFORE_DEADLINE));
    const lines = text.split('\n');
    assert.match(text, /^Deadline: +2026-03-05T10:00:00Z \(48h 00m at /m);
    assert.match(text, /^Data categories: contact data, invoices$/m);
    assert.deepEqual(lines.slice(lines.indexOf('Customer notices (2):') + 1, lines.indexOf('Customer notices (2):') + 4), [
      'TENANT  REGION        PLAN      STATE     NOTIFIED AT           REFERENCE',
      'acme    eu-west-1     business  Notified  2026-03-03T09:00:00Z  T-1',
      'beta    eu-central-1  starter   Pending   -                     -',
    ]);
    assert.match(text, /^BfDI +Pending +- +-$/m);
  });

  test('markdown: both tables, a pipe in a value never breaks a row', () => {
    const text = reportMarkdown(report(AFTER_DEADLINE));
    assert.match(text, /^# Incident db7-leak: notices$/m);
    assert.match(text, /^- \*\*Notification deadline:\*\* 2026-03-05T10:00:00Z \(deadline passed at /m);
    assert.match(text, /^\| beta \| eu-central-1 \| starter \| 2026-03-06T00:00:00Z \| Overdue \| - \| - \|$/m);
    assert.match(text, /^\| BfDI \| Overdue \| - \| - \|$/m);
    assert.equal(mdCell('a|b\nc\\'), 'a\\|b c\\\\');
    assert.equal(mdCell(null), '-');
    for (const row of text.split('\n').filter((l) => l.startsWith('| acme') || l.startsWith('| beta')))
      assert.equal(row.split(' | ').length, 7, row);
  });

  test('json: the report object, parseable', () => {
    const r = report(BEFORE_DEADLINE);
    assert.deepEqual(JSON.parse(reportJson(r)), JSON.parse(JSON.stringify(r)));
  });
});

describe('tenantry incident notices (offline)', () => {
  test('-f with --tenants: the matching tenants, states as of now', async () => {
    const { code, stdout, stderr } = await run({
      filename: file('inc.yaml', INCIDENT),
      tenants: file('tenants.yaml', TENANTS),
      output: 'json',
    });
    assert.equal(code, 0, stderr);
    assert.equal(stderr, '');
    const r = JSON.parse(stdout) as NoticeReport;
    assert.deepEqual(
      r.customers.map((c) => [c.tenant, c.state]),
      [
        ['acme', 'Notified'],
        ['beta', 'Pending'],
      ],
    );
    assert.equal(r.phase, 'Open');
  });

  test('a frozen status decides who is affected, with its facts; re-evaluated at now (Overdue after the deadline)', async () => {
    const { code, stdout } = await run({ filename: '-', output: 'json' }, ['notices'], FROZEN, AFTER_DEADLINE);
    assert.equal(code, 0);
    const r = JSON.parse(stdout) as NoticeReport;
    assert.deepEqual(
      r.customers.map((c) => [c.tenant, c.plan, c.affectedSince, c.state]),
      [
        ['acme', 'business', '2026-03-02T11:00:00Z', 'Notified'],
        ['beta', 'starter', '2026-03-02T11:00:00Z', 'Overdue'],
      ],
    );
    assert.equal(r.phase, 'Overdue');
    assert.equal(r.timeLeftSeconds, 0);
  });

  test('without status and --tenants: a warning, and the notification of an unknown tenant is reported', async () => {
    const { code, stdout, stderr } = await run({ filename: file('inc2.yaml', INCIDENT), output: 'table' });
    assert.equal(code, 0);
    assert.match(stderr, /no frozen affected tenants yet/);
    assert.match(stderr, /spec\.notifications\[0\]\.tenant: tenant acme is not among the affected tenants/);
    assert.match(stdout, /^Customer notices \(0\):$/m);
  });

  test('NAME picks one incident of several in a file', async () => {
    const two = `${INCIDENT}---\n${INCIDENT.replace('db7-leak', 'other').replace('critical', 'low')}`;
    const { code, stdout } = await run({ filename: file('two.yaml', two), output: 'json' }, ['notices', 'other']);
    assert.equal(code, 0);
    assert.equal((JSON.parse(stdout) as NoticeReport).severity, 'low');
    const none = await run({ filename: file('two2.yaml', two) });
    assert.equal(none.code, 64);
    assert.match(none.stderr, /holds 2 Incidents; name one \(db7-leak, other\)/);
  });

  const bad: [string, IncidentFlags, string[], RegExp][] = [
    ['unknown subcommand', {}, ['list'], /unknown subcommand "list" \(known: notices\)/],
    ['bad -o', { output: 'yaml', filename: '-' }, ['notices'], /-o must be json, markdown or table/],
    ['no name and no file', {}, ['notices'], /give one Incident name, or -f FILE/],
    ['--tenants without -f', { tenants: 'x' }, ['notices', 'db7-leak'], /--tenants is for -f FILE/],
    ['both on stdin', { filename: '-', tenants: '-' }, ['notices'], /cannot both read stdin/],
    ['missing file', { filename: join(dir, 'nope.yaml') }, ['notices'], /cannot read .*nope\.yaml/],
  ];
  for (const [name, flags, positionals, message] of bad)
    test(`refused with 64: ${name}`, async () => {
      const { code, stderr, stdout } = await run(flags, positionals, INCIDENT);
      assert.equal(code, 64);
      assert.match(stderr, message);
      assert.equal(stdout, '');
    });

  test('parseIncidents names the document and field it refuses', () => {
    assert.throws(
      () => parseIncidents('kind: Tenant\nmetadata: {name: x}\nspec: {}\n', 'f'),
      (e: Error) => e instanceof InputError && /kind must be Incident/.test(e.message),
    );
    assert.throws(
      () => parseIncidents('kind: Incident\nmetadata: {name: x}\nspec: {summary: s, affected: {}}\n', 'f'),
      /spec\.detectedAt is required/,
    );
    assert.throws(() => parseIncidents('', 'f'), /holds no Incident/);
  });
});

test('the built CLI: `tenantry incident --help` describes notices, and -o markdown runs', () => {
  const node = process.execPath;
  const bin = join(import.meta.dirname, '..', '..', '..', 'bin', 'tenantry.js');
  const help = spawnSync(node, [bin, 'incident', '--help'], { encoding: 'utf8' });
  assert.equal(help.status, 0, help.stderr);
  assert.match(help.stdout, /tenantry incident notices NAME \[-o table\|json\|markdown\]/);
  assert.match(help.stdout, /--tenants VALUE/);
  const md = spawnSync(node, [bin, 'incident', 'notices', '-f', file('cli.yaml', FROZEN), '-o', 'markdown'], { encoding: 'utf8' });
  assert.equal(md.status, 0, md.stderr);
  assert.match(md.stdout, /^## Customer notices \(2\)$/m);
});
