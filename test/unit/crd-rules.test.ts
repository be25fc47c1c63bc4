// What the CRDs' CEL rules assume about the rest of the code, checked without an API server: the
// invalid schedule and time zone fixtures are refused by the controller's own check too (so the API
// server and the controller agree), the samples are accepted by it, and the Tenant rule that keeps
// the engine of a Tenant without spec.database names the builders' default engine.
// The rules themselves run on a real API server in test/integration/crds.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { load, loadAll } from 'js-yaml';
import { findRepoRoot } from '../../scripts/generate.js';
import { parseSchedule } from '../../src/backup/schedule.js';
import { DEFAULT_ENGINE } from '../../src/resources/engine.js';

const ROOT = findRepoRoot(dirname(fileURLToPath(import.meta.url)));
const INVALID_DIR = join(ROOT, 'test', 'integration', 'fixtures', 'invalid');
const SAMPLES_DIR = join(ROOT, 'deploy', 'samples');

interface PolicyDoc {
  kind?: string;
  spec?: { schedule?: string; timeZone?: string };
}

/** The BackupPolicies in the YAML files of `dir` whose names match `pattern`, with their file names. */
function policies(dir: string, pattern: RegExp): { file: string; spec: { schedule: string; timeZone: string } }[] {
  return readdirSync(dir)
    .filter((f) => pattern.test(f))
    .sort()
    .flatMap((file) =>
      (loadAll(readFileSync(join(dir, file), 'utf8')) as PolicyDoc[])
        .filter((d) => d?.kind === 'BackupPolicy')
        .map((d) => ({ file, spec: { schedule: d.spec?.schedule ?? '', timeZone: d.spec?.timeZone ?? 'UTC' } })),
    );
}

void test('every schedule and time zone the API server refuses in the fixtures, parseSchedule refuses too', () => {
  const refused = policies(INVALID_DIR, /^bp-(cron|timezone)-.*\.ya?ml$/);
  assert.ok(refused.length >= 12, `only ${refused.length} schedule and time zone fixtures`);
  for (const { file, spec } of refused) {
    const r = parseSchedule(spec.schedule, spec.timeZone);
    assert.equal(r.ok, false, `${file}: parseSchedule accepts ${JSON.stringify(spec)}`);
  }
  // And what the samples ship, both accept.
  const samples = policies(SAMPLES_DIR, /\.ya?ml$/);
  assert.ok(samples.length >= 1);
  for (const { file, spec } of samples) assert.deepEqual(parseSchedule(spec.schedule, spec.timeZone), { ok: true }, file);
});

interface Rule {
  rule: string;
  fieldPath?: string;
  message?: string;
}
interface Prop {
  properties?: Record<string, Prop>;
  'x-kubernetes-validations'?: Rule[];
}

void test("review 11: the Tenant CRD keeps spec.database.engine, reading a missing spec.database as the builders' default engine", () => {
  const crd = load(readFileSync(join(ROOT, 'crds', 'tenantry.io_tenants.yaml'), 'utf8')) as {
    spec: { versions: { schema: { openAPIV3Schema: Prop } }[] };
  };
  const spec = crd.spec.versions[0]?.schema.openAPIV3Schema.properties?.['spec'];
  const engine = spec?.properties?.['database']?.properties?.['engine'];
  assert.deepEqual(
    engine?.['x-kubernetes-validations']?.map((r) => r.rule),
    ['self == oldSelf'],
  );
  const block = spec?.['x-kubernetes-validations']?.find((r) => r.fieldPath === '.database.engine');
  assert.ok(block, 'spec has a rule for adding or removing spec.database');
  // Both sides of the comparison fall back to the engine a Tenant without spec.database gets.
  assert.equal(block.rule.split(`: '${DEFAULT_ENGINE}')`).length - 1, 2, block.rule);
  for (const r of [...(engine?.['x-kubernetes-validations'] ?? []), block]) {
    assert.match(r.message ?? '', /^spec\.database\.engine is immutable/);
    assert.match(r.message ?? '', /a restore cannot cross engines either/);
    assert.match(r.message ?? '', /create a new Tenant with the other engine and migrate the data/);
  }
});
