// Table tests of the CRD copier (scripts/chart-crds.ts): what it generates from crds/, its drift
// check and write mode on a scratch repository, and the check of the real chart and deploy/crds/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CHART_CRD_DIR,
  copyHeader,
  crdKustomization,
  DEPLOY_CRD_DIR,
  generateCrdCopies,
  readCopies,
  readCrdSources,
  run,
} from '../../scripts/chart-crds.js';
import { findRepoRoot } from '../../scripts/generate.js';

/** A small CRD file as a person would write it: a comment, then the object. */
function crdYaml(plural: string, kind: string): string {
  return [
    `# ${kind}: a test kind.`,
    'apiVersion: apiextensions.k8s.io/v1',
    'kind: CustomResourceDefinition',
    'metadata:',
    `  name: ${plural}.example.io`,
    'spec:',
    '  group: example.io',
    '  scope: Namespaced',
    `  names: {kind: ${kind}, plural: ${plural}}`,
    '  versions:',
    '    - name: v1',
    '      served: true',
    '      storage: true',
    '      schema: {openAPIV3Schema: {type: object}}',
    '',
  ].join('\n');
}

const WIDGETS = { name: 'example.io_widgets.yaml', content: crdYaml('widgets', 'Widget') };
const GADGETS = { name: 'example.io_gadgets.yaml', content: crdYaml('gadgets', 'Gadget') };

/** Collects what run() prints. */
function io(): { out: string[]; err: string[]; io: { out: (l: string) => void; err: (l: string) => void } } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (l) => out.push(l), err: (l) => err.push(l) } };
}

/** A scratch repository with crds/ holding the given files; returns its root. */
function scratchRepo(files: { name: string; content: string }[]): string {
  const root = mkdtempSync(join(tmpdir(), 'chart-crds-'));
  writeFileSync(join(root, 'package.json'), '{}\n');
  writeFileSync(join(root, 'tsconfig.json'), '{}\n');
  mkdirSync(join(root, 'crds'));
  for (const f of files) writeFileSync(join(root, 'crds', f.name), f.content);
  return root;
}

void test('each CRD file is copied byte for byte below a header, into the chart and into deploy/crds/', () => {
  const plan = generateCrdCopies([WIDGETS, GADGETS]);
  assert.equal(plan.crdCount, 2);
  assert.deepEqual(plan.notes, []);
  assert.deepEqual(
    plan.files.map((f) => f.path),
    [
      `${CHART_CRD_DIR}/example.io_gadgets.yaml`,
      `${CHART_CRD_DIR}/example.io_widgets.yaml`,
      `${DEPLOY_CRD_DIR}/example.io_gadgets.yaml`,
      `${DEPLOY_CRD_DIR}/example.io_widgets.yaml`,
      `${DEPLOY_CRD_DIR}/kustomization.yaml`,
    ],
  );
  const chartWidgets = plan.files.find((f) => f.path === `${CHART_CRD_DIR}/example.io_widgets.yaml`)!;
  assert.equal(
    chartWidgets.content,
    `# Generated from crds/example.io_widgets.yaml by \`npm run generate\`. Do not edit.\n${WIDGETS.content}`,
  );
  assert.equal(chartWidgets.source, 'crds/example.io_widgets.yaml');
  assert.equal(plan.files.find((f) => f.path === `${DEPLOY_CRD_DIR}/example.io_widgets.yaml`)!.content, chartWidgets.content);
  assert.equal(
    plan.files.find((f) => f.path === `${DEPLOY_CRD_DIR}/kustomization.yaml`)!.content,
    crdKustomization(['example.io_widgets.yaml', 'example.io_gadgets.yaml']),
  );
});

void test('the kustomization lists the copies sorted, and is valid with no CRD at all', () => {
  const k = crdKustomization(['b.yaml', 'a.yaml', 'b.yaml']);
  assert.match(k, /^# Generated /);
  assert.match(k, /\nkind: Kustomization\nresources:\n {2}- a\.yaml\n {2}- b\.yaml\n$/);
  const empty = generateCrdCopies([]);
  assert.deepEqual(
    empty.files.map((f) => f.path),
    [`${DEPLOY_CRD_DIR}/kustomization.yaml`],
  );
  assert.match(empty.files[0]!.content, /\nresources: \[\]\n$/);
});

void test('a missing final newline is added; everything else is kept as written', () => {
  const noNewline = { name: 'x.yaml', content: WIDGETS.content.replace(/\n$/, '') };
  const plan = generateCrdCopies([noNewline]);
  assert.equal(plan.files[0]!.content, copyHeader('x.yaml') + noNewline.content + '\n');
});

void test('files that are not only CRDs are skipped with a note; invalid YAML throws', () => {
  const configMap = { name: 'cm.yaml', content: 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n' };
  const mixed = { name: 'mixed.yaml', content: `${WIDGETS.content}---\n${configMap.content}` };
  const empty = { name: 'empty.yaml', content: '# nothing here\n' };
  const plan = generateCrdCopies([configMap, mixed, empty, GADGETS]);
  assert.equal(plan.crdCount, 1);
  assert.deepEqual(plan.notes, [
    'crds/cm.yaml holds a document that is not a CustomResourceDefinition; not copied',
    'crds/empty.yaml holds no document; not copied',
    'crds/mixed.yaml holds a document that is not a CustomResourceDefinition; not copied',
  ]);
  assert.ok(plan.files.every((f) => !f.path.includes('mixed') && !f.path.includes('cm.yaml')));
  assert.throws(() => generateCrdCopies([{ name: 'bad.yaml', content: 'kind: [unclosed\n' }]), /crds\/bad\.yaml/);
});

void test('--check fails on missing copies, writing makes it pass, and a hand edit is drift', () => {
  const root = scratchRepo([WIDGETS]);
  try {
    let r = io();
    assert.equal(run(['--check'], root, r.io), 1);
    assert.ok(r.err.some((l) => l.includes(`${CHART_CRD_DIR}/example.io_widgets.yaml is missing`)));

    r = io();
    assert.equal(run([], root, r.io), 0);
    assert.match(r.out.join('\n'), /1 CRD\(s\) → 3 file\(s\) .*\(3 written, 0 unchanged, 0 removed\)/);
    assert.equal(run(['--check'], root, io().io), 0);

    // A hand edit of the chart's copy is drift, reported with the first differing line.
    const chartCopy = join(root, CHART_CRD_DIR, 'example.io_widgets.yaml');
    writeFileSync(chartCopy, readFileSync(chartCopy, 'utf8').replace('served: true', 'served: false'));
    r = io();
    assert.equal(run(['--check'], root, r.io), 1);
    assert.ok(r.err.some((l) => l.includes('is out of date with crds/example.io_widgets.yaml: run npm run generate')));
    assert.ok(r.err.some((l) => l.includes('-       served: false')));
    assert.ok(r.err.some((l) => l.includes('+       served: true')));

    // So is a change of the source: the copies follow crds/, never the other way round.
    assert.equal(run([], root, io().io), 0);
    writeFileSync(join(root, 'crds', WIDGETS.name), WIDGETS.content.replace('type: object', 'type: object, description: changed'));
    assert.equal(run(['--check'], root, io().io), 1);
    assert.equal(run([], root, io().io), 0);
    assert.match(readFileSync(chartCopy, 'utf8'), /description: changed/);
    assert.equal(run(['--check'], root, io().io), 0);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

void test('a copy whose CRD is gone is removed; a file the generator did not write is reported and kept', () => {
  const root = scratchRepo([WIDGETS, GADGETS]);
  try {
    assert.equal(run([], root, io().io), 0);
    rmSync(join(root, 'crds', GADGETS.name));
    const mine = join(root, CHART_CRD_DIR, 'handwritten.yaml');
    writeFileSync(mine, 'kind: Something\n');
    const r = io();
    assert.equal(run([], root, r.io), 1);
    assert.equal(existsSync(join(root, CHART_CRD_DIR, GADGETS.name)), false);
    assert.equal(existsSync(join(root, DEPLOY_CRD_DIR, GADGETS.name)), false);
    assert.equal(existsSync(mine), true);
    assert.ok(r.err.some((l) => l.includes(`${CHART_CRD_DIR}/handwritten.yaml was not written by the generator`)));
    assert.doesNotMatch(readFileSync(join(root, DEPLOY_CRD_DIR, 'kustomization.yaml'), 'utf8'), /gadgets/);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

void test('unknown arguments are a usage error', () => {
  const r = io();
  assert.equal(run(['--frobnicate'], '/nonexistent', r.io), 2);
  assert.match(r.err.join('\n'), /unknown argument --frobnicate/);
});

void test("the repository's chart and deploy/crds/ are exactly what crds/ generates", () => {
  const root = findRepoRoot(dirname(fileURLToPath(import.meta.url)));
  const plan = generateCrdCopies(readCrdSources(root));
  assert.ok(plan.crdCount >= 3);
  const actual = readCopies(root);
  assert.deepEqual(
    [...actual.keys()].sort(),
    plan.files.map((f) => f.path),
  );
  for (const f of plan.files) assert.equal(actual.get(f.path), f.content, `${f.path} differs from what npm run generate writes`);
});
