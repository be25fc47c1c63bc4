// Tests of the generator of the upstream kinds' types (scripts/upstream-types.ts): generation from
// extracted CRDs, its drift check, the check of the pinned versions when the CRDs are not there,
// and the check of the committed src/api/upstream/ itself.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dump } from 'js-yaml';
import { findDrift } from '../../scripts/codegen.js';
import { findRepoRoot, readGenerated } from '../../scripts/generate.js';
import {
  defaultCrdDir,
  pinProblems,
  planUpstream,
  readExtracted,
  run,
  UPSTREAM_DIR,
  UPSTREAM_KINDS,
} from '../../scripts/upstream-types.js';
import { UPSTREAM_CRD_VERSIONS } from '../env/upstream-crds.js';

type Json = Record<string, unknown>;

/** A CRD of `kind` with one string field in its spec, served (and stored) in `versions`. */
function crd(kind: string, versions: { name: string; storage: boolean }[], field: string): Json {
  const schema = { type: 'object', properties: { spec: { type: 'object', properties: { [field]: { type: 'string' } } } } };
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${kind.toLowerCase()}s.example.io` },
    spec: {
      group: 'example.io',
      scope: 'Namespaced',
      names: { kind, plural: `${kind.toLowerCase()}s` },
      versions: versions.map((v) => ({ ...v, served: true, schema: { openAPIV3Schema: schema } })),
    },
  };
}

/** Writes the extracted files as test/env/upstream-crds.ts does: a header naming module@version, then the CRDs. */
function writeExtracted(dir: string, pins: Record<string, string>, field = 'size'): void {
  mkdirSync(dir, { recursive: true });
  const files = [...new Set(UPSTREAM_KINDS.map((k) => k.file))];
  for (const [i, file] of files.entries()) {
    const module = `example.io/m${i}`;
    const docs = UPSTREAM_KINDS.filter((k) => k.file === file).map((k) =>
      // Like Gateway API's ReferenceGrant: another version is stored than the one the builder writes.
      crd(
        k.kind,
        [
          { name: k.version, storage: false },
          { name: 'v0', storage: true },
        ],
        field,
      ),
    );
    writeFileSync(join(dir, file), `# ${module}@${pins[module]}: (fixture)\n` + docs.map((d) => `---\n${dump(d)}`).join(''));
  }
}

const PINS = { 'example.io/m0': 'v1.0.0', 'example.io/m1': 'v2.0.0', 'example.io/m2': 'v3.0.0' };

void test('upstream-types CLI: generate, check, drift, stale cache and no cache', () => {
  const root = mkdtempSync(join(tmpdir(), 'tenantry-upstream-'));
  try {
    const crds = join(root, 'cache');
    const io = { lines: [] as string[], out: (l: string) => io.lines.push(l), err: (l: string) => io.lines.push(l) };
    writeExtracted(crds, PINS);
    assert.equal(run(['--check'], root, io, crds, PINS), 1, 'missing files are drift');
    assert.equal(run([], root, io, crds, PINS), 0);
    assert.deepEqual(
      readdirSync(join(root, UPSTREAM_DIR)).sort(),
      ['index.ts', ...UPSTREAM_KINDS.map((k) => `${k.kind.toLowerCase()}.ts`)].sort(),
    );
    const grant = readFileSync(join(root, UPSTREAM_DIR, 'referencegrant.ts'), 'utf8');
    assert.match(grant, /^\/\/ Generated from example\.io\/m1@v2\.0\.0 \(ReferenceGrant v1\) by `npm run generate`/);
    assert.match(grant, /apiVersion: 'example\.io\/v1';/, 'the version the builder writes, not the stored one');
    io.lines.length = 0;
    assert.equal(run(['--check'], root, io, crds, PINS), 0);
    assert.match(io.lines.join('\n'), /OK, src\/api\/upstream\/ is up to date with 7 upstream kinds/);

    // The same versions, other CRDs (a generator change looks the same): drift.
    writeExtracted(crds, PINS, 'colour');
    io.lines.length = 0;
    assert.equal(run(['--check'], root, io, crds, PINS), 1);
    assert.match(
      io.lines.join('\n'),
      /src\/api\/upstream\/certificate\.ts is out of date with example\.io\/m0@v1\.0\.0 \(Certificate v1\)/,
    );
    assert.equal(run([], root, io, crds, PINS), 0);
    assert.equal(run(['--check'], root, io, crds, PINS), 0);

    // A pin bumped while the cache still holds the old extraction: not used, and the files are older than the pin.
    const bumped = { ...PINS, 'example.io/m1': 'v2.1.0' };
    io.lines.length = 0;
    assert.equal(run(['--check'], root, io, crds, bumped), 1);
    assert.match(io.lines.join('\n'), /httproute\.ts was generated from example\.io\/m1@v2\.0\.0, but v2\.1\.0 is pinned/);

    // No extracted CRDs: the check compares the versions only, and says so; generate leaves the files.
    const none = join(root, 'nowhere');
    io.lines.length = 0;
    assert.equal(run(['--check'], root, io, none, PINS), 0);
    assert.match(io.lines.join('\n'), /only the pinned versions were compared/);
    const before = readFileSync(join(root, UPSTREAM_DIR, 'httproute.ts'), 'utf8');
    assert.equal(run([], root, io, none, PINS), 0);
    assert.equal(readFileSync(join(root, UPSTREAM_DIR, 'httproute.ts'), 'utf8'), before);
    rmSync(join(root, UPSTREAM_DIR, 'tlsoption.ts'));
    io.lines.length = 0;
    assert.equal(run(['--check'], root, io, none, PINS), 1);
    assert.match(io.lines.join('\n'), /tlsoption\.ts is missing/);

    // A kind the extracted file lacks fails without writing.
    writeFileSync(
      join(crds, 'traefik.yaml'),
      `# example.io/m2@v3.0.0: (fixture)\n---\n${dump(crd('Middleware', [{ name: 'v1alpha1', storage: true }], 'x'))}`,
    );
    io.lines.length = 0;
    assert.equal(run([], root, io, crds, PINS), 1);
    assert.match(io.lines.join('\n'), /traefik\.yaml \(example\.io\/m2@v3\.0\.0\) has no CRD of kind TLSOption/);
    assert.equal(existsSync(join(root, UPSTREAM_DIR, 'tlsoption.ts')), false);
    assert.equal(run(['--bogus'], root, io, crds, PINS), 2);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

void test('src/api/upstream/ is up to date with the pinned upstream CRDs', () => {
  const root = findRepoRoot(dirname(fileURLToPath(import.meta.url)));
  const committed = readGenerated(root, UPSTREAM_DIR);
  assert.deepEqual(pinProblems(committed, UPSTREAM_CRD_VERSIONS), [], 'run `npm run env:build`, then `npm run generate`');
  // The full comparison needs the CRDs the test environment extracts; without them the versions above are all that can be compared.
  const extracted = readExtracted(defaultCrdDir(), UPSTREAM_CRD_VERSIONS);
  if (typeof extracted === 'string') return;
  assert.deepEqual(
    findDrift(planUpstream(extracted), committed).map((p) => p.message),
    [],
    'run `npm run generate` and commit src/api/upstream/',
  );
});
