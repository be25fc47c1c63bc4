// `tenantry lifecycle explain`: Tenants read from YAML or JSON (one object, a List, several
// documents), bad input refused with exit 64 naming the flag, document or field, the JSON lines
// and the table, and the built command run on a file in both formats. Fixed dates only.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { InputError, lifecycleCommand, parseTenants, type LifecycleFlags } from '../../src/lifecycle-command.js';

const TRIAL = `apiVersion: tenantry.io/v1alpha1
kind: Tenant
metadata:
  name: acme
spec:
  plan: trial
  region: eu-central-1
  lifecycle:
    trialEndsAt: 2025-03-01T00:00:00Z
`;
const PAID = `apiVersion: tenantry.io/v1alpha1
kind: Tenant
metadata: {name: globex}
spec: {plan: paid, region: us-east-1, lifecycle: {cancelledAt: "2025-01-01T00:00:00Z"}}
`;
const BAD = `kind: Tenant
metadata: {name: broken}
spec: {plan: trial, region: us-east-1}
`;

const dir = mkdtempSync(join(tmpdir(), 'lifecycle-explain-'));
function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

async function run(flags: LifecycleFlags, positionals: string[] = ['explain'], stdin = '') {
  let stdout = '';
  let stderr = '';
  const code = await lifecycleCommand(flags, positionals, {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    readStdin: () => stdin,
    clock: () => new Date('2025-03-05T00:00:00Z'),
  });
  return { code, stdout, stderr };
}

describe('reading Tenants', () => {
  test('one object, several documents, a List and JSON', () => {
    assert.deepEqual(
      parseTenants(TRIAL, 'f').map((t) => t.metadata.name),
      ['acme'],
    );
    assert.deepEqual(
      parseTenants(`${TRIAL}---\n${PAID}---\n`, 'f').map((t) => t.metadata.name),
      ['acme', 'globex'],
    );
    const list = JSON.stringify({ apiVersion: 'v1', kind: 'List', items: parseTenants(`${TRIAL}---\n${PAID}`, 'f') });
    assert.deepEqual(
      parseTenants(list, 'f').map((t) => t.metadata.name),
      ['acme', 'globex'],
    );
  });

  test('timestamps stay strings, for the strict parser to read', () => {
    assert.equal(parseTenants(TRIAL, 'f')[0]!.spec.lifecycle?.trialEndsAt, '2025-03-01T00:00:00Z');
  });

  const refused: [string, string, RegExp][] = [
    ['not YAML', 'a: [', /^f is not valid YAML or JSON/],
    ['another kind', 'kind: Namespace\nmetadata: {name: x}\n', /^f: kind must be Tenant \(got "Namespace"\)/],
    ['no name', 'kind: Tenant\nmetadata: {}\nspec: {plan: paid}\n', /^f: metadata.name is required/],
    ['no spec', 'kind: Tenant\nmetadata: {name: x}\n', /^f \(x\): spec is required/],
    ['second document wrong', `${TRIAL}---\nkind: Foo\n`, /^f: document 2: kind must be Tenant/],
    ['list item wrong', '{"kind":"List","items":[{"kind":"Tenant","metadata":{}}]}', /^f: items\[0\]: metadata.name is required/],
    ['nothing', '---\n', /^f holds no Tenant/],
  ];
  for (const [name, text, expected] of refused)
    test(`refused: ${name}`, () =>
      assert.throws(
        () => parseTenants(text, 'f'),
        (e: unknown) => e instanceof InputError && expected.test(e.message),
      ));
});

describe('lifecycle explain', () => {
  test('-o json: one object per line per tenant with every field', async () => {
    const r = await run({ filename: file('two.yaml', `${TRIAL}---\n${PAID}`), output: 'json' });
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.equal(lines.length, 2);
    assert.deepEqual(lines[0], {
      tenant: 'acme',
      at: '2025-03-05T00:00:00Z',
      phase: 'Suspended',
      reason: 'TrialEnded',
      since: '2025-03-01T00:00:00Z',
      eraseAt: '2025-03-13T00:00:00Z',
      next: { phase: 'Erasing', at: '2025-03-13T00:00:00Z' },
      erasureBlocked: null,
      problems: [],
      timeline: [
        { phase: 'Active', reason: 'Trial', at: null },
        { phase: 'Suspended', reason: 'TrialEnded', at: '2025-03-01T00:00:00Z' },
        { phase: 'Erasing', reason: 'TrialEnded', at: '2025-03-13T00:00:00Z' },
      ],
    });
    assert.equal(lines[1]!.phase, 'Closed');
    assert.equal(lines[1]!.eraseAt, '2025-04-01T00:00:00Z');
  });

  test('the table shows the summary and the timeline with the current step', async () => {
    const r = await run({ filename: '-', at: '2025-03-13T00:00:00Z' }, ['explain'], TRIAL);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Evaluated at 2025-03-13T00:00:00Z/);
    assert.match(r.stdout, /^acme\s+Erasing\s+TrialEnded\s+2025-03-13T00:00:00Z\s+-\s+2025-03-13T00:00:00Z\s+-$/m);
    assert.match(r.stdout, /^ {2}2025-03-13T00:00:00Z\s+Erasing\s+TrialEnded {2}<- now$/m);
  });

  test('--config takes the durations of an operator configuration', async () => {
    const config = file(
      'config.yaml',
      'regions: {eu-central-1: {storageClassName: s, kmsKeyId: k, backupBucket: b}}\nlifecycle: {durations: {trialEraseDays: 3}}\n',
    );
    const r = await run({ filename: '-', output: 'json', config }, ['explain'], TRIAL);
    assert.equal((JSON.parse(r.stdout) as { eraseAt: string }).eraseAt, '2025-03-04T00:00:00Z');
    const bad = file(
      'bad-config.yaml',
      'regions: {eu-central-1: {storageClassName: s, kmsKeyId: k, backupBucket: b}}\nlifecycle: {durations: {trialEraseDays: 0}}\n',
    );
    const refused = await run({ filename: '-', config: bad }, ['explain'], TRIAL);
    assert.equal(refused.code, 64);
    assert.match(refused.stderr, /lifecycle\.durations\.trialEraseDays/);
  });

  test('a tenant with invalid input is printed with the safe answer, and the command exits 64 naming the field', async () => {
    const r = await run({ filename: '-', output: 'json' }, ['explain'], `${BAD}---\n${TRIAL}`);
    assert.equal(r.code, 64);
    assert.equal(r.stdout.trimEnd().split('\n').length, 2);
    assert.match(r.stderr, /broken: spec\.lifecycle\.trialEndsAt: a trial needs trialEndsAt/);
  });

  const usage: [string, LifecycleFlags, string[], RegExp][] = [
    ['no subcommand', { filename: '-' }, [], /unknown subcommand ""/],
    ['unknown subcommand', { filename: '-' }, ['show'], /unknown subcommand "show" \(known: explain\)/],
    ['bad -o', { filename: '-', output: 'yaml' }, ['explain'], /-o must be table or json \(got "yaml"\)/],
    ['bad --at', { filename: '-', at: '2025-03-05' }, ['explain'], /--at must be an RFC 3339 timestamp/],
    ['file and name', { filename: '-' }, ['explain', 'acme'], /either -f FILE or a Tenant name/],
    ['neither', {}, ['explain'], /give one Tenant name, or -f FILE/],
    ['missing file', { filename: join(dir, 'absent.yaml') }, ['explain'], /cannot read .*absent\.yaml/],
  ];
  for (const [name, flags, positionals, expected] of usage)
    test(`usage error: ${name}`, async () => {
      const r = await run(flags, positionals, TRIAL);
      assert.equal(r.code, 64);
      assert.match(r.stderr, expected);
      assert.equal(r.stdout, '');
    });
});

describe('the built command', () => {
  const bin = join(import.meta.dirname, '../../../bin/tenantry.js');
  const tenantry = (...args: string[]) => spawnSync(process.execPath, [bin, 'lifecycle', ...args], { encoding: 'utf8' });
  const path = file('cli.yaml', `${TRIAL}---\n${PAID}`);

  test('explain -f FILE -o json prints one JSON line per tenant', () => {
    const r = tenantry('explain', '-f', path, '--at', '2025-03-12T23:59:59.999Z', '-o', 'json');
    assert.equal(r.status, 0, r.stderr);
    const lines = r.stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as { tenant: string; phase: string });
    assert.deepEqual(
      lines.map((l) => [l.tenant, l.phase]),
      [
        ['acme', 'Suspended'],
        ['globex', 'Closed'],
      ],
    );
  });

  test('explain -f FILE prints the table', () => {
    const r = tenantry('explain', '-f', path, '--at', '2025-03-13T00:00:00Z');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^TENANT\s+PHASE\s+REASON/m);
    assert.match(r.stdout, /^acme\s+Erasing/m);
    assert.match(r.stdout, /^globex\s+Closed\s+Cancelled/m);
  });

  test('bad input exits 64 naming the flag', () => {
    const r = tenantry('explain', '-f', path, '-o', 'xml');
    assert.equal(r.status, 64);
    assert.match(r.stderr, /-o must be table or json/);
  });
});
