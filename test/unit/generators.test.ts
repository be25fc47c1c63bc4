// The list of generators (scripts/generators.ts) and the two that issue 10 added: every generator
// script is in the list and has a --check that passes on this tree; the region lists of the CRDs
// and the chart's values schema follow src/api/regions.ts and the configuration's keys.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { load } from 'js-yaml';
import { findRepoRoot } from '../../scripts/generate.js';
import { GENERATORS, loadGenerator, runAll } from '../../scripts/generators.js';
import { BEGIN_MARKER, END_MARKER, REGION_CRDS, run as runRegions, spliceRegions } from '../../scripts/regions.js';
import { valuesSchema, VALUES_SCHEMA } from '../../scripts/values-schema.js';
import { REGIONS } from '../../src/api/regions.js';

const ROOT = findRepoRoot(dirname(fileURLToPath(import.meta.url)));

/** Collects what a CLI prints. */
function io(): { out: string[]; err: string[]; io: { out: (l: string) => void; err: (l: string) => void } } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (l) => out.push(l), err: (l) => err.push(l) } };
}

test('every generator script of scripts/ is in the list, and npm run generate/verify and the test driver run the list', () => {
  const scripts = readdirSync(join(ROOT, 'scripts')).filter((f) => f.endsWith('.ts') && f !== 'generators.ts');
  const clis = scripts.filter(
    (f) => /\bparseCheckArgs\(|\brunFileGenerator\(/.test(readFileSync(join(ROOT, 'scripts', f), 'utf8')) && f !== 'script-main.ts',
  );
  assert.deepEqual(clis.map((f) => f.replace(/\.ts$/, '')).sort(), [...GENERATORS].sort());
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  assert.match(pkg.scripts.generate ?? '', / dist\/scripts\/generators\.js$/);
  assert.match(pkg.scripts.verify ?? '', / dist\/scripts\/generators\.js --check$/);
  assert.match(readFileSync(join(ROOT, 'test', 'run.ts'), 'utf8'), /'generators\.js'\), '--check'\]/);
});

test('each generator has a --check, and this tree passes all of them', async () => {
  for (const name of GENERATORS) {
    const out = io();
    assert.equal((await loadGenerator(name))(['--check'], ROOT, out.io), 0, `${name}: ${out.err.join('\n')}`);
    assert.match(out.out.join('\n'), new RegExp(`^${name} --check: OK`), name);
  }
  const out = io();
  assert.equal(await runAll(['--check'], ROOT, out.io), 0);
  assert.equal(await runAll(['--bogus'], ROOT, io().io), 2);
});

/** A scratch repository holding the region CRDs with the given texts; returns its root. */
function scratchRepo(texts: readonly string[]): string {
  const root = mkdtempSync(join(tmpdir(), 'regions-'));
  mkdirSync(join(root, 'crds'));
  REGION_CRDS.forEach((path, i) => writeFileSync(join(root, path), texts[i] ?? ''));
  return root;
}

const LIST = (items: string[]) =>
  ['spec:', '  region:', '    enum:', `      ${BEGIN_MARKER} (test)`, ...items.map((r) => `      - ${r}`), `      ${END_MARKER}`, ''].join(
    '\n',
  );

test('the region generator writes the list between every marker pair, and --check reports a CRD that drifted', () => {
  const root = scratchRepo([LIST(['us-east-1']), LIST(['us-east-1']) + LIST([])]);
  const check = io();
  assert.equal(runRegions(['--check'], root, check.io, ['eu-west-1', 'us-east-1']), 1);
  assert.match(check.err.join('\n'), /crds\/tenantry\.io_tenants\.yaml is out of date with src\/api\/regions\.ts/);
  assert.match(check.err.join('\n'), /regions --check: 2 file\(s\) drifted; run npm run generate/);
  assert.equal(runRegions([], root, io().io, ['eu-west-1', 'us-east-1']), 0);
  const first = load(readFileSync(join(root, REGION_CRDS[0]!), 'utf8')) as { spec: { region: { enum: string[] } } };
  assert.deepEqual(first.spec.region.enum, ['eu-west-1', 'us-east-1']);
  assert.equal(readFileSync(join(root, REGION_CRDS[1]!), 'utf8').match(/- eu-west-1\n/g)?.length, 2);
  assert.equal(runRegions(['--check'], root, io().io, ['eu-west-1', 'us-east-1']), 0);
  // The real CRDs list exactly src/api/regions.ts at every marker pair.
  for (const path of REGION_CRDS) {
    const text = readFileSync(join(ROOT, path), 'utf8');
    assert.equal(spliceRegions(text, REGIONS, path), text, path);
  }
});

test('the region generator refuses a CRD without markers or with an unmatched one', () => {
  assert.throws(() => spliceRegions('spec: {}\n', REGIONS, 'x.yaml'), /x\.yaml has no "# BEGIN generated regions"/);
  assert.throws(
    () => spliceRegions(`a:\n  ${BEGIN_MARKER}\n  - x\n`, REGIONS, 'x.yaml'),
    /x\.yaml:2: "# BEGIN generated regions" without an "# END generated regions"/,
  );
  assert.throws(() => spliceRegions(`a:\n  ${END_MARKER}\n`, REGIONS, 'x.yaml'), /x\.yaml:2: "# END generated regions" without/);
  const out = io();
  assert.equal(runRegions(['--check'], scratchRepo(['spec: {}\n', LIST([])]), out.io), 1);
  assert.match(out.err.join('\n'), /^regions: crds\/tenantry\.io_tenants\.yaml has no/);
});

test("the chart's values schema refuses unknown configuration keys at every depth and names the regions of src/api/regions.ts", () => {
  type S = { properties: Record<string, S>; additionalProperties?: unknown; items?: S; propertyNames?: { enum: string[] } };
  const config = (valuesSchema(REGIONS) as unknown as S).properties.config!;
  assert.equal(config.additionalProperties, false);
  assert.equal(config.properties.ingress?.additionalProperties, false);
  assert.equal(config.properties.ingress?.properties.gateway?.additionalProperties, false);
  assert.equal(config.properties.egress?.items?.properties.ports?.items?.additionalProperties, false);
  assert.equal(config.properties.backup?.properties.resources?.additionalProperties, false);
  assert.deepEqual(config.properties.regions?.propertyNames?.enum, [...REGIONS]);
  assert.deepEqual(Object.keys((config.properties.regions?.additionalProperties as S).properties), [
    'nodeSelector',
    'storageClassName',
    'kmsKeyId',
    'backupBucket',
    'archiveBucket',
    'billingKmsKeyId',
  ]);
  assert.equal((config.properties.regions?.additionalProperties as S).additionalProperties, false);
  assert.equal(config.properties.lifecycle?.additionalProperties, false);
  assert.equal(config.properties.lifecycle?.properties.durations?.additionalProperties, false);
  assert.equal(
    JSON.parse(readFileSync(join(ROOT, VALUES_SCHEMA), 'utf8')).properties.config.properties.ingress.additionalProperties,
    false,
  );
});
